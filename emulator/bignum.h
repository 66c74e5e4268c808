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

#include "strbuf.h"
#include "term_sink.h"

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
