/*
 * test_ets.c — the ETS storage layer (emulator/ets.c) and match
 * specifications (emulator/ets_match.c): hash tables growing and
 * shrinking, fixed tables keeping dead objects, AVL ordering and balance,
 * registry look-ups, match spec compile errors and runs, and that every
 * object is freed.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "atom.h"
#include "binary.h"
#include "ets.h"
#include "term_build.h"
#include "term_order.h"

static void setup(void) { atom_init(0); }
TestSuite(ets, .init = setup);

static Term atom(const char *s)
{
    Term a;
    cr_assert_eq(atom_put(s, strlen(s), &a), ATOM_OK);
    return a;
}

/* {K, V} in buf (3 words). */
static Term pair(Term *buf, Term k, Term v) { return tuple2(buf, k, v); }

static void insert_pair(EtsTable *t, Term k, Term v)
{
    Term buf[3];
    ets_store_insert(t, ets_obj_new(pair(buf, k, v)));
}

static void free_table(EtsTable *t)
{
    ets_table_put(t);   /* the only reference: frees every object */
}

static Process *new_process(size_t words)
{
    Process *p = calloc(1, sizeof *p);
    Term *block = malloc(words * sizeof(Term));
    cr_assert(p && block);
    p->heap = p->htop = p->high_water = block;
    p->hend = p->stop = block + words;
    p->heap_size = words;
    p->fcalls = CONTEXT_REDS;
    p->pid = (1u << 4) | 0x3u;
    return p;
}

static void free_process(Process *p)
{
    offheap_release(&p->off_heap);
    free(p->heap);
    free(p);
}

Test(ets, hash_table_grows_and_shrinks)
{
    size_t before = ets_live_objects();
    EtsTable *t = ets_table_alloc(ETS_SET, 1);
    size_t initial = t->nbuckets;
    for (int i = 0; i < 10000; i++) insert_pair(t, make_small(i), make_small(i * i));
    cr_assert_eq(t->count, 10000);
    cr_assert_gt(t->nbuckets, initial);
    cr_assert_leq(t->count, 2 * t->nbuckets);
    for (int i = 0; i < 10000; i++) {
        EtsObj *o = ets_store_get(t, make_small(i));
        cr_assert_not_null(o);
        cr_assert_eq(tuple_elements(o->obj)[1], make_small(i * i));
    }
    /* Overwriting keeps the count. */
    insert_pair(t, make_small(5), atom("five"));
    cr_assert_eq(t->count, 10000);
    cr_assert_eq(tuple_elements(ets_store_get(t, make_small(5))->obj)[1], atom("five"));
    for (int i = 0; i < 9990; i++) cr_assert_eq(ets_store_delete_key(t, make_small(i)), 1);
    cr_assert_eq(t->count, 10);
    cr_assert(t->nbuckets == initial || t->count >= t->nbuckets / 4, "shrunk: %zu buckets", t->nbuckets);
    cr_assert_leq(t->nbuckets, 64);
    ets_store_delete_all(t);
    cr_assert_eq(t->nbuckets, initial);
    insert_pair(t, make_small(1), NIL);
    insert_pair(t, make_small(2), NIL);
    cr_assert_eq(ets_live_objects(), before + 2);
    free_table(t);
    cr_assert_eq(ets_live_objects(), before);
}

Test(ets, set_keys_are_exact_ordered_set_keys_are_equal)
{
    Term fbuf[2];
    Term one_f = make_float(fbuf, 1.0);
    EtsTable *s = ets_table_alloc(ETS_SET, 1);
    insert_pair(s, make_small(1), atom("int"));
    insert_pair(s, one_f, atom("float"));
    cr_assert_eq(s->count, 2);
    EtsTable *o = ets_table_alloc(ETS_ORDERED_SET, 1);
    insert_pair(o, make_small(1), atom("int"));
    insert_pair(o, one_f, atom("float"));
    cr_assert_eq(o->count, 1);
    cr_assert_eq(tuple_elements(ets_store_get(o, make_small(1))->obj)[1], atom("float"));
    free_table(s);
    free_table(o);
}

Test(ets, bags_keep_insertion_order_and_drop_duplicates)
{
    EtsTable *b = ets_table_alloc(ETS_BAG, 1);
    EtsTable *d = ets_table_alloc(ETS_DUPLICATE_BAG, 1);
    int vals[] = { 3, 1, 3, 2 };
    for (int i = 0; i < 4; i++) {
        insert_pair(b, atom("k"), make_small(vals[i]));
        insert_pair(d, atom("k"), make_small(vals[i]));
    }
    cr_assert_eq(b->count, 3);
    cr_assert_eq(d->count, 4);
    Term buf[3];
    cr_assert_eq(ets_store_delete_object(d, pair(buf, atom("k"), make_small(3))), 2);
    cr_assert_eq(d->count, 2);
    free_table(b);
    free_table(d);
}

static bool count_visit(EtsObj *o, void *arg)
{
    (void)o;
    (*(size_t *)arg)++;
    return true;
}

Test(ets, fixed_hash_table_keeps_dead_objects_until_unfixed)
{
    size_t before = ets_live_objects();
    EtsTable *t = ets_table_alloc(ETS_SET, 1);
    for (int i = 0; i < 100; i++) insert_pair(t, make_small(i), NIL);
    size_t nb = t->nbuckets;
    t->nfixes = 1;   /* as safe_fixtable does */
    Term k = ets_store_first(t);
    size_t seen = 0;
    bool missing;
    while (k != THE_NON_VALUE) {
        seen++;
        ets_store_delete_key(t, k);
        for (int j = 0; j < 3; j++) insert_pair(t, make_small(1000 + (SWord)seen * 3 + j), NIL);
        k = ets_store_next(t, k, &missing);
        cr_assert(!missing);
        if (seen > 1000) break;
    }
    cr_assert_eq(t->nbuckets, nb, "no rehash while fixed");
    cr_assert_geq(seen, 100);
    cr_assert_gt(t->ndead, 0);
    t->nfixes = 0;
    ets_store_unfixed(t);
    cr_assert_eq(t->ndead, 0);
    size_t n = 0, next;
    ets_store_walk_hash(t, 0, count_visit, &n, &next);
    cr_assert_eq(n, t->count);
    free_table(t);
    cr_assert_eq(ets_live_objects(), before);
}

static int avl_check(EtsTable *t, EtsObj *n)
{
    if (!n) return 0;
    int l = avl_check(t, n->left), r = avl_check(t, n->right);
    cr_assert_leq(abs(l - r), 1);
    if (n->left) cr_assert_lt(term_compare(ets_obj_key(t, n->left), ets_obj_key(t, n)), 0);
    if (n->right) cr_assert_gt(term_compare(ets_obj_key(t, n->right), ets_obj_key(t, n)), 0);
    int h = (l > r ? l : r) + 1;
    cr_assert_eq(n->height, h);
    return h;
}

Test(ets, ordered_set_traversal_is_sorted_and_balanced)
{
    EtsTable *t = ets_table_alloc(ETS_ORDERED_SET, 1);
    unsigned x = 12345;
    for (int i = 0; i < 5000; i++) {
        x = x * 1103515245u + 12345u;
        insert_pair(t, make_small((SWord)(x % 100000)), NIL);
    }
    avl_check(t, t->root);
    size_t n = 0;
    bool missing;
    Term prev = THE_NON_VALUE;
    for (Term k = ets_store_first(t); k != THE_NON_VALUE; k = ets_store_next(t, k, &missing)) {
        if (prev != THE_NON_VALUE) cr_assert_lt(term_compare(prev, k), 0);
        prev = k;
        n++;
    }
    cr_assert_eq(n, t->count);
    n = 0;
    for (Term k = ets_store_last(t); k != THE_NON_VALUE; k = ets_store_prev(t, k, &missing)) n++;
    cr_assert_eq(n, t->count);
    /* Delete every other key; still balanced. */
    size_t deleted = 0;
    for (SWord k = 0; k < 100000; k += 2) deleted += ets_store_delete_key(t, make_small(k));
    cr_assert_eq(t->count, n - deleted);
    avl_check(t, t->root);
    free_table(t);
}

Test(ets, registry_finds_tables_by_id_and_name)
{
    EtsTable *t = ets_table_alloc(ETS_SET, 1);
    t->id = ref_next_id();
    t->name = atom("unit_named");
    t->named = true;
    cr_assert(ets_register(t, (7u << 4) | 0x3u));
    EtsTable *u = ets_table_alloc(ETS_SET, 1);
    u->id = ref_next_id();
    u->name = atom("unit_named");
    u->named = true;
    cr_assert(!ets_register(u, (7u << 4) | 0x3u), "name taken");
    ets_table_put(u);
    Term ref[ETS_REF_WORDS];
    EtsTable *g = ets_table_get(ets_table_ref_term(t, ref));
    cr_assert_eq(g, t);
    ets_table_put(g);
    g = ets_table_get(atom("unit_named"));
    cr_assert_eq(g, t);
    ets_table_put(g);
    pthread_rwlock_wrlock(&t->lock);
    ets_table_delete_locked(t);
    pthread_rwlock_unlock(&t->lock);
    cr_assert_null(ets_table_get(atom("unit_named")));
}

/* Builds [{Head, Guards, Body}] on the process heap. */
static Term spec1(Process *p, Term head, Term guards, Term body)
{
    Term *hp = HAlloc(p, 4 + 2);
    return cons(hp + 4, tuple3(hp, head, guards, body), NIL);
}
static Term list1(Process *p, Term x) { return cons(HAlloc(p, 2), x, NIL); }

Test(ets, match_spec_compile_errors)
{
    Process *p = new_process(4096);
    Term v1 = atom("$1"), any = atom("_");
    Term *hp;
    /* not a list, not a 3-tuple, empty body, unknown function, unbound variable, bad arity */
    cr_assert_null(ms_compile(atom("x")));
    cr_assert_null(ms_compile(list1(p, atom("x"))));
    cr_assert_null(ms_compile(spec1(p, any, NIL, NIL)));
    hp = HAlloc(p, 3);
    cr_assert_null(ms_compile(spec1(p, any, NIL, list1(p, tuple2(hp, atom("foo"), make_small(1))))));
    cr_assert_null(ms_compile(spec1(p, any, NIL, list1(p, v1))));
    hp = HAlloc(p, 4);
    cr_assert_null(ms_compile(spec1(p, v1, NIL, list1(p, tuple3(hp, atom("hd"), v1, v1)))));
    hp = HAlloc(p, 2);
    cr_assert_null(ms_compile(spec1(p, any, NIL, list1(p, tuple_from(hp, (Term[]){ atom("orelse") }, 1)))));
    /* and some good ones */
    EtsMatchSpec *ms = ms_compile(spec1(p, any, NIL, list1(p, atom("$_"))));
    cr_assert_not_null(ms);
    cr_assert(ms_is_all_objects(ms));
    ms_free(ms);
    free_process(p);
}

Test(ets, match_spec_runs)
{
    Process *p = new_process(1 << 16);
    Term v1 = atom("$1"), v2 = atom("$2");
    Term *hp = HAlloc(p, 3);
    Term head = tuple2(hp, v1, v2);
    hp = HAlloc(p, 4);
    Term guard = tuple3(hp, atom(">"), v1, make_small(1));
    hp = HAlloc(p, 4);
    Term sum = tuple3(hp, atom("+"), v1, v2);
    EtsMatchSpec *ms = ms_compile(spec1(p, head, list1(p, guard), list1(p, sum)));
    cr_assert_not_null(ms);
    Term buf[3];
    cr_assert_eq(ms_run(ms, p, pair(buf, make_small(1), make_small(2))), THE_NON_VALUE);
    cr_assert_eq(ms_run(ms, p, pair(buf, make_small(3), make_small(4))), make_small(7));
    cr_assert_eq(ms_run(ms, p, pair(buf, make_small(3), atom("x"))), am_EXIT);
    cr_assert_eq(ms_run(ms, p, make_small(3)), THE_NON_VALUE);
    Term key;
    cr_assert(!ms_bound_key(ms, 1, &key));
    /* As a magic binary: freed with its last reference. */
    UWord live = binary_live_count();
    Term mt = ms_to_term(p, ms);
    cr_assert_eq(ms_from_term(mt), ms);
    cr_assert_null(ms_from_term(make_small(1)));
    offheap_release(&p->off_heap);
    cr_assert_eq(binary_live_count(), live);
    /* A bound key is found. */
    hp = HAlloc(p, 3);
    Term head2 = tuple2(hp, atom("k"), v1);
    EtsMatchSpec *ms2 = ms_compile(spec1(p, head2, NIL, list1(p, v1)));
    cr_assert_not_null(ms2);
    cr_assert(ms_bound_key(ms2, 1, &key));
    cr_assert_eq(key, atom("k"));
    cr_assert(!ms_bound_key(ms2, 2, &key));
    ms_free(ms2);
    free_process(p);
}

/* Several threads on one table through the registry and its rwlock, as
 * the BIFs use them: writers insert and delete disjoint keys, readers
 * look keys up and walk the table. */
typedef struct thread_arg {
    Term id;
    int base;
    bool writer;
} thread_arg;

static bool visit_nothing(EtsObj *o, void *arg)
{
    (void)o;
    (void)arg;
    return true;
}

static void *worker(void *argp)
{
    thread_arg *a = argp;
    for (int round = 0; round < 2000; round++) {
        EtsTable *t = ets_table_get(a->id);
        if (!t) break;
        if (a->writer) {
            pthread_rwlock_wrlock(&t->lock);
            insert_pair(t, make_small(a->base + round), make_small(round));
            if (round % 2) ets_store_delete_key(t, make_small(a->base + round - 1));
        } else {
            pthread_rwlock_rdlock(&t->lock);
            ets_store_get(t, make_small(round));
            if (round % 100 == 0) {
                size_t next;
                ets_store_walk_hash(t, 0, visit_nothing, NULL, &next);
            }
        }
        pthread_rwlock_unlock(&t->lock);
        ets_table_put(t);
    }
    return NULL;
}

Test(ets, threads_share_a_table)
{
    size_t before = ets_live_objects();
    EtsTable *t = ets_table_alloc(ETS_SET, 1);
    t->id = ref_next_id();
    cr_assert(ets_register(t, (9u << 4) | 0x3u));
    Term ref[ETS_REF_WORDS];
    Term id = ets_table_ref_term(t, ref);
    pthread_t th[8];
    thread_arg args[8];
    for (int i = 0; i < 8; i++) {
        args[i] = (thread_arg){ id, i * 100000, i < 4 };
        cr_assert_eq(pthread_create(&th[i], NULL, worker, &args[i]), 0);
    }
    for (int i = 0; i < 8; i++) pthread_join(th[i], NULL);
    EtsTable *g = ets_table_get(id);
    cr_assert_eq(g, t);
    pthread_rwlock_wrlock(&g->lock);
    cr_assert_eq(g->count, 4 * 1000);
    ets_table_delete_locked(g);
    pthread_rwlock_unlock(&g->lock);
    ets_table_put(g);
    cr_assert_null(ets_table_get(id));
    cr_assert_eq(ets_live_objects(), before);
}
