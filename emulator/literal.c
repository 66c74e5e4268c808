#include "literal.h"

static Term *literal_alloc(term_sink *sink, size_t words)
{
    literal_area *la = (literal_area *)sink;
    if (words > SIZE_MAX / sizeof(Term)) return NULL;
    return arena_alloc(&la->words, words * sizeof(Term));
}

void literal_area_init(literal_area *la)
{
    la->sink.alloc = literal_alloc;
    la->sink.off_heap = &la->off_heap;
    la->words = (arena)ARENA_INIT;
    la->off_heap = (OffHeap){ 0 };
}

void literal_area_free(literal_area *la)
{
    offheap_release(&la->off_heap);
    arena_free(&la->words);
}
