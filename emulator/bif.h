/*
 * bif.h — built-in functions: the calling convention and the table.
 *
 * A BIF is `Term bif_M_F_A(Process *p, Term *args)`: args[0..A) are its
 * arguments (they may be the scheduler's x registers: a BIF must read them
 * before it allocates nothing it could overwrite, and must not keep the
 * pointer). It returns the result, or THE_NON_VALUE after setting
 * p->freason/p->fvalue (BIF_ERROR in exception.h).
 *
 * A BIF allocates with HAlloc and never collects; it may not block. It
 * charges extra reductions for long work with BUMP_REDS.
 *
 * Every BIF is listed once, in one of the bifs/ *.tab files:
 *     BIF(module, "name", arity, c_name)
 * which generates the prototypes below (Term bif_c_name(Process *, Term *))
 * and the table bif_table[] (bifs/bif_table.c), installed into the export
 * table by emu_init(). A new .tab file is included here and in bif_table.c. A function that is not in the table is not a BIF: a
 * call to it goes to the module's code, or raises undef like OTP.
 */
#ifndef CB_BIF_H
#define CB_BIF_H

#include <stdio.h>
#include <stdlib.h>

#include "exception.h"
#include "process.h"
#include "prof.h"

typedef Term (*BifFunction)(Process *p, Term *args);

#define BIF(module, name, arity, c_name) Term bif_##c_name(Process *p, Term *args);
#include "bifs/erlang_terms.tab"
#include "bifs/erlang_arith.tab"
#include "bifs/erlang_misc.tab"
#include "bifs/cbeam_io.tab"
#include "bifs/lists.tab"
#include "bifs/maps.tab"
#include "bifs/binary.tab"
#include "bifs/unicode.tab"
#include "bifs/persistent_term.tab"
#include "bifs/os.tab"
#include "bifs/external.tab"
#include "bifs/ets.tab"
#include "bifs/erlang_load.tab"
#include "bifs/checksum.tab"
#include "bifs/system_monitor.tab"
#include "bifs/trace.tab"
#include "bifs/port.tab"
#include "bifs/file.tab"
#include "bifs/re.tab"
#undef BIF

typedef struct bif_entry {
    const char *module;
    const char *name;
    uint32_t arity;
    BifFunction fn;
} bif_entry;

extern const bif_entry bif_table[];
extern const size_t bif_count;

/* The C function of an OTP BIF that cbeam does not implement yet: raises
 * undef exactly as a call to a missing function does. */
Term bif_not_implemented(Process *p, Term *args);
static inline bool bif_is_implemented(const void *bif) { return bif && bif != (const void *)bif_not_implemented; }

#define BUMP_REDS(p, n) ((p)->fcalls -= (int)(n))

/* Not an exception: the BIF cannot finish now (another process it must
 * inspect is running on another scheduler, or has signals to handle
 * first). The caller is switched out and calls the BIF again with the
 * same arguments when it is next scheduled. */
#define EXC_YIELD_RETRY (1u << 30)
#define BIF_YIELD_RETRY(p) do { (p)->freason = EXC_YIELD_RETRY; prof_hint(PROF_END_YIELD); return THE_NON_VALUE; } while (0)
/* Not an exception either: erlang:hibernate/3 has put the arguments of
 * the function to continue with in x[0..p->arity) and its address in p->i;
 * the caller's stack is to be dropped and the process to wait. */
#define EXC_HIBERNATE (1u << 29)
/* Not an exception: the BIF continues as a call of the Erlang code at p->i
 * with p->arity arguments in x[0..) (OTP's BIF_TRAP), returning to the
 * BIF's caller (erlang:call_on_load_function/1). */
#define EXC_TRAP (1u << 28)

/* Work proportional to a list's length costs one reduction per this many
 * elements. */
#define ELEMENTS_PER_REDUCTION 10

/* A small integer argument within [lo, hi]: its value in *out. */
static inline bool small_in_range(Term t, SWord lo, SWord hi, SWord *out)
{
    if (!term_is_small(t) || small_value(t) < lo || small_value(t) > hi) return false;
    *out = small_value(t);
    return true;
}

/* HAlloc for BIFs: HAlloc fails only when memory is exhausted, and OTP
 * aborts the emulator then too ("Cannot allocate N bytes of memory"). */
static inline Term *bif_alloc(Process *p, size_t words)
{
    Term *hp = HAlloc(p, words);
    if (!hp) {
        fprintf(stderr, "cbeam: cannot allocate %zu heap words\n", words);
        abort();
    }
    return hp;
}

/* The bytes of iodata (a binary, or an iolist of bytes and binaries; no
 * bitstrings): *bytes points into t's binary when t is one, else into a
 * malloc'd copy returned in *owned, which the caller frees. False if t is
 * not iodata (bifs/binary.c). */
bool iodata_bytes(Process *p, Term t, const uint8_t **bytes, size_t *len, uint8_t **owned);

#endif
