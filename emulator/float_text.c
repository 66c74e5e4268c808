/*
 * float_text.c — float_to_list/2 formatting and list_to_float/1 parsing,
 * following OTP 25's erts code paths so that the quirks match too:
 *  - {decimals, N} below 2^53 and N < 19 uses OTP's own rounding (split
 *    into whole and fractional parts, round() the fraction scaled by 10^N),
 *    which is not always correct rounding of the exact binary value:
 *    float_to_list(0.15, [{decimals,1}]) is "0.2" although 0.15 is really
 *    0.1499...; everything else is C's "%.*f", which is exact.
 *  - compact on the "%.*f" path strips trailing zeros even with 0 decimals
 *    (OTP: float_to_list(1.0e20, [{decimals,0},compact]) is "1").
 */
#include "float_text.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "term_print.h"

/* Powers of ten OTP's fast path multiplies by; N >= 19 goes to printf. */
static const double pow10_table[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
    1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
};
#define FAST_DECIMALS_LIMIT ((int)(sizeof pow10_table / sizeof pow10_table[0]))
#define FAST_MAGNITUDE_LIMIT 9007199254740992.0 /* 2^53: whole part fits exactly */

/* Drops trailing zeros before end, keeping one right after a '.'. Returns
 * the new end. (OTP's find_first_trailing_zero.) */
static char *drop_trailing_zeros(char *start, char *end)
{
    while (end > start && end[-1] == '0') end--;
    if (end > start && end[-1] == '.') end++;
    return end;
}

/* Writes v's decimal digits backwards ending just before *pos. */
static void put_digits_backwards(char **pos, uint64_t v, int min_digits)
{
    do {
        *--*pos = (char)('0' + v % 10);
        v /= 10;
        min_digits--;
    } while (v != 0 || min_digits > 0);
}

static int fixed_via_printf(char *buf, double d, int decimals, bool compact)
{
    int len = snprintf(buf, FLOAT_TEXT_MAX, "%.*f", decimals, d);
    if (len < 0 || len >= FLOAT_TEXT_MAX) return -1;
    char *end = buf + len;
    if (compact) end = drop_trailing_zeros(buf, end);
    *end = '\0';
    return (int)(end - buf);
}

int float_text_fixed(char buf[FLOAT_TEXT_MAX], double d, int decimals, bool compact)
{
    if (decimals < 0 || !isfinite(d)) return -1;
    double magnitude = fabs(d);
    if (magnitude > FAST_MAGNITUDE_LIMIT || decimals >= FAST_DECIMALS_LIMIT)
        return fixed_via_printf(buf, d, decimals, compact);

    uint64_t whole, fraction = 0;
    if (decimals > 0) {
        double whole_f = floor(magnitude);
        double fraction_f = round((magnitude - whole_f) * pow10_table[decimals]);
        whole = (uint64_t)whole_f;
        fraction = (uint64_t)fraction_f;
        if (fraction_f >= pow10_table[decimals]) { whole++; fraction = 0; } /* carry */
    } else {
        whole = (uint64_t)llround(magnitude);
    }

    /* Built right to left in a scratch area, then moved to buf. */
    char tmp[64];
    char *pos = tmp + sizeof tmp;
    if (decimals > 0) {
        put_digits_backwards(&pos, fraction, decimals);
        *--pos = '.';
    }
    put_digits_backwards(&pos, whole, 1);
    if (signbit(d)) *--pos = '-'; /* -0.0 prints as "-0.00", as OTP 25 */
    size_t len = (size_t)(tmp + sizeof tmp - pos);
    memcpy(buf, pos, len);
    char *end = buf + len;
    if (compact && decimals > 0) end = drop_trailing_zeros(buf, end);
    *end = '\0';
    return (int)(end - buf);
}

int float_text_scientific(char buf[FLOAT_TEXT_MAX], double d, int decimals)
{
    if (!isfinite(d)) return -1;
    int len = snprintf(buf, FLOAT_TEXT_MAX, "%.*e", decimals, d);
    return len < 0 || len >= FLOAT_TEXT_MAX ? -1 : len;
}

int float_text_short(char buf[FLOAT_TEXT_MAX], double d)
{
    if (!isfinite(d)) return -1;
    strbuf sb = STRBUF_INIT;
    float_print_short(&sb, d); /* the one shortest-digits implementation */
    int len = sb.len < FLOAT_TEXT_MAX ? (int)sb.len : -1;
    if (len >= 0) memcpy(buf, sb_str(&sb), sb.len + 1);
    sb_free(&sb);
    return len;
}

/* --- parsing ------------------------------------------------------------- */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static const char *skip_digits(const char *s)
{
    while (is_digit(*s)) s++;
    return s;
}

/* OTP's sys_chars_to_double grammar: [+-] digits [.,] digits
 * [[eE] [+-] digits]. Returns the position of the radix character, or NULL
 * when the text does not match. */
static const char *check_float_syntax(const char *s)
{
    if (*s == '+' || *s == '-') s++;
    if (!is_digit(*s)) return NULL;
    s = skip_digits(s);
    if (*s != '.' && *s != ',') return NULL;
    const char *radix = s++;
    if (!is_digit(*s)) return NULL;
    s = skip_digits(s);
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-') s++;
        if (!is_digit(*s)) return NULL;
        s = skip_digits(s);
    }
    return *s == '\0' ? radix : NULL;
}

bool float_text_parse(const char *text, double *out)
{
    const char *radix = check_float_syntax(text);
    if (radix == NULL) return false;
    /* OTP retries strtod with the other radix character, so ',' works as
     * '.'; strtod in the C locale only knows '.'. */
    char *copy = strdup(text);
    if (copy == NULL) abort();
    copy[radix - text] = '.';
    errno = 0;
    char *end;
    double v = strtod(copy, &end);
    bool whole = *end == '\0';
    int err = errno;
    free(copy);
    if (!whole) return false;
    /* Overflow is an error; underflow (denormals, 0.0) is accepted. */
    if (err == ERANGE && fabs(v) > 1.0e-307) return false;
    *out = v;
    return true;
}
