/*
 * zlib.c — the NIFs behind OTP 25's preloaded zlib module (zlib.erl,
 * unmodified), against the system zlib, with the contracts of OTP's
 * erts/emulator/nifs/common/zlib_nif.c.
 *
 * A stream is a resource (emulator/resource.h) whose term zlib:open()
 * returns. Only its controlling process (the opener, or the pid given to
 * set_controlling_process) may use it: any other caller gets error
 * not_on_controlling_process. Its mutex guards every field, so a call
 * that races with a change of controller sees one or the other. The
 * z_stream and the input queue are freed by close/end, or by the
 * destructor when the last term referring to the stream is garbage.
 *
 * zlib.erl drives the codec: enqueue_nif appends input (iovec terms) to
 * the stream's queue; deflate_nif/inflate_nif consume at most InputChunk
 * bytes of it and produce at most OutputChunk bytes, answering
 * {continue, Out} (call again), {finished, Out}, or
 * {need_dictionary, Adler, Out}; Out is [] or [Binary].
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "atom.h"
#include "bits.h"
#include "nif.h"
#include "resource.h"
#include "scheduler.h"
#include "term_build.h"

enum { ST_NONE, ST_DEFLATE, ST_INFLATE, ST_CLOSED };
/* After Z_STREAM_END, more input is an error, starts a new stream, or
 * is dropped (zlib.erl's eos_behavior; cut is the default). */
enum { EOS_ERROR, EOS_RESET, EOS_CUT };

typedef struct zstream {
    pthread_mutex_t lock;
    z_stream s;
    int state, eos_behavior;
    bool eos_seen, is_raw, want_input_crc, want_output_crc;
    uLong input_crc, output_crc;   /* of the plain text (zlib:crc32/1) */
    int chunk_bufsize;             /* inflateChunk's buffer (deprecated) */
    Term controller;               /* a local pid */
    uint8_t *q;                    /* queued input: q[q_off..q_len) */
    size_t q_off, q_len, q_cap;
    Term *stash_heap;              /* one term kept across calls, or NULL */
    Term stash;
    OffHeap stash_oh;
} zstream;

static void stash_clear(zstream *z)
{
    if (!z->stash_heap) return;
    offheap_release(&z->stash_oh);
    free(z->stash_heap);
    z->stash_heap = NULL;
}

static void queue_clear(zstream *z) { z->q_off = z->q_len = 0; }

/* Ends the codec and drops the stash; the stream stays usable by
 * nothing but the destructor. */
static void internal_close(zstream *z)
{
    if (z->state == ST_DEFLATE) deflateEnd(&z->s);
    else if (z->state == ST_INFLATE) inflateEnd(&z->s);
    if (z->state != ST_CLOSED) stash_clear(z);
    z->state = ST_CLOSED;
}

static void zstream_destroy(void *data)
{
    zstream *z = data;
    internal_close(z);
    free(z->q);
    pthread_mutex_destroy(&z->lock);
}

static const ResourceType zstream_type = { "gc_zlib", zstream_destroy };

/* --- results ------------------------------------------------------------- */

static Term raise_atom(Process *p, const char *name)
{
    Term a;
    if (atom_put(name, strlen(name), &a) != ATOM_OK) abort();
    return raise_error(p, EXC_ERROR, a);
}

/* zlib_nif.c's zlib_return: some codes are results, some raise. */
static Term zlib_result(Process *p, int code)
{
    switch (code) {
    case Z_OK: return am_ok;
    case Z_STREAM_END: return ATOM_NAMED("stream_end");
    case Z_ERRNO: return make_small(errno);
    case Z_STREAM_ERROR: return raise_atom(p, "stream_error");
    case Z_DATA_ERROR: return raise_atom(p, "data_error");
    case Z_MEM_ERROR: return ATOM_NAMED("mem_error");
    case Z_BUF_ERROR: return ATOM_NAMED("buf_error");
    case Z_VERSION_ERROR: return ATOM_NAMED("version_error");
    default: return ATOM_NAMED("unknown_error");
    }
}

static bool int_arg(Term t, int *out)
{
    if (!term_is_small(t) || small_value(t) < INT32_MIN || small_value(t) > INT32_MAX) return false;
    *out = (int)small_value(t);
    return true;
}

/* The stream of args[0], locked, if the caller controls it. NULL with the
 * exception set otherwise; `need` is the state required (-1: any). */
static zstream *zstream_enter(Process *p, Term *args, int need, const char *need_error)
{
    zstream *z = resource_get(args[0], &zstream_type);
    if (!z) { raise_error(p, EXC_BADARG, NIL); return NULL; }
    pthread_mutex_lock(&z->lock);
    const char *err = NULL;
    if (z->controller != p->pid) err = "not_on_controlling_process";
    else if (need >= 0 && z->state != need) err = need_error;
    if (err) {
        pthread_mutex_unlock(&z->lock);
        raise_atom(p, err);
        return NULL;
    }
    return z;
}

static Term leave(zstream *z, Term r)
{
    pthread_mutex_unlock(&z->lock);
    return r;
}

#define ENTER(need, err) zstream *z = zstream_enter(p, args, (need), (err)); if (!z) return THE_NON_VALUE
#define ANY (-1)

/* --- open, close, controller ---------------------------------------------- */

Term nif_zlib_open(Process *p, Term *args)
{
    (void)args;
    zstream *z = resource_alloc(&zstream_type, sizeof *z);
    if (!z) return ATOM_NAMED("mem_error");
    pthread_mutex_init(&z->lock, NULL);
    z->s.data_type = Z_BINARY;
    z->state = ST_NONE;
    z->eos_behavior = EOS_CUT;
    z->controller = p->pid;
    z->input_crc = z->output_crc = crc32(0, NULL, 0);
    z->chunk_bufsize = 4000;
    Term t = resource_make_term(p, z);
    resource_release(z);
    return t;
}

Term nif_zlib_close(Process *p, Term *args)
{
    ENTER(ANY, NULL);
    if (z->state == ST_CLOSED) { pthread_mutex_unlock(&z->lock); return raise_atom(p, "not_initialized"); }
    internal_close(z);
    return leave(z, am_ok);
}

Term nif_zlib_set_controller(Process *p, Term *args)
{
    if (!resource_get(args[0], &zstream_type) || !term_is_pid(args[1])) BIF_ERROR(p, EXC_BADARG);
    ENTER(ANY, NULL);
    z->controller = args[1];
    return leave(z, am_ok);
}

/* --- the codec ----------------------------------------------------------- */

/* Runs codec over at most input_limit queued bytes into a buffer of
 * output_size, then (when the queue is drained and room is left) flushes
 * with `flush`, as zlib_nif.c's zlib_flush_queue and zlib_codec. */
static Term run_codec(Process *p, zstream *z, int (*codec)(z_streamp, int), int input_limit, int output_size, int flush)
{
    if (input_limit <= 0 || output_size <= 0) return raise_error(p, EXC_BADARG, NIL);
    uint8_t *out = malloc((size_t)output_size);
    if (!out) return ATOM_NAMED("mem_error");
    z->s.next_out = out;
    z->s.avail_out = (uInt)output_size;
    size_t avail = z->q_len - z->q_off, consumed = 0;
    int res = Z_OK;
    if (avail > 0) {
        size_t block = avail < (size_t)input_limit ? avail : (size_t)input_limit;
        z->s.next_in = z->q + z->q_off;
        z->s.avail_in = (uInt)block;
        res = codec(&z->s, Z_NO_FLUSH);
        consumed = block - z->s.avail_in;
        if (z->want_input_crc) z->input_crc = crc32(z->input_crc, z->q + z->q_off, (uInt)consumed);
        z->q_off += consumed;
        if (z->q_off == z->q_len) queue_clear(z);
    }
    size_t remaining = z->q_len - z->q_off;
    if (res == Z_OK && remaining == 0 && z->s.avail_out > 0) {
        z->s.next_in = NULL;
        z->s.avail_in = 0;
        res = codec(&z->s, flush);
    }
    size_t produced = (size_t)output_size - z->s.avail_out;
    BUMP_REDS(p, (consumed + produced) / 1024);
    if (res < 0 && res != Z_BUF_ERROR) {
        free(out);
        return zlib_result(p, res);
    }
    if (res == Z_STREAM_END) z->eos_seen = true;
    if (z->want_output_crc) z->output_crc = crc32(z->output_crc, out, (uInt)produced);
    if (consumed == 0 && produced == 0 && remaining != 0) {   /* no progress: bad input */
        free(out);
        return zlib_result(p, Z_DATA_ERROR);
    }
    Term list = NIL;
    if (produced > 0) list = cons(bif_alloc(p, 2), bits_new_binary(p, out, 0, 8 * (UWord)produced), NIL);
    free(out);
    Term *hp = bif_alloc(p, 4);
    if (remaining == 0 && produced < (size_t)output_size) return tuple2(hp, ATOM_NAMED("finished"), list);
    if (res != Z_NEED_DICT) return tuple2(hp, ATOM_NAMED("continue"), list);
    return tuple3(hp, ATOM_NAMED("need_dictionary"), make_small((int32_t)z->s.adler), list);   /* an int in OTP 25 */
}

/* --- deflate ------------------------------------------------------------- */

Term nif_zlib_deflateInit(Process *p, Term *args)
{
    int level, method, bits, mem, strategy;
    if (!resource_get(args[0], &zstream_type) || !int_arg(args[1], &level) || !int_arg(args[2], &method) ||
        !int_arg(args[3], &bits) || !int_arg(args[4], &mem) || !int_arg(args[5], &strategy))
        BIF_ERROR(p, EXC_BADARG);
    ENTER(ST_NONE, "already_initialized");
    int res = deflateInit2(&z->s, level, method, bits, mem, strategy);
    if (res == Z_OK) {
        z->state = ST_DEFLATE;
        z->eos_seen = false;
        z->is_raw = bits < 0;
        z->want_output_crc = false;
        z->want_input_crc = z->is_raw;
        z->input_crc = z->output_crc = crc32(0, NULL, 0);
    }
    return leave(z, zlib_result(p, res));
}

/* The bytes of an iodata argument, or false (badarg). */
static bool bytes_arg(Process *p, Term t, const uint8_t **bytes, size_t *len, uint8_t **owned)
{
    return iodata_bytes(p, t, bytes, len, owned);
}

Term nif_zlib_deflateSetDictionary(Process *p, Term *args)
{
    const uint8_t *dict;
    size_t len;
    uint8_t *owned;
    if (!resource_get(args[0], &zstream_type) || !bytes_arg(p, args[1], &dict, &len, &owned)) BIF_ERROR(p, EXC_BADARG);
    zstream *z = zstream_enter(p, args, ST_DEFLATE, "not_initialized");
    if (!z) { free(owned); return THE_NON_VALUE; }
    int res = deflateSetDictionary(&z->s, dict, (uInt)len);
    Term r;
    if (res == Z_OK) {
        /* raw deflate does not keep the adler: compute it as OTP does */
        uLong sum = z->is_raw ? adler32(0, dict, (uInt)len) : z->s.adler;
        r = make_small((int32_t)sum);   /* OTP 25 returns it as a signed int */
    } else {
        r = zlib_result(p, res);
    }
    free(owned);
    return leave(z, r);
}

Term nif_zlib_deflateReset(Process *p, Term *args)
{
    ENTER(ST_DEFLATE, "not_initialized");
    int res = deflateReset(&z->s);
    z->input_crc = crc32(0, NULL, 0);
    z->eos_seen = false;
    queue_clear(z);
    stash_clear(z);
    return leave(z, zlib_result(p, res));
}

Term nif_zlib_deflateEnd(Process *p, Term *args)
{
    ENTER(ST_DEFLATE, "not_initialized");
    int res = deflateEnd(&z->s);
    if (res == Z_OK && z->q_len > z->q_off) res = Z_DATA_ERROR;
    queue_clear(z);
    stash_clear(z);
    z->state = ST_NONE;
    return leave(z, zlib_result(p, res));
}

Term nif_zlib_deflateParams(Process *p, Term *args)
{
    int level, strategy;
    if (!resource_get(args[0], &zstream_type) || !int_arg(args[1], &level) || !int_arg(args[2], &strategy))
        BIF_ERROR(p, EXC_BADARG);
    ENTER(ST_DEFLATE, "not_initialized");
    /* zlib.erl has flushed everything before: a one-byte buffer catches
     * any output deflateParams would still make (as zlib_nif.c does). */
    Bytef dummy;
    z->s.next_out = &dummy;
    z->s.avail_out = 1;
    int res = deflateParams(&z->s, level, strategy);
    if (z->s.avail_out == 0) res = Z_STREAM_ERROR;
    return leave(z, zlib_result(p, res));
}

static bool codec_args(Term *args, int *in, int *out, int *flush)
{
    return resource_get(args[0], &zstream_type) && int_arg(args[1], in) && int_arg(args[2], out) && int_arg(args[3], flush);
}

Term nif_zlib_deflate(Process *p, Term *args)
{
    int in, out, flush;
    if (!codec_args(args, &in, &out, &flush)) BIF_ERROR(p, EXC_BADARG);
    ENTER(ST_DEFLATE, "not_initialized");
    return leave(z, run_codec(p, z, deflate, in, out, flush));
}

/* --- inflate ------------------------------------------------------------- */

Term nif_zlib_inflateInit(Process *p, Term *args)
{
    int bits, eos;
    if (!resource_get(args[0], &zstream_type) || !int_arg(args[1], &bits) || !int_arg(args[2], &eos)) BIF_ERROR(p, EXC_BADARG);
    ENTER(ST_NONE, "already_initialized");
    int res = inflateInit2(&z->s, bits);
    if (res == Z_OK) {
        z->state = ST_INFLATE;
        z->eos_behavior = eos;
        z->eos_seen = false;
        z->is_raw = bits < 0;
        z->want_output_crc = z->is_raw;
        z->want_input_crc = false;
        z->input_crc = z->output_crc = crc32(0, NULL, 0);
    }
    return leave(z, zlib_result(p, res));
}

Term nif_zlib_inflateSetDictionary(Process *p, Term *args)
{
    const uint8_t *dict;
    size_t len;
    uint8_t *owned;
    if (!resource_get(args[0], &zstream_type) || !bytes_arg(p, args[1], &dict, &len, &owned)) BIF_ERROR(p, EXC_BADARG);
    zstream *z = zstream_enter(p, args, ST_INFLATE, "not_initialized");
    if (!z) { free(owned); return THE_NON_VALUE; }
    int res = inflateSetDictionary(&z->s, dict, (uInt)len);
    free(owned);
    return leave(z, zlib_result(p, res));
}

Term nif_zlib_inflateGetDictionary(Process *p, Term *args)
{
    ENTER(ST_INFLATE, "not_initialized");
    uint8_t dict[32768];
    uInt len = 0;
    int res = inflateGetDictionary(&z->s, dict, &len);
    if (res < 0) return leave(z, zlib_result(p, res));
    return leave(z, bits_new_binary(p, dict, 0, 8 * (UWord)len));
}

Term nif_zlib_inflateReset(Process *p, Term *args)
{
    ENTER(ST_INFLATE, "not_initialized");
    int res = inflateReset(&z->s);
    z->output_crc = crc32(0, NULL, 0);
    z->eos_seen = false;
    queue_clear(z);
    stash_clear(z);
    return leave(z, zlib_result(p, res));
}

Term nif_zlib_inflateEnd(Process *p, Term *args)
{
    ENTER(ST_INFLATE, "not_initialized");
    int res = inflateEnd(&z->s);
    if (res == Z_OK && (!z->eos_seen || z->q_len > z->q_off)) res = Z_DATA_ERROR;
    queue_clear(z);
    stash_clear(z);
    z->state = ST_NONE;
    return leave(z, zlib_result(p, res));
}

Term nif_zlib_inflate(Process *p, Term *args)
{
    int in, out, flush;
    if (!codec_args(args, &in, &out, &flush)) BIF_ERROR(p, EXC_BADARG);
    ENTER(ST_INFLATE, "not_initialized");
    if (z->eos_seen && z->q_len > z->q_off) {
        switch (z->eos_behavior) {
        case EOS_ERROR: return leave(z, zlib_result(p, Z_DATA_ERROR));
        case EOS_RESET: {
            int res = inflateReset(&z->s);
            if (res != Z_OK) return leave(z, zlib_result(p, res));
            z->eos_seen = false;
            break;
        }
        case EOS_CUT:
            queue_clear(z);
            stash_clear(z);
            break;
        }
    }
    return leave(z, run_codec(p, z, inflate, in, out, flush));
}

/* --- checksum, buffer size, stash, input ------------------------------------ */

Term nif_zlib_crc32(Process *p, Term *args)
{
    ENTER(ANY, NULL);
    if (z->state == ST_DEFLATE) return leave(z, make_small((SWord)z->input_crc));
    if (z->state == ST_INFLATE) return leave(z, make_small((SWord)z->output_crc));
    pthread_mutex_unlock(&z->lock);
    return raise_atom(p, "not_initialized");
}

Term nif_zlib_getBufSize(Process *p, Term *args)
{
    ENTER(ANY, NULL);
    return leave(z, make_small(z->chunk_bufsize));
}

Term nif_zlib_setBufSize(Process *p, Term *args)
{
    ENTER(ANY, NULL);
    int size;
    if (!int_arg(args[1], &size)) { pthread_mutex_unlock(&z->lock); BIF_ERROR(p, EXC_BADARG); }
    z->chunk_bufsize = size;
    return leave(z, am_ok);
}

Term nif_zlib_getStash(Process *p, Term *args)
{
    ENTER(ANY, NULL);
    if (!z->stash_heap) return leave(z, ATOM_NAMED("empty"));
    Term *hp = bif_alloc(p, size_object(z->stash) + 3);
    Term copy = copy_object(z->stash, &hp, &p->off_heap);
    return leave(z, tuple2(hp, am_ok, copy));
}

Term nif_zlib_clearStash(Process *p, Term *args)
{
    ENTER(ANY, NULL);
    if (!z->stash_heap) { pthread_mutex_unlock(&z->lock); return raise_atom(p, "error"); }
    stash_clear(z);
    return leave(z, am_ok);
}

Term nif_zlib_setStash(Process *p, Term *args)
{
    ENTER(ANY, NULL);
    if (z->stash_heap) { pthread_mutex_unlock(&z->lock); return raise_atom(p, "error"); }
    size_t words = size_object(args[1]);
    z->stash_heap = malloc((words ? words : 1) * sizeof(Term));
    if (!z->stash_heap) abort();
    Term *hp = z->stash_heap;
    z->stash_oh = (OffHeap){ 0 };
    z->stash = copy_object(args[1], &hp, &z->stash_oh);
    return leave(z, am_ok);
}

static bool queue_put(zstream *z, const uint8_t *bytes, size_t n)
{
    if (z->q_len + n > z->q_cap) {
        size_t cap = z->q_cap ? z->q_cap : 4096;
        while (cap < z->q_len + n) cap *= 2;
        uint8_t *q = realloc(z->q, cap);
        if (!q) return false;
        z->q = q;
        z->q_cap = cap;
    }
    memcpy(z->q + z->q_len, bytes, n);
    z->q_len += n;
    return true;
}


Term nif_zlib_enqueue(Process *p, Term *args)
{
    if (!resource_get(args[0], &zstream_type)) BIF_ERROR(p, EXC_BADARG);
    ENTER(ANY, NULL);
    if (z->state != ST_DEFLATE && z->state != ST_INFLATE) {
        pthread_mutex_unlock(&z->lock);
        return raise_atom(p, "not_initialized");
    }
    if (!nif_is_iovec(args[1])) { pthread_mutex_unlock(&z->lock); BIF_ERROR(p, EXC_BADARG); }
    /* Compact what was consumed before growing. */
    if (z->q_off > 0) {
        memmove(z->q, z->q + z->q_off, z->q_len - z->q_off);
        z->q_len -= z->q_off;
        z->q_off = 0;
    }
    Term t = args[1];
    const uint8_t *b;
    size_t n;
    bool ok = true;
    if (term_is_binary_like(t)) {
        binary_bytes(t, &b, &n);
        ok = queue_put(z, b, n);
    }
    for (; ok && term_is_list(t); t = list_tail(t)) {
        binary_bytes(list_head(t), &b, &n);
        ok = queue_put(z, b, n);
    }
    if (!ok) { pthread_mutex_unlock(&z->lock); BIF_ERROR(p, EXC_BADARG); }
    return leave(z, am_ok);
}
