/*
 * erlang_misc.c — erlang BIFs about processes, exceptions, the process
 * dictionary, modules and the system, and cbeam's own console BIFs
 * (cbeam_io) that the direct-mode group leader is built on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atom.h"
#include "bif.h"
#include "emu.h"
#include "ets.h"
#include "export.h"
#include "map.h"
#include "scheduler.h"
#include "strbuf.h"
#include "term_build.h"
#include "term_order.h"
#include "term_print.h"
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
Term bif_erlang_node_1(Process *p, Term *args)
{
    if (!term_is_pid(args[0]) && !term_is_port(args[0]) && !term_is_boxed_with(args[0], HDR_REF)) BIF_ERROR(p, EXC_BADARG);
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

static Term do_spawn(Process *p, Term m, Term f, Term a, bool link)
{
    if (!term_is_atom(m) || !term_is_atom(f) || list_length(a) < 0) BIF_ERROR(p, EXC_BADARG);
    Process *child = process_spawn(p->sched, p, m, f, a);
    if (!child) BIF_ERROR(p, EXC_SYSTEM_LIMIT);
    if (link) process_link(p, child->pid);
    return child->pid;
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

Term bif_erlang_link_1(Process *p, Term *args)
{
    if (!term_is_pid(args[0])) BIF_ERROR(p, EXC_BADARG);
    if (!process_link(p, args[0])) {
        /* Linking to a dead process: an exit signal with noproc. */
        if (p->flags & PF_TRAP_EXIT) process_send_exit(p, args[0], am_noproc);
        else BIF_ERROR_VALUE(p, EXC_ERROR, am_noproc);
    }
    return am_true;
}

Term bif_erlang_unlink_1(Process *p, Term *args)
{
    if (!term_is_pid(args[0])) BIF_ERROR(p, EXC_BADARG);
    process_unlink(p, args[0]);
    return am_true;
}

Term bif_erlang_exit_2(Process *p, Term *args)
{
    Process *to = process_lookup(args[0]);
    if (!term_is_pid(args[0])) BIF_ERROR(p, EXC_BADARG);
    if (to) process_send_exit(to, p->pid, args[1]);
    if (to == p && p->exit_pending) {
        /* A signal to oneself takes effect before exit/2 returns. */
        BUMP_REDS(p, p->fcalls);
    }
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

static Term do_monitor(Process *p, Term type, Term target, bool alias)
{
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
    if (found) {
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
        /* A monitor taken by name reports {Name, Node}. */
        Term scratch[3];
        Term who = by[i].name != NIL ? tuple2(scratch, by[i].name, am_nonode_at_nohost) : p->pid;
        send_down(w, by[i].ref, who, reason);
    }
    for (size_t i = 0; i < nmine; i++) {
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
    return q && !q->exit_pending ? am_true : am_false;
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
    BIF_ERROR(p, EXC_BADARG);
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

Term bif_erlang_register_2(Process *p, Term *args)
{
    Term name = args[0];
    if (!term_is_atom(name) || name == am_undefined || !term_is_pid(args[1])) BIF_ERROR(p, EXC_BADARG);
    Process *q = process_lookup(args[1]);
    if (!q || !process_register(name, q)) BIF_ERROR(p, EXC_BADARG);
    return am_true;
}

Term bif_erlang_unregister_1(Process *p, Term *args)
{
    if (!term_is_atom(args[0]) || !process_unregister(args[0])) BIF_ERROR(p, EXC_BADARG);
    return am_true;
}

Term bif_erlang_whereis_1(Process *p, Term *args)
{
    if (!term_is_atom(args[0])) BIF_ERROR(p, EXC_BADARG);
    Process *q = process_whereis(args[0]);
    return q ? q->pid : am_undefined;
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
    /* {Name, Node} on this node is the registered name. */
    if (term_is_tuple(to) && tuple_arity(to) == 2 && tuple_elements(to)[1] == am_nonode_at_nohost &&
        term_is_atom(tuple_elements(to)[0]))
        to = tuple_elements(to)[0];
    Process *q = term_is_pid(to) ? process_lookup(to) : term_is_atom(to) ? process_whereis(to) : NULL;
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
    else if (item == ATOM_NAMED("new_uniq")) value = am_undefined;
    else BIF_ERROR(p, EXC_BADARG);
    return tuple2(HAlloc(p, 3), item, value);
}

/* --- text of pids and refs -------------------------------------------------- */

static Term chars_to_list(Process *p, const char *s, size_t n)
{
    Term *hp = HAlloc(p, 2 * n);
    Term list = NIL;
    for (size_t i = n; i-- > 0;) list = cons(hp + 2 * i, make_small((unsigned char)s[i]), list);
    return list;
}

Term bif_erlang_pid_to_list_1(Process *p, Term *args)
{
    if (!term_is_pid(args[0])) BIF_ERROR(p, EXC_BADARG);
    char buf[64];
    int n = snprintf(buf, sizeof buf, "<0.%llu.0>", (unsigned long long)(args[0] >> TAG_IMMED1_SIZE));
    return chars_to_list(p, buf, (size_t)n);
}

Term bif_erlang_ref_to_list_1(Process *p, Term *args)
{
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
    fflush(stdout);
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
    fflush(stdout);
    fprintf(stderr, "%s\r\n", sb_str(&sb));
    fflush(stderr);
    sb_free(&sb);
}

Term bif_erlang_halt_1(Process *p, Term *args)
{
    Term s = args[0];
    if (term_is_small(s) && small_value(s) >= 0) {
        fflush(stdout);
        vm_halt((int)(small_value(s) & 0xFF));
    } else if (s == ATOM_NAMED("abort")) {
        fflush(stdout);
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

/* erlang:display/1 prints as erts's own printer does: like ~w, but lists
 * of printable characters as strings. */
static bool printable_string(Term t)
{
    if (!term_is_list(t)) return false;
    for (; term_is_list(t); t = list_tail(t)) {
        Term c = list_head(t);
        if (!term_is_small(c) || small_value(c) < 32 || small_value(c) > 126) return false;
    }
    return term_is_nil(t);
}

static void display_term(strbuf *sb, Term t);

typedef struct display_ctx {
    strbuf *sb;
    bool first;
} display_ctx;

static bool display_pair(Term key, Term value, void *arg)
{
    display_ctx *c = arg;
    if (!c->first) sb_putc(c->sb, ',');
    c->first = false;
    display_term(c->sb, key);
    sb_puts(c->sb, "=>");
    display_term(c->sb, value);
    return true;
}

static void display_map(strbuf *sb, Term map)
{
    display_ctx c = { sb, true };
    sb_puts(sb, "#{");
    map_foreach(map, display_pair, &c);
    sb_putc(sb, '}');
}

/* A byte-aligned binary of printable ASCII displays as <<"text">>. */
static bool display_binary(strbuf *sb, Term t)
{
    const uint8_t *bytes;
    size_t n;
    if (!term_is_binary_like(t) || !binary_bytes(t, &bytes, &n) || n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (bytes[i] < 32 || bytes[i] > 126) return false;
    sb_puts(sb, "<<\"");
    for (size_t i = 0; i < n; i++) {
        if (bytes[i] == '"' || bytes[i] == '\\') sb_putc(sb, '\\');
        sb_putc(sb, (char)bytes[i]);
    }
    sb_puts(sb, "\">>");
    return true;
}

static void display_term(strbuf *sb, Term t)
{
    if (printable_string(t)) {
        sb_putc(sb, '"');
        for (; term_is_list(t); t = list_tail(t)) {
            char c = (char)small_value(list_head(t));
            if (c == '"' || c == '\\') sb_putc(sb, '\\');
            sb_putc(sb, c);
        }
        sb_putc(sb, '"');
    } else if (term_is_tuple(t)) {
        sb_putc(sb, '{');
        for (UWord i = 0; i < tuple_arity(t); i++) {
            if (i) sb_putc(sb, ',');
            display_term(sb, tuple_elements(t)[i]);
        }
        sb_putc(sb, '}');
    } else if (term_is_list(t)) {
        sb_putc(sb, '[');
        bool first = true;
        for (; term_is_list(t); t = list_tail(t)) {
            if (!first) sb_putc(sb, ',');
            first = false;
            display_term(sb, list_head(t));
        }
        if (!term_is_nil(t)) { sb_putc(sb, '|'); display_term(sb, t); }
        sb_putc(sb, ']');
    } else if (term_is_pid(t)) {
        sb_printf(sb, "<0.%llu.0>", (unsigned long long)(t >> TAG_IMMED1_SIZE));
    } else if (term_is_float(t)) {
        sb_printf(sb, "%e", float_value(t));
    } else if (term_is_map(t)) {
        display_map(sb, t);
    } else if (display_binary(sb, t)) {
        /* done */
    } else {
        term_print(sb, t);
    }
}

Term bif_erlang_display_1(Process *p, Term *args)
{
    (void)p;
    strbuf sb = STRBUF_INIT;
    display_term(&sb, args[0]);
    fflush(stdout);
    /* erts prints with CR LF, as on a raw terminal. */
    fprintf(stdout, "%s\r\n", sb_str(&sb));
    fflush(stdout);
    sb_free(&sb);
    return am_true;
}

Term bif_erlang_system_info_1(Process *p, Term *args)
{
    Term item = args[0];
    if (item == ATOM_NAMED("otp_release")) return chars_to_list(p, "25", 2);
    if (item == ATOM_NAMED("wordsize")) return make_small(8);
    if (item == ATOM_NAMED("schedulers") || item == ATOM_NAMED("schedulers_online")) return make_small(1);
    if (item == ATOM_NAMED("process_count")) return make_small(atomic_load(&vm.process_count));
    if (item == ATOM_NAMED("atom_count")) return make_small(atom_count());
    if (item == ATOM_NAMED("atom_limit")) return make_small(atom_limit());
    if (item == ATOM_NAMED("os_type")) return tuple2(HAlloc(p, 3), ATOM_NAMED("unix"), ATOM_NAMED("linux"));
    if (item == ATOM_NAMED("version")) return chars_to_list(p, "13.1.5", 6);
    if (item == ATOM_NAMED("machine")) return chars_to_list(p, "BEAM", 4);
    if (item == ATOM_NAMED("hipe_architecture")) return am_undefined;
    if (item == ATOM_NAMED("process_limit")) return make_small(262144);
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

/* --- cbeam_io: the console under the direct-mode group leader ------------- */

/* Calls emit(cp) for every character of chardata (a deep list of code
 * points and binaries; binaries are UTF-8 when in_latin1 is false). False
 * if it is not chardata in that encoding. */
typedef struct char_sink {
    strbuf *out;
    bool device_latin1;
    bool input_latin1;
    bool ok;
} char_sink;

static void emit_char(char_sink *cs, uint32_t cp)
{
    if (!cs->device_latin1) {
        char u[4];
        sb_put(cs->out, u, utf8_encode(cp, u));
    } else if (cp <= 255) {
        sb_putc(cs->out, (char)cp);
    } else if (!cs->input_latin1) {
        sb_printf(cs->out, "\\x{%X}", cp);   /* as OTP's user on a latin1 device */
    } else {
        cs->ok = false;
    }
}

static bool emit_binary(char_sink *cs, Term bin)
{
    const uint8_t *bytes;
    size_t n;
    if (!binary_bytes(bin, &bytes, &n)) return false;
    for (size_t i = 0; i < n;) {
        uint32_t cp = bytes[i];
        size_t len = 1;
        if (!cs->input_latin1) {
            len = utf8_decode((const char *)bytes + i, n - i, &cp);
            if (len == 0) return false;
        }
        emit_char(cs, cp);
        i += len;
    }
    return true;
}

static bool emit_chardata(char_sink *cs, Term t)
{
    Term stack[256];
    size_t depth = 0;
    for (;;) {
        while (term_is_list(t)) {
            Term h = list_head(t);
            if (term_is_small(h)) {
                SWord c = small_value(h);
                if (c < 0 || c > 0x10FFFF || (cs->input_latin1 && c > 255)) return false;
                emit_char(cs, (uint32_t)c);
            } else if (term_is_list(h) || term_is_nil(h) || term_is_binary_like(h)) {
                if (depth == 256) return false;
                stack[depth++] = list_tail(t);
                t = h;
                continue;
            } else {
                return false;
            }
            t = list_tail(t);
        }
        if (term_is_binary_like(t)) {
            if (!emit_binary(cs, t)) return false;
        } else if (!term_is_nil(t)) {
            return false;
        }
        if (depth == 0) return cs->ok;
        t = stack[--depth];
    }
}

/* cbeam_io:put_chars(Fd, InEncoding, DeviceEncoding, Chardata) -> ok | error */
Term bif_cbeam_io_put_chars_4(Process *p, Term *args)
{
    Term fd = args[0];
    if (!term_is_small(fd) || (small_value(fd) != 1 && small_value(fd) != 2)) BIF_ERROR(p, EXC_BADARG);
    strbuf sb = STRBUF_INIT;
    char_sink cs = { &sb, args[2] == ATOM_NAMED("latin1"), args[1] == ATOM_NAMED("latin1"), true };
    bool ok = emit_chardata(&cs, args[3]);
    if (ok) {
        FILE *out = small_value(fd) == 1 ? stdout : stderr;
        fwrite(sb_str(&sb), 1, sb.len, out);
        if (out == stderr) fflush(stdout), fflush(stderr);
    }
    sb_free(&sb);
    return ok ? am_ok : am_error;
}

/* cbeam_io:get_line(DeviceEncoding) -> Line | eof: a line of standard
 * input with its newline, as code points (UTF-8 decoded on a unicode
 * device, byte by byte on a latin1 one). */
Term bif_cbeam_io_get_line_1(Process *p, Term *args)
{
    bool latin1 = args[0] == ATOM_NAMED("latin1");
    fflush(stdout);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) {
        free(line);
        return ATOM_NAMED("eof");
    }
    Term *hp = HAlloc(p, 2 * (size_t)n);
    uint32_t *cps = malloc((size_t)n * sizeof *cps);
    if (!cps) abort();
    size_t k = 0;
    for (ssize_t i = 0; i < n;) {
        uint32_t cp = (unsigned char)line[i];
        size_t len = 1;
        if (!latin1) {
            len = utf8_decode(line + i, (size_t)(n - i), &cp);
            if (len == 0) { cp = (unsigned char)line[i]; len = 1; }
        }
        cps[k++] = cp;
        i += (ssize_t)len;
    }
    Term list = NIL;
    for (size_t i = k; i-- > 0;) list = cons(hp + 2 * i, make_small(cps[i]), list);
    free(cps);
    free(line);
    return list;
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

static Term messages_list(Process *p, Process *q)
{
    receive_fetch(q);
    Term list = NIL, *last = &list;
    for (message *m = q->msgq; m; m = m->next) {
        Term copy = m->term;
        if (q != p || m->frag) {
            Term *hp = HAlloc(p, size_object(m->term));
            copy = copy_object(m->term, &hp, &p->off_heap);
        }
        Term *cell = HAlloc(p, 2);
        *last = cons(cell, copy, NIL);
        last = &cell[1];
    }
    return list;
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
    } else if (!strcmp(name, "message_queue_len")) {
        receive_fetch(q);
        v = make_small(q->msgq_len);
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
    } else if (!strcmp(name, "current_function")) {
        const LoadedCode *lc = code_find(q->i);
        const code_function *fn = lc ? code_function_at(lc, q->i) : NULL;
        v = fn ? mfa_tuple(p, &fn->mfa) : am_undefined;
    } else if (!strcmp(name, "monitored_by") || !strcmp(name, "monitors")) {
        bool by = name[7] == 'e';
        pthread_mutex_lock(&q->inbox_lock);
        size_t n = by ? q->nmonitored_by : q->nmonitors;
        const monitor_link *ml = by ? q->monitored_by : q->monitors;
        Term *hp = HAlloc(p, 5 * n);
        v = NIL;
        for (size_t i = n; i-- > 0;) {
            Term e = by ? ml[i].pid : tuple2(hp + 2, ATOM_NAMED("process"), ml[i].pid);
            v = cons(hp, e, v);
            hp += 5;
        }
        pthread_mutex_unlock(&q->inbox_lock);
    } else {
        return THE_NON_VALUE;
    }
    return tuple2(HAlloc(p, 3), item, v);
}

Term bif_erlang_process_info_2(Process *p, Term *args)
{
    if (!term_is_pid(args[0])) BIF_ERROR(p, EXC_BADARG);
    Process *q = process_lookup(args[0]);
    if (term_is_list(args[1]) || term_is_nil(args[1])) {
        if (list_length(args[1]) < 0) BIF_ERROR(p, EXC_BADARG);
        if (!q) return am_undefined;
        Term out = NIL, *last = &out;
        for (Term l = args[1]; term_is_list(l); l = list_tail(l)) {
            Term r = process_item(p, q, list_head(l));
            if (r == THE_NON_VALUE) BIF_ERROR(p, EXC_BADARG);
            if (r == NIL) r = tuple2(HAlloc(p, 3), list_head(l), NIL);
            Term *cell = HAlloc(p, 2);
            *last = cons(cell, r, NIL);
            last = &cell[1];
        }
        return out;
    }
    if (!term_is_atom(args[1])) BIF_ERROR(p, EXC_BADARG);
    if (!q) {
        if (process_item(p, p, args[1]) == THE_NON_VALUE) BIF_ERROR(p, EXC_BADARG);
        return am_undefined;
    }
    Term r = process_item(p, q, args[1]);
    if (r == THE_NON_VALUE) BIF_ERROR(p, EXC_BADARG);
    return r;
}

Term bif_erlang_process_info_1(Process *p, Term *args)
{
    static const char *const items[] = {
        "current_function", "initial_call", "status", "message_queue_len", "links", "dictionary",
        "trap_exit", "error_handler", "priority", "group_leader", "total_heap_size", "heap_size",
        "stack_size", "reductions",
    };
    if (!term_is_pid(args[0])) BIF_ERROR(p, EXC_BADARG);
    Process *q = process_lookup(args[0]);
    if (!q) return am_undefined;
    Term out = NIL;
    size_t n = sizeof items / sizeof items[0];
    for (size_t i = n; i-- > 0;) {
        Term r = process_item(p, q, intern(items[i]));
        out = cons(HAlloc(p, 2), r, out);
    }
    if (q->registered_name != NIL) out = cons(HAlloc(p, 2), tuple2(HAlloc(p, 3), ATOM_NAMED("registered_name"), q->registered_name), out);
    return out;
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

/* erlang:spawn_opt(M, F, Args, Options): link, monitor and {priority, P}
 * are supported; any other option is refused with badarg rather than
 * silently ignored (heap and message-queue options arrive with issue 4). */
Term bif_erlang_spawn_opt_4(Process *p, Term *args)
{
    bool link = false, monitor = false;
    int prio = PRIO_NORMAL;
    if (list_length(args[3]) < 0) BIF_ERROR(p, EXC_BADARG);
    for (Term o = args[3]; term_is_list(o); o = list_tail(o)) {
        Term opt = list_head(o);
        if (opt == ATOM_NAMED("link")) link = true;
        else if (opt == ATOM_NAMED("monitor")) monitor = true;
        else if (term_is_tuple(opt) && tuple_arity(opt) == 2 && tuple_elements(opt)[0] == ATOM_NAMED("priority") &&
                 (prio = priority_of(tuple_elements(opt)[1])) >= 0) {}
        else BIF_ERROR(p, EXC_BADARG);
    }
    Term pid = do_spawn(p, args[0], args[1], args[2], link);
    if (pid != THE_NON_VALUE && prio != PRIO_NORMAL) {
        /* Set before it first runs: it is queued, and this scheduler is busy
         * with p. (With several schedulers the priority must be passed to
         * process_spawn instead.) */
        Process *child = process_lookup(pid);
        if (child) child->priority = (uint8_t)prio;
    }
    if (pid == THE_NON_VALUE || !monitor) return pid;
    Term margs[2] = { ATOM_NAMED("process"), pid };
    Term ref = bif_erlang_monitor_2(p, margs);
    return tuple2(HAlloc(p, 3), pid, ref);
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

Term bif_erlang_statistics_1(Process *p, Term *args)
{
    static _Atomic uint64_t last_runtime, last_wall, last_reds, last_exact;
    Term item = args[0];
    uint64_t reds = atomic_load(&vm.reductions) + (uint64_t)(CONTEXT_REDS - p->fcalls);
    if (item == ATOM_NAMED("runtime")) return total_and_delta(p, cpu_ms(), &last_runtime);
    if (item == ATOM_NAMED("wall_clock")) return total_and_delta(p, monotonic_ms() - vm.start_ms, &last_wall);
    if (item == ATOM_NAMED("reductions")) return total_and_delta(p, reds, &last_reds);
    if (item == ATOM_NAMED("exact_reductions")) return total_and_delta(p, reds, &last_exact);
    if (item == ATOM_NAMED("context_switches"))
        return tuple2(HAlloc(p, 3), make_small((SWord)atomic_load(&vm.context_switches)), make_small(0));
    if (item == ATOM_NAMED("run_queue") || item == ATOM_NAMED("total_run_queue_lengths") ||
        item == ATOM_NAMED("total_run_queue_lengths_all"))
        return make_small((SWord)sched_run_queue_length());
    if (item == ATOM_NAMED("run_queue_lengths") || item == ATOM_NAMED("run_queue_lengths_all"))
        return cons(HAlloc(p, 2), make_small((SWord)sched_run_queue_length()), NIL);
    BIF_ERROR(p, EXC_BADARG);
}
