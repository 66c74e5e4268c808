/*
 * term_sink.h — where code that builds terms of a size it cannot know in
 * advance (the external-term decoder, map construction) gets its words.
 *
 * A sink hands out blocks of heap words that stay valid until its owner
 * frees them all at once: a module's literal area (emulator/literal.h), and
 * later a process's heap fragments. ProcBins and other off-heap references
 * created in the sink are linked into `off_heap`.
 */
#ifndef CB_TERM_SINK_H
#define CB_TERM_SINK_H

#include "binary.h"

typedef struct term_sink term_sink;
struct term_sink {
    /* Returns `words` words, or NULL when out of memory. */
    Term *(*alloc)(term_sink *sink, size_t words);
    OffHeap *off_heap;
};

static inline Term *sink_alloc(term_sink *sink, size_t words) { return sink->alloc(sink, words); }

#endif
