/*
 * The timer service's heap and reference index: random starts, cancels
 * and expiries against a simple model (deadlines in an array). Targets
 * are pids of no process, so firing delivers nothing; what is checked is
 * which timers are pending and the next deadline the service reports.
 */
#include <criterion/criterion.h>

#include "atom.h"
#include "scheduler.h"
#include "timer.h"

static void setup(void)
{
    atom_init(0);
    process_table_init(PROCESS_LIMIT_MIN); /* timers look their targets up */
}
TestSuite(timer, .init = setup);

#define N 20000
static uint64_t deadline[N + 1];   /* 0 = not pending */

static uint64_t rng_state = 12345;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint64_t model_next(void)
{
    uint64_t best = 0;
    for (size_t i = 1; i <= N; i++)
        if (deadline[i] && (!best || deadline[i] < best)) best = deadline[i];
    return best;
}

Test(timer, heap_and_index_agree_with_a_model)
{
    /* Deadlines far in the future of the monotonic clock: only explicit
     * timer_fire(now) expires them. */
    const uint64_t base = (uint64_t)1 << 50;
    Term nobody = ((Term)0x7FFFFFu << 4) | 0x3;   /* a pid no process has */
    uint64_t now = base;
    for (size_t ref = 1; ref <= N; ref++) {
        deadline[ref] = base + 1 + rnd() % 100000;
        timer_start(ref, deadline[ref], nobody, make_small((SWord)ref), ref % 2);
    }
    for (int round = 0; round < 200; round++) {
        for (int k = 0; k < 60; k++) {   /* cancel some */
            size_t ref = 1 + rnd() % N;
            uint64_t left;
            bool pending = timer_cancel(ref, &left);
            cr_assert_eq(pending, deadline[ref] != 0, "ref %zu", ref);
            deadline[ref] = 0;
        }
        now += 400;
        uint64_t next = timer_fire(now);
        for (size_t i = 1; i <= N; i++)
            if (deadline[i] && deadline[i] <= now) deadline[i] = 0;
        cr_assert_eq(next, model_next(), "round %d", round);
        for (int k = 0; k < 20; k++) {   /* reads see exactly the pending ones */
            size_t ref = 1 + rnd() % N;
            uint64_t left;
            cr_assert_eq(timer_read(ref, &left), deadline[ref] != 0);
        }
    }
    cr_assert_eq(timer_fire(UINT64_MAX - 1), 0);
}
