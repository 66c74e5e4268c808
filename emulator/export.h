/*
 * export.h — the global export table: one entry per {Module, Function,
 * Arity} that any loaded code or term has named (OTP's erts_export_put).
 *
 * Entries are created on first mention, before the module is loaded, and
 * are never freed or moved, so an Export * may be stored in code and in fun
 * terms. `address[ix]` is the entry point in code index ix (CODE_IX_COUNT
 * staged views, so that loading can commit atomically; set by the emulator).
 * The table's index is protected by a mutex; reading an entry's fixed
 * fields needs no lock.
 */
#ifndef CB_EXPORT_H
#define CB_EXPORT_H

#include <stdatomic.h>

#include "term.h"

#define CODE_IX_COUNT 3

typedef struct Export {
    Term module;
    Term function;
    uint32_t arity;
    void *_Atomic address[CODE_IX_COUNT];
} Export;

/* Finds or creates the entry; NULL only when out of memory. */
Export *export_put(Term module, Term function, uint32_t arity);
/* Finds the entry; NULL if nothing has named it. */
Export *export_get(Term module, Term function, uint32_t arity);

#endif
