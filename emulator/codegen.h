/*
 * codegen.h — the code generator's internals, shared by codegen.c (the
 * general instructions) and codegen_bits.c (the bit syntax). Not for use
 * outside code generation.
 */
#ifndef CB_CODEGEN_H
#define CB_CODEGEN_H

#include <setjmp.h>

#include "emu.h"
#include "strbuf.h"

typedef struct fixup {
    size_t at;        /* word to patch */
    uint32_t label;
} fixup;

typedef struct cg {
    beam_module *m;
    LoadedCode *lc;
    strbuf *err;
    jmp_buf fail;
    BeamInstr *code;
    size_t len, cap;
    size_t *label_pos;            /* label -> word offset, SIZE_MAX if none */
    fixup *fix;
    size_t nfix, capfix;
    struct { size_t at; uint32_t item; } *line_at;   /* word offset, line item */
    size_t nline, capline;
    uint32_t function;            /* functions emitted so far */
    size_t on_load_at;            /* word offset of the on_load body, or SIZE_MAX */
    uint32_t pending_line;        /* line item for the next instruction, or UINT32_MAX */
} cg;

#define CG_FAIL(g, ...) cg_fail((g), __VA_ARGS__)
#define OPND(in, k) (&g->m->operands[(in)->first + (k)])

__attribute__((noreturn, format(printf, 2, 3)))
void cg_fail(cg *g, const char *fmt, ...);

void emit_word(cg *g, BeamInstr w);
void emit_op(cg *g, int opc);
void emit_label_ref(cg *g, uint64_t label);   /* 0 = no label: emits 0 */
BeamInstr reg_word(cg *g, const beam_operand *o);
Term const_term(cg *g, const beam_operand *o);
BeamInstr src_word(cg *g, const beam_operand *o);
uint64_t u_value(cg *g, const beam_operand *o);
void emit_src(cg *g, const beam_operand *o);
void emit_dst(cg *g, const beam_operand *o);
void emit_u(cg *g, const beam_operand *o);

/* Emits the bit-syntax instruction `in`; false if it is not one. */
bool gen_bits_instr(cg *g, const beam_instr *in);

#endif
