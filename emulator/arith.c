/*
 * arith.c — integer and float arithmetic beyond the interpreter's inline
 * small-integer paths (see arith.h for the semantics).
 *
 * Integers are handled through an int_view (sign + magnitude limbs), which
 * lets smalls and bignums share one code path. A bignum result is computed
 * straight into its final place: the caller allocates an upper bound of
 * words on the heap, GMP's mpn layer writes the magnitude there, and
 * finish_integer() trims it, turns it into a small if it fits, and gives
 * the unused words back (heap_release). Scratch limbs, when an operation
 * needs them, are allocated after the result so they are given back too.
 */
#include "arith.h"

#include <gmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bignum.h"
#include "exception.h"

_Static_assert(sizeof(mp_limb_t) == sizeof(UWord), "a bignum digit is one GMP limb");

#define LIMB_BITS 64

/* --- allocation and results -------------------------------------------- */

/* HAlloc for arithmetic results. Sizes are bounded by MAX_BIG_DIGITS before
 * we get here, so failure means the machine is out of memory, which OTP
 * also treats as fatal. */
static Term *alloc_words(Process *p, size_t words)
{
    Term *hp = HAlloc(p, words);
    if (!hp) {
        fputs("cbeam: out of memory in integer arithmetic\n", stderr);
        abort();
    }
    return hp;
}

static Term badarith(Process *p) { return raise_error(p, EXC_BADARITH, NIL); }
static Term system_limit(Process *p) { return raise_error(p, EXC_SYSTEM_LIMIT, NIL); }

/* hp is an allocation of `allocated` words whose hp[1..1+n) hold a
 * magnitude. Makes it a normalised integer term and releases whatever it
 * does not use. */
static Term finish_integer(Process *p, Term *hp, size_t allocated, size_t n, bool negative)
{
    UWord *limbs = hp + 1;
    while (n > 0 && limbs[n - 1] == 0) n--;
    Term small = small_from_magnitude(limbs, n, negative);
    if (small != THE_NON_VALUE) {
        heap_release(p, hp, allocated);
        return small;
    }
    if (n > MAX_BIG_DIGITS) {
        heap_release(p, hp, allocated);
        return system_limit(p);
    }
    hp[0] = make_header(n, negative ? HDR_NEG_BIG : HDR_POS_BIG);
    if (allocated > 1 + n) heap_release(p, hp + 1 + n, allocated - 1 - n);
    return make_boxed(hp);
}

Term arith_make_uinteger(Process *p, UWord v)
{
    if (v <= (UWord)MAX_SMALL) return make_small((SWord)v);
    Term *hp = alloc_words(p, 2);
    hp[0] = make_header(1, HDR_POS_BIG);
    hp[1] = v;
    return make_boxed(hp);
}

Term arith_make_integer(Process *p, SWord v)
{
    if (small_fits(v)) return make_small(v);
    Term *hp = alloc_words(p, 2);
    hp[0] = make_header(1, v < 0 ? HDR_NEG_BIG : HDR_POS_BIG);
    hp[1] = v < 0 ? (UWord)0 - (UWord)v : (UWord)v;
    return make_boxed(hp);
}

Term arith_make_float(Process *p, double d)
{
    if (!isfinite(d)) return badarith(p);
    return make_float(alloc_words(p, FLOAT_WORDS), d);
}

Term arith_integer_from_double(Process *p, double d)
{
    /* 2^62 is exact as a double, and any double below it in magnitude is
     * an integer that fits an SWord. */
    if (fabs(d) < 0x1p62) return arith_make_integer(p, (SWord)d);
    int exp;
    double mantissa = frexp(fabs(d), &exp);      /* |d| = mantissa * 2^exp */
    UWord top = (UWord)ldexp(mantissa, 53);      /* the 53 significant bits */
    unsigned shift = (unsigned)exp - 53;         /* exp > 62 here */
    size_t n = shift / LIMB_BITS + 2;
    Term *hp = alloc_words(p, 1 + n);
    UWord *limbs = hp + 1;
    for (size_t i = 0; i < n; i++) limbs[i] = 0;
    unsigned bit = shift % LIMB_BITS;
    limbs[shift / LIMB_BITS] = top << bit;
    if (bit) limbs[shift / LIMB_BITS + 1] = top >> (LIMB_BITS - bit);
    return finish_integer(p, hp, 1 + n, n, d < 0);
}

/* --- integer views -------------------------------------------------------- */

static bool integer_is_negative(Term t)
{
    return term_is_small(t) ? small_value(t) < 0 : bignum_is_negative(t);
}

static void copy_limbs(UWord *to, const UWord *from, size_t n)
{
    for (size_t i = 0; i < n; i++) to[i] = from[i];
}

/* --- conversion to double ------------------------------------------------- */

/* OTP's big_to_double: Horner's rule from the most significant digit, each
 * step rounded. This is not always the correctly rounded value (2^64 +
 * 2^63 + 2049 gives 2^64 + 2^63), and float/1, mixed arithmetic and the
 * math module all observe that, so we repeat it exactly. */
static bool bignum_to_double(Term big, double *out)
{
    const UWord *digits = bignum_digits(big);
    size_t n = bignum_digit_count(big);
    double d = 0.0;
    while (n-- > 0) d = d * 0x1p64 + (double)digits[n];
    if (!isfinite(d)) return false;
    *out = bignum_is_negative(big) ? -d : d;
    return true;
}

bool number_to_double(Term t, double *out)
{
    if (term_is_small(t)) {
        *out = (double)small_value(t);
        return true;
    }
    if (term_is_float(t)) {
        *out = float_value(t);
        return true;
    }
    if (term_is_bignum(t)) return bignum_to_double(t, out);
    return false;
}

/* --- comparison ----------------------------------------------------------- */

/* Smalls within +-2^53 convert to double exactly. */
static bool small_is_exact_double(SWord v) { return v >= -((SWord)1 << 53) && v <= (SWord)1 << 53; }

static int compare_doubles(double x, double y) { return (x > y) - (x < y); }

static int compare_integer_float(Term i, double d)
{
    if (term_is_small(i) && small_is_exact_double(small_value(i)))
        return compare_doubles((double)small_value(i), d);
    return integer_compare_double(i, d);
}

int arith_compare(Term a, Term b)
{
    if (term_is_small(a) && term_is_small(b)) {
        SWord x = small_value(a), y = small_value(b);
        return (x > y) - (x < y);
    }
    bool af = term_is_float(a), bf = term_is_float(b);
    if (af && bf) return compare_doubles(float_value(a), float_value(b));
    if (af) return -compare_integer_float(b, float_value(a));
    if (bf) return compare_integer_float(a, float_value(b));
    return integer_compare(a, b);
}

/* --- floats --------------------------------------------------------------- */

/* a op b in doubles, for when either is a float (or both are numbers and
 * op is '/'). Conversion overflow and a non-finite result are badarith. */
static Term float_arith(Process *p, Term a, Term b, char op)
{
    double x, y, r;
    if (!number_to_double(a, &x) || !number_to_double(b, &y)) return badarith(p);
    switch (op) {
    case '+': r = x + y; break;
    case '-': r = x - y; break;
    case '*': r = x * y; break;
    default:
        if (y == 0.0) return badarith(p);
        r = x / y;
        break;
    }
    return arith_make_float(p, r);
}

/* Callers test for two integers first, so two numbers here means at least
 * one float: the operation is done in floats. */
static bool both_numbers(Term a, Term b) { return term_is_number(a) && term_is_number(b); }

/* --- plus, minus, times ------------------------------------------------- */

/* a + b, or a - b when `subtract`, for integers (not both small). */
static Term add_integers(Process *p, Term a, Term b, bool subtract)
{
    int_view x, y;
    view_integer(a, &x);
    view_integer(b, &y);
    if (subtract) y.negative = !y.negative;
    /* mpn_add and mpn_sub want the larger magnitude first; the result has
     * its sign (when the signs differ, it is the one that wins). */
    int_view *big = &x, *little = &y;
    if (compare_magnitudes(&x, &y) < 0) big = &y, little = &x;
    size_t n = big->n + 1;
    Term *hp = alloc_words(p, 1 + n);
    UWord *r = hp + 1;
    r[big->n] = 0;
    if (little->n == 0) copy_limbs(r, big->limbs, big->n);
    else if (big->negative == little->negative)
        r[big->n] = mpn_add(r, big->limbs, (mp_size_t)big->n, little->limbs, (mp_size_t)little->n);
    else mpn_sub(r, big->limbs, (mp_size_t)big->n, little->limbs, (mp_size_t)little->n);
    return finish_integer(p, hp, 1 + n, n, big->negative);
}

Term arith_plus(Process *p, Term a, Term b)
{
    if (term_is_small(a) && term_is_small(b))
        return arith_make_integer(p, small_value(a) + small_value(b)); /* 61 bits at most */
    if (term_is_integer(a) && term_is_integer(b)) return add_integers(p, a, b, false);
    if (both_numbers(a, b)) return float_arith(p, a, b, '+');
    return badarith(p);
}

Term arith_minus(Process *p, Term a, Term b)
{
    if (term_is_small(a) && term_is_small(b))
        return arith_make_integer(p, small_value(a) - small_value(b));
    if (term_is_integer(a) && term_is_integer(b)) return add_integers(p, a, b, true);
    if (both_numbers(a, b)) return float_arith(p, a, b, '-');
    return badarith(p);
}

static Term multiply_integers(Process *p, Term a, Term b)
{
    int_view x, y;
    view_integer(a, &x);
    view_integer(b, &y);
    if (x.n == 0 || y.n == 0) return make_small(0);
    int_view *big = x.n >= y.n ? &x : &y, *little = x.n >= y.n ? &y : &x;
    /* The product has at least n1 + n2 - 1 limbs: refuse before allocating. */
    if (big->n + little->n - 1 > MAX_BIG_DIGITS) return system_limit(p);
    size_t n = big->n + little->n;
    Term *hp = alloc_words(p, 1 + n);
    mpn_mul(hp + 1, big->limbs, (mp_size_t)big->n, little->limbs, (mp_size_t)little->n);
    return finish_integer(p, hp, 1 + n, n, x.negative != y.negative);
}

Term arith_times(Process *p, Term a, Term b)
{
    if (term_is_small(a) && term_is_small(b)) {
        SWord r;
        if (!__builtin_mul_overflow(small_value(a), small_value(b), &r)) return arith_make_integer(p, r);
        return multiply_integers(p, a, b);
    }
    if (term_is_integer(a) && term_is_integer(b)) return multiply_integers(p, a, b);
    if (both_numbers(a, b)) return float_arith(p, a, b, '*');
    return badarith(p);
}

Term arith_div(Process *p, Term a, Term b)
{
    if (!both_numbers(a, b)) return badarith(p);
    return float_arith(p, a, b, '/');
}

/* --- div and rem ------------------------------------------------------------ */

/* Truncating division of integers (divisor not zero): the quotient, or the
 * remainder when `want_remainder`. The wanted part is placed right after
 * the header so that finish_integer can release the other. */
static Term divide_integers(Process *p, Term a, Term b, bool want_remainder)
{
    int_view x, y;
    view_integer(a, &x);
    view_integer(b, &y);
    if (compare_magnitudes(&x, &y) < 0) return want_remainder ? a : make_small(0);
    size_t qn = x.n - y.n + 1, rn = y.n;
    Term *hp = alloc_words(p, 1 + qn + rn);
    UWord *q = want_remainder ? hp + 1 + rn : hp + 1;
    UWord *r = want_remainder ? hp + 1 : hp + 1 + qn;
    mpn_tdiv_qr(q, r, 0, x.limbs, (mp_size_t)x.n, y.limbs, (mp_size_t)y.n);
    if (want_remainder) return finish_integer(p, hp, 1 + qn + rn, rn, x.negative);
    return finish_integer(p, hp, 1 + qn + rn, qn, x.negative != y.negative);
}

Term arith_intdiv(Process *p, Term a, Term b)
{
    if (term_is_small(a) && term_is_small(b)) {
        if (b == make_small(0)) return badarith(p);
        /* MIN_SMALL div -1 = 2^59 is the one quotient that is not a small. */
        return arith_make_integer(p, small_value(a) / small_value(b));
    }
    if (!term_is_integer(a) || !term_is_integer(b) || b == make_small(0)) return badarith(p);
    return divide_integers(p, a, b, false);
}

Term arith_rem(Process *p, Term a, Term b)
{
    if (term_is_small(a) && term_is_small(b)) {
        if (b == make_small(0)) return badarith(p);
        return make_small(small_value(a) % small_value(b));
    }
    if (!term_is_integer(a) || !term_is_integer(b) || b == make_small(0)) return badarith(p);
    return divide_integers(p, a, b, true);
}

/* --- band, bor, bxor, bnot -------------------------------------------------- */

typedef enum bit_op { BIT_AND, BIT_OR, BIT_XOR } bit_op;

static UWord apply_bit_op(bit_op op, UWord x, UWord y)
{
    switch (op) {
    case BIT_AND: return x & y;
    case BIT_OR: return x | y;
    default: return x ^ y;
    }
}

/* Digit i of v in infinite two's complement. A negative v is ~(|v| - 1)
 * extended with ones; `decremented` holds |v| - 1 (v->n limbs). */
static UWord twos_digit(const int_view *v, const UWord *decremented, size_t i)
{
    if (!v->negative) return i < v->n ? v->limbs[i] : 0;
    return i < v->n ? ~decremented[i] : ~(UWord)0;
}

/* |v| - 1 into scratch, for a negative v; scratch unused otherwise. */
static const UWord *decrement_if_negative(const int_view *v, UWord *scratch)
{
    if (!v->negative) return NULL;
    mpn_sub_1(scratch, v->limbs, (mp_size_t)v->n, 1);
    return scratch;
}

static Term bitwise_integers(Process *p, Term a, Term b, bit_op op)
{
    int_view x, y;
    view_integer(a, &x);
    view_integer(b, &y);
    size_t n = x.n > y.n ? x.n : y.n;
    /* Result (n limbs + a carry limb), then scratch for |x|-1 and |y|-1. */
    size_t words = 1 + (n + 1) + x.n + y.n;
    Term *hp = alloc_words(p, words);
    UWord *r = hp + 1;
    const UWord *xd = decrement_if_negative(&x, r + n + 1);
    const UWord *yd = decrement_if_negative(&y, r + n + 1 + x.n);
    for (size_t i = 0; i < n; i++) r[i] = apply_bit_op(op, twos_digit(&x, xd, i), twos_digit(&y, yd, i));
    bool negative = apply_bit_op(op, x.negative, y.negative) & 1;
    r[n] = 0;
    if (negative) {
        /* r is ~(|result| - 1): recover the magnitude. */
        for (size_t i = 0; i < n; i++) r[i] = ~r[i];
        r[n] = mpn_add_1(r, r, (mp_size_t)n, 1);
    }
    return finish_integer(p, hp, words, n + 1, negative);
}

static Term bitwise(Process *p, Term a, Term b, bit_op op)
{
    if (term_is_small(a) && term_is_small(b))
        return make_small((SWord)apply_bit_op(op, (UWord)small_value(a), (UWord)small_value(b)));
    if (!term_is_integer(a) || !term_is_integer(b)) return badarith(p);
    return bitwise_integers(p, a, b, op);
}

Term arith_band(Process *p, Term a, Term b) { return bitwise(p, a, b, BIT_AND); }
Term arith_bor(Process *p, Term a, Term b) { return bitwise(p, a, b, BIT_OR); }
Term arith_bxor(Process *p, Term a, Term b) { return bitwise(p, a, b, BIT_XOR); }

/* bnot x = -x - 1: |x| + 1 negated for x >= 0, |x| - 1 for x < 0. */
Term arith_bnot(Process *p, Term a)
{
    if (term_is_small(a)) return make_small(~small_value(a));
    if (!term_is_bignum(a)) return badarith(p);
    int_view x;
    view_integer(a, &x);
    size_t n = x.n + 1;
    Term *hp = alloc_words(p, 1 + n);
    UWord *r = hp + 1;
    if (x.negative) {
        r[x.n] = 0;
        mpn_sub_1(r, x.limbs, (mp_size_t)x.n, 1);
    } else {
        r[x.n] = mpn_add_1(r, x.limbs, (mp_size_t)x.n, 1);
    }
    return finish_integer(p, hp, 1 + n, n, !x.negative);
}

/* --- negation -------------------------------------------------------------- */

Term arith_neg(Process *p, Term a)
{
    if (term_is_small(a)) return arith_make_integer(p, -small_value(a));
    if (term_is_float(a)) return make_float(alloc_words(p, FLOAT_WORDS), -float_value(a));
    if (!term_is_bignum(a)) return badarith(p);
    /* Copy with the other sign; 2^59 becomes MIN_SMALL, so normalise. */
    size_t n = bignum_digit_count(a);
    Term *hp = alloc_words(p, 1 + n);
    copy_limbs(hp + 1, bignum_digits(a), n);
    return finish_integer(p, hp, 1 + n, n, !bignum_is_negative(a));
}

/* --- shifts ---------------------------------------------------------------- */

static size_t bit_length(const int_view *v)
{
    if (v->n == 0) return 0;
    return LIMB_BITS * (v->n - 1) + (size_t)(LIMB_BITS - __builtin_clzll(v->limbs[v->n - 1]));
}

/* a * 2^count for an integer a != 0 and 0 < count <= 2^59. */
static Term shift_left(Process *p, Term a, UWord count)
{
    int_view x;
    view_integer(a, &x);
    UWord bits = bit_length(&x) + count;
    if ((bits + LIMB_BITS - 1) / LIMB_BITS > MAX_BIG_DIGITS) return system_limit(p);
    size_t skip = count / LIMB_BITS;
    unsigned bit = count % LIMB_BITS;
    size_t n = skip + x.n + 1;
    Term *hp = alloc_words(p, 1 + n);
    UWord *r = hp + 1;
    for (size_t i = 0; i < skip; i++) r[i] = 0;
    if (bit) {
        r[n - 1] = mpn_lshift(r + skip, x.limbs, (mp_size_t)x.n, bit);
    } else {
        copy_limbs(r + skip, x.limbs, x.n);
        r[n - 1] = 0;
    }
    return finish_integer(p, hp, 1 + n, n, x.negative);
}

/* floor(a / 2^count) for an integer a != 0 and count > 0. A negative a
 * rounds toward minus infinity: -ceil(|a| / 2^count). */
static Term shift_right(Process *p, Term a, UWord count)
{
    int_view x;
    view_integer(a, &x);
    size_t skip = count / LIMB_BITS;
    if (skip >= x.n) return make_small(x.negative ? -1 : 0);
    unsigned bit = count % LIMB_BITS;
    size_t n = x.n - skip + 1;
    Term *hp = alloc_words(p, 1 + n);
    UWord *r = hp + 1;
    bool lost_bits = false;
    for (size_t i = 0; i < skip && !lost_bits; i++) lost_bits = x.limbs[i] != 0;
    if (bit) lost_bits |= mpn_rshift(r, x.limbs + skip, (mp_size_t)(n - 1), bit) != 0;
    else copy_limbs(r, x.limbs + skip, n - 1);
    r[n - 1] = 0;
    if (x.negative && lost_bits) r[n - 1] = mpn_add_1(r, r, (mp_size_t)(n - 1), 1);
    return finish_integer(p, hp, 1 + n, n, x.negative);
}

/* a bsl count (a bsr count is a bsl -count). OTP's rules for a count that
 * is a bignum: shifting right that far leaves 0 or -1; shifting a non-zero
 * integer left that far is a system_limit. */
static Term shift(Process *p, Term a, Term count, bool right)
{
    if (!term_is_integer(a) || !term_is_integer(count)) return badarith(p);
    if (term_is_bignum(count)) {
        bool leftwards = bignum_is_negative(count) == right;
        if (!leftwards) return make_small(integer_is_negative(a) ? -1 : 0);
        return a == make_small(0) ? a : system_limit(p);
    }
    SWord n = right ? -small_value(count) : small_value(count);
    if (n == 0 || a == make_small(0)) return a;
    if (term_is_small(a)) {
        SWord v = small_value(a);
        if (n < 0) return make_small(n <= -(LIMB_BITS - 1) ? (v < 0 ? -1 : 0) : v >> -n);
        if (n < LIMB_BITS - 1) {
            __int128 wide = (__int128)v * ((__int128)1 << n); /* |v| < 2^59: no overflow */
            if (wide >= MIN_SMALL && wide <= MAX_SMALL) return make_small((SWord)wide);
        }
    }
    return n > 0 ? shift_left(p, a, (UWord)n) : shift_right(p, a, (UWord)-n);
}

Term arith_bsl(Process *p, Term a, Term b) { return shift(p, a, b, false); }
Term arith_bsr(Process *p, Term a, Term b) { return shift(p, a, b, true); }
