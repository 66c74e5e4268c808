/*
 * compact.h — the compact term encoding of BEAM operands (otp25-notes §2).
 *
 * A compact_reader walks a byte range; every read is bounds-checked and
 * reports failure instead of reading past the end. The reader does not
 * allocate: an integer too large for 64 bits is returned as a pointer to its
 * big-endian two's-complement bytes, for the caller to turn into a bignum.
 */
#ifndef CB_COMPACT_H
#define CB_COMPACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum compact_tag {
    CT_U = 0, CT_I = 1, CT_A = 2, CT_X = 3, CT_Y = 4, CT_F = 5, CT_H = 6, CT_Z = 7,
};

typedef struct compact_reader {
    const uint8_t *start;   /* the whole file, so offsets are absolute */
    const uint8_t *pos;
    const uint8_t *end;
} compact_reader;

typedef enum compact_status {
    COMPACT_OK = 0,
    COMPACT_TRUNCATED,     /* the encoding runs past the end of its chunk */
    COMPACT_OVERFLOW,      /* a non-i value that is negative or beyond 64 bits */
    COMPACT_BAD_HUGE,      /* a huge form whose length prefix is not a small u */
} compact_status;

typedef struct compact_value {
    uint8_t tag;            /* enum compact_tag */
    bool is_big;            /* tag i only: value did not fit int64; see bytes */
    union {
        uint64_t u;         /* every tag but i */
        int64_t i;          /* tag i, when !is_big */
    } v;
    const uint8_t *bytes;   /* is_big: big-endian two's complement */
    size_t nbytes;
} compact_value;

/* Reads one value. For tag z, v.u is the extension kind (0..15), and the
 * caller reads what follows. */
compact_status compact_read(compact_reader *r, compact_value *out);

static inline size_t compact_offset(const compact_reader *r) { return (size_t)(r->pos - r->start); }
static inline bool compact_at_end(const compact_reader *r) { return r->pos >= r->end; }

const char *compact_status_text(compact_status s);

#endif
