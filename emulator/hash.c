/*
 * hash.c — OTP 25's make_hash2 (phash2) and make_hash (phash), value for
 * value (contract in hash.h).
 *
 * Both walk the term with an explicit stack. make_hash2 mixes 32-bit words
 * into its state with Bob Jenkins' lookup2 MIX, a different constant per
 * kind of term; make_hash is a multiplicative hash with "funny" primes.
 * Map hashes are independent of iteration order (pair hashes are XORed),
 * which is why cbeam's own HAMT layout still hashes like OTP's.
 */
#include "hash.h"

#include <stdio.h>
#include <stdlib.h>

#include "atom.h"
#include "bif.h"
#include "emu.h"
#include "export.h"
#include "term_order.h"

/* --- the work stack ---------------------------------------------------------- */

typedef struct wstack {
    UWord *items;
    size_t n, cap;
    UWord local[64];
} wstack;

static void ws_init(wstack *s)
{
    s->items = s->local;
    s->n = 0;
    s->cap = sizeof s->local / sizeof s->local[0];
}

static void ws_free(wstack *s)
{
    if (s->items != s->local) free(s->items);
}

static void ws_push(wstack *s, UWord w)
{
    if (s->n == s->cap) {
        size_t cap = s->cap * 2;
        UWord *p = s->items == s->local ? malloc(cap * sizeof *p) : realloc(s->items, cap * sizeof *p);
        if (!p) { fputs("cbeam: out of memory while hashing a term\n", stderr); abort(); }
        if (s->items == s->local) memcpy(p, s->local, sizeof s->local);
        s->items = p;
        s->cap = cap;
    }
    s->items[s->n++] = w;
}

static UWord ws_pop(wstack *s) { return s->items[--s->n]; }
static bool ws_empty(const wstack *s) { return s->n == 0; }

/* --- atoms --------------------------------------------------------------------- */

/* hashpjw over the atom's text. OTP stores atoms as UTF-8 but still folds
 * a two-byte sequence for U+0080..U+00FF into its Latin-1 byte (its "latin1
 * clutch", kept so hashes did not change when atoms became UTF-8). */
uint32_t atom_hash_value(Term atom)
{
    const uint8_t *p = (const uint8_t *)atom_text(atom);
    size_t len = atom_len(atom);
    UWord h = 0; /* OTP's HashValue is an unsigned long */
    while (len--) {
        unsigned v = *p++;
        if (len && (v & 0xFE) == 0xC2 && (*p & 0xC0) == 0x80) {
            v = ((v << 6) | (*p & 0x3F)) & 0xFF;
            p++;
            len--;
        }
        h = (h << 4) + v;
        UWord g = h & 0xF0000000u;
        if (g) {
            h ^= g >> 24;
            h ^= g;
        }
    }
    return (uint32_t)h;
}

/* --- make_hash2 ------------------------------------------------------------------ */

#define HCONST 0x9e3779b9u
#define HCONST_N(k) ((uint32_t)(HCONST * (uint32_t)(k)))

#define MIX(a, b, c)                                   \
    do {                                               \
        a -= b; a -= c; a ^= (c >> 13);                \
        b -= c; b -= a; b ^= (a << 8);                 \
        c -= a; c -= b; c ^= (b >> 13);                \
        a -= b; a -= c; a ^= (c >> 12);                \
        b -= c; b -= a; b ^= (a << 16);                \
        c -= a; c -= b; c ^= (b >> 5);                 \
        a -= b; a -= c; a ^= (c >> 3);                 \
        b -= c; b -= a; b ^= (a << 10);                \
        c -= a; c -= b; c ^= (b >> 15);                \
    } while (0)

static uint32_t mix2(uint32_t hash, uint32_t x, uint32_t y, uint32_t konst)
{
    uint32_t a = konst + x, b = konst + y;
    MIX(a, b, hash);
    return hash;
}

static uint32_t mix1(uint32_t hash, uint32_t x, uint32_t konst) { return mix2(hash, x, 0, konst); }

static uint32_t le32(const uint8_t *k)
{
    return k[0] | (uint32_t)k[1] << 8 | (uint32_t)k[2] << 16 | (uint32_t)k[3] << 24;
}

/* Bob Jenkins' lookup2 hash of a byte string, chained on initval. */
static uint32_t block_hash(const uint8_t *k, size_t length, uint32_t initval)
{
    uint32_t a = HCONST, b = HCONST, c = initval;
    size_t len = length;
    for (; len >= 12; k += 12, len -= 12) {
        a += le32(k);
        b += le32(k + 4);
        c += le32(k + 8);
        MIX(a, b, c);
    }
    c += (uint32_t)length;
    switch (len) { /* every case falls through; c's low byte holds the length */
    case 11: c += (uint32_t)k[10] << 24; /* fall through */
    case 10: c += (uint32_t)k[9] << 16;  /* fall through */
    case 9:  c += (uint32_t)k[8] << 8;   /* fall through */
    case 8:  b += (uint32_t)k[7] << 24;  /* fall through */
    case 7:  b += (uint32_t)k[6] << 16;  /* fall through */
    case 6:  b += (uint32_t)k[5] << 8;   /* fall through */
    case 5:  b += k[4];                  /* fall through */
    case 4:  a += (uint32_t)k[3] << 24;  /* fall through */
    case 3:  a += (uint32_t)k[2] << 16;  /* fall through */
    case 2:  a += (uint32_t)k[1] << 8;   /* fall through */
    case 1:  a += k[0];
    }
    MIX(a, b, c);
    return c;
}

/* Markers on the make_hash2 stack: header words, which no term equals. */
#define MARK_MAP_TAIL make_header(1, HDR_REF)
#define MARK_MAP_PAIR make_header(2, HDR_REF)

typedef struct hash2_state {
    uint32_t hash;
    uint32_t xor_pairs; /* XOR of the pair hashes of the innermost map */
    wstack stack;
} hash2_state;

static uint32_t hash2_small(uint32_t hash, SWord v)
{
    if (v < -(SWord)(1 << 27) || v >= (SWord)(1 << 27)) {
        UWord mag = v < 0 ? (UWord)0 - (UWord)v : (UWord)v;
        return mix2(hash, (uint32_t)mag, (uint32_t)(mag >> 32), v < 0 ? HCONST_N(10) : HCONST_N(11));
    }
    int32_t y = (int32_t)v;
    if (y < 0) hash = mix1(hash, (uint32_t)-y, HCONST); /* OTP mixes negatives twice */
    return mix1(hash, (uint32_t)y, HCONST);
}

static uint32_t hash2_bignum(uint32_t hash, Term t)
{
    uint32_t konst = bignum_is_negative(t) ? HCONST_N(10) : HCONST_N(11);
    const UWord *d = bignum_digits(t);
    for (UWord i = 0; i < bignum_digit_count(t); i++)
        hash = mix2(hash, (uint32_t)d[i], (uint32_t)(d[i] >> 32), konst);
    return hash;
}

static uint32_t hash2_float(uint32_t hash, double d)
{
    if (d == 0.0) d = 0.0; /* -0.0 hashes as 0.0 */
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    /* OTP mixes the high word first (verified against erl) */
    return mix2(hash, (uint32_t)(bits >> 32), (uint32_t)bits, HCONST_N(12));
}

/* The bitstring's bytes from its first bit: a pointer into the binary when
 * it is byte-aligned, else a malloc'd copy (*copy set, caller frees). */
static const uint8_t *aligned_bytes(const bitstring_view *v, uint8_t **copy)
{
    *copy = NULL;
    if (v->bit_offset == 0) return v->bytes;
    size_t n = (v->bit_size + 7) / 8;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) { fputs("cbeam: out of memory while hashing a term\n", stderr); abort(); }
    for (size_t i = 0; i < v->bit_size / 8; i++) buf[i] = bitstring_byte(v, i);
    if (v->bit_size % 8) {
        uint8_t last = 0;
        for (size_t bit = v->bit_size / 8 * 8; bit < v->bit_size; bit++)
            last |= (uint8_t)(bitstring_bit(v, bit) << (7 - bit % 8));
        buf[n - 1] = last;
    }
    *copy = buf;
    return buf;
}

static uint32_t hash2_bitstring(uint32_t hash, Term t)
{
    bitstring_view v;
    bitstring_view_of(t, &v);
    size_t size = v.bit_size / 8, bits = v.bit_size % 8;
    uint32_t konst = HCONST_N(13) + hash;
    if (v.bit_size == 0) return konst;
    uint8_t *copy;
    const uint8_t *bytes = aligned_bytes(&v, &copy);
    hash = block_hash(bytes, size, konst);
    if (bits) hash = mix2(hash, (uint32_t)bits, bytes[size] >> (8 - bits), HCONST_N(15));
    free(copy);
    return hash;
}

static bool is_export_fun(const FunThing *f) { return f->creator == am_external; }

static uint32_t hash2_fun(hash2_state *s, Term t)
{
    const FunThing *f = (const FunThing *)boxed_ptr(t);
    if (is_export_fun(f)) {
        const Export *e = f->entry;
        s->hash = mix2(s->hash, e->arity, atom_hash_value(e->module), HCONST);
        return mix1(s->hash, atom_hash_value(e->function), HCONST_N(14));
    }
    const FunEntry *fe = f->entry;
    UWord num_free = f->arity_and_free >> 8;
    s->hash = mix2(s->hash, (uint32_t)num_free, atom_hash_value(fe->module), HCONST);
    s->hash = mix2(s->hash, fe->index, fe->old_uniq, HCONST);
    for (UWord i = num_free; i-- > 0;) ws_push(&s->stack, f->env[i]);
    return s->hash;
}

/* Opens a map: its size is mixed into the enclosing hash, then each pair
 * is hashed from zero and XORed into xor_pairs; MARK_MAP_TAIL restores
 * the enclosing state and mixes the XOR in. */
static void hash2_open_map(hash2_state *s, UWord size)
{
    s->hash = mix1(s->hash, (uint32_t)size, HCONST_N(16));
    if (size == 0) return;
    ws_push(&s->stack, s->xor_pairs);
    ws_push(&s->stack, s->hash);
    ws_push(&s->stack, MARK_MAP_TAIL);
    s->hash = 0;
    s->xor_pairs = 0;
}

static void push_pair(hash2_state *s, Term key, Term value)
{
    ws_push(&s->stack, MARK_MAP_PAIR);
    ws_push(&s->stack, value);
    ws_push(&s->stack, key);
}

static void push_hamt_children(hash2_state *s, const Term *children, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        Term child = children[i];
        if (term_is_list(child)) push_pair(s, list_head(child), list_tail(child));
        else if (term_is_tuple(child)) /* cbeam's collision node: a tuple of leaves */
            for (UWord j = 0; j < tuple_arity(child); j++) {
                Term leaf = tuple_elements(child)[j];
                push_pair(s, list_head(leaf), list_tail(leaf));
            }
        else ws_push(&s->stack, child);
    }
}

static void hash2_map(hash2_state *s, Term t)
{
    const Term *m = boxed_ptr(t);
    unsigned kind = map_header_kind(m[0]);
    unsigned bitmap = map_header_bitmap(m[0]);
    switch (kind) {
    case MAP_KIND_FLAT: {
        UWord n = m[1];
        hash2_open_map(s, n);
        const Term *keys = tuple_elements(m[2]);
        for (UWord i = n; i-- > 0;) push_pair(s, keys[i], m[3 + i]);
        return;
    }
    case MAP_KIND_HEAD_ARRAY:
        hash2_open_map(s, m[1]);
        push_hamt_children(s, m + 2, 16);
        return;
    case MAP_KIND_HEAD_BITMAP:
        hash2_open_map(s, m[1]);
        push_hamt_children(s, m + 2, bitmap_count(bitmap));
        return;
    default: /* an inner node, reached through the stack */
        push_hamt_children(s, m + 1, bitmap_count(bitmap));
        return;
    }
}

/* Hashes the boxed term t; returns a subterm to continue with, or
 * THE_NON_VALUE when t is done. */
static Term hash2_boxed(hash2_state *s, Term t)
{
    Term hdr = boxed_header(t);
    switch (header_subtag(hdr)) {
    case HDR_TUPLE: {
        UWord n = header_arity(hdr);
        s->hash = mix1(s->hash, (uint32_t)n, HCONST_N(9));
        if (n == 0) return THE_NON_VALUE;
        for (UWord i = n; i > 1; i--) ws_push(&s->stack, tuple_elements(t)[i - 1]);
        return tuple_elements(t)[0];
    }
    case HDR_MAP: hash2_map(s, t); return THE_NON_VALUE;
    case HDR_POS_BIG: case HDR_NEG_BIG: s->hash = hash2_bignum(s->hash, t); return THE_NON_VALUE;
    case HDR_FLOAT: s->hash = hash2_float(s->hash, float_value(t)); return THE_NON_VALUE;
    case HDR_REFC_BIN: case HDR_HEAP_BIN: case HDR_SUB_BIN:
        s->hash = hash2_bitstring(s->hash, t);
        return THE_NON_VALUE;
    case HDR_FUN: s->hash = hash2_fun(s, t); return THE_NON_VALUE;
    case HDR_EXTERNAL_PID:   /* as a local pid: the number only, not the node */
        s->hash = mix1(s->hash, (uint32_t)boxed_ptr(t)[3] & 0x7FFF, HCONST_N(5));
        return THE_NON_VALUE;
    case HDR_EXTERNAL_PORT: {
        uint64_t n = boxed_ptr(t)[3];
        s->hash = mix2(s->hash, (uint32_t)n, (uint32_t)(n >> 32), HCONST_N(6));
        return THE_NON_VALUE;
    }
    case HDR_EXTERNAL_REF:   /* the first ID word, as OTP */
        s->hash = mix1(s->hash, (uint32_t)boxed_ptr(t)[3], HCONST_N(7));
        return THE_NON_VALUE;
    default: /* refs: see hash.h */
        for (UWord i = 0; i < identity_words(boxed_ptr(t)); i++)
            s->hash = mix2(s->hash, (uint32_t)boxed_ptr(t)[1 + i], (uint32_t)(boxed_ptr(t)[1 + i] >> 32), HCONST_N(7));
        return THE_NON_VALUE;
    }
}

static bool is_byte(Term t) { return term_is_small(t) && (UWord)small_value(t) < 256; }

/* A list: runs of byte elements are packed four to a word (OTP's string
 * fast path); returns the next term to hash. */
static Term hash2_list(hash2_state *s, Term t)
{
    unsigned count = 0;
    uint32_t packed = 0;
    const Term *cell = list_ptr(t);
    while (is_byte(cell[0])) {
        packed = (packed << 8) + (uint32_t)small_value(cell[0]);
        if (count == 3) {
            s->hash = mix1(s->hash, packed, HCONST_N(4));
            count = 0;
            packed = 0;
        } else {
            count++;
        }
        t = cell[1];
        if (!term_is_list(t)) break;
        cell = list_ptr(t);
    }
    if (count > 0) s->hash = mix1(s->hash, packed, HCONST_N(4));
    if (!term_is_list(t)) return t;
    ws_push(&s->stack, cell[1]);
    return cell[0];
}

/* A local pid hashes its 15-bit number (not its serial), a local port its
 * whole number (layouts as term_print.c). */
static uint32_t pid_number(Term t) { return (uint32_t)((t >> TAG_IMMED1_SIZE) & 0x7FFF); }
static uint32_t port_number(Term t) { return (uint32_t)(t >> TAG_IMMED1_SIZE); }

static Term hash2_immediate(hash2_state *s, Term t)
{
    if (term_is_small(t)) s->hash = hash2_small(s->hash, small_value(t));
    else if (term_is_atom(t))
        s->hash = s->hash == 0 ? atom_hash_value(t) : mix1(s->hash, atom_hash_value(t), HCONST_N(3));
    else if (term_is_nil(t))
        s->hash = s->hash == 0 ? 3468870702u : mix1(s->hash, 2 /* OTP's NIL_DEF */, HCONST_N(2));
    else if (term_is_pid(t)) s->hash = mix1(s->hash, pid_number(t), HCONST_N(5));
    else if (term_is_port(t)) s->hash = mix1(s->hash, port_number(t), HCONST_N(6));
    return THE_NON_VALUE;
}

static Term hash2_term(hash2_state *s, Term t)
{
    if (term_is_list(t)) return hash2_list(s, t);
    if (term_is_boxed(t)) return hash2_boxed(s, t);
    return hash2_immediate(s, t);
}

/* Pops the next term to hash, handling the map markers on the way;
 * THE_NON_VALUE when the stack is empty. */
static Term hash2_next(hash2_state *s)
{
    while (!ws_empty(&s->stack)) {
        UWord w = ws_pop(&s->stack);
        if (w == MARK_MAP_PAIR) {
            s->xor_pairs ^= s->hash;
            s->hash = 0;
        } else if (w == MARK_MAP_TAIL) {
            s->hash = (uint32_t)ws_pop(&s->stack);
            s->hash = mix1(s->hash, s->xor_pairs, HCONST_N(19));
            s->xor_pairs = (uint32_t)ws_pop(&s->stack);
        } else {
            return w;
        }
    }
    return THE_NON_VALUE;
}

uint32_t term_hash2(Term t)
{
    hash2_state s = { 0, 0, { 0 } };
    ws_init(&s.stack);
    while (t != THE_NON_VALUE) {
        t = hash2_term(&s, t);
        if (t == THE_NON_VALUE) t = hash2_next(&s);
    }
    ws_free(&s.stack);
    return s.hash;
}

/* --- make_hash ---------------------------------------------------------------------- */

#define FUNNY_NUMBER1  268440163u
#define FUNNY_NUMBER2  268439161u
#define FUNNY_NUMBER3  268435459u
#define FUNNY_NUMBER4  268436141u
#define FUNNY_NUMBER5  268438633u
#define FUNNY_NUMBER6  268437017u
#define FUNNY_NUMBER7  268438039u
#define FUNNY_NUMBER8  268437511u
#define FUNNY_NUMBER9  268439627u
#define FUNNY_NUMBER10 268440479u
#define FUNNY_NUMBER11 268440577u
#define FUNNY_NUMBER12 268440581u
#define FUNNY_NUMBER13 268440593u
#define FUNNY_NUMBER14 268440611u

/* Operations queued on the make_hash stack, above any term word. */
enum { OP_TUPLE_NEXT = 1, OP_ARRAY_NEXT, OP_CDR_PRE, OP_CDR_POST };
#define OP_WORD(op) make_header((op), HDR_REF) /* header words: never a term */

static uint32_t step_bytes(uint32_t hash, uint32_t x, uint32_t prime)
{
    hash = hash * prime + (x & 0xFF);
    hash = hash * prime + ((x >> 8) & 0xFF);
    hash = hash * prime + ((x >> 16) & 0xFF);
    return hash * prime + (x >> 24);
}

static uint32_t hash1_small(uint32_t hash, SWord v)
{
    UWord mag = v < 0 ? (UWord)0 - (UWord)v : (UWord)v;
    hash = step_bytes(hash, (uint32_t)mag, FUNNY_NUMBER2);
    if (mag >> 32) hash = step_bytes(hash, (uint32_t)(mag >> 32), FUNNY_NUMBER2);
    return hash * (v < 0 ? FUNNY_NUMBER4 : FUNNY_NUMBER3);
}

/* "The exact same thing as the hashing of smalls": whole 64-bit digits
 * byte by byte, the top digit as 4 bytes if it fits in 32 bits. */
static uint32_t hash1_bignum(uint32_t hash, Term t)
{
    const UWord *d = bignum_digits(t);
    UWord n = bignum_digit_count(t);
    for (UWord i = 0; i < n; i++) {
        UWord digit = d[i];
        int bytes = (i + 1 < n || digit >> 32) ? 8 : 4;
        for (int j = 0; j < bytes; j++, digit >>= 8) hash = hash * FUNNY_NUMBER2 + (uint32_t)(digit & 0xFF);
    }
    return hash * (bignum_is_negative(t) ? FUNNY_NUMBER4 : FUNNY_NUMBER3);
}

static uint32_t hash1_bitstring(uint32_t hash, Term t)
{
    bitstring_view v;
    bitstring_view_of(t, &v);
    size_t size = v.bit_size / 8, bits = v.bit_size % 8;
    uint8_t *copy;
    const uint8_t *bytes = aligned_bytes(&v, &copy);
    for (size_t i = 0; i < size; i++) hash = hash * FUNNY_NUMBER1 + bytes[i];
    if (bits) hash = (hash * FUNNY_NUMBER1 + (bytes[size] >> (8 - bits))) * FUNNY_NUMBER12 + (uint32_t)bits;
    free(copy);
    return hash * FUNNY_NUMBER4 + (uint32_t)size;
}

static uint32_t hash1_float(uint32_t hash, double d)
{
    if (d == 0.0) d = 0.0;
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return hash * FUNNY_NUMBER6 + ((uint32_t)bits ^ (uint32_t)(bits >> 32));
}

static uint32_t hash1_fun(uint32_t hash, Term t)
{
    const FunThing *f = (const FunThing *)boxed_ptr(t);
    if (is_export_fun(f)) {
        const Export *e = f->entry;
        hash = hash * FUNNY_NUMBER11 + e->arity;
        hash = hash * FUNNY_NUMBER1 + atom_hash_value(e->module);
        return hash * FUNNY_NUMBER1 + atom_hash_value(e->function);
    }
    const FunEntry *fe = f->entry;
    hash = hash * FUNNY_NUMBER10 + (uint32_t)(f->arity_and_free >> 8);
    hash = hash * FUNNY_NUMBER1 + atom_hash_value(fe->module);
    hash = hash * FUNNY_NUMBER2 + fe->index;
    return hash * FUNNY_NUMBER2 + fe->old_uniq;
}

typedef struct hash1_state {
    uint32_t hash;
    wstack stack;
} hash1_state;

/* A local fun's environment, first to last, after its identity. */
static Term hash1_fun_env(hash1_state *s, Term t)
{
    const FunThing *f = (const FunThing *)boxed_ptr(t);
    UWord num_free = is_export_fun(f) ? 0 : f->arity_and_free >> 8;
    if (num_free == 0) return THE_NON_VALUE;
    if (num_free > 1) {
        ws_push(&s->stack, (UWord)(uintptr_t)(f->env + 1));
        ws_push(&s->stack, num_free - 1);
        ws_push(&s->stack, OP_WORD(OP_ARRAY_NEXT));
    }
    return f->env[0];
}

/* A list: byte elements are hashed inline (OTP's string fast path, which
 * differs from hashing them as smalls); the first other element is hashed
 * as a term with the rest queued behind OP_CDR_PRE. */
static Term hash1_list(hash1_state *s, Term t)
{
    const Term *cell = list_ptr(t);
    while (is_byte(cell[0])) {
        s->hash = s->hash * FUNNY_NUMBER2 + (uint32_t)small_value(cell[0]);
        if (!term_is_list(cell[1])) {
            ws_push(&s->stack, OP_WORD(OP_CDR_POST));
            return cell[1];
        }
        cell = list_ptr(cell[1]);
    }
    ws_push(&s->stack, cell[1]);
    ws_push(&s->stack, OP_WORD(OP_CDR_PRE));
    return cell[0];
}

/* Hashes t, or queues its parts; returns a term to continue with or
 * THE_NON_VALUE. */
static Term hash1_term(hash1_state *s, Term t)
{
    uint32_t h = s->hash;
    if (term_is_list(t)) return hash1_list(s, t);
    if (term_is_small(t)) h = hash1_small(h, small_value(t));
    else if (term_is_atom(t)) h = h * FUNNY_NUMBER1 + atom_hash_value(t);
    else if (term_is_nil(t)) h = h * FUNNY_NUMBER3 + 1;
    else if (term_is_pid(t)) h = step_bytes(h, pid_number(t), FUNNY_NUMBER5) * FUNNY_NUMBER6;
    else if (term_is_port(t)) h = step_bytes(h, port_number(t), FUNNY_NUMBER9) * FUNNY_NUMBER10;
    else if (term_is_tuple(t)) {
        /* elements first to last, then hash*F9 + arity */
        ws_push(&s->stack, tuple_arity(t));
        ws_push(&s->stack, (UWord)(uintptr_t)tuple_elements(t));
        ws_push(&s->stack, tuple_arity(t));
        ws_push(&s->stack, OP_WORD(OP_TUPLE_NEXT));
    } else if (term_is_bignum(t)) h = hash1_bignum(h, t);
    else if (term_is_float(t)) h = hash1_float(h, float_value(t));
    else if (term_is_binary_like(t)) h = hash1_bitstring(h, t);
    else if (term_is_map(t)) h = h * FUNNY_NUMBER13 + FUNNY_NUMBER14 + term_hash2(t);
    else if (term_is_fun(t)) {
        s->hash = hash1_fun(h, t);
        return hash1_fun_env(s, t);
    }
    else if (term_is_boxed_with(t, HDR_EXTERNAL_PID))   /* as a local pid: the number, not the node */
        h = step_bytes(h, (uint32_t)boxed_ptr(t)[3] & 0x7FFF, FUNNY_NUMBER5) * FUNNY_NUMBER6;
    else if (term_is_boxed_with(t, HDR_EXTERNAL_PORT)) {   /* the high word if any, then the low one */
        uint64_t n = boxed_ptr(t)[3];
        if (n >> 32) h = step_bytes(h, (uint32_t)(n >> 32), FUNNY_NUMBER11);
        h = step_bytes(h, (uint32_t)n, FUNNY_NUMBER9);
        h *= FUNNY_NUMBER10;
    }
    else if (term_is_boxed_with(t, HDR_EXTERNAL_REF))   /* the first ID word */
        h = step_bytes(h, (uint32_t)boxed_ptr(t)[3], FUNNY_NUMBER9) * FUNNY_NUMBER10;
    else { /* refs: see hash.h */
        for (UWord i = 0; i < identity_words(boxed_ptr(t)); i++)
            h = step_bytes(h, (uint32_t)boxed_ptr(t)[1 + i], FUNNY_NUMBER9);
        h *= FUNNY_NUMBER10;
    }
    s->hash = h;
    return THE_NON_VALUE;
}

/* The next element of a tuple (op OP_TUPLE_NEXT, which ends with
 * hash*F9 + arity) or of a fun's environment (OP_ARRAY_NEXT). */
static Term hash1_array_next(hash1_state *s, UWord op)
{
    UWord left = ws_pop(&s->stack);
    const Term *elems = (const Term *)(uintptr_t)ws_pop(&s->stack);
    if (left == 0) {
        if (op == OP_WORD(OP_TUPLE_NEXT)) s->hash = s->hash * FUNNY_NUMBER9 + (uint32_t)ws_pop(&s->stack);
        return THE_NON_VALUE;
    }
    ws_push(&s->stack, (UWord)(uintptr_t)(elems + 1));
    ws_push(&s->stack, left - 1);
    ws_push(&s->stack, op);
    return elems[0];
}

/* Runs queued operations until one yields a term to hash. */
static Term hash1_next(hash1_state *s)
{
    while (!ws_empty(&s->stack)) {
        UWord op = ws_pop(&s->stack);
        if (op == OP_WORD(OP_TUPLE_NEXT) || op == OP_WORD(OP_ARRAY_NEXT)) {
            Term t = hash1_array_next(s, op);
            if (t != THE_NON_VALUE) return t;
        } else if (op == OP_WORD(OP_CDR_PRE)) {
            Term tail = ws_pop(&s->stack);
            if (term_is_list(tail)) return tail;
            ws_push(&s->stack, OP_WORD(OP_CDR_POST));
            return tail;
        } else { /* OP_CDR_POST */
            s->hash *= FUNNY_NUMBER8;
        }
    }
    return THE_NON_VALUE;
}

/* --- make_internal_hash: the hash of map keys -------------------------------- */

/* OTP's make_internal_hash (Jenkins MIX, as OTP's generic x86-64 build):
 * it decides where a key sits in a hash map, and so the order in which
 * maps:to_list, printing and term_to_binary list a map over 32 keys.
 * Immediates are hashed by their word; for small integers cbeam's word is
 * OTP's, for atoms, pids and ports it is an index that differs between
 * any two VMs (as between two runs of erl that create atoms in another
 * order); NIL's word is OTP's too. Everything else is hashed by value, as
 * OTP does. */
#define INTERNAL_HASH_SALT 3432918353u
#define MARK_HASH_CDR make_header(3, HDR_REF)

static uint32_t const_hash(uint32_t hash, uint32_t k)
{
    hash ^= k;
    return (hash << 17) ^ (hash >> 15);
}

static uint32_t internal_immediate(uint32_t hash, Term t)
{
    return mix2(hash, (uint32_t)t, (uint32_t)(t >> 32), HCONST);
}

static void internal_push_hamt(wstack *s, const Term *children, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (term_is_list(children[i])) {
            ws_push(s, list_tail(children[i]));
            ws_push(s, list_head(children[i]));
        } else ws_push(s, children[i]);   /* a node, or a collision tuple */
    }
}

static void internal_map(uint32_t *hash, wstack *s, Term t)
{
    const Term *m = boxed_ptr(t);
    unsigned bitmap = map_header_bitmap(m[0]);
    switch (map_header_kind(m[0])) {
    case MAP_KIND_FLAT: {
        UWord n = m[1];
        *hash = mix1(*hash, (uint32_t)n, HCONST_N(16));
        for (UWord i = n; i-- > 0;) {
            ws_push(s, m[3 + i]);
            ws_push(s, tuple_elements(m[2])[i]);
        }
        return;
    }
    case MAP_KIND_HEAD_ARRAY:
        *hash = mix1(*hash, (uint32_t)m[1], HCONST_N(16));
        if (m[1]) internal_push_hamt(s, m + 2, 16);
        return;
    case MAP_KIND_HEAD_BITMAP:
        *hash = mix1(*hash, (uint32_t)m[1], HCONST_N(16));
        if (m[1]) internal_push_hamt(s, m + 2, bitmap_count(bitmap));
        return;
    default:
        internal_push_hamt(s, m + 1, bitmap_count(bitmap));
        return;
    }
}

/* A boxed term: its hash is mixed in; returns a subterm to continue with,
 * or THE_NON_VALUE. */
static Term internal_boxed(uint32_t *hash, wstack *s, Term t)
{
    Term hdr = boxed_header(t);
    switch (header_subtag(hdr)) {
    case HDR_TUPLE: {
        UWord n = header_arity(hdr);
        *hash = mix1(*hash, (uint32_t)n, HCONST_N(9));
        if (n == 0) return THE_NON_VALUE;
        for (UWord i = n; i > 1; i--) ws_push(s, tuple_elements(t)[i - 1]);
        return tuple_elements(t)[0];
    }
    case HDR_MAP: internal_map(hash, s, t); return THE_NON_VALUE;
    case HDR_POS_BIG: case HDR_NEG_BIG: *hash = hash2_bignum(*hash, t); return THE_NON_VALUE;
    case HDR_FLOAT: {
        double d = float_value(t);
        if (d == 0.0) d = 0.0;
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        /* OTP mixes the double's words in memory order: low first. */
        *hash = mix2(*hash, (uint32_t)bits, (uint32_t)(bits >> 32), HCONST_N(12));
        return THE_NON_VALUE;
    }
    case HDR_REFC_BIN: case HDR_HEAP_BIN: case HDR_SUB_BIN:
        *hash = hash2_bitstring(*hash, t);
        return THE_NON_VALUE;
    case HDR_FUN: {
        const FunThing *f = (const FunThing *)boxed_ptr(t);
        if (is_export_fun(f)) {   /* OTP hashes the Export's address */
            UWord e = (UWord)f->entry;
            *hash = mix2(*hash, (uint32_t)e, (uint32_t)(e >> 32), HCONST_N(14));
            return THE_NON_VALUE;
        }
        const FunEntry *fe = f->entry;
        UWord num_free = f->arity_and_free >> 8;
        *hash = mix2(*hash, (uint32_t)num_free, (uint32_t)fe->module, HCONST_N(20));
        *hash = mix2(*hash, fe->index, fe->old_uniq, HCONST_N(21));
        if (num_free == 0) return THE_NON_VALUE;
        for (UWord i = num_free; i-- > 1;) ws_push(s, f->env[i]);
        return f->env[0];
    }
    default: /* refs, external pids/ports: their identity words */
        for (UWord i = 0; i < identity_words(boxed_ptr(t)); i++)
            *hash = mix2(*hash, (uint32_t)boxed_ptr(t)[1 + i], (uint32_t)(boxed_ptr(t)[1 + i] >> 32), HCONST_N(7));
        return THE_NON_VALUE;
    }
}

/* A list: runs of bytes four to a word, then the first element that is
 * not a byte (its tail pushed); returns the next term to hash. */
static Term internal_list(uint32_t *hash, wstack *s, Term t)
{
    unsigned c = 0;
    uint32_t packed = 0;
    const Term *cell = list_ptr(t);
    while (is_byte(cell[0])) {
        packed = (packed << 8) + (uint32_t)small_value(cell[0]);
        if (c == 3) {
            *hash = mix1(*hash, packed, HCONST_N(4));
            c = 0;
            packed = 0;
        } else c++;
        t = cell[1];
        if (!term_is_list(t)) break;
        cell = list_ptr(t);
    }
    if (c > 0) *hash = mix2(*hash, packed, c, HCONST_N(22));
    if (!term_is_list(t)) return t;
    Term tail = cell[1];
    *hash = const_hash(*hash, HCONST_N(17));
    ws_push(s, tail);
    if (!term_is_list(tail)) ws_push(s, MARK_HASH_CDR);
    return cell[0];
}

uint32_t term_internal_hash(Term t, uint32_t salt)
{
    uint32_t hash = salt ^ INTERNAL_HASH_SALT;
    if (term_is_immed(t)) return internal_immediate(hash, t);
    wstack s;
    ws_init(&s);
    for (;;) {
        if (term_is_list(t)) {
            t = internal_list(&hash, &s, t);
            continue;
        }
        if (term_is_boxed(t)) t = internal_boxed(&hash, &s, t);
        else {
            hash = internal_immediate(hash, t);
            t = THE_NON_VALUE;
        }
        while (t == THE_NON_VALUE) {
            if (ws_empty(&s)) {
                ws_free(&s);
                return hash;
            }
            t = ws_pop(&s);
            if (t == MARK_HASH_CDR) {
                hash = const_hash(hash, HCONST_N(18));
                t = THE_NON_VALUE;
            }
        }
    }
}

uint32_t term_hash1(Term t)
{
    hash1_state s = { 0, { 0 } };
    ws_init(&s.stack);
    while (t != THE_NON_VALUE) {
        t = hash1_term(&s, t);
        if (t == THE_NON_VALUE) t = hash1_next(&s);
    }
    ws_free(&s.stack);
    return s.hash;
}

/* --- the BIFs ------------------------------------------------------------------------ */

/* A hash range: an integer 1..2^32 (a small on 64 bits); 0 if invalid. */
static uint64_t hash_range(Term t)
{
    if (!term_is_small(t)) return 0;
    SWord r = small_value(t);
    return r >= 1 && r <= (SWord)1 << 32 ? (uint64_t)r : 0;
}

Term bif_phash2_1(Process *p, Term *args)
{
    (void)p;
    return make_small(term_hash2(args[0]) & ((1u << 27) - 1));
}

Term bif_phash2_2(Process *p, Term *args)
{
    uint64_t range = hash_range(args[1]);
    if (range == 0) BIF_ERROR(p, EXC_BADARG);
    return make_small((SWord)(term_hash2(args[0]) % range));
}

Term bif_phash_2(Process *p, Term *args)
{
    uint64_t range = hash_range(args[1]);
    if (range == 0) BIF_ERROR(p, EXC_BADARG);
    return make_small((SWord)(1 + term_hash1(args[0]) % range));
}
