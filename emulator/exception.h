/*
 * exception.h — how an exception is described while it propagates.
 *
 * A failing BIF or instruction sets p->freason (and p->fvalue) and returns
 * THE_NON_VALUE; the interpreter then unwinds to the nearest catch. freason
 * packs the class (error, exit, throw) and the primary reason for errors
 * erts raises itself, whose term is built only when the exception is
 * caught or reaches the top (exception_reason()).
 */
#ifndef CB_EXCEPTION_H
#define CB_EXCEPTION_H

#include "process.h"

/* Classes (bits 0-1). */
#define EXC_CLASS_ERROR 0u
#define EXC_CLASS_EXIT  1u
#define EXC_CLASS_THROW 2u
#define EXC_CLASS_MASK  3u

/* Primary reasons (bits 8-15). EXCP_USER: the reason is p->fvalue. The
 * others build their reason from the list in exception.c, with p->fvalue
 * as the V of {badmatch,V}, {case_clause,V} and so on. */
#define EXC_PRIMARY_SHIFT 8
#define EXC_PRIMARY_LIST(X) \
    X(USER, "") \
    X(BADARG, "badarg") \
    X(BADARITH, "badarith") \
    X(BADMATCH, "badmatch") \
    X(CASE_CLAUSE, "case_clause") \
    X(FUNCTION_CLAUSE, "function_clause") \
    X(IF_CLAUSE, "if_clause") \
    X(TRY_CLAUSE, "try_clause") \
    X(UNDEF, "undef") \
    X(BADFUN, "badfun") \
    X(BADARITY, "badarity") \
    X(BADRECORD, "badrecord") \
    X(BADKEY, "badkey") \
    X(BADMAP, "badmap") \
    X(SYSTEM_LIMIT, "system_limit") \
    X(TIMEOUT_VALUE, "timeout_value") \
    X(NOPROC, "noproc") \
    X(NOTALIVE, "notalive") \
    X(BAD_GENERATOR, "bad_generator")

enum exc_primary {
#define X(id, text) EXCP_##id,
    EXC_PRIMARY_LIST(X)
#undef X
    EXCP__COUNT
};

/* Flags (bits 16+). */
#define EXF_HAVE_TRACE     (1u << 16) /* p->ftrace already holds the raw trace */

#define EXC(cls, primary) ((cls) | ((unsigned)(primary) << EXC_PRIMARY_SHIFT))
#define EXC_ERROR       EXC(EXC_CLASS_ERROR, EXCP_USER)
#define EXC_EXIT        EXC(EXC_CLASS_EXIT, EXCP_USER)
#define EXC_THROWN      EXC(EXC_CLASS_THROW, EXCP_USER)
#define EXC_BADARG      EXC(EXC_CLASS_ERROR, EXCP_BADARG)
#define EXC_BADARITH    EXC(EXC_CLASS_ERROR, EXCP_BADARITH)
#define EXC_BADMATCH    EXC(EXC_CLASS_ERROR, EXCP_BADMATCH)
#define EXC_CASE_CLAUSE EXC(EXC_CLASS_ERROR, EXCP_CASE_CLAUSE)
#define EXC_FUNCTION_CLAUSE EXC(EXC_CLASS_ERROR, EXCP_FUNCTION_CLAUSE)
#define EXC_IF_CLAUSE   EXC(EXC_CLASS_ERROR, EXCP_IF_CLAUSE)
#define EXC_TRY_CLAUSE  EXC(EXC_CLASS_ERROR, EXCP_TRY_CLAUSE)
#define EXC_UNDEF       EXC(EXC_CLASS_ERROR, EXCP_UNDEF)
#define EXC_BADFUN      EXC(EXC_CLASS_ERROR, EXCP_BADFUN)
#define EXC_BADARITY    EXC(EXC_CLASS_ERROR, EXCP_BADARITY)
#define EXC_BADRECORD   EXC(EXC_CLASS_ERROR, EXCP_BADRECORD)
#define EXC_BADKEY      EXC(EXC_CLASS_ERROR, EXCP_BADKEY)
#define EXC_BADMAP      EXC(EXC_CLASS_ERROR, EXCP_BADMAP)
#define EXC_SYSTEM_LIMIT EXC(EXC_CLASS_ERROR, EXCP_SYSTEM_LIMIT)
#define EXC_TIMEOUT_VALUE EXC(EXC_CLASS_ERROR, EXCP_TIMEOUT_VALUE)

static inline unsigned exc_class(uint32_t freason) { return freason & EXC_CLASS_MASK; }
static inline unsigned exc_primary(uint32_t freason) { return (freason >> EXC_PRIMARY_SHIFT) & 0xFFu; }

/* Sets the exception and returns THE_NON_VALUE, for `return` in BIFs. */
static inline Term raise_error(Process *p, uint32_t freason, Term value)
{
    p->freason = freason;
    p->fvalue = value;
    return THE_NON_VALUE;
}
#define BIF_ERROR(p, reason) return raise_error((p), (reason), NIL)
#define BIF_ERROR_VALUE(p, reason, value) return raise_error((p), (reason), (value))
/* As BIF_ERROR, with `cause => Cause` in the frame's error_info map (an
 * atom or another term OTP's erl_*_errors modules know). */
#define BIF_ERROR_CAUSE(p, reason, cause) do { (p)->error_cause = (cause); return raise_error((p), (reason), NIL); } while (0)

/* The reason term of the exception in p (allocates on p's heap; once
 * built, it is kept in p->fvalue). */
Term exception_reason(Process *p);
/* The class atom: error, exit or throw. */
Term exception_class_atom(uint32_t freason);

/* --- used by the interpreter (emu.c) while raising ---------------------
 * The raw stack trace that try/catch handlers see in x2 is a 2-tuple
 * {Class, Frames} with the frames already cooked: build_stacktrace takes
 * the frames, raise/2 and raw_raise re-raise with it unchanged. */
struct Export;
/* The BIF e failed with these arguments: its frame heads the trace. */
void exception_set_bif_frame(Process *p, const struct Export *e, const Term *args, unsigned arity);
void exception_clear_bif_frame(Process *p);
/* The NIF mfa failed with these arguments: {M, F, Args, []} heads the
 * trace (OTP gives NIF frames no error_info). */
void exception_set_nif_frame(Process *p, const MFA *mfa, const Term *args);
/* function_clause in mfa: the frame shows the arguments x[0..arity). */
void exception_set_function_args(Process *p, const MFA *mfa, const Term *x);
/* Builds p->ftrace for the exception raised at pc with stack top E (unless
 * EXF_HAVE_TRACE). */
void exception_build(Process *p, const void *pc, Term *E);
/* The innermost catch: its handler address, with *frame set to the stack
 * top of the function that owns it; NULL if there is none. */
const uintptr_t *exception_find_catch(Process *p, Term *E, Term **frame);
/* Sets up re-raising `value` with a raw trace; false if trace is not one. */
bool exception_reraise(Process *p, Term raw_trace, Term value);
/* process_info(Q, current_stacktrace): Q's current function and the
 * functions its stack returns to (at most 8 frames, with locations), on
 * p's heap. Q is p or is not running. */
Term exception_current_stacktrace(Process *p, Process *q);
/* The frames of a raw trace (build_stacktrace). */
Term exception_cooked_trace(Term raw_trace);
/* What `catch Expr` evaluates to for a caught exception. */
Term exception_catch_value(Process *p, Term reason, Term raw_trace, Term class_atom);
/* The exit reason of a process that did not catch the exception. */
Term exception_exit_reason(Process *p);
/* A call reached the export e, whose module has no such function: either
 * the address of the process's error handler's undefined_function/3 (with
 * x set up for it), or NULL after raising undef. */
const uintptr_t *exception_undefined_function(Process *p, struct Export *e, Term *x);

#endif
