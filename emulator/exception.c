/*
 * exception.c — error terms, stack traces and catch frames.
 *
 * Stack traces have OTP's shape: a list of at most BACKTRACE_DEPTH (8, the
 * default backtrace_depth) frames {M, F, ArityOrArgs, Location}, where
 * Location is [{file, "m.erl"}, {line, N}] or [], and a BIF's frame carries
 * [{error_info, #{module => erl_erts_errors}}] (erl_stdlib_errors for
 * stdlib's BIFs). The frames come from the faulting instruction and then
 * every continuation pointer on the stack, innermost first.
 *
 * Everything here allocates on the process heap with HAlloc (no GC).
 */
#include "exception.h"

#include <string.h>

#include "atom.h"
#include "emu.h"
#include "export.h"
#include "map.h"
#include "term_build.h"

#define BACKTRACE_DEPTH 8

static const char *const primary_text[EXCP__COUNT] = {
#define X(id, text) text,
    EXC_PRIMARY_LIST(X)
#undef X
};

Term exception_class_atom(uint32_t freason)
{
    switch (exc_class(freason)) {
    case EXC_CLASS_EXIT: return am_exit;
    case EXC_CLASS_THROW: return am_throw;
    default: return am_error;
    }
}

static Term text_atom(const char *text)
{
    Term a;
    if (atom_put(text, strlen(text), &a) != ATOM_OK) return am_error;
    return a;
}

/* Errors whose reason is {Tag, Value}. */
static bool primary_has_value(unsigned primary)
{
    switch (primary) {
    case EXCP_BADMATCH: case EXCP_CASE_CLAUSE: case EXCP_TRY_CLAUSE: case EXCP_BADFUN:
    case EXCP_BADARITY: case EXCP_BADRECORD: case EXCP_BADKEY: case EXCP_BADMAP:
        return true;
    default:
        return false;
    }
}

Term exception_reason(Process *p)
{
    unsigned primary = exc_primary(p->freason);
    if (primary == EXCP_USER) return p->fvalue;
    Term tag = text_atom(primary_text[primary]);
    Term reason = tag;
    if (primary_has_value(primary)) reason = tuple2(HAlloc(p, 3), tag, p->fvalue);
    p->fvalue = reason;
    p->freason = (p->freason & ~(0xFFu << EXC_PRIMARY_SHIFT)) | ((unsigned)EXCP_USER << EXC_PRIMARY_SHIFT);
    return reason;
}

/* --- frames ------------------------------------------------------------- */

static Term string_term(Process *p, const char *s)
{
    size_t n = strlen(s);
    return charlist_from(HAlloc(p, 2 * n), s, n);
}

static Term file_name_term(Process *p, const LoadedCode *lc, uint32_t file)
{
    if (file > 0 && file <= lc->beam->file_name_count) return lc->beam->file_names[file - 1];
    const char *mod = atom_text(lc->module);
    char buf[300];
    size_t n = strlen(mod);
    if (n > 250) n = 250;
    memcpy(buf, mod, n);
    memcpy(buf + n, ".erl", 5);
    return string_term(p, buf);
}

/* [{file, F}, {line, L}] for the code at addr, or []. */
static Term location_term(Process *p, const LoadedCode *lc, const BeamInstr *addr)
{
    const code_line *cl = code_line_at(lc, addr);
    if (!cl || cl->line == 0) return NIL;
    Term file = file_name_term(p, lc, cl->file);
    Term *hp = HAlloc(p, 3 + 3 + 4);
    Term f = tuple2(hp, am_file, file);
    Term l = tuple2(hp + 3, am_line, make_small(cl->line));
    return cons(hp + 6, f, cons(hp + 8, l, NIL));
}

static Term frame_term(Process *p, Term m, Term f, Term arity_or_args, Term location)
{
    return tuple4(HAlloc(p, 5), m, f, arity_or_args, location);
}

/* The frame of the function containing addr, or THE_NON_VALUE. */
static Term code_frame(Process *p, const BeamInstr *addr)
{
    const LoadedCode *lc = code_find(addr);
    if (!lc) return THE_NON_VALUE;
    const code_function *fn = code_function_at(lc, addr);
    if (!fn) return THE_NON_VALUE;
    return frame_term(p, fn->mfa.module, fn->mfa.function, make_small(fn->mfa.arity), location_term(p, lc, addr));
}

static Term error_info_module(Term module)
{
    if (module == am_erlang || module == am_erts_internal) return am_erl_erts_errors;
    if (module == am_os) return am_erl_kernel_errors;
    return am_erl_stdlib_errors;
}

void exception_set_bif_frame(Process *p, const Export *e, const Term *args, unsigned arity)
{
    /* error/1, exit/1, throw/1 and friends raise the caller's exception:
     * no frame of their own (error/2,3 have set the caller's arguments). */
    Term cause = p->error_cause;
    p->error_cause = NIL;
    if (!e || exc_primary(p->freason) == EXCP_USER) return;
    p->top_frame = NIL;
    p->top_frame_replaces = false;
    Term *hp = HAlloc(p, 2 * arity);
    Term list = NIL;
    for (unsigned i = arity; i-- > 0;) list = cons(hp + 2 * i, args[i], list);
    if (exc_primary(p->freason) == EXCP_UNDEF) {   /* a BIF cbeam lacks: as a missing function */
        p->top_frame = frame_term(p, e->module, e->function, list, NIL);
        return;
    }
    Term keys[2] = { am_cause, am_module }, values[2] = { cause, error_info_module(e->module) };
    Term info_map = cause == NIL ? map_from_pairs_on_heap(p, keys + 1, values + 1, 1)
                                 : map_from_pairs_on_heap(p, keys, values, 2);
    Term *ip = HAlloc(p, 3 + 2);
    Term info = cons(ip + 3, tuple2(ip, am_error_info, info_map), NIL);
    p->top_frame = frame_term(p, e->module, e->function, list, info);
}

void exception_set_nif_frame(Process *p, const MFA *mfa, const Term *args)
{
    p->error_cause = NIL;
    Term *hp = HAlloc(p, 2 * mfa->arity);
    Term list = NIL;
    for (unsigned i = mfa->arity; i-- > 0;) list = cons(hp + 2 * i, args[i], list);
    p->top_frame = frame_term(p, mfa->module, mfa->function, list, NIL);
    p->top_frame_replaces = false;
}

void exception_clear_bif_frame(Process *p)
{
    p->top_frame = NIL;
    p->top_frame_replaces = false;
}

void exception_set_function_args(Process *p, const MFA *mfa, const Term *x)
{
    const BeamInstr *where = NULL;
    Term *hp = HAlloc(p, 2 * mfa->arity);
    Term list = NIL;
    for (unsigned i = mfa->arity; i-- > 0;) list = cons(hp + 2 * i, x[i], list);
    (void)where;
    p->top_frame = list;  /* finished in exception_build, which knows the pc */
    p->top_frame_replaces = true;
    p->top_frame_info = NIL;
}

/* list ++ items (both proper lists). */
static Term append_items(Process *p, Term list, Term items)
{
    if (term_is_nil(items)) return list;
    SWord n = list_length(list);
    Term *hp = HAlloc(p, 2 * (size_t)n);
    Term out = items;
    Term elems[8];
    SWord k = 0;
    for (Term l = list; term_is_list(l) && k < 8; l = list_tail(l)) elems[k++] = list_head(l);
    for (SWord i = k; i-- > 0;) out = cons(hp + 2 * i, elems[i], out);
    return out;
}

static bool is_cp(Term w) { return w != 0 && (w & TAG_PRIMARY_MASK) == TAG_PRIMARY_HEADER; }

void exception_build(Process *p, const void *pc_, Term *E)
{
    const BeamInstr *pc = pc_;
    if (p->freason & EXF_HAVE_TRACE) {
        p->freason &= ~EXF_HAVE_TRACE;
        p->top_frame = NIL;
        p->top_frame_info = NIL;
        return;
    }
    Term frames[BACKTRACE_DEPTH];
    unsigned n = 0;
    if (p->top_frame_replaces) {
        const LoadedCode *lc = code_find(pc);
        const code_function *fn = lc ? code_function_at(lc, pc) : NULL;
        if (fn) {
            Term loc = append_items(p, location_term(p, lc, pc), p->top_frame_info);
            frames[n++] = frame_term(p, fn->mfa.module, fn->mfa.function, p->top_frame, loc);
        }
    } else {
        if (p->top_frame != NIL) frames[n++] = p->top_frame;
        if (pc && n < BACKTRACE_DEPTH) {
            Term f = code_frame(p, pc);
            if (f != THE_NON_VALUE && p->top_frame_info != NIL) {   /* bs_create_bin's error_info */
                Term *fe = tuple_elements(f);
                f = frame_term(p, fe[0], fe[1], fe[2], append_items(p, fe[3], p->top_frame_info));
            }
            if (f != THE_NON_VALUE) frames[n++] = f;
        }
    }
    p->top_frame = NIL;
    p->top_frame_replaces = false;
    p->top_frame_info = NIL;
    for (Term *sp = E; sp < p->hend && n < BACKTRACE_DEPTH; sp++) {
        if (!is_cp(*sp)) continue;
        const BeamInstr *cp = (const BeamInstr *)(uintptr_t)*sp;
        if (cp == emu_normal_exit()) continue;
        Term f = code_frame(p, cp - 1);
        if (f != THE_NON_VALUE) frames[n++] = f;
    }
    Term *hp = HAlloc(p, 2 * n + 3);
    Term list = NIL;
    for (unsigned i = n; i-- > 0;) list = cons(hp + 2 * i, frames[i], list);
    p->ftrace = tuple2(hp + 2 * n, exception_class_atom(p->freason), list);
}

Term exception_current_stacktrace(Process *p, Process *q)
{
    Term frames[BACKTRACE_DEPTH];
    unsigned n = 0;
    if (q->i) {
        Term f = code_frame(p, q->i);
        if (f != THE_NON_VALUE) frames[n++] = f;
    }
    for (Term *sp = q->stop; sp < q->hend && n < BACKTRACE_DEPTH; sp++) {
        if (!is_cp(*sp)) continue;
        const BeamInstr *cp = (const BeamInstr *)(uintptr_t)*sp;
        if (cp == emu_normal_exit()) continue;
        Term f = code_frame(p, cp - 1);
        if (f != THE_NON_VALUE) frames[n++] = f;
    }
    Term *hp = HAlloc(p, 2 * n + 1);
    Term list = NIL;
    for (unsigned i = n; i-- > 0;) list = cons(hp + 2 * i, frames[i], list);
    return list;
}

const BeamInstr *exception_find_catch(Process *p, Term *E, Term **frame)
{
    if (p->catches == 0) return NULL;
    Term *owner = E;
    for (Term *sp = E; sp < p->hend; sp++) {
        if (is_cp(*sp)) owner = sp;
        else if (term_is_catch(*sp)) {
            *frame = owner;
            return catch_address(*sp);
        }
    }
    return NULL;
}

static bool raw_trace_parts(Term raw, Term *cls, Term *frames)
{
    if (!term_is_tuple(raw) || tuple_arity(raw) != 2) return false;
    *cls = tuple_elements(raw)[0];
    *frames = tuple_elements(raw)[1];
    return *cls == am_error || *cls == am_exit || *cls == am_throw;
}

bool exception_reraise(Process *p, Term raw, Term value)
{
    Term cls, frames;
    if (!raw_trace_parts(raw, &cls, &frames)) return false;
    unsigned c = cls == am_error ? EXC_CLASS_ERROR : cls == am_exit ? EXC_CLASS_EXIT : EXC_CLASS_THROW;
    p->freason = c | EXF_HAVE_TRACE;
    p->fvalue = value;
    p->ftrace = raw;
    return true;
}

Term exception_cooked_trace(Term raw)
{
    Term cls, frames;
    return raw_trace_parts(raw, &cls, &frames) ? frames : NIL;
}

Term exception_catch_value(Process *p, Term reason, Term raw, Term cls)
{
    if (cls == am_throw) return reason;
    Term *hp = HAlloc(p, 6);
    if (cls == am_exit) return tuple2(hp, am_EXIT, reason);
    Term inner = tuple2(hp, reason, exception_cooked_trace(raw));
    return tuple2(hp + 3, am_EXIT, inner);
}

Term exception_exit_reason(Process *p)
{
    Term reason = exception_reason(p);
    Term frames = exception_cooked_trace(p->ftrace);
    switch (exc_class(p->freason)) {
    case EXC_CLASS_EXIT: return reason;
    case EXC_CLASS_THROW: {
        Term *hp = HAlloc(p, 6);
        return tuple2(hp + 3, tuple2(hp, am_nocatch, reason), frames);
    }
    default: return tuple2(HAlloc(p, 3), reason, frames);
    }
}

const BeamInstr *exception_undefined_function(Process *p, Export *e, Term *x)
{
    Term *hp = HAlloc(p, 2 * e->arity);
    Term args = NIL;
    for (unsigned i = e->arity; i-- > 0;) args = cons(hp + 2 * i, x[i], args);
    if (p->error_handler != am_error_handler) {
        Export *h = export_put(p->error_handler, am_undefined_function, 3);
        if (h) {
            x[0] = e->module;
            x[1] = e->function;
            x[2] = args;
            return export_address(h);
        }
    }
    p->freason = EXC_UNDEF;
    p->fvalue = NIL;
    p->top_frame = frame_term(p, e->module, e->function, args, NIL);
    p->top_frame_replaces = false;
    return NULL;
}
