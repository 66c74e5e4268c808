/*
 * reclaim.h — deferred freeing of shared objects (quiescent-state based
 * reclamation), so that readers need no lock and no reference count.
 *
 * The problem: any thread may look a process up by pid and use the
 * Process it found (send to it, take its inbox lock) while its owner makes
 * it exit on another thread. The owner therefore does not free it; it
 * unlinks it from every table and hands it to reclaim_defer(). It is freed
 * once every participating thread has passed a quiescent point since then.
 *
 * Rules for participants (the schedulers, the IO thread):
 * - A pointer found in a shared table is used only until the thread's
 *   next quiescent point, never stored beyond it (store the pid instead).
 * - A scheduler calls reclaim_quiescent() between two processes (nothing
 *   from the previous slice is held then), reclaim_offline() before it
 *   blocks to sleep and reclaim_online() when it wakes.
 * - Threads that are not participants (none today) must not look up
 *   shared objects.
 *
 * The epochs are 64-bit counters; one global mutex guards the limbo list,
 * which only exiting and reclaiming touch (not the per-message paths).
 */
#ifndef CB_RECLAIM_H
#define CB_RECLAIM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define RECLAIM_OFFLINE UINT64_MAX

typedef struct reclaim_slot {
    _Atomic uint64_t seen;          /* last epoch observed, or RECLAIM_OFFLINE */
    struct reclaim_slot *next;      /* the registry's list (never unlinked) */
} reclaim_slot;

/* Registers a participant; it starts online. */
void reclaim_register(reclaim_slot *s);
/* A point where the calling thread holds no pointer from shared tables. */
void reclaim_quiescent(reclaim_slot *s);
void reclaim_offline(reclaim_slot *s);
void reclaim_online(reclaim_slot *s);
/* Frees obj with free_fn once no participant can still reach it. The
 * caller has already removed it from every shared table. */
void reclaim_defer(void (*free_fn)(void *), void *obj);
/* Frees what has become safe to free; cheap when the limbo is empty. */
void reclaim_poll(void);

#endif
