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
#include <string.h>

#include "atom.h"
#include "bif.h"
#include "emu.h"
#include "nif.h"

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
