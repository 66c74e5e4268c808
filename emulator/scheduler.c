/*
 * scheduler.c — run queues, stealing, balancing, sleeping and waking,
 * receive waits, halting.
 *
 * Lock order: a process's main lock, then its inbox_lock, then the
 * balancing lock, then a scheduler's lock, then the timer lock. A thread
 * holds at most one scheduler lock (a thief only try-locks its victim
 * while holding none, and queues what it took after letting go).
 *
 * Sleeping: an idle scheduler spins a little (stealing), then sleeps on its
 * condition variable, offline for reclamation. Exactly one sleeper at a
 * time (the timer watcher) waits with a timeout, until the earliest timer
 * deadline; the others wait until work arrives. A scheduler that is awake
 * fires due timers every time it looks for work (at least once a slice).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emu.h"
#include "scheduler.h"
#include "sysmon.h"
#include "trace.h"
#include "prof.h"
#include "prof_internal.h"   /* the slice hooks, inline */
#include "timer.h"

vm_state vm;

/* Rounds of stealing an idle scheduler tries before it sleeps. */
#define IDLE_SPINS 64
/* A thief takes the first waiting process and up to half of the rest of
 * the normal queue, at most this many more: a few workers spawned on one
 * scheduler are split evenly by one steal (bench/parallel: 4/4 instead
 * of 7/1 until a balancing pass), while small batches keep a long queue
 * of tasks of uneven size from moving in clumps (bench/skewed was slower
 * with 64 than with 8). */
#define STEAL_BATCH_MAX 8
/* A queue longer than this wakes a sleeping scheduler to steal from it
 * (OTP wakes another scheduler once a queue holds more work than its
 * owner can start now). */
#define WAKE_OTHER_LEN 2

static _Atomic unsigned sleepers;        /* schedulers blocked in sched_next */
static _Atomic int timer_watcher;        /* id of the sleeper watching timers, 0 none */

/* The balancing state. Everything here is written only with `lock` held
 * (one pass at a time, activation, schedulers_online); the atomics are
 * read without it. Lock order: a process's locks, then this lock, then a
 * scheduler's lock. */
static struct {
    pthread_mutex_t lock;
    balance_state plan;          /* history, halftime/full, rises (balance.h) */
    uint64_t reds_seen[MAX_SCHEDULERS][PRIO_LEVELS];   /* prio_reds at the last full pass */
    _Atomic unsigned epoch;      /* passes so far: a new one restarts every queue's count */
    _Atomic unsigned active;     /* compaction: the first `active` online queues are active */
} balancing = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Scheduler.out_of_work: the owner waited for work since the last full
 * pass / and since the halftime pass (OTP's ERTS_RUNQ_FLG_OUT_OF_WORK and
 * ERTS_RUNQ_FLG_HALFTIME_OUT_OF_WORK). */
#define OOW_FULL 1u
#define OOW_HALFTIME 2u

/* Scheduler.path_flags: a summary of the queue's paths, so that the
 * enqueue and the scheduling loop test one word. */
#define PATHS_EMIGRATE(pix) (1u << (pix))
#define PATHS_IMMIGRATE(pix) (1u << (PRIO_LEVELS + (pix)))
#define PATHS_IMMIGRATE_ANY (((1u << PRIO_LEVELS) - 1) << PRIO_LEVELS)
#define PATHS_INACTIVE (1u << (2 * PRIO_LEVELS))

/* Scheduler.path[pix]: one priority level's path in one word, so that a
 * reader sees one pass's path whole: the other queue's index (bits 0-6),
 * emigrate, immigrate, evacuate, the other end evacuates (bits 7-10), the
 * limit here (bits 16-39) and there (bits 40-63). 0: no path. */
#define PATH_EMIGRATE (1u << 7)
#define PATH_IMMIGRATE (1u << 8)
#define PATH_EVACUATE (1u << 9)
#define PATH_OTHER_EVACUATE (1u << 10)

static uint64_t path_word(const balance_path *bp)
{
    if (bp->other < 0) return 0;
    return (uint64_t)bp->other | (bp->emigrate ? PATH_EMIGRATE : 0) | (bp->immigrate ? PATH_IMMIGRATE : 0) |
           (bp->evacuate ? PATH_EVACUATE : 0) | (bp->other_evacuate ? PATH_OTHER_EVACUATE : 0) |
           (uint64_t)bp->limit_here << 16 | (uint64_t)bp->limit_other << 40;
}

static unsigned path_other(uint64_t w) { return (unsigned)(w & 0x7f); }
static uint32_t path_limit_here(uint64_t w) { return (uint32_t)(w >> 16) & BALANCE_LIMIT_MAX; }
static uint32_t path_limit_other(uint64_t w) { return (uint32_t)(w >> 40) & BALANCE_LIMIT_MAX; }

uint64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A hint to the CPU inside a spin loop. */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

static void stat_add(_Atomic uint64_t *counter, uint64_t n) { atomic_fetch_add_explicit(counter, n, memory_order_relaxed); }

/* --- setup ------------------------------------------------------------------- */

void sched_setup(unsigned n)
{
    if (n < 1) n = 1;
    if (n > MAX_SCHEDULERS) n = MAX_SCHEDULERS;
    vm.start_ms = monotonic_ms();
    vm.schedulers = n;
    atomic_store(&vm.schedulers_online, n);
    for (unsigned i = 0; i < n; i++) {
        Scheduler *sd = calloc(1, sizeof *sd);
        if (!sd) {
            fputs("cbeam: out of memory starting the schedulers\n", stderr);
            exit(1);
        }
        sd->id = (int)i + 1;
        pthread_mutex_init(&sd->lock, NULL);
        pthread_condattr_t attr;
        pthread_condattr_init(&attr);
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);   /* deadlines use monotonic_ms */
        pthread_cond_init(&sd->wake, &attr);
        pthread_condattr_destroy(&attr);
        sd->balance_reds_left = BALANCE_CALL_REDS;
        reclaim_register(&sd->reclaim);
        sd->prof_store = prof_sched_new(sd);
        if (prof_enabled()) atomic_store(&sd->prof, sd->prof_store);
        vm.sched[i] = sd;
    }
    balance_state_init(&balancing.plan, n);
    atomic_store(&balancing.active, n);
}

/* The scheduler this thread is (NULL on other threads): sched_wake's
 * wake-affine choice. */
static _Thread_local Scheduler *current_sched;

static void *scheduler_thread(void *arg)
{
    current_sched = arg;
    prof_thread_start(arg);
    process_main(arg);
    return NULL;
}

void sched_run(void)
{
    for (unsigned i = 1; i < vm.schedulers; i++) {
        if (pthread_create(&vm.sched[i]->thread, NULL, scheduler_thread, vm.sched[i]) != 0) {
            fputs("cbeam: cannot start a scheduler thread\n", stderr);
            exit(1);
        }
    }
    current_sched = vm.sched[0];
    prof_thread_start(vm.sched[0]);
    process_main(vm.sched[0]);
    for (unsigned i = 1; i < vm.schedulers; i++) pthread_join(vm.sched[i]->thread, NULL);
}

/* --- statistics ---------------------------------------------------------------- */

size_t sched_run_queue_length_of(unsigned index)
{
    return index < vm.schedulers ? atomic_load(&vm.sched[index]->rq_len) : 0;
}

size_t sched_run_queue_length(void)
{
    size_t total = 0;
    for (unsigned i = 0; i < vm.schedulers; i++) total += sched_run_queue_length_of(i);
    return total;
}

size_t sched_active_tasks_of(unsigned index)
{
    if (index >= vm.schedulers) return 0;
    Scheduler *s = vm.sched[index];
    return atomic_load(&s->rq_len) + (atomic_load_explicit(&s->running, memory_order_relaxed) ? 1 : 0);
}

size_t sched_active_tasks_total(void)
{
    size_t total = 0;
    for (unsigned i = 0; i < vm.schedulers; i++) total += sched_active_tasks_of(i);
    return total;
}

uint64_t sched_total_reductions(void)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < vm.schedulers; i++) total += atomic_load(&vm.sched[i]->stats.reductions);
    return total;
}

uint64_t sched_total_context_switches(void)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < vm.schedulers; i++) total += atomic_load(&vm.sched[i]->stats.context_switches);
    return total;
}

/* --- run queues ------------------------------------------------------------------ */

static unsigned queue_of(const Process *p) { return p->priority == PRIO_LOW ? RUNQ_NORMAL : p->priority; }

/* Called with sd->lock held. */
static void append(Scheduler *sd, unsigned q, Process *p)
{
    p->run_next = NULL;
    if (sd->rq[q].tail) sd->rq[q].tail->run_next = p;
    else sd->rq[q].head = p;
    sd->rq[q].tail = p;
}

/* Single-writer counters (the queue's lock is held): plain adds. */
static inline uint32_t bump32(_Atomic uint32_t *c, int32_t by)
{
    uint32_t v = atomic_load_explicit(c, memory_order_relaxed) + (uint32_t)by;
    atomic_store_explicit(c, v, memory_order_relaxed);
    return v;
}

static inline size_t bump_len(_Atomic size_t *c, long by)
{
    size_t v = atomic_load_explicit(c, memory_order_relaxed) + (size_t)by;
    atomic_store_explicit(c, v, memory_order_relaxed);
    return v;
}

/* Called with sd->lock held. Inlined: it is on every enqueue. */
static inline __attribute__((always_inline)) void enqueue_locked(Scheduler *sd, Process *p)
{
    if (p->priority == PRIO_LOW) p->schedule_count = RESCHEDULE_LOW;
    append(sd, queue_of(p), p);
    uint32_t len = bump32(&sd->prio_len[p->priority], 1);
    if (len > sd->prio_max_len[p->priority]) sd->prio_max_len[p->priority] = len;
    size_t total = bump_len(&sd->rq_len, 1);
    if (total > sd->max_len) sd->max_len = (uint32_t)total;
}

/* Unlinks p, which follows prev (NULL: the head) in queue q. Called with
 * sd->lock held. */
static Process *unlink_process(Scheduler *sd, unsigned q, Process *prev, Process *p)
{
    if (prev) prev->run_next = p->run_next;
    else sd->rq[q].head = p->run_next;
    if (sd->rq[q].tail == p) sd->rq[q].tail = prev;
    p->run_next = NULL;
    bump32(&sd->prio_len[p->priority], -1);
    bump_len(&sd->rq_len, -1);
    return p;
}

/* Takes the head of queue q. Called with sd->lock held. Inlined: it is
 * on every dequeue. */
static inline __attribute__((always_inline)) Process *take_head(Scheduler *sd, unsigned q)
{
    Process *p = sd->rq[q].head;
    sd->rq[q].head = p->run_next;
    if (!sd->rq[q].head) sd->rq[q].tail = NULL;
    p->run_next = NULL;
    bump32(&sd->prio_len[p->priority], -1);
    bump_len(&sd->rq_len, -1);
    return p;
}

/* The first process of priority level pix, or NULL. Called with sd->lock
 * held. */
static Process *take_level(Scheduler *sd, unsigned pix)
{
    unsigned q = pix == PRIO_LOW ? RUNQ_NORMAL : pix;
    for (Process *prev = NULL, *p = sd->rq[q].head; p; prev = p, p = p->run_next)
        if (p->priority == pix) return unlink_process(sd, q, prev, p);
    return NULL;
}

/* The next process in priority order; NULL if every queue is empty.
 * Called with sd->lock held. */
static Process *dequeue_locked(Scheduler *sd)
{
    for (unsigned q = 0; q < RUNQ_COUNT; q++) {
        Process *p = sd->rq[q].head;
        if (!p) continue;
        /* A low process at the head steps back behind the others. */
        while (p->priority == PRIO_LOW && p->schedule_count > 0 && p->run_next) {
            p->schedule_count--;
            sd->rq[q].head = p->run_next;
            append(sd, q, p);
            p = sd->rq[q].head;
        }
        return take_head(sd, q);
    }
    return NULL;
}

static bool is_online(const Scheduler *sd) { return (unsigned)sd->id <= atomic_load(&vm.schedulers_online); }

static uint32_t level_len(Scheduler *sd, unsigned pix)
{
    return atomic_load_explicit(&sd->prio_len[pix], memory_order_relaxed);
}

/* OTP's erts_check_emigration_need: the queue a process of level pix
 * enqueued on sd goes to instead, or NULL. Forced when the level is
 * evacuated or sd is (still) inactive; else only while sd's level is over
 * its limit and the target's under its own. */
static Scheduler *emigration_target(Scheduler *sd, unsigned pix, uint32_t flags)
{
    uint64_t w = atomic_load_explicit(&sd->path[pix], memory_order_relaxed);
    if (!(w & PATH_EMIGRATE)) return NULL;
    Scheduler *to = vm.sched[path_other(w)];
    if (!is_online(to)) return NULL;   /* a path from before schedulers_online fell */
    if (w & PATH_EVACUATE) return to;
    if ((flags & PATHS_INACTIVE) && atomic_load_explicit(&sd->inactive, memory_order_relaxed)) return to;
    if (level_len(sd, pix) > path_limit_here(w) && level_len(to, pix) < path_limit_other(w)) return to;
    return NULL;
}

/* Where a process of level pix enqueued on sd goes: sd itself, down sd's
 * migration path, or to an online scheduler when sd has been taken
 * offline. */
static Scheduler *enqueue_target(Scheduler *sd, unsigned pix)
{
    unsigned online = atomic_load_explicit(&vm.schedulers_online, memory_order_relaxed);
    if ((unsigned)sd->id > online) return vm.sched[(unsigned)(sd->id - 1) % online];
    uint32_t flags = atomic_load_explicit(&sd->path_flags, memory_order_relaxed);
    if (__builtin_expect(!(flags & PATHS_EMIGRATE(pix)), 1)) return sd;
    Scheduler *to = emigration_target(sd, pix, flags);
    return to ? to : sd;
}

static unsigned active_queues(unsigned online)
{
    unsigned active = atomic_load_explicit(&balancing.active, memory_order_relaxed);
    return active < online ? active : online;
}

/* Signals s if it sleeps; true if it did. */
static bool wake_if_asleep(Scheduler *s)
{
    pthread_mutex_lock(&s->lock);
    bool asleep = s->sleeping;
    if (asleep) pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    return asleep;
}

/* Compaction let queue `index` go inactive; the load has grown since:
 * make it active again, and wake its scheduler (OTP's
 * try_inc_no_active_runqs in wake_scheduler_on_empty_runq). The next
 * full pass sees the rise. */
static void activate(unsigned index)
{
    Scheduler *s = NULL;
    pthread_mutex_lock(&balancing.lock);
    if (atomic_load(&balancing.active) == index && index < atomic_load(&vm.schedulers_online)) {
        s = vm.sched[index];
        atomic_store(&s->inactive, false);
        atomic_store(&balancing.active, index + 1);
    }
    pthread_mutex_unlock(&balancing.lock);
    if (s) wake_if_asleep(s);
}

/* Wakes one sleeping scheduler of an active queue other than `busy` so
 * that it steals; if there is none, activates the next inactive queue. */
static void wake_other(const Scheduler *busy)
{
    unsigned n = vm.schedulers, online = atomic_load(&vm.schedulers_online);
    unsigned active = active_queues(online);
    for (unsigned k = 1; k < n; k++) {
        Scheduler *s = vm.sched[((unsigned)busy->id - 1 + k) % n];
        if ((unsigned)s->id > active) continue;
        if (wake_if_asleep(s)) return;
    }
    if (active < online) activate(active);
}

void sched_enqueue(Scheduler *sd, Process *p)
{
    Scheduler *to = enqueue_target(sd, p->priority);
    if (to != sd) {
        stat_add(&sd->stats.migrations_out, 1);
        stat_add(&to->stats.migrations_in, 1);
        if (__builtin_expect(sched_prof(sd) != NULL, 0))
            prof_migrate(p, sd->id, to->id, is_online(sd) ? PROF_MIG_BALANCE : PROF_MIG_OFFLINE);
    }
    atomic_store_explicit(&p->sched, to, memory_order_relaxed);
    pthread_mutex_lock(&to->lock);
    enqueue_locked(to, p);
    bool owner_asleep = to->sleeping;
    size_t len = atomic_load_explicit(&to->rq_len, memory_order_relaxed);
    if (owner_asleep) pthread_cond_signal(&to->wake);
    pthread_mutex_unlock(&to->lock);
    if (!owner_asleep && len >= WAKE_OTHER_LEN && atomic_load_explicit(&sleepers, memory_order_relaxed) > 0)
        wake_other(to);
}

/* Wake-affine: a process woken by one running on another scheduler whose
 * queue is empty moves there, and runs as soon as the waker waits, instead
 * of waking its own (idle) scheduler: a chain of processes passing
 * messages then stays on one scheduler rather than crossing on every hop.
 * With work queued on the waker's scheduler it stays home, and an idle
 * scheduler steals whatever waits too long. */
void sched_wake(Process *p)
{
    Scheduler *home = atomic_load_explicit(&p->sched, memory_order_relaxed), *self = current_sched;
    if (self && self != home && is_online(self) && atomic_load_explicit(&self->rq_len, memory_order_relaxed) == 0 &&
        !atomic_load_explicit(&home->running, memory_order_relaxed))
        home = self;
    sched_enqueue(home, p);
}

/* Records one process stolen by sd from v. */
static void count_steal(Scheduler *sd, Scheduler *v, Process *p)
{
    stat_add(&v->stats.steals_out, 1);
    stat_add(&sd->stats.steals_in, 1);
    if (__builtin_expect(sched_prof(sd) != NULL, 0)) prof_migrate(p, v->id, sd->id, PROF_MIG_STEAL);
}

/* Unlinks up to half of what waits in v's normal queue after its head was
 * taken (at most STEAL_BATCH_MAX), as a list through run_next. Called
 * with v->lock held. */
static Process *take_batch(Scheduler *sd, Scheduler *v)
{
    size_t n = (level_len(v, PRIO_NORMAL) + level_len(v, PRIO_LOW)) / 2;
    if (n > STEAL_BATCH_MAX) n = STEAL_BATCH_MAX;
    Process *batch = NULL, **tail = &batch;
    while (n-- > 0 && v->rq[RUNQ_NORMAL].head) {
        Process *p = take_head(v, RUNQ_NORMAL);
        atomic_store_explicit(&p->sched, sd, memory_order_relaxed);
        *tail = p;
        tail = &p->run_next;
    }
    return batch;
}

/* Takes work from v's queue for sd: the first process of the highest
 * priority, returned to run now, and, from the normal queue, up to half
 * of what waits behind it, which joins sd's queue. NULL if none. Never
 * blocks on v: if v's lock is busy it gives up, and it holds one
 * scheduler lock at a time. */
static Process *steal_from(Scheduler *sd, Scheduler *v)
{
    if (atomic_load_explicit(&v->rq_len, memory_order_relaxed) == 0) return NULL;
    if (pthread_mutex_trylock(&v->lock) != 0) return NULL;
    Process *p = NULL, *batch = NULL;
    for (unsigned q = 0; q < RUNQ_COUNT && !p; q++) {
        if (!v->rq[q].head) continue;
        p = take_head(v, q);
        if (q == RUNQ_NORMAL) batch = take_batch(sd, v);
    }
    if (p) atomic_store_explicit(&p->sched, sd, memory_order_relaxed);
    pthread_mutex_unlock(&v->lock);
    if (!p) return NULL;
    count_steal(sd, v, p);
    if (batch) {
        /* Counted while sd still owns them alone: once queued, another
         * scheduler may steal and run them. */
        for (Process *b = batch; b; b = b->run_next) count_steal(sd, v, b);
        pthread_mutex_lock(&sd->lock);
        while (batch) {
            Process *next = batch->run_next;
            enqueue_locked(sd, batch);
            batch = next;
        }
        pthread_mutex_unlock(&sd->lock);
    }
    return p;
}

/* Takes one process from another scheduler's queue, or NULL: first from
 * queues that are inactive (or offline), whose work should move to
 * active ones anyway, then from the other active queues (OTP's
 * try_steal_task). */
static Process *steal(Scheduler *sd)
{
    unsigned n = vm.schedulers, active = active_queues(atomic_load(&vm.schedulers_online));
    for (int inactive_pass = 1; inactive_pass >= 0; inactive_pass--)
        for (unsigned k = 1; k < n; k++) {
            unsigned ix = ((unsigned)sd->id - 1 + k) % n;
            if ((ix >= active) != (bool)inactive_pass) continue;
            Process *p = steal_from(sd, vm.sched[ix]);
            if (p) return p;
        }
    return NULL;
}

/* OTP's check_immigration_need: whether sd, on an immigrate path w of
 * level pix, takes a process from the path's source now. */
static bool immigration_needed(Scheduler *sd, Scheduler *from, unsigned pix, uint64_t w)
{
    if (from == sd || !is_online(from) || level_len(from, pix) == 0) return false;
    if ((w & PATH_OTHER_EVACUATE) || atomic_load_explicit(&from->inactive, memory_order_relaxed)) return true;
    return level_len(sd, pix) < path_limit_here(w) && level_len(from, pix) > path_limit_other(w);
}

/* OTP's immigrate: along each immigrate path, highest level first, sd
 * pulls one process from the path's source while its own level is under
 * its limit and the source's over its own. Holds one queue lock at a
 * time. */
static void immigrate(Scheduler *sd, uint32_t flags)
{
    for (unsigned pix = 0; pix < PRIO_LEVELS; pix++) {
        if (!(flags & PATHS_IMMIGRATE(pix))) continue;
        uint64_t w = atomic_load_explicit(&sd->path[pix], memory_order_relaxed);
        if (!(w & PATH_IMMIGRATE)) continue;
        Scheduler *from = vm.sched[path_other(w)];
        if (!immigration_needed(sd, from, pix, w)) continue;
        pthread_mutex_lock(&from->lock);
        Process *p = take_level(from, pix);
        if (p) atomic_store_explicit(&p->sched, sd, memory_order_relaxed);
        pthread_mutex_unlock(&from->lock);
        if (!p) continue;
        pthread_mutex_lock(&sd->lock);
        enqueue_locked(sd, p);
        pthread_mutex_unlock(&sd->lock);
        stat_add(&from->stats.migrations_out, 1);
        stat_add(&sd->stats.migrations_in, 1);
        if (__builtin_expect(sched_prof(sd) != NULL, 0)) prof_migrate(p, from->id, sd->id, PROF_MIG_BALANCE);
    }
}

/* An offline scheduler hands everything in its queue to online ones. */
static void evacuate(Scheduler *sd)
{
    for (;;) {
        pthread_mutex_lock(&sd->lock);
        Process *p = dequeue_locked(sd);
        pthread_mutex_unlock(&sd->lock);
        if (!p) return;
        sched_enqueue(sd, p);   /* enqueue_target sends it to an online one */
    }
}

/* --- balancing ----------------------------------------------------------------------
 * OTP 25's check_balance(). Each queue counts down BALANCE_CALL_REDS of
 * the reductions it executes (sched_slice_reds); the first to reach zero
 * runs a pass (trylock: one at a time), and every pass restarts every
 * queue's count (the epoch). Passes alternate: a halftime pass only notes
 * which schedulers are out of work now; a full pass samples every online
 * queue (reductions per level since the last full pass, longest lengths,
 * out-of-work flags), lets balance_plan decide (balance.h), publishes the
 * paths and resets the samples. */

/* Notes, for the next full pass, who waited for work in its second half. */
static void halftime_pass(unsigned n)
{
    for (unsigned q = 0; q < n; q++) {
        Scheduler *s = vm.sched[q];
        if (atomic_load(&s->waiting)) atomic_fetch_or(&s->out_of_work, OOW_HALFTIME);
        else atomic_fetch_and(&s->out_of_work, ~OOW_HALFTIME);
    }
}

/* What queue q did since the last full pass. Called with balancing.lock. */
static void sample_queue(unsigned q, balance_sample *in)
{
    Scheduler *s = vm.sched[q];
    pthread_mutex_lock(&s->lock);
    for (unsigned pix = 0; pix < PRIO_LEVELS; pix++) in->max_len[pix] = s->prio_max_len[pix];
    in->max_len_total = s->max_len;
    pthread_mutex_unlock(&s->lock);
    uint32_t oow = atomic_load(&s->out_of_work);
    in->out_of_work = oow & OOW_FULL;
    in->halftime_out_of_work = oow & OOW_HALFTIME;
    for (unsigned pix = 0; pix < PRIO_LEVELS; pix++) {
        uint64_t reds = atomic_load_explicit(&s->prio_reds[pix], memory_order_relaxed);
        in->reds[pix] = (int64_t)(reds - balancing.reds_seen[q][pix]);
        balancing.reds_seen[q][pix] = reds;
    }
}

/* Makes the plan the one enqueues and immigrations follow. Called with
 * balancing.lock. */
static void publish_plan(const balance_queue_plan *plan, unsigned n, unsigned active)
{
    for (unsigned q = 0; q < n; q++) {
        Scheduler *s = vm.sched[q];
        uint32_t flags = plan[q].inactive ? PATHS_INACTIVE : 0;
        for (unsigned pix = 0; pix < PRIO_LEVELS; pix++) {
            const balance_path *bp = &plan[q].prio[pix];
            atomic_store(&s->path[pix], path_word(bp));
            if (bp->emigrate) flags |= PATHS_EMIGRATE(pix);
            if (bp->immigrate) flags |= PATHS_IMMIGRATE(pix);
        }
        atomic_store(&s->inactive, plan[q].inactive);
        atomic_store(&s->path_flags, flags);
    }
    atomic_store(&balancing.active, active);
}

/* The samples start again from what the queues hold now. */
static void reset_samples(unsigned n)
{
    for (unsigned q = 0; q < n; q++) {
        Scheduler *s = vm.sched[q];
        pthread_mutex_lock(&s->lock);
        atomic_store(&s->out_of_work, atomic_load(&s->waiting) ? OOW_FULL : 0);
        for (unsigned pix = 0; pix < PRIO_LEVELS; pix++) s->prio_max_len[pix] = level_len(s, pix);
        s->max_len = (uint32_t)atomic_load_explicit(&s->rq_len, memory_order_relaxed);
        pthread_mutex_unlock(&s->lock);
    }
}

/* Returns the number of migration paths set. Called with balancing.lock. */
static unsigned full_pass(unsigned n)
{
    balance_sample in[MAX_SCHEDULERS] = { 0 };
    balance_queue_plan plan[MAX_SCHEDULERS];
    for (unsigned q = 0; q < n; q++) sample_queue(q, &in[q]);
    unsigned active = balance_plan(&balancing.plan, in, n, active_queues(n), plan);
    publish_plan(plan, n, active);
    reset_samples(n);
    return balance_plan_paths(plan, n);
}

/* Runs a pass if sd's count is spent. */
static void balance_if_due(Scheduler *sd, prof_sched *ps)
{
    unsigned epoch = atomic_load_explicit(&balancing.epoch, memory_order_relaxed);
    if (epoch != sd->balance_epoch) {   /* a pass ran: count afresh */
        sd->balance_epoch = epoch;
        sd->balance_reds_left = BALANCE_CALL_REDS;
        return;
    }
    if (sd->balance_reds_left > 0) return;
    if (pthread_mutex_trylock(&balancing.lock) != 0) {
        sd->balance_reds_left = CONTEXT_REDS;   /* busy: try again soon */
        return;
    }
    /* Until a pass (or schedulers_online) starts a new epoch: with one
     * queue online there is nothing to balance. */
    sd->balance_reds_left = INT64_MAX;
    unsigned n = atomic_load(&vm.schedulers_online);
    int paths = -1;
    if (n > 1) {
        if (balancing.plan.halftime) halftime_pass(n);
        else paths = (int)full_pass(n);
        balancing.plan.halftime = !balancing.plan.halftime;
        atomic_fetch_add(&balancing.epoch, 1);
    }
    pthread_mutex_unlock(&balancing.lock);
    if (ps && paths >= 0) prof_balance(ps, (unsigned)paths);
}

/* --- sleeping ------------------------------------------------------------------------- */

static void sleep_until_woken(Scheduler *sd)
{
    pthread_mutex_lock(&sd->lock);
    if (atomic_load_explicit(&sd->rq_len, memory_order_relaxed) > 0 || atomic_load(&vm.halting)) {
        pthread_mutex_unlock(&sd->lock);
        return;
    }
    sd->sleeping = true;
    atomic_fetch_add(&sleepers, 1);
    int none = 0;
    bool watch = is_online(sd) && atomic_compare_exchange_strong(&timer_watcher, &none, sd->id);
    sd->watches_timers = watch;
    uint64_t deadline = watch ? timer_next_deadline() : 0;
    stat_add(&sd->stats.sleeps, 1);
    reclaim_offline(&sd->reclaim);
    prof_sched *ps = sched_prof(sd);
    if (ps) prof_sleep(ps);
    if (deadline) {
        uint64_t now = monotonic_ms();
        uint64_t wait = deadline > now ? deadline - now : 0;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += (time_t)(wait / 1000);
        ts.tv_nsec += (long)(wait % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) { ts.tv_sec++; ts.tv_nsec -= 1000000000L; }
        pthread_cond_timedwait(&sd->wake, &sd->lock, &ts);
    } else {
        pthread_cond_wait(&sd->wake, &sd->lock);
    }
    if (ps) prof_wake(ps);
    reclaim_online(&sd->reclaim);
    if (watch) atomic_store(&timer_watcher, 0);
    sd->watches_timers = false;
    sd->sleeping = false;
    atomic_fetch_sub(&sleepers, 1);
    pthread_mutex_unlock(&sd->lock);
}

void sched_timers_changed(void)
{
    int w = atomic_load(&timer_watcher);
    if (w <= 0) return;   /* no one sleeps on timers: an awake scheduler fires them */
    Scheduler *sd = vm.sched[w - 1];
    pthread_mutex_lock(&sd->lock);
    if (sd->watches_timers) pthread_cond_signal(&sd->wake);
    pthread_mutex_unlock(&sd->lock);
}

/* --- the scheduling loop ----------------------------------------------------------------- */

static bool has_work(Scheduler *sd) { return atomic_load_explicit(&sd->rq_len, memory_order_relaxed) > 0; }

/* sd's queue is empty: it steals; failing that it is out of work (OTP's
 * scheduler_wait): it spins a little, stealing, then sleeps. The
 * scheduler of an inactive queue neither steals nor spins: compaction
 * wants it asleep. NULL when it should look at its own queue again. */
static Process *look_for_work(Scheduler *sd)
{
    bool inactive = atomic_load_explicit(&sd->inactive, memory_order_relaxed);
    Process *p = inactive ? NULL : steal(sd);
    if (p || has_work(sd)) return p;
    atomic_store_explicit(&sd->waiting, true, memory_order_relaxed);
    atomic_fetch_or_explicit(&sd->out_of_work, OOW_FULL | OOW_HALFTIME, memory_order_relaxed);
    for (int spin = 0; !inactive && spin < IDLE_SPINS; spin++) {
        cpu_relax();
        p = steal(sd);
        if (p || has_work(sd)) break;
    }
    if (!p && !has_work(sd)) sleep_until_woken(sd);
    atomic_store_explicit(&sd->waiting, false, memory_order_relaxed);
    return p;
}

/* Takes p's main lock and acts on its pending exit signals; false if it
 * exited on one. */
static bool start_running(Scheduler *sd, Process *p)
{
    pthread_mutex_lock(&p->main_lock);
    if (atomic_load_explicit(&p->signals, memory_order_acquire) == 0) return true;
    Term why = receive_fetch(p);
    if (why == THE_NON_VALUE) return true;
    process_exit(sd, p, why);
    return false;
}

/* scheduler_wall_time: the time from handing out a process to the next
 * call of sched_next counts as busy. */
static void busy_end(Scheduler *sd)
{
    if (sd->busy_since && atomic_load_explicit(&vm.wall_time_enabled, memory_order_relaxed))
        stat_add(&sd->stats.busy_ns, monotonic_ns() - sd->busy_since);
    sd->busy_since = 0;
}

static void busy_start(Scheduler *sd)
{
    if (atomic_load_explicit(&vm.wall_time_enabled, memory_order_relaxed)) sd->busy_since = monotonic_ns();
}

uint64_t sched_wall_time_ns(void) { return monotonic_ns(); }

/* What a pass of sched_next's loop found, when not a process to run. */
#define NEXT_AGAIN NULL
#define NEXT_HALT ((Process *)1)

/* One pass of sched_next's loop, with ps the scheduler's profiling
 * state or NULL. Inlined twice, once with NULL for a constant: the pass
 * that runs while nothing records has no hooks at all, and costs what a
 * build without them (-Dsched_trace=false) costs, but for the one test
 * of the pointer that picks the pass. */
static inline __attribute__((always_inline)) Process *next_pass(Scheduler *sd, prof_sched *ps)
{
    reclaim_quiescent(&sd->reclaim);
    reclaim_poll();
    uint64_t now = monotonic_ns();
    if (ps) prof_at(ps, now);   /* ends the last slice */
    if (atomic_load(&vm.halting)) {
        prof_thread_stop(sd->prof_store);
        return NEXT_HALT;
    }
    timer_fire(now / 1000000);   /* monotonic_ms() */
    if (!is_online(sd)) {
        evacuate(sd);
        sleep_until_woken(sd);
        return NEXT_AGAIN;
    }
    balance_if_due(sd, ps);
    uint32_t paths = atomic_load_explicit(&sd->path_flags, memory_order_relaxed);
    if (__builtin_expect(paths & PATHS_IMMIGRATE_ANY, 0)) immigrate(sd, paths);
    pthread_mutex_lock(&sd->lock);
    size_t len = atomic_load_explicit(&sd->rq_len, memory_order_relaxed);
    Process *p = dequeue_locked(sd);
    pthread_mutex_unlock(&sd->lock);
    stat_add(&sd->len_sum, len);
    stat_add(&sd->len_samples, 1);
    if (len > sd->len_max) sd->len_max = len;
    if (ps && !p) prof_runq(ps, len);   /* else with the slice */
    if (!p && !(p = look_for_work(sd))) return NEXT_AGAIN;
    if (!start_running(sd, p)) return NEXT_AGAIN;
    stat_add(&sd->stats.slices, 1);
    if (ps) prof_slice_begin(ps, p, len);
    sd->slice_start_ns = now;   /* for system_monitor's long_schedule */
    sd->slice_in = p->i;
    if (__builtin_expect(trace_flags_of(p) != 0, 0)) trace_in(p);
    return p;
}

Process *sched_next(Scheduler *sd)
{
    busy_end(sd);
    atomic_store_explicit(&sd->running, false, memory_order_relaxed);
    Process *p;
    do {
        prof_sched *ps = sched_prof(sd);
        p = __builtin_expect(ps != NULL, 0) ? next_pass(sd, ps) : next_pass(sd, NULL);
    } while (p == NEXT_AGAIN);
    if (p == NEXT_HALT) return NULL;
    atomic_store_explicit(&sd->running, true, memory_order_relaxed);
    busy_start(sd);
    return p;
}

/* The end of p's slice after the profiling hook, which the caller ran
 * (sched_wait's says why, and one call per slice is enough). */
static inline void release(Scheduler *sd, Process *p)
{
    if (__builtin_expect(sysmon_on(), 0)) sysmon_after_slice(p, sysmon_clock_ns() - sd->slice_start_ns, sd->slice_in, p->i);
    if (__builtin_expect(trace_flags_of(p) != 0, 0)) trace_out(p);
    pthread_mutex_unlock(&p->main_lock);
}

void sched_release(Scheduler *sd, Process *p)
{
    prof_sched *ps = sched_prof(sd);
    if (__builtin_expect(ps != NULL, 0)) prof_slice_end(ps, p, PROF_END_REDS);
    release(sd, p);
}

void sched_wait(Scheduler *sd, Process *p)
{
    prof_sched *ps = sched_prof(sd);
    if (__builtin_expect(ps != NULL, 0)) prof_slice_end(ps, p, PROF_END_RECEIVE);
    pthread_mutex_lock(&p->inbox_lock);
    /* A timeout that fired since wait_timeout looked counts as mail: the
     * process runs on to its `timeout` instruction. */
    bool has_mail = p->inbox != NULL || atomic_load(&p->timed_out);
    if (!has_mail) atomic_store(&p->state, PS_WAITING);
    /* Started even when mail is waiting: a stream of messages the receive
     * does not match must not postpone its timeout. */
    if (p->timeout_at && p->timeout_at != UINT64_MAX && !p->timeout_ref && !atomic_load(&p->timed_out)) {
        p->timeout_ref = timer_new_ref();
        timer_start_receive_timeout(p->timeout_ref, p->timeout_at, p->pid);
    }
    pthread_mutex_unlock(&p->inbox_lock);
    release(sd, p);
    if (has_mail) sched_enqueue(sd, p);
}

/* Every scheduler looks at the VM's state again (asleep ones wake). */
static void wake_all(void)
{
    for (unsigned i = 0; i < vm.schedulers; i++) {
        Scheduler *s = vm.sched[i];
        pthread_mutex_lock(&s->lock);
        pthread_cond_signal(&s->wake);
        pthread_mutex_unlock(&s->lock);
    }
}

/* OTP's change_no_used_runqs: the paths of the old set of queues are
 * dropped, every online queue is active, and the next full pass keeps
 * them so (forced) whatever the load. Every queue counts afresh. */
void sched_set_online(unsigned n)
{
    if (n < 1) n = 1;
    if (n > vm.schedulers) n = vm.schedulers;
    pthread_mutex_lock(&balancing.lock);
    atomic_store(&vm.schedulers_online, n);
    for (unsigned q = 0; q < vm.schedulers; q++) {
        Scheduler *s = vm.sched[q];
        atomic_store(&s->path_flags, 0);
        for (unsigned pix = 0; pix < PRIO_LEVELS; pix++) atomic_store(&s->path[pix], 0);
        atomic_store(&s->inactive, false);
    }
    atomic_store(&balancing.active, n);
    balancing.plan.last_active = n;
    balancing.plan.forced = true;
    atomic_fetch_add(&balancing.epoch, 1);
    pthread_mutex_unlock(&balancing.lock);
    wake_all();   /* offline ones must evacuate; online ones may now steal */
}

void vm_halt(int status)
{
    atomic_store(&vm.exit_status, status);
    atomic_store(&vm.halting, true);
    wake_all();
}
