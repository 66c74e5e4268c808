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
#include "exception.h"
#include "term_build.h"
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
        emit_word(c, make_header(identity_words(p), header_subtag(p[0])));
        emit(c, p + 1, identity_words(p) * sizeof(Term));
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

/* Binary search in the sorted keys: true with *pos = the key's index, or
 * false with *pos = where it would be inserted. */
/* An immediate key (atom, small, pid...) equals exactly the keys with the
 * same word: a linear scan of at most 32 words beats ordered comparison. */
static bool flatmap_scan(const Term *m, Term key, size_t *pos)
{
    size_t n = (size_t)m[1], i = 0;
    const Term *keys = tuple_elements(m[2]);
    /* Four at a time: one branch per four keys on the way to a miss. */
    for (; i + 4 <= n; i += 4) {
        if ((keys[i] == key) | (keys[i + 1] == key) | (keys[i + 2] == key) | (keys[i + 3] == key)) break;
    }
    for (; i < n; i++) {
        if (keys[i] == key) {
            *pos = i;
            return true;
        }
    }
    return false;
}

static bool flatmap_find(const Term *m, Term key, size_t *pos)
{
    if (term_is_immed(key) && flatmap_scan(m, key, pos)) return true;
    size_t lo = 0, hi = (size_t)m[1];
    const Term *keys = tuple_elements(m[2]);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = term_compare_exact(key, keys[mid]);
        if (c == 0) { *pos = mid; return true; }
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    *pos = lo;
    return false;
}

static Term flatmap_get(const Term *m, Term key)
{
    size_t pos;
    if (term_is_immed(key)) return flatmap_scan(m, key, &pos) ? m[3 + pos] : THE_NON_VALUE;
    return flatmap_find(m, key, &pos) ? m[3 + pos] : THE_NON_VALUE;
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
        Term child = node_children(node)[bitmap_count(bitmap & (bit - 1))];
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
    stack[depth++] = (walk_frame){ node_children(m), bitmap_count(node_bitmap(m)), 0 };
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
            stack[depth++] = (walk_frame){ node_children(node), bitmap_count(node_bitmap(node)), 0 };
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
    unsigned count = bitmap_count(bitmap);
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

/* --- updating maps on a process heap -------------------------------------------
 * Every function below allocates with HAlloc (never collects) and leaves its
 * arguments untouched: results share every unchanged part with them. A
 * HAMT update copies only the nodes on the path to the key, and keeps the
 * canonical shape build_node makes (a key sits in the shallowest node
 * where its slot is its own; only the head may have a single leaf child),
 * so equal maps have equal tries however they were made. */

typedef struct heap_sink { term_sink sink; Process *p; } heap_sink;

static Term *heap_sink_alloc(term_sink *sink, size_t words)
{
    return HAlloc(((heap_sink *)sink)->p, words);
}

static heap_sink heap_sink_of(Process *p)
{
    return (heap_sink){ { heap_sink_alloc, &p->off_heap }, p };
}

static Term out_of_memory(Process *p) { return raise_error(p, EXC_SYSTEM_LIMIT, NIL); }

static bool is_flatmap(Term map) { return map_header_kind(boxed_header(map)) == MAP_KIND_FLAT; }

/* A built map, or the out-of-memory exception if building failed. */
static Term built(Process *p, Term map) { return map == THE_NON_VALUE ? out_of_memory(p) : map; }

/* --- flatmaps --- */

static Term flatmap_set_value(Process *p, Term map, size_t pos, Term value)
{
    const Term *m = boxed_ptr(map);
    if (m[3 + pos] == value) return map;
    size_t words = 3 + (size_t)m[1];
    Term *hp = HAlloc(p, words);
    if (!hp) return out_of_memory(p);
    memcpy(hp, m, words * sizeof(Term)); /* the keys tuple is shared */
    hp[3 + pos] = value;
    return make_boxed(hp);
}

/* The 33 pairs of a full flatmap plus a new key at pos, as a HAMT. */
static Term flatmap_grow(Process *p, const Term *m, size_t pos, Term key, Term value)
{
    pair pairs[MAP_SMALL_LIMIT + 1];
    const Term *keys = tuple_elements(m[2]);
    for (size_t i = 0, out = 0; out <= MAP_SMALL_LIMIT; out++) {
        if (out == pos) pairs[out] = (pair){ key, value, out, 0 };
        else { pairs[out] = (pair){ keys[i], m[3 + i], out, 0 }; i++; }
    }
    heap_sink sink = heap_sink_of(p);
    return built(p, build_hamt(&sink.sink, pairs, MAP_SMALL_LIMIT + 1));
}

static Term flatmap_insert(Process *p, Term map, size_t pos, Term key, Term value)
{
    const Term *m = boxed_ptr(map);
    size_t n = (size_t)m[1];
    if (n == MAP_SMALL_LIMIT) return flatmap_grow(p, m, pos, key, value);
    Term *hp = HAlloc(p, 4 + 2 * (n + 1));
    if (!hp) return out_of_memory(p);
    const Term *keys = tuple_elements(m[2]);
    Term *tuple = hp + 3 + n + 1;
    hp[0] = make_flatmap_header((unsigned)n + 1);
    hp[1] = n + 1;
    hp[2] = make_boxed(tuple);
    tuple[0] = make_header(n + 1, HDR_TUPLE);
    memcpy(tuple + 1, keys, pos * sizeof(Term));
    memcpy(hp + 3, m + 3, pos * sizeof(Term));
    tuple[1 + pos] = key;
    hp[3 + pos] = value;
    memcpy(tuple + 2 + pos, keys + pos, (n - pos) * sizeof(Term));
    memcpy(hp + 4 + pos, m + 3 + pos, (n - pos) * sizeof(Term));
    return make_boxed(hp);
}

static Term flatmap_put(Process *p, Term map, Term key, Term value, bool exact)
{
    size_t pos;
    if (flatmap_find(boxed_ptr(map), key, &pos)) return flatmap_set_value(p, map, pos, value);
    if (exact) return raise_error(p, EXC_BADKEY, key);
    return flatmap_insert(p, map, pos, key, value);
}

static Term flatmap_remove(Process *p, Term map, Term key)
{
    const Term *m = boxed_ptr(map);
    size_t pos, n = (size_t)m[1];
    if (!flatmap_find(m, key, &pos)) return map;
    Term *hp = HAlloc(p, 4 + 2 * (n - 1));
    if (!hp) return out_of_memory(p);
    const Term *keys = tuple_elements(m[2]);
    Term *tuple = hp + 3 + n - 1;
    hp[0] = make_flatmap_header((unsigned)n - 1);
    hp[1] = n - 1;
    hp[2] = make_boxed(tuple);
    tuple[0] = make_header(n - 1, HDR_TUPLE);
    memcpy(tuple + 1, keys, pos * sizeof(Term));
    memcpy(hp + 3, m + 3, pos * sizeof(Term));
    memcpy(tuple + 1 + pos, keys + pos + 1, (n - pos - 1) * sizeof(Term));
    memcpy(hp + 3 + pos, m + 4 + pos, (n - pos - 1) * sizeof(Term));
    return make_boxed(hp);
}

/* --- HAMT paths --- */

/* A key's hash, recomputed lazily when a level needs the next salt. */
typedef struct key_hash { Term key; unsigned salt; uint32_t hash; } key_hash;

static key_hash key_hash_of(Term key) { return (key_hash){ key, 0, map_hash(key, 0) }; }

static unsigned key_slot(key_hash *kh, unsigned level)
{
    unsigned salt = level / LEVELS_PER_SALT;
    if (salt != kh->salt) {
        kh->hash = map_hash(kh->key, salt);
        kh->salt = salt;
    }
    return hash_slot(kh->hash, level);
}

/* The nodes from the head down to the one whose slot for the key holds a
 * leaf, a collision node or nothing; node[i] is at level i. */
typedef struct hamt_path {
    const Term *node[MAP_HAMT_MAX_LEVEL];
    unsigned slot[MAP_HAMT_MAX_LEVEL];
    unsigned depth;
} hamt_path;

static unsigned child_index(unsigned bitmap, unsigned slot)
{
    return bitmap_count(bitmap & ((1u << slot) - 1));
}

/* Walks down for kh; returns what the last node's slot holds, or
 * THE_NON_VALUE if it is empty. */
static Term hamt_descend(Term map, key_hash *kh, hamt_path *path)
{
    const Term *node = boxed_ptr(map);
    for (unsigned level = 0;; level++) {
        unsigned slot = key_slot(kh, level), bitmap = node_bitmap(node);
        path->node[level] = node;
        path->slot[level] = slot;
        path->depth = level + 1;
        if (!(bitmap & (1u << slot))) return THE_NON_VALUE;
        Term child = node_children(node)[child_index(bitmap, slot)];
        if (term_is_list(child) || is_collision_node(child)) return child;
        node = boxed_ptr(child);
    }
}

static Term node_header(bool head, unsigned bitmap)
{
    if (!head) return make_map_header(MAP_KIND_NODE_BITMAP, bitmap);
    return make_map_header(bitmap == 0xFFFFu ? MAP_KIND_HEAD_ARRAY : MAP_KIND_HEAD_BITMAP, bitmap);
}

/* A copy of node whose slot holds child: set, inserted if the slot was
 * empty, or removed if child is THE_NON_VALUE. NULL when out of memory. */
static Term *node_with(Process *p, const Term *node, unsigned slot, Term child)
{
    bool head = map_header_kind(node[0]) != MAP_KIND_NODE_BITMAP;
    size_t fixed = head ? 2 : 1;
    unsigned bitmap = node_bitmap(node), bit = 1u << slot;
    unsigned now = child == THE_NON_VALUE ? bitmap & ~bit : bitmap | bit;
    unsigned n = bitmap_count(bitmap), m = bitmap_count(now);
    unsigned at = child_index(bitmap, slot);
    Term *hp = HAlloc(p, fixed + m);
    if (!hp) return NULL;
    hp[0] = node_header(head, now);
    if (head) hp[1] = node[1];
    const Term *from = node + fixed;
    Term *to = hp + fixed;
    memcpy(to, from, at * sizeof(Term));
    if (m < n) {
        memcpy(to + at, from + at + 1, (n - at - 1) * sizeof(Term));
    } else {
        to[at] = child;
        size_t rest = m > n ? n - at : n - at - 1;
        memcpy(to + at + 1, from + (m > n ? at : at + 1), rest * sizeof(Term));
    }
    return hp;
}

/* Copies path->node[0..depth) bottom-up, the bottom one with `child` in its
 * slot; the new head gets `size`. */
static Term rebuild_path(Process *p, const hamt_path *path, unsigned depth, Term child, UWord size)
{
    for (unsigned level = depth; level-- > 0;) {
        Term *hp = node_with(p, path->node[level], path->slot[level], child);
        if (!hp) return out_of_memory(p);
        if (level == 0) hp[1] = size;
        child = make_boxed(hp);
    }
    return child;
}

/* --- HAMT insertion --- */

static Term new_leaf(Process *p, Term key, Term value)
{
    Term *hp = HAlloc(p, 2);
    return hp ? cons(hp, key, value) : THE_NON_VALUE;
}

/* The subtrie at `level` for two leaves whose keys share every hash bit
 * above it. */
static Term two_leaf_trie(Process *p, Term a, key_hash *ha, Term b, key_hash *hb, unsigned level)
{
    if (level == MAP_HAMT_MAX_LEVEL) {
        Term *hp = HAlloc(p, 3);
        if (!hp) return THE_NON_VALUE;
        bool a_first = term_compare_exact(list_head(a), list_head(b)) < 0;
        return tuple2(hp, a_first ? a : b, a_first ? b : a);
    }
    unsigned sa = key_slot(ha, level), sb = key_slot(hb, level);
    if (sa == sb) {
        Term child = two_leaf_trie(p, a, ha, b, hb, level + 1);
        Term *hp = child == THE_NON_VALUE ? NULL : HAlloc(p, 2);
        if (!hp) return THE_NON_VALUE;
        hp[0] = make_map_header(MAP_KIND_NODE_BITMAP, 1u << sa);
        hp[1] = child;
        return make_boxed(hp);
    }
    Term *hp = HAlloc(p, 3);
    if (!hp) return THE_NON_VALUE;
    hp[0] = make_map_header(MAP_KIND_NODE_BITMAP, (1u << sa) | (1u << sb));
    hp[1] = sa < sb ? a : b;
    hp[2] = sa < sb ? b : a;
    return make_boxed(hp);
}

/* A copy of the collision node with leaf put in key order (replacing the
 * leaf of an equal key). */
static Term collision_with(Process *p, Term tuple, Term leaf)
{
    UWord n = tuple_arity(tuple), at = 0;
    const Term *leaves = tuple_elements(tuple);
    int c = 1;
    while (at < n && (c = term_compare_exact(list_head(leaves[at]), list_head(leaf))) < 0) at++;
    bool replace = at < n && c == 0;
    UWord m = replace ? n : n + 1;
    Term *hp = HAlloc(p, 1 + m);
    if (!hp) return THE_NON_VALUE;
    hp[0] = make_header(m, HDR_TUPLE);
    memcpy(hp + 1, leaves, at * sizeof(Term));
    hp[1 + at] = leaf;
    UWord skip = replace ? at + 1 : at;
    memcpy(hp + 2 + at, leaves + skip, (n - skip) * sizeof(Term));
    return make_boxed(hp);
}

static Term hamt_put(Process *p, Term map, Term key, Term value, bool exact)
{
    key_hash kh = key_hash_of(key);
    hamt_path path;
    Term old = hamt_descend(map, &kh, &path);
    UWord size = map_size(map);
    Term found = old == THE_NON_VALUE ? THE_NON_VALUE
               : term_is_list(old) ? (term_eq_exact(list_head(old), key) ? old : THE_NON_VALUE)
               : THE_NON_VALUE;
    if (old != THE_NON_VALUE && is_collision_node(old)) {
        for (UWord i = 0; i < tuple_arity(old) && found == THE_NON_VALUE; i++)
            if (term_eq_exact(list_head(tuple_elements(old)[i]), key)) found = tuple_elements(old)[i];
    }
    if (found == THE_NON_VALUE && exact) return raise_error(p, EXC_BADKEY, key);
    if (found != THE_NON_VALUE && list_tail(found) == value) return map;
    /* An existing key keeps its own term (0.0 stays 0.0 when -0.0 is put). */
    Term leaf = new_leaf(p, found != THE_NON_VALUE ? list_head(found) : key, value);
    if (leaf == THE_NON_VALUE) return out_of_memory(p);
    Term child = leaf;
    if (old != THE_NON_VALUE && is_collision_node(old)) {
        child = collision_with(p, old, leaf);
    } else if (old != THE_NON_VALUE && found == THE_NON_VALUE) {
        key_hash other = key_hash_of(list_head(old));
        child = two_leaf_trie(p, old, &other, leaf, &kh, path.depth);
    }
    if (child == THE_NON_VALUE) return out_of_memory(p);
    return rebuild_path(p, &path, path.depth, child, found == THE_NON_VALUE ? size + 1 : size);
}

/* --- HAMT removal --- */

typedef struct without_key { pair *pairs; size_t n; Term key; } without_key;

static bool collect_other_pairs(Term key, Term value, void *arg)
{
    without_key *w = arg;
    if (term_eq_exact(key, w->key)) return true;
    w->pairs[w->n] = (pair){ key, value, w->n, 0 };
    w->n++;
    return true;
}

/* A HAMT of MAP_SMALL_LIMIT + 1 keys minus one of them: a flatmap. */
static Term hamt_shrink(Process *p, Term map, Term key)
{
    pair pairs[MAP_SMALL_LIMIT + 1];
    without_key w = { pairs, 0, key };
    map_foreach(map, collect_other_pairs, &w);
    qsort(pairs, w.n, sizeof *pairs, compare_pairs);
    heap_sink sink = heap_sink_of(p);
    return built(p, build_flatmap(&sink.sink, pairs, w.n));
}

/* The collision node without key's leaf: a smaller tuple, or the one
 * leaf left. */
static Term collision_without(Process *p, Term tuple, UWord at)
{
    UWord n = tuple_arity(tuple);
    const Term *leaves = tuple_elements(tuple);
    if (n == 2) return leaves[1 - at];
    Term *hp = HAlloc(p, n);
    if (!hp) return THE_NON_VALUE;
    hp[0] = make_header(n - 1, HDR_TUPLE);
    memcpy(hp + 1, leaves, at * sizeof(Term));
    memcpy(hp + 1 + at, leaves + at + 1, (n - at - 1) * sizeof(Term));
    return make_boxed(hp);
}

/* The one other child of a node below the head, if replacing its slot's
 * child by `child` leaves it with a single leaf, which then takes the
 * node's place in its parent; else THE_NON_VALUE. */
static Term collapsed(const Term *node, unsigned slot, Term child)
{
    unsigned bitmap = node_bitmap(node);
    unsigned n = bitmap_count(bitmap);
    if (child != THE_NON_VALUE) return n == 1 && term_is_list(child) ? child : THE_NON_VALUE;
    if (n != 2) return THE_NON_VALUE;
    Term other = node_children(node)[child_index(bitmap, slot) == 0 ? 1 : 0];
    return term_is_list(other) ? other : THE_NON_VALUE;
}

static Term hamt_remove(Process *p, Term map, Term key)
{
    key_hash kh = key_hash_of(key);
    hamt_path path;
    Term old = hamt_descend(map, &kh, &path);
    if (old == THE_NON_VALUE) return map;
    UWord at = 0;
    if (term_is_list(old)) {
        if (!term_eq_exact(list_head(old), key)) return map;
    } else {
        while (at < tuple_arity(old) && !term_eq_exact(list_head(tuple_elements(old)[at]), key)) at++;
        if (at == tuple_arity(old)) return map;
    }
    if (map_size(map) == MAP_SMALL_LIMIT + 1) return hamt_shrink(p, map, key);
    Term child = THE_NON_VALUE;
    if (!term_is_list(old) && (child = collision_without(p, old, at)) == THE_NON_VALUE) return out_of_memory(p);
    unsigned depth = path.depth;
    for (Term up; depth > 1 && (up = collapsed(path.node[depth - 1], path.slot[depth - 1], child)) != THE_NON_VALUE;) {
        child = up;
        depth--;
    }
    return rebuild_path(p, &path, depth, child, map_size(map) - 1);
}

/* --- the single-key operations --- */

Term map_put(Process *p, Term map, Term key, Term value)
{
    return is_flatmap(map) ? flatmap_put(p, map, key, value, false) : hamt_put(p, map, key, value, false);
}

Term map_update(Process *p, Term map, Term key, Term value)
{
    return is_flatmap(map) ? flatmap_put(p, map, key, value, true) : hamt_put(p, map, key, value, true);
}

Term map_remove(Process *p, Term map, Term key)
{
    return is_flatmap(map) ? flatmap_remove(p, map, key) : hamt_remove(p, map, key);
}

/* --- several keys at once --- */

/* Puts sorted, duplicate-free pairs into a flatmap, in one allocation:
 * only the values when every key exists (the keys tuple is shared), else
 * a merged flatmap, or a HAMT past MAP_SMALL_LIMIT keys. Existing keys
 * keep their own terms. */
static Term flatmap_put_sorted(Process *p, Term map, const pair *np, size_t nn)
{
    const Term *m = boxed_ptr(map);
    const Term *keys = tuple_elements(m[2]);
    size_t old = (size_t)m[1], added = 0;
    for (size_t i = 0, j = 0; j < nn;) {
        int c = i == old ? -1 : term_compare_exact(np[j].key, keys[i]);
        if (c <= 0) { added += c < 0; j++; }
        if (c >= 0) i++;
    }
    size_t total = old + added;
    pair local[MAP_SMALL_LIMIT];
    pair *out = total <= MAP_SMALL_LIMIT ? local : malloc(total * sizeof *out);
    if (!out) return out_of_memory(p);
    size_t i = 0, j = 0, k = 0;
    while (i < old || j < nn) {
        int c = i == old ? 1 : j == nn ? -1 : term_compare_exact(keys[i], np[j].key);
        Term key = c <= 0 ? keys[i] : np[j].key;
        Term value = c < 0 ? m[3 + i] : np[j].value;
        out[k] = (pair){ key, value, k, 0 };
        k++;
        if (c <= 0) i++;
        if (c >= 0) j++;
    }
    Term result;
    heap_sink sink = heap_sink_of(p);
    if (added == 0) {
        Term *hp = HAlloc(p, 3 + old);
        if (hp) {
            memcpy(hp, m, 3 * sizeof(Term));
            for (size_t v = 0; v < old; v++) hp[3 + v] = out[v].value;
        }
        result = hp ? make_boxed(hp) : THE_NON_VALUE;
    } else if (total <= MAP_SMALL_LIMIT) {
        result = build_flatmap(&sink.sink, out, total);
    } else {
        result = build_hamt(&sink.sink, out, total);
    }
    if (out != local) free(out);
    return built(p, result);
}

Term map_put_many(Process *p, Term map, const Term *kv_pairs, size_t n, bool exact)
{
    if (!term_is_map(map)) return raise_error(p, EXC_BADMAP, map);
    if (exact)
        for (size_t i = 0; i < n; i++)
            if (map_get(map, kv_pairs[2 * i]) == THE_NON_VALUE) return raise_error(p, EXC_BADKEY, kv_pairs[2 * i]);
    if (!is_flatmap(map)) {
        for (size_t i = 0; i < n && map != THE_NON_VALUE; i++) map = hamt_put(p, map, kv_pairs[2 * i], kv_pairs[2 * i + 1], false);
        return map;
    }
    if (n <= MAP_SMALL_LIMIT) {
        /* Updating keys the map has (records-as-maps, counters): one copy
         * with the new values, no ordering needed. */
        size_t pos[MAP_SMALL_LIMIT];
        size_t i = 0;
        for (; i < n && term_is_immed(kv_pairs[2 * i]) && flatmap_scan(boxed_ptr(map), kv_pairs[2 * i], &pos[i]); i++) {}
        if (i == n) {
            const Term *m = boxed_ptr(map);
            size_t words = 3 + (size_t)m[1];
            Term *hp = HAlloc(p, words);
            if (!hp) return out_of_memory(p);
            memcpy(hp, m, words * sizeof(Term));   /* the keys tuple is shared */
            for (i = 0; i < n; i++) hp[3 + pos[i]] = kv_pairs[2 * i + 1];
            return make_boxed(hp);
        }
    }
    pair local[16];
    pair *np = n <= 16 ? local : malloc(n * sizeof *np);
    if (!np) return out_of_memory(p);
    for (size_t i = 0; i < n; i++) np[i] = (pair){ kv_pairs[2 * i], kv_pairs[2 * i + 1], i, 0 };
    size_t nn = sort_unique(np, n);
    Term result = flatmap_put_sorted(p, map, np, nn);
    if (np != local) free(np);
    return result;
}

/* --- merging --- */

typedef struct merge_into { Process *p; Term map; bool keep_existing; } merge_into;

static bool merge_pair(Term key, Term value, void *arg)
{
    merge_into *mi = arg;
    if (mi->keep_existing && map_get(mi->map, key) != THE_NON_VALUE) return true;
    mi->map = map_put(mi->p, mi->map, key, value);
    return mi->map != THE_NON_VALUE;
}

Term map_merge(Process *p, Term a, Term b)
{
    if (is_flatmap(a) && is_flatmap(b)) {
        const Term *m = boxed_ptr(b);
        size_t n = (size_t)m[1];
        pair np[MAP_SMALL_LIMIT];
        for (size_t i = 0; i < n; i++) np[i] = (pair){ tuple_elements(m[2])[i], m[3 + i], i, 0 };
        return flatmap_put_sorted(p, a, np, n);
    }
    /* Put the smaller map's pairs into the larger one. */
    merge_into mi = { p, a, false };
    if (map_size(b) > map_size(a)) mi = (merge_into){ p, b, true };
    map_foreach(mi.keep_existing ? a : b, merge_pair, &mi);
    return mi.map;
}

/* --- lists --- */

typedef struct list_fill { Term *cells, *tuples; size_t i; int what; } list_fill;

enum { LIST_KEYS, LIST_VALUES, LIST_PAIRS };

static bool fill_cell(Term key, Term value, void *arg)
{
    list_fill *f = arg;
    Term elem = f->what == LIST_KEYS ? key : f->what == LIST_VALUES ? value
              : tuple2(f->tuples + 3 * f->i, key, value);
    Term *cell = f->cells + 2 * f->i;
    cell[0] = elem;
    cell[1] = make_list(cell + 2);
    f->i++;
    return true;
}

static Term map_list(Process *p, Term map, int what, Term tail)
{
    size_t n = map_size(map);
    if (n == 0) return tail;
    Term *hp = HAlloc(p, n * (what == LIST_PAIRS ? 5 : 2));
    if (!hp) return out_of_memory(p);
    list_fill f = { hp, hp + 2 * n, 0, what };
    map_foreach(map, fill_cell, &f);
    hp[2 * n - 1] = tail;
    return make_list(hp);
}

Term map_keys(Process *p, Term map) { return map_list(p, map, LIST_KEYS, NIL); }
Term map_values(Process *p, Term map) { return map_list(p, map, LIST_VALUES, NIL); }
Term map_to_list(Process *p, Term map, Term tail) { return map_list(p, map, LIST_PAIRS, tail); }

typedef struct chain_fill { Term *hp; size_t i; } chain_fill;

static bool fill_link(Term key, Term value, void *arg)
{
    chain_fill *f = arg;
    Term *t = f->hp + 4 * f->i;
    if (f->i > 0) t[-1] = make_boxed(t);
    tuple3(t, key, value, NIL);
    f->i++;
    return true;
}

Term map_iterator_chain(Process *p, Term map, Term end)
{
    size_t n = map_size(map);
    if (n == 0) return end;
    Term *hp = HAlloc(p, 4 * n);
    if (!hp) return out_of_memory(p);
    chain_fill f = { hp, 0 };
    map_foreach(map, fill_link, &f);
    hp[4 * n - 1] = end;
    return make_boxed(hp);
}

/* --- building from lists --- */

Term map_from_list_pairs(Process *p, const Term *keys, const Term *values, size_t n)
{
    heap_sink sink = heap_sink_of(p);
    return built(p, map_from_pairs(&sink.sink, keys, values, n));
}
