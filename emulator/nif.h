/*
 * nif.h — NIFs: C functions that replace stub functions of a module when
 * its on_load function calls erlang:load_nif/2 (OTP's erl_nif), for OTP's
 * NIF-backed preloaded modules (zlib; prim_file later).
 *
 * Libraries are linked statically, like OTP's static NIFs: a library is
 * named after its module, and every NIF is listed once in a nifs/ *.tab
 * file as
 *     NIF(module, "name", arity, c_name)
 * generating `Term nif_c_name(Process *, Term *)` and nif_table[]. A NIF
 * uses the BIF calling convention (bif.h): arguments in args[0..arity),
 * result returned, or THE_NON_VALUE after setting p->freason/p->fvalue
 * (BIF_ERROR, raise_error); it allocates with HAlloc and never collects;
 * BIF_YIELD_RETRY works as for BIFs. Its frame heads the trace of what it
 * raises, as {M, F, Args, []}.
 *
 * Binding (nif_bind): the stub's entry is the room codegen reserved for
 * the `nif_start` instruction OTP 25's compiler puts at NIF functions
 * (i_nif_start: three words that do nothing); a function without it must
 * be at least as large. Its words become call_nif (C function, MFA), so
 * local calls (to the label) and remote calls (the export's address) both
 * reach the C function. It happens while the module's exports are not yet
 * published (on_load pending, module.c), so no other process runs that
 * code; the opcode word is stored last with release order.
 */
#ifndef CB_NIF_H
#define CB_NIF_H

#include "bif.h"
#include "emu.h"

#define NIF(module, name, arity, c_name) Term nif_##c_name(Process *p, Term *args);
#include "nifs/zlib.tab"
#include "nifs/prim_file.tab"
#include "nifs/prim_buffer.tab"
#include "nifs/erl_tracer.tab"
#undef NIF

typedef struct nif_entry {
    const char *module;
    const char *name;
    uint32_t arity;
    BifFunction fn;
} nif_entry;

extern const nif_entry nif_table[];
extern const size_t nif_count;

/* Binds the NIF library `lib` (a module name) into lc. Returns am_ok, or
 * {error, {Reason, Text}} built on p's heap, as OTP's load_nif does. */
Term nif_bind(Process *p, LoadedCode *lc, const char *lib, const char *path);

/* An iovec term as NIFs take it: a binary or a proper list of binaries. */
bool nif_is_iovec(Term t);

#endif
