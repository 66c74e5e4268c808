/*
 * trace.c — the trace messages of erlang:trace/3 (trace.h).
 */
#include "trace.h"

#include <pthread.h>

#include "atom.h"
#include "emu.h"
#include "scheduler.h"
#include "term_build.h"

static pthread_mutex_t new_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t new_flags;
static Term new_tracer = NIL;
static _Atomic bool new_any;   /* new_flags != 0, read without the lock */

void trace_set_new(uint32_t flags, Term tracer)
{
    pthread_mutex_lock(&new_lock);
    new_flags = flags;
    new_tracer = flags ? tracer : NIL;
    atomic_store(&new_any, flags != 0);
    pthread_mutex_unlock(&new_lock);
}

void trace_get_new(uint32_t *flags, Term *tracer)
{
    pthread_mutex_lock(&new_lock);
    *flags = new_flags;
    *tracer = new_tracer;
    pthread_mutex_unlock(&new_lock);
}

/* {trace, Pid, Tag, D1[, D2]} to p's tracer; a tracer that is gone ends
 * the tracing of p, as in OTP. */
static void emit(Process *p, Term tag, Term d1, Term d2)
{
    Term tracer = atomic_load_explicit(&p->tracer, memory_order_relaxed);
    if (tracer == NIL || tracer == p->pid) return;
    Process *to = process_lookup(tracer);
    if (!to) {
        atomic_store(&p->trace_flags, 0);
        atomic_store(&p->tracer, NIL);
        return;
    }
    Term msg[6];
    Term t = d2 == THE_NON_VALUE ? tuple4(msg, ATOM_NAMED("trace"), p->pid, tag, d1)
                                 : tuple5(msg, ATOM_NAMED("trace"), p->pid, tag, d1, d2);
    send_message(to, t);
}

/* {M, F, Arity} of the function holding p's resume point, else 0. */
static Term where(Term *hp, const Process *p)
{
    const MFA *mfa = code_mfa_at(p->i);
    return mfa ? tuple3(hp, mfa->module, mfa->function, make_small(mfa->arity)) : make_small(0);
}

void trace_in(Process *p)
{
    Term hp[4];
    if (trace_flags_of(p) & TRACE_RUNNING) emit(p, ATOM_NAMED("in"), where(hp, p), THE_NON_VALUE);
}

void trace_out(Process *p)
{
    Term hp[4];
    if (trace_flags_of(p) & TRACE_RUNNING) emit(p, ATOM_NAMED("out"), where(hp, p), THE_NON_VALUE);
}

void trace_spawn(Process *parent, Process *child, Term m, Term f, Term args)
{
    uint32_t flags = trace_flags_of(parent);
    if (atomic_load_explicit(&new_any, memory_order_relaxed)) {
        pthread_mutex_lock(&new_lock);
        atomic_store(&child->trace_flags, new_flags);
        atomic_store(&child->tracer, new_tracer);
        pthread_mutex_unlock(&new_lock);
    }
    if (!flags) return;
    Term mfa[4];
    Term call = tuple3(mfa, m, f, args);
    if (flags & TRACE_PROCS) emit(parent, ATOM_NAMED("spawn"), child->pid, call);
    if (flags & (TRACE_SET_ON_SPAWN | TRACE_SET_ON_FIRST_SPAWN)) {
        uint32_t inherited = flags;
        if (flags & TRACE_SET_ON_FIRST_SPAWN) {
            /* The first child is traced as the parent, and it alone. */
            inherited &= ~TRACE_SET_ON_FIRST_SPAWN;
            atomic_fetch_and(&parent->trace_flags, ~(uint32_t)TRACE_SET_ON_FIRST_SPAWN);
        }
        atomic_store(&child->trace_flags, inherited);
        atomic_store(&child->tracer, atomic_load(&parent->tracer));
    }
    if (trace_flags_of(child) & TRACE_PROCS) emit(child, ATOM_NAMED("spawned"), parent->pid, call);
}

void trace_exit(Process *p, Term reason)
{
    if (trace_flags_of(p) & TRACE_PROCS) emit(p, ATOM_NAMED("exit"), reason, THE_NON_VALUE);
}

void trace_link(Process *p, Term other, bool link)
{
    if (trace_flags_of(p) & TRACE_PROCS) emit(p, link ? ATOM_NAMED("link") : ATOM_NAMED("unlink"), other, THE_NON_VALUE);
    Process *q = term_is_pid(other) ? process_lookup(other) : NULL;
    if (q && (trace_flags_of(q) & TRACE_PROCS))
        emit(q, link ? ATOM_NAMED("getting_linked") : ATOM_NAMED("getting_unlinked"), p->pid, THE_NON_VALUE);
}

void trace_register(Process *p, Term name, bool reg)
{
    if (trace_flags_of(p) & TRACE_PROCS) emit(p, reg ? ATOM_NAMED("register") : ATOM_NAMED("unregister"), name, THE_NON_VALUE);
}
