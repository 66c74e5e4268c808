/*
 * map.c — building and reading maps (layout in term.h, contract in map.h).
 *
 * HAMT hashing: a key is serialised to a canonical byte form that is equal
 * exactly when the keys are exactly equal (=:=), and hashed with XXH3 seeded
 * by the salt; a level uses 4 bits of the 32-bit hash, so every 8 levels
 * the hash is recomputed with the next salt (as OTP's make_map_hash). Keys
 * whose hashes still collide at MAP_HAMT_MAX_LEVEL are kept in a collision
 * node: a tuple of [K|V] leaves sorted in map-key order. The trie shape
 * depends only on the set of keys, so exactly-equal maps have equal tries.
 */
#include "map.h"

#include <stdlib.h>
#include <xxhash.h>

#include "atom.h"
#include "term_order.h"

#define HASH_BITS_PER_LEVEL 4
#define LEVELS_PER_SALT 8
#define MAP_HAMT_MAX_LEVEL (8 * LEVELS_PER_SALT)

/* --- canonical form of a key ------------------------------------------------ */

typedef struct canon {
    uint8_t *bytes;
    size_t len, cap;
    uint8_t local[256];
    Term *stack;         /* terms still to serialise, last pushed first */
    size_t depth, stack_cap;
    Term local_stack[32];
    bool failed;         /* out of memory: the hash degrades, never crashes */
} canon;

static bool grow_bytes(canon *c, size_t extra)
{
    if (c->len + extra <= c->cap) return true;
    size_t cap = c->cap * 2;
    while (cap < c->len + extra) cap *= 2;
    uint8_t *p = c->bytes == c->local ? malloc(cap) : realloc(c->bytes, cap);
    if (!p) return false;
    if (c->bytes == c->local) memcpy(p, c->local, c->len);
    c->bytes = p;
    c->cap = cap;
    return true;
}

static void emit(canon *c, const void *p, size_t n)
{
    if (c->failed || !grow_bytes(c, n)) { c->failed = true; return; }
    memcpy(c->bytes + c->len, p, n);
    c->len += n;
}

static void emit_tag(canon *c, char tag) { emit(c, &tag, 1); }
static void emit_word(canon *c, UWord w) { emit(c, &w, sizeof w); }

static void push_term(canon *c, Term t)
{
    if (c->failed) return;
    if (c->depth == c->stack_cap) {
        size_t cap = c->stack_cap * 2;
        Term *s = c->stack == c->local_stack ? malloc(cap * sizeof *s)
                                             : realloc(c->stack, cap * sizeof *s);
        if (!s) { c->failed = true; return; }
        if (c->stack == c->local_stack) memcpy(s, c->local_stack, sizeof c->local_stack);
        c->stack = s;
        c->stack_cap = cap;
    }
    c->stack[c->depth++] = t;
}

static void emit_integer(canon *c, Term t)
{
    emit_tag(c, 'I');
    if (term_is_small(t)) {
        SWord v = small_value(t);
        emit_tag(c, v < 0 ? '-' : '+');
        emit_word(c, 1);
        emit_word(c, v < 0 ? (UWord)0 - (UWord)v : (UWord)v);
        return;
    }
    UWord n = header_arity(boxed_header(t));
    emit_tag(c, (header_subtag(boxed_header(t)) == HDR_NEG_BIG) ? '-' : '+');
    emit_word(c, n);
    emit(c, boxed_ptr(t) + 1, n * sizeof(UWord));
}

static void emit_bitstring(canon *c, Term t)
{
    bitstring_view v;
    bitstring_view_of(t, &v);
    emit_tag(c, 'B');
    emit_word(c, v.bit_size);
    size_t whole = v.bit_size / 8;
    if (v.bit_offset == 0) emit(c, v.bytes, whole);
    else
        for (size_t i = 0; i < whole; i++) { uint8_t b = bitstring_byte(&v, i); emit(c, &b, 1); }
    uint8_t last = 0;
    for (size_t bit = whole * 8; bit < v.bit_size; bit++)
        last |= (uint8_t)(bitstring_bit(&v, bit) << (7 - (bit - whole * 8)));
    if (v.bit_size % 8) emit(c, &last, 1);
}

static bool push_pair(Term key, Term value, void *arg)
{
    canon *c = arg;
    push_term(c, value);
    push_term(c, key);
    return !c->failed;
}

static void emit_boxed(canon *c, Term t)
{
    const Term *p = boxed_ptr(t);
    switch (header_subtag(p[0])) {
    case HDR_TUPLE: {
        UWord n = header_arity(p[0]);
        emit_tag(c, 'T');
        emit_word(c, n);
        for (UWord i = n; i-- > 0;) push_term(c, p[1 + i]);
        return;
    }
    case HDR_POS_BIG: case HDR_NEG_BIG: emit_integer(c, t); return;
    case HDR_FLOAT: {
        double d = float_value(t);
        if (d == 0.0) d = 0.0; /* 0.0 =:= -0.0 in OTP 25 */
        emit_tag(c, 'F');
        emit(c, &d, sizeof d);
        return;
    }
    case HDR_MAP:
        /* Any fixed order of pairs will do: exactly-equal maps have the same
         * layout, so map_foreach visits their pairs in the same order. */
        emit_tag(c, 'M');
        emit_word(c, map_size(t));
        map_foreach(t, push_pair, c);
        return;
    case HDR_FUN: {
        const FunThing *f = (const FunThing *)p;
        emit_tag(c, 'f');
        emit_word(c, (UWord)(uintptr_t)f->entry); /* entries are unique and never move */
        emit_word(c, f->arity_and_free);
        emit_word(c, f->creator);
        for (UWord i = f->arity_and_free >> 8; i-- > 0;) push_term(c, f->env[i]);
        return;
    }
    case HDR_REFC_BIN: case HDR_HEAP_BIN: case HDR_SUB_BIN: emit_bitstring(c, t); return;
    default: /* refs, external pids/ports: their words identify them */
        emit_tag(c, 'R');
        emit(c, p, (1 + header_arity(p[0])) * sizeof(Term));
        return;
    }
}

static void emit_term(canon *c, Term t)
{
    if (term_is_small(t)) emit_integer(c, t);
    else if (term_is_list(t)) {
        emit_tag(c, 'L');
        push_term(c, list_tail(t));
        push_term(c, list_head(t));
    } else if (term_is_boxed(t)) emit_boxed(c, t);
    else { /* atoms (interned), NIL, pids, ports: the word identifies them */
        emit_tag(c, 'W');
        emit_word(c, t);
    }
}

static uint32_t canonical_hash(Term key, unsigned salt)
{
    canon c = { .cap = sizeof c.local, .stack_cap = 32 };
    c.bytes = c.local;
    c.stack = c.local_stack;
    push_term(&c, key);
    while (c.depth > 0 && !c.failed) emit_term(&c, c.stack[--c.depth]);
    /* Out of memory only weakens the hash of a huge key: equal keys still
     * fail at the same point, so they still hash equally. */
    uint64_t h = XXH3_64bits_withSeed(c.bytes, c.len, (uint64_t)salt * 0x9E3779B97F4A7C15u + salt);
    if (c.bytes != c.local) free(c.bytes);
    if (c.stack != c.local_stack) free(c.stack);
    return (uint32_t)h;
}

static map_hash_fn hash_override;

void map_set_hash_for_testing(map_hash_fn fn) { hash_override = fn; }

static uint32_t map_hash(Term key, unsigned salt)
{
    return hash_override ? hash_override(key, salt) : canonical_hash(key, salt);
}

static unsigned hash_slot(uint32_t hash, unsigned level)
{
    return (hash >> (HASH_BITS_PER_LEVEL * (level % LEVELS_PER_SALT))) & 0xF;
}

/* --- reading ---------------------------------------------------------------- */

static bool is_collision_node(Term child) { return term_is_tuple(child); }

static const Term *node_children(const Term *node)
{
    unsigned kind = map_header_kind(node[0]);
    return kind == MAP_KIND_NODE_BITMAP ? node + 1 : node + 2;
}

static unsigned node_bitmap(const Term *node)
{
    return map_header_kind(node[0]) == MAP_KIND_HEAD_ARRAY ? 0xFFFFu : map_header_bitmap(node[0]);
}

size_t map_size(Term map)
{
    return (size_t)boxed_ptr(map)[1];
}

static Term flatmap_get(const Term *m, Term key)
{
    size_t lo = 0, hi = (size_t)m[1];
    const Term *keys = tuple_elements(m[2]);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = term_compare_exact(key, keys[mid]);
        if (c == 0) return m[3 + mid];
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return THE_NON_VALUE;
}

static Term collision_get(Term tuple, Term key)
{
    for (UWord i = 0; i < tuple_arity(tuple); i++) {
        Term leaf = tuple_elements(tuple)[i];
        if (term_eq_exact(list_head(leaf), key)) return list_tail(leaf);
    }
    return THE_NON_VALUE;
}

Term map_get(Term map, Term key)
{
    const Term *node = boxed_ptr(map);
    if (map_header_kind(node[0]) == MAP_KIND_FLAT) return flatmap_get(node, key);
    uint32_t hash = map_hash(key, 0);
    for (unsigned level = 0;; level++) {
        if (level > 0 && level % LEVELS_PER_SALT == 0) hash = map_hash(key, level / LEVELS_PER_SALT);
        unsigned bitmap = node_bitmap(node), bit = 1u << hash_slot(hash, level);
        if (!(bitmap & bit)) return THE_NON_VALUE;
        Term child = node_children(node)[__builtin_popcount(bitmap & (bit - 1))];
        if (term_is_list(child))
            return term_eq_exact(list_head(child), key) ? list_tail(child) : THE_NON_VALUE;
        if (is_collision_node(child)) return collision_get(child, key);
        node = boxed_ptr(child);
    }
}

/* The trie is at most MAP_HAMT_MAX_LEVEL + 1 nodes deep, so a fixed stack
 * suffices for the walk. */
typedef struct walk_frame { const Term *children; unsigned n, next; } walk_frame;

void map_foreach(Term map, map_visit_fn fn, void *arg)
{
    const Term *m = boxed_ptr(map);
    if (map_header_kind(m[0]) == MAP_KIND_FLAT) {
        const Term *keys = tuple_elements(m[2]);
        for (size_t i = 0; i < (size_t)m[1]; i++)
            if (!fn(keys[i], m[3 + i], arg)) return;
        return;
    }
    walk_frame stack[MAP_HAMT_MAX_LEVEL + 2];
    size_t depth = 0;
    stack[depth++] = (walk_frame){ node_children(m), (unsigned)__builtin_popcount(node_bitmap(m)), 0 };
    while (depth > 0) {
        walk_frame *f = &stack[depth - 1];
        if (f->next == f->n) { depth--; continue; }
        Term child = f->children[f->next++];
        if (term_is_list(child)) {
            if (!fn(list_head(child), list_tail(child), arg)) return;
        } else if (is_collision_node(child)) {
            stack[depth++] = (walk_frame){ tuple_elements(child), (unsigned)tuple_arity(child), 0 };
        } else {
            const Term *node = boxed_ptr(child);
            stack[depth++] = (walk_frame){ node_children(node), (unsigned)__builtin_popcount(node_bitmap(node)), 0 };
        }
    }
}

/* --- sorting pairs ---------------------------------------------------------- */

typedef struct pair {
    Term key, value;
    size_t order;    /* input position: among equal keys the last one wins */
    uint32_t hash;
} pair;

static int compare_pairs(const void *x, const void *y)
{
    const pair *a = x, *b = y;
    int c = term_compare_exact(a->key, b->key);
    if (c != 0) return c;
    return (a->order > b->order) - (a->order < b->order);
}

typedef struct collect { pair *pairs; size_t n; } collect;

static bool collect_pair(Term key, Term value, void *arg)
{
    collect *c = arg;
    c->pairs[c->n] = (pair){ key, value, c->n, 0 };
    c->n++;
    return true;
}

void map_sorted_pairs(Term map, Term *keys, Term *values)
{
    size_t n = map_size(map);
    const Term *m = boxed_ptr(map);
    if (map_header_kind(m[0]) == MAP_KIND_FLAT) {
        memcpy(keys, tuple_elements(m[2]), n * sizeof(Term));
        memcpy(values, m + 3, n * sizeof(Term));
        return;
    }
    collect c = { malloc((n ? n : 1) * sizeof(pair)), 0 };
    if (!c.pairs) abort(); /* see map.h: only comparison and printing use this */
    map_foreach(map, collect_pair, &c);
    qsort(c.pairs, c.n, sizeof(pair), compare_pairs);
    for (size_t i = 0; i < c.n; i++) {
        keys[i] = c.pairs[i].key;
        values[i] = c.pairs[i].value;
    }
    free(c.pairs);
}

/* Sorts by key, later duplicates last, then keeps only the last of each
 * run of equal keys. Returns the number of unique pairs left at the front. */
static size_t sort_unique(pair *p, size_t n)
{
    qsort(p, n, sizeof *p, compare_pairs);
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && term_eq_exact(p[i].key, p[i + 1].key)) continue;
        p[out++] = p[i];
    }
    return out;
}

/* --- building ---------------------------------------------------------------- */

static Term build_flatmap(term_sink *sink, const pair *p, size_t n)
{
    Term *hp = sink_alloc(sink, 4 + 2 * n);
    if (!hp) return THE_NON_VALUE;
    Term *tuple = hp + 3 + n;
    tuple[0] = make_header(n, HDR_TUPLE);
    hp[0] = make_flatmap_header((unsigned)n);
    hp[1] = n;
    hp[2] = make_boxed(tuple);
    for (size_t i = 0; i < n; i++) {
        tuple[1 + i] = p[i].key;
        hp[3 + i] = p[i].value;
    }
    return make_boxed(hp);
}

static Term make_leaf(term_sink *sink, const pair *p)
{
    Term *cell = sink_alloc(sink, 2);
    if (!cell) return THE_NON_VALUE;
    cell[0] = p->key;
    cell[1] = p->value;
    return make_list(cell);
}

/* Keys whose hashes agree at every level: a tuple of leaves, kept in
 * map-key order (the pairs arrive sorted). */
static Term build_collision(term_sink *sink, const pair *p, size_t n)
{
    Term *hp = sink_alloc(sink, 1 + n);
    if (!hp) return THE_NON_VALUE;
    hp[0] = make_header(n, HDR_TUPLE);
    for (size_t i = 0; i < n; i++) {
        Term leaf = make_leaf(sink, &p[i]);
        if (leaf == THE_NON_VALUE) return THE_NON_VALUE;
        hp[1 + i] = leaf;
    }
    return make_boxed(hp);
}

/* Builds the (sub)trie for p[0..n), which share all hash bits above
 * `level`. tmp has room for n pairs. Recursion is bounded by
 * MAP_HAMT_MAX_LEVEL. Buckets are formed by a stable counting sort, so
 * sorted input stays sorted within each bucket. */
static Term build_node(term_sink *sink, pair *p, pair *tmp, size_t n, unsigned level, size_t total)
{
    if (n == 1 && level > 0) return make_leaf(sink, p);
    if (level == MAP_HAMT_MAX_LEVEL) return build_collision(sink, p, n);
    if (level > 0 && level % LEVELS_PER_SALT == 0)
        for (size_t i = 0; i < n; i++) p[i].hash = map_hash(p[i].key, level / LEVELS_PER_SALT);
    size_t start[17] = { 0 };
    for (size_t i = 0; i < n; i++) start[hash_slot(p[i].hash, level) + 1]++;
    for (int s = 0; s < 16; s++) start[s + 1] += start[s];
    size_t fill[16];
    memcpy(fill, start, sizeof fill);
    for (size_t i = 0; i < n; i++) tmp[fill[hash_slot(p[i].hash, level)]++] = p[i];
    memcpy(p, tmp, n * sizeof *p);

    unsigned bitmap = 0;
    for (int s = 0; s < 16; s++)
        if (start[s + 1] > start[s]) bitmap |= 1u << s;
    unsigned count = (unsigned)__builtin_popcount(bitmap);
    bool head = level == 0;
    size_t fixed = head ? 2 : 1;
    Term *hp = sink_alloc(sink, fixed + count);
    if (!hp) return THE_NON_VALUE;
    if (head) {
        unsigned kind = bitmap == 0xFFFFu ? MAP_KIND_HEAD_ARRAY : MAP_KIND_HEAD_BITMAP;
        hp[0] = make_map_header(kind, bitmap);
        hp[1] = total;
    } else {
        hp[0] = make_map_header(MAP_KIND_NODE_BITMAP, bitmap);
    }
    unsigned out = 0;
    for (int s = 0; s < 16; s++) {
        size_t k = start[s + 1] - start[s];
        if (k == 0) continue;
        Term child = build_node(sink, p + start[s], tmp + start[s], k, level + 1, total);
        if (child == THE_NON_VALUE) return THE_NON_VALUE;
        hp[fixed + out++] = child;
    }
    return make_boxed(hp);
}

static Term build_hamt(term_sink *sink, pair *p, size_t n)
{
    pair *tmp = malloc(n * sizeof *tmp);
    if (!tmp) return THE_NON_VALUE;
    for (size_t i = 0; i < n; i++) p[i].hash = map_hash(p[i].key, 0);
    Term map = build_node(sink, p, tmp, n, 0, n);
    free(tmp);
    return map;
}

Term map_from_pairs(term_sink *sink, const Term *keys, const Term *values, size_t n)
{
    pair *p = malloc((n ? n : 1) * sizeof *p);
    if (!p) return THE_NON_VALUE;
    for (size_t i = 0; i < n; i++) p[i] = (pair){ keys[i], values[i], i, 0 };
    size_t unique = sort_unique(p, n);
    Term map = unique <= MAP_SMALL_LIMIT ? build_flatmap(sink, p, unique) : build_hamt(sink, p, unique);
    free(p);
    return map;
}
