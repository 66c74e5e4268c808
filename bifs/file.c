/*
 * file.c — the BIFs of prim_file (file name encoding) and the
 * calendar BIFs of erlang that prim_file's time conversions call.
 *
 * File names are UTF-8 (OTP's default +fnu mode on Linux): a name goes to
 * the NIFs (nifs/prim_file.c) as its UTF-8 bytes and one NUL; a native
 * name that is not valid UTF-8 comes back as {error, warning}, as OTP's
 * "warning" mode for undecodable names does.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arith.h"
#include "atom.h"
#include "bif.h"
#include "bits.h"
#include "term_build.h"
#include "utf8.h"

/* --- file names ---------------------------------------------------------- */

typedef struct { char *b; size_t len, cap; } bytebuf;

static bool bb_put(bytebuf *bb, const void *src, size_t n)
{
    if (bb->len + n > bb->cap) {
        size_t cap = bb->cap ? bb->cap * 2 : 256;
        while (cap < bb->len + n) cap *= 2;
        char *nb = realloc(bb->b, cap);
        if (!nb) return false;
        bb->b = nb;
        bb->cap = cap;
    }
    memcpy(bb->b + bb->len, src, n);
    bb->len += n;
    return true;
}

/* A (possibly deep) list of characters 1..0x10FFFF as UTF-8. */
static bool chars_utf8(Term t, bytebuf *bb, int depth)
{
    if (depth > 1000) return false;
    for (; term_is_list(t); t = list_tail(t)) {
        Term c = list_head(t);
        if (term_is_list(c) || term_is_nil(c)) {
            if (!chars_utf8(c, bb, depth + 1)) return false;
            continue;
        }
        if (!term_is_small(c) || small_value(c) <= 0 || small_value(c) > 0x10FFFF) return false;
        SWord v = small_value(c);
        if (v >= 0xD800 && v <= 0xDFFF) return false;
        char u[4];
        if (!bb_put(bb, u, utf8_encode((uint32_t)v, u))) return false;
    }
    return term_is_nil(t);
}

Term bif_prim_file_internal_name2native_1(Process *p, Term *args)
{
    bytebuf bb = { 0 };
    const uint8_t *bytes;
    size_t n;
    bool ok;
    if (term_is_binary_like(args[0])) ok = binary_bytes(args[0], &bytes, &n) && !memchr(bytes, 0, n) && bb_put(&bb, bytes, n);
    else ok = chars_utf8(args[0], &bb, 0) && !memchr(bb.b ? bb.b : "", 0, bb.len);
    if (ok) ok = bb_put(&bb, "", 1);
    if (!ok) { free(bb.b); BIF_ERROR(p, EXC_BADARG); }
    Term bin = bits_new_binary(p, (const uint8_t *)bb.b, 0, 8 * (UWord)bb.len);
    free(bb.b);
    return bin;
}

/* The characters of UTF-8 bytes as a list; THE_NON_VALUE if invalid. */
static Term utf8_to_list(Process *p, const uint8_t *b, size_t n)
{
    size_t chars;
    if (!utf8_count((const char *)b, n, &chars)) return THE_NON_VALUE;
    uint32_t *cps = malloc((chars ? chars : 1) * sizeof *cps);
    if (!cps) abort();
    for (size_t i = 0, k = 0; i < n; k++) i += utf8_decode((const char *)b + i, n - i, &cps[k]);
    Term *hp = bif_alloc(p, 2 * chars), list = NIL;
    for (size_t k = chars; k-- > 0; hp += 2) list = cons(hp, make_small(cps[k]), list);
    free(cps);
    return list;
}

Term bif_prim_file_internal_native2name_1(Process *p, Term *args)
{
    const uint8_t *b;
    size_t n;
    if (!term_is_binary_like(args[0]) || !binary_bytes(args[0], &b, &n)) BIF_ERROR(p, EXC_BADARG);
    Term l = utf8_to_list(p, b, n);
    if (l == THE_NON_VALUE) return tuple2(bif_alloc(p, 3), am_error, ATOM_NAMED("warning"));
    return l;
}

/* No normalisation on Linux (OTP normalises on macOS only). */
Term bif_prim_file_internal_normalize_utf8_1(Process *p, Term *args)
{
    const uint8_t *b;
    size_t n;
    if (!term_is_binary_like(args[0]) || !binary_bytes(args[0], &b, &n)) BIF_ERROR(p, EXC_BADARG);
    Term l = utf8_to_list(p, b, n);
    if (l == THE_NON_VALUE) BIF_ERROR(p, EXC_BADARG);
    return l;
}

Term bif_prim_file_is_translatable_1(Process *p, Term *args)
{
    const uint8_t *b;
    size_t n, chars;
    if (!term_is_binary_like(args[0]) || !binary_bytes(args[0], &b, &n)) BIF_ERROR(p, EXC_BADARG);
    return utf8_count((const char *)b, n, &chars) ? am_true : am_false;
}

/* --- calendar ------------------------------------------------------------ */

static Term datetime(Process *p, const struct tm *tm)
{
    Term *hp = bif_alloc(p, 3 * 4);
    Term date = tuple3(hp, make_small(tm->tm_year + 1900), make_small(tm->tm_mon + 1), make_small(tm->tm_mday));
    Term time = tuple3(hp + 4, make_small(tm->tm_hour), make_small(tm->tm_min), make_small(tm->tm_sec));
    return tuple2(hp + 8, date, time);
}

static bool is_leap(SWord y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* {{Y,M,D},{H,Mi,S}} with a valid date and time, as OTP's time_to_parts
 * checks; years from 1600 as erts accepts. */
static bool datetime_arg(Term t, struct tm *tm)
{
    static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (!term_is_tuple(t) || tuple_arity(t) != 2) return false;
    Term d = tuple_elements(t)[0], c = tuple_elements(t)[1];
    if (!term_is_tuple(d) || tuple_arity(d) != 3 || !term_is_tuple(c) || tuple_arity(c) != 3) return false;
    SWord y, m, dd, h, mi, s;
    if (!small_in_range(tuple_elements(d)[0], 1600, 1000000000, &y) || !small_in_range(tuple_elements(d)[1], 1, 12, &m) ||
        !small_in_range(tuple_elements(d)[2], 1, 31, &dd) || !small_in_range(tuple_elements(c)[0], 0, 23, &h) ||
        !small_in_range(tuple_elements(c)[1], 0, 59, &mi) || !small_in_range(tuple_elements(c)[2], 0, 59, &s))
        return false;
    if (dd > mdays[m - 1] + (m == 2 && is_leap(y))) return false;
    *tm = (struct tm){ .tm_year = (int)(y - 1900), .tm_mon = (int)(m - 1), .tm_mday = (int)dd,
                       .tm_hour = (int)h, .tm_min = (int)mi, .tm_sec = (int)s, .tm_isdst = -1 };
    return true;
}

static struct tm now_utc(void)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    return tm;
}

static struct tm now_local(void)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    return tm;
}

Term bif_erlang_universaltime_0(Process *p, Term *args)
{
    (void)args;
    struct tm tm = now_utc();
    return datetime(p, &tm);
}

Term bif_erlang_localtime_0(Process *p, Term *args)
{
    (void)args;
    struct tm tm = now_local();
    return datetime(p, &tm);
}

Term bif_erlang_date_0(Process *p, Term *args)
{
    (void)args;
    struct tm tm = now_local();
    return tuple3(bif_alloc(p, 4), make_small(tm.tm_year + 1900), make_small(tm.tm_mon + 1), make_small(tm.tm_mday));
}

Term bif_erlang_time_0(Process *p, Term *args)
{
    (void)args;
    struct tm tm = now_local();
    return tuple3(bif_alloc(p, 4), make_small(tm.tm_hour), make_small(tm.tm_min), make_small(tm.tm_sec));
}

Term bif_erlang_posixtime_to_universaltime_1(Process *p, Term *args)
{
    if (!term_is_small(args[0])) BIF_ERROR(p, EXC_BADARG);
    time_t t = (time_t)small_value(args[0]);
    struct tm tm;
    if (!gmtime_r(&t, &tm)) BIF_ERROR(p, EXC_BADARG);
    return datetime(p, &tm);
}

Term bif_erlang_universaltime_to_posixtime_1(Process *p, Term *args)
{
    struct tm tm;
    if (!datetime_arg(args[0], &tm)) BIF_ERROR(p, EXC_BADARG);
    tm.tm_isdst = 0;
    return arith_make_integer(p, (SWord)timegm(&tm));
}

Term bif_erlang_universaltime_to_localtime_1(Process *p, Term *args)
{
    struct tm tm;
    if (!datetime_arg(args[0], &tm)) BIF_ERROR(p, EXC_BADARG);
    tm.tm_isdst = 0;
    time_t t = timegm(&tm);
    struct tm local;
    if (!localtime_r(&t, &local)) BIF_ERROR(p, EXC_BADARG);
    return datetime(p, &local);
}

/* localtime_to_universaltime(DateTime, IsDst): IsDst true, false or
 * undefined (let the C library decide). */
Term bif_erlang_localtime_to_universaltime_2(Process *p, Term *args)
{
    struct tm tm;
    if (!datetime_arg(args[0], &tm)) BIF_ERROR(p, EXC_BADARG);
    if (args[1] == am_true) tm.tm_isdst = 1;
    else if (args[1] == am_false) tm.tm_isdst = 0;
    else if (args[1] == ATOM_NAMED("undefined")) tm.tm_isdst = -1;
    else BIF_ERROR(p, EXC_BADARG);
    time_t t = mktime(&tm);
    struct tm utc;
    if (!gmtime_r(&t, &utc)) BIF_ERROR(p, EXC_BADARG);
    return datetime(p, &utc);
}
