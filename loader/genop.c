#include "genop.h"

const genop_info genop_table[GENOP_MAX + 1] = {
#define GENOP(num, opname, oparity, opstatus) [num] = { .name = #opname, .arity = oparity, .status = GENOP_##opstatus },
#include "genop.tab"
#undef GENOP
};
