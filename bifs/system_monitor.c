/*
 * system_monitor.c — erlang:system_monitor/0,1,2: reading and setting
 * the VM's one system monitor (emulator/sysmon.h), with OTP's option
 * order, minimums and errors.
 */
#include "atom.h"
#include "bif.h"
#include "bignum.h"
#include "sysmon.h"
#include "scheduler.h"
#include "term_build.h"

/* OTP's floor for large_heap, in words; time limits are at least 1 ms. */
#define LARGE_HEAP_MIN 16384

/* {Pid, Options} as OTP lists them, or undefined. */
static Term settings_term(Process *p, const sysmon_settings *s)
{
    if (s->pid == NIL) return ATOM_NAMED("undefined");
    Term *hp = HAlloc(p, 5 * 5 + 3);
    Term opts = NIL;
    if (s->long_gc_ms) opts = cons(hp + 3, tuple2(hp, ATOM_NAMED("long_gc"), make_small(s->long_gc_ms)), opts), hp += 5;
    if (s->long_schedule_ms)
        opts = cons(hp + 3, tuple2(hp, ATOM_NAMED("long_schedule"), make_small(s->long_schedule_ms)), opts), hp += 5;
    if (s->large_heap_words)
        opts = cons(hp + 3, tuple2(hp, ATOM_NAMED("large_heap"), make_small((SWord)s->large_heap_words)), opts), hp += 5;
    if (s->busy_port) opts = cons(hp, ATOM_NAMED("busy_port"), opts), hp += 2;
    if (s->busy_dist_port) opts = cons(hp, ATOM_NAMED("busy_dist_port"), opts), hp += 2;
    return tuple2(hp, s->pid, opts);
}

/* A non-negative integer option value, clamped to what fits `max`. */
static bool limit_value(Term v, UWord max, UWord *out)
{
    if (term_is_small(v) && small_value(v) >= 0) {
        *out = (UWord)small_value(v) > max ? max : (UWord)small_value(v);
        return true;
    }
    if (term_is_bignum(v) && !bignum_is_negative(v)) {
        *out = max;
        return true;
    }
    return false;
}

static bool parse_option(Term o, sysmon_settings *s)
{
    if (o == ATOM_NAMED("busy_port")) return s->busy_port = true;
    if (o == ATOM_NAMED("busy_dist_port")) return s->busy_dist_port = true;
    if (!term_is_tuple(o) || tuple_arity(o) != 2) return false;
    Term key = tuple_elements(o)[0];
    UWord v;
    if (!limit_value(tuple_elements(o)[1], UINT32_MAX, &v)) return false;
    if (key == ATOM_NAMED("long_gc")) s->long_gc_ms = v ? (uint32_t)v : 1;
    else if (key == ATOM_NAMED("long_schedule")) s->long_schedule_ms = v ? (uint32_t)v : 1;
    else if (key == ATOM_NAMED("large_heap")) s->large_heap_words = v < LARGE_HEAP_MIN ? LARGE_HEAP_MIN : v;
    else return false;
    return true;
}

/* Sets the monitor from (Pid, Options); returns the previous settings. */
static Term set_monitor(Process *p, Term pid, Term options)
{
    sysmon_settings s = { .pid = pid };
    if (!term_is_pid(pid) || !process_lookup(pid)) BIF_ERROR(p, EXC_BADARG);
    Term l = options;
    for (; term_is_list(l); l = list_tail(l))
        if (!parse_option(list_head(l), &s)) BIF_ERROR(p, EXC_BADARG);
    if (l != NIL) BIF_ERROR(p, EXC_BADARG);
    if (!s.long_gc_ms && !s.long_schedule_ms && !s.large_heap_words && !s.busy_port && !s.busy_dist_port)
        s.pid = NIL;   /* no option: monitoring is off */
    sysmon_settings old;
    sysmon_get(&old);
    sysmon_set(&s);
    return settings_term(p, &old);
}

Term bif_erlang_system_monitor_0(Process *p, Term *args)
{
    (void)args;
    sysmon_settings s;
    sysmon_get(&s);
    return settings_term(p, &s);
}

Term bif_erlang_system_monitor_1(Process *p, Term *args)
{
    Term a = args[0];
    if (a == ATOM_NAMED("undefined")) {
        sysmon_settings old, off = { .pid = NIL };
        sysmon_get(&old);
        sysmon_set(&off);
        return settings_term(p, &old);
    }
    if (term_is_tuple(a) && tuple_arity(a) == 2) return set_monitor(p, tuple_elements(a)[0], tuple_elements(a)[1]);
    BIF_ERROR(p, EXC_BADARG);
}

Term bif_erlang_system_monitor_2(Process *p, Term *args) { return set_monitor(p, args[0], args[1]); }
