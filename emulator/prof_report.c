/*
 * prof_report.c — +sched_report's table and prof_finish (prof.h).
 *
 * Runs once, at halt, after every scheduler thread was joined: it reads
 * the schedulers' own counters (sched_stats, the same that
 * erlang:statistics/1 sums) and the prof_sched accumulators without
 * synchronisation, as their writers are gone.
 */
#include <inttypes.h>
#include <stdio.h>

#include "prof.h"
#include "prof_internal.h"

void prof_thread_stop(prof_sched *ps) { ps->thread_end = prof_now(); }

static double ms(uint64_t ns) { return (double)ns / 1e6; }

static void report_row(const Scheduler *sd)
{
    const prof_sched *ps = sd->prof;
    const sched_stats *st = &sd->stats;
    uint64_t wall = ps->thread_end > ps->thread_start ? ps->thread_end - ps->thread_start : 0;
    uint64_t samples = atomic_load(&sd->len_samples);
    double mean = samples ? (double)atomic_load(&sd->len_sum) / (double)samples : 0.0;
    char longest[64] = "-";
    if (ps->longest_pid)
        snprintf(longest, sizeof longest, "%.3f <0.%" PRIu64 ".0>", ms(ps->longest_ns), ps->longest_pid >> 4);
    fprintf(stderr, "%5d %6.1f %12" PRIu64 " %9" PRIu64 " %9" PRIu64 " %6" PRIu64 "/%-6" PRIu64 " %6" PRIu64 "/%-6" PRIu64
                    " %10.1f %-24s %7.2f %5zu\n",
            sd->id, wall ? 100.0 * (double)ps->busy_ns / (double)wall : 0.0, atomic_load(&st->reductions),
            atomic_load(&st->slices), atomic_load(&st->context_switches), atomic_load(&st->steals_in),
            atomic_load(&st->steals_out), atomic_load(&st->migrations_in), atomic_load(&st->migrations_out),
            ms(ps->asleep_ns), longest, mean, sd->len_max);
}

static void report(void)
{
    fprintf(stderr, "cbeam +sched_report: %u schedulers (%u online at exit)\n", vm.schedulers,
            atomic_load(&vm.schedulers_online));
    fprintf(stderr, "%5s %6s %12s %9s %9s %13s %13s %10s %-24s %7s %5s\n", "sched", "util%", "reductions", "slices",
            "switches", "steals in/out", "migr in/out", "asleep ms", "longest slice ms (pid)", "rq mean", "max");
    for (unsigned i = 0; i < vm.schedulers; i++) report_row(vm.sched[i]);
    fprintf(stderr, "util%%: time running processes / the scheduler's lifetime; slices: processes run;\n"
                    "switches: slices that ended with the process still alive; rq: run-queue length\n"
                    "sampled each time the scheduler looked for work.\n");
}

/* The trace must count what the schedulers counted: say so if not. */
static void check_counts(const prof_counts *c)
{
    for (unsigned i = 0; i < vm.schedulers; i++) {
        const Scheduler *sd = vm.sched[i];
        const sched_stats *st = &sd->stats;
        int id = sd->id;
        if (c->slices[id] != atomic_load(&st->slices) || c->switches[id] != atomic_load(&st->context_switches) ||
            c->steals_in[id] != atomic_load(&st->steals_in) || c->steals_out[id] != atomic_load(&st->steals_out) ||
            c->migrations_in[id] != atomic_load(&st->migrations_in) ||
            c->migrations_out[id] != atomic_load(&st->migrations_out))
            fprintf(stderr, "cbeam: +sched_trace: the trace of scheduler %d disagrees with its counters\n", id);
    }
}

bool prof_finish(void)
{
    if (!prof_enabled()) return true;
    bool ok = true;
    if (prof_cfg.trace_file) {
        prof_counts counts;
        ok = prof_trace_write(prof_cfg.trace_file, &counts);
        if (ok) check_counts(&counts);
    }
    if (prof_cfg.report) report();
    return ok;
}
