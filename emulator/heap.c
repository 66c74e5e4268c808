/*
 * heap.c — a process's memory outside collections: the heap+stack block,
 * heap fragments, and their release. Collection itself is in gc.c.
 */
#include "gc.h"

#include <stdlib.h>

#include "map.h"

/* Fragments smaller than this are rounded up, so that a run of small
 * allocations on a full heap shares a fragment instead of mallocing each. */
#define FRAG_MIN_WORDS 32

/* A new allocation fragment is as large as all fragments so far (up to the
 * heap's size, where a collection is due anyway): a BIF-heavy loop on a
 * full heap then makes O(log heap_size) fragments before its collection,
 * not heap_size / FRAG_MIN_WORDS, each of which the collector must sort
 * and search. */
static size_t next_frag_words(const Process *p, size_t need)
{
    size_t size = p->mbuf_words < p->heap_size ? p->mbuf_words : p->heap_size;
    if (size < FRAG_MIN_WORDS) size = FRAG_MIN_WORDS;
    return need > size ? need : size;
}

bool heap_init(Process *p, size_t words)
{
    size_t size = gc_next_heap_size(words < 2 ? 2 : words);
    Term *block = malloc(size * sizeof(Term));
    p->heap = p->htop = p->high_water = block;
    p->hend = block ? block + size : NULL;
    p->stop = block ? p->hend - 1 : NULL;
    if (block) *p->stop = NIL; /* the initial CP slot */
    p->old_heap = p->old_htop = p->old_hend = NULL;
    p->mbuf = NULL;
    p->mbuf_words = 0;
    p->heap_size = block ? size : 0;
    p->min_heap_size = p->heap_size;
    p->gen_gcs = 0;
    p->max_gen_gcs = GC_DEFAULT_MAX_GEN_GCS;
    p->off_heap = (OffHeap){ 0 };
    return block != NULL;
}

/* Releases what an off-heap list holds: Binaries of ProcBins and magic
 * refs (funs on the list hold nothing to release). */
static void release_off_heap(OffHeap *oh)
{
    for (ProcBin *pb = oh->first; pb; pb = pb->next)
        if (offheap_holds_binary((const Term *)pb)) binary_release(pb->val);
    *oh = (OffHeap){ 0 };
}

void heap_frag_free_chain(heap_frag *f)
{
    while (f) {
        heap_frag *next = f->next;
        release_off_heap(&f->off_heap);
        free(f);
        f = next;
    }
}

void heap_destroy(Process *p)
{
    release_off_heap(&p->off_heap);
    heap_frag_free_chain(p->mbuf);
    free(p->heap);
    free(p->old_heap);
    free(p->spare_heap);
    p->spare_heap = NULL;
    p->heap = p->htop = p->stop = p->hend = p->high_water = NULL;
    p->old_heap = p->old_htop = p->old_hend = NULL;
    p->mbuf = NULL;
    p->mbuf_words = 0;
    p->heap_size = 0;
}

Term *heap_alloc_slow(Process *p, size_t need)
{
    heap_frag *f = p->mbuf;
    if (!f || f->size - f->used < need) {
        size_t size = next_frag_words(p, need);
        if (size > (SIZE_MAX - sizeof *f) / sizeof(Term)) return NULL;
        f = malloc(sizeof *f + size * sizeof(Term));
        if (!f) return NULL;
        f->used = 0;
        f->size = size;
        f->off_heap = (OffHeap){ 0 };
        f->next = p->mbuf;
        p->mbuf = f;
    }
    Term *hp = f->mem + f->used;
    f->used += need;
    p->mbuf_words += need;
    if (p->mbuf_words > p->heap_size) p->off_heap.gc_due = true;
    return hp;
}

void heap_join_fragment(Process *p, heap_frag *f)
{
    /* Behind the head: the head stays the fragment HAlloc fills. */
    heap_frag **at = p->mbuf ? &p->mbuf->next : &p->mbuf;
    f->next = *at;
    *at = f;
    p->mbuf_words += f->used;
    if (p->mbuf_words > p->heap_size) p->off_heap.gc_due = true;
}

/* [from, from + words) must be the last words handed out: the top of the
 * heap, or the top of the newest fragment. */
void heap_release(Process *p, Term *from, size_t words)
{
    if (from >= p->heap && from <= p->htop) {
        p->htop = from;
        return;
    }
    heap_frag *f = p->mbuf;
    if (f && from >= f->mem && from <= f->mem + f->used) {
        size_t given_back = (size_t)(f->mem + f->used - from);
        f->used -= given_back;
        p->mbuf_words -= given_back;
    }
    (void)words;
}

static Term *proc_sink_alloc(term_sink *sink, size_t words) { return HAlloc(((proc_sink *)sink)->p, words); }

void proc_sink_init(proc_sink *s, Process *p)
{
    s->base.alloc = proc_sink_alloc;
    s->base.off_heap = &p->off_heap;
    s->p = p;
}

Term map_from_pairs_on_heap(Process *p, const Term *keys, const Term *values, size_t n)
{
    proc_sink s;
    proc_sink_init(&s, p);
    return map_from_pairs(&s.base, keys, values, n);
}
