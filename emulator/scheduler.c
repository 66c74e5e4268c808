/*
 * scheduler.c — run queues, stealing, balancing, sleeping and waking,
 * receive waits, halting.
 *
 * Lock order: a process's main lock, then its inbox_lock, then a
 * scheduler's lock, then the timer lock. A thread holds at most one
 * scheduler lock, except a thief, which only try-locks its victim while
 * holding none.
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
/* A queue longer than this wakes a sleeping scheduler to steal from it
 * (OTP wakes another scheduler once a queue holds more work than its
 * owner can start now). */
#define WAKE_OTHER_LEN 2

static _Atomic unsigned sleepers;        /* schedulers blocked in sched_next */
static _Atomic int timer_watcher;        /* id of the sleeper watching timers, 0 none */
static pthread_mutex_t balance_lock = PTHREAD_MUTEX_INITIALIZER;

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
        atomic_store(&sd->emigrate_to, -1);
        sd->balance_reds_left = BALANCE_REDS;
        reclaim_register(&sd->reclaim);
        sd->prof_store = prof_sched_new(sd);
        if (prof_enabled()) atomic_store(&sd->prof, sd->prof_store);
        vm.sched[i] = sd;
    }
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

/* Called with sd->lock held. */
static void enqueue_locked(Scheduler *sd, Process *p)
{
    if (p->priority == PRIO_LOW) p->schedule_count = RESCHEDULE_LOW;
    append(sd, queue_of(p), p);
    atomic_store_explicit(&sd->rq_len, atomic_load_explicit(&sd->rq_len, memory_order_relaxed) + 1,
                          memory_order_relaxed);
}

/* Takes the head of queue q. Called with sd->lock held. */
static Process *take_head(Scheduler *sd, unsigned q)
{
    Process *p = sd->rq[q].head;
    sd->rq[q].head = p->run_next;
    if (!sd->rq[q].head) sd->rq[q].tail = NULL;
    p->run_next = NULL;
    atomic_store_explicit(&sd->rq_len, atomic_load_explicit(&sd->rq_len, memory_order_relaxed) - 1,
                          memory_order_relaxed);
    return p;
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

/* Where a process enqueued on sd goes: sd itself, the target of sd's
 * migration path when sd is overloaded, or an online scheduler when sd
 * has been taken offline. */
static Scheduler *enqueue_target(Scheduler *sd)
{
    unsigned online = atomic_load(&vm.schedulers_online);
    if ((unsigned)sd->id > online) return vm.sched[(unsigned)(sd->id - 1) % online];
    int to = atomic_load_explicit(&sd->emigrate_to, memory_order_relaxed);
    if (to < 0 || atomic_load_explicit(&sd->rq_len, memory_order_relaxed) < atomic_load(&sd->migration_limit)) return sd;
    return vm.sched[to];
}

/* Wakes one sleeping scheduler other than `busy` so that it steals. */
static void wake_other(const Scheduler *busy)
{
    unsigned n = vm.schedulers, online = atomic_load(&vm.schedulers_online);
    for (unsigned k = 1; k < n; k++) {
        Scheduler *s = vm.sched[((unsigned)busy->id - 1 + k) % n];
        if ((unsigned)s->id > online) continue;
        pthread_mutex_lock(&s->lock);
        bool asleep = s->sleeping;
        if (asleep) pthread_cond_signal(&s->wake);
        pthread_mutex_unlock(&s->lock);
        if (asleep) return;
    }
}

void sched_enqueue(Scheduler *sd, Process *p)
{
    Scheduler *to = enqueue_target(sd);
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

/* Takes one process from another scheduler's queue (highest priority
 * first), or NULL. Never blocks: a victim whose lock is busy is skipped. */
static Process *steal(Scheduler *sd)
{
    unsigned n = vm.schedulers;
    for (unsigned k = 1; k < n; k++) {
        Scheduler *v = vm.sched[((unsigned)sd->id - 1 + k) % n];
        if (atomic_load_explicit(&v->rq_len, memory_order_relaxed) == 0) continue;
        if (pthread_mutex_trylock(&v->lock) != 0) continue;
        Process *p = NULL;
        for (unsigned q = 0; q < RUNQ_COUNT && !p; q++)
            if (v->rq[q].head) p = take_head(v, q);
        if (p) atomic_store_explicit(&p->sched, sd, memory_order_relaxed);
        pthread_mutex_unlock(&v->lock);
        if (p) {
            stat_add(&v->stats.steals_out, 1);
            stat_add(&sd->stats.steals_in, 1);
            if (__builtin_expect(sched_prof(sd) != NULL, 0)) prof_migrate(p, v->id, sd->id, PROF_MIG_STEAL);
            return p;
        }
    }
    return NULL;
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
 * Every BALANCE_REDS reductions a scheduler runs the pass (one at a time,
 * trylock). It compares the mean run-queue length each online scheduler
 * saw since the last pass, and pairs the most overloaded queue with the
 * most underloaded one, repeatedly: the overloaded one gets a migration
 * path (emigrate_to) and a limit (the average), and then sends what it is
 * given beyond the limit down the path when it enqueues. Idle schedulers
 * steal in between, so the pass only needs to catch lasting imbalance. */

/* Returns the number of migration paths set, -1 if another thread was
 * balancing. */
static int balance(void)
{
    if (pthread_mutex_trylock(&balance_lock) != 0) return -1;
    int paths = 0;
    static uint64_t last_sum[MAX_SCHEDULERS], last_samples[MAX_SCHEDULERS];   /* under balance_lock */
    unsigned online = atomic_load(&vm.schedulers_online);
    double mean[MAX_SCHEDULERS], total = 0;
    for (unsigned i = 0; i < online; i++) {
        Scheduler *s = vm.sched[i];
        uint64_t sum = atomic_load_explicit(&s->len_sum, memory_order_relaxed);
        uint64_t samples = atomic_load_explicit(&s->len_samples, memory_order_relaxed);
        uint64_t ds = sum - last_sum[i], dn = samples - last_samples[i];
        last_sum[i] = sum;
        last_samples[i] = samples;
        mean[i] = dn ? (double)ds / (double)dn : 0.0;
        total += mean[i];
    }
    double avg = total / online;
    bool paired[MAX_SCHEDULERS] = { false };
    for (unsigned i = 0; i < vm.schedulers; i++) atomic_store(&vm.sched[i]->emigrate_to, -1);
    for (;;) {
        int over = -1, under = -1;
        for (unsigned i = 0; i < online; i++) {
            if (paired[i]) continue;
            if (mean[i] > avg + 1.0 && (over < 0 || mean[i] > mean[over])) over = (int)i;
            if (mean[i] < avg && (under < 0 || mean[i] < mean[under])) under = (int)i;
        }
        if (over < 0 || under < 0) break;
        paired[over] = paired[under] = true;
        atomic_store(&vm.sched[over]->migration_limit, (size_t)(avg + 0.5) + 1);
        atomic_store(&vm.sched[over]->emigrate_to, under);
        paths++;
    }
    pthread_mutex_unlock(&balance_lock);
    return paths;
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
    if (sd->balance_reds_left <= 0) {
        sd->balance_reds_left = BALANCE_REDS;
        int paths = balance();
        if (ps && paths >= 0) prof_balance(ps, (unsigned)paths);
    }
    pthread_mutex_lock(&sd->lock);
    size_t len = atomic_load_explicit(&sd->rq_len, memory_order_relaxed);
    Process *p = dequeue_locked(sd);
    pthread_mutex_unlock(&sd->lock);
    stat_add(&sd->len_sum, len);
    stat_add(&sd->len_samples, 1);
    if (len > sd->len_max) sd->len_max = len;
    if (ps && !p) prof_runq(ps, len);   /* else with the slice */
    for (int spin = 0; !p && spin < IDLE_SPINS; spin++) {
        p = steal(sd);
        if (p || atomic_load_explicit(&sd->rq_len, memory_order_relaxed) > 0) break;
        cpu_relax();
    }
    if (!p) {
        if (atomic_load_explicit(&sd->rq_len, memory_order_relaxed) == 0) sleep_until_woken(sd);
        return NEXT_AGAIN;
    }
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

void sched_set_online(unsigned n)
{
    if (n < 1) n = 1;
    if (n > vm.schedulers) n = vm.schedulers;
    atomic_store(&vm.schedulers_online, n);
    wake_all();   /* offline ones must evacuate; online ones may now steal */
}

void vm_halt(int status)
{
    atomic_store(&vm.exit_status, status);
    atomic_store(&vm.halting, true);
    wake_all();
}
