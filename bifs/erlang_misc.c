/*
 * erlang_misc.c — erlang BIFs about processes, exceptions, the process
 * dictionary, modules and the system. What they print goes through the IO
 * thread's queue (io_thread.h), in order with the group leader's output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arith.h"
#include "atom.h"
#include "bif.h"
#include "bits.h"
#include "emu.h"
#include "ets.h"
#include "export.h"
#include "gc.h"
#include "io_thread.h"
#include "map.h"
#include "port.h"
#include "scheduler.h"
#include "strbuf.h"
#include "term_build.h"
#include "trace.h"
#include "term_order.h"
#include "term_print.h"
#include "vm_log.h"
#include "timer.h"
#include "utf8.h"

/* An atom named at run time (ATOM_NAMED caches one name per use site). */
static Term intern(const char *text)
{
    Term a;
    if (atom_put(text, strlen(text), &a) != ATOM_OK) abort();
    return a;
}

/* --- references ---------------------------------------------------------- */

static _Atomic uint64_t next_ref = 1;

/* Reference numbers are shared with ETS table ids (emulator/ets.h). */
uint64_t ref_next_id(void) { return atomic_fetch_add(&next_ref, 1); }

#define REF_WORDS 2
static Term make_ref_term(Term *hp, uint64_t id)
{
    hp[0] = make_header(1, HDR_REF);
    hp[1] = id;
    return make_boxed(hp);
}
static bool ref_id(Term t, uint64_t *id)
{
    if (!term_is_boxed_with(t, HDR_REF)) return false;
    *id = boxed_ptr(t)[1];
    return true;
}

Term bif_erlang_make_ref_0(Process *p, Term *args)
{
    (void)args;
    return make_ref_term(HAlloc(p, REF_WORDS), atomic_fetch_add(&next_ref, 1));
}

Term bif_erlang_self_0(Process *p, Term *args) { (void)args; return p->pid; }
Term bif_erlang_node_0(Process *p, Term *args) { (void)p; (void)args; return am_nonode_at_nohost; }

/* Not distributed: no other node is ever connected or known. */
Term bif_erlang_nodes_0(Process *p, Term *args) { (void)p; (void)args; return NIL; }

Term bif_erlang_nodes_1(Process *p, Term *args)
{
    bool self = false;
    Term l = args[0];
    if (term_is_atom(l)) l = cons(HAlloc(p, 2), l, NIL);
    for (; term_is_list(l); l = list_tail(l)) {
        Term t = list_head(l);
        if (t == ATOM_NAMED("this") || t == ATOM_NAMED("known")) self = true;
        else if (t != ATOM_NAMED("visible") && t != ATOM_NAMED("hidden") && t != ATOM_NAMED("connected"))
            BIF_ERROR(p, EXC_BADARG);
    }
    if (!term_is_nil(l)) BIF_ERROR(p, EXC_BADARG);
    return self ? cons(HAlloc(p, 2), am_nonode_at_nohost, NIL) : NIL;
}

/* nodes(Types, #{connection_id => Bool, node_type => Bool}): {Node, Info}
 * for each node; here only this node, whose connection id is undefined
 * and whose type is `this`. */
Term bif_erlang_nodes_2(Process *p, Term *args)
{
    Term opts = args[1];
    if (!term_is_map(opts)) BIF_ERROR(p, EXC_BADARG);
    size_t known = 0;
    bool conn = false, type = false;
    Term v;
    if ((v = map_get(opts, ATOM_NAMED("connection_id"))) != THE_NON_VALUE) {
        if (v != am_true && v != am_false) BIF_ERROR(p, EXC_BADARG);
        conn = v == am_true;
        known++;
    }
    if ((v = map_get(opts, ATOM_NAMED("node_type"))) != THE_NON_VALUE) {
        if (v != am_true && v != am_false) BIF_ERROR(p, EXC_BADARG);
        type = v == am_true;
        known++;
    }
    if (map_size(opts) != known) BIF_ERROR(p, EXC_BADARG);
    Term self = bif_erlang_nodes_1(p, args);
    if (self == THE_NON_VALUE || term_is_nil(self)) return self;
    Term keys[2], values[2];
    size_t n = 0;
    if (conn) { keys[n] = ATOM_NAMED("connection_id"); values[n++] = am_undefined; }
    if (type) { keys[n] = ATOM_NAMED("node_type"); values[n++] = ATOM_NAMED("this"); }
    Term info = map_from_pairs_on_heap(p, keys, values, n);
    if (info == THE_NON_VALUE) abort();
    Term *hp = HAlloc(p, 5);
    return cons(hp + 3, tuple2(hp, am_nonode_at_nohost, info), NIL);
}
Term bif_erlang_node_1(Process *p, Term *args)
{
    Term t = args[0];
    if (term_is_boxed_with(t, HDR_EXTERNAL_PID) || term_is_boxed_with(t, HDR_EXTERNAL_PORT) ||
        term_is_boxed_with(t, HDR_EXTERNAL_REF))
        return boxed_ptr(t)[1];   /* binary_to_term's external identities carry their node */
    if (!term_is_pid(t) && !term_is_port(t) && !term_is_boxed_with(t, HDR_REF)) BIF_ERROR(p, EXC_BADARG);
    return am_nonode_at_nohost;
}

/* --- exceptions ------------------------------------------------------------ */

Term bif_erlang_error_1(Process *p, Term *args) { BIF_ERROR_VALUE(p, EXC_ERROR, args[0]); }
/* error/2,3: the caller's frame shows Args instead of its arity, and
 * error/3's {error_info, Map} option joins its location. */
static Term error_with_args(Process *p, Term reason, Term fargs, Term options)
{
    if (list_length(fargs) < 0 && fargs != am_none) BIF_ERROR(p, EXC_BADARG);
    Term info = NIL;
    for (Term o = options; term_is_list(o); o = list_tail(o)) {
        Term opt = list_head(o);
        if (term_is_tuple(opt) && tuple_arity(opt) == 2 && tuple_elements(opt)[0] == am_error_info)
            info = cons(HAlloc(p, 2), opt, NIL);
    }
    if (fargs != am_none) {
        p->top_frame = fargs;
        p->top_frame_replaces = true;
        p->top_frame_info = info;
    }
    BIF_ERROR_VALUE(p, EXC_ERROR, reason);
}

Term bif_erlang_error_2(Process *p, Term *args) { return error_with_args(p, args[0], args[1], NIL); }
Term bif_erlang_error_3(Process *p, Term *args)
{
    if (list_length(args[2]) < 0) BIF_ERROR(p, EXC_BADARG);
    return error_with_args(p, args[0], args[1], args[2]);
}
Term bif_erlang_exit_1(Process *p, Term *args) { BIF_ERROR_VALUE(p, EXC_EXIT, args[0]); }
Term bif_erlang_throw_1(Process *p, Term *args) { BIF_ERROR_VALUE(p, EXC_THROWN, args[0]); }
Term bif_erlang_nif_error_1(Process *p, Term *args) { BIF_ERROR_VALUE(p, EXC_ERROR, args[0]); }
Term bif_erlang_nif_error_2(Process *p, Term *args) { BIF_ERROR_VALUE(p, EXC_ERROR, args[0]); }

Term bif_erlang_raise_3(Process *p, Term *args)
{
    Term cls = args[0];
    unsigned c = cls == am_error ? EXC_CLASS_ERROR : cls == am_exit ? EXC_CLASS_EXIT : cls == am_throw ? EXC_CLASS_THROW : 99;
    /* Invalid arguments make raise/3 return badarg, not raise it. */
    if (c == 99 || list_length(args[2]) < 0) return am_badarg;
    p->freason = c | EXF_HAVE_TRACE;
    p->fvalue = args[1];
    p->ftrace = tuple2(HAlloc(p, 3), cls, args[2]);
    return THE_NON_VALUE;
}

/* --- spawning, links, monitors, exits ---------------------------------------- */

static Term monitor_created(Process *p, Process *child);
static bool parse_max_heap_size(Term v, size_t *size, bool *kill, bool *log);
static Term max_heap_size_term(Process *p, size_t size, bool kill, bool log);

/* Links and monitors are in place before the child first runs, so that
 * its exit, however early, is seen. */
static Term spawn_with(Process *p, Term m, Term f, Term a, const spawn_opts *o, bool link, bool monitor)
{
    if (!term_is_atom(m) || !term_is_atom(f) || list_length(a) < 0) BIF_ERROR(p, EXC_BADARG);
    Process *child = process_create(p, m, f, a, o);
    if (!child) BIF_ERROR(p, EXC_SYSTEM_LIMIT);
    trace_spawn(p, child, m, f, a);
    if (link) {
        process_link(p, child->pid);
        trace_link(p, child->pid, true);
    }
    Term ref = monitor ? monitor_created(p, child) : NIL;
    process_start(atomic_load(&p->sched), child);
    return monitor ? tuple2(HAlloc(p, 3), child->pid, ref) : child->pid;
}

static Term do_spawn(Process *p, Term m, Term f, Term a, bool link)
{
    return spawn_with(p, m, f, a, NULL, link, false);
}

static Term spawn_fun(Process *p, Term fun, bool link)
{
    if (!term_is_fun(fun)) BIF_ERROR(p, EXC_BADARG);
    Term *hp = HAlloc(p, 4);
    Term args = cons(hp, fun, cons(hp + 2, NIL, NIL));
    return do_spawn(p, am_erlang, am_apply, args, link);
}

Term bif_erlang_spawn_1(Process *p, Term *args) { return spawn_fun(p, args[0], false); }
Term bif_erlang_spawn_link_1(Process *p, Term *args) { return spawn_fun(p, args[0], true); }
Term bif_erlang_spawn_3(Process *p, Term *args) { return do_spawn(p, args[0], args[1], args[2], false); }
Term bif_erlang_spawn_link_3(Process *p, Term *args) { return do_spawn(p, args[0], args[1], args[2], true); }
/* A system process in OTP (not counted, not in processes() for some
 * tasks); here an ordinary process. */
Term bif_erts_internal_spawn_system_process_3(Process *p, Term *args) { return do_spawn(p, args[0], args[1], args[2], false); }

/* link(Port): a closed port is a dead process to link/1 (noproc). */
static Term link_port(Process *p, Term id)
{
    Port *port = port_lookup(id);
    bool linked = port && port_link(port, p->pid);
    if (port) port_put(port);
    if (linked) {
        process_add_link(p, id);
    } else if (p->flags & PF_TRAP_EXIT) {
        process_send_exit(p, id, am_noproc, true);
    } else {
        BIF_ERROR_VALUE(p, EXC_ERROR, am_noproc);
    }
    return am_true;
}

Term bif_erlang_link_1(Process *p, Term *args)
{
    if (term_is_port(args[0])) return link_port(p, args[0]);
    if (!term_is_pid(args[0])) BIF_ERROR(p, EXC_BADARG);
    if (!process_link(p, args[0])) {
        /* Linking to a dead process: an exit signal with noproc. */
        if (p->flags & PF_TRAP_EXIT) process_send_exit(p, args[0], am_noproc, true);
        else BIF_ERROR_VALUE(p, EXC_ERROR, am_noproc);
    } else trace_link(p, args[0], true);
    return am_true;
}

Term bif_erlang_unlink_1(Process *p, Term *args)
{
    if (term_is_port(args[0])) {
        process_remove_link(p, args[0]);
        Port *port = port_lookup(args[0]);
        if (port) {
            port_unlink(port, p->pid);
            port_put(port);
        }
        return am_true;
    }
    if (!term_is_pid(args[0])) BIF_ERROR(p, EXC_BADARG);
    process_unlink(p, args[0]);
    trace_link(p, args[0], false);
    return am_true;
}

Term bif_erlang_exit_2(Process *p, Term *args)
{
    if (term_is_port(args[0])) {
        port_exit_signal(args[0], p->pid, args[1]);
        return am_true;
    }
    Process *to = process_lookup(args[0]);
    if (!term_is_pid(args[0])) BIF_ERROR(p, EXC_BADARG);
    if (to) process_send_exit(to, p->pid, args[1], false);
    /* A signal to oneself takes effect before exit/2 returns: switch out,
     * and it is handled when the process is scheduled in again. */
    if (to == p) BUMP_REDS(p, p->fcalls);
    return am_true;
}

static void monitor_add(monitor_link **list, size_t *n, size_t *cap, uint64_t ref, Term pid, Term name)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        *list = realloc(*list, *cap * sizeof **list);
        if (!*list) abort();
    }
    (*list)[(*n)++] = (monitor_link){ ref, pid, name };
}

static bool monitor_remove(monitor_link *list, size_t *n, uint64_t ref, Term *pid)
{
    for (size_t i = 0; i < *n; i++) {
        if (list[i].ref == ref) {
            if (pid) *pid = list[i].pid;
            list[i] = list[--*n];
            return true;
        }
    }
    return false;
}

static void send_down(Process *to, uint64_t ref, Term who, Term reason)
{
    Term scratch[REF_WORDS + 6];
    Term r = make_ref_term(scratch, ref);
    Term msg = tuple_from(scratch + REF_WORDS, (Term[]){ ATOM_NAMED("DOWN"), r, ATOM_NAMED("process"), who, reason }, 5);
    send_message(to, msg);
}

/* erlang:send(Dest, Msg, Options): nosuspend and noconnect only matter
 * between nodes; there is one node. */
Term bif_erlang_send_3(Process *p, Term *args)
{
    if (list_length(args[2]) < 0) BIF_ERROR(p, EXC_BADARG);
    for (Term o = args[2]; term_is_list(o); o = list_tail(o))
        if (list_head(o) != ATOM_NAMED("nosuspend") && list_head(o) != ATOM_NAMED("noconnect")) BIF_ERROR(p, EXC_BADARG);
    Term r = bif_erlang_send_2(p, args);
    return r == THE_NON_VALUE ? r : am_ok;
}

Term bif_erlang_alias_0(Process *p, Term *args)
{
    (void)args;
    uint64_t ref = atomic_fetch_add(&next_ref, 1);
    alias_add(ref, p->pid);
    return make_ref_term(HAlloc(p, REF_WORDS), ref);
}

Term bif_erlang_alias_1(Process *p, Term *args)
{
    if (list_length(args[0]) < 0) BIF_ERROR(p, EXC_BADARG);
    for (Term o = args[0]; term_is_list(o); o = list_tail(o))
        if (list_head(o) != ATOM_NAMED("explicit_unalias") && list_head(o) != ATOM_NAMED("reply")) BIF_ERROR(p, EXC_BADARG);
    return bif_erlang_alias_0(p, args);
}

Term bif_erlang_unalias_1(Process *p, Term *args)
{
    uint64_t ref;
    if (!ref_id(args[0], &ref)) BIF_ERROR(p, EXC_BADARG);
    return alias_remove(ref, p->pid) ? am_true : am_false;
}

static Term do_monitor(Process *p, Term type, Term target, bool alias);

Term bif_erlang_monitor_2(Process *p, Term *args) { return do_monitor(p, args[0], args[1], false); }

/* monitor/3: the options are [{alias, explicit_unalias | demonitor |
 * reply_demonitor}] and {tag, Tag} is not supported yet (badarg). */
Term bif_erlang_monitor_3(Process *p, Term *args)
{
    bool alias = false;
    if (list_length(args[2]) < 0) BIF_ERROR(p, EXC_BADARG);
    for (Term o = args[2]; term_is_list(o); o = list_tail(o)) {
        Term opt = list_head(o);
        if (term_is_tuple(opt) && tuple_arity(opt) == 2 && tuple_elements(opt)[0] == ATOM_NAMED("alias") &&
            (tuple_elements(opt)[1] == ATOM_NAMED("explicit_unalias") || tuple_elements(opt)[1] == ATOM_NAMED("demonitor") ||
             tuple_elements(opt)[1] == ATOM_NAMED("reply_demonitor")))
            alias = true;
        else
            BIF_ERROR(p, EXC_BADARG);
    }
    return do_monitor(p, args[0], args[1], alias);
}

/* A monitor on a process that has not run yet (spawn_opt's monitor). */
static Term monitor_created(Process *p, Process *child)
{
    uint64_t ref = atomic_fetch_add(&next_ref, 1);
    pthread_mutex_lock(&child->inbox_lock);
    monitor_add(&child->monitored_by, &child->nmonitored_by, &child->capmonitored_by, ref, p->pid, NIL);
    pthread_mutex_unlock(&child->inbox_lock);
    pthread_mutex_lock(&p->inbox_lock);
    monitor_add(&p->monitors, &p->nmonitors, &p->capmonitors, ref, child->pid, NIL);
    pthread_mutex_unlock(&p->inbox_lock);
    return make_ref_term(HAlloc(p, REF_WORDS), ref);
}

/* monitor(port, Port): the port keeps the watcher (port.c). A name that
 * is no registered port, or a closed port, gives 'DOWN' with noproc. */
static Term monitor_port(Process *p, Term target)
{
    if (!term_is_port(target) && !term_is_atom(target)) BIF_ERROR(p, EXC_BADARG);
    uint64_t ref = atomic_fetch_add(&next_ref, 1);
    Port *port = port_resolve(target);
    Term id = port ? port->id : NIL;
    bool added = port && port_monitor_add(port, ref, p->pid, term_is_atom(target) ? target : NIL);
    if (port) port_put(port);
    if (added) {
        pthread_mutex_lock(&p->inbox_lock);
        monitor_add(&p->monitors, &p->nmonitors, &p->capmonitors, ref, id, NIL);
        pthread_mutex_unlock(&p->inbox_lock);
    } else {
        Term scratch[REF_WORDS + 6];
        Term who = term_is_atom(target) ? tuple2(HAlloc(p, 3), target, am_nonode_at_nohost) : target;
        Term r = make_ref_term(scratch, ref);
        send_message(p, tuple_from(scratch + REF_WORDS, (Term[]){ ATOM_NAMED("DOWN"), r, ATOM_NAMED("port"), who, am_noproc }, 5));
    }
    return make_ref_term(HAlloc(p, REF_WORDS), ref);
}

static Term do_monitor(Process *p, Term type, Term target, bool alias)
{
    if (type == ATOM_NAMED("port") && !alias) return monitor_port(p, target);
    if (type != ATOM_NAMED("process")) BIF_ERROR(p, EXC_BADARG);
    Process *t = NULL;
    if (term_is_pid(target)) t = process_lookup(target);
    else if (term_is_atom(target)) t = process_whereis(target);
    else BIF_ERROR(p, EXC_BADARG);
    uint64_t ref = atomic_fetch_add(&next_ref, 1);
    if (alias) alias_add(ref, p->pid);
    Term who = target;
    if (term_is_atom(target)) who = tuple2(HAlloc(p, 3), target, am_nonode_at_nohost);
    bool added = false;
    if (t) {
        pthread_mutex_lock(&t->inbox_lock);
        if (atomic_load(&t->state) != PS_EXITED) {
            monitor_add(&t->monitored_by, &t->nmonitored_by, &t->capmonitored_by, ref, p->pid,
                        term_is_atom(target) ? target : NIL);
            added = true;
        }
        pthread_mutex_unlock(&t->inbox_lock);
    }
    if (added) {
        pthread_mutex_lock(&p->inbox_lock);
        monitor_add(&p->monitors, &p->nmonitors, &p->capmonitors, ref, t->pid, NIL);
        pthread_mutex_unlock(&p->inbox_lock);
    } else {
        send_down(p, ref, who, am_noproc);
    }
    return make_ref_term(HAlloc(p, REF_WORDS), ref);
}

static void flush_down(Process *p, uint64_t ref)
{
    receive_fetch(p);
    Term down = ATOM_NAMED("DOWN");
    for (message **mp = &p->msgq; *mp;) {
        Term t = (*mp)->term;
        uint64_t id;
        if (term_is_tuple(t) && tuple_arity(t) == 5 && tuple_elements(t)[0] == down && ref_id(tuple_elements(t)[1], &id) && id == ref) {
            p->save = mp;
            receive_remove(p);
            continue;
        }
        mp = &(*mp)->next;
    }
    p->save = &p->msgq;
}

static Term demonitor(Process *p, Term ref_term, Term options)
{
    uint64_t ref;
    if (!ref_id(ref_term, &ref) || list_length(options) < 0) BIF_ERROR(p, EXC_BADARG);
    bool flush = false, info = false;
    for (Term o = options; term_is_list(o); o = list_tail(o)) {
        if (list_head(o) == ATOM_NAMED("flush")) flush = true;
        else if (list_head(o) == ATOM_NAMED("info")) info = true;
        else BIF_ERROR(p, EXC_BADARG);
    }
    Term pid = NIL;
    pthread_mutex_lock(&p->inbox_lock);
    bool found = monitor_remove(p->monitors, &p->nmonitors, ref, &pid);
    pthread_mutex_unlock(&p->inbox_lock);
    alias_remove(ref, p->pid);   /* an alias made with the monitor ends with it */
    if (found && term_is_port(pid)) {
        port_demonitor(pid, ref);
    } else if (found) {
        Process *t = process_lookup(pid);
        if (t) {
            pthread_mutex_lock(&t->inbox_lock);
            monitor_remove(t->monitored_by, &t->nmonitored_by, ref, NULL);
            pthread_mutex_unlock(&t->inbox_lock);
        }
    }
    if (flush) flush_down(p, ref);
    return info ? (found ? am_true : am_false) : am_true;
}

Term bif_erlang_demonitor_1(Process *p, Term *args) { return demonitor(p, args[0], NIL); }
Term bif_erlang_demonitor_2(Process *p, Term *args) { return demonitor(p, args[0], args[1]); }

/* Sends the 'DOWN' messages of a process that is exiting. */
/* Under to's inbox_lock: removes the monitor *ref from to's monitors;
 * false if to had removed it already (demonitor). */
static bool monitor_still_there(Process *to, void *ref)
{
    return monitor_remove(to->monitors, &to->nmonitors, *(uint64_t *)ref, NULL);
}

void monitors_on_exit(Process *p, Term reason)
{
    pthread_mutex_lock(&p->inbox_lock);
    monitor_link *by = p->monitored_by, *mine = p->monitors;
    size_t nby = p->nmonitored_by, nmine = p->nmonitors;
    p->monitored_by = p->monitors = NULL;
    p->nmonitored_by = p->nmonitors = 0;
    pthread_mutex_unlock(&p->inbox_lock);
    for (size_t i = 0; i < nby; i++) {
        Process *w = process_lookup(by[i].pid);
        if (!w) continue;
        /* The monitor triggers (it no longer exists for demonitor) in the
         * same step as its 'DOWN' joins w's inbox, and only if w has not
         * removed it: after demonitor(Ref, [flush]) no 'DOWN' can arrive.
         * A monitor taken by name reports {Name, Node}. */
        Term scratch[3], mscratch[REF_WORDS + 6];
        Term who = by[i].name != NIL ? tuple2(scratch, by[i].name, am_nonode_at_nohost) : p->pid;
        Term r = make_ref_term(mscratch, by[i].ref);
        Term msg = tuple_from(mscratch + REF_WORDS, (Term[]){ ATOM_NAMED("DOWN"), r, ATOM_NAMED("process"), who, reason }, 5);
        send_message_checked(w, msg, monitor_still_there, &by[i].ref);
    }
    for (size_t i = 0; i < nmine; i++) {
        if (term_is_port(mine[i].pid)) {
            port_demonitor(mine[i].pid, mine[i].ref);
            continue;
        }
        Process *t = process_lookup(mine[i].pid);
        if (!t) continue;
        pthread_mutex_lock(&t->inbox_lock);
        monitor_remove(t->monitored_by, &t->nmonitored_by, mine[i].ref, NULL);
        pthread_mutex_unlock(&t->inbox_lock);
    }
    free(by);
    free(mine);
}

Term bif_erlang_is_process_alive_1(Process *p, Term *args)
{
    if (!term_is_pid(args[0])) BIF_ERROR(p, EXC_BADARG);
    Process *q = process_lookup(args[0]);
    if (!q) return am_false;
    /* Signals this process sent q earlier (an exit/2, say) take effect
     * first, as in OTP: wait until q has handled its pending ones. */
    if (atomic_load(&q->state) == PS_EXITED) return am_false;
    /* receive_fetch leaves the count nonzero while it acts on the signals
     * and for good when one of them ends q. */
    if (q != p && atomic_load(&q->signals) != 0) BIF_YIELD_RETRY(p);
    return am_true;
}

static int priority_of(Term a)
{
    if (a == ATOM_NAMED("max")) return PRIO_MAX;
    if (a == ATOM_NAMED("high")) return PRIO_HIGH;
    if (a == ATOM_NAMED("normal")) return PRIO_NORMAL;
    if (a == ATOM_NAMED("low")) return PRIO_LOW;
    return -1;
}

static Term priority_atom(unsigned prio)
{
    switch (prio) {
    case PRIO_MAX: return ATOM_NAMED("max");
    case PRIO_HIGH: return ATOM_NAMED("high");
    case PRIO_LOW: return ATOM_NAMED("low");
    default: return ATOM_NAMED("normal");
    }
}

/* Node monitor subscriptions are counted per option set: 0 for the plain
 * monitor_nodes flag, 1 + bits for {monitor_nodes, #{connection_id =>
 * Bool, node_type => visible | hidden | all, nodedown_reason => Bool}}.
 * -1 for anything else (badarg). */
#define NODE_MONITOR_KINDS 17
static int node_monitor_kind(Term flag)
{
    if (term_is_atom(flag)) return 0;
    Term opts = tuple_elements(flag)[1];
    if (!term_is_map(opts)) return -1;
    int bits = 0;
    size_t known = 0;
    Term v;
    if ((v = map_get(opts, ATOM_NAMED("connection_id"))) != THE_NON_VALUE) {
        if (v != am_true && v != am_false) return -1;
        bits |= v == am_true ? 1 : 0;
        known++;
    }
    if ((v = map_get(opts, ATOM_NAMED("nodedown_reason"))) != THE_NON_VALUE) {
        if (v != am_true && v != am_false) return -1;
        bits |= v == am_true ? 2 : 0;
        known++;
    }
    if ((v = map_get(opts, ATOM_NAMED("node_type"))) != THE_NON_VALUE) {
        if (v == ATOM_NAMED("visible")) bits |= 4;
        else if (v == ATOM_NAMED("hidden")) bits |= 8;
        else if (v == ATOM_NAMED("all")) bits |= 12;
        else return -1;
        known++;
    }
    if (map_size(opts) != known) return -1;
    return 1 + bits;
}

Term bif_erlang_process_flag_2(Process *p, Term *args)
{
    Term flag = args[0], value = args[1];
    if (flag == am_trap_exit) {
        if (value != am_true && value != am_false) BIF_ERROR(p, EXC_BADARG);
        Term old = (p->flags & PF_TRAP_EXIT) ? am_true : am_false;
        if (value == am_true) p->flags |= PF_TRAP_EXIT;
        else p->flags &= ~PF_TRAP_EXIT;
        return old;
    }
    if (flag == ATOM_NAMED("monitor_nodes") ||
        (term_is_tuple(flag) && tuple_arity(flag) == 2 && tuple_elements(flag)[0] == ATOM_NAMED("monitor_nodes"))) {
        int kind = node_monitor_kind(flag);
        if (kind < 0 || (value != am_true && value != am_false)) BIF_ERROR(p, EXC_BADARG);
        if (!p->node_monitors) {
            p->node_monitors = calloc(NODE_MONITOR_KINDS, sizeof *p->node_monitors);
            if (!p->node_monitors) abort();
        }
        /* The subscriptions of this kind before the call; true adds one,
         * false drops them all (net_kernel relies on the integer). */
        uint32_t old = p->node_monitors[kind];
        p->node_monitors[kind] = value == am_true ? old + 1 : 0;
        return make_small(old);
    }
    if (flag == am_error_handler) {
        if (!term_is_atom(value)) BIF_ERROR(p, EXC_BADARG);
        Term old = p->error_handler;
        p->error_handler = value;
        return old;
    }
    if (flag == ATOM_NAMED("priority")) {
        int prio = priority_of(value);
        if (prio < 0) BIF_ERROR(p, EXC_BADARG);
        Term old = priority_atom(p->priority);
        p->priority = (uint8_t)prio;   /* takes effect when it is next enqueued */
        return old;
    }
    SWord n;
    if (flag == ATOM_NAMED("min_heap_size")) {
        if (!small_in_range(value, 0, MAX_SMALL, &n)) BIF_ERROR(p, EXC_BADARG);
        Term old = make_small((SWord)p->min_heap_size);
        p->min_heap_size = gc_next_heap_size((size_t)n < H_DEFAULT_SIZE ? H_DEFAULT_SIZE : (size_t)n);
        return old;
    }
    if (flag == ATOM_NAMED("min_bin_vheap_size")) {
        if (!small_in_range(value, 0, MAX_SMALL, &n)) BIF_ERROR(p, EXC_BADARG);
        Term old = make_small((SWord)p->min_bin_vheap_size);
        p->min_bin_vheap_size = (size_t)n;
        return old;
    }
    if (flag == ATOM_NAMED("fullsweep_after")) {
        if (!small_in_range(value, 0, MAX_SMALL, &n)) BIF_ERROR(p, EXC_BADARG);
        Term old = make_small(p->max_gen_gcs);
        p->max_gen_gcs = n > 65535 ? 65535 : (uint32_t)n;
        return old;
    }
    if (flag == ATOM_NAMED("max_heap_size")) {
        size_t size = p->max_heap_size;
        bool kill = p->max_heap_kill, log = p->max_heap_log;
        if (!parse_max_heap_size(value, &size, &kill, &log)) BIF_ERROR(p, EXC_BADARG);
        Term old = max_heap_size_term(p, p->max_heap_size, p->max_heap_kill, p->max_heap_log);
        p->max_heap_size = size;
        p->max_heap_kill = kill;
        p->max_heap_log = log;
        return old;
    }
    if (flag == ATOM_NAMED("message_queue_data")) {
        if (value != ATOM_NAMED("on_heap") && value != ATOM_NAMED("off_heap")) BIF_ERROR(p, EXC_BADARG);
        Term old = p->message_queue_off_heap ? ATOM_NAMED("off_heap") : ATOM_NAMED("on_heap");
        p->message_queue_off_heap = value == ATOM_NAMED("off_heap");
        return old;
    }
    /* A flag erts does not know: OTP says so in the error_info cause. */
    BIF_ERROR_CAUSE(p, EXC_BADARG, ATOM_NAMED("badopt"));
}

Term bif_erlang_group_leader_0(Process *p, Term *args) { (void)args; return p->group_leader; }
Term bif_erlang_group_leader_2(Process *p, Term *args)
{
    if (!term_is_pid(args[0]) || !term_is_pid(args[1])) BIF_ERROR(p, EXC_BADARG);
    Process *q = process_lookup(args[1]);
    if (!q) BIF_ERROR(p, EXC_BADARG);
    q->group_leader = args[0];
    return am_true;
}

/* --- registry ------------------------------------------------------------ */

/* register(Name, Port): the registry holds ports beside processes. */
static Term register_port(Process *p, Term name, Term id)
{
    Port *port = port_lookup(id);
    bool ok = port && process_whereis(name) == NULL && port_register(port, name);
    if (port) port_put(port);
    if (!ok) BIF_ERROR(p, EXC_BADARG);
    return am_true;
}

Term bif_erlang_register_2(Process *p, Term *args)
{
    Term name = args[0];
    if (term_is_atom(name) && name != am_undefined && term_is_port(args[1])) return register_port(p, name, args[1]);
    if (!term_is_atom(name) || name == am_undefined || !term_is_pid(args[1])) BIF_ERROR(p, EXC_BADARG);
    Process *q = process_lookup(args[1]);
    if (!q || !process_register(name, q)) BIF_ERROR(p, EXC_BADARG);
    trace_register(q, name, true);
    return am_true;
}

Term bif_erlang_unregister_1(Process *p, Term *args)
{
    if (!term_is_atom(args[0])) BIF_ERROR(p, EXC_BADARG);
    Process *q = process_whereis(args[0]);
    if (!process_unregister(args[0])) BIF_ERROR(p, EXC_BADARG);
    if (q) trace_register(q, args[0], false);
    return am_true;
}

Term bif_erlang_whereis_1(Process *p, Term *args)
{
    if (!term_is_atom(args[0])) BIF_ERROR(p, EXC_BADARG);
    Process *q = process_whereis(args[0]);
    if (q) return q->pid;
    Term port = registry_port(args[0]);
    return port != NIL ? port : am_undefined;
}

Term bif_erlang_send_2(Process *p, Term *args)
{
    Term to = args[0];
    uint64_t alias;
    if (ref_id(to, &alias)) {
        /* A reference is an alias: delivered if active, dropped if not. */
        Term owner = alias_owner(alias);
        Process *q = owner == NIL ? NULL : process_lookup(owner);
        if (q) send_message(q, args[1]);
        BUMP_REDS(p, 4);
        return args[1];
    }
    /* Another node's pid or alias (from binary_to_term): this node is not
     * distributed, so the message goes nowhere, as in OTP when not alive. */
    if (term_is_boxed_with(to, HDR_EXTERNAL_PID) || term_is_boxed_with(to, HDR_EXTERNAL_REF)) {
        BUMP_REDS(p, 4);
        return args[1];
    }
    /* {Name, Node} on this node is the registered name. */
    if (term_is_tuple(to) && tuple_arity(to) == 2 && tuple_elements(to)[1] == am_nonode_at_nohost &&
        term_is_atom(tuple_elements(to)[0]))
        to = tuple_elements(to)[0];
    if (term_is_port(to)) {
        port_send_message(p, to, args[1]);
        BUMP_REDS(p, 4);
        return args[1];
    }
    Process *q = term_is_pid(to) ? process_lookup(to) : term_is_atom(to) ? process_whereis(to) : NULL;
    if (!q && term_is_atom(to) && registry_port(to) != NIL) {
        port_send_message(p, registry_port(to), args[1]);
        BUMP_REDS(p, 4);
        return args[1];
    }
    if (!q && !term_is_pid(to)) BIF_ERROR(p, EXC_BADARG);
    if (q) send_message(q, args[1]);
    BUMP_REDS(p, 4);
    return args[1];
}

/* --- the process dictionary: a list of {Key, Value} on the heap ----------- */

Term bif_erlang_get_1(Process *p, Term *args)
{
    for (Term d = p->dictionary; term_is_list(d); d = list_tail(d)) {
        Term kv = list_head(d);
        if (term_eq_exact(tuple_elements(kv)[0], args[0])) return tuple_elements(kv)[1];
    }
    return am_undefined;
}

/* The dictionary's entries, or only their keys, as a fresh list. */
static Term dict_items(Process *p, bool keys_only)
{
    SWord n = list_length(p->dictionary);
    Term *hp = HAlloc(p, 2 * (size_t)n);
    Term list = NIL;
    Term d = p->dictionary;
    for (SWord i = 0; i < n; i++, d = list_tail(d)) {
        Term kv = list_head(d);
        list = cons(hp + 2 * i, keys_only ? tuple_elements(kv)[0] : kv, list);
    }
    return list;
}

Term bif_erlang_get_0(Process *p, Term *args) { (void)args; return dict_items(p, false); }
Term bif_erlang_get_keys_0(Process *p, Term *args) { (void)args; return dict_items(p, true); }

Term bif_erlang_get_keys_1(Process *p, Term *args)
{
    SWord n = list_length(p->dictionary);
    Term *hp = HAlloc(p, 2 * (size_t)n);
    Term list = NIL;
    for (Term d = p->dictionary; term_is_list(d); d = list_tail(d)) {
        Term kv = list_head(d);
        if (term_eq_exact(tuple_elements(kv)[1], args[0])) {
            list = cons(hp, tuple_elements(kv)[0], list);
            hp += 2;
        }
    }
    return list;
}

/* The dictionary without key; *old gets the previous value or undefined. */
static Term dict_without(Process *p, Term key, Term *old)
{
    *old = am_undefined;
    SWord n = list_length(p->dictionary);
    Term *hp = HAlloc(p, 2 * (size_t)n);
    Term out = NIL;
    for (Term d = p->dictionary; term_is_list(d); d = list_tail(d)) {
        Term kv = list_head(d);
        if (*old == am_undefined && term_eq_exact(tuple_elements(kv)[0], key)) {
            *old = tuple_elements(kv)[1];
            continue;
        }
        out = cons(hp, kv, out);
        hp += 2;
    }
    return out;
}

Term bif_erlang_put_2(Process *p, Term *args)
{
    Term old;
    Term rest = dict_without(p, args[0], &old);
    Term *hp = HAlloc(p, 5);
    p->dictionary = cons(hp + 3, tuple2(hp, args[0], args[1]), rest);
    return old;
}

Term bif_erlang_erase_1(Process *p, Term *args)
{
    Term old;
    p->dictionary = dict_without(p, args[0], &old);
    return old;
}

Term bif_erlang_erase_0(Process *p, Term *args)
{
    Term all = bif_erlang_get_0(p, args);
    p->dictionary = NIL;
    return all;
}

/* --- modules ------------------------------------------------------------------ */

static Term exports_list(Process *p, const beam_module *m)
{
    Term *hp = HAlloc(p, 5 * m->export_count);
    Term list = NIL;
    for (uint32_t i = m->export_count; i-- > 0;) {
        Term fa = tuple2(hp, m->exports[i].function, make_small(m->exports[i].arity));
        list = cons(hp + 3, fa, list);
        hp += 5;
    }
    return list;
}

static Term module_info_item(Process *p, const LoadedCode *lc, Term item)
{
    const beam_module *m = lc->beam;
    if (item == am_module) return m->name;
    if (item == am_exports) return exports_list(p, m);
    if (item == am_attributes) return m->attributes == THE_NON_VALUE ? NIL : m->attributes;
    if (item == am_compile) return m->compile_info == THE_NON_VALUE ? NIL : m->compile_info;
    if (item == am_md5) {
        Term *hp = HAlloc(p, heap_bin_words(16));
        hp[0] = make_header(heap_bin_words(16) - 1, HDR_HEAP_BIN);
        hp[1] = 16;
        memcpy(hp + 2, m->md5, 16);
        return make_boxed(hp);
    }
    if (item == ATOM_NAMED("functions")) {
        Term *hp = HAlloc(p, 5 * (size_t)lc->function_count);
        Term list = NIL;
        for (uint32_t i = lc->function_count; i-- > 0;) {
            Term fa = tuple2(hp, lc->functions[i].mfa.function, make_small(lc->functions[i].mfa.arity));
            list = cons(hp + 3, fa, list);
            hp += 5;
        }
        return list;
    }
    if (item == ATOM_NAMED("native")) return am_false;
    return THE_NON_VALUE;
}

Term bif_erlang_get_module_info_2(Process *p, Term *args)
{
    if (!term_is_atom(args[0]) || !term_is_atom(args[1])) BIF_ERROR(p, EXC_BADARG);
    LoadedCode *lc = module_current(args[0]);
    if (!lc) BIF_ERROR(p, EXC_BADARG);
    Term r = module_info_item(p, lc, args[1]);
    if (r == THE_NON_VALUE) BIF_ERROR(p, EXC_BADARG);
    return r;
}

Term bif_erlang_get_module_info_1(Process *p, Term *args)
{
    if (!term_is_atom(args[0])) BIF_ERROR(p, EXC_BADARG);
    LoadedCode *lc = module_current(args[0]);
    if (!lc) BIF_ERROR(p, EXC_BADARG);
    static const char *const items[] = { "module", "exports", "attributes", "compile", "md5" };
    Term list = NIL;
    for (size_t i = 5; i-- > 0;) {
        Term key = intern(items[i]);
        Term v = module_info_item(p, lc, key);
        Term *hp = HAlloc(p, 5);
        list = cons(hp + 3, tuple2(hp, key, v), list);
    }
    return list;
}

Term bif_erlang_function_exported_3(Process *p, Term *args)
{
    if (!term_is_atom(args[0]) || !term_is_atom(args[1]) || !term_is_small(args[2])) BIF_ERROR(p, EXC_BADARG);
    Export *e = export_get(args[0], args[1], (uint32_t)small_value(args[2]));
    if (!e) return am_false;
    if (e->bif) return bif_is_implemented(e->bif) ? am_true : am_false;
    return export_address(e) != e->trampoline ? am_true : am_false;
}

Term bif_erlang_module_loaded_1(Process *p, Term *args)
{
    if (!term_is_atom(args[0])) BIF_ERROR(p, EXC_BADARG);
    return module_current(args[0]) ? am_true : am_false;
}

static Term chars_to_list(Process *p, const char *s, size_t n);

Term bif_erlang_fun_to_list_1(Process *p, Term *args)
{
    if (!term_is_fun(args[0])) BIF_ERROR(p, EXC_BADARG);
    strbuf sb = STRBUF_INIT;
    term_print(&sb, args[0]);
    Term list = chars_to_list(p, sb_str(&sb), sb.len);
    sb_free(&sb);
    return list;
}

Term bif_erlang_fun_info_2(Process *p, Term *args)
{
    Term fun = args[0], item = args[1];
    if (!term_is_fun(fun) || !term_is_atom(item)) BIF_ERROR(p, EXC_BADARG);
    FunThing *f = (FunThing *)boxed_ptr(fun);
    bool external = f->creator == am_external;
    const Export *e = external ? f->entry : NULL;
    const FunEntry *fe = external ? NULL : f->entry;
    Term value;
    if (item == ATOM_NAMED("arity")) value = make_small((SWord)(f->arity_and_free & 0xFF));
    else if (item == am_module) value = external ? e->module : fe->module;
    else if (item == ATOM_NAMED("name")) value = external ? e->function : fe->mfa.function;
    else if (item == ATOM_NAMED("type")) value = external ? am_external : ATOM_NAMED("local");
    else if (item == ATOM_NAMED("env")) {
        unsigned n = (unsigned)(f->arity_and_free >> 8);
        Term *hp = HAlloc(p, 2 * n);
        value = NIL;
        for (unsigned i = n; i-- > 0;) value = cons(hp + 2 * i, f->env[i], value);
    } else if (item == ATOM_NAMED("pid")) value = external ? am_undefined : f->creator;
    else if (item == ATOM_NAMED("index")) value = external ? am_undefined : make_small(fe->index);
    else if (item == ATOM_NAMED("new_index")) value = external ? am_undefined : make_small(fe->index);
    else if (item == ATOM_NAMED("uniq")) value = external ? am_undefined : make_small(fe->old_uniq);
    else if (item == ATOM_NAMED("new_uniq"))   /* the module's MD5, as NEW_FUN_EXT's Uniq */
        value = external ? am_undefined : bits_new_binary(p, fe->code->beam->md5, 0, 16 * 8);
    else BIF_ERROR(p, EXC_BADARG);
    return tuple2(HAlloc(p, 3), item, value);
}

/* --- text of pids and refs -------------------------------------------------- */

static Term chars_to_list(Process *p, const char *s, size_t n)
{
    return charlist_from(HAlloc(p, 2 * n), s, n);
}

/* An external pid or reference (binary_to_term's) as term_print prints it. */
static Term external_to_list(Process *p, Term t)
{
    strbuf sb = STRBUF_INIT;
    term_print(&sb, t);
    Term l = chars_to_list(p, sb_str(&sb), sb.len);
    sb_free(&sb);
    return l;
}

Term bif_erlang_pid_to_list_1(Process *p, Term *args)
{
    if (term_is_boxed_with(args[0], HDR_EXTERNAL_PID)) return external_to_list(p, args[0]);
    if (!term_is_pid(args[0])) BIF_ERROR(p, EXC_BADARG);
    char buf[64];
    UWord data = args[0] >> TAG_IMMED1_SIZE;   /* number: low 15 bits, serial: the 13 above */
    int n = snprintf(buf, sizeof buf, "<0.%llu.%llu>", (unsigned long long)(data & 0x7FFF),
                     (unsigned long long)((data >> 15) & 0x1FFF));
    return chars_to_list(p, buf, (size_t)n);
}

/* A decimal field of a pid's text ending at `end`; false if none or too big. */
static bool pid_field(Term *l, char end, UWord max, UWord *out)
{
    UWord v = 0;
    bool any = false;
    for (; term_is_list(*l); *l = list_tail(*l)) {
        Term c = list_head(*l);
        if (c == make_small(end)) { *l = list_tail(*l); *out = v; return any; }
        if (!term_is_small(c) || small_value(c) < '0' || small_value(c) > '9') return false;
        v = v * 10 + (UWord)(small_value(c) - '0');
        if (v > max) return false;
        any = true;
    }
    return false;
}

/* "<0.Number.Serial>": a pid of this node (node 0). */
Term bif_erlang_list_to_pid_1(Process *p, Term *args)
{
    Term l = args[0];
    UWord node = 0, num = 0, ser = 0;
    if (!term_is_list(l) || list_head(l) != make_small('<')) BIF_ERROR(p, EXC_BADARG);
    l = list_tail(l);
    if (!pid_field(&l, '.', 0, &node) || !pid_field(&l, '.', 0x7FFF, &num) || !pid_field(&l, '>', 0x1FFF, &ser) ||
        !term_is_nil(l))
        BIF_ERROR(p, EXC_BADARG);
    return (Term)((num | ser << 15) << TAG_IMMED1_SIZE) | TAG_IMMED1_PID;
}

Term bif_erlang_ref_to_list_1(Process *p, Term *args)
{
    if (term_is_boxed_with(args[0], HDR_EXTERNAL_REF)) return external_to_list(p, args[0]);
    uint64_t id;
    if (!ref_id(args[0], &id)) BIF_ERROR(p, EXC_BADARG);
    char buf[96];
    int n = snprintf(buf, sizeof buf, "#Ref<0.0.%llu.%llu>", (unsigned long long)(id >> 32), (unsigned long long)(id & 0xFFFFFFFFu));
    return chars_to_list(p, buf, (size_t)n);
}

/* --- time and the system ------------------------------------------------------ */

static uint64_t native_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool unit_divisor(Term unit, uint64_t *per_second)
{
    if (unit == ATOM_NAMED("second") || unit == ATOM_NAMED("seconds")) *per_second = 1;
    else if (unit == ATOM_NAMED("millisecond") || unit == ATOM_NAMED("milli_seconds")) *per_second = 1000;
    else if (unit == ATOM_NAMED("microsecond") || unit == ATOM_NAMED("micro_seconds")) *per_second = 1000000;
    else if (unit == ATOM_NAMED("nanosecond") || unit == ATOM_NAMED("nano_seconds") || unit == am_native ||
             unit == ATOM_NAMED("perf_counter")) *per_second = 1000000000;
    else if (term_is_small(unit) && small_value(unit) > 0) *per_second = (uint64_t)small_value(unit);
    else return false;
    return true;
}

static Term time_in(Process *p, clockid_t clock, Term unit)
{
    uint64_t per_second;
    if (!unit_divisor(unit, &per_second)) BIF_ERROR(p, EXC_BADARG);
    uint64_t ns = native_ns(clock);
    unsigned __int128 v = (unsigned __int128)ns * per_second / 1000000000u;
    return make_small((SWord)v);
}

Term bif_erlang_monotonic_time_0(Process *p, Term *args) { (void)args; return time_in(p, CLOCK_MONOTONIC, am_native); }
Term bif_erlang_monotonic_time_1(Process *p, Term *args) { return time_in(p, CLOCK_MONOTONIC, args[0]); }
Term bif_erlang_system_time_0(Process *p, Term *args) { (void)args; return time_in(p, CLOCK_REALTIME, am_native); }
Term bif_erlang_system_time_1(Process *p, Term *args) { return time_in(p, CLOCK_REALTIME, args[0]); }

Term bif_erlang_timestamp_0(Process *p, Term *args)
{
    (void)args;
    uint64_t us = native_ns(CLOCK_REALTIME) / 1000;
    return tuple3(HAlloc(p, 4), make_small((SWord)(us / 1000000000000u)), make_small((SWord)(us / 1000000 % 1000000)),
                  make_small((SWord)(us % 1000000)));
}

Term bif_erlang_halt_0(Process *p, Term *args)
{
    (void)p;
    (void)args;
    io_flush();
    vm_halt(0);
    BUMP_REDS(p, p->fcalls);
    return am_true;
}

static void halt_with_slogan(Term s)
{
    strbuf sb = STRBUF_INIT;
    for (; term_is_list(s); s = list_tail(s)) {
        Term c = list_head(s);
        if (term_is_small(c)) {
            char u[4];
            sb_put(&sb, u, utf8_encode((uint32_t)small_value(c), u));
        }
    }
    sb_puts(&sb, "\r\n");
    io_write(2, sb_str(&sb), sb.len);
    io_flush();
    sb_free(&sb);
}

Term bif_erlang_halt_1(Process *p, Term *args)
{
    Term s = args[0];
    if (term_is_small(s) && small_value(s) >= 0) {
        io_flush();
        vm_halt((int)(small_value(s) & 0xFF));
    } else if (s == ATOM_NAMED("abort")) {
        io_flush();
        abort();
    } else if (list_length(s) >= 0) {
        halt_with_slogan(s);
        vm_halt(1);
    } else {
        BIF_ERROR(p, EXC_BADARG);
    }
    BUMP_REDS(p, p->fcalls);
    return am_true;
}

Term bif_erlang_halt_2(Process *p, Term *args) { return bif_erlang_halt_1(p, args); }

Term bif_erlang_display_1(Process *p, Term *args)
{
    (void)p;
    strbuf sb = STRBUF_INIT;
    term_print_display(&sb, args[0]);
    /* erts prints with CR LF, as on a raw terminal. */
    sb_puts(&sb, "\r\n");
    io_write(1, sb_str(&sb), sb.len);
    sb_free(&sb);
    return am_true;
}

/* display_string/1: a string of Unicode characters, written to stderr as
 * UTF-8 with newlines as CR LF, as erts does (OTP's logger_simple_h
 * prints with it before logger runs). */
Term bif_erlang_display_string_1(Process *p, Term *args)
{
    strbuf sb = STRBUF_INIT;
    Term t = args[0];
    for (; term_is_list(t); t = list_tail(t)) {
        Term c = list_head(t);
        if (!term_is_small(c) || small_value(c) < 0 || small_value(c) > 0x10FFFF ||
            (small_value(c) >= 0xD800 && small_value(c) <= 0xDFFF)) break;
        char u[4];
        size_t k = utf8_encode((uint32_t)small_value(c), u);
        if (k == 1 && u[0] == '\n') sb_puts(&sb, "\r");   /* CR LF, as display/1 */
        for (size_t i = 0; i < k; i++) sb_printf(&sb, "%c", u[i]);
    }
    if (!term_is_nil(t)) { sb_free(&sb); BIF_ERROR(p, EXC_BADARG); }
    io_write(2, sb_str(&sb), sb.len);
    sb_free(&sb);
    return am_true;
}


Term bif_erlang_system_info_1(Process *p, Term *args)
{
    Term item = args[0];
    if (item == ATOM_NAMED("otp_release")) return chars_to_list(p, "25", 2);
    if (item == ATOM_NAMED("wordsize")) return make_small(8);
    if (term_is_tuple(item) && tuple_arity(item) == 2 && tuple_elements(item)[0] == ATOM_NAMED("wordsize") &&
        (tuple_elements(item)[1] == ATOM_NAMED("internal") || tuple_elements(item)[1] == ATOM_NAMED("external")))
        return make_small(8);
    if (item == ATOM_NAMED("schedulers")) return make_small(vm.schedulers);
    if (item == ATOM_NAMED("schedulers_online")) return make_small(atomic_load(&vm.schedulers_online));
    /* The scheduler running the caller (which owns p while it runs). */
    if (item == ATOM_NAMED("scheduler_id"))
        return make_small(atomic_load_explicit(&p->sched, memory_order_relaxed)->id);
    if (item == ATOM_NAMED("dirty_cpu_schedulers") || item == ATOM_NAMED("dirty_cpu_schedulers_online") ||
        item == ATOM_NAMED("dirty_io_schedulers"))
        return make_small(0);
    if (item == ATOM_NAMED("process_count")) return make_small(atomic_load(&vm.process_count));
    if (item == ATOM_NAMED("atom_count")) return make_small(atom_count());
    if (item == ATOM_NAMED("atom_limit")) return make_small(atom_limit());
    if (item == ATOM_NAMED("os_type")) return tuple2(HAlloc(p, 3), ATOM_NAMED("unix"), ATOM_NAMED("linux"));
    if (item == ATOM_NAMED("system_logger")) return vm_log_system_logger();
    /* OTP's default: twice the schedulers (erts_code_purger reads it). */
    if (item == ATOM_NAMED("outstanding_system_requests_limit")) return make_small(2 * (SWord)vm.schedulers);
    if (item == ATOM_NAMED("version")) return chars_to_list(p, "13.1.5", 6);
    if (item == ATOM_NAMED("machine")) return chars_to_list(p, "BEAM", 4);
    if (item == ATOM_NAMED("hipe_architecture")) return am_undefined;
    if (item == ATOM_NAMED("process_limit")) return make_small(process_limit());
    if (item == ATOM_NAMED("port_count")) return make_small((SWord)port_count());
    if (item == ATOM_NAMED("port_limit")) return make_small(PORT_LIMIT);
    if (item == ATOM_NAMED("logical_processors") || item == ATOM_NAMED("logical_processors_online") ||
        item == ATOM_NAMED("logical_processors_available")) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        return n > 0 ? make_small(n) : ATOM_NAMED("unknown");
    }
    if (item == ATOM_NAMED("system_version")) {
        /* erl's banner line, with cbeam in place of the JIT and one scheduler. */
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        char buf[160];
        int len = snprintf(buf, sizeof buf, "Erlang/OTP 25 [erts-13.1.5] [cbeam] [64-bit] [smp:1:1] [cores:%ld]\n", n > 0 ? n : 1);
        return chars_to_list(p, buf, (size_t)len);
    }
    if (item == ATOM_NAMED("smp_support") || item == ATOM_NAMED("threads")) return am_true;
    BIF_ERROR(p, EXC_BADARG);
}

/* Every process is local: they all speak the unicode I/O protocol. */
Term bif_net_kernel_dflag_unicode_io_1(Process *p, Term *args)
{
    if (!term_is_pid(args[0])) BIF_ERROR(p, EXC_BADARG);
    return am_true;
}

/* --- process_info ------------------------------------------------------------ */

static Term pid_list(Process *p, const Term *pids, size_t n)
{
    Term *hp = HAlloc(p, 2 * n);
    Term list = NIL;
    for (size_t i = n; i-- > 0;) list = cons(hp + 2 * i, pids[i], list);
    return list;
}

static Term mfa_tuple(Process *p, const MFA *mfa)
{
    return tuple3(HAlloc(p, 4), mfa->module, mfa->function, make_small(mfa->arity));
}

/* Appends copies of the messages of the chain m to *last. */
static Term *copy_messages(Process *p, Process *q, const message *m, Term *last)
{
    for (; m; m = m->next) {
        if (m->kind != SIG_MESSAGE) continue;
        Term copy = m->term;
        if (q != p || m->frag) {
            Term *hp = HAlloc(p, size_object(m->term));
            copy = copy_object(m->term, &hp, &p->off_heap);
        }
        Term *cell = HAlloc(p, 2);
        *last = cons(cell, copy, NIL);
        last = &cell[1];
    }
    return last;
}

/* The received queue, then what is still in the signal queue: the inbox
 * is read in place (not fetched), so that only q itself acts on its
 * signals. */
static Term messages_list(Process *p, Process *q)
{
    Term list = NIL;
    Term *last = copy_messages(p, q, q->msgq, &list);
    pthread_mutex_lock(&q->inbox_lock);
    copy_messages(p, q, q->inbox, last);
    pthread_mutex_unlock(&q->inbox_lock);
    return list;
}

static size_t message_queue_len(Process *q)
{
    size_t n = q->msgq_len;
    pthread_mutex_lock(&q->inbox_lock);
    for (const message *m = q->inbox; m; m = m->next) n += m->kind == SIG_MESSAGE;
    pthread_mutex_unlock(&q->inbox_lock);
    return n;
}

/* One item for process q, asked by p (q may be p). THE_NON_VALUE if the
 * item is unknown. Another process's heap terms are copied. */
static Term process_item(Process *p, Process *q, Term item)
{
    const char *name = term_is_atom(item) ? atom_text(item) : "";
    Term v = THE_NON_VALUE;
    if (!strcmp(name, "registered_name")) {
        if (q->registered_name == NIL) return NIL;   /* OTP: [] for an unnamed process */
        v = q->registered_name;
    } else if (!strcmp(name, "min_heap_size")) {
        v = make_small((SWord)q->min_heap_size);
    } else if (!strcmp(name, "min_bin_vheap_size")) {
        v = make_small((SWord)q->min_bin_vheap_size);
    } else if (!strcmp(name, "max_heap_size")) {
        v = max_heap_size_term(p, q->max_heap_size, q->max_heap_kill, q->max_heap_log);
    } else if (!strcmp(name, "message_queue_data")) {
        v = q->message_queue_off_heap ? ATOM_NAMED("off_heap") : ATOM_NAMED("on_heap");
    } else if (!strcmp(name, "garbage_collection")) {
        Term items[5] = {
            tuple2(HAlloc(p, 3), ATOM_NAMED("max_heap_size"), max_heap_size_term(p, q->max_heap_size, q->max_heap_kill, q->max_heap_log)),
            tuple2(HAlloc(p, 3), ATOM_NAMED("min_bin_vheap_size"), make_small((SWord)q->min_bin_vheap_size)),
            tuple2(HAlloc(p, 3), ATOM_NAMED("min_heap_size"), make_small((SWord)q->min_heap_size)),
            tuple2(HAlloc(p, 3), ATOM_NAMED("fullsweep_after"), make_small(q->max_gen_gcs)),
            tuple2(HAlloc(p, 3), ATOM_NAMED("minor_gcs"), make_small(q->gen_gcs)),
        };
        Term *hp = HAlloc(p, 10);
        v = NIL;
        for (int i = 4; i >= 0; i--) v = cons(hp + 2 * i, items[i], v);
    } else if (!strcmp(name, "message_queue_len")) {
        v = make_small((SWord)message_queue_len(q));
    } else if (!strcmp(name, "messages")) {
        v = messages_list(p, q);
    } else if (!strcmp(name, "links")) {
        pthread_mutex_lock(&q->inbox_lock);
        v = pid_list(p, q->links, q->nlinks);
        pthread_mutex_unlock(&q->inbox_lock);
    } else if (!strcmp(name, "trap_exit")) {
        v = (q->flags & PF_TRAP_EXIT) ? am_true : am_false;
    } else if (!strcmp(name, "status")) {
        v = q == p ? ATOM_NAMED("running") : atomic_load(&q->state) == PS_WAITING ? ATOM_NAMED("waiting") : ATOM_NAMED("runnable");
    } else if (!strcmp(name, "dictionary")) {
        v = q->dictionary;
        if (q != p) {
            Term *hp = HAlloc(p, size_object(v));
            v = copy_object(v, &hp, &p->off_heap);
        }
    } else if (!strcmp(name, "heap_size")) {
        v = make_small((SWord)q->heap_size);
    } else if (!strcmp(name, "stack_size")) {
        v = make_small(q->hend - q->stop);
    } else if (!strcmp(name, "total_heap_size")) {
        v = make_small((SWord)(q->heap_size + (size_t)(q->old_hend - q->old_heap) + q->mbuf_words));
    } else if (!strcmp(name, "memory")) {
        v = make_small((SWord)(sizeof *q + 8 * (q->heap_size + (size_t)(q->old_hend - q->old_heap) + q->mbuf_words)));
    } else if (!strcmp(name, "reductions")) {
        v = make_small((SWord)(q->reductions + (q == p ? (uint64_t)(CONTEXT_REDS - p->fcalls) : 0)));
    } else if (!strcmp(name, "initial_call")) {
        v = mfa_tuple(p, &q->initial_call);
    } else if (!strcmp(name, "group_leader")) {
        v = q->group_leader;
    } else if (!strcmp(name, "priority")) {
        v = priority_atom(q->priority);
    } else if (!strcmp(name, "error_handler")) {
        v = q->error_handler;
    } else if (!strcmp(name, "current_stacktrace")) {
        v = exception_current_stacktrace(p, q);
    } else if (!strcmp(name, "current_function")) {
        const MFA *mfa = code_mfa_at(q->i);
        v = mfa ? mfa_tuple(p, mfa) : am_undefined;
    } else if (!strcmp(name, "monitored_by") || !strcmp(name, "monitors")) {
        bool by = name[7] == 'e';
        pthread_mutex_lock(&q->inbox_lock);
        size_t n = by ? q->nmonitored_by : q->nmonitors;
        const monitor_link *ml = by ? q->monitored_by : q->monitors;
        Term *hp = HAlloc(p, 5 * n);
        v = NIL;
        for (size_t i = n; i-- > 0;) {
            Term kind = term_is_port(ml[i].pid) ? ATOM_NAMED("port") : ATOM_NAMED("process");
            Term e = by ? ml[i].pid : tuple2(hp + 2, kind, ml[i].pid);
            v = cons(hp, e, v);
            hp += 5;
        }
        pthread_mutex_unlock(&q->inbox_lock);
    } else {
        return THE_NON_VALUE;
    }
    return tuple2(HAlloc(p, 3), item, v);
}

static Term process_info_items(Process *p, Process *q, Term items)
{
    if (term_is_atom(items)) {
        Term r = process_item(p, q, items);
        if (r == THE_NON_VALUE) BIF_ERROR(p, EXC_BADARG);
        return r;
    }
    Term out = NIL, *last = &out;
    for (Term l = items; term_is_list(l); l = list_tail(l)) {
        Term r = process_item(p, q, list_head(l));
        if (r == THE_NON_VALUE) BIF_ERROR(p, EXC_BADARG);
        if (r == NIL) r = tuple2(HAlloc(p, 3), list_head(l), NIL);
        Term *cell = HAlloc(p, 2);
        *last = cons(cell, r, NIL);
        last = &cell[1];
    }
    return out;
}

static Term process_info_all(Process *p, Process *q)
{
    static const char *const items[] = {
        "current_function", "initial_call", "status", "message_queue_len", "links", "dictionary",
        "trap_exit", "error_handler", "priority", "group_leader", "total_heap_size", "heap_size",
        "stack_size", "reductions",
    };
    Term out = NIL;
    size_t n = sizeof items / sizeof items[0];
    for (size_t i = n; i-- > 0;) {
        Term r = process_item(p, q, intern(items[i]));
        out = cons(HAlloc(p, 2), r, out);
    }
    Term name = q->registered_name;
    if (name != NIL) out = cons(HAlloc(p, 2), tuple2(HAlloc(p, 3), ATOM_NAMED("registered_name"), name), out);
    return out;
}

/* Reads another process's state as OTP's process_info signal would: after
 * the signals the caller sent it earlier have taken effect, and while it
 * is not running (its main lock held). Yields and retries otherwise. */
static Term process_info_of(Process *p, Term pid, Term items)
{
    Process *q = process_lookup(pid);
    if (!q || atomic_load(&q->state) == PS_EXITED) return am_undefined;
    if (q != p && atomic_load(&q->signals) != 0) BIF_YIELD_RETRY(p);
    if (!process_try_inspect(p, q)) BIF_YIELD_RETRY(p);
    Term r = atomic_load(&q->state) == PS_EXITED ? am_undefined
           : items == THE_NON_VALUE ? process_info_all(p, q) : process_info_items(p, q, items);
    if (q != p) process_end_inspect(q);
    return r;
}

Term bif_erlang_process_info_2(Process *p, Term *args)
{
    if (!term_is_pid(args[0])) BIF_ERROR(p, EXC_BADARG);
    if (term_is_list(args[1]) || term_is_nil(args[1])) {
        if (list_length(args[1]) < 0) BIF_ERROR(p, EXC_BADARG);
    } else if (!term_is_atom(args[1])) {
        BIF_ERROR(p, EXC_BADARG);
    } else if (process_lookup(args[0]) == NULL) {
        /* A bad item is badarg even for a dead process. */
        if (process_item(p, p, args[1]) == THE_NON_VALUE) BIF_ERROR(p, EXC_BADARG);
        return am_undefined;
    }
    return process_info_of(p, args[0], args[1]);
}

Term bif_erlang_process_info_1(Process *p, Term *args)
{
    if (!term_is_pid(args[0])) BIF_ERROR(p, EXC_BADARG);
    return process_info_of(p, args[0], THE_NON_VALUE);
}

Term bif_erlang_registered_0(Process *p, Term *args)
{
    (void)args;
    Term names[1024];
    size_t n = process_registered_names(names, 1024);
    return pid_list(p, names, n);
}

/* --- small BIFs of other modules --------------------------------------------- */

/* io:printable_range() -> latin1, OTP's default without +pc unicode. */
Term bif_io_printable_range_0(Process *p, Term *args)
{
    (void)p;
    (void)args;
    return ATOM_NAMED("latin1");
}

Term bif_erlang_list_to_integer_1(Process *p, Term *args);
Term bif_erlang_list_to_float_1(Process *p, Term *args);

static bool is_digit_term(Term c) { return term_is_small(c) && small_value(c) >= '0' && small_value(c) <= '9'; }

/* A copy of the first n elements of list, on the heap. */
static Term list_prefix(Process *p, Term list, size_t n)
{
    Term *hp = HAlloc(p, 2 * n);
    Term out = NIL, *last = &out;
    for (size_t i = 0; i < n; i++, list = list_tail(list)) {
        *last = cons(hp + 2 * i, list_head(list), NIL);
        last = &hp[2 * i + 1];
    }
    return out;
}

static Term list_drop(Term list, size_t n)
{
    while (n--) list = list_tail(list);
    return list;
}

/* Counts leading digits of l starting at element `at`. */
static size_t count_digits(Term l, size_t at)
{
    l = list_drop(l, at);
    size_t n = 0;
    for (; term_is_list(l) && is_digit_term(list_head(l)); l = list_tail(l)) n++;
    return n;
}

static bool char_at(Term l, size_t at, int c)
{
    l = list_drop(l, at);
    return term_is_list(l) && list_head(l) == make_small(c);
}

/* string:list_to_integer(String) -> {Integer, Rest} | {error, Reason} */
Term bif_string_list_to_integer_1(Process *p, Term *args)
{
    Term s = args[0];
    if (!term_is_list(s) && !term_is_nil(s)) return tuple2(HAlloc(p, 3), am_error, ATOM_NAMED("not_a_list"));
    size_t sign = char_at(s, 0, '-') || char_at(s, 0, '+');
    size_t digits = count_digits(s, sign);
    if (digits == 0) return tuple2(HAlloc(p, 3), am_error, ATOM_NAMED("no_integer"));
    Term prefix = list_prefix(p, s, sign + digits);
    Term n = bif_erlang_list_to_integer_1(p, &prefix);
    if (n == THE_NON_VALUE) return THE_NON_VALUE;
    return tuple2(HAlloc(p, 3), n, list_drop(s, sign + digits));
}

/* string:list_to_float(String) -> {Float, Rest} | {error, Reason}: the
 * longest prefix of the form [+-]D+.D+[eE[+-]D+]. */
Term bif_string_list_to_float_1(Process *p, Term *args)
{
    Term s = args[0];
    if (!term_is_list(s) && !term_is_nil(s)) return tuple2(HAlloc(p, 3), am_error, ATOM_NAMED("not_a_list"));
    size_t k = char_at(s, 0, '-') || char_at(s, 0, '+');
    size_t whole = count_digits(s, k);
    size_t frac = whole && char_at(s, k + whole, '.') ? count_digits(s, k + whole + 1) : 0;
    if (!whole || !frac) return tuple2(HAlloc(p, 3), am_error, ATOM_NAMED("no_float"));
    k += whole + 1 + frac;
    if (char_at(s, k, 'e') || char_at(s, k, 'E')) {
        size_t sign = char_at(s, k + 1, '-') || char_at(s, k + 1, '+');
        size_t exp = count_digits(s, k + 1 + sign);
        if (exp) k += 1 + sign + exp;
    }
    Term prefix = list_prefix(p, s, k);
    Term f = bif_erlang_list_to_float_1(p, &prefix);
    if (f == THE_NON_VALUE) return THE_NON_VALUE;
    return tuple2(HAlloc(p, 3), f, list_drop(s, k));
}

/* max_heap_size's value: Words, or #{size => Words, kill => Bool,
 * error_logger => Bool} (missing keys keep their current values). */
static bool parse_max_heap_size(Term v, size_t *size, bool *kill, bool *log)
{
    SWord n;
    if (small_in_range(v, 0, MAX_SMALL, &n)) {
        *size = (size_t)n;
        return true;
    }
    if (!term_is_map(v)) return false;
    size_t nkeys = 0;
    Term sz = map_get(v, ATOM_NAMED("size")), k = map_get(v, ATOM_NAMED("kill")), lg = map_get(v, ATOM_NAMED("error_logger"));
    if (sz != THE_NON_VALUE) {
        if (!small_in_range(sz, 0, MAX_SMALL, &n)) return false;
        *size = (size_t)n;
        nkeys++;
    }
    if (k != THE_NON_VALUE) {
        if (k != am_true && k != am_false) return false;
        *kill = k == am_true;
        nkeys++;
    }
    if (lg != THE_NON_VALUE) {
        if (lg != am_true && lg != am_false) return false;
        *log = lg == am_true;
        nkeys++;
    }
    return nkeys == map_size(v);
}

static Term max_heap_size_term(Process *p, size_t size, bool kill, bool log)
{
    Term keys[3] = { ATOM_NAMED("error_logger"), ATOM_NAMED("kill"), ATOM_NAMED("size") };
    Term values[3] = { log ? am_true : am_false, kill ? am_true : am_false, make_small((SWord)size) };
    return map_from_pairs_on_heap(p, keys, values, 3);
}

/* One spawn_opt option into o; false if it is not one. */
static bool parse_spawn_opt(Term opt, spawn_opts *o, bool *link, bool *monitor)
{
    SWord n;
    int prio;
    if (opt == ATOM_NAMED("link")) return *link = true;
    if (opt == ATOM_NAMED("monitor")) return *monitor = true;
    if (!term_is_tuple(opt) || tuple_arity(opt) != 2) return false;
    Term key = tuple_elements(opt)[0], v = tuple_elements(opt)[1];
    if (key == ATOM_NAMED("priority") && (prio = priority_of(v)) >= 0) {
        o->priority = (uint8_t)prio;
        return true;
    }
    if (key == ATOM_NAMED("min_heap_size") && small_in_range(v, 0, MAX_SMALL, &n)) {
        o->min_heap_size = (size_t)n < H_DEFAULT_SIZE ? H_DEFAULT_SIZE : (size_t)n;
        return true;
    }
    if (key == ATOM_NAMED("min_bin_vheap_size") && small_in_range(v, 0, MAX_SMALL, &n)) {
        o->min_bin_vheap_size = (size_t)n;
        return true;
    }
    if (key == ATOM_NAMED("fullsweep_after") && small_in_range(v, 0, MAX_SMALL, &n)) {
        o->fullsweep_after = n > 65535 ? 65535 : (uint32_t)n;
        return true;
    }
    if (key == ATOM_NAMED("max_heap_size")) return parse_max_heap_size(v, &o->max_heap_size, &o->max_heap_kill, &o->max_heap_log);
    if (key == ATOM_NAMED("message_queue_data") && (v == ATOM_NAMED("on_heap") || v == ATOM_NAMED("off_heap"))) {
        o->message_queue_off_heap = v == ATOM_NAMED("off_heap");
        return true;
    }
    return false;
}

/* erlang:spawn_opt(M, F, Args, Options). */
Term bif_erlang_spawn_opt_4(Process *p, Term *args)
{
    bool link = false, monitor = false;
    spawn_opts o = spawn_opts_default;
    if (list_length(args[3]) < 0) BIF_ERROR(p, EXC_BADARG);
    for (Term l = args[3]; term_is_list(l); l = list_tail(l))
        if (!parse_spawn_opt(list_head(l), &o, &link, &monitor)) BIF_ERROR_CAUSE(p, EXC_BADARG, ATOM_NAMED("badopt"));
    return spawn_with(p, args[0], args[1], args[2], &o, link, monitor);
}

/* --- timers ---------------------------------------------------------------- */

/* The deadline of a timer: Time ms from now, or at monotonic Time with
 * [{abs, true}]. False (badarg) for a bad time or option. */
static bool timer_deadline(Term time, Term options, uint64_t *deadline)
{
    bool abs = false;
    if (list_length(options) < 0) return false;
    for (Term o = options; term_is_list(o); o = list_tail(o)) {
        Term opt = list_head(o);
        if (!term_is_tuple(opt) || tuple_arity(opt) != 2 || tuple_elements(opt)[0] != ATOM_NAMED("abs")) return false;
        Term v = tuple_elements(opt)[1];
        if (v != am_true && v != am_false) return false;
        abs = v == am_true;
    }
    if (!term_is_small(time)) return false;
    SWord t = small_value(time);
    if (abs) {
        *deadline = t > 0 ? (uint64_t)t : 0;
        return true;
    }
    if (t < 0 || t > 0xFFFFFFFFLL) return false;
    *deadline = monotonic_ms() + (uint64_t)t;
    return true;
}

static Term start_timer(Process *p, Term *args, Term options, bool timeout_tuple)
{
    uint64_t deadline;
    Term target = args[1];
    if (!timer_deadline(args[0], options, &deadline) || !(term_is_pid(target) || term_is_atom(target)))
        BIF_ERROR(p, EXC_BADARG);
    uint64_t ref = atomic_fetch_add(&next_ref, 1);
    timer_start(ref, deadline, target, args[2], timeout_tuple);
    return make_ref_term(HAlloc(p, REF_WORDS), ref);
}

Term bif_erlang_send_after_3(Process *p, Term *args) { return start_timer(p, args, NIL, false); }
Term bif_erlang_send_after_4(Process *p, Term *args) { return start_timer(p, args, args[3], false); }
Term bif_erlang_start_timer_3(Process *p, Term *args) { return start_timer(p, args, NIL, true); }
Term bif_erlang_start_timer_4(Process *p, Term *args) { return start_timer(p, args, args[3], true); }

/* cancel_timer/read_timer: the milliseconds left, or false. Options
 * {async, true} send {cancel_timer|read_timer, Ref, Result} instead and
 * return ok; {info, false} returns ok without the result. */
static Term timer_query(Process *p, Term ref_term, Term options, bool cancel)
{
    uint64_t ref, left;
    if (!ref_id(ref_term, &ref) || list_length(options) < 0) BIF_ERROR(p, EXC_BADARG);
    bool async = false, info = true;
    for (Term o = options; term_is_list(o); o = list_tail(o)) {
        Term opt = list_head(o);
        if (!term_is_tuple(opt) || tuple_arity(opt) != 2) BIF_ERROR(p, EXC_BADARG);
        Term k = tuple_elements(opt)[0], v = tuple_elements(opt)[1];
        if (v != am_true && v != am_false) BIF_ERROR(p, EXC_BADARG);
        if (k == ATOM_NAMED("async")) async = v == am_true;
        else if (k == ATOM_NAMED("info")) info = v == am_true;
        else BIF_ERROR(p, EXC_BADARG);
    }
    bool found = cancel ? timer_cancel(ref, &left) : timer_read(ref, &left);
    Term result = found ? make_small((SWord)left) : am_false;
    if (!async) return info ? result : am_ok;
    if (info) {
        Term scratch[4];
        send_message(p, tuple3(scratch, cancel ? ATOM_NAMED("cancel_timer") : ATOM_NAMED("read_timer"), ref_term, result));
    }
    return am_ok;
}

Term bif_erlang_cancel_timer_1(Process *p, Term *args) { return timer_query(p, args[0], NIL, true); }
Term bif_erlang_cancel_timer_2(Process *p, Term *args) { return timer_query(p, args[0], args[1], true); }
Term bif_erlang_read_timer_1(Process *p, Term *args) { return timer_query(p, args[0], NIL, false); }
Term bif_erlang_read_timer_2(Process *p, Term *args) { return timer_query(p, args[0], args[1], false); }

Term bif_erlang_processes_0(Process *p, Term *args)
{
    (void)args;
    size_t max = atomic_load(&vm.process_count) + 64;
    Term *pids = malloc(max * sizeof *pids);
    if (!pids) abort();
    size_t n = process_all_pids(pids, max);
    Term list = pid_list(p, pids, n);
    free(pids);
    return list;
}

/* --- more time -------------------------------------------------------------- */

static SWord floor_div(__int128 a, __int128 b) { __int128 q = a / b; if ((a % b != 0) && ((a < 0) != (b < 0))) q--; return (SWord)q; }

static Term time_offset(Process *p, Term unit)
{
    uint64_t per_second;
    if (!unit_divisor(unit, &per_second)) BIF_ERROR(p, EXC_BADARG);
    __int128 ns = (__int128)native_ns(CLOCK_REALTIME) - (__int128)native_ns(CLOCK_MONOTONIC);
    return make_small(floor_div(ns * per_second, 1000000000));
}

Term bif_erlang_time_offset_0(Process *p, Term *args) { (void)args; return time_offset(p, am_native); }
Term bif_erlang_time_offset_1(Process *p, Term *args) { return time_offset(p, args[0]); }

/* erlang:yield(): gives the rest of the slice to other processes. */
Term bif_erlang_yield_0(Process *p, Term *args)
{
    (void)args;
    BUMP_REDS(p, p->fcalls);
    prof_hint(PROF_END_YIELD);
    return am_true;
}

/* erlang:hibernate(M, F, Args): see EXC_HIBERNATE. */
Term bif_erlang_hibernate_3(Process *p, Term *args)
{
    Term m = args[0], f = args[1];
    SWord n = list_length(args[2]);
    if (!term_is_atom(m) || !term_is_atom(f) || n < 0 || n > 255) BIF_ERROR(p, EXC_BADARG);
    Term elems[256];
    SWord k = 0;
    for (Term l = args[2]; term_is_list(l); l = list_tail(l)) elems[k++] = list_head(l);
    Export *e = export_put(m, f, (unsigned)n);
    if (!e) BIF_ERROR(p, EXC_SYSTEM_LIMIT);
    memcpy(args, elems, (size_t)n * sizeof(Term));   /* args is the x registers */
    p->i = export_address(e);
    p->arity = (uint32_t)n;
    p->freason = EXC_HIBERNATE;
    prof_hint(PROF_END_HIBERNATE);
    return THE_NON_VALUE;
}

/* erlang:bump_reductions(N): charges N reductions (at most the rest of
 * the slice), as prim_eval's receive does to yield. */
Term bif_erlang_bump_reductions_1(Process *p, Term *args)
{
    Term n = args[0];
    if (!(term_is_small(n) && small_value(n) >= 0) && !(term_is_bignum(n) && !bignum_is_negative(n))) BIF_ERROR(p, EXC_BADARG);
    SWord reds = term_is_small(n) && small_value(n) < p->fcalls ? small_value(n) : p->fcalls;
    BUMP_REDS(p, reds);
    return am_true;
}

/* erlang:now(): the system time in microseconds, made strictly increasing
 * across all calls in the VM, as {MegaSecs, Secs, MicroSecs}. */
Term bif_erlang_now_0(Process *p, Term *args)
{
    (void)args;
    static _Atomic uint64_t last;
    uint64_t us = native_ns(CLOCK_REALTIME) / 1000, prev = atomic_load(&last);
    do {
        if (us <= prev) us = prev + 1;
    } while (!atomic_compare_exchange_weak(&last, &prev, us));
    return tuple3(HAlloc(p, 4), make_small((SWord)(us / 1000000000000u)), make_small((SWord)(us / 1000000 % 1000000)),
                  make_small((SWord)(us % 1000000)));
}

/* erlang:unique_integer/0,1: unique in this VM; with `positive` never
 * negative, with `monotonic` strictly increasing in call order. */
static _Atomic int64_t unique_counter;

static Term unique_integer(Process *p, Term opts)
{
    bool positive = false;
    if (list_length(opts) < 0) BIF_ERROR(p, EXC_BADARG);
    for (Term o = opts; term_is_list(o); o = list_tail(o)) {
        if (list_head(o) == ATOM_NAMED("positive")) positive = true;
        else if (list_head(o) != ATOM_NAMED("monotonic")) BIF_ERROR(p, EXC_BADARG);
    }
    int64_t n = atomic_fetch_add(&unique_counter, 1);
    /* Without positive OTP starts at the most negative small. */
    SWord v = positive ? (SWord)n + 1 : MIN_SMALL + (SWord)n;
    return make_small(v);
}

Term bif_erlang_unique_integer_0(Process *p, Term *args) { (void)args; return unique_integer(p, NIL); }
Term bif_erlang_unique_integer_1(Process *p, Term *args) { return unique_integer(p, args[0]); }

/* The native time unit and perf counter unit: nanoseconds (clock_gettime). */
Term bif_erts_internal_time_unit_0(Process *p, Term *args) { (void)p; (void)args; return make_small(1000000000); }
Term bif_erts_internal_perf_counter_unit_0(Process *p, Term *args) { (void)p; (void)args; return make_small(1000000000); }

/* --- statistics/1 ------------------------------------------------------------ */

/* {Total, SinceLastCall} with one VM-wide "last call" per kind, as OTP. */
static Term total_and_delta(Process *p, uint64_t total, _Atomic uint64_t *last)
{
    uint64_t prev = atomic_exchange(last, total);
    return tuple2(HAlloc(p, 3), make_small((SWord)total), make_small((SWord)(total - prev)));
}

static uint64_t cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* [N1, N2, ...]: one count per scheduler, then `extra` zeros (the dirty
 * queues of the _all variants). */
static Term per_scheduler_list(Process *p, size_t (*count)(unsigned), unsigned extra)
{
    unsigned n = vm.schedulers;
    Term *hp = HAlloc(p, 2 * (n + extra));
    Term list = NIL;
    for (unsigned i = extra; i-- > 0;) list = cons(hp + 2 * (n + i), make_small(0), list);
    for (unsigned i = n; i-- > 0;) list = cons(hp + 2 * i, make_small((SWord)count(i)), list);
    return list;
}

/* [{SchedulerId, ActiveTime, TotalTime}] in nanoseconds, or undefined
 * while system_flag(scheduler_wall_time, true) is off. The _all variant
 * adds the dirty schedulers, which cbeam does not have. */
static Term scheduler_wall_time(Process *p, bool all)
{
    (void)all;
    if (!atomic_load(&vm.wall_time_enabled)) return am_undefined;
    uint64_t total = sched_wall_time_ns() - atomic_load(&vm.wall_time_since_ns);
    unsigned n = vm.schedulers;
    Term *hp = HAlloc(p, 2 * n);
    Term list = NIL;
    for (unsigned i = n; i-- > 0;) {
        Scheduler *s = vm.sched[i];
        uint64_t busy = atomic_load(&s->stats.busy_ns);
        if (busy > total) busy = total;
        Term t = tuple3(HAlloc(p, 4), make_small(s->id), arith_make_uinteger(p, busy), arith_make_uinteger(p, total));
        list = cons(hp + 2 * i, t, list);
    }
    return list;
}

/* erlang:system_flag(Flag, Value) for the scheduler flags. The other
 * flags OTP knows (backtrace_depth, fullsweep_after, min_heap_size, ...)
 * are refused with badarg like an unknown one, until implemented.
 * OTP counts scheduler_wall_time per enabling process; here it is one
 * VM-wide switch. */
/* The dynamic-trace tag BIFs as OTP answers them when built without
 * DTrace/SystemTap probes (as this OTP is): file.erl and others call
 * them around every file server request. */
Term bif_erlang_dt_spread_tag_1(Process *p, Term *args)
{
    if (args[0] != am_true && args[0] != am_false) BIF_ERROR(p, EXC_BADARG);
    return am_true;
}

Term bif_erlang_dt_restore_tag_1(Process *p, Term *args)
{
    if (args[0] != am_true) BIF_ERROR(p, EXC_BADARG);
    return am_true;
}

Term bif_erlang_dt_get_tag_0(Process *p, Term *args) { (void)p; (void)args; return am_undefined; }
Term bif_erlang_dt_get_tag_data_0(Process *p, Term *args) { (void)p; (void)args; return am_undefined; }
Term bif_erlang_dt_put_tag_1(Process *p, Term *args) { (void)p; (void)args; return am_undefined; }
Term bif_erlang_dt_prepend_vm_tag_data_1(Process *p, Term *args) { (void)p; return args[0]; }
Term bif_erlang_dt_append_vm_tag_data_1(Process *p, Term *args) { (void)p; return args[0]; }

/* The VM-wide scheduler_wall_time switch: the previous state. */
static Term set_scheduler_wall_time(bool on)
{
    if (on && !atomic_load(&vm.wall_time_enabled)) {
        for (unsigned i = 0; i < vm.schedulers; i++) atomic_store(&vm.sched[i]->stats.busy_ns, 0);
        atomic_store(&vm.wall_time_since_ns, sched_wall_time_ns());
    }
    return atomic_exchange(&vm.wall_time_enabled, on) ? am_true : am_false;
}

/* erts_internal:scheduler_wall_time/1: the switch itself, which OTP's
 * kernel_refc turns on and off (it counts the enabling processes). */
Term bif_erts_internal_scheduler_wall_time_1(Process *p, Term *args)
{
    if (args[0] != am_true && args[0] != am_false) BIF_ERROR(p, EXC_BADARG);
    return set_scheduler_wall_time(args[0] == am_true);
}

Term bif_erlang_system_flag_2(Process *p, Term *args)
{
    Term flag = args[0], value = args[1];
    if (flag == ATOM_NAMED("system_logger")) {
        if (!term_is_pid(value) && value != ATOM_NAMED("logger") && value != am_undefined) BIF_ERROR(p, EXC_BADARG);
        return vm_log_set_system_logger(value);
    }
    if (flag == ATOM_NAMED("scheduler_wall_time")) {
        if (value != am_true && value != am_false) BIF_ERROR(p, EXC_BADARG);
        return set_scheduler_wall_time(value == am_true);
    }
    if (flag == ATOM_NAMED("microstate_accounting")) {
        if (value == ATOM_NAMED("reset")) return prof_msacc_reset() ? am_true : am_false;
        if (value != am_true && value != am_false) BIF_ERROR(p, EXC_BADARG);
        return prof_msacc_set(value == am_true) ? am_true : am_false;
    }
    if (flag == ATOM_NAMED("schedulers_online")) {
        SWord n;
        if (!small_in_range(value, 1, vm.schedulers, &n)) BIF_ERROR(p, EXC_BADARG);
        unsigned old = atomic_load(&vm.schedulers_online);
        sched_set_online((unsigned)n);
        return make_small(old);
    }
    BIF_ERROR_CAUSE(p, EXC_BADARG, ATOM_NAMED("badopt"));
}

Term bif_erlang_statistics_1(Process *p, Term *args)
{
    static _Atomic uint64_t last_runtime, last_wall, last_reds, last_exact;
    Term item = args[0];
    uint64_t reds = sched_total_reductions() + (uint64_t)(CONTEXT_REDS - p->fcalls);
    if (item == ATOM_NAMED("runtime")) return total_and_delta(p, cpu_ms(), &last_runtime);
    if (item == ATOM_NAMED("wall_clock")) return total_and_delta(p, monotonic_ms() - vm.start_ms, &last_wall);
    if (item == ATOM_NAMED("reductions")) return total_and_delta(p, reds, &last_reds);
    if (item == ATOM_NAMED("exact_reductions")) return total_and_delta(p, reds, &last_exact);
    if (item == ATOM_NAMED("context_switches"))
        return tuple2(HAlloc(p, 3), make_small((SWord)sched_total_context_switches()), make_small(0));
    if (item == ATOM_NAMED("run_queue") || item == ATOM_NAMED("total_run_queue_lengths") ||
        item == ATOM_NAMED("total_run_queue_lengths_all"))
        return make_small((SWord)sched_run_queue_length());
    /* OTP's shape: the normal queues, then the dirty CPU queue, and with
     * _all the dirty IO queue too; cbeam has no dirty schedulers, so those
     * are always empty. */
    if (item == ATOM_NAMED("run_queue_lengths") || item == ATOM_NAMED("run_queue_lengths_all"))
        return per_scheduler_list(p, sched_run_queue_length_of, item == ATOM_NAMED("run_queue_lengths_all") ? 2 : 1);
    if (item == ATOM_NAMED("total_active_tasks") || item == ATOM_NAMED("total_active_tasks_all"))
        return make_small((SWord)sched_active_tasks_total());
    if (item == ATOM_NAMED("active_tasks") || item == ATOM_NAMED("active_tasks_all"))
        return per_scheduler_list(p, sched_active_tasks_of, item == ATOM_NAMED("active_tasks_all") ? 2 : 1);
    if (item == ATOM_NAMED("scheduler_wall_time") || item == ATOM_NAMED("scheduler_wall_time_all"))
        return scheduler_wall_time(p, item == ATOM_NAMED("scheduler_wall_time_all"));
    if (item == ATOM_NAMED("microstate_accounting")) return prof_msacc_stats(p);
    if (item == ATOM_NAMED("garbage_collection"))
        return tuple3(HAlloc(p, 4), make_small((SWord)gc_total_collections()), make_small((SWord)gc_total_words_reclaimed()),
                      make_small(0));
    BIF_ERROR(p, EXC_BADARG);
}
