/*
 * prof.h — profiling the schedulers: +sched_trace (a timeline written as
 * Chrome trace-event JSON at halt), +sched_report (a table per scheduler
 * on stderr at exit) and microstate accounting (prof_msacc.c).
 *
 * Ownership. Each scheduler has a `prof_sched` (Scheduler.prof_store);
 * Scheduler.prof points to it while anything records (either flag, for
 * the whole run, or microstate accounting while it is on), else is NULL:
 * every hook is then one well-predicted branch on that pointer. The
 * struct belongs to its scheduler's thread (`prof_self` there): only that
 * thread records into its ring and updates its accumulators, so recording
 * takes no lock and allocates nothing. Threads that are not schedulers
 * (the console's IO thread, which can wake processes) share one extra
 * ring under a mutex; they record only migrations, rarely.
 *
 * The ring. A fixed array of fixed-size records (prof_rec), one per slice
 * (written at its end) and per other event. When it is full its owner
 * hands it to the spill writer, a thread that appends it to the ring's
 * spill file (an unlinked temporary file), and goes on in the ring's next
 * buffer; it records the hand-over as a "trace flush" instant with its
 * duration, so that a pause (a writer behind) shows in the timeline.
 * Nothing is ever dropped. At halt, once every scheduler thread has been
 * joined and the IO thread stopped, prof_finish merges the spill files in
 * time order into the JSON file and prints the report.
 *
 * Timestamps are CLOCK_MONOTONIC nanoseconds since a common origin
 * (prof_sched_new), written in microseconds with three decimals. A slice
 * costs no clock reading of its own: it starts at the thread's last
 * reading and ends at the reading the scheduler's loop makes anyway for
 * its timers (prof_at).
 *
 * Compiled out: meson's -Dsched_trace=false leaves every hook out (see
 * PROF_HOOKS below), the baseline for what they cost while off.
 */
#ifndef CB_PROF_H
#define CB_PROF_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "term.h"

struct Scheduler;
struct Process;

/* Why a slice ended. */
enum prof_why {
    PROF_END_REDS,       /* its reductions were spent */
    PROF_END_RECEIVE,    /* it waits in a receive */
    PROF_END_EXIT,       /* it exited */
    PROF_END_YIELD,      /* erlang:yield/0, or a BIF that must retry */
    PROF_END_GC,         /* a collection's cost used up the slice */
    PROF_END_HIBERNATE,  /* erlang:hibernate/3 */
};

/* Why a process changed schedulers. */
enum prof_migrate_why {
    PROF_MIG_BALANCE,    /* enqueued down a balancing migration path */
    PROF_MIG_STEAL,      /* taken by an idle scheduler */
    PROF_MIG_OFFLINE,    /* its scheduler was taken offline */
};

/* Microstate accounting states of a scheduler thread (prof_msacc.c). */
enum prof_msacc_state { MSACC_EMULATOR, MSACC_GC, MSACC_OTHER, MSACC_SLEEP, MSACC_COUNT };

typedef struct prof_sched prof_sched;

/* Whether the hooks are compiled in: meson's -Dsched_trace=false defines
 * CBEAM_NO_PROF_HOOKS, which makes sched_prof() and prof_active_self()
 * constant NULL, so that the compiler drops every hook and the branch on
 * it. That build is the baseline against which the hooks' cost with the
 * flags off is measured; it refuses +sched_trace and +sched_report, and
 * its microstate accounting counts nothing. */
#ifdef CBEAM_NO_PROF_HOOKS
#define PROF_HOOKS 0
#else
#define PROF_HOOKS 1
#endif

/* Set by main before sched_setup: where the trace goes (NULL: no trace)
 * and whether the report is printed. Read-only once schedulers run. */
typedef struct prof_config {
    const char *trace_file;
    bool report;
} prof_config;
extern prof_config prof_cfg;

/* The calling thread's prof_sched (scheduler threads), else NULL; it is
 * recording only while its Scheduler.prof is set (prof_active_self). */
extern _Thread_local prof_sched *prof_self __attribute__((tls_model("initial-exec")));

static inline bool prof_enabled(void) { return prof_cfg.trace_file || prof_cfg.report; }

/* Per-scheduler state, made by sched_setup for every scheduler; its
 * Scheduler.prof points to it while something records (the flags, or
 * microstate accounting). */
prof_sched *prof_sched_new(struct Scheduler *sd);
/* The calling thread's prof_sched if it records, else NULL (for code that
 * has no Scheduler at hand: the GC, BIFs). */
#if PROF_HOOKS
prof_sched *prof_active_self(void);
#else
static inline prof_sched *prof_active_self(void) { return NULL; }
#endif
/* The scheduler thread sd starts running (sets prof_self). */
void prof_thread_start(struct Scheduler *sd);
/* The scheduler's thread stops (the VM halts). */
void prof_thread_stop(prof_sched *ps);

/* --- hooks (callers test the pointer first) ----------------------------- */
/* The slice hooks are inline, in prof_internal.h, for scheduler.c and
 * process.c: prof_slice_begin(ps, p, len), sd hands p a slice (its queue
 * held len processes when it looked); prof_slice_end(ps, p, why), p's
 * slice ended: called by what the interpreter calls when a process stops
 * running (sched_release, sched_wait, process_exit), after it added the
 * slice's reductions to p->reductions; a no-op outside a slice (a process
 * killed before it ran). The time is that of the next prof_at. Nothing is
 * hooked into process_main itself: a hook there changed its register
 * allocation (measured: one more instruction per call and return with
 * everything off). */
/* Why the running process's slice will end, when it is not what the
 * scheduler sees (reductions, or a receive): erlang:yield/0 and a BIF
 * that must run again (yield), a collection that used up the slice (gc),
 * erlang:hibernate/3. Its thread only; nothing if not recording. */
#if PROF_HOOKS
void prof_hint(enum prof_why why);
#else
static inline void prof_hint(enum prof_why why) { (void)why; }
#endif
/* p moved from scheduler `from` to `to` (1-based ids). Any thread. */
void prof_migrate(const struct Process *p, int from, int to, enum prof_migrate_why why);
/* The owner's run queue held len processes as it looked for work and
 * found none there. */
void prof_runq(prof_sched *ps, uint64_t len);
/* The owner goes to sleep / wakes up. */
void prof_sleep(prof_sched *ps);
void prof_wake(prof_sched *ps);
/* A collection of p that started at `start` (prof_now) ended now. */
void prof_gc(prof_sched *ps, const struct Process *p, uint64_t start, bool major, uint64_t words_before,
             uint64_t words_after);
/* A balancing pass ran on the caller's scheduler; `paths` migration paths
 * set. */
void prof_balance(prof_sched *ps, unsigned paths);

/* The profiling clock: CLOCK_MONOTONIC nanoseconds since the common
 * origin. */
uint64_t prof_now(void);
/* prof_at(ps, monotonic_ns) (prof_internal.h): the scheduler read
 * CLOCK_MONOTONIC at the top of its loop: the time of the slice that just
 * ended, and where the next starts. */

/* Microstate accounting (erlang:system_flag/statistics): switches it on
 * or off, returning the previous state; zeroes the counters, returning
 * whether it is on; the counters as OTP's list of maps. */
bool prof_msacc_set(bool on);
bool prof_msacc_reset(void);
struct Process;
Term prof_msacc_stats(struct Process *p);
/* Whether microstate accounting is on (a copy of its state for the hooks:
 * one relaxed load). */
extern _Atomic bool prof_msacc_active;
static inline bool prof_msacc_on(void) { return atomic_load_explicit(&prof_msacc_active, memory_order_relaxed); }
/* The owner leaves state `from` for `to` at time t (prof_now). */
void prof_msacc_switch(prof_sched *ps, enum prof_msacc_state from, enum prof_msacc_state to, uint64_t t);

/* At halt, after every scheduler thread and the IO thread stopped: writes
 * the trace, prints the report. Returns false if the trace could not be
 * written (reported on stderr). */
bool prof_finish(void);

#endif
