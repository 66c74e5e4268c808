/*
 * emu.c — the interpreter: process_main runs threaded code (see emu.h and
 * ops.tab) with GCC's computed goto. Every handler is short; anything that
 * is not on the fast path calls out of line (arith.c, exception.c,
 * message.c, map.c, gc.c).
 *
 * Registers of the running process live in locals: I (next instruction),
 * E (stack top: E[0] is the CP slot), x (the scheduler's x registers).
 * The heap top lives in c_p->htop. Before any call that may collect or
 * inspect the stack, SWAPOUT stores E into c_p->stop; SWAPIN reloads it.
 *
 * Reductions: FCALLS (c_p->fcalls outside the loop) counts down by one
 * per call, return and loop_rec_end; at zero the process is switched out
 * at the next call or return, with the callee's arguments saved
 * (CONTEXT_REDS per slice).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arith.h"
#include "atom.h"
#include "bif.h"
#include "bits.h"
#include "emu.h"
#include "exception.h"
#include "gc.h"
#include "io_thread.h"
#include "map.h"
#include "port.h"
#include "scheduler.h"
#include "term_build.h"
#include "term_order.h"
#include "term_print.h"
#include "vm_log.h"
#include "strbuf.h"

const char *const opc_names[OPC__COUNT] = {
#define OP(name, fmt) #name,
#include "ops.tab"
#undef OP
};
const char *const opc_formats[OPC__COUNT] = {
#define OP(name, fmt) fmt,
#include "ops.tab"
#undef OP
};
const void *opc_addresses[OPC__COUNT];

/* The return address of every process's first call: reaching it means the
 * process's initial function returned. */
static BeamInstr normal_exit_code[1];

enum { CALL_BODY = 0, CALL_ONLY = 1, CALL_LAST = 2 };

/* Both smalls: the small tag is all four low bits set. */
static inline bool both_small(Term a, Term b) { return (a & b & TAG_IMMED1_MASK) == TAG_IMMED1_SMALL; }

/* Tagged small arithmetic works on the tagged words directly: with
 * a = va << 4 | 15 and b = vb << 4 | 15, a + (b - 15) = (va + vb) << 4 | 15,
 * and the 64-bit add overflows exactly when va + vb leaves the 60-bit range. */

/* --- out-of-line helpers ---------------------------------------------------- */

static void save_args(Process *p, const Term *x, unsigned arity)
{
    p->arity = arity;
    if (arity <= 8) {
        memcpy(p->arg_reg, x, arity * sizeof(Term));
        return;
    }
    p->arg_big = realloc(p->arg_big, arity * sizeof(Term));
    if (!p->arg_big) {
        fputs("cbeam: out of memory saving registers\n", stderr);
        abort();
    }
    memcpy(p->arg_big, x, arity * sizeof(Term));
}

static void restore_args(const Process *p, Term *x)
{
    memcpy(x, p->arity <= 8 ? p->arg_reg : p->arg_big, p->arity * sizeof(Term));
}

/* A call found module m waiting for its on_load function: run it in a
 * new process, as OTP's code server does. If none can be made, the
 * module is not loaded. */
static void start_on_load_runner(Scheduler *sd, Process *p, Term m)
{
    Term *hp = HAlloc(p, 2);
    Term args = hp ? cons(hp, m, NIL) : NIL;
    if (!hp || !process_spawn(sd, p, ATOM_NAMED("cbeam_on_load"), ATOM_NAMED("run"), args))
        module_on_load_finish(m, false);
}

static void export_trampoline_init(Export *e)
{
    e->trampoline[0] = (BeamInstr)opc_addresses[OPC_export_trampoline];
    e->trampoline[1] = (BeamInstr)e;
}

void emu_init(void)
{
    process_main(NULL);
    normal_exit_code[0] = (BeamInstr)opc_addresses[OPC_normal_exit];
    export_init_hook = export_trampoline_init;
    static const struct { const char *m, *f; uint32_t a; } otp_bifs[] = {
#define OTP_BIF(module, name, arity) { #module, name, arity },
#include "bifs/otp_bifs.tab"
#undef OTP_BIF
    };
    for (size_t i = 0; i < sizeof otp_bifs / sizeof otp_bifs[0]; i++) {
        Term m, f;
        if (atom_put(otp_bifs[i].m, strlen(otp_bifs[i].m), &m) != ATOM_OK ||
            atom_put(otp_bifs[i].f, strlen(otp_bifs[i].f), &f) != ATOM_OK) abort();
        Export *e = export_put(m, f, otp_bifs[i].a);
        if (!e) abort();
        e->otp_bif = true;
        /* Until cbeam implements it, calling it raises undef, as a call to
         * a missing function does (the table below overrides this). */
        e->bif = (void *)bif_not_implemented;
        e->trampoline[0] = (BeamInstr)opc_addresses[OPC_bif_trampoline];
        e->trampoline[1] = (BeamInstr)e;
    }
    /* erlang:apply/2,3 are instructions: their export entries run them
     * as tail calls (the return address is already in place). */
    Export *apply2 = export_put(am_erlang, am_apply, 2), *apply3 = export_put(am_erlang, am_apply, 3);
    if (!apply2 || !apply3) abort();
    apply2->bif = apply3->bif = NULL;
    apply2->trampoline[0] = (BeamInstr)opc_addresses[OPC_i_apply_fun];
    apply3->trampoline[0] = (BeamInstr)opc_addresses[OPC_i_apply_mfa];
    apply2->trampoline[1] = apply3->trampoline[1] = CALL_ONLY;
    apply2->trampoline[2] = apply3->trampoline[2] = 0;
    /* erlang:garbage_collect/0 called through its export (apply, a fun)
     * runs the instruction, then returns. */
    Term gc_atom;
    if (atom_put("garbage_collect", 15, &gc_atom) != ATOM_OK) abort();
    Export *gc0 = export_put(am_erlang, gc_atom, 0);
    if (!gc0) abort();
    gc0->bif = NULL;
    gc0->trampoline[0] = (BeamInstr)opc_addresses[OPC_garbage_collect];
    gc0->trampoline[1] = (BeamInstr)opc_addresses[OPC_i_return];
    /* erts_internal:garbage_collect(major | minor), which erlang.erl's
     * garbage_collect/0,1 call (with a checked argument): the same; a minor
     * request collects fully. */
    Export *gc1 = export_put(am_erts_internal, gc_atom, 1);
    if (!gc1) abort();
    gc1->bif = NULL;
    gc1->trampoline[0] = (BeamInstr)opc_addresses[OPC_garbage_collect];
    gc1->trampoline[1] = (BeamInstr)opc_addresses[OPC_i_return];
    /* A BIF's export entry calls the C function. */
    for (size_t i = 0; i < bif_count; i++) {
        const bif_entry *b = &bif_table[i];
        Term m, f;
        if (atom_put(b->module, strlen(b->module), &m) != ATOM_OK || atom_put(b->name, strlen(b->name), &f) != ATOM_OK) abort();
        Export *e = export_put(m, f, b->arity);
        if (!e) abort();
        e->bif = (void *)b->fn;
        e->trampoline[0] = (BeamInstr)opc_addresses[OPC_bif_trampoline];
        e->trampoline[1] = (BeamInstr)e;
    }
}

const BeamInstr *emu_normal_exit(void) { return normal_exit_code; }

bool emu_otp_boot;

Term bif_not_implemented(Process *p, Term *args)
{
    (void)args;
    return raise_error(p, EXC_UNDEF, NIL);
}

/* Copies the elements of a proper list into x[0..); -1 if not a proper
 * list or too long. */
static int list_to_regs(Term list, Term *x)
{
    int n = 0;
    for (; term_is_list(list); list = list_tail(list)) {
        if (n >= MAX_REG - 2) return -1;
        x[n++] = list_head(list);
    }
    return term_is_nil(list) ? n : -1;
}

/* Builds the argument list x[0..n) on the heap, for error terms. */
static Term regs_to_list(Process *p, const Term *x, unsigned n)
{
    Term *hp = HAlloc(p, 2 * n);
    Term list = NIL;
    for (unsigned i = n; i-- > 0;) list = cons(hp + 2 * i, x[i], list);
    return list;
}

/* Where a call to fun x[arity] goes, with its environment copied after the
 * arguments (*live: the registers the callee reads); NULL after setting
 * the exception (badfun, badarity). */
static const BeamInstr *fun_target(Process *p, Term *x, unsigned arity, unsigned *live)
{
    *live = arity;
    Term fun = x[arity];
    if (!term_is_fun(fun)) {
        p->freason = EXC_BADFUN;
        p->fvalue = fun;
        return NULL;
    }
    FunThing *f = (FunThing *)boxed_ptr(fun);
    unsigned fun_arity = (unsigned)(f->arity_and_free & 0xFF);
    if (fun_arity != arity) {
        Term *hp = HAlloc(p, 3);
        p->freason = EXC_BADARITY;
        p->fvalue = tuple2(hp, fun, regs_to_list(p, x, arity));
        return NULL;
    }
    if (f->creator == am_external) return export_address((Export *)f->entry);
    FunEntry *fe = f->entry;
    unsigned nfree = (unsigned)(f->arity_and_free >> 8);
    for (unsigned i = 0; i < nfree; i++) x[arity + i] = f->env[i];
    *live = arity + nfree;
    return fe->address;
}

static Term make_fun(Process *p, const FunEntry *fe, const BeamInstr *env_words, Term *E, Term *x)
{
    unsigned n = (unsigned)env_words[0];
    Term *hp = HAlloc(p, FUN_FIXED_WORDS + n);
    FunThing *f = (FunThing *)hp;
    f->header = make_header(FUN_FIXED_WORDS - 1 + n, HDR_FUN);
    f->entry = (void *)fe;
    f->next = NULL;
    f->arity_and_free = fe->arity | (UWord)n << 8;
    f->creator = p->pid;
    for (unsigned i = 0; i < n; i++) {
        BeamInstr w = env_words[1 + i];
        f->env[i] = operand_is_reg(w) ? (w & 4 ? E[w >> 3] : x[w >> 3]) : (Term)w;
    }
    return make_boxed(hp);
}

/* Runs a collection if the heap cannot take `need` more words (or heap
 * fragments have piled up). CB_MAY_GC. */
static inline bool heap_needs_gc(const Process *p, const Term *E, size_t need)
{
    return (size_t)(E - p->htop) < need || p->off_heap.gc_due;
}

static void emu_gc(Process *p, size_t need, Term *x, unsigned live) CB_MAY_GC;
static void emu_gc(Process *p, size_t need, Term *x, unsigned live)
{
    if (!gc_collect(p, need, x, live)) {
        fputs("cbeam: out of memory collecting a process heap\n", stderr);
        abort();
    }
}

/* Resolves the target of `send`: a pid, or a registered name. */
static Process *send_target(Term to)
{
    if (term_is_pid(to)) return process_lookup(to);
    return NULL;
}

static const BeamInstr *select_bin(Term v, const BeamInstr *args)
{
    size_t n = args[2] / 2;
    const BeamInstr *vals = args + 3;
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (vals[mid] == v) return (const BeamInstr *)vals[n + mid];
        if (vals[mid] < v) lo = mid + 1;
        else hi = mid;
    }
    return (const BeamInstr *)args[1];
}

static const BeamInstr *select_lin(Term v, const BeamInstr *args)
{
    size_t n = args[2] / 2;
    const BeamInstr *vals = args + 3;
    for (size_t i = 0; i < n; i++)
        if (term_eq_exact((Term)vals[i], v)) return (const BeamInstr *)vals[n + i];
    return (const BeamInstr *)args[1];
}

/* erts logs the death of a process by an error or an uncaught throw (not
 * by exit/1,2) through the system logger. */
static void log_crash(const Process *p, Term reason)
{
    Term cells[4];
    Term args = cons(cells, p->pid, cons(cells + 2, reason, NIL));
    vm_log_error(p, "Error in process ~p with exit value:~n~p~n", args);
}

/* --- the interpreter ------------------------------------------------------- */

#ifdef CBEAM_DEBUG_GC
static void debug_check_stack(const Process *p, const Term *E, const BeamInstr *I)
{
    if (E >= p->htop && E <= p->hend) return;
    const MFA *m = code_mfa_at(I);
    fprintf(stderr, "cbeam: stack top %p outside [htop %p, hend %p] at %s:%s/%u\n", (const void *)E,
            (const void *)p->htop, (const void *)p->hend, m ? atom_text(m->module) : "?",
            m ? atom_text(m->function) : "?", m ? m->arity : 0);
    abort();
}
#endif

/* No OTP 25 BIF takes more arguments (erlang:spawn_opt/5 is the most). */
#define BIF_ARGS_MAX 8
#define Arg(n) (I[(n) + 1])
#define OPCASE(name) L_##name:
#ifdef CBEAM_DEBUG_GC
/* Debug builds check before every instruction that E lies between the
 * heap top and the heap end: C code that allocates (HAlloc) while the
 * stack top is only in E (no SWAPOUT) hands out live stack words, and a
 * collection without SWAPIN leaves E in the old heap. */
#define DISPATCH() do { debug_check_stack(c_p, E, I); goto *(const void *)*I; } while (0)
#else
#define DISPATCH() goto *(const void *)*I
#endif
#define NEXT(size) do { I += (size); DISPATCH(); } while (0)
#define NEXT_OP(name) NEXT(OPSIZE_##name)
#define JUMP(addr) do { I = (const BeamInstr *)(addr); DISPATCH(); } while (0)
#define REG(w) (*((w) & 4 ? &E[(w) >> 3] : &x[(w) >> 3]))
#define SRC(w) (operand_is_reg(w) ? REG(w) : (Term)(w))
/* The stack top and the reduction count live in locals while the process
 * runs; SWAPOUT writes them back before any call that may look at or
 * change them (BIFs, the GC), SWAPIN reloads them after. */
#define SWAPOUT (c_p->stop = E, c_p->fcalls = FCALLS)
#define SWAPIN (E = c_p->stop, FCALLS = c_p->fcalls)
/* Reductions of the slice so far go to the process's count when it stops
 * running (switched out, waiting, exiting). */
#define END_SLICE do { \
        uint64_t used_ = (uint64_t)(CONTEXT_REDS - FCALLS); \
        c_p->reductions += used_; \
        atomic_fetch_add_explicit(&sd->stats.reductions, used_, memory_order_relaxed); \
        sched_slice_reds(sd, c_p->priority, used_); \
    } while (0)
#define RAISE(reason, value) do { c_p->freason = (reason); c_p->fvalue = (value); goto handle_error; } while (0)
/* A fail address of 0 means "raise instead". */
#define FAIL_OR_RAISE(fail) do { if (fail) JUMP(fail); goto handle_error; } while (0)
/* Calls: target, live argument count. */
#define CALL_TO(target, live) do { \
        unsigned live_ = (live);   /* read before I moves */ \
        I = (const BeamInstr *)(target); \
        if (--FCALLS <= 0) { switch_live = live_; goto context_switch; } \
        DISPATCH(); \
    } while (0)
#define PUSH_CP(ret) (*E = (Term)(uintptr_t)(ret))
/* Before a receive waits: what arrived since loop_rec last looked joins
 * the received queue (sched_wait only wakes for later arrivals); if it
 * holds messages the clauses have not seen, run them first. A receive
 * without clauses (`receive after T`) has its own wait as the label and
 * just waits. An exit signal found here ends the process. */
#define WAIT_FETCH() do { \
        Term why_ = receive_fetch(c_p); \
        if (why_ != THE_NON_VALUE) { SWAPOUT; END_SLICE; process_exit(sd, c_p, why_); goto schedule; } \
        if (*c_p->save && (const BeamInstr *)Arg(0) != I) JUMP(Arg(0)); \
    } while (0)

void process_main(Scheduler *sd)
{
    static const void *const labels[OPC__COUNT] = {
#define OP(name, fmt) &&L_##name,
#include "ops.tab"
#undef OP
    };
    if (!sd) {
        memcpy(opc_addresses, labels, sizeof labels);
        return;
    }
    Term *const x = sd->x;
    double *const fr = sd->f;
    Process *c_p = NULL;
    const BeamInstr *I = NULL;
    Term *E = NULL;
    unsigned switch_live = 0;
    int FCALLS = 0;                       /* reductions left in this slice */
    const BeamInstr *err_pc = NULL;      /* where the current exception arose */
    const Export *err_bif = NULL;         /* the BIF that raised it, if any */
    unsigned err_bif_arity = 0;
    Term bif_args[BIF_ARGS_MAX];          /* a failed BIF's arguments, for its frame */

schedule:
    c_p = sched_next(sd);
    if (!c_p) return;
    restore_args(c_p, x);
    I = c_p->i;
    E = c_p->stop;
    FCALLS = CONTEXT_REDS;
    DISPATCH();

context_switch:
    c_p->i = I;
    SWAPOUT;
    save_args(c_p, x, switch_live);
    END_SLICE;
    atomic_fetch_add_explicit(&sd->stats.context_switches, 1, memory_order_relaxed);
    sched_release(sd, c_p);
    sched_enqueue(sd, c_p);
    goto schedule;

hibernate:
    /* erlang:hibernate/3: the stack is dropped, the heap compacted, and the
     * process waits; when a message arrives it calls the function set up
     * by the BIF (p->i, arguments in x). */
    {
        unsigned n = c_p->arity;
        E = c_p->hend - 1;
        *E = (Term)(uintptr_t)emu_normal_exit();
        c_p->catches = 0;
        SWAPOUT;
        if (!gc_collect_major(c_p, 0, x, n)) {
            fputs("cbeam: out of memory collecting a process heap\n", stderr);
            abort();
        }
        SWAPIN;
        c_p->stop = E;
        END_SLICE;
        atomic_fetch_add_explicit(&sd->stats.context_switches, 1, memory_order_relaxed);
        save_args(c_p, x, n);
        if (c_p->msgq_len > 0) {
            sched_release(sd, c_p);
            sched_enqueue(sd, c_p);
        } else {
            sched_wait(sd, c_p);
        }
        goto schedule;
    }

    /* --- functions and calls --- */
    OPCASE(i_func_info) {
        const MFA *mfa = (const MFA *)Arg(0);
        err_pc = I;
        err_bif = NULL;
        c_p->freason = EXC_FUNCTION_CLAUSE;
        c_p->fvalue = NIL;
        SWAPOUT;
        exception_set_function_args(c_p, mfa, x);
        goto unwind;
    }
    OPCASE(i_call) {
        PUSH_CP(I + OPSIZE_i_call);
        CALL_TO(Arg(1), (unsigned)Arg(0));
    }
    OPCASE(i_call_last) {
        E += Arg(2) + 1;
        CALL_TO(Arg(1), (unsigned)Arg(0));
    }
    OPCASE(trim_call) {
        E += Arg(0);
        PUSH_CP(I + OPSIZE_trim_call);
        CALL_TO(Arg(2), (unsigned)Arg(1));
    }
    OPCASE(i_call_only) {
        CALL_TO(Arg(1), (unsigned)Arg(0));
    }
    OPCASE(move_call) {
        x[0] = SRC(Arg(0));
        PUSH_CP(I + OPSIZE_move_call);
        CALL_TO(Arg(2), (unsigned)Arg(1));
    }
    OPCASE(move_call_last) {
        x[0] = SRC(Arg(0));
        E += Arg(3) + 1;
        CALL_TO(Arg(2), (unsigned)Arg(1));
    }
    OPCASE(move_call_only) {
        x[0] = SRC(Arg(0));
        CALL_TO(Arg(2), (unsigned)Arg(1));
    }
    OPCASE(i_call_ext) {
        PUSH_CP(I + OPSIZE_i_call_ext);
        CALL_TO(export_address((const Export *)Arg(1)), (unsigned)Arg(0));
    }
    OPCASE(i_call_ext_last) {
        E += Arg(2) + 1;
        CALL_TO(export_address((const Export *)Arg(1)), (unsigned)Arg(0));
    }
    OPCASE(i_call_ext_only) {
        CALL_TO(export_address((const Export *)Arg(1)), (unsigned)Arg(0));
    }
    OPCASE(call_bif) {
        const Export *e = (const Export *)Arg(1);
        SWAPOUT;
        c_p->i = I;
        Term r = ((BifFunction)e->bif)(c_p, x);
        SWAPIN;
        if (r == THE_NON_VALUE) {
            if (c_p->freason == EXC_YIELD_RETRY) { switch_live = (unsigned)Arg(0); goto context_switch; }
            if (c_p->freason == EXC_HIBERNATE) goto hibernate;
            if (c_p->freason == EXC_TRAP) {
                /* Continue as the call it stands for: a tail call when
                 * codegen put a return after it, else a body call. */
                const BeamInstr *next = I + OPSIZE_call_bif;
                if (*next == (BeamInstr)opc_addresses[OPC_deallocate_return]) E += next[1] + 1;
                else if (*next != (BeamInstr)opc_addresses[OPC_i_return]) PUSH_CP(next);
                JUMP(c_p->i);
            }
            err_pc = I;
            err_bif = e;
            err_bif_arity = (unsigned)Arg(0);
            memcpy(bif_args, x, err_bif_arity * sizeof(Term));
            goto bif_error;
        }
        x[0] = r;
        /* A BIF that used up the slice (erlang:yield/0, a long one) ends
         * it here, with only the result live, as OTP does. */
        if (__builtin_expect(--FCALLS <= 0, 0)) {
            I += OPSIZE_call_bif;
            switch_live = 1;
            goto context_switch;
        }
        NEXT_OP(call_bif);
    }
    OPCASE(bif_trampoline) {
        /* A BIF called through its export entry (apply, a fun, a call
         * from code that was loaded before the BIF was known). */
        const Export *e = (const Export *)Arg(0);
        SWAPOUT;
        c_p->i = (const BeamInstr *)*E;   /* where the call came from */
        Term r = ((BifFunction)e->bif)(c_p, x);
        SWAPIN;
        if (r == THE_NON_VALUE) {
            if (c_p->freason == EXC_YIELD_RETRY) { switch_live = e->arity; goto context_switch; }
            if (c_p->freason == EXC_HIBERNATE) goto hibernate;
            if (c_p->freason == EXC_TRAP) JUMP(c_p->i);
            err_pc = NULL;
            err_bif = e;
            err_bif_arity = e->arity;
            memcpy(bif_args, x, e->arity * sizeof(Term));
            goto bif_error;
        }
        x[0] = r;
        I = (const BeamInstr *)*E;
        *E = NIL;
        if (__builtin_expect(FCALLS <= 0, 0)) { switch_live = 1; goto context_switch; }
        DISPATCH();
    }
    OPCASE(export_trampoline) {
        /* The module is not loaded: load it from the code path and retry,
         * else it is undefined. Under OTP's boot, once the process's error
         * handler is loaded, it decides instead, as in OTP:
         * error_handler:undefined_function(M, F, Args) asks the code server
         * (or init) to load the module, then applies or raises undef. */
        Export *e = (Export *)Arg(0);
        SWAPOUT;
        if (emu_otp_boot) {
            Export *h = export_get(c_p->error_handler, am_undefined_function, 3);
            const BeamInstr *haddr = h ? export_address(h) : NULL;
            if (haddr && haddr != h->trampoline) {
                Term *hp = HAlloc(c_p, 2 * e->arity);
                Term args = NIL;
                for (unsigned i = e->arity; i-- > 0;) args = cons(hp + 2 * i, x[i], args);
                x[0] = e->module;
                x[1] = e->function;
                x[2] = args;
                SWAPIN;
                JUMP(haddr);
            }
        }
        bool start_runner;
        module_state st = module_load_for_call(e->module, &start_runner);
        if (start_runner) start_on_load_runner(sd, c_p, e->module);
        const BeamInstr *addr = export_address(e);
        if (addr != e->trampoline) JUMP(addr);
        if (st == MODULE_ON_LOAD) {   /* wait for the on_load function: retry */
            SWAPIN;
            switch_live = e->arity;
            goto context_switch;
        }
        const BeamInstr *handler = exception_undefined_function(c_p, e, x);
        SWAPIN;
        if (handler) JUMP(handler);
        err_pc = NULL;
        err_bif = NULL;
        goto unwind;
    }
    OPCASE(i_nif_start) { NEXT_OP(i_nif_start); }
    OPCASE(call_nif) {
        /* A NIF bound by erlang:load_nif/2 at its function's entry: called
         * as a BIF, its frame ({M, F, Args, []}) heads the trace of what it
         * raises, as OTP's NIF frames do. */
        const MFA *mfa = (const MFA *)Arg(1);
        SWAPOUT;
        c_p->i = I;
        Term r = ((BifFunction)Arg(0))(c_p, x);
        SWAPIN;
        if (r == THE_NON_VALUE) {
            if (c_p->freason == EXC_YIELD_RETRY) { switch_live = mfa->arity; goto context_switch; }
            SWAPOUT;
            exception_set_nif_frame(c_p, mfa, x);
            err_pc = emu_normal_exit();   /* in no module: no frame for pc */
            err_bif = NULL;
            goto unwind;
        }
        x[0] = r;
        I = (const BeamInstr *)*E;
        *E = NIL;
        if (--FCALLS <= 0) { switch_live = 1; goto context_switch; }
        DISPATCH();
    }
    OPCASE(i_return) {
        I = (const BeamInstr *)*E;
        *E = NIL;
        if (--FCALLS <= 0) { switch_live = 1; goto context_switch; }
        DISPATCH();
    }
    OPCASE(move_return_x) {
        x[0] = x[Arg(0)];
        I = (const BeamInstr *)*E;
        *E = NIL;
        if (--FCALLS <= 0) { switch_live = 1; goto context_switch; }
        DISPATCH();
    }
    OPCASE(move_return) {
        x[0] = SRC(Arg(0));
        I = (const BeamInstr *)*E;
        *E = NIL;
        if (--FCALLS <= 0) { switch_live = 1; goto context_switch; }
        DISPATCH();
    }
    OPCASE(deallocate_return) {
        E += Arg(0) + 1;
        I = (const BeamInstr *)*E;
        *E = NIL;
        if (--FCALLS <= 0) { switch_live = 1; goto context_switch; }
        DISPATCH();
    }
    OPCASE(move_deallocate_return) {
        x[0] = SRC(Arg(0));
        E += Arg(1) + 1;
        I = (const BeamInstr *)*E;
        *E = NIL;
        if (--FCALLS <= 0) { switch_live = 1; goto context_switch; }
        DISPATCH();
    }
    OPCASE(garbage_collect) {
        SWAPOUT;
        if (!gc_collect_major(c_p, 0, x, 0)) {
            fputs("cbeam: out of memory collecting a process heap\n", stderr);
            abort();
        }
        SWAPIN;
        x[0] = am_true;
        NEXT_OP(garbage_collect);
    }
    OPCASE(normal_exit) {
        SWAPOUT;
        END_SLICE;
        process_exit(sd, c_p, am_normal);
        goto schedule;
    }

    /* Dynamic calls: the target is resolved into `target`, then `mode`
     * says how to get there. */
    {
        const BeamInstr *target;
        unsigned arity, mode, live;
        uint64_t dealloc;
        const BeamInstr *ret;

    OPCASE(i_apply) {
        arity = (unsigned)Arg(0);
        mode = (unsigned)Arg(1);
        dealloc = Arg(2);
        ret = I + OPSIZE_i_apply;
        Term m = x[arity], f = x[arity + 1];
        if (!term_is_atom(m) || !term_is_atom(f)) RAISE(EXC_BADARG, NIL);
        goto apply_export_mf;
    apply_export_mf: {
            Export *e = export_put(m, f, arity);
            if (!e) RAISE(EXC_SYSTEM_LIMIT, NIL);
            target = export_address(e);
            goto dynamic_call;
        }
    }
    OPCASE(i_apply_mfa) {
        mode = (unsigned)Arg(0);
        dealloc = Arg(1);
        ret = I + OPSIZE_i_apply_mfa;
        Term m = x[0], f = x[1], args = x[2];
        int n = list_to_regs(args, x);
        if (n < 0 || !term_is_atom(m) || !term_is_atom(f)) {
            x[0] = m; x[1] = f; x[2] = args;
            err_bif = export_put(am_erlang, am_apply, 3);
            err_bif_arity = 3;
            memcpy(bif_args, x, 3 * sizeof(Term));
            err_pc = I;
            c_p->freason = EXC_BADARG;
            goto bif_error;
        }
        arity = (unsigned)n;
        Export *e = export_put(m, f, arity);
        if (!e) RAISE(EXC_SYSTEM_LIMIT, NIL);
        target = export_address(e);
        goto dynamic_call;
    }
    OPCASE(i_apply_fun) {
        mode = (unsigned)Arg(0);
        dealloc = Arg(1);
        ret = I + OPSIZE_i_apply_fun;
        Term fun = x[0], args = x[1];
        int n = list_to_regs(args, x);
        if (n < 0) {
            x[0] = fun; x[1] = args;
            err_bif = export_put(am_erlang, am_apply, 2);
            err_bif_arity = 2;
            memcpy(bif_args, x, 2 * sizeof(Term));
            err_pc = I;
            c_p->freason = EXC_BADARG;
            goto bif_error;
        }
        arity = (unsigned)n;
        x[arity] = fun;
        goto call_fun;
    }
    OPCASE(i_call_fun) {
        arity = (unsigned)Arg(0);
        mode = (unsigned)Arg(1);
        dealloc = Arg(2);
        ret = I + OPSIZE_i_call_fun;
    call_fun:
        target = fun_target(c_p, x, arity, &live);
        if (!target) goto handle_error;
        goto fun_call;
    dynamic_call:
        live = arity;
    fun_call:
        if (mode == CALL_BODY) PUSH_CP(ret);
        else if (mode == CALL_LAST) E += dealloc + 1;
        /* Exactly the registers the callee reads: saved ones are GC roots. */
        CALL_TO(target, live);
    }
    }

    /* --- stack and heap --- */
    OPCASE(allocate) {
        UWord n = Arg(0);
        if (heap_needs_gc(c_p, E, n + 1)) {
            SWAPOUT;
            emu_gc(c_p, n + 1, x, (unsigned)Arg(1));
            SWAPIN;
        }
        E -= n + 1;
        /* Only the CP slot: erlc (beam_validator) guarantees every y
         * register is written (or init_yregs'd) before a GC can see it. */
        E[0] = NIL;
        NEXT_OP(allocate);
    }
    OPCASE(allocate_init_y) {
        UWord n = Arg(0);
        if (heap_needs_gc(c_p, E, n + 1)) {
            SWAPOUT;
            emu_gc(c_p, n + 1, x, (unsigned)Arg(1));
            SWAPIN;
        }
        E -= n + 1;
        E[0] = NIL;
        E[Arg(2)] = NIL;
        NEXT_OP(allocate_init_y);
    }
    OPCASE(allocate_heap) {
        UWord n = Arg(0);
        if (heap_needs_gc(c_p, E, n + 1 + Arg(1))) {
            SWAPOUT;
            emu_gc(c_p, n + 1 + Arg(1), x, (unsigned)Arg(2));
            SWAPIN;
        }
        E -= n + 1;
        E[0] = NIL;
        NEXT_OP(allocate_heap);
    }
    OPCASE(deallocate) {
        E += Arg(0) + 1;
        NEXT_OP(deallocate);
    }
    OPCASE(trim) {
        E += Arg(0);
        E[0] = NIL;
        NEXT_OP(trim);
    }
    OPCASE(test_heap) {
        if (heap_needs_gc(c_p, E, Arg(0))) {
            SWAPOUT;
            emu_gc(c_p, Arg(0), x, (unsigned)Arg(1));
            SWAPIN;
        }
        NEXT_OP(test_heap);
    }
    OPCASE(init_y) { E[Arg(0)] = NIL; NEXT_OP(init_y); }
    OPCASE(init_y2) { E[Arg(0)] = NIL; E[Arg(1)] = NIL; NEXT_OP(init_y2); }
    OPCASE(init_y3) { E[Arg(0)] = NIL; E[Arg(1)] = NIL; E[Arg(2)] = NIL; NEXT_OP(init_y3); }

    /* --- moves --- */
    OPCASE(move_xx) { x[Arg(1)] = x[Arg(0)]; NEXT_OP(move_xx); }
    OPCASE(move_xy) { E[Arg(1)] = x[Arg(0)]; NEXT_OP(move_xy); }
    OPCASE(move_yx) { x[Arg(1)] = E[Arg(0)]; NEXT_OP(move_yx); }
    OPCASE(move_yy) { E[Arg(1)] = E[Arg(0)]; NEXT_OP(move_yy); }
    OPCASE(move_cx) { x[Arg(1)] = (Term)Arg(0); NEXT_OP(move_cx); }
    OPCASE(move_cy) { E[Arg(1)] = (Term)Arg(0); NEXT_OP(move_cy); }
    OPCASE(move) { REG(Arg(1)) = SRC(Arg(0)); NEXT_OP(move); }
    /* move2_AB_CD: x registers are x[i], y registers E[i] (pre-decoded). */
#define MOVE2_REG_x x
#define MOVE2_REG_y E
#define MOVE2(a, b, c, d) OPCASE(move2_##a##b##_##c##d) { \
        MOVE2_REG_##b[Arg(1)] = MOVE2_REG_##a[Arg(0)]; \
        MOVE2_REG_##d[Arg(3)] = MOVE2_REG_##c[Arg(2)]; \
        NEXT(5); \
    }
#define MOVE2_SECOND(a, b) MOVE2(a, b, x, x) MOVE2(a, b, x, y) MOVE2(a, b, y, x) MOVE2(a, b, y, y)
    MOVE2_SECOND(x, x)
    MOVE2_SECOND(x, y)
    MOVE2_SECOND(y, x)
    MOVE2_SECOND(y, y)
#undef MOVE2_SECOND
#undef MOVE2
    OPCASE(swap) {
        Term t = REG(Arg(0));
        REG(Arg(0)) = REG(Arg(1));
        REG(Arg(1)) = t;
        NEXT_OP(swap);
    }
    OPCASE(get_list) {
        Term l = SRC(Arg(0));
        Term h = list_head(l), t = list_tail(l);
        REG(Arg(1)) = h;
        REG(Arg(2)) = t;
        NEXT_OP(get_list);
    }
    OPCASE(get_list_xxx) {
        const Term *cell = list_ptr(x[Arg(0)]);
        Term h = cell[0], t = cell[1];
        x[Arg(1)] = h;
        x[Arg(2)] = t;
        NEXT_OP(get_list_xxx);
    }
    OPCASE(get_list_xyx) {
        const Term *cell = list_ptr(x[Arg(0)]);
        Term h = cell[0], t = cell[1];
        E[Arg(1)] = h;
        x[Arg(2)] = t;
        NEXT_OP(get_list_xyx);
    }
    OPCASE(is_nonempty_get_list_xxx) {
        Term l = x[Arg(1)];
        if (!term_is_list(l)) JUMP(Arg(0));
        const Term *cell = list_ptr(l);
        Term h = cell[0], t = cell[1];
        x[Arg(2)] = h;
        x[Arg(3)] = t;
        NEXT_OP(is_nonempty_get_list_xxx);
    }
    OPCASE(is_nonempty_list_x) {
        if (!term_is_list(x[Arg(1)])) JUMP(Arg(0));
        NEXT_OP(is_nonempty_list_x);
    }
    OPCASE(get_hd) { REG(Arg(1)) = list_head(SRC(Arg(0))); NEXT_OP(get_hd); }
    OPCASE(get_tl) { REG(Arg(1)) = list_tail(SRC(Arg(0))); NEXT_OP(get_tl); }
    OPCASE(get_tuple_element) {
        REG(Arg(2)) = tuple_elements(SRC(Arg(0)))[Arg(1)];
        NEXT_OP(get_tuple_element);
    }
    OPCASE(get_tuple_element_x) {
        x[Arg(2)] = tuple_elements(x[Arg(0)])[Arg(1)];
        NEXT_OP(get_tuple_element_x);
    }
    OPCASE(get_tuple_element2_x) {
        const Term *el = tuple_elements(x[Arg(0)]);
        x[Arg(2)] = el[Arg(1)];
        x[Arg(4)] = el[Arg(3)];
        NEXT_OP(get_tuple_element2_x);
    }
    OPCASE(get_tuple_element3_x) {
        const Term *el = tuple_elements(x[Arg(0)]);
        x[Arg(2)] = el[Arg(1)];
        x[Arg(4)] = el[Arg(3)];
        x[Arg(6)] = el[Arg(5)];
        NEXT_OP(get_tuple_element3_x);
    }
    OPCASE(set_tuple_element) {
        tuple_elements(SRC(Arg(1)))[Arg(2)] = SRC(Arg(0));
        NEXT_OP(set_tuple_element);
    }
    OPCASE(put_list) {
        Term *hp = c_p->htop;
        c_p->htop += 2;
        Term h = SRC(Arg(0)), t = SRC(Arg(1));
        REG(Arg(2)) = cons(hp, h, t);
        NEXT_OP(put_list);
    }
    OPCASE(put_list_xxx) {
        Term *hp = c_p->htop;
        c_p->htop += 2;
        x[Arg(2)] = cons(hp, x[Arg(0)], x[Arg(1)]);
        NEXT_OP(put_list_xxx);
    }
    OPCASE(put_list_yxx) {
        Term *hp = c_p->htop;
        c_p->htop += 2;
        x[Arg(2)] = cons(hp, E[Arg(0)], x[Arg(1)]);
        NEXT_OP(put_list_yxx);
    }
    OPCASE(test_heap_put_list_yxx) {
        if (heap_needs_gc(c_p, E, 2)) {
            SWAPOUT;
            emu_gc(c_p, 2, x, (unsigned)Arg(0));
            SWAPIN;
        }
        Term *hp = c_p->htop;
        c_p->htop += 2;
        x[Arg(3)] = cons(hp, E[Arg(1)], x[Arg(2)]);
        NEXT_OP(test_heap_put_list_yxx);
    }
    OPCASE(put_tuple2) {
        UWord n = Arg(1);
        Term *hp = c_p->htop;
        c_p->htop += n + 1;
        hp[0] = make_header(n, HDR_TUPLE);
        for (UWord i = 0; i < n; i++) hp[1 + i] = SRC(Arg(2 + i));
        REG(Arg(0)) = make_boxed(hp);
        NEXT(OPSIZE_put_tuple2 + n);
    }

    /* --- tests --- */
#define TEST(name, cond) OPCASE(name) { Term v = SRC(Arg(1)); (void)v; if (!(cond)) JUMP(Arg(0)); NEXT_OP(name); }
    TEST(is_integer, term_is_integer(v))
    TEST(is_float, term_is_float(v))
    TEST(is_number, term_is_number(v))
    TEST(is_atom, term_is_atom(v))
    TEST(is_pid, term_is_pid(v) || term_is_boxed_with(v, HDR_EXTERNAL_PID))
    TEST(is_reference, term_is_boxed_with(v, HDR_REF) || term_is_boxed_with(v, HDR_EXTERNAL_REF))
    TEST(is_port, term_is_port(v) || term_is_boxed_with(v, HDR_EXTERNAL_PORT))
    TEST(is_nil, term_is_nil(v))
    TEST(is_binary, term_is_binary_like(v) && binary_bit_size(v) % 8 == 0)
    TEST(is_bitstr, term_is_binary_like(v))
    TEST(is_list, term_is_list(v) || term_is_nil(v))
    TEST(is_nonempty_list, term_is_list(v))
    TEST(is_tuple, term_is_tuple(v))
    TEST(is_map, term_is_map(v))
    TEST(is_function, term_is_fun(v))
    TEST(is_boolean, v == am_true || v == am_false)
    TEST(test_arity, boxed_header(v) == (Term)Arg(2))
    TEST(is_tuple_of_arity, term_is_boxed(v) && boxed_header(v) == (Term)Arg(2))
    TEST(is_tagged_tuple, term_is_boxed(v) && boxed_header(v) == (Term)Arg(2) && tuple_elements(v)[0] == (Term)Arg(3))
#undef TEST
    OPCASE(is_tuple_of_arity_x) {
        Term v = x[Arg(1)];
        if (!term_is_boxed(v) || boxed_header(v) != (Term)Arg(2)) JUMP(Arg(0));
        NEXT_OP(is_tuple_of_arity_x);
    }
    OPCASE(is_tagged_tuple_x) {
        Term v = x[Arg(1)];
        if (!term_is_boxed(v) || boxed_header(v) != (Term)Arg(2) || tuple_elements(v)[0] != (Term)Arg(3)) JUMP(Arg(0));
        NEXT_OP(is_tagged_tuple_x);
    }
    OPCASE(is_function2) {
        Term f = SRC(Arg(1)), a = SRC(Arg(2));
        if (!term_is_small(a) || small_value(a) < 0) RAISE(EXC_BADARG, NIL);
        if (!term_is_fun(f) || (SWord)(((FunThing *)boxed_ptr(f))->arity_and_free & 0xFF) != small_value(a)) JUMP(Arg(0));
        NEXT_OP(is_function2);
    }
    OPCASE(is_eq_exact) {
        Term a = SRC(Arg(1)), b = SRC(Arg(2));
        if (a != b && (term_is_immed(a) || term_is_immed(b) || !term_eq_exact(a, b))) JUMP(Arg(0));
        NEXT_OP(is_eq_exact);
    }
    OPCASE(is_ne_exact) {
        Term a = SRC(Arg(1)), b = SRC(Arg(2));
        if (a == b || (!term_is_immed(a) && !term_is_immed(b) && term_eq_exact(a, b))) JUMP(Arg(0));
        NEXT_OP(is_ne_exact);
    }
    OPCASE(is_eq) {
        Term a = SRC(Arg(1)), b = SRC(Arg(2));
        if (a != b && term_compare(a, b) != 0) JUMP(Arg(0));
        NEXT_OP(is_eq);
    }
    OPCASE(is_ne) {
        Term a = SRC(Arg(1)), b = SRC(Arg(2));
        if (a == b || term_compare(a, b) == 0) JUMP(Arg(0));
        NEXT_OP(is_ne);
    }
    OPCASE(is_lt) {
        Term a = SRC(Arg(1)), b = SRC(Arg(2));
        bool lt = term_is_small(a) && term_is_small(b) ? (SWord)a < (SWord)b : term_compare(a, b) < 0;
        if (!lt) JUMP(Arg(0));
        NEXT_OP(is_lt);
    }
    OPCASE(is_ge) {
        Term a = SRC(Arg(1)), b = SRC(Arg(2));
        bool ge = term_is_small(a) && term_is_small(b) ? (SWord)a >= (SWord)b : term_compare(a, b) >= 0;
        if (!ge) JUMP(Arg(0));
        NEXT_OP(is_ge);
    }
    /* Two smalls compare as their words; anything else as terms. */
#define CMP_SMALL(name, a, b, op) OPCASE(name) { \
        Term a_ = (a), b_ = (b); \
        if (both_small(a_, b_)) { \
            if ((SWord)a_ op (SWord)b_) NEXT_OP(name); \
            JUMP(Arg(0)); \
        } \
        if (term_compare(a_, b_) op 0) NEXT_OP(name); \
        JUMP(Arg(0)); \
    }
    CMP_SMALL(is_lt_xx, x[Arg(1)], x[Arg(2)], <)
    CMP_SMALL(is_ge_xx, x[Arg(1)], x[Arg(2)], >=)
    CMP_SMALL(is_lt_xc, x[Arg(1)], (Term)Arg(2), <)
    CMP_SMALL(is_lt_cx, (Term)Arg(1), x[Arg(2)], <)
    CMP_SMALL(is_ge_xc, x[Arg(1)], (Term)Arg(2), >=)
    CMP_SMALL(is_ge_cx, (Term)Arg(1), x[Arg(2)], >=)
#undef CMP_SMALL
    /* Against an immediate, exact equality is word equality. */
    OPCASE(is_eq_exact_xc) { if (x[Arg(1)] != (Term)Arg(2)) JUMP(Arg(0)); NEXT_OP(is_eq_exact_xc); }
    OPCASE(is_ne_exact_xc) { if (x[Arg(1)] == (Term)Arg(2)) JUMP(Arg(0)); NEXT_OP(is_ne_exact_xc); }
    OPCASE(jump) { JUMP(Arg(0)); }
    OPCASE(select_val_bin) { JUMP(select_bin(SRC(Arg(0)), I + 1)); }
    OPCASE(select_val_lin) { JUMP(select_lin(SRC(Arg(0)), I + 1)); }
    OPCASE(select_val2_x) {
        Term v = x[Arg(0)];
        if (v == (Term)Arg(2)) JUMP(Arg(3));
        if (v == (Term)Arg(4)) JUMP(Arg(5));
        JUMP(Arg(1));
    }
    OPCASE(select_val2) {
        Term v = SRC(Arg(0));
        if (v == (Term)Arg(2)) JUMP(Arg(3));
        if (v == (Term)Arg(4)) JUMP(Arg(5));
        JUMP(Arg(1));
    }
    OPCASE(select_val_small) {
        Term v = SRC(Arg(0));
        UWord n = Arg(2) / 2;
        const BeamInstr *vals = I + 4;
        for (UWord i = 0; i < n; i++)
            if (vals[i] == v) JUMP(vals[n + i]);
        JUMP(Arg(1));
    }
    OPCASE(jump_on_val) {
        Term v = SRC(Arg(0));
        if (term_is_small(v)) {
            UWord k = (UWord)(small_value(v) - small_value((Term)Arg(2)));
            if (k < Arg(3)) JUMP(Arg(4 + k));
        }
        JUMP(Arg(1));
    }
    OPCASE(select_tuple_arity) {
        Term v = SRC(Arg(0));
        if (term_is_tuple(v)) {
            Term h = boxed_header(v);
            UWord n = Arg(2) / 2;
            for (UWord i = 0; i < n; i++)
                if ((Term)Arg(3 + i) == h) JUMP(Arg(3 + n + i));
        }
        JUMP(Arg(1));
    }

    /* --- BIFs and arithmetic --- */
    OPCASE(bif0) {
        const Export *e = (const Export *)Arg(0);
        SWAPOUT;
        Term r = ((BifFunction)e->bif)(c_p, NULL);
        SWAPIN;
        if (r == THE_NON_VALUE) { err_pc = I; err_bif = e; err_bif_arity = 0; goto bif_error; }
        REG(Arg(1)) = r;
        NEXT_OP(bif0);
    }
    /* Guard and body BIFs: the operands go to bif_args, then one shared
     * call path (fail address in Arg(0), 0 = raise). */
    {
        const Export *be;
        unsigned bn;
        BeamInstr bdst;
        unsigned bsize;
    OPCASE(bif1) {
        be = (const Export *)Arg(1); bn = 1; bdst = Arg(3); bsize = OPSIZE_bif1;
        bif_args[0] = SRC(Arg(2));
        goto guard_bif;
    }
    OPCASE(bif2) {
        be = (const Export *)Arg(1); bn = 2; bdst = Arg(4); bsize = OPSIZE_bif2;
        bif_args[0] = SRC(Arg(2));
        bif_args[1] = SRC(Arg(3));
        goto guard_bif;
    }
    OPCASE(gc_bif1) {
        be = (const Export *)Arg(1); bn = 1; bdst = Arg(4); bsize = OPSIZE_gc_bif1;
        bif_args[0] = SRC(Arg(3));
        goto guard_bif;
    }
    OPCASE(gc_bif2) {
        be = (const Export *)Arg(1); bn = 2; bdst = Arg(5); bsize = OPSIZE_gc_bif2;
        bif_args[0] = SRC(Arg(3));
        bif_args[1] = SRC(Arg(4));
        goto guard_bif;
    }
    OPCASE(gc_bif3) {
        be = (const Export *)Arg(1); bn = 3; bdst = Arg(6); bsize = OPSIZE_gc_bif3;
        bif_args[0] = SRC(Arg(3));
        bif_args[1] = SRC(Arg(4));
        bif_args[2] = SRC(Arg(5));
    guard_bif:
        SWAPOUT;
        Term r = ((BifFunction)be->bif)(c_p, bif_args);
        SWAPIN;
        if (r == THE_NON_VALUE) {
            if (Arg(0)) JUMP(Arg(0));
            err_pc = I; err_bif = be; err_bif_arity = bn;
            goto bif_error;
        }
        REG(bdst) = r;
        NEXT(bsize);
    }
    }
    {
        Term a, b, r;
        int op;
    OPCASE(i_increment)
    OPCASE(i_plus) {
        a = SRC(Arg(2));
        b = SRC(Arg(3));
        if (term_is_small(a) && term_is_small(b)) {
            SWord s = small_value(a) + small_value(b);
            if (small_fits(s)) { REG(Arg(4)) = make_small(s); NEXT_OP(i_plus); }
        }
        op = '+';
        goto arith_slow;
    }
    OPCASE(i_minus) {
        a = SRC(Arg(2));
        b = SRC(Arg(3));
        if (term_is_small(a) && term_is_small(b)) {
            SWord s = small_value(a) - small_value(b);
            if (small_fits(s)) { REG(Arg(4)) = make_small(s); NEXT_OP(i_minus); }
        }
        op = '-';
    arith_slow:
        SWAPOUT;
        r = op == '+' ? arith_plus(c_p, a, b) : arith_minus(c_p, a, b);
        SWAPIN;
        if (r == THE_NON_VALUE) {
            if (Arg(0)) JUMP(Arg(0));
            bif_args[0] = a;
            bif_args[1] = b;
            err_pc = I;
            err_bif = export_get(am_erlang, op == '+' ? am_plus : am_minus, 2);
            err_bif_arity = 2;
            goto bif_error;
        }
        REG(Arg(4)) = r;
        NEXT_OP(i_plus);
    }
    }
    {
        Term a, b;
        BeamInstr dst;
        int op;
    OPCASE(i_plus_ss) {
        a = SRC(Arg(0));
        b = SRC(Arg(1));
        if (both_small(a, b)) {
            SWord r;
            if (!__builtin_add_overflow((SWord)a, (SWord)(b - TAG_IMMED1_SMALL), &r)) {
                REG(Arg(2)) = (Term)r;
                NEXT_OP(i_plus_ss);
            }
        }
        dst = Arg(2);
        op = '+';
        goto arith_nofail;
    }
    OPCASE(i_plus_yc) { a = E[Arg(0)]; b = (Term)Arg(1); goto plus_fast_x; }
    OPCASE(i_plus_yx) { a = E[Arg(0)]; b = x[Arg(1)]; goto plus_fast_x; }
    OPCASE(i_plus_xx) { a = x[Arg(0)]; b = x[Arg(1)]; goto plus_fast_x; }
    OPCASE(i_plus_xc) {
        a = x[Arg(0)];
        b = (Term)Arg(1);
    plus_fast_x:
        if (both_small(a, b)) {
            SWord r;
            if (!__builtin_add_overflow((SWord)a, (SWord)(b - TAG_IMMED1_SMALL), &r)) {
                x[Arg(2)] = (Term)r;
                NEXT_OP(i_plus_xc);
            }
        }
        dst = REG_X(Arg(2));
        op = '+';
        goto arith_nofail;
    }
    OPCASE(i_minus_ss) {
        a = SRC(Arg(0));
        b = SRC(Arg(1));
        if (both_small(a, b)) {
            SWord r;
            if (!__builtin_sub_overflow((SWord)a, (SWord)(b - TAG_IMMED1_SMALL), &r)) {
                REG(Arg(2)) = (Term)r;
                NEXT_OP(i_minus_ss);
            }
        }
        dst = Arg(2);
        op = '-';
        goto arith_nofail;
    }
    OPCASE(i_minus_yc) { a = E[Arg(0)]; b = (Term)Arg(1); goto minus_fast_x; }
    OPCASE(i_minus_xx) { a = x[Arg(0)]; b = x[Arg(1)]; goto minus_fast_x; }
    OPCASE(i_minus_xc) {
        a = x[Arg(0)];
        b = (Term)Arg(1);
    minus_fast_x:
        if (both_small(a, b)) {
            SWord r;
            if (!__builtin_sub_overflow((SWord)a, (SWord)(b - TAG_IMMED1_SMALL), &r)) {
                x[Arg(2)] = (Term)r;
                NEXT_OP(i_minus_xc);
            }
        }
        dst = REG_X(Arg(2));
        op = '-';
    arith_nofail:
        SWAPOUT;
        Term r = op == '+' ? arith_plus(c_p, a, b) : arith_minus(c_p, a, b);
        SWAPIN;
        if (r == THE_NON_VALUE) {
            bif_args[0] = a;
            bif_args[1] = b;
            err_pc = I;
            err_bif = export_get(am_erlang, op == '+' ? am_plus : am_minus, 2);
            err_bif_arity = 2;
            goto bif_error;
        }
        REG(dst) = r;
        NEXT_OP(i_plus_ss);
    }
    }
    /* Integer operators: the small-integer result, or THE_NON_VALUE to
     * take the BIF's path (bignums, floats, errors). The _xcx forms read
     * x[Arg(2)] and a small constant and write x[Arg(4)]. */
    {
        Term ia, ib, ir;
        BeamInstr idst;
#define INT_OP(name, compute) OPCASE(name) { \
        ia = SRC(Arg(2)); \
        ib = SRC(Arg(3)); \
        ir = THE_NON_VALUE; \
        if (both_small(ia, ib)) { SWord va = small_value(ia), vb = small_value(ib); (void)va; (void)vb; compute; } \
        if (ir != THE_NON_VALUE) { REG(Arg(4)) = ir; NEXT_OP(name); } \
        idst = Arg(4); \
        goto int_op_slow; \
    } \
    OPCASE(name##_xcx) { \
        ia = x[Arg(2)]; \
        ib = (Term)Arg(3); \
        ir = THE_NON_VALUE; \
        if (term_is_small(ia)) { SWord va = small_value(ia), vb = small_value(ib); (void)va; (void)vb; compute; } \
        if (ir != THE_NON_VALUE) { x[Arg(4)] = ir; NEXT_OP(name); } \
        idst = REG_X(Arg(4)); \
        goto int_op_slow; \
    }
        INT_OP(i_times, { SWord r; if (!__builtin_mul_overflow(va, vb, &r) && small_fits(r)) ir = make_small(r); })
        INT_OP(i_div, { if (vb != 0 && small_fits(va / vb)) ir = make_small(va / vb); })
        INT_OP(i_rem, { if (vb != 0) ir = make_small(va % vb); })
        INT_OP(i_band, { ir = ia & ib; })
        INT_OP(i_bor, { ir = ia | ib; })
        INT_OP(i_bxor, { ir = (ia ^ ib) | TAG_IMMED1_SMALL; })
        INT_OP(i_bsr, { if (vb >= 0) ir = make_small(va >> (vb < 63 ? vb : 63)); })
        INT_OP(i_bsl, { if (vb >= 0 && vb < 60) { SWord r = (SWord)((UWord)va << vb); if ((r >> vb) == va && small_fits(r)) ir = make_small(r); } })
#undef INT_OP
    int_op_slow: {
            const Export *e = (const Export *)Arg(1);
            bif_args[0] = ia;
            bif_args[1] = ib;
            SWAPOUT;
            ir = ((BifFunction)e->bif)(c_p, bif_args);
            SWAPIN;
            if (ir == THE_NON_VALUE) {
                if (Arg(0)) JUMP(Arg(0));
                err_pc = I; err_bif = e; err_bif_arity = 2;
                goto bif_error;
            }
            REG(idst) = ir;
            NEXT_OP(i_times);
        }
    }
    OPCASE(i_compare) {
        Term a = SRC(Arg(1)), b = SRC(Arg(2));
        int c;
        unsigned kind = (unsigned)Arg(0);
        if (a == b) c = 0;
        else if (both_small(a, b)) c = (SWord)a < (SWord)b ? -1 : 1;
        else if (kind < 2 && (term_is_immed(a) || term_is_immed(b))) c = 1;   /* exact: differ */
        else c = kind < 2 ? term_compare_exact(a, b) : term_compare(a, b);
        bool r;
        switch (kind) {
        case 0: case 2: r = c == 0; break;
        case 1: case 3: r = c != 0; break;
        case 4: r = c < 0; break;
        case 5: r = c > 0; break;
        case 6: r = c <= 0; break;
        default: r = c >= 0; break;
        }
        REG(Arg(3)) = r ? am_true : am_false;
        NEXT_OP(i_compare);
    }
    OPCASE(i_element) {
        Term index = SRC(Arg(1)), t = SRC(Arg(2));
        if (term_is_small(index) && term_is_tuple(t) && small_value(index) >= 1 && (UWord)small_value(index) <= tuple_arity(t)) {
            REG(Arg(3)) = tuple_elements(t)[small_value(index) - 1];
            NEXT_OP(i_element);
        }
        if (Arg(0)) JUMP(Arg(0));
        bif_args[0] = index;
        bif_args[1] = t;
        err_pc = I;
        err_bif = export_get(am_erlang, am_element, 2);
        err_bif_arity = 2;
        c_p->freason = EXC_BADARG;
        goto bif_error;
    }

    /* --- exceptions --- */
    OPCASE(badmatch) { err_pc = I; RAISE(EXC_BADMATCH, SRC(Arg(0))); }
    OPCASE(case_end) { err_pc = I; RAISE(EXC_CASE_CLAUSE, SRC(Arg(0))); }
    OPCASE(if_end) { err_pc = I; RAISE(EXC_IF_CLAUSE, NIL); }
    OPCASE(try_case_end) { err_pc = I; RAISE(EXC_TRY_CLAUSE, SRC(Arg(0))); }
    OPCASE(badrecord) { err_pc = I; RAISE(EXC_BADRECORD, SRC(Arg(0))); }
    OPCASE(i_catch) {
        E[Arg(0)] = make_catch((const BeamInstr *)Arg(1));
        c_p->catches++;
        NEXT_OP(i_catch);
    }
    OPCASE(catch_end) {
        E[Arg(0)] = NIL;
        c_p->catches--;
        if (x[0] == THE_NON_VALUE) {
            SWAPOUT;
            x[0] = exception_catch_value(c_p, x[1], x[2], x[3]);
            SWAPIN;
        }
        NEXT_OP(catch_end);
    }
    OPCASE(try_end) {
        E[Arg(0)] = NIL;
        c_p->catches--;
        NEXT_OP(try_end);
    }
    OPCASE(try_case) {
        E[Arg(0)] = NIL;
        c_p->catches--;
        x[0] = x[3];
        NEXT_OP(try_case);
    }
    OPCASE(i_raise) {
        Term trace = SRC(Arg(0)), value = SRC(Arg(1));
        if (!exception_reraise(c_p, trace, value)) RAISE(EXC_BADARG, NIL);
        goto unwind;
    }
    OPCASE(build_stacktrace) {
        x[0] = exception_cooked_trace(x[0]);
        NEXT_OP(build_stacktrace);
    }
    OPCASE(raw_raise) {
        Term cls = x[0];
        unsigned c = cls == am_error ? EXC_CLASS_ERROR : cls == am_exit ? EXC_CLASS_EXIT : cls == am_throw ? EXC_CLASS_THROW : 99;
        if (c == 99) { x[0] = am_badarg; NEXT_OP(raw_raise); }
        c_p->freason = c | EXF_HAVE_TRACE;
        c_p->fvalue = x[1];
        c_p->ftrace = x[2];
        goto unwind;
    }

    /* --- funs --- */
    OPCASE(make_fun) {
        SWAPOUT;
        REG(Arg(1)) = make_fun(c_p, (const FunEntry *)Arg(0), I + 3, E, x);
        NEXT(OPSIZE_make_fun + Arg(2));
    }

    /* --- messages --- */
    OPCASE(send) {
        if (term_is_boxed(x[0]) || term_is_port(x[0])) {   /* {Name, Node}, an alias, a port: the BIF knows the forms */
            SWAPOUT;
            Term r = bif_erlang_send_2(c_p, x);
            SWAPIN;
            if (r == THE_NON_VALUE) {
                bif_args[0] = x[0]; bif_args[1] = x[1];
                err_pc = I; err_bif = export_get(am_erlang, am_send, 2); err_bif_arity = 2;
                goto bif_error;
            }
            x[0] = r;
            NEXT_OP(send);
        }
        Process *to = send_target(x[0]);
        if (!to && term_is_atom(x[0])) {
            to = process_whereis(x[0]);
            if (!to && registry_port(x[0]) != NIL) {   /* a registered port */
                SWAPOUT;
                port_send_message(c_p, registry_port(x[0]), x[1]);
                SWAPIN;
                x[0] = x[1];
                FCALLS -= 4;
                NEXT_OP(send);
            }
            if (!to) {
                bif_args[0] = x[0]; bif_args[1] = x[1];
                err_pc = I; err_bif = export_get(am_erlang, am_send, 2); err_bif_arity = 2;
                c_p->freason = EXC_BADARG;
                goto bif_error;
            }
        } else if (!to && !term_is_pid(x[0])) {
            bif_args[0] = x[0]; bif_args[1] = x[1];
            err_pc = I; err_bif = export_get(am_erlang, am_send, 2); err_bif_arity = 2;
            c_p->freason = EXC_BADARG;
            goto bif_error;
        }
        if (to) send_message(to, x[1]);
        x[0] = x[1];
        FCALLS -= 4;
        NEXT_OP(send);
    }
    OPCASE(loop_rec) {
    loop_rec_again:
        if (!*c_p->save) {
            Term why = receive_fetch(c_p);
            if (why != THE_NON_VALUE) {
                /* An exit signal killed the process. */
                SWAPOUT;
                END_SLICE;
                process_exit(sd, c_p, why);
                goto schedule;
            }
            if (!*c_p->save) JUMP(Arg(0));
        }
        if (__builtin_expect((*c_p->save)->kind == SIG_MARKER, 0)) {
            receive_skip_markers(c_p);
            goto loop_rec_again;
        }
        REG(Arg(1)) = (*c_p->save)->term;
        NEXT_OP(loop_rec);
    }
    OPCASE(loop_rec_end) {
        c_p->save = &(*c_p->save)->next;
        FCALLS--;
        JUMP(Arg(0));
    }
    OPCASE(remove_message) {
        receive_remove(c_p);
        NEXT_OP(remove_message);
    }
    OPCASE(wait) {
        WAIT_FETCH();
        c_p->i = (const BeamInstr *)Arg(0);
        SWAPOUT;
        END_SLICE;
        atomic_fetch_add_explicit(&sd->stats.context_switches, 1, memory_order_relaxed);
        save_args(c_p, x, 0);
        sched_wait(sd, c_p);
        goto schedule;
    }
    OPCASE(wait_timeout) {
        if (atomic_load_explicit(&c_p->timed_out, memory_order_relaxed)) NEXT_OP(wait_timeout);
        if (c_p->timeout_at == 0) {
            Term t = SRC(Arg(1));
            if (t == am_infinity) {
                c_p->timeout_at = UINT64_MAX;
            } else if (term_is_small(t) && small_value(t) >= 0 && small_value(t) <= 0xFFFFFFFFLL) {
                if (small_value(t) == 0) NEXT_OP(wait_timeout);
                c_p->timeout_at = monotonic_ms() + (uint64_t)small_value(t);
            } else {
                err_pc = I;
                RAISE(EXC_TIMEOUT_VALUE, NIL);
            }
        }
        WAIT_FETCH();
        c_p->i = (const BeamInstr *)Arg(0);
        SWAPOUT;
        END_SLICE;
        atomic_fetch_add_explicit(&sd->stats.context_switches, 1, memory_order_relaxed);
        save_args(c_p, x, 0);
        sched_wait(sd, c_p);
        goto schedule;
    }
    OPCASE(timeout) {
        if (c_p->timeout_at) receive_timeout_clear(c_p);
        c_p->save = &c_p->msgq;
        NEXT_OP(timeout);
    }
    /* Receive markers: see message.c. */
    OPCASE(recv_marker_reserve) {
        REG(Arg(0)) = receive_marker_reserve(c_p);
        NEXT_OP(recv_marker_reserve);
    }
    OPCASE(recv_marker_bind) {
        Term ref = SRC(Arg(1));
        if (term_is_boxed_with(ref, HDR_REF)) receive_marker_bind(c_p, SRC(Arg(0)), boxed_ptr(ref)[1]);
        NEXT_OP(recv_marker_bind);
    }
    OPCASE(recv_marker_clear) {
        Term ref = SRC(Arg(0));
        if (c_p->markers_used && term_is_boxed_with(ref, HDR_REF)) receive_marker_clear(c_p, boxed_ptr(ref)[1]);
        NEXT_OP(recv_marker_clear);
    }
    OPCASE(recv_marker_use) {
        Term ref = SRC(Arg(0));
        if (c_p->markers_used && term_is_boxed_with(ref, HDR_REF)) receive_marker_use(c_p, boxed_ptr(ref)[1]);
        NEXT_OP(recv_marker_use);
    }

    /* --- maps --- */
    {
        bool exact;
    OPCASE(put_map_assoc) {
        exact = false;
        goto put_map;
    }
    OPCASE(put_map_exact) {
        exact = true;
    put_map:;
        Term map = SRC(Arg(1));
        UWord n = Arg(4);
        Term kv[2 * 64 + 2];
        Term *pairs = n <= 2 * 64 ? kv : malloc(n * sizeof(Term));
        for (UWord i = 0; i < n; i++) pairs[i] = SRC(Arg(5 + i));
        SWAPOUT;
        Term r = term_is_map(map) ? map_put_many(c_p, map, pairs, n / 2, exact) : THE_NON_VALUE;
        SWAPIN;
        if (pairs != kv) free(pairs);
        if (r == THE_NON_VALUE) {
            if (!term_is_map(map)) { c_p->freason = EXC_BADMAP; c_p->fvalue = map; }
            if (Arg(0)) JUMP(Arg(0));
            err_pc = I;
            goto handle_error;
        }
        REG(Arg(2)) = r;
        NEXT(OPSIZE_put_map_assoc + n);
    }
    }
    OPCASE(get_map_elements) {
        Term map = SRC(Arg(1));
        UWord n = Arg(2);
        if (!term_is_map(map)) JUMP(Arg(0));
        for (UWord i = 0; i < n; i += 2) {
            Term v = map_get(map, SRC(Arg(3 + i)));
            if (v == THE_NON_VALUE) JUMP(Arg(0));
            REG(Arg(4 + i)) = v;
        }
        NEXT(OPSIZE_get_map_elements + n);
    }
    OPCASE(has_map_fields) {
        Term map = SRC(Arg(1));
        UWord n = Arg(2);
        if (!term_is_map(map)) JUMP(Arg(0));
        for (UWord i = 0; i < n; i++)
            if (map_get(map, SRC(Arg(3 + i))) == THE_NON_VALUE) JUMP(Arg(0));
        NEXT(OPSIZE_has_map_fields + n);
    }

    /* --- floats --- */
    OPCASE(fload) {
        Term t = SRC(Arg(0));
        if (term_is_float(t)) fr[Arg(1)] = float_value(t);
        else if (!number_to_double(t, &fr[Arg(1)])) { err_pc = I; RAISE(EXC_BADARITH, NIL); }
        NEXT_OP(fload);
    }
    OPCASE(fconv) {
        if (!number_to_double(SRC(Arg(0)), &fr[Arg(1)])) { err_pc = I; RAISE(EXC_BADARITH, NIL); }
        NEXT_OP(fconv);
    }
    OPCASE(fstore) {
        Term *hp = HAlloc(c_p, FLOAT_WORDS);
        REG(Arg(1)) = make_float(hp, fr[Arg(0)]);
        NEXT_OP(fstore);
    }
    OPCASE(fmove_ff) { fr[Arg(1)] = fr[Arg(0)]; NEXT_OP(fmove_ff); }
#define FARITH(name, expr) OPCASE(name) { \
        double r = (expr); \
        if (!isfinite(r)) { err_pc = I; RAISE(EXC_BADARITH, NIL); } \
        fr[Arg(2)] = r; \
        NEXT_OP(name); \
    }
    FARITH(fadd, fr[Arg(0)] + fr[Arg(1)])
    FARITH(fsub, fr[Arg(0)] - fr[Arg(1)])
    FARITH(fmul, fr[Arg(0)] * fr[Arg(1)])
    FARITH(fdiv, fr[Arg(0)] / fr[Arg(1)])
#undef FARITH
    OPCASE(fnegate) { fr[Arg(1)] = -fr[Arg(0)]; NEXT_OP(fnegate); }

    /* --- the bit syntax --- */
#include "emu_bits.inc"

    OPCASE(int_code_end) {
        fputs("cbeam: executed int_code_end\n", stderr);
        abort();
    }

    /* --- raising ------------------------------------------------------------ */
bif_error:
    /* A BIF failed: its frame (with the arguments) heads the stack trace. */
    SWAPOUT;
    exception_set_bif_frame(c_p, err_bif, bif_args, err_bif_arity);
    goto unwind;

handle_error:
    SWAPOUT;
    if (!err_pc) err_pc = I;
    exception_clear_bif_frame(c_p);
unwind: {
        SWAPOUT;
        Term *frame;
        exception_build(c_p, err_pc ? err_pc : I, E);
        err_pc = NULL;
        const BeamInstr *handler = exception_find_catch(c_p, E, &frame);
        if (handler) {
            E = frame;
            E[0] = NIL;   /* the CP of the call that raised is no longer a frame */
            x[0] = THE_NON_VALUE;
            x[1] = exception_reason(c_p);
            x[2] = c_p->ftrace;
            x[3] = exception_class_atom(c_p->freason);
            JUMP(handler);
        }
        END_SLICE;
        Term reason = exception_exit_reason(c_p);
        if (exc_class(c_p->freason) != EXC_CLASS_EXIT) log_crash(c_p, reason);
        process_exit(sd, c_p, reason);
        goto schedule;
    }
}
