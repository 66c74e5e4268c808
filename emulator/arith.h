/*
 * arith.h — Erlang arithmetic on any numbers: the out-of-line half of the
 * operators. The interpreter adds and subtracts two smalls itself; every
 * other case (bignums, floats, overflow, bad arguments) comes here, and so
 * do the operator BIFs in bifs/erlang_arith.c.
 *
 * Semantics are OTP 25's:
 *  - integers have unbounded size up to MAX_BIG_DIGITS 64-bit digits; a
 *    result that would need more raises system_limit;
 *  - an integer mixed with a float is converted to a double (OTP's
 *    digit-by-digit conversion, see number_to_double) and the operation
 *    is done in floats; a float result that is not finite raises badarith;
 *  - '/' always divides in floats; div truncates toward zero and rem has
 *    the sign of the dividend; bsr is arithmetic (floor); band, bor, bxor
 *    and bnot act on infinite-precision two's complement;
 *  - a non-number argument raises badarith.
 *
 * Every arith_ operation returns the result, or THE_NON_VALUE with
 * p->freason set (EXC_BADARITH or EXC_SYSTEM_LIMIT). Results live on p's
 * heap (HAlloc: never collects). Arguments are read before anything is
 * allocated, so they may be x registers.
 */
#ifndef CB_ARITH_H
#define CB_ARITH_H

#include "process.h"

Term arith_plus(Process *p, Term a, Term b);
Term arith_minus(Process *p, Term a, Term b);
Term arith_times(Process *p, Term a, Term b);
Term arith_div(Process *p, Term a, Term b);    /* '/': always a float */
Term arith_intdiv(Process *p, Term a, Term b); /* div */
Term arith_rem(Process *p, Term a, Term b);
Term arith_band(Process *p, Term a, Term b);
Term arith_bor(Process *p, Term a, Term b);
Term arith_bxor(Process *p, Term a, Term b);
Term arith_bsl(Process *p, Term a, Term b);
Term arith_bsr(Process *p, Term a, Term b);
Term arith_bnot(Process *p, Term a);
Term arith_neg(Process *p, Term a);            /* unary - */

/* Compares two numbers by value, exactly (a bignum against a float without
 * rounding either): -1, 0 or 1. Both must be numbers. */
int arith_compare(Term a, Term b);

/* The number as a double, converted as OTP does (a bignum digit by digit,
 * most significant first, each step rounded). False if t is not a number
 * or the conversion overflows. */
bool number_to_double(Term t, double *out);

/* Boxes d as a float term; badarith if d is not finite. */
Term arith_make_float(Process *p, double d);
/* Any SWord / UWord as an integer term (a small or a one-digit bignum). */
Term arith_make_integer(Process *p, SWord v);
Term arith_make_uinteger(Process *p, UWord v);
/* The integer whose value is d, which must be finite and integral (the
 * result of trunc(), round(), ceil() or floor() on a finite double). */
Term arith_integer_from_double(Process *p, double d);

#endif
