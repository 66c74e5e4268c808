/*
 * resource.h — NIF resources: C objects that Erlang code holds as terms
 * (OTP's enif_alloc_resource / enif_make_resource / enif_get_resource).
 *
 * A resource is a magic Binary (binary.h) whose object is the resource's
 * data; the Binary's atomic count is the resource's count. The creator
 * holds one reference; every magic reference term (term.h, a ref with a
 * Binary * on its heap's off-heap list) holds another, released by the
 * collector when the term becomes garbage, or when its heap is freed.
 * When the last reference goes, the type's destructor runs (on whichever
 * thread dropped it), then the memory is freed.
 *
 * As in OTP the term is a reference: is_reference/1 is true, it prints as
 * #Ref<0.a.b.c>, and compares, hashes and encodes by its number only.
 * The data is shared between processes: a resource type that may be used
 * by several processes at once brings its own lock.
 */
#ifndef CB_RESOURCE_H
#define CB_RESOURCE_H

#include <stddef.h>

#include "binary.h"

struct Process;

typedef struct ResourceType {
    const char *name;
    void (*destroy)(void *data);   /* may be NULL; must not raise or block */
} ResourceType;

/* size bytes of zeroed data, 16-byte aligned, with one reference held by
 * the caller; NULL when out of memory. */
void *resource_alloc(const ResourceType *type, size_t size);
void resource_release(void *data);
/* A magic reference to data on p's heap (HAlloc; never collects). */
Term resource_make_term(struct Process *p, void *data);
/* The data of a magic reference of this type, else NULL. Valid while the
 * caller holds the term. */
void *resource_get(Term t, const ResourceType *type);

#endif
