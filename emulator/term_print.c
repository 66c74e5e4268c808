/*
 * term_print.c — io_lib:format("~w") text, byte for byte as OTP 25 writes
 * it (characters 0xA0..0xFF come out UTF-8 encoded).
 *
 * Printing walks the term with an explicit stack of continuations ("rest
 * of this list", "rest of this tuple"), so deep terms cost heap, not C
 * stack; a long list reuses one continuation.
 */
#include "term_print.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "atom.h"
#include "bignum.h"
#include "binary.h"
#include "emu.h"
#include "export.h"
#include "map.h"
#include "term_order.h"
#include "utf8.h"

/* --- floats -------------------------------------------------------------- */

/* The shortest decimal that reads back as d: d == digits * 10^exp10, with
 * no trailing zero in digits. Correctly rounded p-digit candidates are
 * tried for p = 1..17; when the nearest p-digit decimal does not read back,
 * its neighbour on the other side of d still may (the rounding interval is
 * asymmetric at powers of two), which is what Ryu would pick. */
typedef struct shortest { uint64_t digits; int exp10; } shortest;

static bool reads_back(uint64_t digits, int exp10, double d)
{
    char buf[48];
    snprintf(buf, sizeof buf, "%" PRIu64 "e%d", digits, exp10);
    return strtod(buf, NULL) == d;
}

static shortest shortest_digits(double d)
{
    for (int p = 1; p <= 17; p++) {
        char buf[48];
        snprintf(buf, sizeof buf, "%.*e", p - 1, d);
        uint64_t digits = 0;
        const char *s = buf;
        for (; *s != 'e'; s++)
            if (*s >= '0' && *s <= '9') digits = digits * 10 + (uint64_t)(*s - '0');
        int exp10 = atoi(s + 1) - (p - 1);
        shortest r = { 0, exp10 };
        if (reads_back(digits, exp10, d)) r.digits = digits;
        else if (reads_back(digits + 1, exp10, d)) r.digits = digits + 1;
        else if (digits > 1 && reads_back(digits - 1, exp10, d)) r.digits = digits - 1;
        else continue;
        while (r.digits % 10 == 0) { r.digits /= 10; r.exp10++; }
        return r;
    }
    /* 17 significant digits always read back; not reached. */
    return (shortest){ 0, 0 };
}

static unsigned decimal_length(uint64_t v)
{
    unsigned n = 1;
    while (v >= 10) { v /= 10; n++; }
    return n;
}

/* OTP's choice between "1729.0"/"0.001729" and "1.729e3" (erts ryu
 * to_chars.h): fixed notation only for exponents in [lower, upper], and
 * never for integers at or beyond 2^53 where fixed would invent digits. */
static bool use_fixed(uint64_t digits, int exp10)
{
    int olength = (int)decimal_length(digits);
    int sci_exp = exp10 + olength - 1;
    int lower, upper;
    if (olength == 1) { lower = -4; upper = 2; }
    else if (sci_exp >= 10) { lower = -(olength + 2); upper = 2; }
    else { lower = -(olength + 2); upper = 1; }
    if (exp10 < lower || exp10 > upper) return false;
    if ((digits >= (UINT64_C(1) << 53) && exp10 == 0) ||
        (digits > (UINT64_C(1) << 52) / 5 && exp10 == 1) ||
        (digits > (UINT64_C(1) << 51) / 25 && exp10 == 2))
        return false;
    return true;
}

static void print_fixed(strbuf *sb, const char *ds, int olength, int exp10)
{
    int whole = olength + exp10;
    if (exp10 >= 0) {
        sb_put(sb, ds, (size_t)olength);
        for (int i = 0; i < exp10; i++) sb_putc(sb, '0');
        sb_puts(sb, ".0");
    } else if (whole > 0) {
        sb_put(sb, ds, (size_t)whole);
        sb_putc(sb, '.');
        sb_put(sb, ds + whole, (size_t)(olength - whole));
    } else {
        sb_puts(sb, "0.");
        for (int i = 0; i < -whole; i++) sb_putc(sb, '0');
        sb_put(sb, ds, (size_t)olength);
    }
}

static void print_scientific(strbuf *sb, const char *ds, int olength, int exp10)
{
    sb_putc(sb, ds[0]);
    sb_putc(sb, '.');
    if (olength > 1) sb_put(sb, ds + 1, (size_t)(olength - 1));
    else sb_putc(sb, '0');
    sb_printf(sb, "e%d", exp10 + olength - 1);
}

void float_print_short(strbuf *sb, double d)
{
    if (signbit(d)) sb_putc(sb, '-');
    d = fabs(d);
    if (d == 0.0) { sb_puts(sb, "0.0"); return; }
    if (!isfinite(d)) { sb_puts(sb, isnan(d) ? "nan" : "inf"); return; } /* not an Erlang float */
    shortest s = shortest_digits(d);
    char ds[24];
    int olength = snprintf(ds, sizeof ds, "%" PRIu64, s.digits);
    if (use_fixed(s.digits, s.exp10)) print_fixed(sb, ds, olength, s.exp10);
    else print_scientific(sb, ds, olength, s.exp10);
}

/* --- atoms --------------------------------------------------------------- */

/* erl_scan:reserved_word/1 of OTP 25 with default features: 'maybe' and
 * 'else' are not reserved there (the maybe_expr feature is off). */
static const char *const reserved_words[] = {
    "after", "and", "andalso", "band", "begin", "bnot", "bor", "bsl", "bsr",
    "bxor", "case", "catch", "cond", "div", "end", "fun", "if", "let", "not",
    "of", "or", "orelse", "receive", "rem", "try", "when", "xor",
};

static bool is_reserved(const char *text, size_t len)
{
    for (size_t i = 0; i < sizeof reserved_words / sizeof *reserved_words; i++)
        if (strlen(reserved_words[i]) == len && memcmp(reserved_words[i], text, len) == 0) return true;
    return false;
}

static bool is_lower_start(uint32_t c) { return (c >= 'a' && c <= 'z') || (c >= 0xDF && c <= 0xFF && c != 0xF7); }

static bool is_name_char(uint32_t c)
{
    return is_lower_start(c) || (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7) ||
           (c >= '0' && c <= '9') || c == '_' || c == '@';
}

static bool atom_needs_quotes(const char *text, size_t len)
{
    if (len == 0 || is_reserved(text, len)) return true;
    for (size_t i = 0; i < len;) {
        uint32_t c;
        size_t k = utf8_decode(text + i, len - i, &c);
        if (k == 0) return true;
        if (i == 0 ? !is_lower_start(c) : !is_name_char(c)) return true;
        i += k;
    }
    return false;
}

static void put_code_point(strbuf *sb, uint32_t c)
{
    char buf[4];
    sb_put(sb, buf, utf8_encode(c, buf));
}

/* io_lib:write_string's character escapes for a quoted atom. */
static void put_quoted_char(strbuf *sb, uint32_t c)
{
    static const char named[] = { '\n', 'n', '\r', 'r', '\t', 't', '\v', 'v',
                                  '\b', 'b', '\f', 'f', 27, 'e', 127, 'd' };
    if (c == '\'' || c == '\\') { sb_putc(sb, '\\'); sb_putc(sb, (char)c); return; }
    if (c >= ' ' && c <= '~') { sb_putc(sb, (char)c); return; }
    if (c >= 0xA0 && c <= 0xFF) { put_code_point(sb, c); return; }
    if (c > 0xFF) { sb_printf(sb, "\\x{%" PRIX32 "}", c); return; }
    for (size_t i = 0; i < sizeof named; i += 2)
        if ((uint32_t)named[i] == c) { sb_putc(sb, '\\'); sb_putc(sb, named[i + 1]); return; }
    sb_printf(sb, "\\%c%c%c", '0' + (c >> 6), '0' + ((c >> 3) & 7), '0' + (c & 7));
}

void atom_print(strbuf *sb, Term atom)
{
    const char *text = atom_text(atom);
    size_t len = atom_len(atom);
    if (!atom_needs_quotes(text, len)) { sb_put(sb, text, len); return; }
    sb_putc(sb, '\'');
    for (size_t i = 0; i < len;) {
        uint32_t c;
        size_t k = utf8_decode(text + i, len - i, &c);
        if (k == 0) { c = (unsigned char)text[i]; k = 1; } /* atoms are valid UTF-8 */
        put_quoted_char(sb, c);
        i += k;
    }
    sb_putc(sb, '\'');
}

/* --- scalars ------------------------------------------------------------- */

static void print_bitstring(strbuf *sb, Term t)
{
    bitstring_view v;
    bitstring_view_of(t, &v);
    size_t whole = v.bit_size / 8, rest = v.bit_size % 8;
    sb_puts(sb, "<<");
    for (size_t i = 0; i < whole; i++) sb_printf(sb, i ? ",%u" : "%u", bitstring_byte(&v, i));
    if (rest) {
        unsigned value = 0;
        for (size_t b = 0; b < rest; b++) value = value << 1 | bitstring_bit(&v, whole * 8 + b);
        sb_printf(sb, whole ? ",%u:%zu" : "%u:%zu", value, rest);
    }
    sb_puts(sb, ">>");
}

/* As erlang:fun_to_list/1: #Fun<Module.Index.Uniq> for a local fun,
 * fun M:F/A for an export fun. */
static void print_fun(strbuf *sb, Term t)
{
    const FunThing *f = (const FunThing *)boxed_ptr(t);
    if (f->creator != am_external) {
        const FunEntry *fe = f->entry;
        sb_puts(sb, "#Fun<");
        sb_puts(sb, atom_text(fe->module));
        sb_printf(sb, ".%" PRIu32 ".%" PRIu32 ">", fe->index, fe->old_uniq);
        return;
    }
    const Export *e = f->entry;
    sb_puts(sb, "fun ");
    atom_print(sb, e->module);
    sb_putc(sb, ':');
    atom_print(sb, e->function);
    sb_printf(sb, "/%" PRIu32, e->arity);
}

/* Pids and ports of this node: 15-bit number and 13-bit serial in the 28
 * data bits above the immediate tag. */
static void print_immediate_identity(strbuf *sb, Term t)
{
    UWord data = t >> TAG_IMMED1_SIZE;
    if (term_is_pid(t)) sb_printf(sb, "<0.%" PRIu64 ".%" PRIu64 ">", data & 0x7FFF, (data >> 15) & 0x1FFF);
    else sb_printf(sb, "#Port<0.%" PRIu64 ">", data);
}

/* References print their 32-bit numbers most significant first, as
 * #Ref<0.a.b.c>. External identities (binary_to_term's, term.h) name
 * their node by a number, as OTP's do (its dist entry's; here the node
 * atom's index, which OTP's numbers need not equal). */
static void print_ref(strbuf *sb, Term t)
{
    const Term *p = boxed_ptr(t);
    unsigned sub = header_subtag(p[0]);
    if (sub == HDR_EXTERNAL_PID || sub == HDR_EXTERNAL_PORT || sub == HDR_EXTERNAL_REF) {
        uint64_t node = atom_index(p[1]) + 1;
        if (sub == HDR_EXTERNAL_PID) {
            sb_printf(sb, "<%" PRIu64 ".%" PRIu64 ".%" PRIu64 ">", node, (uint64_t)p[3], (uint64_t)p[4]);
        } else if (sub == HDR_EXTERNAL_PORT) {
            sb_printf(sb, "#Port<%" PRIu64 ".%" PRIu64 ">", node, (uint64_t)p[3]);
        } else {
            sb_printf(sb, "#Ref<%" PRIu64, node);
            for (UWord i = header_arity(p[0]) - 2; i > 0; i--) sb_printf(sb, ".%" PRIu64, (uint64_t)p[2 + i]);
            sb_putc(sb, '>');
        }
        return;
    }
    sb_puts(sb, "#Ref<0");
    for (UWord i = identity_words(p); i > 0; i--)
        sb_printf(sb, ".%" PRIu32 ".%" PRIu32, (uint32_t)(p[i] >> 32), (uint32_t)p[i]);
    sb_putc(sb, '>');
}

/* --- the walk ------------------------------------------------------------- */

typedef enum {
    P_TERM,       /* print t */
    P_LIST_TAIL,  /* t follows an element: more elements, a '|' tail, or ']' */
    P_ELEMENTS,   /* elements a[i..n) separated by ',', then `close` */
    P_PAIRS,      /* map pairs a[i], b[i], then "}" and free(owned) */
} pitem_kind;

typedef struct pitem {
    pitem_kind kind;
    Term t;
    const Term *a, *b;
    size_t i, n;
    const char *close;
    void *owned;
} pitem;

typedef struct pstack { pitem *items; size_t n, cap; } pstack;

static void push(pstack *st, pitem it)
{
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 32;
        pitem *p = realloc(st->items, cap * sizeof *p);
        if (!p) { fputs("cbeam: out of memory printing a term\n", stderr); abort(); }
        st->items = p;
        st->cap = cap;
    }
    st->items[st->n++] = it;
}

static void push_term(pstack *st, Term t) { push(st, (pitem){ .kind = P_TERM, .t = t }); }

static void start_map(strbuf *sb, pstack *st, Term t)
{
    size_t n = map_size(t);
    sb_puts(sb, "#{");
    Term *kv = malloc((2 * n + 1) * sizeof *kv);
    if (!kv) { fputs("cbeam: out of memory printing a map\n", stderr); abort(); }
    map_sorted_pairs(t, kv, kv + n);
    push(st, (pitem){ .kind = P_PAIRS, .a = kv, .b = kv + n, .i = 0, .n = n, .owned = kv });
}

static void print_boxed(strbuf *sb, pstack *st, Term t)
{
    Term h = boxed_header(t);
    switch (header_subtag(h)) {
    case HDR_TUPLE:
        sb_putc(sb, '{');
        push(st, (pitem){ .kind = P_ELEMENTS, .a = tuple_elements(t), .i = 0, .n = header_arity(h), .close = "}" });
        return;
    case HDR_POS_BIG: case HDR_NEG_BIG: integer_to_text(sb, t, 10); return;
    case HDR_FLOAT: float_print_short(sb, float_value(t)); return;
    case HDR_FUN: print_fun(sb, t); return;
    case HDR_MAP: start_map(sb, st, t); return;
    case HDR_REFC_BIN: case HDR_HEAP_BIN: case HDR_SUB_BIN: print_bitstring(sb, t); return;
    default: print_ref(sb, t); return;
    }
}

static void print_one(strbuf *sb, pstack *st, Term t)
{
    if (term_is_small(t)) sb_printf(sb, "%" PRId64, small_value(t));
    else if (term_is_atom(t)) atom_print(sb, t);
    else if (term_is_nil(t)) sb_puts(sb, "[]");
    else if (term_is_pid(t) || term_is_port(t)) print_immediate_identity(sb, t);
    else if (term_is_list(t)) {
        sb_putc(sb, '[');
        push(st, (pitem){ .kind = P_LIST_TAIL, .t = list_tail(t) });
        push_term(st, list_head(t));
    } else if (term_is_boxed(t)) print_boxed(sb, st, t);
    else sb_printf(sb, "#Term<%#" PRIx64 ">", t); /* catches never reach a printer */
}

static void continue_item(strbuf *sb, pstack *st, pitem it)
{
    switch (it.kind) {
    case P_TERM: print_one(sb, st, it.t); return;
    case P_LIST_TAIL:
        if (term_is_nil(it.t)) { sb_putc(sb, ']'); return; }
        if (term_is_list(it.t)) {
            sb_putc(sb, ',');
            push(st, (pitem){ .kind = P_LIST_TAIL, .t = list_tail(it.t) });
            push_term(st, list_head(it.t));
            return;
        }
        sb_putc(sb, '|');
        push(st, (pitem){ .kind = P_ELEMENTS, .n = 0, .close = "]" });
        push_term(st, it.t);
        return;
    case P_ELEMENTS:
        if (it.i == it.n) { sb_puts(sb, it.close); return; }
        if (it.i > 0) sb_putc(sb, ',');
        push(st, (pitem){ .kind = P_ELEMENTS, .a = it.a, .i = it.i + 1, .n = it.n, .close = it.close });
        push_term(st, it.a[it.i]);
        return;
    case P_PAIRS:
        if (it.i == it.n) { sb_putc(sb, '}'); free(it.owned); return; }
        if (it.i > 0) sb_putc(sb, ',');
        it.i++;
        push(st, it);
        push_term(st, it.b[it.i - 1]);
        push(st, (pitem){ .kind = P_ELEMENTS, .n = 0, .close = " => " });
        push_term(st, it.a[it.i - 1]);
        return;
    }
}

void term_print(strbuf *sb, Term t)
{
    pstack st = { NULL, 0, 0 };
    print_one(sb, &st, t);
    while (st.n > 0) {
        pitem it = st.items[--st.n];
        continue_item(sb, &st, it);
    }
    free(st.items);
}

/* --- erts's own printer (erlang:display/1, the VM's fallback log lines) --- */

static bool printable_string(Term t)
{
    if (!term_is_list(t)) return false;
    for (; term_is_list(t); t = list_tail(t)) {
        Term c = list_head(t);
        if (!term_is_small(c) || small_value(c) < 32 || small_value(c) > 126) return false;
    }
    return term_is_nil(t);
}

typedef struct display_ctx {
    strbuf *sb;
    bool first;
} display_ctx;

static bool display_pair(Term key, Term value, void *arg)
{
    display_ctx *c = arg;
    if (!c->first) sb_putc(c->sb, ',');
    c->first = false;
    term_print_display(c->sb, key);
    sb_puts(c->sb, "=>");
    term_print_display(c->sb, value);
    return true;
}

static void display_map(strbuf *sb, Term map)
{
    display_ctx c = { sb, true };
    sb_puts(sb, "#{");
    map_foreach(map, display_pair, &c);
    sb_putc(sb, '}');
}

/* A byte-aligned binary of printable ASCII displays as <<"text">>. */
static bool display_binary(strbuf *sb, Term t)
{
    const uint8_t *bytes;
    size_t n;
    if (!term_is_binary_like(t) || !binary_bytes(t, &bytes, &n) || n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (bytes[i] < 32 || bytes[i] > 126) return false;
    sb_puts(sb, "<<\"");
    for (size_t i = 0; i < n; i++) {
        if (bytes[i] == '"' || bytes[i] == '\\') sb_putc(sb, '\\');
        sb_putc(sb, (char)bytes[i]);
    }
    sb_puts(sb, "\">>");
    return true;
}

void term_print_display(strbuf *sb, Term t)
{
    if (printable_string(t)) {
        sb_putc(sb, '"');
        for (; term_is_list(t); t = list_tail(t)) {
            char c = (char)small_value(list_head(t));
            if (c == '"' || c == '\\') sb_putc(sb, '\\');
            sb_putc(sb, c);
        }
        sb_putc(sb, '"');
    } else if (term_is_tuple(t)) {
        sb_putc(sb, '{');
        for (UWord i = 0; i < tuple_arity(t); i++) {
            if (i) sb_putc(sb, ',');
            term_print_display(sb, tuple_elements(t)[i]);
        }
        sb_putc(sb, '}');
    } else if (term_is_list(t)) {
        sb_putc(sb, '[');
        bool first = true;
        for (; term_is_list(t); t = list_tail(t)) {
            if (!first) sb_putc(sb, ',');
            first = false;
            term_print_display(sb, list_head(t));
        }
        if (!term_is_nil(t)) { sb_putc(sb, '|'); term_print_display(sb, t); }
        sb_putc(sb, ']');
    } else if (term_is_pid(t)) {
        sb_printf(sb, "<0.%llu.0>", (unsigned long long)(t >> TAG_IMMED1_SIZE));
    } else if (term_is_float(t)) {
        sb_printf(sb, "%e", float_value(t));
    } else if (term_is_map(t)) {
        display_map(sb, t);
    } else if (display_binary(sb, t)) {
        /* done */
    } else {
        term_print(sb, t);
    }
}
