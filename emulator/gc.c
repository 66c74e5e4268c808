/*
 * gc.c — generational copying collection of one process (see gc.h for the
 * contract, the object table and the forwarding scheme).
 *
 * A collection names its from-space as a sorted table of address ranges
 * (young heap, fragments, and the old heap in a major), each with the
 * space its survivors go to (new young block or old heap). A pointer
 * outside every range is shared data and stays as it is. Survivors are
 * copied Cheney-style: roots first, then the copied objects are scanned in
 * allocation order in both destinations until neither grows.
 *
 * Sizing follows OTP's erl_gc.c: the new block is large enough for
 * everything that might survive; afterwards the heap is shrunk or grown by
 * moving the block and adding a constant offset to every pointer into it
 * (OTP's shrink_new_heap/grow_new_heap).
 */
#include "atom.h"
#include "gc.h"
#include "scheduler.h"
#include "sysmon.h"
#include "term_build.h"
#include "vm_log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * The heap-size ladder (OTP erts_init_gc): 12, 38, then a[i] = a[i-1] +
 * a[i-2] + 1 up to 23 sizes, then +20% per step while below 2^53 bytes.
 * ------------------------------------------------------------------------ */
#define MAX_HEAP_SIZES 154
#define FIB_HEAP_SIZES 23

static size_t heap_sizes[MAX_HEAP_SIZES];
static unsigned num_heap_sizes;
static pthread_once_t ladder_once = PTHREAD_ONCE_INIT;

static void build_ladder(void)
{
    const size_t max_words = ((size_t)1 << 53) / sizeof(Term);
    heap_sizes[0] = 12;
    heap_sizes[1] = 38;
    unsigned i;
    for (i = 2; i < FIB_HEAP_SIZES; i++) heap_sizes[i] = heap_sizes[i - 1] + heap_sizes[i - 2] + 1;
    for (; i < MAX_HEAP_SIZES; i++) {
        heap_sizes[i] = heap_sizes[i - 1] + heap_sizes[i - 1] / 5;
        if (heap_sizes[i] > max_words) break;
    }
    num_heap_sizes = i;
}

static const size_t *ladder(void)
{
    pthread_once(&ladder_once, build_ladder);
    return heap_sizes;
}

unsigned gc_heap_size_count(void)
{
    ladder();
    return num_heap_sizes;
}

size_t gc_heap_size_at(unsigned i)
{
    const size_t *l = ladder();
    return i < num_heap_sizes ? l[i] : l[num_heap_sizes - 1];
}

/* Index of the smallest ladder size >= words (the last one if none). */
static unsigned ladder_index(size_t words)
{
    const size_t *l = ladder();
    unsigned lo = 0, hi = num_heap_sizes - 1;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (l[mid] >= words) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

size_t gc_next_heap_size(size_t words) { return gc_heap_size_at(ladder_index(words)); }

/* OTP's next_heap_size(p, size, offset): `offset` steps above the ladder
 * size for `words`, never below the process's minimum. */
static size_t next_heap_size(const Process *p, size_t words, unsigned offset)
{
    size_t size = gc_heap_size_at(ladder_index(words) + offset);
    return size < p->min_heap_size ? p->min_heap_size : size;
}

/* ------------------------------------------------------------------------
 * Which words of an object are terms (the table of gc.h).
 * ------------------------------------------------------------------------ */
enum { TERMS_NONE, TERMS_ONE, TERMS_TO_END };
static const struct { uint8_t first, kind; } object_terms[16] = {
    [HDR_TUPLE >> 2]          = { 1, TERMS_TO_END },
    [HDR_BIN_MATCHSTATE >> 2] = { 1, TERMS_ONE },
    [HDR_POS_BIG >> 2]        = { 0, TERMS_NONE },
    [HDR_NEG_BIG >> 2]        = { 0, TERMS_NONE },
    [HDR_REF >> 2]            = { 0, TERMS_NONE },
    [HDR_FUN >> 2]            = { 4, TERMS_TO_END },
    [HDR_FLOAT >> 2]          = { 0, TERMS_NONE },
    [HDR_REFC_BIN >> 2]       = { 0, TERMS_NONE },
    [HDR_HEAP_BIN >> 2]       = { 0, TERMS_NONE },
    [HDR_SUB_BIN >> 2]        = { 4, TERMS_ONE },
    [HDR_EXTERNAL_PID >> 2]   = { 0, TERMS_NONE },
    [HDR_EXTERNAL_PORT >> 2]  = { 0, TERMS_NONE },
    [HDR_EXTERNAL_REF >> 2]   = { 0, TERMS_NONE },
    [HDR_MAP >> 2]            = { 2, TERMS_TO_END }, /* node kind adjusts */
};

static bool subtag_is_valid(unsigned subtag) { return subtag != 0x1Cu && subtag != 0x2Cu; }

/* Returns the object's size in words (header included); its terms are
 * obj[*first .. *first + *count). */
static size_t object_term_words(Term header, size_t *first, size_t *count)
{
    size_t words = header_object_words(header);
    unsigned subtag = header_subtag(header);
    size_t f = object_terms[subtag >> 2].first;
    if (subtag == HDR_MAP && map_header_kind(header) == MAP_KIND_NODE_BITMAP) f = 1;
    size_t n = 0;
    switch (object_terms[subtag >> 2].kind) {
    case TERMS_ONE: n = words > f ? 1 : 0; break;
    case TERMS_TO_END: n = words > f ? words - f : 0; break;
    default: break;
    }
    *first = f;
    *count = n;
    return words;
}

/* A match state caches a pointer to its binary's bytes; when the binary
 * is a heap binary that pointer follows it (OTP's mb->base fix-up). */
static void fix_match_state(Term *obj)
{
    if (header_subtag(obj[0]) != HDR_BIN_MATCHSTATE || header_arity(obj[0]) < 2) return;
    Term orig = obj[1];
    if (term_is_boxed_with(orig, HDR_HEAP_BIN)) obj[2] = (Term)(uintptr_t)(boxed_ptr(orig) + 2);
}

/* ------------------------------------------------------------------------
 * Visiting term slots: roots, objects, areas.
 * ------------------------------------------------------------------------ */
typedef void (*slot_fn)(void *ctx, Term *slot);

/* The visitors are inlined wherever fn is a constant, so that copying
 * does not pay an indirect call per word. */
#define GC_INLINE static inline __attribute__((always_inline))

GC_INLINE void visit_slots(Term *slots, size_t n, slot_fn fn, void *ctx)
{
    for (size_t i = 0; i < n; i++) fn(ctx, &slots[i]);
}

/* Everything but the stack, which callers visit where it lies. */
GC_INLINE void visit_roots(Process *p, Term *x, unsigned live, slot_fn fn, void *ctx)
{
    visit_slots(x, live, fn, ctx);
    fn(ctx, &p->dictionary);
    fn(ctx, &p->fvalue);
    fn(ctx, &p->ftrace);
    fn(ctx, &p->top_frame);
    fn(ctx, &p->top_frame_info);
    /* group_leader is a pid: an immediate, never moved. */
    Term *regs = gc_saved_regs(p);
    if (regs) visit_slots(regs, p->arity, fn, ctx);
    /* Of the queued messages, only those on the heap (process.h). */
    for (uint32_t i = 0; i < p->nheap_msgs; i++) fn(ctx, &p->heap_msgs[i]->term);
}

/* Visits the term words of the object or list word at w; returns how many
 * words it covers. A word that is not a header is one term of a cons. */
GC_INLINE size_t visit_heap_word(Term *w, slot_fn fn, void *ctx)
{
    if (!term_is_header(*w)) {
        fn(ctx, w);
        return 1;
    }
    size_t first, count;
    size_t words = object_term_words(*w, &first, &count);
    visit_slots(w + first, count, fn, ctx);
    return words;
}

/* ------------------------------------------------------------------------
 * From-space: the ranges being collected.
 * ------------------------------------------------------------------------ */
enum dest { TO_YOUNG, TO_OLD };

typedef struct region {
    Term *lo, *hi;
    enum dest dest;
} region;

#define LOCAL_REGIONS 8

typedef struct gc_state {
    /* The young heap [young_lo, young_hi) is looked up without a search:
     * below young_mid its data goes to young_low_dest. Anything else is
     * searched in regions only when there are other ranges (fragments, the
     * old heap of a major). */
    Term *young_lo, *young_mid, *young_hi;
    enum dest young_low_dest;
    bool search_others;
    region *regions;
    region local_regions[LOCAL_REGIONS];
    unsigned nregions;
    Term *young_top; /* next free word of the new young block */
    Term *old_top;   /* next free word of the old heap (promotion) */
    size_t copied;   /* words copied, for the reduction cost */
} gc_state;

static const region *find_region(const gc_state *gc, const Term *ptr)
{
    unsigned lo = 0, hi = gc->nregions;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        const region *r = &gc->regions[mid];
        if (ptr < r->lo) hi = mid;
        else if (ptr >= r->hi) lo = mid + 1;
        else return r;
    }
    return NULL;
}

/* Where the object at ptr goes: 0 if it is not collected. */
GC_INLINE Term **dest_top(gc_state *gc, const Term *ptr)
{
    if (ptr >= gc->young_lo && ptr < gc->young_hi)
        return ptr < gc->young_mid && gc->young_low_dest == TO_OLD ? &gc->old_top : &gc->young_top;
    if (!gc->search_others) return NULL;
    const region *r = find_region(gc, ptr);
    if (!r) return NULL;
    return r->dest == TO_OLD ? &gc->old_top : &gc->young_top;
}

static void add_region(gc_state *gc, Term *lo, Term *hi, enum dest dest)
{
    if (lo < hi) gc->regions[gc->nregions++] = (region){ lo, hi, dest };
}

static int region_order(const void *a, const void *b)
{
    const region *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Minor: mature young data to the old heap, the rest of the young
 * generation to the new block. Major: everything to the new block. */
static void free_regions(gc_state *gc)
{
    if (gc->regions != gc->local_regions) free(gc->regions);
}

static bool build_regions(gc_state *gc, const Process *p, bool major)
{
    unsigned n = 3;
    for (heap_frag *f = p->mbuf; f; f = f->next) n++;
    gc->regions = n <= LOCAL_REGIONS ? gc->local_regions : malloc(n * sizeof *gc->regions);
    if (!gc->regions) return false;
    gc->nregions = 0;
    if (major) {
        add_region(gc, p->heap, p->htop, TO_YOUNG);
        add_region(gc, p->old_heap, p->old_htop, TO_YOUNG);
    } else {
        add_region(gc, p->heap, p->high_water, TO_OLD);
        add_region(gc, p->high_water, p->htop, TO_YOUNG);
    }
    for (heap_frag *f = p->mbuf; f; f = f->next) add_region(gc, f->mem, f->mem + f->used, TO_YOUNG);
    gc->young_lo = p->heap;
    gc->young_hi = p->htop;
    gc->young_mid = major ? p->heap : p->high_water;
    gc->young_low_dest = major ? TO_YOUNG : TO_OLD;
    gc->search_others = p->mbuf != NULL || (major && p->old_heap < p->old_htop);
    qsort(gc->regions, gc->nregions, sizeof *gc->regions, region_order);
    return true;
}

/* ------------------------------------------------------------------------
 * Copying.
 * ------------------------------------------------------------------------ */
GC_INLINE Term evacuate_cons(gc_state *gc, Term t)
{
    Term *cell = list_ptr(t);
    Term **top = dest_top(gc, cell);
    if (!top) return t;
    if (cell[0] == THE_NON_VALUE) return cell[1]; /* already moved */
    Term *to = *top;
    *top += 2;
    gc->copied += 2;
    to[0] = cell[0];
    to[1] = cell[1];
    cell[0] = THE_NON_VALUE;
    cell[1] = make_list(to);
    return cell[1];
}

static Term evacuate_boxed(gc_state *gc, Term t)
{
    Term *obj = boxed_ptr(t);
    Term **top = dest_top(gc, obj);
    if (!top) return t;
    if (term_is_boxed(obj[0])) return obj[0]; /* already moved */
    size_t words = header_object_words(obj[0]);
    Term *to = *top;
    *top += words;
    gc->copied += words;
    for (size_t i = 0; i < words; i++) to[i] = obj[i];   /* mostly a few words: no call */
    obj[0] = make_boxed(to);
    return obj[0];
}

GC_INLINE void evacuate(void *ctx, Term *slot)
{
    Term t = *slot;
    if (term_is_list(t)) *slot = evacuate_cons(ctx, t);
    else if (term_is_boxed(t)) *slot = evacuate_boxed(ctx, t);
}

/* Scans copied data from *scan up to the destination's moving top. */
static bool scan_copied(gc_state *gc, Term **scan, Term *const *top)
{
    bool progress = false;
    while (*scan < *top) {
        Term *w = *scan;
        *scan += visit_heap_word(w, evacuate, gc);
        if (term_is_header(*w)) fix_match_state(w);
        progress = true;
    }
    return progress;
}

/* ------------------------------------------------------------------------
 * Off-heap lists. An entry is linked through word 2 (ProcBin.next and
 * FunThing.next are both there).
 * ------------------------------------------------------------------------ */
static Term *offheap_next(Term *obj) { return (Term *)(uintptr_t)obj[2]; }

static void offheap_push(OffHeap *oh, Term *obj)
{
    obj[2] = (Term)(uintptr_t)oh->first;
    oh->first = (ProcBin *)obj;
    if (header_subtag(obj[0]) == HDR_REFC_BIN) oh->overhead += ((ProcBin *)obj)->size / sizeof(Term);
}

static void sweep_list(const gc_state *gc, ProcBin *first, OffHeap *out)
{
    Term *next;
    for (Term *obj = (Term *)first; obj; obj = next) {
        next = offheap_next(obj);
        if (!find_region(gc, obj)) offheap_push(out, obj);                          /* not collected */
        else if (term_is_boxed(obj[0])) offheap_push(out, boxed_ptr(obj[0]));       /* survived */
        else if (offheap_holds_binary(obj)) binary_release(((ProcBin *)obj)->val);      /* garbage */
    }
}

static void sweep_off_heap(const gc_state *gc, Process *p)
{
    OffHeap out = { 0 };
    sweep_list(gc, p->off_heap.first, &out);
    for (heap_frag *f = p->mbuf; f; f = f->next) {
        sweep_list(gc, f->off_heap.first, &out);
        f->off_heap = (OffHeap){ 0 };
    }
    p->off_heap = out;
}

static void free_fragments(Process *p)
{
    for (heap_frag *f = p->mbuf, *next; f; f = next) {
        next = f->next;
        free(f);
    }
    p->mbuf = NULL;
    p->mbuf_words = 0;
}

/* Copies the live data into a new young block of new_size words (and, in
 * a minor, promotes mature data to the old heap, which has room). False
 * only when out of memory, with p untouched. */
static bool copy_collect(Process *p, Term *x, unsigned live, size_t new_size, bool major, size_t *copied)
{
    gc_state gc = { 0 };
    if (!build_regions(&gc, p, major)) return false;
    /* Minor collections of a steady process alternate between two blocks
     * of the same size: reuse the spare instead of malloc and free. */
    Term *block;
    if (p->spare_heap && p->spare_size == new_size) {
        block = p->spare_heap;
        p->spare_heap = NULL;
    } else {
        block = malloc(new_size * sizeof(Term));
    }
    if (!block) {
        free_regions(&gc);
        return false;
    }
    size_t stack_words = (size_t)(p->hend - p->stop);
    Term *new_hend = block + new_size, *new_stop = new_hend - stack_words;
    memcpy(new_stop, p->stop, stack_words * sizeof(Term));

    gc.young_top = block;
    gc.old_top = p->old_htop;
    Term *young_scan = block, *old_scan = p->old_htop;
    visit_roots(p, x, live, evacuate, &gc);
    visit_slots(new_stop, stack_words, evacuate, &gc);
    /* Scanning either destination can copy into the other. */
    for (bool progress = true; progress;) {
        progress = scan_copied(&gc, &young_scan, &gc.young_top);
        progress = scan_copied(&gc, &old_scan, &gc.old_top) || progress;
    }

    sweep_off_heap(&gc, p);
    free_regions(&gc);
    free_fragments(p);
    free(p->spare_heap);
#ifdef CBEAM_DEBUG_GC
    /* Debug builds free the old block, so that a stale pointer into it is
     * a use-after-free the sanitizers report. */
    free(p->heap);
    p->spare_heap = NULL;
#else
    p->spare_heap = p->heap;
    p->spare_size = p->heap_size;
#endif
    if (major) {
        free(p->old_heap);
        p->old_heap = p->old_htop = p->old_hend = NULL;
    } else {
        p->old_htop = gc.old_top;
    }
    p->heap = block;
    p->htop = p->high_water = gc.young_top;
    p->stop = new_stop;
    p->hend = new_hend;
    p->heap_size = new_size;
    *copied = gc.copied;
    return true;
}

/* ------------------------------------------------------------------------
 * Moving the young block (resizing after a collection).
 * ------------------------------------------------------------------------ */
typedef struct relocation {
    Term *lo, *hi;
    intptr_t delta; /* bytes */
} relocation;

static Term *moved(const relocation *r, Term *ptr)
{
    return ptr >= r->lo && ptr < r->hi ? (Term *)((char *)ptr + r->delta) : ptr;
}

static void relocate(void *ctx, Term *slot)
{
    const relocation *r = ctx;
    Term t = *slot;
    if (term_is_list(t)) *slot = make_list(moved(r, list_ptr(t)));
    else if (term_is_boxed(t)) *slot = make_boxed(moved(r, boxed_ptr(t)));
}

static void relocate_area(const relocation *r, Term *from, Term *to)
{
    while (from < to) {
        Term *w = from;
        from += visit_heap_word(w, relocate, (void *)r);
        if (term_is_header(*w)) fix_match_state(w);
    }
}

static void relocate_off_heap(const relocation *r, OffHeap *oh)
{
    oh->first = (ProcBin *)moved(r, (Term *)oh->first);
    for (Term *obj = (Term *)oh->first; obj; obj = offheap_next(obj))
        obj[2] = (Term)(uintptr_t)moved(r, offheap_next(obj));
}

/* Moves heap and stack into a block of new_size words. The old heap never
 * points into the young block (older data cannot refer to younger), so it
 * is not visited. False when out of memory, p unchanged. */
static bool resize_heap(Process *p, Term *x, unsigned live, size_t new_size, size_t *moved_words)
{
    size_t used = (size_t)(p->htop - p->heap), stack_words = (size_t)(p->hend - p->stop);
    Term *block = malloc(new_size * sizeof(Term));
    if (!block) return false;
    Term *new_hend = block + new_size, *new_stop = new_hend - stack_words;
    memcpy(block, p->heap, used * sizeof(Term));
    memcpy(new_stop, p->stop, stack_words * sizeof(Term));

    relocation r = { p->heap, p->htop, (char *)block - (char *)p->heap };
    relocate_area(&r, block, block + used);
    visit_slots(new_stop, stack_words, relocate, &r);
    visit_roots(p, x, live, relocate, &r);
    relocate_off_heap(&r, &p->off_heap);

    free(p->heap);
    p->heap = block;
    p->htop = p->high_water = block + used;
    p->stop = new_stop;
    p->hend = new_hend;
    p->heap_size = new_size;
    *moved_words += used + stack_words;
    return true;
}

/* ------------------------------------------------------------------------
 * Minor and major collections (OTP minor_collection, major_collection,
 * adjust_after_fullsweep).
 * ------------------------------------------------------------------------ */
typedef struct gc_cost {
    size_t copied, resized;
} gc_cost;

enum minor_result { MINOR_DONE, MINOR_NEED_MAJOR, MINOR_NO_MEMORY };

static size_t stack_words(const Process *p) { return (size_t)(p->hend - p->stop); }
static size_t young_usage(const Process *p) { return (size_t)(p->htop - p->heap) + p->mbuf_words; }

static bool ensure_old_heap(Process *p, size_t mature)
{
    if (p->old_heap || mature == 0) return true;
    /* One step larger than needed, as OTP: it reduces fullsweeps. */
    size_t size = gc_heap_size_at(ladder_index((size_t)(p->htop - p->heap)) + 1);
    Term *old = malloc(size * sizeof(Term));
    if (!old) return false;
    p->old_heap = p->old_htop = old;
    p->old_hend = old + size;
    return true;
}

/* Excessively large young heaps shrink after a minor, but small ones are
 * not worth it: after promotion the young heap is often nearly empty. */
static bool shrink_after_minor(Process *p, Term *x, unsigned live, size_t need_after, gc_cost *cost)
{
    size_t heap = p->heap_size, old_size = (size_t)(p->old_hend - p->old_heap);
    if (!(heap > 3000 && 4 * need_after < heap && (heap > 8000 || heap > old_size))) return false;
    size_t wanted = 3 * need_after;
    if (wanted * 9 < old_size && old_size / 8 > wanted) wanted = old_size / 8;
    wanted = wanted < p->min_heap_size ? p->min_heap_size : next_heap_size(p, wanted, 0);
    if (wanted < heap) resize_heap(p, x, live, wanted, &cost->resized); /* no memory: keep the larger heap */
    return true;
}

static enum minor_result minor_collection(Process *p, size_t need, Term *x, unsigned live, gc_cost *cost)
{
    size_t mature = (size_t)(p->high_water - p->heap);
    if (!ensure_old_heap(p, mature)) return MINOR_NO_MEMORY;
    if (mature > (size_t)(p->old_hend - p->old_htop)) return MINOR_NEED_MAJOR;

    size_t stack = stack_words(p);
    size_t new_size = next_heap_size(p, stack + young_usage(p), 0);
    if (!copy_collect(p, x, live, new_size, false, &cost->copied)) return MINOR_NO_MEMORY;
    p->gen_gcs++;

    size_t need_after = (size_t)(p->htop - p->heap) + need + stack;
    if (shrink_after_minor(p, x, live, need_after, cost)) return MINOR_DONE;
    return p->heap_size >= need_after ? MINOR_DONE : MINOR_NEED_MAJOR;
}

/* Grows to fit `need`; grows one step when more than 75% is in use (OTP
 * postpones that step to the next collection with F_HEAP_GROW; cbeam has
 * no such flag and takes it now); shrinks when less than 25% is. */
static bool adjust_after_fullsweep(Process *p, size_t need, Term *x, unsigned live, gc_cost *cost)
{
    size_t heap = p->heap_size;
    size_t need_after = (size_t)(p->htop - p->heap) + need + stack_words(p);
    size_t wanted = heap;
    if (heap < need_after) wanted = next_heap_size(p, need_after, 0);
    else if (3 * heap < 4 * need_after) wanted = next_heap_size(p, heap, 1);
    else if (4 * need_after < heap && heap > p->min_heap_size) {
        size_t w = 2 * need_after;
        wanted = w < p->min_heap_size ? p->min_heap_size : next_heap_size(p, w, 0);
    }
    if (wanted == heap) return true;
    if (resize_heap(p, x, live, wanted, &cost->resized)) return true;
    return heap >= need_after; /* a failed shrink or optional growth is harmless */
}

static bool major_collection(Process *p, size_t need, Term *x, unsigned live, gc_cost *cost)
{
    size_t old_used = (size_t)(p->old_htop - p->old_heap);
    size_t new_size = next_heap_size(p, stack_words(p) + young_usage(p) + old_used, 0);
    if (!copy_collect(p, x, live, new_size, true, &cost->copied)) return false;
    p->gen_gcs = 0;
    return adjust_after_fullsweep(p, need, x, live, cost);
}

/* statistics(garbage_collection): collections and words reclaimed, VM-wide. */
static _Atomic uint64_t total_collections, total_reclaimed;

uint64_t gc_total_collections(void) { return atomic_load_explicit(&total_collections, memory_order_relaxed); }
uint64_t gc_total_words_reclaimed(void) { return atomic_load_explicit(&total_reclaimed, memory_order_relaxed); }

static size_t words_in_use(const Process *p)
{
    return (size_t)(p->htop - p->heap) + p->mbuf_words + (size_t)(p->old_htop - p->old_heap);
}

/* Room for the report's arguments: 7 list cells and the 11 {Tag, N} pairs
 * of the GC info list. */
#define MAX_HEAP_REPORT_WORDS (7 * 2 + 11 * 5)

/* OTP's max_heap_size report: [Pid, MaxHeapSize, TotalHeapSize, Kill,
 * ErrorLogger, MessageQueueLen, GCInfo], GCInfo in erts's order. cbeam
 * keeps one virtual binary heap for both generations: the old one shows
 * as empty (README). */
static void report_max_heap_size(const Process *p, size_t total)
{
    Term words[MAX_HEAP_REPORT_WORDS], *hp = words;
    const struct { const char *tag; size_t value; } info[11] = {
        { "old_heap_block_size", (size_t)(p->old_hend - p->old_heap) },
        { "heap_block_size", p->heap_size },
        { "mbuf_size", p->mbuf_words },
        { "recent_size", (size_t)(p->high_water - p->heap) },
        { "stack_size", (size_t)(p->hend - p->stop) },
        { "old_heap_size", (size_t)(p->old_htop - p->old_heap) },
        { "heap_size", (size_t)(p->htop - p->heap) },
        { "bin_vheap_size", p->off_heap.overhead },
        { "bin_vheap_block_size", p->off_heap.vheap_limit },
        { "bin_old_vheap_size", 0 },
        { "bin_old_vheap_block_size", p->min_bin_vheap_size },
    };
    Term gc_info = NIL;
    for (int i = 10; i >= 0; i--) {
        Term tag;
        if (atom_put(info[i].tag, strlen(info[i].tag), &tag) != ATOM_OK) return;
        gc_info = cons(hp + 3, tuple2(hp, tag, make_small((SWord)info[i].value)), gc_info);
        hp += 5;
    }
    Term items[7] = { p->pid, make_small((SWord)p->max_heap_size), make_small((SWord)total),
                      p->max_heap_kill ? am_true : am_false, p->max_heap_log ? am_true : am_false,
                      make_small((SWord)p->msgq_len), gc_info };
    Term args = NIL;
    for (int i = 6; i >= 0; i--, hp += 2) args = cons(hp, items[i], args);
    vm_log_error(p,
                 "     Process:            ~p ~n"
                 "     Context:            maximum heap size reached~n"
                 "     Max Heap Size:      ~p~n"
                 "     Total Heap Size:    ~p~n"
                 "     Kill:               ~p~n"
                 "     Error Logger:       ~p~n"
                 "     Message Queue Len:  ~p~n"
                 "     GC Info:            ~p~n",
                 args);
}

/* max_heap_size: a process whose heaps outgrow it after a collection is
 * reported (error_logger) and sends itself an untrappable kill (kill), as
 * OTP does; killed, it ends its slice and dies when next scheduled in. */
static void check_max_heap_size(Process *p)
{
    size_t total = p->heap_size + (size_t)(p->old_hend - p->old_heap) + p->mbuf_words;
    if (total <= p->max_heap_size) return;
    if (p->max_heap_log) report_max_heap_size(p, total);
    if (!p->max_heap_kill) return;
    send_exit_signal(p, p->pid, am_kill, false);
    p->fcalls = 0;
}

/* OTP's rule for the virtual binary heap after a collection: grow to the
 * ladder size above twice what is referenced when that exceeds it, shrink
 * by a quarter when under half of it; never below min_bin_vheap_size. */
static size_t next_vheap_size(const Process *p, size_t referenced, size_t size)
{
    if (referenced > size) size = gc_next_heap_size(2 * referenced);
    else if (referenced < size / 2) size = size / 4 * 3;
    return size < p->min_bin_vheap_size ? p->min_bin_vheap_size : size;
}

static bool collect(Process *p, size_t need, Term *x, unsigned live, bool force_major, unsigned *reds)
{
    size_t before = words_in_use(p);
    UWord vheap_limit = p->off_heap.vheap_limit;   /* the sweep rebuilds off_heap */
    prof_sched *ps = prof_active_self();   /* profiling: timed */
    uint64_t start = ps ? prof_now() : 0;
    uint64_t sysmon_start = sysmon_on() ? sysmon_clock_ns() : 0;
    gc_cost cost = { 0, 0 };
    bool ok = true;
    enum minor_result r = MINOR_NEED_MAJOR;
    if (!force_major && p->gen_gcs < p->max_gen_gcs) r = minor_collection(p, need, x, live, &cost);
    if (r == MINOR_NO_MEMORY) ok = false;
    else if (r == MINOR_NEED_MAJOR) ok = major_collection(p, need, x, live, &cost);
#ifdef CBEAM_DEBUG_GC
    gc_verify(p, x, live);
#endif
    *reds = (unsigned)(cost.copied / 10 + cost.resized / 100);
    size_t after = words_in_use(p);
    atomic_fetch_add_explicit(&total_collections, 1, memory_order_relaxed);
    if (before > after) atomic_fetch_add_explicit(&total_reclaimed, before - after, memory_order_relaxed);
    p->off_heap.vheap_limit = next_vheap_size(p, p->off_heap.overhead, vheap_limit);
    p->off_heap.gc_due = false;
    if (p->max_heap_size) check_max_heap_size(p);
    if (ps) prof_gc(ps, p, start, r != MINOR_DONE, before, after);
    if (sysmon_start) sysmon_after_gc(p, sysmon_clock_ns() - sysmon_start);
    return ok;
}

/* A collection that used up the slice (its cost, or a max_heap_size
 * kill) is why the slice ends, for +sched_trace. */
static void gc_slice_hint(const Process *p)
{
    if (p->fcalls <= 0) prof_hint(PROF_END_GC);
}

bool gc_collect_reds(Process *p, size_t need, Term *x, unsigned live, unsigned *reds)
{
    return collect(p, need, x, live, false, reds);
}

bool gc_collect(Process *p, size_t need, Term *x, unsigned live)
{
    unsigned reds;
    bool ok = collect(p, need, x, live, false, &reds);
    p->fcalls -= (int)reds;
    gc_slice_hint(p);
    return ok;
}

bool gc_collect_major(Process *p, size_t need, Term *x, unsigned live)
{
    unsigned reds;
    bool ok = collect(p, need, x, live, true, &reds);
    p->fcalls -= (int)reds;
    gc_slice_hint(p);
    return ok;
}

/* ------------------------------------------------------------------------
 * Verification.
 * ------------------------------------------------------------------------ */
enum area { AREA_OUTSIDE, AREA_YOUNG, AREA_OLD, AREA_FRAG, AREA_FREE };

typedef struct verifier {
    Process *p;
    const char *where;
    bool in_old; /* checking old-heap data: it may not point to young data */
} verifier;

static _Noreturn void verify_fail(const verifier *v, const char *what, Term t)
{
    fprintf(stderr, "gc_verify: %s: %s (term 0x%llx)\n", v->where, what, (unsigned long long)t);
    abort();
}

static bool within(const Term *ptr, const Term *lo, const Term *hi) { return ptr >= lo && ptr < hi; }

/* Where ptr points; AREA_FREE for the unused parts of process memory
 * (between htop and stop, the stack itself, above old_htop, the unused
 * tail of a fragment). */
static enum area classify(const Process *p, const Term *ptr, const Term **area_end)
{
    if (within(ptr, p->heap, p->htop)) { *area_end = p->htop; return AREA_YOUNG; }
    if (within(ptr, p->htop, p->hend)) return AREA_FREE;
    if (within(ptr, p->old_heap, p->old_htop)) { *area_end = p->old_htop; return AREA_OLD; }
    if (within(ptr, p->old_htop, p->old_hend)) return AREA_FREE;
    for (const heap_frag *f = p->mbuf; f; f = f->next) {
        if (within(ptr, f->mem, f->mem + f->used)) { *area_end = f->mem + f->used; return AREA_FRAG; }
        if (within(ptr, f->mem + f->used, f->mem + f->size)) return AREA_FREE;
    }
    return AREA_OUTSIDE;
}

static void verify_header(const verifier *v, const Term *obj, const Term *area_end, Term t)
{
    Term h = obj[0];
    if (!term_is_header(h)) verify_fail(v, "boxed pointer to a non-header", t);
    if (!subtag_is_valid(header_subtag(h))) verify_fail(v, "unknown header subtag", t);
    if (area_end && obj + header_object_words(h) > area_end) verify_fail(v, "object runs past its area", t);
}

static void verify_slot(void *ctx, Term *slot)
{
    const verifier *v = ctx;
    Term t = *slot;
    if (!term_is_list(t) && !term_is_boxed(t)) return;
    const Term *ptr = term_is_list(t) ? list_ptr(t) : boxed_ptr(t);
    const Term *end = NULL;
    enum area a = classify(v->p, ptr, &end);
    if (a == AREA_FREE) verify_fail(v, "pointer into free process memory", t);
    if (v->in_old && (a == AREA_YOUNG || a == AREA_FRAG)) verify_fail(v, "old data points to young data", t);
    if (term_is_boxed(t)) {
        verify_header(v, ptr, end, t);
    } else {
        if (end && ptr + 2 > end) verify_fail(v, "cons runs past its area", t);
        if (term_is_header(ptr[0])) verify_fail(v, "cons car is a header or moved marker", t);
    }
}

static void verify_area(verifier *v, const char *where, Term *from, Term *to, bool old)
{
    v->where = where;
    v->in_old = old;
    while (from < to) {
        if (term_is_header(*from)) {
            if (!subtag_is_valid(header_subtag(*from))) verify_fail(v, "unknown header subtag", *from);
            if (from + header_object_words(*from) > to) verify_fail(v, "object runs past its area", *from);
        }
        from += visit_heap_word(from, verify_slot, v);
    }
    v->in_old = false;
}

static void verify_off_heap(verifier *v, const OffHeap *oh, const char *where)
{
    v->where = where;
    size_t limit = v->p->heap_size + (size_t)(v->p->old_hend - v->p->old_heap) + v->p->mbuf_words + 64;
    for (Term *obj = (Term *)oh->first; obj; obj = offheap_next(obj)) {
        const Term *end = NULL;
        enum area a = classify(v->p, obj, &end);
        if (a == AREA_OUTSIDE || a == AREA_FREE) verify_fail(v, "off-heap entry outside the heap", (Term)(uintptr_t)obj);
        unsigned s = header_subtag(obj[0]);
        if (!term_is_header(obj[0]) || (s != HDR_REFC_BIN && s != HDR_FUN && !header_is_magic_ref(obj[0])))
            verify_fail(v, "off-heap entry is not a ProcBin, fun or magic ref", obj[0]);
        if (limit-- == 0) verify_fail(v, "off-heap list cycles", (Term)(uintptr_t)obj);
    }
}

void gc_verify(Process *p, const Term *x, unsigned live)
{
    verifier v = { p, "roots", false };
    if (!(p->heap <= p->high_water && p->high_water <= p->htop && p->htop <= p->stop && p->stop < p->hend))
        verify_fail(&v, "heap pointers out of order", 0);
    if ((size_t)(p->hend - p->heap) != p->heap_size) verify_fail(&v, "heap_size disagrees with the block", 0);
    visit_roots(p, (Term *)x, live, verify_slot, &v);
    v.where = "stack";
    visit_slots(p->stop, (size_t)(p->hend - p->stop), verify_slot, &v);
    verify_area(&v, "young heap", p->heap, p->htop, false);
    verify_area(&v, "old heap", p->old_heap, p->old_htop, true);
    size_t frag_words = 0;
    for (heap_frag *f = p->mbuf; f; f = f->next) {
        verify_area(&v, "heap fragment", f->mem, f->mem + f->used, false);
        verify_off_heap(&v, &f->off_heap, "fragment off-heap list");
        frag_words += f->used;
    }
    if (frag_words != p->mbuf_words) verify_fail(&v, "mbuf_words disagrees with the fragments", 0);
    verify_off_heap(&v, &p->off_heap, "off-heap list");
}
