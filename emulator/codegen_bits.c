/*
 * codegen_bits.c — code generation for the bit syntax (bs_* instructions).
 */
#include "codegen.h"

bool gen_bits_instr(cg *g, const beam_instr *in)
{
    (void)g;
    (void)in;
    return false;
}
