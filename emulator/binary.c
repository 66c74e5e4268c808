#include "binary.h"

#include <stdlib.h>
#include <string.h>

static _Atomic UWord live_binaries;

Binary *binary_alloc(UWord size)
{
    Binary *b = malloc(sizeof *b + (size ? size : 1));
    if (!b) return NULL;
    atomic_init(&b->refc, 1);
    b->flags = 0;
    b->orig_size = size;
    atomic_fetch_add_explicit(&live_binaries, 1, memory_order_relaxed);
    return b;
}

typedef struct magic_part {
    binary_destructor destroy;
    void *obj;
} magic_part;

Binary *binary_alloc_magic(void *obj, binary_destructor destroy)
{
    Binary *b = binary_alloc(sizeof(magic_part));
    if (!b) return NULL;
    b->flags = BIN_FLAG_MAGIC;
    b->orig_size = 0;
    magic_part mp = { destroy, obj };
    memcpy(b->bytes, &mp, sizeof mp);
    return b;
}

void *binary_magic(const Binary *b, binary_destructor destroy)
{
    if (!(b->flags & BIN_FLAG_MAGIC)) return NULL;
    magic_part mp;
    memcpy(&mp, b->bytes, sizeof mp);
    return mp.destroy == destroy ? mp.obj : NULL;
}

void binary_ref(Binary *b) { atomic_fetch_add_explicit(&b->refc, 1, memory_order_relaxed); }

void binary_release(Binary *b)
{
    if (atomic_fetch_sub_explicit(&b->refc, 1, memory_order_acq_rel) == 1) {
        if (b->flags & BIN_FLAG_MAGIC) {
            magic_part mp;
            memcpy(&mp, b->bytes, sizeof mp);
            mp.destroy(mp.obj);
        }
        free(b);
        atomic_fetch_sub_explicit(&live_binaries, 1, memory_order_relaxed);
    }
}

UWord binary_live_count(void) { return atomic_load_explicit(&live_binaries, memory_order_relaxed); }

Term procbin_make(Term *hp, Binary *b, OffHeap *oh)
{
    ProcBin *pb = (ProcBin *)hp;
    pb->header = make_header(PROC_BIN_WORDS - 1, HDR_REFC_BIN);
    pb->size = b->orig_size;
    pb->val = b;
    pb->bytes = b->bytes;
    pb->flags = 0;
    pb->next = oh->first;
    oh->first = pb;
    offheap_add_overhead(oh, b->orig_size / sizeof(Term));
    return make_boxed(hp);
}

void offheap_release(OffHeap *oh)
{
    for (ProcBin *pb = oh->first; pb; pb = pb->next)
        if (offheap_holds_binary((const Term *)pb)) binary_release(pb->val);
    oh->first = NULL;
    oh->overhead = 0;
}

/* Follows a sub binary to the binary that holds its bytes. */
static const uint8_t *base_bytes(Term bin)
{
    const Term *obj = boxed_ptr(bin);
    switch (header_subtag(obj[0])) {
    case HDR_HEAP_BIN: return (const uint8_t *)(obj + 2);
    case HDR_REFC_BIN: return ((const ProcBin *)obj)->bytes;
    default: return NULL;
    }
}

UWord binary_bit_size(Term bin)
{
    const Term *obj = boxed_ptr(bin);
    if (header_subtag(obj[0]) == HDR_SUB_BIN) {
        const SubBin *sb = (const SubBin *)obj;
        return sb->size * 8 + (sb->bit_info & 0xFF);
    }
    return obj[1] * 8;
}

bool binary_bytes(Term bin, const uint8_t **bytes, size_t *size)
{
    const Term *obj = boxed_ptr(bin);
    if (header_subtag(obj[0]) != HDR_SUB_BIN) {
        *bytes = base_bytes(bin);
        *size = obj[1];
        return true;
    }
    const SubBin *sb = (const SubBin *)obj;
    unsigned bitsize = sb->bit_info & 0xFF, bitoffs = (sb->bit_info >> 8) & 0xFF;
    if (bitsize || bitoffs) return false;
    *bytes = base_bytes(sb->orig) + sb->offs;
    *size = sb->size;
    return true;
}
