/*
 * copy.c — copying a term from one heap to another (messages, spawn
 * arguments). Sharing inside the term is not preserved, as in OTP.
 * Iterative over list tails; nesting recurses on an explicit stack, so deep
 * terms cannot overflow the C stack.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binary.h"
#include "scheduler.h"

/* A growable stack of term pointers still to visit. */
typedef struct work {
    Term **items;
    size_t n, cap;
} work;

static void push(work *w, Term *slot)
{
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        w->items = realloc(w->items, w->cap * sizeof *w->items);
        if (!w->items) {
            fputs("cbeam: out of memory copying a term\n", stderr);
            abort();
        }
    }
    w->items[w->n++] = slot;
}

/* For a boxed object: how many words it has, and which of them (first ..
 * first+count) are terms to follow. */
static size_t object_layout(const Term *obj, size_t *first, size_t *count)
{
    Term h = obj[0];
    size_t words = header_object_words(h);
    *first = 1;
    *count = 0;
    switch (header_subtag(h)) {
    case HDR_TUPLE: *count = words - 1; break;
    case HDR_FUN: *first = 4; *count = words - 4; break;   /* creator (another node's pid is boxed) and env */
    case HDR_SUB_BIN: *first = 4; *count = 1; break;       /* orig */
    case HDR_MAP:
        switch (map_header_kind(h)) {
        case MAP_KIND_FLAT: *first = 2; *count = words - 2; break;   /* keys tuple, values */
        case MAP_KIND_NODE_BITMAP: *first = 1; *count = words - 1; break;
        default: *first = 2; *count = words - 2; break;             /* heads: size word */
        }
        break;
    default: break;   /* numbers, binaries, refs: raw words */
    }
    return words;
}

size_t size_object(Term t)
{
    size_t total = 0;
    work w = { 0 };
    Term root = t;
    Term *cur = &root;
    for (;;) {
        Term v = *cur;
        while (term_is_list(v)) {
            total += 2;
            Term *cell = list_ptr(v);
            if (!term_is_immed(cell[0])) push(&w, &cell[0]);
            v = cell[1];
        }
        if (term_is_boxed(v)) {
            const Term *obj = boxed_ptr(v);
            size_t first, count;
            total += object_layout(obj, &first, &count);
            for (size_t i = 0; i < count; i++)
                if (!term_is_immed(obj[first + i])) push(&w, (Term *)&obj[first + i]);
        }
        if (w.n == 0) break;
        cur = w.items[--w.n];
    }
    free(w.items);
    return total;
}

/* Copies one boxed object, leaving its term words to be fixed up. */
static Term copy_boxed(Term v, Term **hp, OffHeap *oh, work *w)
{
    const Term *obj = boxed_ptr(v);
    size_t first, count;
    size_t words = object_layout(obj, &first, &count);
    Term *to = *hp;
    memcpy(to, obj, words * sizeof(Term));
    *hp += words;
    if (header_subtag(obj[0]) == HDR_REFC_BIN) {
        ProcBin *pb = (ProcBin *)to;
        binary_ref(pb->val);
        pb->next = oh->first;
        oh->first = pb;
        offheap_add_overhead(oh, pb->size / sizeof(Term));
    } else if (header_is_magic_ref(obj[0])) {
        binary_ref((Binary *)(uintptr_t)to[3]);
        to[2] = (Term)(uintptr_t)oh->first;
        oh->first = (ProcBin *)to;
    } else if (header_subtag(obj[0]) == HDR_FUN) {
        ((FunThing *)to)->next = NULL;
    }
    for (size_t i = 0; i < count; i++)
        if (!term_is_immed(to[first + i])) push(w, &to[first + i]);
    return make_boxed(to);
}

/* Copies the term in *slot (on the source heap) and stores the copy back
 * into *slot, which is on the destination heap (or the root). */
static void copy_into(Term *slot, Term **hp, OffHeap *oh, work *w)
{
    Term v = *slot;
    while (term_is_list(v)) {
        Term *cell = *hp;
        *hp += 2;
        const Term *src = list_ptr(v);
        cell[0] = src[0];
        if (!term_is_immed(cell[0])) push(w, &cell[0]);
        *slot = make_list(cell);
        slot = &cell[1];
        v = src[1];
    }
    *slot = term_is_boxed(v) ? copy_boxed(v, hp, oh, w) : v;
}

Term copy_object(Term t, Term **hp, OffHeap *oh)
{
    Term root = t;
    work w = { 0 };
    copy_into(&root, hp, oh, &w);
    while (w.n) copy_into(w.items[--w.n], hp, oh, &w);
    free(w.items);
    return root;
}
