/*
 * erlang_load.c — the BIFs of an -on_load module's second loading step
 * (module.c) and of NIF libraries (emulator/nif.c).
 *
 * A module with an on_load function has its exports held back; a runner
 * process (runtime/cbeam_on_load.erl, started by the first caller; OTP's
 * init and code server do the same) calls call_on_load_function/1, which
 * continues as a call of the on_load function, then reports the outcome
 * with finish_after_on_load/2. load_nif/2 binds the library named by the
 * path's last component into the calling module: from its -on_load
 * function, or (OTP's preloaded modules, whose exported on_load/0 the
 * first process calls: runtime/init.erl) from any of its functions.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "atom.h"
#include "bif.h"
#include "bits.h"
#include "emu.h"
#include "io_thread.h"
#include "nif.h"
#include "resource.h"
#include "scheduler.h"
#include "strbuf.h"
#include "term_build.h"

/* A flat string of bytes 1..255 into buf; false if it is not one. */
static bool string_arg(Term t, char *buf, size_t cap)
{
    size_t n = 0;
    for (; term_is_list(t); t = list_tail(t)) {
        Term c = list_head(t);
        if (!term_is_small(c) || small_value(c) <= 0 || small_value(c) > 255 || n + 1 >= cap) return false;
        buf[n++] = (char)small_value(c);
    }
    buf[n] = 0;
    return term_is_nil(t);
}

/* The code that called load_nif: the module whose on_load function this
 * process runs, else the code at p->i (call_bif and bif_trampoline set
 * it to the call site, or the return address). */
static LoadedCode *caller_code(Process *p)
{
    LoadedCode *lc = module_on_load_of(p->pid);
    if (!lc && p->i) lc = (LoadedCode *)code_find(p->i);
    return lc;
}

Term bif_erlang_load_nif_2(Process *p, Term *args)
{
    char path[4096];
    if (!string_arg(args[0], path, sizeof path)) BIF_ERROR(p, EXC_BADARG);
    LoadedCode *lc = caller_code(p);
    if (!lc) BIF_ERROR(p, EXC_BADARG);   /* not called from Erlang code */
    const char *slash = strrchr(path, '/');
    return nif_bind(p, lc, slash ? slash + 1 : path, path);
}

Term bif_erlang_call_on_load_function_1(Process *p, Term *args)
{
    if (!term_is_atom(args[0])) BIF_ERROR(p, EXC_BADARG);
    const BeamInstr *entry = module_on_load_begin(args[0], p->pid);
    if (!entry) BIF_ERROR(p, EXC_BADARG);
    p->i = entry;
    p->arity = 0;
    p->freason = EXC_TRAP;
    return THE_NON_VALUE;
}

Term bif_erlang_finish_after_on_load_2(Process *p, Term *args)
{
    if (!term_is_atom(args[0]) || (args[1] != am_true && args[1] != am_false)) BIF_ERROR(p, EXC_BADARG);
    if (!module_on_load_finish(args[0], args[1] == am_true)) BIF_ERROR(p, EXC_BADARG);
    return am_true;
}

/* --- hot code loading ------------------------------------------------------ */

/* Prepared code (erts_internal:prepare_loading/2): a resource holding
 * translated code that no module uses yet. erlang:finish_loading/1 takes
 * the code (the resource then holds NULL); code never taken is freed with
 * the resource's last term. */
typedef struct prepared_code {
    pthread_mutex_t lock;
    LoadedCode *lc;
    bool on_load;             /* the code has an on_load function */
} prepared_code;

static void prepared_destroy(void *data)
{
    prepared_code *pc = data;
    codegen_free(pc->lc);
    pthread_mutex_destroy(&pc->lock);
}

static const ResourceType prepared_type = { "prepared_code", prepared_destroy };

static Term badfile(Process *p) { return tuple2(bif_alloc(p, 3), am_error, ATOM_NAMED("badfile")); }

Term bif_erts_internal_prepare_loading_2(Process *p, Term *args)
{
    const uint8_t *bytes;
    size_t len;
    if (!term_is_atom(args[0]) || !term_is_binary_like(args[1]) || !binary_bytes(args[1], &bytes, &len))
        BIF_ERROR(p, EXC_BADARG);
    strbuf err = STRBUF_INIT;
    beam_module *m = beam_load(atom_text(args[0]), bytes, len, &err);
    LoadedCode *lc = NULL;
    if (m && m->name == args[0]) lc = codegen(m, &err);
    if (m) beam_module_release(m);
    if (!lc && getenv("CBEAM_DEBUG_LOAD")) {
        strbuf msg = STRBUF_INIT;
        sb_printf(&msg, "cbeam: prepare_loading of %s failed: %s\n", atom_text(args[0]),
                  m ? (lc ? "" : sb_str(&err)[0] ? sb_str(&err) : "the code is for another module") : sb_str(&err));
        io_write(2, sb_str(&msg), msg.len);
        sb_free(&msg);
    }
    sb_free(&err);
    BUMP_REDS(p, len / 1024);
    if (!lc) return badfile(p);
    prepared_code *pc = resource_alloc(&prepared_type, sizeof *pc);
    if (!pc) { codegen_free(lc); BIF_ERROR(p, EXC_SYSTEM_LIMIT); }
    pthread_mutex_init(&pc->lock, NULL);
    pc->lc = lc;
    pc->on_load = lc->on_load != NULL;
    Term t = resource_make_term(p, pc);
    resource_release(pc);
    return t;
}

Term bif_erlang_has_prepared_code_on_load_1(Process *p, Term *args)
{
    prepared_code *pc = resource_get(args[0], &prepared_type);
    if (!pc) BIF_ERROR(p, EXC_BADARG);
    return pc->on_load ? am_true : am_false;   /* also after finish_loading took it */
}

/* {Reason, [Module]} for the modules marked in `which`. */
static Term exception_list(Process *p, Term reason, LoadedCode **lcs, const bool *which, size_t n)
{
    Term list = NIL;
    for (size_t i = n; i-- > 0;)
        if (which[i]) list = cons(bif_alloc(p, 2), lcs[i]->module, list);
    return tuple2(bif_alloc(p, 3), reason, list);
}

/* erlang:finish_loading/1, as beam_bif_load.c's finish_loading_1: all the
 * modules become current at once, or none: {duplicated, Ms} if a module
 * is given twice, {on_load, Ms} if several are given and some have an
 * on_load function, {not_purged, Ms} if some still have old code. A
 * module with an on_load function is left waiting for it (its runner is
 * the caller's business, as for OTP's code server) and reported as
 * {on_load, [M]}. */
Term bif_erlang_finish_loading_1(Process *p, Term *args)
{
    SWord n = list_length(args[0]);
    if (n < 0) BIF_ERROR(p, EXC_BADARG);
    if (n == 0) return am_ok;
    prepared_code **pcs = calloc((size_t)n, sizeof *pcs);
    LoadedCode **lcs = calloc((size_t)n, sizeof *lcs);
    bool *mark = calloc((size_t)n, sizeof *mark);
    if (!pcs || !lcs || !mark) abort();
    Term result = THE_NON_VALUE;
    size_t locked = 0;
    Term l = args[0];
    for (SWord i = 0; i < n; i++, l = list_tail(l)) {
        pcs[i] = resource_get(list_head(l), &prepared_type);
        if (!pcs[i]) goto badarg;
        for (SWord j = 0; j < i; j++)
            if (pcs[j] == pcs[i]) goto badarg;
    }
    /* Locked in list order; a prepared code term given twice is badarg
     * above, so no lock is taken twice. */
    for (; locked < (size_t)n; locked++) {
        pthread_mutex_lock(&pcs[locked]->lock);
        lcs[locked] = pcs[locked]->lc;
        if (!lcs[locked]) { locked++; goto badarg; }
    }
    bool any = false;
    for (SWord i = 0; i < n; i++)
        for (SWord j = 0; j < n; j++)
            if (i != j && lcs[i]->module == lcs[j]->module) mark[i] = any = true;
    if (any) { result = exception_list(p, ATOM_NAMED("duplicated"), lcs, mark, (size_t)n); goto done; }
    if (n > 1) {
        /* No atomic loading of a group with on_load functions. */
        for (SWord i = 0; i < n; i++) any |= lcs[i]->on_load != NULL;
        if (any) {
            p->freason = EXC_SYSTEM_LIMIT;
            p->fvalue = NIL;
            goto done;
        }
    }
    if (module_finish_loading(lcs, (size_t)n, mark) == FINISH_NOT_PURGED) {
        result = exception_list(p, ATOM_NAMED("not_purged"), lcs, mark, (size_t)n);
        goto done;
    }
    for (SWord i = 0; i < n; i++) {
        pcs[i]->lc = NULL;   /* the module table owns it now */
        any |= mark[i] = lcs[i]->on_load != NULL;
    }
    result = any ? exception_list(p, ATOM_NAMED("on_load"), lcs, mark, (size_t)n) : am_ok;
    goto done;
badarg:
    p->freason = EXC_BADARG;
    p->fvalue = NIL;
done:
    for (size_t i = 0; i < locked; i++) pthread_mutex_unlock(&pcs[i]->lock);
    free(pcs);
    free(lcs);
    free(mark);
    return result;
}

Term bif_erlang_check_old_code_1(Process *p, Term *args)
{
    if (!term_is_atom(args[0])) BIF_ERROR(p, EXC_BADARG);
    return module_has_old(args[0]) ? am_true : am_false;
}

/* OTP also logs "Module M must be purged before deleting." when there is
 * old code; cbeam has no logger yet. */
Term bif_erlang_delete_module_1(Process *p, Term *args)
{
    if (!term_is_atom(args[0])) BIF_ERROR(p, EXC_BADARG);
    switch (module_delete(args[0])) {
    case MODULE_DELETED: return am_true;
    case MODULE_UNKNOWN: return am_undefined;
    case MODULE_HAS_OLD: break;
    }
    BIF_ERROR(p, EXC_BADARG);
}

/* The steps of erts_code_purger:purge/1 and soft_purge/1 (OTP's
 * erts_code_purger.erl, unmodified): prepare, then check every process
 * (erts_internal:request_system_task/3), then complete or abort. */
Term bif_erts_internal_purge_module_2(Process *p, Term *args)
{
    Term m = args[0], op = args[1];
    if (!term_is_atom(m)) BIF_ERROR(p, EXC_BADARG);
    if (op == ATOM_NAMED("prepare")) return module_purge_prepare(m) ? am_true : am_false;
    /* cbeam drops code whose on_load function failed at once
     * (module_on_load_finish): nothing is left to purge. */
    if (op == ATOM_NAMED("prepare_on_load")) return am_false;
    if (op == ATOM_NAMED("complete")) {
        if (!module_purge_complete(m)) BIF_ERROR(p, EXC_BADARG);
        return am_true;
    }
    if (op == ATOM_NAMED("abort")) {
        if (!module_purge_abort(m)) BIF_ERROR(p, EXC_BADARG);
        return am_false;
    }
    BIF_ERROR(p, EXC_BADARG);
}

static bool is_cp(Term w) { return w != 0 && (w & TAG_PRIMARY_MASK) == TAG_PRIMARY_HEADER; }

/* Does q execute lc's code: its current instruction, a continuation
 * pointer or a catch handler on its stack (OTP's check_process_code). q
 * is the caller or is not running (its main lock held). */
static bool process_runs_code(Process *q, const LoadedCode *lc)
{
    const BeamInstr *lo = lc->code, *hi = lc->code + lc->words;
    if (q->i >= lo && q->i < hi) return true;
    for (const Term *sp = q->stop; sp < q->hend; sp++) {
        Term w = *sp;
        const BeamInstr *a = NULL;
        if (is_cp(w)) a = (const BeamInstr *)w;
        else if ((w & TAG_IMMED2_MASK) == TAG_IMMED2_CATCH) a = catch_address(w);
        if (a && a >= lo && a < hi) return true;
    }
    return false;
}

Term bif_erts_internal_check_process_code_1(Process *p, Term *args)
{
    if (!term_is_atom(args[0])) BIF_ERROR(p, EXC_BADARG);
    const LoadedCode *old = module_old(args[0]);
    return old && process_runs_code(p, old) ? am_true : am_false;
}

/* erts_internal:request_system_task(Pid, Priority, Request): the target
 * answers the caller with a message when it has done the task. Only
 * {check_process_code, ReqId, Module} is done: the answer is
 * {check_process_code, ReqId, Bool}, false for a process that is gone.
 * OTP runs the check in the target between two of its time slices; here
 * the caller runs it while the target is not running. Other requests
 * (garbage_collect, copy_literals, ...) are badarg. */
Term bif_erts_internal_request_system_task_3(Process *p, Term *args)
{
    Term req = args[2];
    if (!term_is_pid(args[0]) || !term_is_atom(args[1])) BIF_ERROR(p, EXC_BADARG);
    if (!term_is_tuple(req) || tuple_arity(req) != 3 || tuple_elements(req)[0] != ATOM_NAMED("check_process_code") ||
        !term_is_atom(tuple_elements(req)[2]))
        BIF_ERROR(p, EXC_BADARG);
    Term req_id = tuple_elements(req)[1], m = tuple_elements(req)[2];
    const LoadedCode *old = module_old(m);
    bool in_old = false;
    if (old) {
        Process *q = process_lookup(args[0]);
        if (q && atomic_load(&q->state) != PS_EXITED) {
            if (q != p && atomic_load(&q->signals) != 0) BIF_YIELD_RETRY(p);
            if (!process_try_inspect(p, q)) BIF_YIELD_RETRY(p);
            in_old = atomic_load(&q->state) != PS_EXITED && process_runs_code(q, old);
            if (q != p) process_end_inspect(q);
        }
    }
    Term msg = tuple3(bif_alloc(p, 4), ATOM_NAMED("check_process_code"), req_id, in_old ? am_true : am_false);
    send_message(p, msg);
    return am_ok;
}

/* The modules OTP 25 preloads (erts/preloaded/ebin), in OTP's order.
 * cbeam loads them from erts-VSN/ebin on first use. */
static const char *const preloaded[] = {
    "persistent_term", "counters", "atomics", "erts_dirty_process_signal_handler",
    "erts_literal_area_collector", "erl_tracer", "erts_internal", "erlang", "erl_prim_loader",
    "prim_zip", "prim_net", "prim_socket", "socket_registry", "zlib", "prim_file", "prim_inet",
    "prim_eval", "prim_buffer", "init", "erl_init", "erts_code_purger",
};

Term bif_erlang_pre_loaded_0(Process *p, Term *args)
{
    (void)args;
    size_t n = sizeof preloaded / sizeof preloaded[0];
    Term *hp = bif_alloc(p, 2 * n), list = NIL;
    for (size_t i = n; i-- > 0; hp += 2) {
        Term a;
        if (atom_put(preloaded[i], strlen(preloaded[i]), &a) != ATOM_OK) abort();
        list = cons(hp, a, list);
    }
    return list;
}

Term bif_erlang_loaded_0(Process *p, Term *args)
{
    (void)args;
    size_t n;
    Term *names = module_loaded_names(&n);
    Term *hp = bif_alloc(p, 2 * n), list = NIL;
    for (size_t i = n; i-- > 0; hp += 2) list = cons(hp, names[i], list);
    free(names);
    return list;
}

/* erts_internal:beamfile_chunk(Beam, Id): the data of the chunk named by
 * the 4-character string Id (a sub-binary), undefined if the file has
 * none or is not a well-formed BEAM container. erl_features reads the
 * Meta chunk through it before erlang:load_module/2 loads a module. */
Term bif_erts_internal_beamfile_chunk_2(Process *p, Term *args)
{
    const uint8_t *b;
    size_t n;
    char id[4];
    Term l = args[1];
    for (int i = 0; i < 4; i++, l = list_tail(l)) {
        if (!term_is_list(l) || !term_is_small(list_head(l)) || small_value(list_head(l)) < 0 ||
            small_value(list_head(l)) > 255)
            BIF_ERROR(p, EXC_BADARG);
        id[i] = (char)small_value(list_head(l));
    }
    if (!term_is_nil(l) || !term_is_binary_like(args[0]) || !binary_bytes(args[0], &b, &n)) BIF_ERROR(p, EXC_BADARG);
    if (n < 12 || memcmp(b, "FOR1", 4) != 0 || memcmp(b + 8, "BEAM", 4) != 0) return am_undefined;
    size_t form = (size_t)b[4] << 24 | (size_t)b[5] << 16 | (size_t)b[6] << 8 | b[7];
    if (form + 8 < n) n = form + 8;
    Term found = am_undefined;
    for (size_t at = 12; at + 8 <= n;) {
        size_t size = (size_t)b[at + 4] << 24 | (size_t)b[at + 5] << 16 | (size_t)b[at + 6] << 8 | b[at + 7];
        if (size > n - at - 8) return am_undefined;
        if (memcmp(b + at, id, 4) == 0) found = bits_sub_binary(p, args[0], 8 * (UWord)(at + 8), 8 * (UWord)size);
        at += 8 + ((size + 3) & ~(size_t)3);
    }
    return found;
}
