/*
 * ets.c — ETS table storage (hash tables and AVL trees of copied
 * objects), the table registry and table ownership. See ets.h for the
 * invariants; the BIFs are in bifs/ets.c, match specifications in
 * ets_match.c.
 */
#include "ets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atom.h"
#include "hash.h"
#include "scheduler.h"
#include "term_build.h"
#include "term_order.h"

static _Atomic size_t live_objects;

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("cbeam: out of memory (ets)\n", stderr);
        abort();
    }
    return p;
}
static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fputs("cbeam: out of memory (ets)\n", stderr);
        abort();
    }
    return p;
}

/* --- objects ------------------------------------------------------------ */

EtsObj *ets_obj_new(Term tuple)
{
    size_t words = size_object(tuple);
    EtsObj *o = xmalloc(sizeof *o + words * sizeof(Term));
    o->next = o->left = o->right = NULL;
    o->height = 1;
    o->dead = false;
    o->hash = 0;
    o->words = words;
    o->off_heap = (OffHeap){ 0 };
    Term *hp = o->mem;
    o->obj = copy_object(tuple, &hp, &o->off_heap);
    atomic_fetch_add_explicit(&live_objects, 1, memory_order_relaxed);
    return o;
}

void ets_obj_free(EtsObj *o)
{
    if (!o) return;
    offheap_release(&o->off_heap);
    free(o);
    atomic_fetch_sub_explicit(&live_objects, 1, memory_order_relaxed);
}

size_t ets_live_objects(void) { return atomic_load_explicit(&live_objects, memory_order_relaxed); }

EtsTerm *ets_term_new(Term t)
{
    size_t words = size_object(t);
    EtsTerm *e = xmalloc(sizeof *e + words * sizeof(Term));
    e->off_heap = (OffHeap){ 0 };
    Term *hp = e->mem;
    e->term = copy_object(t, &hp, &e->off_heap);
    return e;
}

void ets_term_free(EtsTerm *e)
{
    if (!e) return;
    offheap_release(&e->off_heap);
    free(e);
}

/* --- tables ------------------------------------------------------------- */

#define MIN_BUCKETS 16

static bool is_hash(const EtsTable *t) { return t->type != ETS_ORDERED_SET; }

EtsTable *ets_table_alloc(ets_type type, unsigned keypos)
{
    EtsTable *t = xcalloc(1, sizeof *t);
    pthread_rwlock_init(&t->lock, NULL);
    atomic_init(&t->refc, 1);
    t->type = type;
    t->keypos = keypos;
    t->protection = ETS_PROTECTED;
    t->name = am_undefined;
    t->heir = am_none;
    t->owner = NIL;
    if (type != ETS_ORDERED_SET) {
        t->nbuckets = MIN_BUCKETS;
        t->buckets = xcalloc(t->nbuckets, sizeof *t->buckets);
    }
    return t;
}

static void tree_free(EtsObj *n)
{
    while (n) {
        tree_free(n->left);
        EtsObj *r = n->right;
        ets_obj_free(n);
        n = r;
    }
}

void ets_store_clear(EtsTable *t)
{
    if (is_hash(t)) {
        for (size_t i = 0; i < t->nbuckets; i++) {
            EtsObj *o = t->buckets[i];
            while (o) {
                EtsObj *n = o->next;
                ets_obj_free(o);
                o = n;
            }
            t->buckets[i] = NULL;
        }
    } else {
        tree_free(t->root);
        t->root = NULL;
    }
    t->count = 0;
    t->ndead = 0;
    t->words = 0;
}

bool ets_table_is_fixed(EtsTable *t) { return t->nfixes > 0; }

/* --- hash storage ------------------------------------------------------- */

static uint32_t key_hash(Term key) { return term_hash2(key); }

static void rehash(EtsTable *t, size_t nb)
{
    EtsObj **nbk = xcalloc(nb, sizeof *nbk);
    EtsObj **tails = xcalloc(nb, sizeof *tails);
    for (size_t i = 0; i < t->nbuckets; i++) {
        EtsObj *o = t->buckets[i];
        while (o) {
            EtsObj *n = o->next;
            size_t b = o->hash % nb;
            o->next = NULL;
            if (tails[b]) tails[b]->next = o;
            else nbk[b] = o;
            tails[b] = o;
            o = n;
        }
    }
    free(tails);
    free(t->buckets);
    t->buckets = nbk;
    t->nbuckets = nb;
}

static void maybe_resize(EtsTable *t)
{
    if (ets_table_is_fixed(t)) return;
    if (t->count > 2 * t->nbuckets) rehash(t, t->nbuckets * 2);
    else if (t->nbuckets > MIN_BUCKETS && t->count < t->nbuckets / 4) {
        size_t nb = t->nbuckets / 2;
        while (nb > MIN_BUCKETS && t->count < nb / 4) nb /= 2;
        rehash(t, nb);
    }
}

static void unlink_hash(EtsTable *t, EtsObj **link, EtsObj *o)
{
    *link = o->next;
    t->words -= o->words;
    if (o->dead) t->ndead--;
    else t->count--;
    ets_obj_free(o);
}

/* Deletes *link's object: marks it dead if the table is fixed. */
static void kill_hash(EtsTable *t, EtsObj **link, EtsObj *o)
{
    if (ets_table_is_fixed(t)) {
        o->dead = true;
        t->count--;
        t->ndead++;
    } else {
        unlink_hash(t, link, o);
    }
}

static void hash_insert(EtsTable *t, EtsObj *o)
{
    Term key = ets_obj_key(t, o);
    o->hash = key_hash(key);
    EtsObj **link = &t->buckets[o->hash % t->nbuckets];
    EtsObj **last_same = NULL;   /* link to the slot after the key's group */
    for (EtsObj **l = link; *l; l = &(*l)->next) {
        EtsObj *c = *l;
        if (c->hash != o->hash || !term_eq_exact(ets_obj_key(t, c), key)) {
            if (last_same) break;
            continue;
        }
        if (t->type == ETS_SET) {
            o->next = c->next;
            *l = o;
            t->words += o->words;
            t->words -= c->words;
            if (c->dead) {
                t->ndead--;
                t->count++;
            }
            ets_obj_free(c);
            return;
        }
        if (t->type == ETS_BAG && !c->dead && term_eq_exact(c->obj, o->obj)) {
            ets_obj_free(o);
            return;
        }
        last_same = &c->next;
    }
    if (last_same) {
        o->next = *last_same;
        *last_same = o;
    } else {
        o->next = *link;
        *link = o;
    }
    t->words += o->words;
    t->count++;
    maybe_resize(t);
}

/* The link to the first object (live or dead) with the key, or NULL. */
static EtsObj **hash_find(EtsTable *t, Term key)
{
    uint32_t h = key_hash(key);
    for (EtsObj **l = &t->buckets[h % t->nbuckets]; *l; l = &(*l)->next)
        if ((*l)->hash == h && term_eq_exact(ets_obj_key(t, *l), key)) return l;
    return NULL;
}

/* --- AVL tree ----------------------------------------------------------- */

static int ht(const EtsObj *n) { return n ? n->height : 0; }
static void fix_height(EtsObj *n)
{
    int a = ht(n->left), b = ht(n->right);
    n->height = (a > b ? a : b) + 1;
}
static EtsObj *rot_right(EtsObj *n)
{
    EtsObj *l = n->left;
    n->left = l->right;
    l->right = n;
    fix_height(n);
    fix_height(l);
    return l;
}
static EtsObj *rot_left(EtsObj *n)
{
    EtsObj *r = n->right;
    n->right = r->left;
    r->left = n;
    fix_height(n);
    fix_height(r);
    return r;
}
static EtsObj *balance(EtsObj *n)
{
    fix_height(n);
    int bf = ht(n->left) - ht(n->right);
    if (bf > 1) {
        if (ht(n->left->left) < ht(n->left->right)) n->left = rot_left(n->left);
        return rot_right(n);
    }
    if (bf < -1) {
        if (ht(n->right->right) < ht(n->right->left)) n->right = rot_right(n->right);
        return rot_left(n);
    }
    return n;
}

/* Inserts o; an object with an equal key is replaced (freed). */
static EtsObj *tree_insert(EtsTable *t, EtsObj *n, EtsObj *o, bool *added)
{
    if (!n) {
        *added = true;
        return o;
    }
    int c = term_compare(ets_obj_key(t, o), ets_obj_key(t, n));
    if (c == 0) {
        o->left = n->left;
        o->right = n->right;
        o->height = n->height;
        t->words -= n->words;
        ets_obj_free(n);
        *added = false;
        return o;
    }
    if (c < 0) n->left = tree_insert(t, n->left, o, added);
    else n->right = tree_insert(t, n->right, o, added);
    return balance(n);
}

static EtsObj *tree_remove_min(EtsObj *n, EtsObj **min)
{
    if (!n->left) {
        *min = n;
        return n->right;
    }
    n->left = tree_remove_min(n->left, min);
    return balance(n);
}

/* Unlinks the node with the key (returned in *out, not freed). */
static EtsObj *tree_remove(EtsTable *t, EtsObj *n, Term key, EtsObj **out)
{
    if (!n) return NULL;
    int c = term_compare(key, ets_obj_key(t, n));
    if (c < 0) n->left = tree_remove(t, n->left, key, out);
    else if (c > 0) n->right = tree_remove(t, n->right, key, out);
    else {
        *out = n;
        if (!n->left) return n->right;
        if (!n->right) return n->left;
        EtsObj *m;
        EtsObj *r = tree_remove_min(n->right, &m);
        m->right = r;
        m->left = n->left;
        return balance(m);
    }
    return balance(n);
}

static EtsObj *tree_find(EtsTable *t, Term key)
{
    EtsObj *n = t->root;
    while (n) {
        int c = term_compare(key, ets_obj_key(t, n));
        if (c == 0) return n;
        n = c < 0 ? n->left : n->right;
    }
    return NULL;
}

/* The object with the smallest key > key (or the largest < key). */
static EtsObj *tree_after(EtsTable *t, Term key, bool reverse)
{
    EtsObj *n = t->root, *best = NULL;
    while (n) {
        int c = term_compare(ets_obj_key(t, n), key);
        if (reverse ? c < 0 : c > 0) {
            best = n;
            n = reverse ? n->right : n->left;
        } else {
            n = reverse ? n->left : n->right;
        }
    }
    return best;
}

static void tree_delete_obj(EtsTable *t, EtsObj *o)
{
    EtsObj *out = NULL;
    t->root = tree_remove(t, t->root, ets_obj_key(t, o), &out);
    if (out) {
        t->count--;
        t->words -= out->words;
        ets_obj_free(out);
    }
}

/* --- the storage interface ---------------------------------------------- */

void ets_store_insert(EtsTable *t, EtsObj *o)
{
    if (is_hash(t)) {
        hash_insert(t, o);
        return;
    }
    bool added = false;
    size_t w = o->words;
    t->root = tree_insert(t, t->root, o, &added);
    t->words += w;
    if (added) t->count++;
}

EtsObj *ets_store_get(EtsTable *t, Term key)
{
    if (!is_hash(t)) return tree_find(t, key);
    EtsObj **l = hash_find(t, key);
    if (!l) return NULL;
    for (EtsObj *o = *l; o; o = o->next) {
        if (o->hash != (*l)->hash || !term_eq_exact(ets_obj_key(t, o), key)) break;
        if (!o->dead) return o;
    }
    return NULL;
}

bool ets_store_has_key(EtsTable *t, Term key) { return ets_store_get(t, key) != NULL; }

void ets_store_lookup(EtsTable *t, Term key, ets_visit_fn fn, void *arg)
{
    if (!is_hash(t)) {
        EtsObj *o = tree_find(t, key);
        if (o) fn(o, arg);
        return;
    }
    EtsObj **l = hash_find(t, key);
    if (!l) return;
    uint32_t h = (*l)->hash;
    for (EtsObj *o = *l; o; o = o->next) {
        if (o->hash != h || !term_eq_exact(ets_obj_key(t, o), key)) break;
        if (!o->dead && !fn(o, arg)) return;
    }
}

size_t ets_store_delete_key(EtsTable *t, Term key)
{
    if (!is_hash(t)) {
        EtsObj *out = NULL;
        t->root = tree_remove(t, t->root, key, &out);
        if (!out) return 0;
        t->count--;
        t->words -= out->words;
        ets_obj_free(out);
        return 1;
    }
    EtsObj **l = hash_find(t, key);
    if (!l) return 0;
    uint32_t h = (*l)->hash;
    size_t n = 0;
    while (*l) {
        EtsObj *o = *l;
        if (o->hash != h || !term_eq_exact(ets_obj_key(t, o), key)) break;
        if (o->dead) {
            l = &o->next;
            continue;
        }
        n++;
        bool fixed = ets_table_is_fixed(t);
        kill_hash(t, l, o);
        if (fixed) l = &o->next;
    }
    maybe_resize(t);
    return n;
}

size_t ets_store_delete_object(EtsTable *t, Term tuple)
{
    Term key = tuple_elements(tuple)[t->keypos - 1];
    if (!is_hash(t)) {
        EtsObj *o = tree_find(t, key);
        if (!o || !term_eq_exact(o->obj, tuple)) return 0;
        tree_delete_obj(t, o);
        return 1;
    }
    EtsObj **l = hash_find(t, key);
    if (!l) return 0;
    uint32_t h = (*l)->hash;
    size_t n = 0;
    while (*l) {
        EtsObj *o = *l;
        if (o->hash != h || !term_eq_exact(ets_obj_key(t, o), key)) break;
        if (o->dead || !term_eq_exact(o->obj, tuple)) {
            l = &o->next;
            continue;
        }
        n++;
        bool fixed = ets_table_is_fixed(t);
        kill_hash(t, l, o);
        if (fixed) l = &o->next;
    }
    maybe_resize(t);
    return n;
}

void ets_store_remove(EtsTable *t, EtsObj *o)
{
    if (!is_hash(t)) {
        tree_delete_obj(t, o);
        return;
    }
    for (EtsObj **l = &t->buckets[o->hash % t->nbuckets]; *l; l = &(*l)->next) {
        if (*l == o) {
            kill_hash(t, l, o);
            break;
        }
    }
    maybe_resize(t);
}

void ets_store_replace(EtsTable *t, EtsObj *old, EtsObj *o)
{
    if (!is_hash(t)) {
        bool added;
        size_t w = o->words;
        t->root = tree_insert(t, t->root, o, &added);
        t->words += w;
        return;
    }
    o->hash = old->hash;
    for (EtsObj **l = &t->buckets[old->hash % t->nbuckets]; *l; l = &(*l)->next) {
        if (*l == old) {
            o->next = old->next;
            *l = o;
            t->words += o->words;
            t->words -= old->words;
            ets_obj_free(old);
            return;
        }
    }
    ets_obj_free(o);   /* not reached: old is in the table */
}

size_t ets_store_delete_all(EtsTable *t)
{
    size_t n = t->count;
    if (is_hash(t) && ets_table_is_fixed(t)) {
        for (size_t i = 0; i < t->nbuckets; i++)
            for (EtsObj *o = t->buckets[i]; o; o = o->next)
                if (!o->dead) {
                    o->dead = true;
                    t->ndead++;
                }
        t->count = 0;
        return n;
    }
    ets_store_clear(t);
    if (is_hash(t) && t->nbuckets != MIN_BUCKETS) {
        free(t->buckets);
        t->nbuckets = MIN_BUCKETS;
        t->buckets = xcalloc(t->nbuckets, sizeof *t->buckets);
    }
    return n;
}

void ets_store_unfixed(EtsTable *t)
{
    if (!is_hash(t) || ets_table_is_fixed(t)) return;
    if (t->ndead) {
        for (size_t i = 0; i < t->nbuckets; i++) {
            EtsObj **l = &t->buckets[i];
            while (*l) {
                if ((*l)->dead) unlink_hash(t, l, *l);
                else l = &(*l)->next;
            }
        }
    }
    maybe_resize(t);
}

/* Hash traversal order: bucket by bucket, each chain from its head. */
static Term hash_first_from(EtsTable *t, size_t b)
{
    for (; b < t->nbuckets; b++)
        for (EtsObj *o = t->buckets[b]; o; o = o->next)
            if (!o->dead) return ets_obj_key(t, o);
    return THE_NON_VALUE;
}

Term ets_store_first(EtsTable *t)
{
    if (is_hash(t)) return hash_first_from(t, 0);
    EtsObj *n = t->root;
    if (!n) return THE_NON_VALUE;
    while (n->left) n = n->left;
    return ets_obj_key(t, n);
}

Term ets_store_last(EtsTable *t)
{
    if (is_hash(t)) return hash_first_from(t, 0);
    EtsObj *n = t->root;
    if (!n) return THE_NON_VALUE;
    while (n->right) n = n->right;
    return ets_obj_key(t, n);
}

static Term hash_next(EtsTable *t, Term key, bool *missing)
{
    EtsObj **l = hash_find(t, key);
    if (!l) {
        *missing = true;
        return THE_NON_VALUE;
    }
    EtsObj *o = *l;
    uint32_t h = o->hash;
    bool live = false;
    for (; o && o->hash == h && term_eq_exact(ets_obj_key(t, o), key); o = o->next) live |= !o->dead;
    if (!live && !ets_table_is_fixed(t)) {
        *missing = true;
        return THE_NON_VALUE;
    }
    for (; o; o = o->next)
        if (!o->dead) return ets_obj_key(t, o);
    return hash_first_from(t, h % t->nbuckets + 1);
}

Term ets_store_next(EtsTable *t, Term key, bool *missing)
{
    *missing = false;
    if (is_hash(t)) return hash_next(t, key, missing);
    EtsObj *n = tree_after(t, key, false);
    return n ? ets_obj_key(t, n) : THE_NON_VALUE;
}

Term ets_store_prev(EtsTable *t, Term key, bool *missing)
{
    *missing = false;
    if (is_hash(t)) return hash_next(t, key, missing);
    EtsObj *n = tree_after(t, key, true);
    return n ? ets_obj_key(t, n) : THE_NON_VALUE;
}

bool ets_store_walk_hash(EtsTable *t, size_t from, ets_visit_fn visit, void *arg, size_t *next_bucket)
{
    for (size_t b = from; b < t->nbuckets; b++) {
        bool go_on = true;
        for (EtsObj *o = t->buckets[b]; o; o = o->next)
            if (!o->dead && !visit(o, arg)) go_on = false;
        if (!go_on) {
            *next_bucket = b + 1;
            return b + 1 >= t->nbuckets;
        }
    }
    *next_bucket = t->nbuckets;
    return true;
}

#define TREE_STACK 128   /* an AVL tree of height 128 has more than 2^87 nodes */

bool ets_store_walk_tree(EtsTable *t, Term after, bool reverse, ets_visit_fn visit, void *arg, EtsObj **last)
{
    EtsObj *stack[TREE_STACK];
    int sp = 0;
    EtsObj *n = t->root;
    /* Push the path to the first node after `after`. */
    while (n) {
        int c = after == THE_NON_VALUE ? (reverse ? -1 : 1) : term_compare(ets_obj_key(t, n), after);
        if (reverse ? c < 0 : c > 0) {
            stack[sp++] = n;
            n = reverse ? n->right : n->left;
        } else {
            n = reverse ? n->left : n->right;
        }
    }
    *last = NULL;
    while (sp > 0) {
        n = stack[--sp];
        *last = n;
        bool go_on = visit(n, arg);
        for (EtsObj *m = reverse ? n->left : n->right; m; m = reverse ? m->right : m->left) stack[sp++] = m;
        if (!go_on) return sp == 0;
    }
    return true;
}

size_t ets_store_slots(EtsTable *t) { return is_hash(t) ? t->nbuckets : t->count; }

void ets_store_slot(EtsTable *t, size_t i, ets_visit_fn visit, void *arg)
{
    if (is_hash(t)) {
        if (i >= t->nbuckets) return;
        for (EtsObj *o = t->buckets[i]; o; o = o->next)
            if (!o->dead && !visit(o, arg)) return;
        return;
    }
    EtsObj *stack[TREE_STACK];
    int sp = 0;
    EtsObj *n = t->root;
    size_t k = 0;
    while (sp > 0 || n) {
        while (n) {
            stack[sp++] = n;
            n = n->left;
        }
        n = stack[--sp];
        if (k++ == i) {
            visit(n, arg);
            return;
        }
        n = n->right;
    }
}

/* --- the registry --------------------------------------------------------
 * Open addressing with linear probing and backward-shift deletion. Keys:
 * an ets id (ref number << 6, low bits 0), a table name (an atom term,
 * low bits 001011), or a pid term (in the owners map). */

typedef struct u64map {
    uint64_t *keys;      /* 0 = empty */
    void **vals;
    size_t cap, n;
} u64map;

static size_t mix(uint64_t k)
{
    k ^= k >> 33;
    k *= UINT64_C(0xff51afd7ed558ccd);
    k ^= k >> 33;
    return (size_t)k;
}

static void **map_find(u64map *m, uint64_t key)
{
    if (!m->cap) return NULL;
    for (size_t i = mix(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (m->keys[i] == key) return &m->vals[i];
        if (m->keys[i] == 0) return NULL;
    }
}

static void map_put(u64map *m, uint64_t key, void *val);
static void map_grow(u64map *m)
{
    u64map old = *m;
    m->cap = old.cap ? old.cap * 2 : 64;
    m->n = 0;
    m->keys = xcalloc(m->cap, sizeof *m->keys);
    m->vals = xcalloc(m->cap, sizeof *m->vals);
    for (size_t i = 0; i < old.cap; i++)
        if (old.keys[i]) map_put(m, old.keys[i], old.vals[i]);
    free(old.keys);
    free(old.vals);
}

static void map_put(u64map *m, uint64_t key, void *val)
{
    if ((m->n + 1) * 2 > m->cap) map_grow(m);
    size_t i = mix(key) & (m->cap - 1);
    while (m->keys[i] && m->keys[i] != key) i = (i + 1) & (m->cap - 1);
    if (!m->keys[i]) m->n++;
    m->keys[i] = key;
    m->vals[i] = val;
}

static void map_del(u64map *m, uint64_t key)
{
    if (!m->cap) return;
    size_t mask = m->cap - 1;
    size_t i = mix(key) & mask;
    while (m->keys[i] != key) {
        if (!m->keys[i]) return;
        i = (i + 1) & mask;
    }
    m->keys[i] = 0;
    m->n--;
    for (size_t j = (i + 1) & mask; m->keys[j]; j = (j + 1) & mask) {
        size_t home = mix(m->keys[j]) & mask;
        /* Move j back into the hole at i unless home lies in (i, j]. */
        bool in_range = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (in_range) continue;
        m->keys[i] = m->keys[j];
        m->vals[i] = m->vals[j];
        m->keys[j] = 0;
        i = j;
    }
}

static struct {
    pthread_mutex_t lock;
    u64map by_key;        /* id key / name atom -> EtsTable * */
    u64map interest;      /* pid -> (uintptr_t) tables owned + fixations */
    EtsTable **all;       /* every registered table, creation order */
    size_t nall, capall;
} reg = { .lock = PTHREAD_MUTEX_INITIALIZER };

static uint64_t id_key(uint64_t id) { return id << 6; }

static void interest_add(Term pid, long d)
{
    void **v = map_find(&reg.interest, pid);
    long n = (v ? (long)(uintptr_t)*v : 0) + d;
    if (n <= 0) map_del(&reg.interest, pid);
    else map_put(&reg.interest, pid, (void *)(uintptr_t)n);
}

bool ets_register(EtsTable *t, Term owner)
{
    pthread_mutex_lock(&reg.lock);
    if (t->named && map_find(&reg.by_key, t->name)) {
        pthread_mutex_unlock(&reg.lock);
        return false;
    }
    t->owner = owner;
    map_put(&reg.by_key, id_key(t->id), t);
    if (t->named) map_put(&reg.by_key, t->name, t);
    if (reg.nall == reg.capall) {
        reg.capall = reg.capall ? reg.capall * 2 : 64;
        EtsTable **a = realloc(reg.all, reg.capall * sizeof *a);
        if (!a) abort();
        reg.all = a;
    }
    reg.all[reg.nall++] = t;
    interest_add(owner, 1);
    pthread_mutex_unlock(&reg.lock);
    return true;
}

EtsTable *ets_table_get(Term id)
{
    uint64_t key;
    if (term_is_atom(id)) key = id;
    else if (term_is_boxed_with(id, HDR_REF) && header_arity(boxed_header(id)) == 1) key = id_key(boxed_ptr(id)[1]);
    else return NULL;
    pthread_mutex_lock(&reg.lock);
    void **v = map_find(&reg.by_key, key);
    EtsTable *t = v ? *v : NULL;
    if (t) atomic_fetch_add(&t->refc, 1);
    pthread_mutex_unlock(&reg.lock);
    return t;
}

void ets_table_put(EtsTable *t)
{
    if (atomic_fetch_sub(&t->refc, 1) != 1) return;
    ets_store_clear(t);
    free(t->buckets);
    free(t->fixes);
    ets_term_free(t->heir_data);
    pthread_rwlock_destroy(&t->lock);
    free(t);
}

void ets_table_delete_locked(EtsTable *t)
{
    if (t->deleted) return;
    pthread_mutex_lock(&reg.lock);
    map_del(&reg.by_key, id_key(t->id));
    if (t->named) {
        void **v = map_find(&reg.by_key, t->name);
        if (v && *v == t) map_del(&reg.by_key, t->name);
    }
    for (size_t i = 0; i < reg.nall; i++)
        if (reg.all[i] == t) {
            memmove(&reg.all[i], &reg.all[i + 1], (reg.nall - i - 1) * sizeof *reg.all);
            reg.nall--;
            break;
        }
    interest_add(t->owner, -1);
    for (size_t i = 0; i < t->nfixes; i++) interest_add(t->fixes[i].pid, -1);
    pthread_mutex_unlock(&reg.lock);
    t->deleted = true;
    t->nfixes = 0;
    ets_store_clear(t);
    ets_term_free(t->heir_data);
    t->heir_data = NULL;
    /* The registry's reference: dropped here; users still pin t. */
    atomic_fetch_sub(&t->refc, 1);
}

bool ets_rename(EtsTable *t, Term name)
{
    pthread_mutex_lock(&reg.lock);
    if (t->named) {
        void **v = map_find(&reg.by_key, name);
        if (v && *v != t) {
            pthread_mutex_unlock(&reg.lock);
            return false;
        }
        map_del(&reg.by_key, t->name);
        map_put(&reg.by_key, name, t);
    }
    t->name = name;
    pthread_mutex_unlock(&reg.lock);
    return true;
}

Term ets_table_ref_term(const EtsTable *t, Term *hp)
{
    hp[0] = make_header(1, HDR_REF);
    hp[1] = t->id;
    return make_boxed(hp);
}

Term ets_table_id_term(const EtsTable *t, Term *hp)
{
    return t->named ? t->name : ets_table_ref_term(t, hp);
}

size_t ets_all_ids(Process *p, Term *out_list)
{
    pthread_mutex_lock(&reg.lock);
    size_t n = reg.nall;
    Term *hp = HAlloc(p, n * (2 + ETS_REF_WORDS));
    Term list = NIL;
    for (size_t i = 0; i < n; i++) {
        EtsTable *t = reg.all[i];
        Term id = ets_table_id_term(t, hp);
        hp += ETS_REF_WORDS;
        list = cons(hp, id, list);
        hp += 2;
    }
    pthread_mutex_unlock(&reg.lock);
    *out_list = list;
    return n;
}

size_t ets_table_count(void)
{
    pthread_mutex_lock(&reg.lock);
    size_t n = reg.nall;
    pthread_mutex_unlock(&reg.lock);
    return n;
}

void ets_owner_changed(Term from, Term to)
{
    pthread_mutex_lock(&reg.lock);
    interest_add(from, -1);
    interest_add(to, 1);
    pthread_mutex_unlock(&reg.lock);
}

void ets_fix_added(EtsTable *t, Term pid)
{
    (void)t;
    pthread_mutex_lock(&reg.lock);
    interest_add(pid, 1);
    pthread_mutex_unlock(&reg.lock);
}

void ets_fix_removed(EtsTable *t, Term pid)
{
    (void)t;
    pthread_mutex_lock(&reg.lock);
    interest_add(pid, -1);
    pthread_mutex_unlock(&reg.lock);
}

/* --- owner exit ----------------------------------------------------------- */

void ets_on_owner_exit(Process *p)
{
    Term pid = p->pid;
    pthread_mutex_lock(&reg.lock);
    if (!map_find(&reg.interest, pid)) {
        pthread_mutex_unlock(&reg.lock);
        return;
    }
    /* Pin every table, then look at each under its own lock. */
    size_t n = reg.nall;
    EtsTable **tabs = xmalloc(n * sizeof *tabs);
    for (size_t i = 0; i < n; i++) {
        tabs[i] = reg.all[i];
        atomic_fetch_add(&tabs[i]->refc, 1);
    }
    pthread_mutex_unlock(&reg.lock);

    for (size_t i = 0; i < n; i++) {
        EtsTable *t = tabs[i];
        Term heir = NIL, msg_data = NIL;
        EtsTerm *gift = NULL;
        pthread_rwlock_wrlock(&t->lock);
        if (!t->deleted) {
            for (size_t k = 0; k < t->nfixes;) {
                if (t->fixes[k].pid == pid) {
                    t->fixes[k] = t->fixes[--t->nfixes];
                    ets_fix_removed(t, pid);
                } else {
                    k++;
                }
            }
            if (t->nfixes == 0) ets_store_unfixed(t);
            if (t->owner == pid) {
                if (term_is_pid(t->heir) && t->heir != pid && process_lookup(t->heir)) {
                    heir = t->heir;
                    gift = t->heir_data;
                    msg_data = gift ? gift->term : am_undefined;
                    t->heir_data = NULL;
                    t->owner = heir;
                    t->heir = am_none;
                    ets_owner_changed(pid, heir);
                } else {
                    ets_table_delete_locked(t);
                }
            }
        }
        pthread_rwlock_unlock(&t->lock);
        if (heir != NIL) {
            Process *to = process_lookup(heir);
            if (to) {
                Term buf[5 + ETS_REF_WORDS];
                Term tab = ets_table_id_term(t, buf + 5);
                Term msg = tuple4(buf, ATOM_NAMED("ETS-TRANSFER"), tab, pid, msg_data);
                send_message(to, msg);
            }
            ets_term_free(gift);
        }
        ets_table_put(t);
    }
    free(tabs);
}
