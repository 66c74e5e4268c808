/*
 * bignum.c — building, printing and comparing integers whose magnitude may
 * exceed a small. Digits are GMP limbs, so GMP's mpn layer works on a
 * bignum's digits in place (read-only: terms are immutable).
 */
#include "bignum.h"

#include <gmp.h>
#include <stdlib.h>

_Static_assert(sizeof(mp_limb_t) == sizeof(UWord), "a bignum digit is one GMP limb");

/* Limbs needed for n bytes. */
static size_t limbs_for_bytes(size_t n) { return (n + 7) / 8; }

/* Normalises the n limbs already written at hp+1 into a term: drops
 * leading zero limbs, returns a small when it fits, else writes the header. */
static Term finish_bignum(Term *hp, size_t n, bool negative)
{
    UWord *limbs = hp + 1;
    while (n > 0 && limbs[n - 1] == 0) n--;
    Term small = small_from_magnitude(limbs, n, negative);
    if (small != THE_NON_VALUE) return small;
    if (n > MAX_BIG_DIGITS) return THE_NON_VALUE;
    hp[0] = make_header(n, negative ? HDR_NEG_BIG : HDR_POS_BIG);
    return make_boxed(hp);
}

Term integer_from_le_bytes(Term *hp, const uint8_t *le, size_t n, bool negative)
{
    size_t nl = limbs_for_bytes(n);
    UWord *limbs = hp + 1;
    for (size_t i = 0; i < nl; i++) limbs[i] = 0;
    for (size_t i = 0; i < n; i++) limbs[i / 8] |= (UWord)le[i] << (8 * (i % 8));
    return finish_bignum(hp, nl, negative);
}

Term integer_from_be_twos(Term *hp, const uint8_t *be, size_t n)
{
    if (n == 0) return make_small(0);
    bool negative = (be[0] & 0x80) != 0;
    size_t nl = limbs_for_bytes(n);
    UWord *limbs = hp + 1;
    /* Sign-extend into whole limbs, then negate to get the magnitude. A
     * most negative value (0x80 00..) negates to itself, which read as
     * unsigned is exactly its magnitude, so nl limbs always suffice. */
    UWord fill = negative ? ~(UWord)0 : 0;
    for (size_t i = 0; i < nl; i++) limbs[i] = fill;
    for (size_t i = 0; i < n; i++) {
        size_t bit = 8 * (i % 8);
        UWord *d = &limbs[i / 8];
        *d = (*d & ~((UWord)0xFF << bit)) | ((UWord)be[n - 1 - i] << bit);
    }
    if (negative) {
        unsigned carry = 1;
        for (size_t i = 0; i < nl; i++) {
            limbs[i] = ~limbs[i] + carry;
            carry = carry && limbs[i] == 0;
        }
    }
    return finish_bignum(hp, nl, negative);
}

int integer_compare(Term a, Term b)
{
    if (term_is_small(a) && term_is_small(b)) {
        SWord x = small_value(a), y = small_value(b);
        return (x > y) - (x < y);
    }
    int_view va, vb;
    view_integer(a, &va);
    view_integer(b, &vb);
    if (va.negative != vb.negative) return va.negative ? -1 : 1;
    int c = compare_magnitudes(&va, &vb);
    return va.negative ? -c : c;
}

int integer_compare_double(Term integer, double d)
{
    int_view v;
    view_integer(integer, &v);
    mpz_t z;
    mpz_roinit_n(z, v.limbs, v.negative ? -(mp_size_t)v.n : (mp_size_t)v.n);
    int c = mpz_cmp_d(z, d); /* exact: GMP compares without rounding */
    return (c > 0) - (c < 0);
}

static const char digit_chars[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

void integer_to_text(strbuf *sb, Term integer, unsigned base)
{
    if (base < 2 || base > 36) base = 10;
    int_view v;
    view_integer(integer, &v);
    if (v.n == 0) {
        sb_putc(sb, '0');
        return;
    }
    if (v.negative) sb_putc(sb, '-');
    /* mpn_get_str clobbers its input, and wants room for one extra digit. */
    mp_limb_t *copy = malloc((v.n + 1) * sizeof *copy);
    mpz_t z;
    mpz_roinit_n(z, v.limbs, (mp_size_t)v.n);
    size_t cap = mpz_sizeinbase(z, (int)base) + 2;
    unsigned char *digits = malloc(cap);
    if (!copy || !digits) abort(); /* strbuf's contract: text building aborts on OOM */
    for (size_t i = 0; i < v.n; i++) copy[i] = v.limbs[i];
    size_t len = mpn_get_str(digits, (int)base, copy, (mp_size_t)v.n);
    size_t skip = 0;
    while (skip + 1 < len && digits[skip] == 0) skip++; /* mpn_get_str may emit a leading zero */
    for (size_t i = skip; i < len; i++) digits[i] = (unsigned char)digit_chars[digits[i]];
    sb_put(sb, (const char *)digits + skip, len - skip);
    free(digits);
    free(copy);
}
