/*
 * float_text.h — floats as text, the way erlang:float_to_list/2 writes them
 * and erlang:list_to_float/1 reads them (OTP 25, byte for byte).
 *
 * Every formatter writes into a caller buffer of FLOAT_TEXT_MAX bytes, the
 * size OTP formats into: a result that would not fit (a huge float with
 * many decimals) is refused with -1, which the BIFs turn into badarg as OTP
 * does. Pure functions: no allocation, no global state.
 */
#ifndef CB_FLOAT_TEXT_H
#define CB_FLOAT_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* OTP's buffer (erts float_to_list: char fbuf[256]), NUL included. */
#define FLOAT_TEXT_MAX 256
#define FLOAT_DECIMALS_MAX 253     /* {decimals, N} */
#define FLOAT_SCIENTIFIC_MAX 249   /* {scientific, N} */
#define FLOAT_DEFAULT_DIGITS 20    /* float_to_list/1: {scientific, 20} */

/* {decimals, N} (with `compact`: trailing zeros dropped, one kept after
 * the point). Returns the length written to buf, or -1 if it does not fit. */
int float_text_fixed(char buf[FLOAT_TEXT_MAX], double d, int decimals, bool compact);
/* {scientific, N}: "%.Ne" ("1.50e+00"); a negative N means 6, as in C
 * (and in OTP, which passes N straight to printf). Returns the length, or
 * -1 if it does not fit. */
int float_text_scientific(char buf[FLOAT_TEXT_MAX], double d, int decimals);
/* short: the shortest text that reads back as d (term_print's form). */
int float_text_short(char buf[FLOAT_TEXT_MAX], double d);

/* Parses NUL-terminated text with list_to_float's grammar: an optional
 * sign, digits, '.' (or ','), digits, then optionally e/E, a sign and
 * digits, and nothing else. false on bad syntax or a finite overflow;
 * tiny values round (to 0.0 if need be) as OTP's strtod does. */
bool float_text_parse(const char *text, double *out);

#endif
