/*
 * prof_internal.h — what prof_trace.c and prof_report.c share: the record
 * layout and the per-scheduler state (prof.h has the rules).
 */
#ifndef CB_PROF_INTERNAL_H
#define CB_PROF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prof.h"
#include "scheduler.h"

/* 1 << 13 records of 16 bytes: 128 KB per scheduler, which stays in the
 * cache; written out when full. (Measured on the ring benchmark: a 2.5 MB
 * ring of 40-byte records cost twice as much, in cache misses.) */
#define PROF_RING_RECORDS (1u << 13)
/* Buffers of a ring: one being filled while the spill writer writes the
 * others (prof_trace.c). */
#define PROF_RING_BUFFERS 4u

/* A record is two words: the time (ns since the origin) shifted left
 * by 8 with the kind in the low byte, and one word of data. An event that
 * needs more takes continuation records right after it (written together,
 * same time). Pids are stored as their number (pid >> 4, at most 28 bits).
 *
 * A slice is one record, written when it ends (prof_at) and stamped with
 * its start: REC_SLICE + why, data = pid number | reductions << 28 |
 * duration in ns << 42 (14 and 22 bits: up to 16,383 reductions and
 * 4.19 ms); a slice that does not fit takes REC_SLICE_LONG + why, data =
 * pid number, and a continuation whose two words are the duration and
 * the reductions. What is recorded while a slice runs (its collections,
 * the migrations it causes, a flush) comes before the slice's record in
 * the ring, with REC_INSIDE set in its kind byte: the writer holds those
 * back until the slice's record says where the slice began (reader_fill).
 * The writer turns a slice into REC_BEGIN and REC_END, kinds never
 * recorded. */
enum prof_rec_kind {
    REC_NAME,      /* before a slice whose process is new or renamed:
                      pid number; NAME2: module | function << 32 (atom
                      indices); NAME3: arity | (registered name's index
                      + 1, 0 if none) << 8 */
    REC_NAME2,
    REC_NAME3,
    REC_MIGRATE,   /* pid number | from << 40 | to << 48 | why << 56 */
    REC_RUNQ,      /* length */
    REC_SLEEP,
    REC_WAKE,
    REC_GC,        /* at its start: pid number | major << 63; GC2: words
                      before | after << 32 (each at most 2^32 - 1); GC3:
                      duration in ns */
    REC_GC2,
    REC_GC3,
    REC_BALANCE,   /* migration paths set */
    REC_FLUSH,     /* the ring was written out: its duration in ns */
    REC_BEGIN,     /* the writer's: pid number */
    REC_END,       /* the writer's: reductions << 8 | why */
    REC_SLICE = 0x10,        /* + why (enum prof_why) */
    REC_SLICE_LONG = 0x18,   /* + why */
    REC_INSIDE = 0x80,       /* flag: recorded while a slice ran */
};

#define SLICE_PID_BITS 28
#define SLICE_REDS_BITS 14
#define SLICE_DUR_BITS 22

typedef struct prof_rec {
    uint64_t tk;    /* t << 8 | kind */
    uint64_t data;
} prof_rec;

static inline uint64_t rec_t(const prof_rec *r) { return r->tk >> 8; }
/* The kind without REC_INSIDE; a slice's why is folded into its kind. */
static inline unsigned rec_kind(const prof_rec *r) { return (unsigned)(r->tk & 0x7F); }

/* Where a scheduler is in a slice: the hooks' state machine. */
enum prof_slice_state {
    SLICE_NONE,      /* between slices */
    SLICE_RUNNING,   /* prof_slice_begin was called */
    SLICE_ENDED,     /* prof_slice_end was, prof_at has not yet written it */
};

#define PROF_LINE 64   /* a cache line */

struct __attribute__((aligned(PROF_LINE))) prof_sched {
    Scheduler *sd;
    int id;                 /* the scheduler's id; 0: the non-scheduler ring */
    /* The ring (NULL without +sched_trace) and its spill file. n is
     * PROF_RING_RECORDS without a ring: "no room" sends a hook to its
     * slow path, which tests recs, so the fast path tests only n. */
    prof_rec *recs;
    size_t n;
    int spill;
    /* The buffers recs is one of, used in turn; how many were handed to
     * the spill writer (the owner's count) and how many it has written
     * (the writer's), and each handed buffer's length. */
    prof_rec *bufs[PROF_RING_BUFFERS];
    size_t buf_n[PROF_RING_BUFFERS];
    _Atomic unsigned handed, written;
    /* Owner-only accumulators for the report and the ring. busy_ns,
     * longest_ns and longest_pid are kept here only without a ring (the
     * report alone): with one, the writer sums them from the slices
     * (prof_trace_write), which keeps them off the slice's path. */
    uint64_t last_t;         /* the thread's last clock reading */
    uint64_t thread_start, thread_end, sleep_start;
    uint64_t busy_ns, asleep_ns, longest_ns;
    uint64_t longest_pid;   /* a pid term */
    uint64_t gcs, balances;
    uint64_t last_len;      /* the run-queue length last recorded (UINT64_MAX: none) */
    uint64_t runq_next_t;   /* a slice's start samples the length from then on */
    /* The current slice: its state, start, its process's reductions when
     * it began; once ended, its process, reductions and why, until
     * prof_at writes it. */
    enum prof_slice_state slice;
    enum prof_why hint;     /* its end reason, if not reductions */
    enum prof_why end_why;
    uint64_t slice_start, slice_reds;
    uint64_t end_pid, end_reds;   /* a pid term; the slice's reductions */
    /* Microstate accounting (prof_msacc.c): counters in ns and the
     * state, written by the owner, read by statistics/1; ms_mark is ON()
     * at the owner's last transition. */
    _Atomic uint64_t ms_count[MSACC_COUNT];
    _Atomic unsigned ms_state;
    _Atomic uint64_t ms_epoch;
    _Atomic uint64_t ms_mark;
};

/* --- the slice hooks (prof.h) --------------------------------------------
 * Inline: they run once per slice, in the scheduler's loop (scheduler.c)
 * and where a process exits (process.c). What is rare goes to the
 * out-of-line slow paths. */

/* The clock's origin (prof_now). */
extern uint64_t prof_origin_ns;

/* A slice's start samples the run-queue length, if it changed, at most
 * once in this long: with slices of a fraction of a microsecond (a ring of
 * processes passing one message) a sample per slice would be a third of
 * the records and most of the cost of tracing. */
#define PROF_RUNQ_EVERY_NS 20000u

static inline uint64_t pid_num(Term pid) { return pid >> 4; }

void prof_slice_begin_slow(prof_sched *ps, Process *p, uint64_t len, uint64_t t);
void prof_slice_ended_slow(prof_sched *ps, uint64_t t);

/* Nothing is recorded here: the slice's record is written at its end,
 * stamped with its start. The clock is not read either: a slice starts
 * at the last reading on this thread (the end of the previous slice, a
 * wake-up, a steal), so that a slice costs one reading, not two; the
 * scheduling work in between (a fraction of a microsecond) counts as part
 * of the slice. Slow: accounting, a run-queue sample due, a process to
 * name (new, or renamed), the report without a ring. */
static inline void prof_slice_begin(prof_sched *ps, Process *p, uint64_t len)
{
    uint64_t t = ps->last_t;
    ps->slice_start = t;
    ps->slice_reds = p->reductions;
    ps->slice = SLICE_RUNNING;
    ps->hint = PROF_END_REDS;
    if (__builtin_expect(prof_msacc_on() || (len != ps->last_len && t >= ps->runq_next_t) ||
                             p->prof_named != atomic_load_explicit(&p->registered_name, memory_order_relaxed), 0))
        prof_slice_begin_slow(ps, p, len, t);
}

/* The slice's end is recorded at the scheduler's next clock reading,
 * prof_at, at the top of its loop: the release and enqueue in between (a
 * fraction of a microsecond) count as part of the slice. A no-op outside
 * a slice (a process killed before it ran). */
static inline void prof_slice_end(prof_sched *ps, const Process *p, enum prof_why why)
{
    if (ps->slice != SLICE_RUNNING) return;
    ps->slice = SLICE_ENDED;
    if (__builtin_expect(ps->hint != PROF_END_REDS, 0) && (ps->hint == PROF_END_HIBERNATE || why == PROF_END_REDS))
        why = ps->hint;
    ps->end_why = why;
    ps->end_pid = p->pid;
    ps->end_reds = p->reductions - ps->slice_reds;
}

/* Whether a slice fits one record (the layout above). */
static inline bool slice_fits(uint64_t reds, uint64_t dur)
{
    return (reds >> SLICE_REDS_BITS | dur >> SLICE_DUR_BITS) == 0;
}

static inline prof_rec slice_rec(const prof_sched *ps, uint64_t dur)
{
    return (prof_rec){ ps->slice_start << 8 | REC_SLICE | ps->end_why,
                       pid_num(ps->end_pid) | ps->end_reds << SLICE_PID_BITS |
                           dur << (SLICE_PID_BITS + SLICE_REDS_BITS) };
}

/* The scheduler's clock reading: the end of the slice that ended, whose
 * record is written now. Slow: accounting, no room (or no ring), a slice
 * too long for one record. */
static inline void prof_at(prof_sched *ps, uint64_t monotonic_ns)
{
    uint64_t t = monotonic_ns - prof_origin_ns;
    ps->last_t = t;
    if (ps->slice != SLICE_ENDED) return;
    uint64_t dur = t - ps->slice_start;
    if (__builtin_expect(prof_msacc_on() || ps->n == PROF_RING_RECORDS || !slice_fits(ps->end_reds, dur), 0)) {
        prof_slice_ended_slow(ps, t);
        return;
    }
    ps->recs[ps->n++] = slice_rec(ps, dur);
    ps->slice = SLICE_NONE;
}

/* Counts found in the trace, per scheduler id, for the report's check. */
typedef struct prof_counts {
    uint64_t slices[MAX_SCHEDULERS + 1], switches[MAX_SCHEDULERS + 1];
    uint64_t steals_in[MAX_SCHEDULERS + 1], steals_out[MAX_SCHEDULERS + 1];
    uint64_t migrations_in[MAX_SCHEDULERS + 1], migrations_out[MAX_SCHEDULERS + 1];
} prof_counts;

bool prof_trace_write(const char *path, prof_counts *counts);

#endif
