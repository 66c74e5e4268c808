/*
 * bignum.h — arbitrary-precision integers on the heap. Digits are 64-bit
 * GMP limbs (mp_limb_t), least significant first, in the boxed layout of
 * term.h; arithmetic uses GMP's mpn layer directly on those limbs.
 *
 * Every constructor normalises: a value that fits a small is returned as a
 * small, and no bignum has a leading zero digit.
 */
#ifndef CB_BIGNUM_H
#define CB_BIGNUM_H

#include <gmp.h>

#include "strbuf.h"
#include "term_sink.h"

/* An integer seen as sign and magnitude limbs (least significant first),
 * without allocating: a small's magnitude is kept in the view itself. */
typedef struct int_view {
    const UWord *limbs;
    size_t n;          /* no leading zero limb; 0 for zero */
    bool negative;
    UWord one;         /* storage for a small's magnitude */
} int_view;

static inline void view_integer(Term t, int_view *v)
{
    if (term_is_small(t)) {
        SWord s = small_value(t);
        v->negative = s < 0;
        v->one = s < 0 ? (UWord)0 - (UWord)s : (UWord)s;
        v->limbs = &v->one;
        v->n = s != 0;
    } else {
        v->negative = bignum_is_negative(t);
        v->limbs = bignum_digits(t);
        v->n = bignum_digit_count(t);
    }
}

/* The value as a small if the magnitude (n limbs, no leading zero) fits,
 * else THE_NON_VALUE. */
static inline Term small_from_magnitude(const UWord *limbs, size_t n, bool negative)
{
    if (n == 0) return make_small(0);
    if (n > 1) return THE_NON_VALUE;
    UWord m = limbs[0];
    if (!negative && m <= (UWord)MAX_SMALL) return make_small((SWord)m);
    if (negative && m <= (UWord)MAX_SMALL + 1) return make_small(-(SWord)(m - 1) - 1);
    return THE_NON_VALUE;
}

static inline int compare_magnitudes(const int_view *a, const int_view *b)
{
    if (a->n != b->n) return a->n < b->n ? -1 : 1;
    if (a->n == 0) return 0;
    int c = mpn_cmp(a->limbs, b->limbs, (mp_size_t)a->n);
    return (c > 0) - (c < 0);
}

/* Heap words needed for an integer of n magnitude bytes (an upper bound). */
static inline size_t bignum_words_for_bytes(size_t n) { return 1 + (n + 7) / 8; }

/* Builds the integer whose magnitude is the n little-endian bytes at le,
 * negated if `negative`. Returns a small when it fits; otherwise writes a
 * bignum at hp, which must hold bignum_words_for_bytes(n) words (they are
 * used as scratch even when the result is a small). Returns THE_NON_VALUE
 * if the magnitude needs more than MAX_BIG_DIGITS digits. */
Term integer_from_le_bytes(Term *hp, const uint8_t *le, size_t n, bool negative);
/* The same from a two's-complement big-endian byte string (the compact
 * term encoding of BEAM operands). */
Term integer_from_be_twos(Term *hp, const uint8_t *be, size_t n);
static inline size_t integer_words_for_be_twos(size_t n) { return bignum_words_for_bytes(n + 1); }

/* Appends the integer (small or bignum) in the given base (2..36, upper-case
 * letters, as integer_to_list/2) to sb. */
void integer_to_text(strbuf *sb, Term integer, unsigned base);

/* Compares two integers (small or bignum): -1, 0 or 1. */
int integer_compare(Term a, Term b);
/* Compares an integer with a finite double exactly (no rounding of either
 * side): -1, 0 or 1. */
int integer_compare_double(Term integer, double d);

#endif
