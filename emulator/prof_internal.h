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

/* 1 << 16 records of 40 bytes: 2.5 MB per scheduler, flushed when full. */
#define PROF_RING_RECORDS (1u << 16)

enum prof_rec_kind {
    REC_BEGIN,     /* pid; a registered name (or NIL), b module, c function
                      atom index, other arity */
    REC_END,       /* pid; a reductions, why */
    REC_MIGRATE,   /* pid; c from, other to (scheduler ids), why */
    REC_RUNQ,      /* a length */
    REC_SLEEP,
    REC_WAKE,
    REC_GC,        /* pid; t start, a duration, b words before, c after, why major */
    REC_BALANCE,   /* a migration paths set */
    REC_FLUSH,     /* a duration */
};

/* One event, 40 bytes; t in ns since the origin. */
typedef struct prof_rec {
    uint64_t t;
    uint8_t kind, why;
    uint16_t other;
    uint32_t c;
    uint64_t pid, a, b;
} prof_rec;

struct prof_sched {
    Scheduler *sd;
    int id;                 /* the scheduler's id; 0: the non-scheduler ring */
    /* The ring (NULL without +sched_trace) and its spill file. */
    prof_rec *recs;
    size_t n;
    int spill;
    /* Owner-only accumulators for the report and the ring. */
    uint64_t thread_start, thread_end, slice_start, sleep_start;
    uint64_t busy_ns, asleep_ns, longest_ns;
    uint64_t longest_pid;
    uint64_t gcs, balances;
    uint64_t last_len;
    bool len_recorded;
    enum prof_why hint;     /* the current slice's end reason, if not reductions */
};

/* Counts found in the trace, per scheduler id, for the report's check. */
typedef struct prof_counts {
    uint64_t slices[MAX_SCHEDULERS + 1], switches[MAX_SCHEDULERS + 1];
    uint64_t steals_in[MAX_SCHEDULERS + 1], steals_out[MAX_SCHEDULERS + 1];
    uint64_t migrations_in[MAX_SCHEDULERS + 1], migrations_out[MAX_SCHEDULERS + 1];
} prof_counts;

bool prof_trace_write(const char *path, prof_counts *counts);

#endif
