/*
 * The balancing plan (emulator/balance.c, OTP 25's check_balance after
 * the samples): migration limits and paths per priority level,
 * availability, evacuation, compaction of load with its hysteresis.
 */
#include <criterion/criterion.h>

#include "balance.h"

#define FULL BALANCE_REDS_PER_SCHED

static balance_state st;
static balance_sample in[BALANCE_MAX_QUEUES];
static balance_queue_plan plan[BALANCE_MAX_QUEUES];

static void setup(void)
{
    balance_state_init(&st, 4);
    memset(in, 0, sizeof in);
    memset(plan, 0, sizeof plan);
}
TestSuite(balance, .init = setup);

/* A queue that never ran out of work: `reds` normal reductions, its
 * normal queue at most `len` long. */
static void busy(unsigned q, int64_t reds, uint32_t len)
{
    in[q] = (balance_sample){ .reds[PRIO_NORMAL] = reds, .max_len[PRIO_NORMAL] = len, .max_len_total = len };
}

static void idle(unsigned q, int64_t reds, bool second_half_too)
{
    in[q] = (balance_sample){ .reds[PRIO_NORMAL] = reds, .out_of_work = true, .halftime_out_of_work = second_half_too };
}

Test(balance, pairs_the_overloaded_queue_with_the_underloaded_one)
{
    busy(0, FULL, 7);
    busy(1, FULL, 1);
    cr_assert_eq(balance_plan(&st, in, 2, 2, plan), 2);
    const balance_path *e = &plan[0].prio[PRIO_NORMAL], *i = &plan[1].prio[PRIO_NORMAL];
    /* Average longest length 4 at 100% availability: both limits are 4. */
    cr_assert(e->emigrate && !e->immigrate && e->other == 1 && !e->evacuate);
    cr_assert(i->immigrate && !i->emigrate && i->other == 0);
    cr_assert_eq(e->limit_here, 4);
    cr_assert_eq(e->limit_other, 4);
    cr_assert_eq(i->limit_here, 4);
    cr_assert_eq(i->limit_other, 4);
    /* The other levels saw no processes: no paths. */
    cr_assert_eq(plan[0].prio[PRIO_HIGH].other, -1);
    cr_assert_eq(plan[0].prio[PRIO_LOW].other, -1);
    cr_assert_eq(balance_plan_paths(plan, 2), 2);
}

Test(balance, balanced_queues_get_no_paths)
{
    for (unsigned q = 0; q < 4; q++) busy(q, FULL, 3);
    cr_assert_eq(balance_plan(&st, in, 4, 4, plan), 4);
    cr_assert_eq(balance_plan_paths(plan, 4), 0);
}

Test(balance, left_over_underloaded_queues_immigrate_round_robin)
{
    busy(0, FULL, 12);
    busy(1, FULL, 0);
    busy(2, FULL, 0);
    busy(3, FULL, 0);
    balance_plan(&st, in, 4, 4, plan);
    cr_assert(plan[0].prio[PRIO_NORMAL].emigrate);
    /* One is paired with queue 0; the two left over pull from it too. */
    unsigned immigrating = 0;
    for (unsigned q = 1; q < 4; q++) {
        const balance_path *p = &plan[q].prio[PRIO_NORMAL];
        cr_assert(p->immigrate && p->other == 0, "queue %u", q);
        immigrating++;
    }
    cr_assert_eq(immigrating, 3);
}

Test(balance, availability_leaves_normal_what_high_did_not_use)
{
    /* Queue 0 spent three quarters of its reductions on high: normal has
     * 25% there, so its normal limit is a quarter of queue 1's. */
    in[0] = (balance_sample){ .reds = { [PRIO_HIGH] = 3 * FULL / 4, [PRIO_NORMAL] = FULL / 4 },
                              .max_len = { [PRIO_HIGH] = 1, [PRIO_NORMAL] = 8 }, .max_len_total = 9 };
    busy(1, FULL, 2);
    balance_plan(&st, in, 2, 2, plan);
    const balance_path *e = &plan[0].prio[PRIO_NORMAL];
    cr_assert(e->emigrate && e->other == 1);
    cr_assert_lt(e->limit_here, e->limit_other);
    /* avg longest (8+2)*100/125 = 8: limits 8*25% = 2 and 8*100% = 8. */
    cr_assert_eq(e->limit_here, 2);
    cr_assert_eq(e->limit_other, 8);
}

Test(balance, a_level_without_reductions_is_evacuated)
{
    /* Max took everything on queue 0: its normal processes never ran. */
    in[0] = (balance_sample){ .reds = { [PRIO_MAX] = FULL }, .max_len = { [PRIO_MAX] = 1, [PRIO_NORMAL] = 5 },
                              .max_len_total = 6 };
    busy(1, FULL, 0);
    balance_plan(&st, in, 2, 2, plan);
    cr_assert(plan[0].prio[PRIO_NORMAL].emigrate && plan[0].prio[PRIO_NORMAL].evacuate);
    cr_assert(plan[1].prio[PRIO_NORMAL].immigrate && plan[1].prio[PRIO_NORMAL].evacuate);
    cr_assert(plan[1].prio[PRIO_NORMAL].other_evacuate);
    cr_assert_eq(plan[0].prio[PRIO_NORMAL].limit_here, 0);
}

Test(balance, light_load_is_compacted_onto_fewer_queues)
{
    busy(0, FULL / 2, 1);
    idle(1, 1000, true);
    idle(2, 0, true);
    idle(3, 500, true);
    cr_assert_eq(balance_plan(&st, in, 4, 4, plan), 1);
    cr_assert(!plan[0].inactive);
    for (unsigned q = 1; q < 4; q++) {
        cr_assert(plan[q].inactive, "queue %u", q);
        for (unsigned pix = 0; pix < PRIO_LEVELS; pix++) {
            cr_assert(plan[q].prio[pix].emigrate);
            cr_assert_eq(plan[q].prio[pix].other, 0);
        }
    }
}

Test(balance, compaction_keeps_a_queue_per_full_scheduler_of_reductions)
{
    /* 2.5 schedulers' worth of reductions over 4 queues, one idle: 3. */
    busy(0, FULL, 4);
    busy(1, FULL, 4);
    in[2] = (balance_sample){ .reds[PRIO_NORMAL] = FULL / 2, .out_of_work = true, .halftime_out_of_work = false };
    idle(3, 0, true);
    cr_assert_eq(balance_plan(&st, in, 4, 4, plan), 3);
    cr_assert(plan[3].inactive && plan[3].prio[PRIO_NORMAL].other == 0);   /* 3 % 3 */
}

Test(balance, queues_busy_in_the_second_half_stay_active)
{
    /* Little work, but every scheduler had some in the second half. */
    for (unsigned q = 0; q < 4; q++) idle(q, 1000, false);
    cr_assert_eq(balance_plan(&st, in, 4, 4, plan), 4);
    for (unsigned q = 0; q < 4; q++) cr_assert(!plan[q].inactive);
}

Test(balance, a_rise_is_kept_while_the_load_stays_within_the_hysteresis)
{
    busy(0, FULL / 2, 2);
    for (unsigned q = 1; q < 4; q++) idle(q, 0, true);
    cr_assert_eq(balance_plan(&st, in, 4, 4, plan), 1);
    /* A busy scheduler activated queue 1 since: the pass keeps 2 and
     * remembers the load of that rise. */
    busy(0, FULL / 2, 2);
    idle(1, FULL / 4, false);
    idle(2, 0, true);
    idle(3, 0, true);
    cr_assert_eq(balance_plan(&st, in, 4, 2, plan), 2);
    /* Queue 1 went idle again, but the load is 95% of the rise's: 2. */
    busy(0, 95 * (FULL / 2 + FULL / 4) / 100, 2);
    idle(1, 0, true);
    idle(2, 0, true);
    idle(3, 0, true);
    cr_assert_eq(balance_plan(&st, in, 4, 2, plan), 2);
    /* At half the load it falls back to 1. */
    busy(0, FULL / 3, 2);
    cr_assert_eq(balance_plan(&st, in, 4, 2, plan), 1);
}

Test(balance, forced_passes_keep_every_queue_active)
{
    busy(0, 100, 1);
    for (unsigned q = 1; q < 4; q++) idle(q, 0, true);
    st.forced = true;
    cr_assert_eq(balance_plan(&st, in, 4, 4, plan), 4);
    cr_assert(!st.forced);
    cr_assert_eq(balance_plan(&st, in, 4, 4, plan), 1);
}

Test(balance, a_slow_scheduler_gets_a_lower_limit)
{
    /* Queue 1's scheduler ran half the reductions of queue 0's in every
     * pass (another program took its core): once the history says so,
     * its limit is lower than queue 0's. */
    for (int pass = 0; pass < 8; pass++) {
        busy(0, FULL, 6);
        busy(1, FULL / 2, 6);
        balance_plan(&st, in, 2, 2, plan);
    }
    const balance_path *e = &plan[1].prio[PRIO_NORMAL];
    cr_assert(e->emigrate && e->other == 0);
    cr_assert_lt(e->limit_here, e->limit_other);
}
