/*
 * balance.c — the run-queue balancing plan: OTP 25's check_balance()
 * (erl_process.c) after the samples are taken, in cbeam's terms. See
 * balance.h for what it decides; the comments here say why each step is
 * as it is.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "balance.h"

void balance_state_init(balance_state *st, unsigned queues)
{
    memset(st, 0, sizeof *st);
    /* A queue with no history yet counts as fully busy, as in OTP: the
     * first passes must not take it for a slow one. */
    for (unsigned q = 0; q < BALANCE_MAX_QUEUES; q++) {
        for (unsigned i = 0; i < BALANCE_HISTORY; i++) st->history[q][i] = BALANCE_REDS_PER_SCHED;
        st->history_sum[q] = (int64_t)BALANCE_HISTORY * BALANCE_REDS_PER_SCHED;
    }
    st->last_active = queues;
    st->halftime = true;
}

/* Per-queue figures of one pass. */
typedef struct queue_info {
    int avail[PRIO_LEVELS];    /* percent of the queue's reductions left to the level */
    int64_t full_reds;         /* its reductions averaged over the history */
    uint32_t limit[PRIO_LEVELS];
} queue_info;

/* The average of the history and this pass's sample, then the sample
 * replaces the oldest one (OTP's ERTS_UPDATE_FULL_REDS). */
static int64_t update_full_reds(balance_state *st, unsigned q, int64_t last)
{
    int64_t full = (st->history_sum[q] + last) >> BALANCE_HISTORY_SHIFT;
    st->history_sum[q] += last - st->history[q][st->history_ix];
    st->history[q][st->history_ix] = last;
    return full;
}

static int64_t total_reds(const balance_sample *s)
{
    int64_t t = 0;
    for (unsigned pix = 0; pix < PRIO_LEVELS; pix++) t += s->reds[pix];
    return t;
}

/* Max and high run before everything else: what they used is not
 * available to normal and low. */
static void availability(const balance_sample *s, int64_t treds, int avail[PRIO_LEVELS])
{
    int64_t xreds = 0;
    for (unsigned pix = 0; pix < PRIO_LEVELS; pix++) {
        int64_t av;
        if (treds == 0) av = 0;
        else if (xreds == 0) av = 100;
        else if (treds == xreds) av = 0;
        else {
            av = 100 * (treds - xreds) / treds;
            if (av == 0) av = 1;   /* a little is not nothing: not evacuated */
        }
        avail[pix] = (int)av;
        if (pix < PRIO_NORMAL) xreds += s->reds[pix];
    }
}

static int64_t percent(int64_t x, int64_t y)
{
    if (y == 0) return x == 0 ? 100 : INT64_MAX;
    return 100 * x / y;
}

static void save_rise(balance_state *st, unsigned active, uint32_t max_len, int64_t reds)
{
    st->prev_rise.active = active;
    st->prev_rise.max_len = max_len;
    st->prev_rise.reds = reds;
}

/* What the samples say about the whole system. */
typedef struct totals {
    unsigned full_scheds;      /* queues whose scheduler never waited */
    unsigned half_full_scheds; /* ... or did not in the second half */
    int64_t full_scheds_reds;  /* full_reds summed over the full ones */
    int64_t scheds_reds;       /* reductions of every queue */
    uint32_t mmax_len;         /* the longest any queue grew */
} totals;

static totals measure(balance_state *st, const balance_sample *in, unsigned n, queue_info *qi)
{
    totals t = { 0 };
    for (unsigned q = 0; q < n; q++) {
        int64_t treds = total_reds(&in[q]);
        if (in[q].out_of_work) {
            /* It had time to spare: every level is fully available, and
             * its history records it as able to run a full share. */
            for (unsigned pix = 0; pix < PRIO_LEVELS; pix++) qi[q].avail[pix] = 100;
            if (!in[q].halftime_out_of_work) t.half_full_scheds++;
            qi[q].full_reds = update_full_reds(st, q, BALANCE_REDS_PER_SCHED);
        } else {
            availability(&in[q], treds, qi[q].avail);
            qi[q].full_reds = update_full_reds(st, q, treds);
            t.full_scheds_reds += qi[q].full_reds;
            t.full_scheds++;
            t.half_full_scheds++;
        }
        t.scheds_reds += treds;
        if (t.mmax_len < in[q].max_len_total) t.mmax_len = in[q].max_len_total;
    }
    return t;
}

/* Compaction (+scl true): as many active queues as the reductions need
 * full schedulers, never fewer than were busy in the second half; a rise
 * since the last pass (a scheduler woken to help) is remembered, and the
 * number does not fall back while the load is still within the
 * hysteresis of that rise. Returns n when every queue must stay active. */
static unsigned active_queues(balance_state *st, const totals *t, unsigned n, unsigned current_active, bool forced)
{
    if (forced || t->half_full_scheds == n) {
        if (st->last_active < current_active) save_rise(st, current_active, t->mmax_len, t->scheds_reds);
        return n;
    }
    unsigned min = t->half_full_scheds > 1 ? t->half_full_scheds : 1;
    int64_t active;
    if (t->full_scheds) active = (t->scheds_reds - 1) / BALANCE_REDS_PER_SCHED + 1;
    else active = (int64_t)st->last_active - 1;
    if (st->last_active < current_active) {
        save_rise(st, current_active, t->mmax_len, t->scheds_reds);
        active = current_active;
    } else if (active < st->prev_rise.active && percent(t->mmax_len, st->prev_rise.max_len) >= BALANCE_RISE_HYSTERESIS &&
               percent(t->scheds_reds, st->prev_rise.reds) >= BALANCE_RISE_HYSTERESIS) {
        active = st->prev_rise.active;
    }
    if (active < min) active = min;
    if (active > n) active = n;
    return (unsigned)active;
}

static void clear_plan(balance_queue_plan *plan, unsigned n)
{
    for (unsigned q = 0; q < n; q++) {
        plan[q].inactive = false;
        for (unsigned pix = 0; pix < PRIO_LEVELS; pix++) plan[q].prio[pix] = (balance_path){ .other = -1 };
    }
}

/* Inactive queues send everything, at every level, to an active one. */
static void plan_compaction(balance_queue_plan *plan, unsigned n, unsigned active)
{
    for (unsigned q = active; q < n; q++) {
        plan[q].inactive = true;
        for (unsigned pix = 0; pix < PRIO_LEVELS; pix++)
            plan[q].prio[pix] = (balance_path){ .other = (int)(q % active), .emigrate = true };
    }
}

static uint32_t clamp_limit(int64_t v)
{
    if (v < 0) return 0;
    return v > BALANCE_LIMIT_MAX ? BALANCE_LIMIT_MAX : (uint32_t)v;
}

/* Limits per level: the average longest length over all queues, scaled
 * up by the average availability, then down by each queue's own. A
 * queue's availability is also scaled by how fast it ran compared with
 * the other busy ones (its averaged reductions). */
static void migration_limits(const balance_sample *in, unsigned n, const totals *t, queue_info *qi)
{
    int64_t avg_len[PRIO_LEVELS] = { 0 }, avg_avail[PRIO_LEVELS] = { 0 };
    for (unsigned q = 0; q < n; q++) {
        if (t->full_scheds_reds > 0 && !in[q].out_of_work) {
            int64_t speed = qi[q].full_reds * (int64_t)t->full_scheds;
            for (unsigned pix = 0; pix < PRIO_LEVELS; pix++)
                qi[q].avail[pix] = (int)((int64_t)qi[q].avail[pix] * speed / t->full_scheds_reds);
        }
        for (unsigned pix = 0; pix < PRIO_LEVELS; pix++) {
            avg_len[pix] += in[q].max_len[pix];
            avg_avail[pix] += qi[q].avail[pix];
        }
    }
    for (unsigned pix = 0; pix < PRIO_LEVELS; pix++)
        if (avg_len[pix] != 0 && avg_avail[pix] != 0) avg_len[pix] = (100 * avg_len[pix] - 1) / avg_avail[pix] + 1;
    for (unsigned q = 0; q < n; q++)
        for (unsigned pix = 0; pix < PRIO_LEVELS; pix++) {
            int64_t limit = 0;
            if (avg_len[pix] != 0 && qi[q].avail[pix] != 0) limit = (avg_len[pix] * qi[q].avail[pix] - 1) / 100 + 1;
            qi[q].limit[pix] = clamp_limit(limit);
        }
}

typedef struct ranked {
    int q;
    int64_t diff;              /* longest length minus the limit */
} ranked;

static int by_diff(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->diff != y->diff) return x->diff < y->diff ? -1 : 1;
    return x->q - y->q;        /* a stable order: the tests can predict it */
}

static void emigrate(balance_queue_plan *plan, const queue_info *qi, unsigned pix, int from, int to)
{
    plan[from].prio[pix].emigrate = true;
    plan[from].prio[pix].other = to;
    if (qi[from].avail[pix] == 0) plan[from].prio[pix].evacuate = true;
}

static void immigrate(balance_queue_plan *plan, const queue_info *qi, unsigned pix, int from, int to)
{
    plan[to].prio[pix].immigrate = true;
    plan[to].prio[pix].other = from;
    if (qi[from].avail[pix] == 0) plan[to].prio[pix].evacuate = true;
}

/* Pairs the most overloaded queue with the most underloaded one, the
 * second with the second, and so on; the queues left over on the longer
 * side get one-way paths to (or from) the other side, round robin. */
static void migration_paths(balance_queue_plan *plan, const balance_sample *in, const queue_info *qi, unsigned n,
                            unsigned pix)
{
    ranked r[BALANCE_MAX_QUEUES];
    unsigned low = 0, high = 0;
    for (unsigned q = 0; q < n; q++) {
        r[q] = (ranked){ (int)q, (int64_t)in[q].max_len[pix] - (int64_t)qi[q].limit[pix] };
        if (r[q].diff < 0) low++;
        else if (r[q].diff > 0) high++;
    }
    if (!low || !high) return;
    qsort(r, n, sizeof r[0], by_diff);
    int tix = 0, fix = (int)n - 1;
    bool eof = false, eot = false;
    for (;;) {
        if (r[fix].diff <= 0) eof = true;
        if (r[tix].diff >= 0) eot = true;
        if (eof || eot) break;
        emigrate(plan, qi, pix, r[fix].q, r[tix].q);
        immigrate(plan, qi, pix, r[fix].q, r[tix].q);
        tix++;
        fix--;
    }
    if (!eot && eof) {
        /* More underloaded queues: they also pull from the overloaded. */
        if (fix < (int)n - 1) fix++;
        if (r[fix].diff <= 0) return;
        for (int fix2 = (int)n - 1; tix < fix && r[tix].diff < 0; tix++, fix2--) {
            if (fix2 < fix) fix2 = (int)n - 1;
            immigrate(plan, qi, pix, r[fix2].q, r[tix].q);
        }
    } else if (!eof && eot) {
        /* More overloaded queues: they also push to the underloaded. */
        if (tix > 0) tix--;
        if (r[tix].diff >= 0) return;
        for (int tix2 = 0; tix < fix && r[fix].diff > 0; fix--, tix2++) {
            if (tix2 > tix) tix2 = 0;
            emigrate(plan, qi, pix, r[fix].q, r[tix2].q);
        }
    }
}

/* Each path carries both ends' limits and the other end's evacuate flag:
 * the enqueue and immigrate checks read nothing else of the pass. */
static void finish_paths(balance_queue_plan *plan, const queue_info *qi, unsigned n)
{
    for (unsigned q = 0; q < n; q++)
        for (unsigned pix = 0; pix < PRIO_LEVELS; pix++) {
            balance_path *path = &plan[q].prio[pix];
            if (path->other < 0) continue;
            path->limit_here = qi[q].limit[pix];
            path->limit_other = qi[path->other].limit[pix];
            path->other_evacuate = plan[path->other].prio[pix].evacuate;
        }
}

unsigned balance_plan(balance_state *st, const balance_sample *in, unsigned n, unsigned current_active,
                      balance_queue_plan *plan)
{
    queue_info qi[BALANCE_MAX_QUEUES];
    bool forced = st->forced;
    st->forced = false;
    totals t = measure(st, in, n, qi);
    st->history_ix = (st->history_ix + 1) % BALANCE_HISTORY;
    clear_plan(plan, n);
    unsigned active = active_queues(st, &t, n, current_active, forced);
    if (active < n) {
        plan_compaction(plan, n, active);
    } else {
        migration_limits(in, n, &t, qi);
        for (unsigned pix = 0; pix < PRIO_LEVELS; pix++) migration_paths(plan, in, qi, n, pix);
        finish_paths(plan, qi, n);
    }
    st->last_active = active;
    return active;
}

unsigned balance_plan_paths(const balance_queue_plan *plan, unsigned n)
{
    unsigned paths = 0;
    for (unsigned q = 0; q < n; q++)
        for (unsigned pix = 0; pix < PRIO_LEVELS; pix++)
            if (plan[q].prio[pix].emigrate || plan[q].prio[pix].immigrate) paths++;
    return paths;
}
