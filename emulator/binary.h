/*
 * binary.h — off-heap, reference-counted binary data (OTP's `Binary`).
 *
 * A Binary is shared by every ProcBin that points at it, across processes
 * and literal areas; the count is atomic. The creator holds one reference.
 * binary_live_count() counts Binaries not yet freed, so that tests can prove
 * the absence of leaks.
 */
#ifndef CB_BINARY_H
#define CB_BINARY_H

#include <stdatomic.h>

#include "term.h"

struct Binary {
    _Atomic UWord refc;
    UWord flags;
    UWord orig_size;
    _Alignas(16) uint8_t bytes[];
};

/* Returns a Binary with refc 1, or NULL when out of memory. */
Binary *binary_alloc(UWord size);
/* A magic binary: no bytes (a ProcBin over it is <<>>), but a C object
 * that `destroy` frees when the last reference goes (compiled match
 * specifications). binary_magic() is its object, or NULL for a binary that
 * is not magic with that destructor. */
#define BIN_FLAG_MAGIC 1u
typedef void (*binary_destructor)(void *obj);
Binary *binary_alloc_magic(void *obj, binary_destructor destroy);
void *binary_magic(const Binary *b, binary_destructor destroy);
void binary_ref(Binary *b);
void binary_release(Binary *b);
UWord binary_live_count(void);

/* A list of off-heap objects owned by one heap (process or literal area):
 * ProcBins, funs and magic refs chained through word 2 (ProcBin.next).
 * ProcBins and magic refs hold a reference to the Binary in word 3
 * (ProcBin.val); releasing the owner releases them. */
typedef struct OffHeap {
    ProcBin *first;
    UWord overhead;    /* referenced off-heap bytes, in words */
    UWord vheap_limit; /* a process heap's virtual binary heap size, in
                          words (0: none, e.g. a fragment's list) */
    bool gc_due;       /* a process heap: collect at the next allocation
                          point (overhead passed the limit, or too many
                          fragments: heap.c); cleared by the collection */
} OffHeap;

/* Counts `words` more referenced off-heap bytes; past the virtual binary
 * heap a collection is due (OTP's vheap rule). */
static inline void offheap_add_overhead(OffHeap *oh, UWord words)
{
    oh->overhead += words;
    if (oh->vheap_limit && oh->overhead > oh->vheap_limit) oh->gc_due = true;
}

static inline bool offheap_holds_binary(const Term *obj)
{
    return header_subtag(obj[0]) == HDR_REFC_BIN || header_is_magic_ref(obj[0]);
}

/* The bytes of a byte-aligned binary (heap, refc or sub binary); false
 * for a bitstring whose size or offset is not whole bytes. */
bool binary_bytes(Term bin, const uint8_t **bytes, size_t *size);
/* The size in bits of any binary or bitstring. */
UWord binary_bit_size(Term bin);

/* Builds a ProcBin at hp (PROC_BIN_WORDS words) for b, links it into oh,
 * and returns the binary term. Takes over the caller's reference to b. */
Term procbin_make(Term *hp, Binary *b, OffHeap *oh);
/* Drops the references held by every ProcBin on the list. */
void offheap_release(OffHeap *oh);

#endif
