/*
 * bifs/unicode.c — unicode:characters_to_binary/2, characters_to_list/2
 * and bin_is_7bit/1, the unicode BIFs of OTP 25 (the other arities are
 * Erlang code in unicode.erl that calls these).
 *
 * The data is walked without C recursion: pending list tails sit on an
 * explicit stack (levels). On an error the rest of the data is rebuilt
 * from that stack, each level wrapping the inner rest as [Inner | Tail],
 * which is the shape OTP returns. Two shapes exist because OTP handles
 * latin1/unicode/utf8 in C (erl_unicode.c) but utf16/utf32 in Erlang
 * (unicode:characters_to_binary_int/2 and ml_map/3): a bad integer is
 * kept as [Int | Tail] by the former and [[Int] | Tail] by the latter,
 * and bytes left over from an incomplete character before an integer go
 * outside every level in the former, inside the innermost in the latter.
 *
 * An incomplete character at the end of a binary continues into the next
 * binary of the data; at the very end it gives {incomplete, Done, Bytes}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atom.h"
#include "bif.h"
#include "bits.h"
#include "term_build.h"
#include "utf8.h"

/* --- encodings --------------------------------------------------------------- */

typedef enum { ENC_LATIN1, ENC_UTF8, ENC_UTF16, ENC_UTF32 } enc_kind;

typedef struct encoding {
    enc_kind kind;
    bool little;
} encoding;

static bool read_encoding(Term t, encoding *e)
{
    e->little = false;
    if (t == ATOM_NAMED("latin1")) { e->kind = ENC_LATIN1; return true; }
    if (t == am_unicode || t == ATOM_NAMED("utf8")) { e->kind = ENC_UTF8; return true; }
    if (t == ATOM_NAMED("utf16")) { e->kind = ENC_UTF16; return true; }
    if (t == ATOM_NAMED("utf32")) { e->kind = ENC_UTF32; return true; }
    if (!term_is_tuple(t) || tuple_arity(t) != 2) return false;
    Term k = tuple_elements(t)[0], end = tuple_elements(t)[1];
    if (k != ATOM_NAMED("utf16") && k != ATOM_NAMED("utf32")) return false;
    e->kind = k == ATOM_NAMED("utf16") ? ENC_UTF16 : ENC_UTF32;
    if (end == ATOM_NAMED("little")) e->little = true;
    else if (end != ATOM_NAMED("big")) return false;
    return true;
}

static bool erlang_shapes(const encoding *e) { return e->kind == ENC_UTF16 || e->kind == ENC_UTF32; }

/* Decodes one character at s[0..n): its byte length, 0 if the bytes are
 * invalid, or -1 if they are a valid start that needs more bytes. */
static int decode_utf8(const uint8_t *s, size_t n, uint32_t *cp)
{
    size_t k = utf8_decode((const char *)s, n, cp);
    if (k) return (int)k;
    unsigned b = s[0];
    size_t need = b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
    if (need == 0 || n >= need) return 0;
    for (size_t i = 1; i < n; i++) {
        unsigned lo = 0x80, hi = 0xBF;
        if (i == 1 && b == 0xE0) lo = 0xA0;
        if (i == 1 && b == 0xED) hi = 0x9F;
        if (i == 1 && b == 0xF0) lo = 0x90;
        if (i == 1 && b == 0xF4) hi = 0x8F;
        if (s[i] < lo || s[i] > hi) return 0;
    }
    return -1;
}

static unsigned unit16(const uint8_t *s, bool little) { return little ? s[0] | s[1] << 8 : s[0] << 8 | s[1]; }

/* unicode.erl's cbv/2 for the bytes left at the end of a binary. */
static bool utf16_prefix(const uint8_t *s, size_t n, bool little)
{
    if (n == 1) return true;
    unsigned hi_lead = little ? s[1] : s[0];
    if ((hi_lead & 0xFC) != 0xD8) return false;
    if (n == 2) return true;
    return !little ? (s[2] & 0xFC) == 0xDC : n == 3;
}

static int decode_utf16(const uint8_t *s, size_t n, bool little, uint32_t *cp)
{
    if (n < 2) return -1;
    unsigned w1 = unit16(s, little);
    if (w1 < 0xD800 || w1 > 0xDFFF) { *cp = w1; return 2; }
    if (w1 >= 0xDC00) return 0;
    if (n < 4) return utf16_prefix(s, n, little) ? -1 : 0;
    unsigned w2 = unit16(s + 2, little);
    if (w2 < 0xDC00 || w2 > 0xDFFF) return 0;
    *cp = 0x10000 + ((w1 - 0xD800) << 10) + (w2 - 0xDC00);
    return 4;
}

static bool utf32_prefix(const uint8_t *s, size_t n, bool little)
{
    if (!little) {
        if (s[0] != 0) return false;
        if (n == 1) return true;
        if (s[1] > 16) return false;
        return n == 2 || s[1] > 0 || s[2] <= 215 || s[2] >= 224;
    }
    if (n < 3) return true;
    if ((s[0] == 254 || s[0] == 255) && s[1] == 255 && s[2] == 0) return false;
    return s[2] <= 16 && (s[2] > 0 || s[1] <= 215 || s[1] >= 224);
}

static int decode_utf32(const uint8_t *s, size_t n, bool little, uint32_t *cp)
{
    if (n < 4) return utf32_prefix(s, n, little) ? -1 : 0;
    uint32_t v = little ? (uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16 | (uint32_t)s[3] << 24
                        : (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 | s[3];
    if (!bits_valid_code_point((SWord)v)) return 0;
    *cp = v;
    return 4;
}

static int decode(const encoding *e, const uint8_t *s, size_t n, uint32_t *cp)
{
    switch (e->kind) {
    case ENC_LATIN1: *cp = s[0]; return 1;
    case ENC_UTF8: return decode_utf8(s, n, cp);
    case ENC_UTF16: return decode_utf16(s, n, e->little, cp);
    default: return decode_utf32(s, n, e->little, cp);
    }
}

/* --- the walk ------------------------------------------------------------------ */

typedef struct converter {
    Process *p;
    encoding enc;
    uint8_t *out;                /* UTF-8 */
    size_t len, cap, chars;
    Term *levels;                /* pending tails */
    size_t nlevels, caplevels;
    uint8_t left[4];             /* bytes of an incomplete character */
    size_t nleft;
    Term rest;                   /* set on error */
    UWord steps;
} converter;

static void emit(converter *c, uint32_t cp)
{
    if (c->len + 4 > c->cap) {
        c->cap = c->cap ? 2 * c->cap : 256;
        c->out = realloc(c->out, c->cap);
        if (!c->out) abort();
    }
    c->len += utf8_encode(cp, (char *)c->out + c->len);
    c->chars++;
}

static void push_level(converter *c, Term tail)
{
    if (c->nlevels == c->caplevels) {
        c->caplevels = c->caplevels ? 2 * c->caplevels : 32;
        c->levels = realloc(c->levels, c->caplevels * sizeof *c->levels);
        if (!c->levels) abort();
    }
    c->levels[c->nlevels++] = tail;
}

static Term wrap_levels(converter *c, Term inner)
{
    for (size_t i = c->nlevels; i-- > 0;) inner = cons(bif_alloc(c->p, 2), inner, c->levels[i]);
    return inner;
}

static Term leftover_binary(converter *c) { return bits_new_binary(c->p, c->left, 0, 8 * c->nleft); }

/* An integer in the data. false (with c->rest) if it ends the conversion. */
static bool take_integer(converter *c, Term cell)
{
    Term h = list_head(cell);
    SWord v = small_value(h);
    bool ok = c->enc.kind == ENC_LATIN1 ? v >= 0 && v <= 255 : bits_valid_code_point(v);
    if (c->nleft) {
        Term lb = leftover_binary(c);
        if (erlang_shapes(&c->enc)) c->rest = wrap_levels(c, cons(bif_alloc(c->p, 2), lb, cell));
        else c->rest = cons(bif_alloc(c->p, 2), lb, cons(bif_alloc(c->p, 2), wrap_levels(c, cell), NIL));
        return false;
    }
    if (!ok) {
        if (erlang_shapes(&c->enc)) c->rest = wrap_levels(c, cons(bif_alloc(c->p, 2), cons(bif_alloc(c->p, 2), h, NIL), list_tail(cell)));
        else c->rest = wrap_levels(c, cell);
        return false;
    }
    emit(c, (uint32_t)v);
    return true;
}

/* The bytes of a binary in the data, after any left over. false (with
 * c->rest) on an invalid character. */
static bool take_binary(converter *c, Term bin)
{
    UWord off, bits;
    const uint8_t *data = bits_data(bin, &off, &bits);
    size_t n = bits / 8, i = 0;
    uint8_t *copy = NULL;
    if (off % 8) {
        copy = malloc(n ? n : 1);
        if (!copy) abort();
        bits_copy(copy, 0, data, off, bits);
        data = copy;
    } else {
        data += off / 8;
    }
    c->steps += n;
    bool ok = true;
    /* First finish a character begun in an earlier binary. */
    while (c->nleft && i < n) {
        c->left[c->nleft++] = data[i++];
        uint32_t cp;
        int k = decode(&c->enc, c->left, c->nleft, &cp);
        if (k > 0) { emit(c, cp); c->nleft = 0; }
        else if (k == 0 || c->nleft == 4) {
            uint8_t *joined = malloc(c->nleft + (n - i));
            if (!joined) abort();
            memcpy(joined, c->left, c->nleft);
            memcpy(joined + c->nleft, data + i, n - i);
            c->rest = wrap_levels(c, bits_new_binary(c->p, joined, 0, 8 * (c->nleft + n - i)));
            free(joined);
            c->nleft = 0;
            ok = false;
        }
    }
    while (ok && i < n) {
        uint32_t cp;
        int k = decode(&c->enc, data + i, n - i, &cp);
        if (k > 0) { emit(c, cp); i += (size_t)k; continue; }
        if (k < 0) { memcpy(c->left, data + i, n - i); c->nleft = n - i; break; }
        c->rest = wrap_levels(c, bits_sub_binary(c->p, bin, 8 * i, 8 * (n - i)));
        ok = false;
    }
    free(copy);
    return ok;
}

typedef enum { CONV_OK, CONV_ERROR, CONV_BADARG } conv_status;

static conv_status convert(converter *c, Term data)
{
    Term cur = data;
    for (;;) {
        c->steps++;
        if (term_is_list(cur)) {
            Term h = list_head(cur);
            if (term_is_small(h)) {
                if (!take_integer(c, cur)) return CONV_ERROR;
                cur = list_tail(cur);
            } else if (term_is_list(h) || term_is_nil(h) || term_is_binary_like(h)) {
                push_level(c, list_tail(cur));
                cur = h;
            } else {
                return CONV_BADARG;
            }
        } else if (term_is_binary_like(cur)) {
            if (binary_bit_size(cur) % 8) return CONV_BADARG;
            if (!take_binary(c, cur)) return CONV_ERROR;
            cur = NIL;
        } else if (term_is_nil(cur)) {
            if (c->nlevels == 0) return CONV_OK;
            cur = c->levels[--c->nlevels];
        } else {
            return CONV_BADARG;
        }
    }
}

/* The converted characters: a UTF-8 binary, or a list of code points. */
static Term converted(converter *c, bool as_list)
{
    if (!as_list) return bits_new_binary(c->p, c->out ? c->out : (const uint8_t *)"", 0, 8 * c->len);
    Term *hp = bif_alloc(c->p, 2 * c->chars);
    Term list = NIL;
    size_t i = c->len, k = c->chars;
    while (i > 0) {
        size_t start = i - 1;
        while (start > 0 && (c->out[start] & 0xC0) == 0x80) start--;
        uint32_t cp = 0;
        utf8_decode((const char *)c->out + start, i - start, &cp);
        k--;
        list = cons(hp + 2 * k, make_small(cp), list);
        i = start;
    }
    return list;
}

static Term characters_to(Process *p, Term data, Term enc_term, bool as_list)
{
    converter c = { .p = p };
    if (!read_encoding(enc_term, &c.enc)) BIF_ERROR(p, EXC_BADARG);
    conv_status st = convert(&c, data);
    BUMP_REDS(p, c.steps / ELEMENTS_PER_REDUCTION);
    Term r;
    if (st == CONV_BADARG) {
        r = raise_error(p, EXC_BADARG, NIL);
    } else if (st == CONV_ERROR) {
        Term done = converted(&c, as_list);
        r = tuple3(bif_alloc(p, 4), am_error, done, c.rest);
    } else if (c.nleft) {
        Term done = converted(&c, as_list);
        r = tuple3(bif_alloc(p, 4), ATOM_NAMED("incomplete"), done, leftover_binary(&c));
    } else {
        r = converted(&c, as_list);
    }
    free(c.out);
    free(c.levels);
    return r;
}

Term bif_unicode_characters_to_binary_2(Process *p, Term *args) { return characters_to(p, args[0], args[1], false); }
Term bif_unicode_characters_to_list_2(Process *p, Term *args) { return characters_to(p, args[0], args[1], true); }

Term bif_unicode_bin_is_7bit_1(Process *p, Term *args)
{
    (void)p;
    Term bin = args[0];
    if (!term_is_binary_like(bin) || binary_bit_size(bin) % 8) return am_false;
    UWord off, bits;
    const uint8_t *data = bits_data(bin, &off, &bits);
    for (UWord i = 0; i < bits; i += 8)
        if (bits_read_uint(data, off + i, 8) >= 0x80) return am_false;
    return am_true;
}
