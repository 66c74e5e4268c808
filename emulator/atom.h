/*
 * atom.h — the global atom table.
 *
 * Atoms are interned UTF-8 strings of at most ATOM_MAX_CHARS characters
 * (code points, not bytes), identified by a dense index that is stored in
 * the immediate term. The table is shared by all schedulers:
 *  - atom_text()/atom_len() are lock-free: entries live in fixed segments
 *    that never move, published with release stores.
 *  - atom_put()/atom_lookup() take the table's mutex for the hash probe.
 * Atoms are never freed (as in OTP). Indices 0..AM__COUNT-1 are the
 * predefined atoms of atoms.tab, available as am_NAME constants.
 */
#ifndef CB_ATOM_H
#define CB_ATOM_H

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "term.h"

#define ATOM_MAX_CHARS 255
#define ATOM_DEFAULT_LIMIT 1048576u

enum {
#define ATOM(id, text) AM_##id,
#include "atoms.tab"
#undef ATOM
    AM__COUNT
};
#define ATOM(id, text) static const Term am_##id = ((Term)AM_##id << TAG_IMMED2_SIZE) | TAG_IMMED2_ATOM;
#include "atoms.tab"
#undef ATOM

typedef enum {
    ATOM_OK = 0,
    ATOM_TOO_LONG,      /* more than ATOM_MAX_CHARS characters: system_limit */
    ATOM_BAD_UTF8,      /* not valid UTF-8: badarg */
    ATOM_TABLE_FULL,    /* the atom limit is reached: system_limit */
} atom_status;

/* Creates the table with the predefined atoms. Call once, before any
 * other thread uses atoms. limit 0 means ATOM_DEFAULT_LIMIT. */
void atom_init(uint32_t limit);

/* Interns `len` bytes of UTF-8 text. On success stores the atom term. */
atom_status atom_put(const char *text, size_t len, Term *out);
/* Interns Latin-1 text (each byte one code point), as the old ATOM_EXT. */
atom_status atom_put_latin1(const char *text, size_t len, Term *out);
/* Finds an existing atom; false if there is none. */
bool atom_lookup(const char *text, size_t len, Term *out);

/* The VM itself needed a new atom and the table is full: as OTP, print
 * "no more index entries in atom_tab (max=N)" and exit with status 1. */
_Noreturn void atom_table_full_exit(void);

/* An atom that is not in atoms.tab, interned on first use and cached in
 * *slot; ATOM_NAMED("text") gives each use site its own slot. A race only
 * repeats the interning, which returns the same atom. */
static inline Term atom_cached(_Atomic Term *slot, const char *name)
{
    Term a = atomic_load_explicit(slot, memory_order_relaxed);
    if (a == THE_NON_VALUE) {
        if (atom_put(name, strlen(name), &a) != ATOM_OK) atom_table_full_exit();
        atomic_store_explicit(slot, a, memory_order_relaxed);
    }
    return a;
}
#define ATOM_NAMED(name) ({ _Static_assert(__builtin_constant_p(name), "ATOM_NAMED takes a string literal"); \
                           static _Atomic Term slot_; atom_cached(&slot_, (name)); })

const char *atom_text(Term atom);   /* NUL-terminated UTF-8 */
size_t atom_len(Term atom);         /* in bytes */
uint32_t atom_count(void);
uint32_t atom_limit(void);

#endif
