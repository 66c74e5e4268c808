/*
 * erlang_terms.c — the erlang BIFs that test, take apart and build terms:
 * type tests, atoms and numbers as text, tuples, hd/tl/length.
 *
 * Every error result and edge case follows OTP 25's erts (bif.c,
 * erl_bif_*.c); the comments name the OTP behaviour where it is not the
 * obvious one. Lists are walked iteratively, so million-element lists cost
 * no C stack; reductions are charged per ~10 elements.
 */
#include <gmp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "atom.h"
#include "bif.h"
#include "bignum.h"
#include "float_text.h"
#include "term_build.h"
#include "utf8.h"

/* ERTS_MAX_TUPLE_SIZE: make_tuple, list_to_tuple and append_element
 * refuse anything larger with badarg. */
#define MAX_TUPLE_ARITY ((UWord)(1u << 24) - 1)

/* Elements per reduction for work proportional to a list's length. */
static void charge_for_elements(Process *p, UWord n) { BUMP_REDS(p, n / ELEMENTS_PER_REDUCTION); }

/* The list of the bytes s[0..n) as character codes. */
static Term list_from_bytes(Process *p, const char *s, size_t n)
{
    if (n == 0) return NIL;
    return charlist_from(bif_alloc(p, 2 * n), s, n);
}

/* ---------------------------------------------------------------------------
 * Type tests
 * ------------------------------------------------------------------------ */

static Term boolean(bool b) { return b ? am_true : am_false; }

static bool is_binary_term(Term t)
{
    if (!term_is_binary_like(t)) return false;
    if (header_subtag(boxed_header(t)) != HDR_SUB_BIN) return true;
    return (((const SubBin *)boxed_ptr(t))->bit_info & 0xFFu) == 0; /* no trailing bits */
}

static bool is_pid_term(Term t) { return term_is_pid(t) || term_is_boxed_with(t, HDR_EXTERNAL_PID); }
static bool is_port_term(Term t) { return term_is_port(t) || term_is_boxed_with(t, HDR_EXTERNAL_PORT); }
static bool is_reference_term(Term t)
{
    return term_is_boxed_with(t, HDR_REF) || term_is_boxed_with(t, HDR_EXTERNAL_REF);
}

Term bif_erlang_is_atom_1(Process *p, Term *args) { (void)p; return boolean(term_is_atom(args[0])); }
Term bif_erlang_is_binary_1(Process *p, Term *args) { (void)p; return boolean(is_binary_term(args[0])); }
Term bif_erlang_is_bitstring_1(Process *p, Term *args) { (void)p; return boolean(term_is_binary_like(args[0])); }
Term bif_erlang_is_float_1(Process *p, Term *args) { (void)p; return boolean(term_is_float(args[0])); }
Term bif_erlang_is_function_1(Process *p, Term *args) { (void)p; return boolean(term_is_fun(args[0])); }
Term bif_erlang_is_integer_1(Process *p, Term *args) { (void)p; return boolean(term_is_integer(args[0])); }
Term bif_erlang_is_list_1(Process *p, Term *args)
{
    (void)p;
    return boolean(term_is_list(args[0]) || term_is_nil(args[0]));
}
Term bif_erlang_is_map_1(Process *p, Term *args) { (void)p; return boolean(term_is_map(args[0])); }
Term bif_erlang_is_number_1(Process *p, Term *args) { (void)p; return boolean(term_is_number(args[0])); }
Term bif_erlang_is_pid_1(Process *p, Term *args) { (void)p; return boolean(is_pid_term(args[0])); }
Term bif_erlang_is_port_1(Process *p, Term *args) { (void)p; return boolean(is_port_term(args[0])); }
Term bif_erlang_is_reference_1(Process *p, Term *args) { (void)p; return boolean(is_reference_term(args[0])); }
Term bif_erlang_is_tuple_1(Process *p, Term *args) { (void)p; return boolean(term_is_tuple(args[0])); }
Term bif_erlang_is_boolean_1(Process *p, Term *args)
{
    (void)p;
    return boolean(args[0] == am_true || args[0] == am_false);
}

/* is_function(F, Arity): Arity must be a non-negative integer; a positive
 * bignum is accepted and simply never matches (OTP erl_is_function). */
Term bif_erlang_is_function_2(Process *p, Term *args)
{
    Term fun = args[0], arity = args[1];
    SWord want;
    if (term_is_small(arity)) {
        want = small_value(arity);
        if (want < 0) BIF_ERROR(p, EXC_BADARG);
    } else if (term_is_bignum(arity) && !bignum_is_negative(arity)) {
        return am_false;
    } else {
        BIF_ERROR(p, EXC_BADARG);
    }
    if (!term_is_fun(fun)) return am_false;
    const FunThing *f = (const FunThing *)boxed_ptr(fun);
    return boolean((SWord)(f->arity_and_free & 0xFFu) == want);
}

Term bif_erlang_is_record_2(Process *p, Term *args)
{
    Term t = args[0], tag = args[1];
    if (!term_is_atom(tag)) BIF_ERROR(p, EXC_BADARG);
    return boolean(term_is_tuple(t) && tuple_arity(t) >= 1 && tuple_elements(t)[0] == tag);
}

Term bif_erlang_is_record_3(Process *p, Term *args)
{
    Term t = args[0], tag = args[1], size = args[2];
    if (!term_is_atom(tag) || !term_is_small(size)) BIF_ERROR(p, EXC_BADARG);
    SWord n = small_value(size);
    return boolean(n >= 1 && term_is_tuple(t) && (SWord)tuple_arity(t) == n &&
                   tuple_elements(t)[0] == tag);
}

/* ---------------------------------------------------------------------------
 * Atoms
 * ------------------------------------------------------------------------ */

Term bif_erlang_atom_to_list_1(Process *p, Term *args)
{
    Term atom = args[0];
    if (!term_is_atom(atom)) BIF_ERROR(p, EXC_BADARG);
    const char *text = atom_text(atom);
    size_t len = atom_len(atom), chars;
    if (!utf8_count(text, len, &chars)) abort(); /* the table holds only valid UTF-8 */
    if (chars == 0) return NIL;
    Term *hp = bif_alloc(p, 2 * chars);
    Term *cell = hp;
    for (size_t i = 0; i < len;) {
        uint32_t cp = 0;
        i += utf8_decode(text + i, len - i, &cp);
        cell[0] = make_small(cp);
        cell[1] = cell + 2 < hp + 2 * chars ? make_list(cell + 2) : NIL;
        cell += 2;
    }
    return make_list(hp);
}

typedef enum { CHARS_OK, CHARS_BADARG, CHARS_TOO_LONG } chars_status;

/* OTP's erts_unicode_list_to_buf: the code points of `list` as UTF-8 into
 * buf (room for ATOM_MAX_CHARS * 4 bytes). The checks happen in list
 * order, and the length check comes at the 256th cell before its element
 * is looked at: [bad | 300 a's] is badarg, 255 a's ++ [bad] system_limit. */
static chars_status atom_chars_to_utf8(Term list, char *buf, size_t *len)
{
    size_t n = 0, chars = 0;
    for (; term_is_list(list); list = list_tail(list)) {
        if (chars++ == ATOM_MAX_CHARS) return CHARS_TOO_LONG;
        Term c = list_head(list);
        if (!term_is_small(c)) return CHARS_BADARG;
        SWord cp = small_value(c);
        if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return CHARS_BADARG;
        n += utf8_encode((uint32_t)cp, buf + n);
    }
    if (!term_is_nil(list)) return CHARS_BADARG;
    *len = n;
    return CHARS_OK;
}

Term bif_erlang_list_to_atom_1(Process *p, Term *args)
{
    char buf[ATOM_MAX_CHARS * 4];
    size_t len;
    chars_status st = atom_chars_to_utf8(args[0], buf, &len);
    if (st == CHARS_TOO_LONG) BIF_ERROR(p, EXC_SYSTEM_LIMIT);
    if (st != CHARS_OK) BIF_ERROR(p, EXC_BADARG);
    Term atom;
    switch (atom_put(buf, len, &atom)) {
    case ATOM_OK: return atom;
    case ATOM_BAD_UTF8: BIF_ERROR(p, EXC_BADARG);
    default: BIF_ERROR(p, EXC_SYSTEM_LIMIT); /* too long, or the table is full */
    }
}

/* A name too long to be an atom cannot exist: badarg, not system_limit. */
Term bif_erlang_list_to_existing_atom_1(Process *p, Term *args)
{
    char buf[ATOM_MAX_CHARS * 4];
    size_t len;
    Term atom;
    if (atom_chars_to_utf8(args[0], buf, &len) != CHARS_OK || !atom_lookup(buf, len, &atom))
        BIF_ERROR(p, EXC_BADARG);
    return atom;
}

/* ---------------------------------------------------------------------------
 * Integers as text
 * ------------------------------------------------------------------------ */

static Term integer_text_list(Process *p, Term integer, unsigned base)
{
    strbuf sb = STRBUF_INIT;
    integer_to_text(&sb, integer, base);
    Term list = list_from_bytes(p, sb_str(&sb), sb.len);
    charge_for_elements(p, sb.len);
    sb_free(&sb);
    return list;
}

Term bif_erlang_integer_to_list_1(Process *p, Term *args)
{
    if (!term_is_integer(args[0])) BIF_ERROR(p, EXC_BADARG);
    return integer_text_list(p, args[0], 10);
}

Term bif_erlang_integer_to_list_2(Process *p, Term *args)
{
    SWord base;
    if (!term_is_integer(args[0]) || !small_in_range(args[1], 2, 36, &base)) BIF_ERROR(p, EXC_BADARG);
    return integer_text_list(p, args[0], (unsigned)base);
}

/* The value of digit character c in base, or -1. */
static int digit_value(SWord c, unsigned base)
{
    int v;
    if (c >= '0' && c <= '9') v = (int)(c - '0');
    else if (c >= 'a' && c <= 'z') v = (int)(c - 'a') + 10;
    else if (c >= 'A' && c <= 'Z') v = (int)(c - 'A') + 10;
    else return -1;
    return v < (int)base ? v : -1;
}

/* An integer from n magnitude limbs (least significant first). */
static Term integer_from_limbs(Process *p, const mp_limb_t *limbs, size_t n, bool negative)
{
    while (n > 0 && limbs[n - 1] == 0) n--;
    if (n == 0) return make_small(0);
    if (n == 1 && limbs[0] <= (UWord)MAX_SMALL + negative)
        return make_small(negative ? -(SWord)(limbs[0] - 1) - 1 : (SWord)limbs[0]);
    Term *hp = bif_alloc(p, 1 + n);
    hp[0] = make_header(n, negative ? HDR_NEG_BIG : HDR_POS_BIG);
    memcpy(hp + 1, limbs, n * sizeof *limbs);
    return make_boxed(hp);
}

typedef enum { PARSE_OK, PARSE_BADARG, PARSE_TOO_BIG } parse_status;

/* Digit values (0..base-1) of the n characters of the list; false if one
 * is not a digit of base. */
static bool collect_digits(Term list, unsigned base, unsigned char *digits, size_t n)
{
    for (size_t i = 0; i < n; i++, list = list_tail(list)) {
        Term c = list_head(list);
        int v = term_is_small(c) ? digit_value(small_value(c), base) : -1;
        if (v < 0) return false;
        digits[i] = (unsigned char)v;
    }
    return true;
}

/* [+-]digits in base, from a proper list of n > 0 cells. GMP's
 * mpn_set_str is subquadratic, so a million digits is quick. */
static parse_status parse_integer_list(Process *p, Term list, size_t n, unsigned base, Term *out)
{
    bool negative = false;
    Term first = list_head(list);
    if (first == make_small('-') || first == make_small('+')) {
        negative = first == make_small('-');
        list = list_tail(list);
        n--;
    }
    if (n == 0) return PARSE_BADARG;
    unsigned char *digits = malloc(n);
    /* Each digit adds at most log2(36) < 6 bits. */
    size_t limb_room = n * 6 / GMP_NUMB_BITS + 2;
    mp_limb_t *limbs = malloc(limb_room * sizeof *limbs);
    if (!digits || !limbs) abort();
    parse_status st = PARSE_BADARG;
    if (collect_digits(list, base, digits, n)) {
        size_t skip = 0;
        while (skip < n && digits[skip] == 0) skip++; /* keep mpn_set_str away from zero */
        size_t nl = skip == n ? 0 : mpn_set_str(limbs, digits + skip, n - skip, (int)base);
        if (nl > MAX_BIG_DIGITS) {
            st = PARSE_TOO_BIG;
        } else {
            *out = integer_from_limbs(p, limbs, nl, negative);
            st = PARSE_OK;
        }
    }
    free(limbs);
    free(digits);
    return st;
}

static Term list_to_integer_base(Process *p, Term list, unsigned base)
{
    SWord n = list_length(list);
    if (n <= 0) BIF_ERROR(p, EXC_BADARG);
    charge_for_elements(p, (UWord)n);
    Term result;
    switch (parse_integer_list(p, list, (size_t)n, base, &result)) {
    case PARSE_OK: return result;
    case PARSE_TOO_BIG: BIF_ERROR(p, EXC_SYSTEM_LIMIT);
    default: BIF_ERROR(p, EXC_BADARG);
    }
}

Term bif_erlang_list_to_integer_1(Process *p, Term *args) { return list_to_integer_base(p, args[0], 10); }

Term bif_erlang_list_to_integer_2(Process *p, Term *args)
{
    SWord base;
    if (!small_in_range(args[1], 2, 36, &base)) BIF_ERROR(p, EXC_BADARG);
    return list_to_integer_base(p, args[0], (unsigned)base);
}

/* ---------------------------------------------------------------------------
 * Floats as text
 * ------------------------------------------------------------------------ */

typedef enum { FMT_DEFAULT, FMT_FIXED, FMT_SCIENTIFIC, FMT_SHORT } float_format;

typedef struct float_options {
    float_format format;
    int digits;
    bool compact;
} float_options;

/* {scientific, N}: OTP checks only N <= 249 and hands N to printf as a C
 * int, so a negative N means printf's default of 6 digits, and N is
 * truncated to 32 bits first (-4294967296 gives 0 digits; a truncation
 * above 249 overflows OTP's buffer: badarg). */
static int scientific_precision(SWord n) { return (int)(int32_t)(uint32_t)(UWord)n; }

/* {decimals, N} or {scientific, N}: the last format option wins, compact
 * may come anywhere (and only matters for decimals). */
static bool parse_float_option(Term opt, float_options *o)
{
    if (opt == ATOM_NAMED("compact")) { o->compact = true; return true; }
    if (opt == ATOM_NAMED("short")) { o->format = FMT_SHORT; return true; }
    if (!term_is_tuple(opt) || tuple_arity(opt) != 2) return false;
    Term key = tuple_elements(opt)[0], value = tuple_elements(opt)[1];
    SWord n;
    if (key == ATOM_NAMED("decimals") && small_in_range(value, 0, FLOAT_DECIMALS_MAX, &n)) {
        o->format = FMT_FIXED;
        o->digits = (int)n;
        return true;
    }
    if (key == ATOM_NAMED("scientific") && small_in_range(value, MIN_SMALL, FLOAT_SCIENTIFIC_MAX, &n)) {
        o->format = FMT_SCIENTIFIC;
        o->digits = scientific_precision(n);
        return true;
    }
    return false;
}

static bool parse_float_options(Term list, float_options *o)
{
    *o = (float_options){ FMT_DEFAULT, FLOAT_DEFAULT_DIGITS, false };
    for (; term_is_list(list); list = list_tail(list))
        if (!parse_float_option(list_head(list), o)) return false;
    return term_is_nil(list);
}

static int format_float(char *buf, double d, const float_options *o)
{
    switch (o->format) {
    case FMT_FIXED: return float_text_fixed(buf, d, o->digits, o->compact);
    case FMT_SHORT: return float_text_short(buf, d);
    default: return float_text_scientific(buf, d, o->digits);
    }
}

static Term float_to_list_with(Process *p, Term f, Term options)
{
    float_options o;
    if (!term_is_float(f) || !parse_float_options(options, &o)) BIF_ERROR(p, EXC_BADARG);
    char buf[FLOAT_TEXT_MAX];
    int len = format_float(buf, float_value(f), &o);
    if (len < 0) BIF_ERROR(p, EXC_BADARG); /* longer than OTP's 256-byte buffer */
    return list_from_bytes(p, buf, (size_t)len);
}

Term bif_erlang_float_to_list_1(Process *p, Term *args) { return float_to_list_with(p, args[0], NIL); }
Term bif_erlang_float_to_list_2(Process *p, Term *args) { return float_to_list_with(p, args[0], args[1]); }

/* The list as a NUL-terminated byte string: OTP's intlist_to_buf, so only
 * 0..255, and an embedded NUL ends the text ("1.5\0xyz" reads as 1.5). */
static char *latin1_list_to_cstring(Term list)
{
    SWord n = list_length(list);
    if (n < 0) return NULL;
    char *buf = malloc((size_t)n + 1);
    if (!buf) abort();
    for (SWord i = 0; i < n; i++, list = list_tail(list)) {
        Term c = list_head(list);
        if (!term_is_small(c) || small_value(c) < 0 || small_value(c) > 255) {
            free(buf);
            return NULL;
        }
        buf[i] = (char)small_value(c);
    }
    buf[n] = '\0';
    return buf;
}

Term bif_erlang_list_to_float_1(Process *p, Term *args)
{
    char *text = latin1_list_to_cstring(args[0]);
    if (text == NULL) BIF_ERROR(p, EXC_BADARG);
    double d;
    bool ok = float_text_parse(text, &d);
    charge_for_elements(p, strlen(text));
    free(text);
    if (!ok) BIF_ERROR(p, EXC_BADARG);
    return make_float(bif_alloc(p, FLOAT_WORDS), d);
}

/* ---------------------------------------------------------------------------
 * Tuples
 * ------------------------------------------------------------------------ */

Term bif_erlang_tuple_size_1(Process *p, Term *args)
{
    if (!term_is_tuple(args[0])) BIF_ERROR(p, EXC_BADARG);
    return make_small((SWord)tuple_arity(args[0]));
}

/* size/1: a tuple's arity, or a binary's whole bytes (a bitstring's
 * trailing bits are not counted). Every binary kind has its byte size in
 * the word after the header. */
Term bif_erlang_size_1(Process *p, Term *args)
{
    Term t = args[0];
    if (term_is_tuple(t)) return make_small((SWord)tuple_arity(t));
    if (term_is_binary_like(t)) return make_small((SWord)boxed_ptr(t)[1]);
    BIF_ERROR(p, EXC_BADARG);
}

/* A 1-based index that is a valid position in a tuple of `arity`. */
static bool tuple_index(Term index, UWord arity, UWord *out)
{
    SWord i;
    if (!small_in_range(index, 1, (SWord)arity, &i)) return false;
    *out = (UWord)i;
    return true;
}

Term bif_erlang_element_2(Process *p, Term *args)
{
    Term index = args[0], tuple = args[1];
    UWord i;
    if (!term_is_tuple(tuple) || !tuple_index(index, tuple_arity(tuple), &i)) BIF_ERROR(p, EXC_BADARG);
    return tuple_elements(tuple)[i - 1];
}

/* A fresh copy of tuple's header and elements. */
static Term *copy_tuple(Process *p, Term tuple)
{
    UWord arity = tuple_arity(tuple);
    Term *hp = bif_alloc(p, 1 + arity);
    memcpy(hp, boxed_ptr(tuple), (1 + arity) * sizeof(Term));
    return hp;
}

Term bif_erlang_setelement_3(Process *p, Term *args)
{
    Term index = args[0], tuple = args[1], value = args[2];
    UWord i;
    if (!term_is_tuple(tuple) || !tuple_index(index, tuple_arity(tuple), &i)) BIF_ERROR(p, EXC_BADARG);
    Term *hp = copy_tuple(p, tuple);
    hp[i] = value;
    charge_for_elements(p, tuple_arity(tuple));
    return make_boxed(hp);
}

static Term filled_tuple(Process *p, UWord arity, Term value)
{
    Term *hp = bif_alloc(p, 1 + arity);
    hp[0] = make_header(arity, HDR_TUPLE);
    for (UWord i = 1; i <= arity; i++) hp[i] = value;
    return make_boxed(hp);
}

Term bif_erlang_make_tuple_2(Process *p, Term *args)
{
    SWord n;
    if (!small_in_range(args[0], 0, (SWord)MAX_TUPLE_ARITY, &n)) BIF_ERROR(p, EXC_BADARG);
    charge_for_elements(p, (UWord)n);
    return filled_tuple(p, (UWord)n, args[1]);
}

/* An element of make_tuple/3's InitList: {Position, Value} with Position
 * in 1..arity. */
static bool init_pair(Term pair, UWord arity, UWord *pos, Term *value)
{
    if (!term_is_tuple(pair) || tuple_arity(pair) != 2) return false;
    if (!tuple_index(tuple_elements(pair)[0], arity, pos)) return false;
    *value = tuple_elements(pair)[1];
    return true;
}

/* make_tuple(N, Default, InitList): later pairs overwrite earlier ones.
 * The list is checked before anything is allocated. */
Term bif_erlang_make_tuple_3(Process *p, Term *args)
{
    Term init = args[2];
    SWord n;
    if (!small_in_range(args[0], 0, (SWord)MAX_TUPLE_ARITY, &n)) BIF_ERROR(p, EXC_BADARG);
    UWord arity = (UWord)n, pos;
    Term value, l;
    for (l = init; term_is_list(l); l = list_tail(l))
        if (!init_pair(list_head(l), arity, &pos, &value)) BIF_ERROR(p, EXC_BADARG);
    if (!term_is_nil(l)) BIF_ERROR(p, EXC_BADARG);
    Term tuple = filled_tuple(p, arity, args[1]);
    for (l = init; term_is_list(l); l = list_tail(l)) {
        init_pair(list_head(l), arity, &pos, &value);
        tuple_elements(tuple)[pos - 1] = value;
    }
    charge_for_elements(p, arity);
    return tuple;
}

Term bif_erlang_append_element_2(Process *p, Term *args)
{
    Term tuple = args[0], value = args[1];
    if (!term_is_tuple(tuple) || tuple_arity(tuple) >= MAX_TUPLE_ARITY) BIF_ERROR(p, EXC_BADARG);
    UWord arity = tuple_arity(tuple);
    Term *hp = bif_alloc(p, 2 + arity);
    hp[0] = make_header(arity + 1, HDR_TUPLE);
    memcpy(hp + 1, tuple_elements(tuple), arity * sizeof(Term));
    hp[1 + arity] = value;
    charge_for_elements(p, arity);
    return make_boxed(hp);
}

Term bif_erlang_delete_element_2(Process *p, Term *args)
{
    Term index = args[0], tuple = args[1];
    UWord i;
    if (!term_is_tuple(tuple) || !tuple_index(index, tuple_arity(tuple), &i)) BIF_ERROR(p, EXC_BADARG);
    UWord arity = tuple_arity(tuple);
    const Term *src = tuple_elements(tuple);
    Term *hp = bif_alloc(p, arity);
    hp[0] = make_header(arity - 1, HDR_TUPLE);
    memcpy(hp + 1, src, (i - 1) * sizeof(Term));
    memcpy(hp + i, src + i, (arity - i) * sizeof(Term));
    charge_for_elements(p, arity);
    return make_boxed(hp);
}

/* insert_element(Index, Tuple, Value), Index in 1..arity+1. OTP does not
 * check the arity limit here, so neither do we. */
Term bif_erlang_insert_element_3(Process *p, Term *args)
{
    Term index = args[0], tuple = args[1], value = args[2];
    UWord i;
    if (!term_is_tuple(tuple) || !tuple_index(index, tuple_arity(tuple) + 1, &i)) BIF_ERROR(p, EXC_BADARG);
    UWord arity = tuple_arity(tuple);
    const Term *src = tuple_elements(tuple);
    Term *hp = bif_alloc(p, 2 + arity);
    hp[0] = make_header(arity + 1, HDR_TUPLE);
    memcpy(hp + 1, src, (i - 1) * sizeof(Term));
    hp[i] = value;
    memcpy(hp + i + 1, src + i - 1, (arity - i + 1) * sizeof(Term));
    charge_for_elements(p, arity);
    return make_boxed(hp);
}

Term bif_erlang_tuple_to_list_1(Process *p, Term *args)
{
    Term tuple = args[0];
    if (!term_is_tuple(tuple)) BIF_ERROR(p, EXC_BADARG);
    UWord n = tuple_arity(tuple);
    if (n == 0) return NIL;
    const Term *elems = tuple_elements(tuple);
    Term *hp = bif_alloc(p, 2 * n);
    Term list = NIL;
    for (UWord i = n; i-- > 0;) list = cons(hp + 2 * i, elems[i], list);
    charge_for_elements(p, n);
    return list;
}

Term bif_erlang_list_to_tuple_1(Process *p, Term *args)
{
    Term list = args[0];
    SWord n = list_length(list);
    if (n < 0 || (UWord)n > MAX_TUPLE_ARITY) BIF_ERROR(p, EXC_BADARG);
    Term *hp = bif_alloc(p, 1 + (size_t)n);
    hp[0] = make_header((UWord)n, HDR_TUPLE);
    for (SWord i = 1; i <= n; i++, list = list_tail(list)) hp[i] = list_head(list);
    charge_for_elements(p, (UWord)n);
    return make_boxed(hp);
}

/* ---------------------------------------------------------------------------
 * hd, tl, length
 * ------------------------------------------------------------------------ */

Term bif_erlang_hd_1(Process *p, Term *args)
{
    if (!term_is_list(args[0])) BIF_ERROR(p, EXC_BADARG);
    return list_head(args[0]);
}

Term bif_erlang_tl_1(Process *p, Term *args)
{
    if (!term_is_list(args[0])) BIF_ERROR(p, EXC_BADARG);
    return list_tail(args[0]);
}

Term bif_erlang_length_1(Process *p, Term *args)
{
    SWord n = list_length(args[0]);
    if (n < 0) BIF_ERROR(p, EXC_BADARG);
    charge_for_elements(p, (UWord)n);
    return make_small(n);
}
