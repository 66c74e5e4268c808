/*
 * etf_encode.c — term_to_binary's bytes, as OTP 25 writes them: small
 * integers as SMALL_INTEGER/INTEGER, bignums SMALL_BIG/LARGE_BIG, floats
 * NEW_FLOAT (minor version 1, the default) or FLOAT's text (minor 0),
 * atoms ATOM_EXT when every character is Latin-1 and the UTF-8 forms
 * otherwise, byte lists as STRING, maps in the map's own order (sorted
 * with `deterministic`), export funs EXPORT, local funs NEW_FUN, local
 * pids NEW_PID, ports NEW_PORT and references NEWER_REFERENCE on node
 * nonode@nohost.
 *
 * One walk sizes the output, a second writes it; both iterate over list
 * tails and keep nesting on an explicit stack.
 */
#include "etf_encode.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atom.h"
#include "bignum.h"
#include "emu.h"
#include "export.h"
#include "map.h"
#include "term_order.h"
#include "utf8.h"

enum {
    T_NEW_FLOAT = 70, T_BIT_BINARY = 77, T_NEW_PID = 88, T_NEW_PORT = 89, T_NEWER_REF = 90, T_SMALL_INT = 97, T_INT = 98,
    T_FLOAT = 99, T_ATOM = 100, T_SMALL_TUPLE = 104, T_LARGE_TUPLE = 105, T_NIL = 106, T_STRING = 107,
    T_LIST = 108, T_BINARY = 109, T_SMALL_BIG = 110, T_LARGE_BIG = 111, T_NEW_FUN = 112, T_EXPORT = 113,
    T_MAP = 116, T_ATOM_UTF8 = 118, T_SMALL_ATOM_UTF8 = 119,
};

/* A writer that only counts when buf is NULL. */
typedef struct out {
    uint8_t *buf;
    size_t n;
    const etf_options *opt;
    bool ok;
} out;

static void put(out *o, const void *p, size_t len)
{
    if (o->buf) memcpy(o->buf + o->n, p, len);
    o->n += len;
}
static void put8(out *o, unsigned v) { uint8_t b = (uint8_t)v; put(o, &b, 1); }
static void put16(out *o, unsigned v) { uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v }; put(o, b, 2); }
static void put32(out *o, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    put(o, b, 4);
}

/* --- scalars ------------------------------------------------------------- */

static void put_atom(out *o, Term a)
{
    const char *text = atom_text(a);
    size_t len = atom_len(a);
    bool latin1 = true;
    size_t chars = 0;
    for (size_t i = 0; i < len; chars++) {
        uint32_t cp = 0;
        size_t k = utf8_decode(text + i, len - i, &cp);
        if (k == 0 || cp > 255) latin1 = false;
        i += k ? k : 1;
    }
    if (latin1) {
        put8(o, T_ATOM);
        put16(o, (unsigned)chars);
        for (size_t i = 0; i < len;) {
            uint32_t cp = 0;
            i += utf8_decode(text + i, len - i, &cp);
            put8(o, cp);
        }
    } else if (len < 256) {
        put8(o, T_SMALL_ATOM_UTF8);
        put8(o, (unsigned)len);
        put(o, text, len);
    } else {
        put8(o, T_ATOM_UTF8);
        put16(o, (unsigned)len);
        put(o, text, len);
    }
}

static void put_integer(out *o, Term t)
{
    if (term_is_small(t)) {
        SWord v = small_value(t);
        if (v >= 0 && v <= 255) { put8(o, T_SMALL_INT); put8(o, (unsigned)v); return; }
        if (v >= INT32_MIN && v <= INT32_MAX) { put8(o, T_INT); put32(o, (uint32_t)(int32_t)v); return; }
    }
    int_view iv;
    view_integer(t, &iv);
    size_t bytes = iv.n * 8;
    while (bytes > 0 && ((iv.limbs[(bytes - 1) / 8] >> (8 * ((bytes - 1) % 8))) & 0xFF) == 0) bytes--;
    if (bytes < 256) { put8(o, T_SMALL_BIG); put8(o, (unsigned)bytes); }
    else { put8(o, T_LARGE_BIG); put32(o, (uint32_t)bytes); }
    put8(o, iv.negative);
    for (size_t i = 0; i < bytes; i++) put8(o, (unsigned)((iv.limbs[i / 8] >> (8 * (i % 8))) & 0xFF));
}

static void put_float(out *o, double d)
{
    if (o->opt->minor_version == 0) {
        char text[32] = { 0 };
        snprintf(text, sizeof text, "%.20e", d);
        put8(o, T_FLOAT);
        put(o, text, 31);
        return;
    }
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    put8(o, T_NEW_FLOAT);
    put32(o, (uint32_t)(bits >> 32));
    put32(o, (uint32_t)bits);
}

static void put_binary(out *o, Term t)
{
    UWord bits = binary_bit_size(t);
    size_t bytes = (size_t)((bits + 7) / 8);
    const Term *obj = boxed_ptr(t);
    const uint8_t *base;
    size_t offs_bits = 0;
    if (header_subtag(obj[0]) == HDR_SUB_BIN) {
        const SubBin *sb = (const SubBin *)obj;
        const Term *orig = boxed_ptr(sb->orig);
        base = header_subtag(orig[0]) == HDR_HEAP_BIN ? (const uint8_t *)(orig + 2) : ((const ProcBin *)orig)->bytes;
        offs_bits = sb->offs * 8 + ((sb->bit_info >> 8) & 0xFF);
    } else {
        base = header_subtag(obj[0]) == HDR_HEAP_BIN ? (const uint8_t *)(obj + 2) : ((const ProcBin *)obj)->bytes;
    }
    unsigned tail = (unsigned)(bits % 8);
    put8(o, tail ? T_BIT_BINARY : T_BINARY);
    put32(o, (uint32_t)bytes);
    if (tail) put8(o, tail);
    for (size_t i = 0; i < bytes; i++) {
        size_t at = offs_bits + 8 * i;
        unsigned b = base[at / 8];
        if (at % 8) b = ((b << (at % 8)) | (base[at / 8 + 1] >> (8 - at % 8))) & 0xFF;
        if (i + 1 == bytes && tail) b &= (0xFFu << (8 - tail)) & 0xFF;
        put8(o, b);
    }
}

static void put_node(out *o) { put_atom(o, am_nonode_at_nohost); }

/* --- the walk -------------------------------------------------------------- */

typedef struct walk {
    Term *items;
    size_t n, cap;
} walk;

static void push(walk *w, Term t)
{
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        w->items = realloc(w->items, w->cap * sizeof *w->items);
        if (!w->items) abort();
    }
    w->items[w->n++] = t;
}

/* Pushes elements so that they pop in order. */
static void push_all(walk *w, const Term *elems, size_t n)
{
    for (size_t i = n; i-- > 0;) push(w, elems[i]);
}

/* A proper list of bytes of at most 65535 elements goes out as STRING. */
static bool byte_string(Term t, size_t *len)
{
    size_t n = 0;
    for (; term_is_list(t); t = list_tail(t), n++) {
        Term c = list_head(t);
        if (!term_is_small(c) || small_value(c) < 0 || small_value(c) > 255 || n >= 65535) return false;
    }
    *len = n;
    return term_is_nil(t);
}

typedef struct pairs_ctx { Term *kv; size_t n; } pairs_ctx;
static bool collect_pair(Term k, Term v, void *arg)
{
    pairs_ctx *c = arg;
    c->kv[2 * c->n] = k;
    c->kv[2 * c->n + 1] = v;
    c->n++;
    return true;
}

/* OTP sorts by map-key order: exact term order, so every integer precedes
 * every float (1 before 1.0 before 2). */
static int cmp_keys(const void *a, const void *b) { return term_compare_exact(((const Term *)a)[0], ((const Term *)b)[0]); }

/* OTP writes a hash map's pairs in the reverse of its iteration order (the
 * order of maps:keys/1). */
static void reverse_pairs(Term *kv, size_t n)
{
    for (size_t i = 0, j = n - 1; i < j; i++, j--) {
        Term k = kv[2 * i], v = kv[2 * i + 1];
        kv[2 * i] = kv[2 * j];
        kv[2 * i + 1] = kv[2 * j + 1];
        kv[2 * j] = k;
        kv[2 * j + 1] = v;
    }
}

static void put_map(out *o, walk *w, Term map)
{
    size_t n = map_size(map);
    put8(o, T_MAP);
    put32(o, (uint32_t)n);
    Term *kv = malloc((2 * n + 1) * sizeof *kv);
    if (!kv) abort();
    pairs_ctx c = { kv, 0 };
    map_foreach(map, collect_pair, &c);
    if (o->opt->deterministic) qsort(kv, n, 2 * sizeof *kv, cmp_keys);
    else if (map_header_kind(boxed_header(map)) != MAP_KIND_FLAT) reverse_pairs(kv, n);
    push_all(w, kv, 2 * n);
    free(kv);
}

static void put_fun(out *o, walk *w, Term t)
{
    const FunThing *f = (const FunThing *)boxed_ptr(t);
    if (f->creator == am_external) {
        const Export *e = f->entry;
        put8(o, T_EXPORT);
        put_atom(o, e->module);
        put_atom(o, e->function);
        put8(o, T_SMALL_INT);
        put8(o, e->arity);
        return;
    }
    /* NEW_FUN: Size covers everything after the tag; it is patched in
     * when writing, computed from a counting pass over the same walk. */
    const FunEntry *fe = f->entry;
    unsigned nfree = (unsigned)(f->arity_and_free >> 8);
    put8(o, T_NEW_FUN);
    size_t size_at = o->n;
    put32(o, 0);
    put8(o, fe->arity);
    put(o, fe->code->beam->md5, 16);
    put32(o, fe->index);
    put32(o, nfree);
    put_atom(o, fe->module);
    put_integer(o, make_small(fe->index));
    put_integer(o, make_small(fe->old_uniq));
    /* The creator pid, then the free variables (encoded by the walk). */
    put8(o, T_NEW_PID);
    put_node(o);
    put32(o, (uint32_t)(f->creator >> TAG_IMMED1_SIZE));
    put32(o, 0);
    put32(o, 0);
    /* Free variables are written inline here so the size can be patched. */
    for (unsigned i = 0; i < nfree; i++)
        if (!etf_encode_into(o->buf, &o->n, f->env[i], o->opt)) o->ok = false;
    if (o->buf) {
        uint32_t size = (uint32_t)(o->n - size_at);
        o->buf[size_at] = (uint8_t)(size >> 24);
        o->buf[size_at + 1] = (uint8_t)(size >> 16);
        o->buf[size_at + 2] = (uint8_t)(size >> 8);
        o->buf[size_at + 3] = (uint8_t)size;
    }
    (void)w;
}

static void put_term(out *o, walk *w, Term t)
{
    if (term_is_integer(t)) { put_integer(o, t); return; }
    if (term_is_atom(t)) { put_atom(o, t); return; }
    if (term_is_nil(t)) { put8(o, T_NIL); return; }
    if (term_is_pid(t)) {
        put8(o, T_NEW_PID);
        put_node(o);
        put32(o, (uint32_t)(t >> TAG_IMMED1_SIZE));
        put32(o, 0);
        put32(o, 0);
        return;
    }
    if (term_is_port(t)) {
        /* OTP 25: NEW_PORT_EXT, a 32-bit id and creation 0. */
        put8(o, T_NEW_PORT);
        put_node(o);
        put32(o, (uint32_t)(t >> TAG_IMMED1_SIZE));
        put32(o, 0);
        return;
    }
    if (term_is_list(t)) {
        size_t len;
        if (byte_string(t, &len)) {
            put8(o, T_STRING);
            put16(o, (unsigned)len);
            for (; term_is_list(t); t = list_tail(t)) put8(o, (unsigned)small_value(list_head(t)));
            return;
        }
        size_t n = 0;
        Term l = t;
        for (; term_is_list(l); l = list_tail(l)) n++;
        put8(o, T_LIST);
        put32(o, (uint32_t)n);
        push(w, l);   /* the tail comes after the elements */
        Term *elems = malloc((n ? n : 1) * sizeof *elems);
        if (!elems) abort();
        size_t i = 0;
        for (l = t; term_is_list(l); l = list_tail(l)) elems[i++] = list_head(l);
        push_all(w, elems, n);
        free(elems);
        return;
    }
    if (term_is_float(t)) { put_float(o, float_value(t)); return; }
    if (term_is_tuple(t)) {
        UWord n = tuple_arity(t);
        if (n < 256) { put8(o, T_SMALL_TUPLE); put8(o, (unsigned)n); }
        else { put8(o, T_LARGE_TUPLE); put32(o, (uint32_t)n); }
        push_all(w, tuple_elements(t), n);
        return;
    }
    if (term_is_map(t)) { put_map(o, w, t); return; }
    if (term_is_binary_like(t)) { put_binary(o, t); return; }
    if (term_is_fun(t)) { put_fun(o, w, t); return; }
    if (term_is_boxed_with(t, HDR_REF)) {
        uint64_t id = boxed_ptr(t)[1];
        put8(o, T_NEWER_REF);
        put16(o, 3);
        put_node(o);
        put32(o, 0);
        put32(o, (uint32_t)id);
        put32(o, (uint32_t)(id >> 32));
        put32(o, 0);
        return;
    }
    o->ok = false;   /* match states cannot be encoded */
}

bool etf_encode_into(uint8_t *base, size_t *n, Term t, const etf_options *opt)
{
    out o = { base, *n, opt, true };
    walk w = { 0 };
    push(&w, t);
    while (w.n && o.ok) put_term(&o, &w, w.items[--w.n]);
    free(w.items);
    *n = o.n;
    return o.ok;
}

bool etf_encoded_size(Term t, const etf_options *opt, size_t *size)
{
    *size = 1;
    return etf_encode_into(NULL, size, t, opt);
}

void etf_encode(uint8_t *buf, Term t, const etf_options *opt)
{
    buf[0] = 131;
    size_t n = 1;
    etf_encode_into(buf, &n, t, opt);
}
