/*
 * prim_buffer.c — the NIFs behind OTP 25's preloaded prim_buffer module
 * (prim_buffer.erl, unmodified): a byte queue that prim_file uses for its
 * read-ahead buffer, with the results of OTP's prim_buffer_nif.c.
 *
 * A buffer is a resource holding one contiguous byte array (OTP keeps a
 * queue of binaries; peek_head here returns everything buffered, which is
 * a valid head). Its mutex guards it; try_lock/unlock is the advisory
 * lock prim_file's users take around it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "atom.h"
#include "bits.h"
#include "nif.h"
#include "resource.h"
#include "term_build.h"

typedef struct byte_buffer {
    pthread_mutex_t lock;
    uint8_t *bytes;
    size_t off, len, cap;         /* bytes[off..len) are buffered */
    bool locked;                  /* try_lock/unlock */
} byte_buffer;

static void buffer_destroy(void *data)
{
    byte_buffer *b = data;
    free(b->bytes);
    pthread_mutex_destroy(&b->lock);
}

static const ResourceType buffer_type = { "prim_buffer", buffer_destroy };

static byte_buffer *buffer_enter(Term t)
{
    byte_buffer *b = resource_get(t, &buffer_type);
    if (b) pthread_mutex_lock(&b->lock);
    return b;
}

#define ENTER(b) byte_buffer *b = buffer_enter(args[0]); \
    if (!b) BIF_ERROR(p, EXC_BADARG)
#define LEAVE(b, r) do { Term r_ = (r); pthread_mutex_unlock(&(b)->lock); return r_; } while (0)
#define FAIL(b) do { pthread_mutex_unlock(&(b)->lock); BIF_ERROR(p, EXC_BADARG); } while (0)

Term nif_prim_buffer_new(Process *p, Term *args)
{
    (void)args;
    byte_buffer *b = resource_alloc(&buffer_type, sizeof *b);
    if (!b) BIF_ERROR(p, EXC_SYSTEM_LIMIT);
    pthread_mutex_init(&b->lock, NULL);
    Term t = resource_make_term(p, b);
    resource_release(b);
    return t;
}

Term nif_prim_buffer_size(Process *p, Term *args)
{
    ENTER(b);
    LEAVE(b, make_small((SWord)(b->len - b->off)));
}

Term nif_prim_buffer_peek_head(Process *p, Term *args)
{
    ENTER(b);
    if (b->len == b->off) FAIL(b);
    LEAVE(b, bits_new_binary(p, b->bytes + b->off, 0, 8 * (UWord)(b->len - b->off)));
}

Term nif_prim_buffer_copying_read(Process *p, Term *args)
{
    ENTER(b);
    if (!term_is_small(args[1]) || small_value(args[1]) < 0 || (size_t)small_value(args[1]) > b->len - b->off) FAIL(b);
    size_t n = (size_t)small_value(args[1]);
    Term bin = bits_new_binary(p, b->bytes + b->off, 0, 8 * (UWord)n);
    b->off += n;
    if (b->off == b->len) b->off = b->len = 0;
    LEAVE(b, bin);
}

static bool put(byte_buffer *b, const uint8_t *bytes, size_t n)
{
    if (b->off > 0 && b->len + n > b->cap) {
        memmove(b->bytes, b->bytes + b->off, b->len - b->off);
        b->len -= b->off;
        b->off = 0;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n) cap *= 2;
        uint8_t *nb = realloc(b->bytes, cap);
        if (!nb) return false;
        b->bytes = nb;
        b->cap = cap;
    }
    memcpy(b->bytes + b->len, bytes, n);
    b->len += n;
    return true;
}

Term nif_prim_buffer_write(Process *p, Term *args)
{
    /* An iovec: a binary or a proper list of binaries. */
    Term t = args[1];
    const uint8_t *bytes;
    size_t n;
    if (term_is_binary_like(t)) { if (!binary_bytes(t, &bytes, &n)) BIF_ERROR(p, EXC_BADARG); }
    else {
        Term l = t;
        for (; term_is_list(l); l = list_tail(l))
            if (!term_is_binary_like(list_head(l)) || !binary_bytes(list_head(l), &bytes, &n)) BIF_ERROR(p, EXC_BADARG);
        if (!term_is_nil(l)) BIF_ERROR(p, EXC_BADARG);
    }
    ENTER(b);
    bool ok = true;
    if (term_is_binary_like(t)) ok = put(b, bytes, n);
    for (; ok && term_is_list(t); t = list_tail(t)) {
        binary_bytes(list_head(t), &bytes, &n);
        ok = put(b, bytes, n);
    }
    if (!ok) FAIL(b);
    LEAVE(b, am_ok);
}

Term nif_prim_buffer_skip(Process *p, Term *args)
{
    ENTER(b);
    if (!term_is_small(args[1]) || small_value(args[1]) < 0 || (size_t)small_value(args[1]) > b->len - b->off) FAIL(b);
    b->off += (size_t)small_value(args[1]);
    if (b->off == b->len) b->off = b->len = 0;
    LEAVE(b, am_ok);
}

Term nif_prim_buffer_find_byte_index(Process *p, Term *args)
{
    ENTER(b);
    if (!term_is_small(args[1]) || small_value(args[1]) < 0 || small_value(args[1]) > 255) FAIL(b);
    const uint8_t *at = b->len > b->off ? memchr(b->bytes + b->off, (int)small_value(args[1]), b->len - b->off) : NULL;
    if (!at) LEAVE(b, ATOM_NAMED("not_found"));
    LEAVE(b, tuple2(bif_alloc(p, 3), am_ok, make_small((SWord)(at - (b->bytes + b->off)))));
}

Term nif_prim_buffer_try_lock(Process *p, Term *args)
{
    ENTER(b);
    if (b->locked) LEAVE(b, ATOM_NAMED("busy"));
    b->locked = true;
    LEAVE(b, ATOM_NAMED("acquired"));
}

Term nif_prim_buffer_unlock(Process *p, Term *args)
{
    ENTER(b);
    if (!b->locked) FAIL(b);
    b->locked = false;
    LEAVE(b, am_ok);
}
