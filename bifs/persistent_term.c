/*
 * persistent_term.c — the persistent term store: terms copied once out of
 * the process heap into a literal area, then read by any process without
 * copying (the GC leaves terms outside the heap alone).
 *
 * The store is one table under a mutex. An overwritten or erased value's
 * copy is kept alive, because processes may still hold it: OTP copies such
 * terms into the holders' heaps before freeing them (the literal area
 * collector), which cbeam does not have yet, so replaced values stay
 * allocated until the VM exits.
 */
#include <pthread.h>
#include <stdlib.h>

#include "atom.h"
#include "bif.h"
#include "literal.h"
#include "scheduler.h"
#include "term_build.h"
#include "term_order.h"

typedef struct pt_entry {
    Term key, value;
} pt_entry;

static struct {
    pthread_mutex_t lock;
    literal_area *area;
    pt_entry *entries;
    size_t n, cap;
} store = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Called with the lock held. */
static pt_entry *find(Term key)
{
    for (size_t i = 0; i < store.n; i++)
        if (term_eq_exact(store.entries[i].key, key)) return &store.entries[i];
    return NULL;
}

static Term persist(Term t)
{
    if (!store.area) {
        store.area = malloc(sizeof *store.area);
        if (!store.area) abort();
        literal_area_init(store.area);
    }
    if (term_is_immed(t)) return t;
    Term *hp = sink_alloc(&store.area->sink, size_object(t));
    if (!hp) abort();
    return copy_object(t, &hp, &store.area->off_heap);
}

static Term lookup(Process *p, Term key, Term dflt, bool has_default)
{
    pthread_mutex_lock(&store.lock);
    pt_entry *e = find(key);
    Term v = e ? e->value : THE_NON_VALUE;
    pthread_mutex_unlock(&store.lock);
    if (v != THE_NON_VALUE) return v;
    if (has_default) return dflt;
    BIF_ERROR(p, EXC_BADARG);
}

Term bif_persistent_term_get_1(Process *p, Term *args) { return lookup(p, args[0], NIL, false); }
Term bif_persistent_term_get_2(Process *p, Term *args) { return lookup(p, args[0], args[1], true); }

/* get/0: every {Key, Value}; the terms stay in the store's literal area
 * (never freed), only the tuples and the list are on p's heap. */
Term bif_persistent_term_get_0(Process *p, Term *args)
{
    (void)args;
    pthread_mutex_lock(&store.lock);
    size_t n = store.n;
    Term *hp = HAlloc(p, 5 * (n ? n : 1));
    if (!hp) abort();
    Term list = NIL;
    for (size_t i = n; i-- > 0; hp += 5) {
        hp[0] = make_header(2, HDR_TUPLE);
        hp[1] = store.entries[i].key;
        hp[2] = store.entries[i].value;
        list = cons(hp + 3, make_boxed(hp), list);
    }
    pthread_mutex_unlock(&store.lock);
    return list;
}

Term bif_persistent_term_put_2(Process *p, Term *args)
{
    (void)p;
    pthread_mutex_lock(&store.lock);
    pt_entry *e = find(args[0]);
    if (e && term_eq_exact(e->value, args[1])) {
        pthread_mutex_unlock(&store.lock);
        return am_ok;
    }
    Term value = persist(args[1]);
    if (!e) {
        if (store.n == store.cap) {
            store.cap = store.cap ? store.cap * 2 : 64;
            store.entries = realloc(store.entries, store.cap * sizeof *store.entries);
            if (!store.entries) abort();
        }
        e = &store.entries[store.n++];
        e->key = persist(args[0]);
    }
    e->value = value;
    pthread_mutex_unlock(&store.lock);
    return am_ok;
}

Term bif_persistent_term_erase_1(Process *p, Term *args)
{
    (void)p;
    pthread_mutex_lock(&store.lock);
    pt_entry *e = find(args[0]);
    if (e) *e = store.entries[--store.n];
    pthread_mutex_unlock(&store.lock);
    return e ? am_true : am_false;
}
