/*
 * erl_tracer.c — the NIFs behind OTP 25's preloaded erl_tracer module (the
 * default tracer module), with the results of erl_tracer_nif.c. OTP's
 * first process binds them at boot (erl_init calls erl_tracer:on_load/0).
 *
 * enabled(Tag, TracerState, Tracee): trace when the tracer (a local pid)
 * is alive and is not the tracee; otherwise discard (remove for
 * trace_status, so the trace point goes). trace(Tag, TracerState,
 * Tracee, TraceTerm, Opts) sends {trace, Tracee, Tag, TraceTerm [, Extra]
 * [, MatchSpecResult] [, SchedulerId] [, Timestamp]} (trace_ts when there
 * is a timestamp) to the tracer. cbeam has no ports: a port tracer is
 * never enabled.
 */
#include "atom.h"
#include "map.h"
#include "nif.h"
#include "scheduler.h"
#include "term_build.h"

Term nif_erl_tracer_enabled(Process *p, Term *args)
{
    (void)p;
    Term gone = args[0] == ATOM_NAMED("trace_status") ? ATOM_NAMED("remove") : ATOM_NAMED("discard");
    if (!term_is_pid(args[1])) return gone;
    Process *q = process_lookup(args[1]);
    if (!q || atomic_load(&q->state) == PS_EXITED) return gone;
    if (args[1] == args[2]) return ATOM_NAMED("discard");
    return ATOM_NAMED("trace");
}

Term nif_erl_tracer_trace(Process *p, Term *args)
{
    if (!term_is_pid(args[1])) return am_ok;
    Term tt[8];
    size_t n = 0;
    tt[n++] = ATOM_NAMED("trace");
    tt[n++] = args[2];
    tt[n++] = args[0];
    tt[n++] = args[3];
    Term opts = args[4];
    if (term_is_map(opts)) {
        Term v;
        if ((v = map_get(opts, ATOM_NAMED("extra"))) != THE_NON_VALUE) tt[n++] = v;
        if ((v = map_get(opts, ATOM_NAMED("match_spec_result"))) != THE_NON_VALUE) tt[n++] = v;
        if ((v = map_get(opts, ATOM_NAMED("scheduler_id"))) != THE_NON_VALUE) tt[n++] = v;
        if ((v = map_get(opts, ATOM_NAMED("timestamp"))) != THE_NON_VALUE) {
            tt[n++] = v;
            tt[0] = ATOM_NAMED("trace_ts");
        }
    }
    Term msg = tuple_from(bif_alloc(p, n + 1), tt, n);
    Process *q = process_lookup(args[1]);
    if (q) send_message(q, msg);
    return am_ok;
}
