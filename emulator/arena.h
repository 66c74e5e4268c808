/*
 * arena.h — a bump allocator for data that lives and dies together (a loaded
 * module's tables, a literal area). Not thread-safe: an arena has one owner
 * while it is being filled, and is read-only once published.
 */
#ifndef CB_ARENA_H
#define CB_ARENA_H

#include <stddef.h>

typedef struct arena_chunk arena_chunk;

typedef struct arena {
    arena_chunk *head;
    size_t bytes;      /* total handed out, for accounting */
} arena;

#define ARENA_INIT { NULL, 0 }

/* 16-byte aligned memory, or NULL when out of memory (or n is absurd). */
void *arena_alloc(arena *a, size_t n);
/* As arena_alloc, zero-filled. */
void *arena_calloc(arena *a, size_t count, size_t size);
void arena_free(arena *a);

#endif
