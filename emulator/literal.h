/*
 * literal.h — a literal area: terms that live outside every process heap
 * (a module's literals, bignums the loader makes from operands). OTP's
 * ErtsLiteralArea. The GC never copies a term that points into one.
 *
 * Filled by one thread while a module loads, read-only after; freed when the
 * last code that references it is purged, which releases its off-heap
 * binaries.
 */
#ifndef CB_LITERAL_H
#define CB_LITERAL_H

#include <stdint.h>

#include "arena.h"
#include "term_sink.h"

typedef struct literal_area {
    term_sink sink;   /* first member: a literal_area * is a term_sink * */
    arena words;
    OffHeap off_heap;
} literal_area;

void literal_area_init(literal_area *la);
void literal_area_free(literal_area *la);

#endif
