/*
 * trace.h — erlang:trace/3 for the `procs` and `running` events: each
 * traced process names a tracer process, which receives
 * {trace, Pid, Tag, Data...} messages about it.
 *
 * A process's flags and tracer (Process.trace_flags, .tracer) are atomics:
 * erlang:trace/3 in another process sets them while the traced process
 * runs; the traced process reads them with one relaxed load at each
 * event point (slice start and end, spawn, link, register, exit), so an
 * untraced process pays one branch. Messages are built on the C stack by
 * the thread acting for the traced process and copied by send_message. A
 * process is never told about itself: events of a process that traces
 * itself are dropped, as in OTP.
 */
#ifndef CB_TRACE_H
#define CB_TRACE_H

#include <stdatomic.h>

#include "process.h"

enum trace_flag {
    TRACE_PROCS = 1u << 0,              /* spawn, exit, link, register... */
    TRACE_RUNNING = 1u << 1,            /* scheduled in and out */
    TRACE_SET_ON_SPAWN = 1u << 2,       /* children inherit the flags */
    TRACE_SET_ON_FIRST_SPAWN = 1u << 3, /* the next child only */
};

static inline uint32_t trace_flags_of(const Process *p)
{
    return atomic_load_explicit(&p->trace_flags, memory_order_relaxed);
}

/* The flags and tracer that processes spawned from now on get
 * (erlang:trace(new, ...)); tracer NIL: none. */
void trace_set_new(uint32_t flags, Term tracer);
void trace_get_new(uint32_t *flags, Term *tracer);

/* Event points; each does nothing unless its flag is set on p. */
void trace_in(Process *p);
void trace_out(Process *p);
/* parent spawned child running M:F(Args) (Args on parent's heap). */
void trace_spawn(Process *parent, Process *child, Term m, Term f, Term args);
void trace_exit(Process *p, Term reason);
/* p linked to (unlinked from) other: link/unlink to p's tracer,
 * getting_linked/getting_unlinked to other's. */
void trace_link(Process *p, Term other, bool link);
void trace_register(Process *p, Term name, bool reg);

#endif
