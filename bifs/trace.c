/*
 * trace.c — erts_internal:trace/3 (OTP's erlang.erl wraps it as
 * erlang:trace/3) and erlang:trace_info/2 for the process
 * events cbeam traces (procs, running; emulator/trace.h). Flags for
 * other events (send, 'receive', call, timestamps...) raise badarg
 * rather than being accepted and never producing a message (README).
 */
#include "atom.h"
#include "bif.h"
#include "port.h"
#include "scheduler.h"
#include "term_build.h"
#include "trace.h"

#include <stdlib.h>
#include <string.h>

/* In the order trace_info lists them, as OTP does. */
static const struct { const char *name; uint32_t bit; } flag_names[] = {
    { "running", TRACE_RUNNING },
    { "set_on_first_spawn", TRACE_SET_ON_FIRST_SPAWN },
    { "procs", TRACE_PROCS },
    { "set_on_spawn", TRACE_SET_ON_SPAWN },
};
#define NFLAGS (sizeof flag_names / sizeof flag_names[0])

static Term flag_atom(size_t i)
{
    Term a;
    if (atom_put(flag_names[i].name, strlen(flag_names[i].name), &a) != ATOM_OK) atom_table_full_exit();
    return a;
}

static uint32_t flag_bit(Term a)
{
    for (size_t i = 0; i < NFLAGS; i++)
        if (term_is_atom(a) && strcmp(atom_text(a), flag_names[i].name) == 0) return flag_names[i].bit;
    return 0;
}

/* Flags and {tracer, Pid} from the list; false for anything else. */
static bool parse_flags(Term list, uint32_t *flags, Term *tracer)
{
    for (; term_is_list(list); list = list_tail(list)) {
        Term f = list_head(list);
        uint32_t bit = flag_bit(f);
        if (bit) {
            *flags |= bit;
        } else if (term_is_tuple(f) && tuple_arity(f) == 2 && tuple_elements(f)[0] == ATOM_NAMED("tracer")) {
            /* Any local pid: events for a tracer that is gone are
             * dropped and end the tracing (trace.c), as in OTP. */
            Term t = tuple_elements(f)[1];
            if (!term_is_pid(t)) return false;
            *tracer = t;
        } else {
            return false;
        }
    }
    return list == NIL;
}

static void apply(Process *q, bool on, uint32_t flags, Term tracer)
{
    if (on) {
        atomic_store(&q->tracer, tracer);
        atomic_fetch_or(&q->trace_flags, flags);
    } else if ((atomic_fetch_and(&q->trace_flags, ~flags) & ~flags) == 0) {
        atomic_store(&q->tracer, NIL);
    }
}

/* Existing processes (all of them); returns how many. */
static size_t apply_existing(bool on, uint32_t flags, Term tracer)
{
    size_t max = atomic_load(&vm.process_count) + 64;
    Term *pids = malloc(max * sizeof *pids);
    if (!pids) abort();
    size_t n = process_all_pids(pids, max), count = 0;
    for (size_t i = 0; i < n; i++) {
        Process *q = process_lookup(pids[i]);
        if (q) {
            apply(q, on, flags, tracer);
            count++;
        }
    }
    free(pids);
    return count;
}

static void apply_new(bool on, uint32_t flags, Term tracer)
{
    uint32_t old;
    Term old_tracer;
    trace_get_new(&old, &old_tracer);
    trace_set_new(on ? old | flags : old & ~flags, on ? tracer : old_tracer);
}

Term bif_erts_internal_trace_3(Process *p, Term *args)
{
    Term spec = args[0], how = args[1];
    uint32_t flags = 0;
    Term tracer = p->pid;
    if ((how != am_true && how != am_false) || !parse_flags(args[2], &flags, &tracer)) BIF_ERROR(p, EXC_BADARG);
    bool on = how == am_true;
    if (term_is_pid(spec)) {
        Process *q = process_lookup(spec);
        if (!q) BIF_ERROR(p, EXC_BADARG);
        apply(q, on, flags, tracer);
        return make_small(1);
    }
    const char *s = term_is_atom(spec) ? atom_text(spec) : "";
    bool existing = !strcmp(s, "all") || !strcmp(s, "processes") || !strcmp(s, "existing") || !strcmp(s, "existing_processes");
    bool fresh = !strcmp(s, "all") || !strcmp(s, "processes") || !strcmp(s, "new") || !strcmp(s, "new_processes");
    bool with_ports = !strcmp(s, "all") || !strcmp(s, "existing");   /* counted, never traced */
    if (!existing && !fresh) BIF_ERROR(p, EXC_BADARG);
    size_t count = existing ? apply_existing(on, flags, tracer) : 0;
    if (with_ports) count += port_count();
    if (fresh) apply_new(on, flags, tracer);
    return make_small((SWord)count);
}

/* The flags, in flag_names' order. */
static Term flag_list(Process *p, uint32_t flags)
{
    Term *hp = HAlloc(p, 2 * NFLAGS);
    Term list = NIL;
    for (size_t i = NFLAGS; i-- > 0;)
        if (flags & flag_names[i].bit) list = cons(hp + 2 * i, flag_atom(i), list);
    return list;
}

Term bif_erlang_trace_info_2(Process *p, Term *args)
{
    Term what = args[0], item = args[1];
    uint32_t flags;
    Term tracer;
    if (term_is_pid(what)) {
        Process *q = process_lookup(what);
        if (!q) return ATOM_NAMED("undefined");
        flags = trace_flags_of(q);
        tracer = atomic_load(&q->tracer);
    } else if (what == ATOM_NAMED("new") || what == ATOM_NAMED("new_processes")) {
        trace_get_new(&flags, &tracer);
    } else {
        BIF_ERROR(p, EXC_BADARG);
    }
    Term value;
    if (item == ATOM_NAMED("flags")) value = flag_list(p, flags);
    else if (item == ATOM_NAMED("tracer")) value = tracer == NIL ? NIL : tracer;
    else BIF_ERROR(p, EXC_BADARG);
    return tuple2(HAlloc(p, 3), item, value);
}
