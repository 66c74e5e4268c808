/*
 * erlang_arith.c — the BIFs behind Erlang's operators and number functions
 * (erlang:'+'/2 ... 'not'/1, abs/1, float/1, trunc/1 ...) and the math
 * module's BIFs. The arithmetic itself is in emulator/arith.c; this file
 * adds each BIF's own error rules, which are OTP 25's:
 *  - the operators raise badarith on a non-number;
 *  - abs, float, trunc, round, ceil and floor raise badarg on a non-number,
 *    and float/1 also on an integer too large for a double;
 *  - and, or, xor, not raise badarg on a non-boolean (both arguments are
 *    always checked: these are not the short-circuit andalso/orelse);
 *  - math functions raise badarg on a non-number, badarith when an integer
 *    does not convert to a double or when the result is not finite
 *    (math:sqrt(-1), math:log(0), math:exp(1000)); the first argument is
 *    checked completely before the second.
 */
#include <math.h>
#include <stdlib.h>

#include "arith.h"
#include "atom.h"
#include "bif.h"
#include "term_order.h"

/* --- operators -------------------------------------------------------------- */

Term bif_erlang_plus_2(Process *p, Term *args) { return arith_plus(p, args[0], args[1]); }
Term bif_erlang_minus_2(Process *p, Term *args) { return arith_minus(p, args[0], args[1]); }
Term bif_erlang_times_2(Process *p, Term *args) { return arith_times(p, args[0], args[1]); }
Term bif_erlang_div_2(Process *p, Term *args) { return arith_div(p, args[0], args[1]); }
Term bif_erlang_intdiv_2(Process *p, Term *args) { return arith_intdiv(p, args[0], args[1]); }
Term bif_erlang_rem_2(Process *p, Term *args) { return arith_rem(p, args[0], args[1]); }
Term bif_erlang_band_2(Process *p, Term *args) { return arith_band(p, args[0], args[1]); }
Term bif_erlang_bor_2(Process *p, Term *args) { return arith_bor(p, args[0], args[1]); }
Term bif_erlang_bxor_2(Process *p, Term *args) { return arith_bxor(p, args[0], args[1]); }
Term bif_erlang_bsl_2(Process *p, Term *args) { return arith_bsl(p, args[0], args[1]); }
Term bif_erlang_bsr_2(Process *p, Term *args) { return arith_bsr(p, args[0], args[1]); }
Term bif_erlang_bnot_1(Process *p, Term *args) { return arith_bnot(p, args[0]); }
Term bif_erlang_minus_1(Process *p, Term *args) { return arith_neg(p, args[0]); }

Term bif_erlang_plus_1(Process *p, Term *args)
{
    if (!term_is_number(args[0])) BIF_ERROR(p, EXC_BADARITH);
    return args[0];
}

/* --- number functions ------------------------------------------------------- */

Term bif_erlang_abs_1(Process *p, Term *args)
{
    Term x = args[0];
    if (term_is_small(x)) return arith_make_integer(p, llabs(small_value(x)));
    if (term_is_bignum(x)) return bignum_is_negative(x) ? arith_neg(p, x) : x;
    /* -0.0 < 0.0 is false, so abs(-0.0) is -0.0, as in OTP. */
    if (term_is_float(x)) return float_value(x) < 0.0 ? arith_neg(p, x) : x;
    BIF_ERROR(p, EXC_BADARG);
}

Term bif_erlang_float_1(Process *p, Term *args)
{
    Term x = args[0];
    double d;
    if (term_is_float(x)) return x;
    if (!number_to_double(x, &d)) BIF_ERROR(p, EXC_BADARG);
    return arith_make_float(p, d);
}

/* An integer stays as it is; a float is rounded by `to_integral`. */
static Term float_to_integer(Process *p, Term x, double (*to_integral)(double))
{
    if (term_is_integer(x)) return x;
    if (!term_is_float(x)) BIF_ERROR(p, EXC_BADARG);
    return arith_integer_from_double(p, to_integral(float_value(x)));
}

Term bif_erlang_trunc_1(Process *p, Term *args) { return float_to_integer(p, args[0], trunc); }
/* C's round() rounds halves away from zero, as OTP: round(-2.5) = -3. */
Term bif_erlang_round_1(Process *p, Term *args) { return float_to_integer(p, args[0], round); }
Term bif_erlang_ceil_1(Process *p, Term *args) { return float_to_integer(p, args[0], ceil); }
Term bif_erlang_floor_1(Process *p, Term *args) { return float_to_integer(p, args[0], floor); }

/* --- comparisons ------------------------------------------------------------ */

static Term boolean(bool b) { return b ? am_true : am_false; }

Term bif_erlang_eq_2(Process *p, Term *args) { (void)p; return boolean(term_compare(args[0], args[1]) == 0); }
Term bif_erlang_neq_2(Process *p, Term *args) { (void)p; return boolean(term_compare(args[0], args[1]) != 0); }
Term bif_erlang_exact_eq_2(Process *p, Term *args) { (void)p; return boolean(term_eq_exact(args[0], args[1])); }
Term bif_erlang_exact_neq_2(Process *p, Term *args) { (void)p; return boolean(!term_eq_exact(args[0], args[1])); }
Term bif_erlang_lt_2(Process *p, Term *args) { (void)p; return boolean(term_compare(args[0], args[1]) < 0); }
Term bif_erlang_gt_2(Process *p, Term *args) { (void)p; return boolean(term_compare(args[0], args[1]) > 0); }
Term bif_erlang_le_2(Process *p, Term *args) { (void)p; return boolean(term_compare(args[0], args[1]) <= 0); }
Term bif_erlang_ge_2(Process *p, Term *args) { (void)p; return boolean(term_compare(args[0], args[1]) >= 0); }

/* --- boolean operators ------------------------------------------------------ */

static bool is_boolean(Term t) { return t == am_true || t == am_false; }

Term bif_erlang_and_2(Process *p, Term *args)
{
    if (!is_boolean(args[0]) || !is_boolean(args[1])) BIF_ERROR(p, EXC_BADARG);
    return boolean(args[0] == am_true && args[1] == am_true);
}

Term bif_erlang_or_2(Process *p, Term *args)
{
    if (!is_boolean(args[0]) || !is_boolean(args[1])) BIF_ERROR(p, EXC_BADARG);
    return boolean(args[0] == am_true || args[1] == am_true);
}

Term bif_erlang_xor_2(Process *p, Term *args)
{
    if (!is_boolean(args[0]) || !is_boolean(args[1])) BIF_ERROR(p, EXC_BADARG);
    return boolean(args[0] != args[1]);
}

Term bif_erlang_not_1(Process *p, Term *args)
{
    if (!is_boolean(args[0])) BIF_ERROR(p, EXC_BADARG);
    return boolean(args[0] == am_false);
}

/* --- math ------------------------------------------------------------------- */

/* A math argument as a double: badarg for a non-number, badarith for an
 * integer beyond the double range. */
static bool math_arg(Process *p, Term t, double *out)
{
    if (!term_is_number(t)) {
        raise_error(p, EXC_BADARG, NIL);
        return false;
    }
    if (!number_to_double(t, out)) {
        raise_error(p, EXC_BADARITH, NIL);
        return false;
    }
    return true;
}

static Term math_1(Process *p, Term x, double (*fn)(double))
{
    double d;
    if (!math_arg(p, x, &d)) return THE_NON_VALUE;
    return arith_make_float(p, fn(d));
}

static Term math_2(Process *p, Term x, Term y, double (*fn)(double, double))
{
    double a, b;
    if (!math_arg(p, x, &a) || !math_arg(p, y, &b)) return THE_NON_VALUE;
    return arith_make_float(p, fn(a, b));
}

#define MATH_1(name) \
    Term bif_math_##name##_1(Process *p, Term *args) { return math_1(p, args[0], name); }
#define MATH_2(name) \
    Term bif_math_##name##_2(Process *p, Term *args) { return math_2(p, args[0], args[1], name); }

MATH_1(sqrt)
MATH_1(sin)
MATH_1(cos)
MATH_1(tan)
MATH_1(asin)
MATH_1(acos)
MATH_1(atan)
MATH_2(atan2)
MATH_1(sinh)
MATH_1(cosh)
MATH_1(tanh)
MATH_1(asinh)
MATH_1(acosh)
MATH_1(atanh)
MATH_1(exp)
MATH_1(log)
MATH_1(log2)
MATH_1(log10)
MATH_2(pow)
MATH_1(erf)
MATH_1(erfc)
MATH_1(ceil)
MATH_1(floor)
MATH_2(fmod)
