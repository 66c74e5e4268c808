/*
 * prof_msacc.c — microstate accounting: erlang:statistics(
 * microstate_accounting) and erlang:system_flag(microstate_accounting,
 * true | false | reset), in OTP's shape, so that runtime_tools' msacc runs.
 *
 * States of a scheduler thread: emulator (running a process), gc (a
 * collection inside it), sleep (blocked waiting for work) and other
 * (everything else: looking for work, stealing, balancing, timers). The
 * console's thread is not accounted; OTP's aux, check_io and port stay 0.
 * As in prof_slice_begin, the scheduling between two slices without a
 * clock reading in between counts as emulator time.
 *
 * Switching on sets every Scheduler.prof (the hooks run from then on);
 * switching off clears them unless +sched_trace/+sched_report need them.
 * Only time while accounting is on counts: ON(t), the total time it was on
 * before t, is computed from `acct` (under a seqlock: toggles are rare and
 * serialised by `lock`). A scheduler adds ON(now) - ON(its last
 * transition) to the state it leaves. Reset bumps `reset_epoch`; a
 * scheduler that sees a new epoch zeroes its counters first (they are its
 * own), and a reader treats counters of an older epoch as zero. Counters
 * are relaxed atomics written only by their scheduler.
 */
#include <pthread.h>
#include <string.h>

#include "arith.h"
#include "atom.h"
#include "prof.h"
#include "prof_internal.h"
#include "term_build.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;   /* toggles, resets */
static struct {
    _Atomic uint64_t seq;          /* odd while being changed */
    _Atomic bool on;
    _Atomic uint64_t on_total;     /* on-time before on_since (ns) */
    _Atomic uint64_t on_since;     /* when it was switched on */
    _Atomic uint64_t reset_epoch;
    _Atomic uint64_t reset_mark;   /* ON() at the last reset */
} acct;

/* ON(t): nanoseconds of accounting before t (t not before the last toggle). */
static uint64_t on_time(uint64_t t)
{
    for (;;) {
        uint64_t s = atomic_load_explicit(&acct.seq, memory_order_acquire);
        if (s & 1) continue;
        uint64_t total = atomic_load_explicit(&acct.on_total, memory_order_relaxed);
        uint64_t since = atomic_load_explicit(&acct.on_since, memory_order_relaxed);
        bool on = atomic_load_explicit(&acct.on, memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&acct.seq, memory_order_relaxed) != s) continue;
        return total + (on && t > since ? t - since : 0);
    }
}

_Atomic bool prof_msacc_active;

/* The owner leaves `from` for `to` at time t. */
void prof_msacc_switch(prof_sched *ps, enum prof_msacc_state from, enum prof_msacc_state to, uint64_t t)
{
    uint64_t epoch = atomic_load_explicit(&acct.reset_epoch, memory_order_acquire);
    if (ps->ms_epoch != epoch) {
        for (unsigned i = 0; i < MSACC_COUNT; i++) atomic_store_explicit(&ps->ms_count[i], 0, memory_order_relaxed);
        uint64_t mark = atomic_load_explicit(&acct.reset_mark, memory_order_relaxed);
        if (atomic_load_explicit(&ps->ms_mark, memory_order_relaxed) < mark)
            atomic_store_explicit(&ps->ms_mark, mark, memory_order_relaxed);
        atomic_store_explicit(&ps->ms_epoch, epoch, memory_order_release);
    }
    uint64_t on = on_time(t), mark = atomic_load_explicit(&ps->ms_mark, memory_order_relaxed);
    if (on > mark) {
        atomic_fetch_add_explicit(&ps->ms_count[from], on - mark, memory_order_relaxed);
        atomic_store_explicit(&ps->ms_mark, on, memory_order_relaxed);
    }
    atomic_store_explicit(&ps->ms_state, to, memory_order_relaxed);
}

/* Makes the hooks run on every scheduler (or stop, if nothing else needs
 * them). Called with `lock` held. */
static void set_hooks(bool on)
{
    for (unsigned i = 0; i < vm.schedulers; i++) {
        Scheduler *sd = vm.sched[i];
        atomic_store_explicit(&sd->prof, on || prof_enabled() ? sd->prof_store : NULL, memory_order_relaxed);
    }
}

static void acct_begin(void) { atomic_fetch_add_explicit(&acct.seq, 1, memory_order_acq_rel); }
static void acct_end(void) { atomic_fetch_add_explicit(&acct.seq, 1, memory_order_release); }

bool prof_msacc_set(bool on)
{
    pthread_mutex_lock(&lock);
    bool was = atomic_load(&acct.on);
    if (on != was) {
        uint64_t now = prof_now();
        if (on) set_hooks(true);
        acct_begin();
        if (on) {
            atomic_store(&acct.on_since, now);
        } else {
            uint64_t since = atomic_load(&acct.on_since);
            atomic_fetch_add(&acct.on_total, now > since ? now - since : 0);
        }
        atomic_store(&acct.on, on);
        acct_end();
        atomic_store(&prof_msacc_active, on);
        if (!on) set_hooks(false);
    }
    pthread_mutex_unlock(&lock);
    return was;
}

bool prof_msacc_reset(void)
{
    pthread_mutex_lock(&lock);
    atomic_store(&acct.reset_mark, on_time(prof_now()));
    atomic_fetch_add_explicit(&acct.reset_epoch, 1, memory_order_release);
    bool on = atomic_load(&acct.on);
    pthread_mutex_unlock(&lock);
    return on;
}

/* One scheduler's counters in ns, its current state's time included. */
static void counters_of(const prof_sched *ps, uint64_t now_on, uint64_t out[MSACC_COUNT])
{
    uint64_t epoch = atomic_load_explicit(&acct.reset_epoch, memory_order_acquire);
    bool current = atomic_load_explicit(&ps->ms_epoch, memory_order_acquire) == epoch;
    for (unsigned i = 0; i < MSACC_COUNT; i++)
        out[i] = current ? atomic_load_explicit(&ps->ms_count[i], memory_order_relaxed) : 0;
    /* The state it is in since its last transition (read while the owner
     * may move on: a stale pair only misplaces a few microseconds). */
    uint64_t mark = current ? atomic_load_explicit(&ps->ms_mark, memory_order_relaxed)
                            : atomic_load_explicit(&acct.reset_mark, memory_order_relaxed);
    if (now_on > mark) out[atomic_load_explicit(&ps->ms_state, memory_order_relaxed)] += now_on - mark;
}

/* #{aux => 0, check_io => 0, emulator => E, gc => G, other => O, port => 0,
 * sleep => S}: OTP's default states, in perf_counter units (ns). */
static Term counters_map(Process *p, const uint64_t c[MSACC_COUNT])
{
    Term keys[7] = { ATOM_NAMED("aux"), ATOM_NAMED("check_io"), ATOM_NAMED("emulator"), ATOM_NAMED("gc"),
                     ATOM_NAMED("other"), ATOM_NAMED("port"), ATOM_NAMED("sleep") };
    const int state[7] = { -1, -1, MSACC_EMULATOR, MSACC_GC, MSACC_OTHER, -1, MSACC_SLEEP };
    Term values[7];
    for (unsigned i = 0; i < 7; i++)
        values[i] = state[i] < 0 ? make_small(0) : arith_make_uinteger(p, c[state[i]]);
    return map_from_pairs_on_heap(p, keys, values, 7);
}

Term prof_msacc_stats(Process *p)
{
    uint64_t now_on = on_time(prof_now());
    Term list = NIL;
    for (unsigned i = vm.schedulers; i-- > 0;) {
        uint64_t c[MSACC_COUNT];
        counters_of(vm.sched[i]->prof_store, now_on, c);
        Term keys[3] = { ATOM_NAMED("counters"), ATOM_NAMED("id"), ATOM_NAMED("type") };
        Term values[3] = { counters_map(p, c), make_small(vm.sched[i]->id), ATOM_NAMED("scheduler") };
        Term m = map_from_pairs_on_heap(p, keys, values, 3);
        list = cons(HAlloc(p, 2), m, list);
    }
    return list;
}
