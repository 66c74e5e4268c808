/*
 * prof_internal.h — what prof_trace.c and prof_report.c share: the record
 * layout and the per-scheduler state (prof.h has the rules).
 */
#ifndef CB_PROF_INTERNAL_H
#define CB_PROF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "prof.h"
#include "scheduler.h"

/* 1 << 13 records of 16 bytes: 128 KB per scheduler, which stays in the
 * cache; written out when full. (Measured on the ring benchmark: a 2.5 MB
 * ring of 40-byte records cost twice as much, in cache misses.) */
#define PROF_RING_RECORDS (1u << 13)

/* A record is two words: the time (ns since the origin) shifted left
 * by 8 with the kind in the low byte, and one word of data. An event that
 * needs more takes continuation records right after it (written together,
 * same time). Pids are stored as their number (pid >> 4). */
enum prof_rec_kind {
    REC_BEGIN,     /* pid number */
    REC_NAME,      /* before a BEGIN whose process is new or renamed: pid
                      number; NAME2: module | function << 32 (atom
                      indices); NAME3: arity | (registered name's index
                      + 1, 0 if none) << 8 */
    REC_NAME2,
    REC_NAME3,
    REC_END,       /* reductions << 8 | why */
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
};

typedef struct prof_rec {
    uint64_t tk;    /* t << 8 | kind */
    uint64_t data;
} prof_rec;

static inline uint64_t rec_t(const prof_rec *r) { return r->tk >> 8; }
static inline unsigned rec_kind(const prof_rec *r) { return (unsigned)(r->tk & 0xFF); }

struct prof_sched {
    Scheduler *sd;
    int id;                 /* the scheduler's id; 0: the non-scheduler ring */
    /* The ring (NULL without +sched_trace) and its spill file. */
    prof_rec *recs;
    size_t n;
    int spill;
    /* Owner-only accumulators for the report and the ring. */
    uint64_t last_t;         /* the thread's last clock reading */
    uint64_t thread_start, thread_end, slice_start, sleep_start;
    uint64_t busy_ns, asleep_ns, longest_ns;
    uint64_t longest_pid;   /* a pid term */
    uint64_t gcs, balances;
    uint64_t last_len;      /* the run-queue length last recorded (UINT64_MAX: none) */
    uint64_t runq_next_t;   /* a slice's start samples the length from then on */
    enum prof_why hint;     /* the current slice's end reason, if not reductions */
    /* The slice running (its process's reductions when it began), and one
     * that ended, waiting for prof_at's clock reading. */
    bool in_slice;
    uint64_t slice_reds;
    bool end_pending;
    uint64_t end_pid, end_data;   /* pid term; reductions << 8 | why */
    /* Microstate accounting (prof_msacc.c): counters in ns and the
     * state, written by the owner, read by statistics/1; ms_mark is ON()
     * at the owner's last transition. */
    _Atomic uint64_t ms_count[MSACC_COUNT];
    _Atomic unsigned ms_state;
    _Atomic uint64_t ms_epoch;
    _Atomic uint64_t ms_mark;
};

/* Counts found in the trace, per scheduler id, for the report's check. */
typedef struct prof_counts {
    uint64_t slices[MAX_SCHEDULERS + 1], switches[MAX_SCHEDULERS + 1];
    uint64_t steals_in[MAX_SCHEDULERS + 1], steals_out[MAX_SCHEDULERS + 1];
    uint64_t migrations_in[MAX_SCHEDULERS + 1], migrations_out[MAX_SCHEDULERS + 1];
} prof_counts;

bool prof_trace_write(const char *path, prof_counts *counts);

#endif
