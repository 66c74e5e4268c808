/*
 * genop.h — generic opcode numbers and their static descriptions, generated
 * from genop.tab.
 */
#ifndef CB_GENOP_H
#define CB_GENOP_H

#include <stdint.h>

#define GENOP_MAX 180

typedef enum {
    GENOP_EMITTED,
    GENOP_SPECIAL,
    GENOP_LEGACY,
    GENOP_OBSOLETE,
} genop_status;

enum {
#define GENOP(num, name, arity, status) OP_##name = num,
#include "genop.tab"
#undef GENOP
};

typedef struct genop_info {
    const char *name;
    uint8_t arity;
    uint8_t status; /* genop_status */
} genop_info;

/* Indexed by opcode 0..GENOP_MAX; entry 0 has a NULL name. */
extern const genop_info genop_table[GENOP_MAX + 1];

#endif
