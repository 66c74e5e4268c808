/*
 * export.h — the global export table: one entry per {Module, Function,
 * Arity} that any loaded code or term has named (OTP's erts_export_put).
 *
 * Entries are created on first mention, before the module is loaded, and
 * are never freed or moved, so an Export * may be stored in code and in fun
 * terms. `address` is where a call through the entry goes: the function's
 * code once its module is loaded, else the entry's own `trampoline`, which
 * loads the module or raises undef (see emu.c), or, for a BIF, calls it.
 * The table's index is protected by a mutex; `address` is published with a
 * release store when code is loaded; the other fields are fixed.
 */
#ifndef CB_EXPORT_H
#define CB_EXPORT_H

#include <stdatomic.h>

#include "term.h"

typedef uintptr_t BeamInstr;

typedef struct Export {
    Term module;
    Term function;
    uint32_t arity;
    const BeamInstr *_Atomic address;
    void *bif;                 /* BifFunction, or NULL if not a BIF */
    bool otp_bif;              /* OTP implements it as a BIF (bifs/otp_bifs.tab):
                                  never bound to a module's stub code */
    BeamInstr trampoline[4];   /* [handler, this Export *, ...]: see emu.c */
} Export;

/* Finds or creates the entry; NULL only when out of memory. A new entry's
 * address is its trampoline, which emu_init_export fills in. */
Export *export_put(Term module, Term function, uint32_t arity);
/* Finds the entry; NULL if nothing has named it. */
Export *export_get(Term module, Term function, uint32_t arity);

static inline const BeamInstr *export_address(const Export *e)
{
    return atomic_load_explicit(&((Export *)e)->address, memory_order_acquire);
}

/* Set once by the emulator: fills a new entry's trampoline. */
extern void (*export_init_hook)(Export *e);

#endif
