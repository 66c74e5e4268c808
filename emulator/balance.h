/*
 * balance.h — the run-queue balancing plan (OTP 25's check_balance()).
 *
 * The scheduler (scheduler.c) samples every online run queue and hands the
 * samples to balance_plan, which decides, from the reductions each queue
 * executed per priority level and the longest each priority's queue grew,
 *
 *   - how many run queues stay active (compaction of load, +scl true):
 *     the others emigrate everything to `index % active` and their
 *     schedulers sleep instead of stealing;
 *   - or, with every queue active, per priority level: a migration limit
 *     for each queue (the average longest length, scaled by the queue's
 *     availability: the share of reductions left to that priority after
 *     the higher ones) and migration paths pairing the most overloaded
 *     queues (emigrate) with the most underloaded (immigrate). A source
 *     whose priority got no reductions at all is evacuated.
 *
 * Pure computation over its arguments: no locks, no scheduler state, so
 * that the unit tests (test/unit/test_balance.c) can drive it. Its
 * history (balance_state) belongs to the caller's balancing lock.
 */
#ifndef CB_BALANCE_H
#define CB_BALANCE_H

#include <stdbool.h>
#include <stdint.h>

#include "process.h"

/* Priority levels balanced apart: PRIO_MAX, PRIO_HIGH, PRIO_NORMAL,
 * PRIO_LOW (low shares the normal queue but has its own paths, as in
 * OTP). */
#define PRIO_LEVELS 4
#define BALANCE_MAX_QUEUES 64
/* The reductions one fully busy scheduler executes between two full
 * passes (OTP: ERTS_RUNQ_CHECK_BALANCE_REDS_PER_SCHED). */
#define BALANCE_REDS_PER_SCHED (2000 * CONTEXT_REDS)
/* A pass runs when a queue executed this many reductions since the last
 * one; passes alternate halftime (snapshots who is out of work) and full
 * (OTP: ERTS_RUNQ_CALL_CHECK_BALANCE_REDS). */
#define BALANCE_CALL_REDS (BALANCE_REDS_PER_SCHED / 2)
/* Samples of each queue's reductions averaged for its speed: the 7 last
 * full passes and this one, i.e. a shift by 3 (OTP:
 * ERTS_FULL_REDS_HISTORY_SIZE, ERTS_FULL_REDS_HISTORY_AVG_SHFT). */
#define BALANCE_HISTORY_SHIFT 3
#define BALANCE_HISTORY ((1 << BALANCE_HISTORY_SHIFT) - 1)
/* Compaction keeps the previous, larger number of active queues while
 * the load (longest queue and reductions) is still this percentage of
 * what it was when that number was reached. */
#define BALANCE_RISE_HYSTERESIS 90
/* Limits are kept in 24 bits of a path word (scheduler.c). */
#define BALANCE_LIMIT_MAX ((1u << 24) - 1)

/* What one run queue did since the last full pass. */
typedef struct balance_sample {
    uint32_t max_len[PRIO_LEVELS];  /* longest the priority's queue grew */
    uint32_t max_len_total;         /* longest the whole queue grew */
    int64_t reds[PRIO_LEVELS];      /* reductions executed per priority */
    bool out_of_work;               /* its scheduler waited for work */
    bool halftime_out_of_work;      /* ... also in the second half */
} balance_sample;

/* One queue's migration path for one priority level. */
typedef struct balance_path {
    int other;                 /* emigrate to / immigrate from; -1: none */
    bool emigrate, immigrate;
    bool evacuate;             /* this queue's level is evacuated */
    bool other_evacuate;       /* the other queue's level is */
    uint32_t limit_here, limit_other;
} balance_path;

typedef struct balance_queue_plan {
    balance_path prio[PRIO_LEVELS];
    bool inactive;             /* compaction: emigrates everything */
} balance_queue_plan;

/* Kept from pass to pass, under the balancing lock. */
typedef struct balance_state {
    int64_t history[BALANCE_MAX_QUEUES][BALANCE_HISTORY];
    int64_t history_sum[BALANCE_MAX_QUEUES];
    unsigned history_ix;
    unsigned last_active;      /* active queues the last pass chose */
    struct {                   /* the last rise in active queues */
        unsigned active;
        uint32_t max_len;
        int64_t reds;
    } prev_rise;
    bool forced;               /* all active at the next full pass */
    bool halftime;             /* the next pass is a halftime one */
} balance_state;

void balance_state_init(balance_state *st, unsigned queues);
/* Plans a full pass over n queues (1..BALANCE_MAX_QUEUES) of which
 * current_active are active now (activation may have raised it since the
 * last pass). Fills plan[0..n-1]; returns the number of active queues. */
unsigned balance_plan(balance_state *st, const balance_sample *in, unsigned n, unsigned current_active,
                      balance_queue_plan *plan);
/* Migration paths in a plan (emigrate or immigrate, any level). */
unsigned balance_plan_paths(const balance_queue_plan *plan, unsigned n);

#endif
