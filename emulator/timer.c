/*
 * timer.c — see timer.h. Each pending timer owns a copy of its message in
 * a heap fragment; firing builds the message around it, sends it (which
 * copies again into the receiver's queue), and frees the copy.
 */
#include "timer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "atom.h"
#include "scheduler.h"
#include "term_build.h"

typedef struct vm_timer {
    uint64_t deadline;
    uint64_t ref;
    Term target;
    Term msg;               /* on frag, or an immediate */
    heap_frag *frag;
    bool timeout_tuple;
    bool receive_timeout;   /* target is a waiting process, msg unused */
} vm_timer;

static struct {
    pthread_mutex_t lock;
    vm_timer **heap;        /* min-heap on deadline */
    size_t n, cap;
    /* ref -> heap slot + 1 (0 empty, SIZE_MAX deleted), open addressing */
    struct { uint64_t ref; size_t slot; } *index;
    size_t index_cap, index_used;
    /* heap[0]'s deadline (0: empty), readable without the lock. */
    _Atomic uint64_t earliest;
    _Atomic uint64_t next_timeout_ref;
} tm = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Called with tm.lock held after the heap changed. */
static void note_earliest(void) { atomic_store(&tm.earliest, tm.n ? tm.heap[0]->deadline : 0); }

/* --- the index ------------------------------------------------------------ */

static size_t index_probe(uint64_t ref)
{
    size_t mask = tm.index_cap - 1, i = (size_t)(ref * 0x9E3779B97F4A7C15u) & mask;
    while (tm.index[i].slot != 0 && tm.index[i].ref != ref) i = (i + 1) & mask;
    return i;
}

static void index_grow(void)
{
    size_t old_cap = tm.index_cap;
    void *old = tm.index;
    tm.index_cap = old_cap ? old_cap * 2 : 1024;
    tm.index = calloc(tm.index_cap, sizeof *tm.index);
    if (!tm.index) abort();
    tm.index_used = 0;
    for (size_t i = 0; i < tm.n; i++) {
        size_t at = index_probe(tm.heap[i]->ref);
        tm.index[at].ref = tm.heap[i]->ref;
        tm.index[at].slot = i + 1;
        tm.index_used++;
    }
    free(old);
}

static void index_set(uint64_t ref, size_t slot)
{
    size_t at = index_probe(ref);
    if (tm.index[at].slot == 0) tm.index_used++;
    tm.index[at].ref = ref;
    tm.index[at].slot = slot + 1;
}

/* Removal by backward-shift, so probes never meet a hole. */
static void index_remove(uint64_t ref)
{
    size_t mask = tm.index_cap - 1, i = index_probe(ref);
    if (tm.index[i].slot == 0) return;
    tm.index[i].slot = 0;
    tm.index_used--;
    for (size_t j = (i + 1) & mask; tm.index[j].slot != 0; j = (j + 1) & mask) {
        size_t home = (size_t)(tm.index[j].ref * 0x9E3779B97F4A7C15u) & mask;
        bool between = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (between) continue;
        tm.index[i] = tm.index[j];
        tm.index[j].slot = 0;
        i = j;
    }
}

static size_t index_find(uint64_t ref)
{
    if (!tm.index_cap) return SIZE_MAX;
    size_t at = index_probe(ref);
    return tm.index[at].slot ? tm.index[at].slot - 1 : SIZE_MAX;
}

/* --- the heap ------------------------------------------------------------- */

static void place(size_t i, vm_timer *t)
{
    tm.heap[i] = t;
    index_set(t->ref, i);
}

static void sift_up(size_t i)
{
    vm_timer *t = tm.heap[i];
    while (i > 0 && tm.heap[(i - 1) / 2]->deadline > t->deadline) {
        place(i, tm.heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    place(i, t);
}

static void sift_down(size_t i)
{
    vm_timer *t = tm.heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= tm.n) break;
        if (c + 1 < tm.n && tm.heap[c + 1]->deadline < tm.heap[c]->deadline) c++;
        if (tm.heap[c]->deadline >= t->deadline) break;
        place(i, tm.heap[c]);
        i = c;
    }
    place(i, t);
}

/* Removes the timer in slot i and returns it. */
static vm_timer *take(size_t i)
{
    vm_timer *t = tm.heap[i];
    index_remove(t->ref);
    vm_timer *last = tm.heap[--tm.n];
    if (i < tm.n) {
        tm.heap[i] = last;
        sift_down(i);
        sift_up(tm.index[index_probe(last->ref)].slot - 1);
    }
    return t;
}

static void timer_free(vm_timer *t)
{
    if (t->frag) {
        offheap_release(&t->frag->off_heap);
        free(t->frag);
    }
    free(t);
}

static void insert(vm_timer *t)
{
    pthread_mutex_lock(&tm.lock);
    if (tm.n == tm.cap) {
        tm.cap = tm.cap ? tm.cap * 2 : 256;
        tm.heap = realloc(tm.heap, tm.cap * sizeof *tm.heap);
        if (!tm.heap) abort();
    }
    if ((tm.index_used + 1) * 2 > tm.index_cap) index_grow();
    tm.heap[tm.n++] = t;
    sift_up(tm.n - 1);
    bool first = tm.heap[0] == t;
    note_earliest();
    pthread_mutex_unlock(&tm.lock);
    if (first) sched_timers_changed();
}

void timer_start(uint64_t ref, uint64_t deadline_ms, Term target, Term msg, bool timeout_tuple)
{
    vm_timer *t = malloc(sizeof *t);
    if (!t) abort();
    *t = (vm_timer){ .deadline = deadline_ms, .ref = ref, .target = target, .msg = msg, .timeout_tuple = timeout_tuple };
    if (!term_is_immed(msg)) {
        size_t words = size_object(msg);
        t->frag = malloc(sizeof *t->frag + words * sizeof(Term));
        if (!t->frag) abort();
        t->frag->next = NULL;
        t->frag->size = t->frag->used = words;
        t->frag->off_heap = (OffHeap){ 0 };
        Term *hp = t->frag->mem;
        t->msg = copy_object(msg, &hp, &t->frag->off_heap);
    }
    insert(t);
}

uint64_t timer_new_ref(void) { return (1ull << 63) | atomic_fetch_add(&tm.next_timeout_ref, 1); }

void timer_start_receive_timeout(uint64_t ref, uint64_t deadline_ms, Term pid)
{
    vm_timer *t = malloc(sizeof *t);
    if (!t) abort();
    *t = (vm_timer){ .deadline = deadline_ms, .ref = ref, .target = pid, .msg = NIL, .receive_timeout = true };
    insert(t);
}

uint64_t timer_next_deadline(void) { return atomic_load(&tm.earliest); }

static bool lookup(uint64_t ref, uint64_t *left_ms, bool cancel)
{
    pthread_mutex_lock(&tm.lock);
    size_t i = index_find(ref);
    vm_timer *t = NULL;
    if (i != SIZE_MAX) {
        uint64_t now = monotonic_ms();
        *left_ms = tm.heap[i]->deadline > now ? tm.heap[i]->deadline - now : 0;
        if (cancel) {
            t = take(i);
            note_earliest();
        }
    }
    pthread_mutex_unlock(&tm.lock);
    if (t) timer_free(t);
    return i != SIZE_MAX;
}

bool timer_cancel(uint64_t ref, uint64_t *left_ms) { return lookup(ref, left_ms, true); }
bool timer_read(uint64_t ref, uint64_t *left_ms) { return lookup(ref, left_ms, false); }

/* The receive timeout of a process that still waits for it. */
static void time_out(vm_timer *t)
{
    Process *p = process_lookup(t->target);
    if (!p) return;
    pthread_mutex_lock(&p->inbox_lock);
    bool wake = p->timeout_ref == t->ref && atomic_load(&p->state) == PS_WAITING;
    if (p->timeout_ref == t->ref) {
        p->timeout_ref = 0;
        p->timed_out = true;
    }
    if (wake) atomic_store(&p->state, PS_RUNNABLE);
    pthread_mutex_unlock(&p->inbox_lock);
    if (wake) sched_wake(p);
}

static void deliver(vm_timer *t)
{
    if (t->receive_timeout) {
        time_out(t);
        return;
    }
    Process *to = term_is_pid(t->target) ? process_lookup(t->target) : process_whereis(t->target);
    if (!to) return;   /* as in OTP: a timer to a dead process sends nothing */
    Term msg = t->msg;
    Term scratch[6];
    if (t->timeout_tuple) {
        scratch[0] = make_header(1, HDR_REF);
        scratch[1] = t->ref;
        msg = tuple3(scratch + 2, ATOM_NAMED("timeout"), make_boxed(scratch), t->msg);
    }
    send_message(to, msg);
}

uint64_t timer_fire(uint64_t now_ms)
{
    uint64_t earliest = atomic_load_explicit(&tm.earliest, memory_order_relaxed);
    if (earliest == 0 || earliest > now_ms) return earliest;
    for (;;) {
        pthread_mutex_lock(&tm.lock);
        if (tm.n == 0) {
            pthread_mutex_unlock(&tm.lock);
            return 0;
        }
        if (tm.heap[0]->deadline > now_ms) {
            uint64_t next = tm.heap[0]->deadline;
            pthread_mutex_unlock(&tm.lock);
            return next;
        }
        vm_timer *t = take(0);
        note_earliest();
        pthread_mutex_unlock(&tm.lock);
        deliver(t);
        timer_free(t);
    }
}
