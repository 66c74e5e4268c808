/*
 * gc.h — the per-process garbage collector (OTP's erl_gc.c): generational,
 * copying (Cheney), with a young heap that shares its block with the
 * stack and a separate old heap.
 *
 * Minor collection: live data of the young generation (the heap below
 * htop and every heap fragment on p->mbuf) is copied into a fresh young
 * block; data below p->high_water (it already survived one collection) is
 * promoted to the old heap instead. Major collection (fullsweep): young and
 * old data are copied together into a fresh young block and the old heap is
 * freed. A major runs when the old heap lacks room for the data to promote,
 * when p->gen_gcs >= p->max_gen_gcs, or when a minor did not leave `need`
 * free words. After any collection p->high_water = p->htop, the stack sits
 * at the end of the new block, and fragments are freed (their off-heap
 * entries merged into p->off_heap).
 *
 * What is copied: only objects inside the process's own memory being
 * collected (young heap, fragments; old heap too in a major), decided by
 * address range. Anything else — literal areas, other shared data — is
 * left in place, so literals are never copied.
 *
 * Roots: x[0..live), the stack [stop, hend), p->dictionary, p->fvalue,
 * p->ftrace, p->top_frame, p->group_leader, the saved registers (see
 * gc_saved_regs), and the term of every message on p->msgq whose frag is
 * NULL (on-heap messages). Messages still in their own fragment (and
 * p->exit_signal) are not scanned; p->links must hold immediates only. On the
 * stack, words with primary tag 00 (continuation pointers, THE_NON_VALUE)
 * and immediates (catches) are left alone.
 *
 * Which words of a boxed object are terms (everything else is raw and
 * never touched):
 *   tuple            all elements
 *   bignum, float, ref, heap binary, ProcBin, external pid/port/ref: none
 *   sub binary       word 4 (orig) only
 *   fun (FunThing)   words 4.. (creator, env); entry and next are raw
 *   flatmap          words 2.. (keys tuple, values); word 1 (size) raw
 *   HAMT head        words 2.. (children); word 1 (size) raw
 *   HAMT inner node  words 1.. (children)
 *   bin match state  word 1 (orig: the ProcBin or heap binary matched,
 *                    never a sub binary) is a term; word 2, when the arity
 *                    is >= 2, is the raw `base` byte pointer, which the GC
 *                    rewrites to the data of orig when orig is a heap binary
 *                    (heap binaries move); all further words are raw.
 *
 * Forwarding (inside from-space only, during a collection): a moved boxed
 * object's header becomes a boxed pointer to the copy (a header never has
 * tag 10); a moved list cell gets car = THE_NON_VALUE (no term is 0, and a
 * car is never a header) and cdr = the new list term.
 *
 * Off-heap list (p->off_heap, each fragment's off_heap): ProcBins, and
 * possibly FunThings, chained through the word at index 2 (`next` in both
 * structs). A collected entry that was copied is relinked as its copy; one
 * that was not is dropped, and for a ProcBin its Binary is released.
 * overhead is recomputed from the surviving ProcBins.
 *
 * Heap sizes follow OTP's ladder (gc_next_heap_size) and never go below
 * p->min_heap_size.
 */
#ifndef CB_GC_H
#define CB_GC_H

#include "process.h"

/* Marks every call that can collect (and so move every heap term the
 * caller holds outside the roots). Expands to nothing. */
#define CB_MAY_GC

#define GC_DEFAULT_MAX_GEN_GCS 65535u

/* --- heap.c: process memory --------------------------------------------- */

/* Allocates the heap+stack block of gc_next_heap_size(words) words (so at
 * least `words`, and OTP's 233 for H_DEFAULT_SIZE) and initialises every
 * memory field of p: htop = heap, stop = hend - 1 with *stop = NIL (the
 * initial CP slot), high_water = heap, no old heap, no fragments, empty
 * off-heap list, min_heap_size = heap_size, gen_gcs = 0, max_gen_gcs =
 * GC_DEFAULT_MAX_GEN_GCS. Touches no other field. False when out of
 * memory (p's memory fields are then all empty). */
bool heap_init(Process *p, size_t words);
/* Frees the heap+stack block, the old heap and every fragment, and
 * releases every off-heap binary (p->off_heap and the fragments' lists).
 * Leaves the memory fields empty; safe to call twice. */
void heap_destroy(Process *p);
/* Frees one fragment chain (and releases its off-heap binaries). For
 * message fragments that were never merged. */
void heap_frag_free_chain(heap_frag *f);

/* The saved x registers while p is not running: all `p->arity` of them are
 * in arg_reg when arity <= 8, else all in arg_big (as OTP keeps them all
 * in one array). p->arity must be 0 while they are not live (while p
 * runs, its registers are the x array passed to gc_collect). */
static inline Term *gc_saved_regs(Process *p)
{
    return p->arity <= 8 ? p->arg_reg : p->arg_big;
}

/* --- gc.c ----------------------------------------------------------------- */

/* CB_MAY_GC. Collects p so that at least `need` free words exist between
 * htop and stop. Roots as described above; x[0..live) are updated in
 * place. Costs live words/10 + resized words/100 reductions, taken from
 * p->fcalls. Returns false only if memory is exhausted (p is then
 * unchanged and still consistent). */
bool gc_collect(Process *p, size_t need, Term *x, unsigned live);
/* As gc_collect, but reports the reduction cost in *reds instead of
 * touching p->fcalls (for an interpreter that keeps FCALLS in a local). */
bool gc_collect_reds(Process *p, size_t need, Term *x, unsigned live, unsigned *reds);
/* CB_MAY_GC. A major collection whatever the generation counters say
 * (erlang:garbage_collect/0). */
bool gc_collect_major(Process *p, size_t need, Term *x, unsigned live);
/* Collections so far and the words they freed, over all processes. */
uint64_t gc_total_collections(void);
uint64_t gc_total_words_reclaimed(void);

/* OTP's erts_next_heap_size(words, 0): the smallest size on the heap-size
 * ladder that is >= words (12, 38, 51, 90, 142, 233, 376, 610, 987, ...:
 * a[i] = a[i-1] + a[i-2] + 1 for the first 23 sizes, then +20% each).
 * Saturates at the largest size. */
size_t gc_next_heap_size(size_t words);
/* The i-th ladder size (0-based), and how many there are; for tests. */
size_t gc_heap_size_at(unsigned i);
unsigned gc_heap_size_count(void);

/* Checks p's heap: every term reachable from the roots (x[0..live) too)
 * points into the young heap [heap, htop), the old heap, a fragment, or
 * outside process memory; headers are well formed; old data never points
 * into the young generation; off-heap entries live in process memory.
 * Aborts with a message on the first violation. Walks the heaps word by
 * word, so call it only where every allocated word is initialised (as at
 * any CB_MAY_GC call). gc_collect runs it after every collection when
 * built with -DCBEAM_DEBUG_GC. */
void gc_verify(Process *p, const Term *x, unsigned live);

#endif
