/*
 * reclaim.c — see reclaim.h.
 *
 * An object deferred at epoch e (the global epoch is then advanced to
 * e + 1) is safe to free when every online participant has observed an
 * epoch > e: it passed a quiescent point after the object was unlinked.
 * A participant that comes online reads the current epoch with sequential
 * consistency before it looks anything up, so it can only find objects
 * that are still linked.
 */
#include "reclaim.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct limbo_entry {
    struct limbo_entry *next;
    uint64_t epoch;
    void (*free_fn)(void *);
    void *obj;
} limbo_entry;

static struct {
    _Atomic uint64_t epoch;
    pthread_mutex_t lock;            /* the registry list and the limbo list */
    reclaim_slot *slots;
    limbo_entry *limbo, **limbo_last;   /* oldest first */
    _Atomic bool pending;
} rc = { .epoch = 1, .lock = PTHREAD_MUTEX_INITIALIZER, .limbo_last = &rc.limbo };

void reclaim_register(reclaim_slot *s)
{
    atomic_store(&s->seen, atomic_load(&rc.epoch));
    pthread_mutex_lock(&rc.lock);
    s->next = rc.slots;
    rc.slots = s;
    pthread_mutex_unlock(&rc.lock);
}

void reclaim_quiescent(reclaim_slot *s)
{
    atomic_store_explicit(&s->seen, atomic_load_explicit(&rc.epoch, memory_order_acquire), memory_order_release);
}

void reclaim_offline(reclaim_slot *s) { atomic_store(&s->seen, RECLAIM_OFFLINE); }

void reclaim_online(reclaim_slot *s) { atomic_store(&s->seen, atomic_load(&rc.epoch)); }

void reclaim_defer(void (*free_fn)(void *), void *obj)
{
    limbo_entry *e = malloc(sizeof *e);
    if (!e) {
        fputs("cbeam: out of memory deferring a free\n", stderr);
        abort();
    }
    e->next = NULL;
    e->free_fn = free_fn;
    e->obj = obj;
    pthread_mutex_lock(&rc.lock);
    e->epoch = atomic_fetch_add(&rc.epoch, 1);
    *rc.limbo_last = e;
    rc.limbo_last = &e->next;
    atomic_store_explicit(&rc.pending, true, memory_order_relaxed);
    pthread_mutex_unlock(&rc.lock);
}

/* Frees a chain taken off the limbo list (without the lock). */
static void free_entries(limbo_entry *e)
{
    while (e) {
        limbo_entry *next = e->next;
        e->free_fn(e->obj);
        free(e);
        e = next;
    }
}

void reclaim_poll(void)
{
    if (!atomic_load_explicit(&rc.pending, memory_order_relaxed)) return;
    if (pthread_mutex_trylock(&rc.lock) != 0) return;   /* someone else is at it */
    uint64_t safe = RECLAIM_OFFLINE;
    for (reclaim_slot *s = rc.slots; s; s = s->next) {
        uint64_t seen = atomic_load(&s->seen);
        if (seen < safe) safe = seen;
    }
    limbo_entry *ready = NULL, **ready_last = &ready;
    while (rc.limbo && rc.limbo->epoch < safe) {
        limbo_entry *e = rc.limbo;
        rc.limbo = e->next;
        e->next = NULL;
        *ready_last = e;
        ready_last = &e->next;
    }
    if (!rc.limbo) {
        rc.limbo_last = &rc.limbo;
        atomic_store_explicit(&rc.pending, false, memory_order_relaxed);
    }
    pthread_mutex_unlock(&rc.lock);
    free_entries(ready);
}
