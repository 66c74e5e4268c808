/*
 * module.c — the module table: which code is current for each module, the
 * code path modules are loaded from on first use, and address -> code
 * lookups for stack traces.
 *
 * A module with an -on_load function is loaded in two steps, as in OTP:
 * its code is registered but its exports stay unpublished until a runner
 * process has called the function (erlang:call_on_load_function/1) and
 * reported the outcome (erlang:finish_after_on_load/2): `ok` publishes
 * the exports, anything else leaves the module not loaded (and marked
 * failed, so calls raise undef instead of loading it again). Callers of
 * its exports wait meanwhile (MODULE_ON_LOAD: the caller retries).
 *
 * Locking: `lock` serialises loading (so a module is loaded once even when
 * several schedulers call it at the same time) and guards the table and the
 * address index. Export addresses are published with release stores after
 * the code is complete, so callers never see half-made code.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atom.h"
#include "emu.h"
#include "io_thread.h"
#include "strbuf.h"

typedef struct module_slot {
    Term name;
    LoadedCode *current;
    bool failed;              /* a load was tried and failed: don't retry */
    /* The code is loaded but its exports wait for its on_load function
     * (OTP's "on_load pending"): callers wait, `runner` (a pid, or NIL
     * until erlang:call_on_load_function/1) runs it. */
    bool on_load_pending;
    Term runner;
    /* Hot code loading: the version processes may still run after a newer
     * one was loaded or the module deleted; purging drops it. */
    LoadedCode *old;
    bool purge_prepared;      /* erts_internal:purge_module(M, prepare) */
    bool ever_loaded;         /* delete_module of a never-loaded module: undefined */
} module_slot;

static struct {
    pthread_mutex_t lock;
    char **path;
    size_t path_len;
    module_slot *slots;
    size_t slot_count, slot_cap;
    LoadedCode **by_address;  /* sorted by code start */
    size_t code_count, code_cap;
} mt = { .lock = PTHREAD_MUTEX_INITIALIZER };

void module_table_init(const char *const *code_path, size_t n)
{
    mt.path = calloc(n ? n : 1, sizeof *mt.path);
    for (size_t i = 0; i < n; i++) mt.path[i] = strdup(code_path[i]);
    mt.path_len = n;
}

/* Called with the lock held. */
static module_slot *slot_for(Term name, bool create)
{
    for (size_t i = 0; i < mt.slot_count; i++)
        if (mt.slots[i].name == name) return &mt.slots[i];
    if (!create) return NULL;
    if (mt.slot_count == mt.slot_cap) {
        size_t cap = mt.slot_cap ? mt.slot_cap * 2 : 256;
        module_slot *s = realloc(mt.slots, cap * sizeof *s);
        if (!s) return NULL;
        mt.slots = s;
        mt.slot_cap = cap;
    }
    mt.slots[mt.slot_count] = (module_slot){ .name = name };
    return &mt.slots[mt.slot_count++];
}

static void index_code(LoadedCode *lc)
{
    if (mt.code_count == mt.code_cap) {
        size_t cap = mt.code_cap ? mt.code_cap * 2 : 256;
        LoadedCode **a = realloc(mt.by_address, cap * sizeof *a);
        if (!a) abort();
        mt.by_address = a;
        mt.code_cap = cap;
    }
    size_t i = mt.code_count++;
    while (i > 0 && mt.by_address[i - 1]->code > lc->code) {
        mt.by_address[i] = mt.by_address[i - 1];
        i--;
    }
    mt.by_address[i] = lc;
}

static void publish_exports(LoadedCode *lc)
{
    beam_module *m = lc->beam;
    for (uint32_t i = 0; i < m->export_count; i++) {
        const beam_export *ex = &m->exports[i];
        Export *e = export_put(m->name, ex->function, ex->arity);
        if (!e) abort();
        /* erlang.beam's stubs for BIFs are not code to run: an implemented
         * BIF stays the C function, an unimplemented one stays undefined. */
        if (e->bif || e->otp_bif) continue;
        const BeamInstr *addr = lc->export_addresses[i];
        atomic_store_explicit(&e->address, addr, memory_order_release);
    }
}

void module_register(LoadedCode *lc)
{
    pthread_mutex_lock(&mt.lock);
    module_slot *s = slot_for(lc->module, true);
    if (s) s->current = lc;
    index_code(lc);
    publish_exports(lc);
    pthread_mutex_unlock(&mt.lock);
}

LoadedCode *module_current(Term name)
{
    pthread_mutex_lock(&mt.lock);
    module_slot *s = slot_for(name, false);
    LoadedCode *lc = s ? s->current : NULL;
    pthread_mutex_unlock(&mt.lock);
    return lc;
}

/* OTP's preloaded modules (erts's ebin: erlang, init, prim_eval, ...) run
 * from the image built into the VM, whose code carries no line table:
 * their stack frames have no location. The same modules loaded here from
 * erts-VSN/ebin drop their lines so that traces match. */
static bool is_preloaded_dir(const char *dir)
{
    const char *base = strrchr(dir, '/');
    if (!base || strcmp(base, "/ebin") != 0) return false;
    const char *app = base;
    while (app > dir && app[-1] != '/') app--;
    return strncmp(app, "erts-", 5) == 0;
}

/* Called with the lock held. */
static LoadedCode *load_from_path(Term name, strbuf *err)
{
    strbuf path = STRBUF_INIT;
    for (size_t i = 0; i < mt.path_len; i++) {
        sb_reset(&path);
        sb_printf(&path, "%s/%s.beam", mt.path[i], atom_text(name));
        FILE *f = fopen(sb_str(&path), "rb");
        if (!f) continue;
        fclose(f);
        strbuf e = STRBUF_INIT;
        beam_module *m = beam_load_file(sb_str(&path), &e);
        LoadedCode *lc = NULL;
        if (m && m->name != name) sb_printf(&e, "%s: the file holds module %s", sb_str(&path), atom_text(m->name));
        else if (m) lc = codegen(m, &e);
        if (lc && is_preloaded_dir(mt.path[i])) lc->line_count = 0;
        if (m) beam_module_release(m);
        if (!lc && err) sb_puts(err, sb_str(&e));
        if (!lc && getenv("CBEAM_DEBUG_LOAD")) {
            strbuf msg = STRBUF_INIT;
            sb_printf(&msg, "cbeam: loading %s failed: %s\n", atom_text(name), sb_str(&e));
            io_write(2, sb_str(&msg), msg.len);
            sb_free(&msg);
        }
        sb_free(&e);
        sb_free(&path);
        return lc;
    }
    if (err) sb_printf(err, "module %s not found in the code path", atom_text(name));
    sb_free(&path);
    return NULL;
}

/* Called with the lock held: a call through one of lc's exports goes to
 * the trampoline again (which loads from the code path or raises undef). */
static void unpublish_exports(LoadedCode *lc)
{
    beam_module *m = lc->beam;
    for (uint32_t i = 0; i < m->export_count; i++) {
        const beam_export *ex = &m->exports[i];
        Export *e = export_get(m->name, ex->function, ex->arity);
        if (!e || e->bif || e->otp_bif) continue;
        atomic_store_explicit(&e->address, (const BeamInstr *)e->trampoline, memory_order_release);
    }
}

/* Called with the lock held: makes lc the current code of slot s. */
static void install(module_slot *s, LoadedCode *lc)
{
    s->current = lc;
    s->ever_loaded = true;
    index_code(lc);
    if (lc->on_load) {
        s->on_load_pending = true;
        s->runner = NIL;
    } else {
        publish_exports(lc);
    }
}

LoadedCode *module_ensure_loaded(Term name, strbuf *err)
{
    pthread_mutex_lock(&mt.lock);
    module_slot *s = slot_for(name, true);
    LoadedCode *lc = s ? s->current : NULL;
    if (!lc && s && !s->failed) {
        lc = load_from_path(name, err);
        s = slot_for(name, true);
        if (lc) install(s, lc);
        else s->failed = true;
    }
    pthread_mutex_unlock(&mt.lock);
    return lc;
}

module_state module_load_for_call(Term name, bool *start_runner)
{
    *start_runner = false;
    pthread_mutex_lock(&mt.lock);
    module_slot *s = slot_for(name, true);
    if (s && !s->current && !s->failed) {
        LoadedCode *lc = load_from_path(name, NULL);
        s = slot_for(name, true);
        if (lc) {
            install(s, lc);
            *start_runner = s->on_load_pending;
        } else {
            s->failed = true;
        }
    }
    module_state st = !s || !s->current ? MODULE_ABSENT : s->on_load_pending ? MODULE_ON_LOAD : MODULE_LOADED;
    pthread_mutex_unlock(&mt.lock);
    return st;
}

finish_status module_finish_loading(LoadedCode **lcs, size_t n, bool *refused)
{
    pthread_mutex_lock(&mt.lock);
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        module_slot *s = slot_for(lcs[i]->module, false);
        refused[i] = s && (s->old || s->on_load_pending);
        any |= refused[i];
    }
    if (!any) {
        for (size_t i = 0; i < n; i++) {
            module_slot *s = slot_for(lcs[i]->module, true);
            if (!s) abort();
            if (s->current) {
                s->old = s->current;
                s->purge_prepared = false;
                unpublish_exports(s->old);
            }
            s->failed = false;
            install(s, lcs[i]);
        }
    }
    pthread_mutex_unlock(&mt.lock);
    return any ? FINISH_NOT_PURGED : FINISH_OK;
}

bool module_has_old(Term name)
{
    return module_old(name) != NULL;
}

const LoadedCode *module_old(Term name)
{
    pthread_mutex_lock(&mt.lock);
    module_slot *s = slot_for(name, false);
    const LoadedCode *lc = s ? s->old : NULL;
    pthread_mutex_unlock(&mt.lock);
    return lc;
}

delete_status module_delete(Term name)
{
    pthread_mutex_lock(&mt.lock);
    module_slot *s = slot_for(name, false);
    delete_status st;
    if (!s || !s->ever_loaded) {
        st = MODULE_UNKNOWN;
    } else if (s->old) {
        st = MODULE_HAS_OLD;
    } else {
        if (s->current && !s->on_load_pending) unpublish_exports(s->current);
        s->old = s->current;
        s->purge_prepared = false;
        s->current = NULL;
        s->on_load_pending = false;
        s->runner = NIL;
        s->failed = false;    /* a later call looks in the code path again */
        st = MODULE_DELETED;
    }
    pthread_mutex_unlock(&mt.lock);
    return st;
}

bool module_purge_prepare(Term name)
{
    pthread_mutex_lock(&mt.lock);
    module_slot *s = slot_for(name, false);
    bool r = s && s->old;
    if (r) s->purge_prepared = true;
    pthread_mutex_unlock(&mt.lock);
    return r;
}

/* Purged code is unlinked from its module but not freed: terms on
 * process heaps may still point at its literals (OTP copies them out
 * first with its literal area collector, which cbeam does not have) and
 * funs may still refer to its code. It stays in the address index, so
 * such a fun's frames still resolve. */
bool module_purge_complete(Term name)
{
    pthread_mutex_lock(&mt.lock);
    module_slot *s = slot_for(name, false);
    bool r = s && s->purge_prepared;
    if (r) {
        s->old = NULL;
        s->purge_prepared = false;
    }
    pthread_mutex_unlock(&mt.lock);
    return r;
}

bool module_purge_abort(Term name)
{
    pthread_mutex_lock(&mt.lock);
    module_slot *s = slot_for(name, false);
    bool r = s && s->purge_prepared;
    if (r) s->purge_prepared = false;
    pthread_mutex_unlock(&mt.lock);
    return r;
}

Term *module_loaded_names(size_t *n)
{
    pthread_mutex_lock(&mt.lock);
    Term *names = malloc((mt.slot_count ? mt.slot_count : 1) * sizeof *names);
    if (!names) abort();
    size_t k = 0;
    for (size_t i = 0; i < mt.slot_count; i++)
        if ((mt.slots[i].current && !mt.slots[i].on_load_pending) || mt.slots[i].old) names[k++] = mt.slots[i].name;
    pthread_mutex_unlock(&mt.lock);
    *n = k;
    return names;
}

const BeamInstr *module_on_load_begin(Term name, Term runner)
{
    pthread_mutex_lock(&mt.lock);
    module_slot *s = slot_for(name, false);
    const BeamInstr *entry = NULL;
    if (s && s->on_load_pending && s->runner == NIL) {
        s->runner = runner;
        entry = s->current->on_load;
    }
    pthread_mutex_unlock(&mt.lock);
    return entry;
}

bool module_on_load_finish(Term name, bool ok)
{
    pthread_mutex_lock(&mt.lock);
    module_slot *s = slot_for(name, false);
    bool pending = s && s->on_load_pending;
    if (pending) {
        s->on_load_pending = false;
        s->runner = NIL;
        if (ok) {
            publish_exports(s->current);
        } else {
            /* The code stays indexed (for stack traces of processes that
             * ran it) and is never freed, as old code is until purging. */
            s->current = NULL;
            s->failed = true;
        }
    }
    pthread_mutex_unlock(&mt.lock);
    return pending;
}

LoadedCode *module_on_load_of(Term runner)
{
    pthread_mutex_lock(&mt.lock);
    LoadedCode *lc = NULL;
    for (size_t i = 0; i < mt.slot_count && !lc; i++)
        if (mt.slots[i].on_load_pending && mt.slots[i].runner == runner) lc = mt.slots[i].current;
    pthread_mutex_unlock(&mt.lock);
    return lc;
}

const LoadedCode *code_find(const BeamInstr *addr)
{
    pthread_mutex_lock(&mt.lock);
    size_t lo = 0, hi = mt.code_count;
    const LoadedCode *found = NULL;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const LoadedCode *lc = mt.by_address[mid];
        if (addr < lc->code) hi = mid;
        else if (addr >= lc->code + lc->words) lo = mid + 1;
        else { found = lc; break; }
    }
    pthread_mutex_unlock(&mt.lock);
    return found;
}

const code_function *code_function_at(const LoadedCode *lc, const BeamInstr *addr)
{
    size_t lo = 0, hi = lc->function_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const code_function *f = &lc->functions[mid];
        if (addr < f->start) hi = mid;
        else if (addr >= f->end) lo = mid + 1;
        else return f;
    }
    return NULL;
}

const MFA *code_mfa_at(const BeamInstr *addr)
{
    const LoadedCode *lc = addr ? code_find(addr) : NULL;
    const code_function *fn = lc ? code_function_at(lc, addr) : NULL;
    return fn ? &fn->mfa : NULL;
}

const code_line *code_line_at(const LoadedCode *lc, const BeamInstr *addr)
{
    size_t lo = 0, hi = lc->line_count;
    while (lo < hi) {   /* the last entry at or before addr */
        size_t mid = (lo + hi) / 2;
        if (lc->lines[mid].at <= addr) lo = mid + 1;
        else hi = mid;
    }
    return lo ? &lc->lines[lo - 1] : NULL;
}
