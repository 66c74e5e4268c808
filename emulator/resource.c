#include "resource.h"

#include <stdlib.h>
#include <string.h>

#include "ets.h"
#include "process.h"

/* One allocation: the header, then the data. The magic Binary points at
 * the header; the header points back at the Binary. */
typedef struct resource_hdr {
    Binary *bin;
    const ResourceType *type;
    _Alignas(16) unsigned char data[];
} resource_hdr;

static resource_hdr *hdr_of(void *data) { return (resource_hdr *)((char *)data - offsetof(resource_hdr, data)); }

static void resource_destroy(void *obj)
{
    resource_hdr *h = obj;
    if (h->type->destroy) h->type->destroy(h->data);
    free(h);
}

void *resource_alloc(const ResourceType *type, size_t size)
{
    resource_hdr *h = calloc(1, sizeof *h + size);
    if (!h) return NULL;
    h->type = type;
    h->bin = binary_alloc_magic(h, resource_destroy);
    if (!h->bin) {
        free(h);
        return NULL;
    }
    return h->data;
}

void resource_release(void *data) { binary_release(hdr_of(data)->bin); }

Term resource_make_term(Process *p, void *data)
{
    Binary *b = hdr_of(data)->bin;
    Term *hp = HAlloc(p, MAGIC_REF_WORDS);
    if (!hp) abort();
    binary_ref(b);
    hp[0] = make_header(MAGIC_REF_WORDS - 1, HDR_REF);
    hp[1] = ref_next_id();
    hp[2] = (Term)(uintptr_t)p->off_heap.first;
    hp[3] = (Term)(uintptr_t)b;
    p->off_heap.first = (ProcBin *)hp;
    return make_boxed(hp);
}

void *resource_get(Term t, const ResourceType *type)
{
    if (!term_is_boxed(t) || !header_is_magic_ref(boxed_header(t))) return NULL;
    const Binary *b = (const Binary *)(uintptr_t)boxed_ptr(t)[3];
    resource_hdr *h = binary_magic(b, resource_destroy);
    return h && h->type == type ? h->data : NULL;
}
