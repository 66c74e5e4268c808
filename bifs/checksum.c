/*
 * checksum.c — erlang:crc32, adler32 (zlib's) and md5 (loader/md5.c) of
 * iodata. Checksums are 32-bit unsigned integers; a running value passed
 * back in must be one (else badarg).
 *
 * An MD5 context is an 88-byte binary laid out as OTP's MD5_CTX: the four
 * state words, the bit count (low and high 32 bits), then the 64-byte
 * block, all little-endian. The block bytes past the bit count are zero
 * here (OTP leaves them uninitialised).
 */
#include <string.h>
#include <zlib.h>

#include "arith.h"
#include "bif.h"
#include "bits.h"
#include "loader/md5.h"

#define CHUNK ((size_t)1 << 30)   /* zlib takes uInt lengths */

static bool uint32_arg(Term t, uint32_t *out)
{
    if (!term_is_small(t) || small_value(t) < 0 || small_value(t) > (SWord)UINT32_MAX) return false;
    *out = (uint32_t)small_value(t);
    return true;
}

typedef uLong (*checksum_fn)(uLong, const Bytef *, uInt);

static Term checksum(Process *p, checksum_fn fn, uLong start, Term data)
{
    const uint8_t *bytes;
    size_t len;
    uint8_t *owned;
    if (!iodata_bytes(p, data, &bytes, &len, &owned)) BIF_ERROR(p, EXC_BADARG);
    uLong v = start;
    for (size_t off = 0; off < len; off += CHUNK) v = fn(v, bytes + off, (uInt)(len - off < CHUNK ? len - off : CHUNK));
    free(owned);
    BUMP_REDS(p, len / 4096);
    return make_small((SWord)v);
}

Term bif_erlang_crc32_1(Process *p, Term *args) { return checksum(p, crc32, crc32(0, NULL, 0), args[0]); }
Term bif_erlang_adler32_1(Process *p, Term *args) { return checksum(p, adler32, adler32(0, NULL, 0), args[0]); }

Term bif_erlang_crc32_2(Process *p, Term *args)
{
    uint32_t old;
    if (!uint32_arg(args[0], &old)) BIF_ERROR(p, EXC_BADARG);
    return checksum(p, crc32, old, args[1]);
}

Term bif_erlang_adler32_2(Process *p, Term *args)
{
    uint32_t old;
    if (!uint32_arg(args[0], &old)) BIF_ERROR(p, EXC_BADARG);
    return checksum(p, adler32, old, args[1]);
}

Term bif_erlang_crc32_combine_3(Process *p, Term *args)
{
    uint32_t a, b, len;
    if (!uint32_arg(args[0], &a) || !uint32_arg(args[1], &b) || !uint32_arg(args[2], &len)) BIF_ERROR(p, EXC_BADARG);
    return make_small((SWord)crc32_combine(a, b, (z_off_t)len));
}

Term bif_erlang_adler32_combine_3(Process *p, Term *args)
{
    uint32_t a, b, len;
    if (!uint32_arg(args[0], &a) || !uint32_arg(args[1], &b) || !uint32_arg(args[2], &len)) BIF_ERROR(p, EXC_BADARG);
    return make_small((SWord)adler32_combine(a, b, (z_off_t)len));
}

/* --- MD5 ----------------------------------------------------------------- */

#define MD5_CTX_BYTES 88

static void put32le(uint8_t *o, uint32_t v) { for (int i = 0; i < 4; i++) o[i] = (uint8_t)(v >> (8 * i)); }
static uint32_t get32le(const uint8_t *o) { return (uint32_t)o[0] | (uint32_t)o[1] << 8 | (uint32_t)o[2] << 16 | (uint32_t)o[3] << 24; }

static Term ctx_to_binary(Process *p, const md5_ctx *c)
{
    uint8_t *o;
    Term bin = bits_alloc_binary(p, 8 * MD5_CTX_BYTES, &o);
    memset(o, 0, MD5_CTX_BYTES);
    for (int i = 0; i < 4; i++) put32le(o + 4 * i, c->state[i]);
    uint64_t bits = c->length * 8;
    put32le(o + 16, (uint32_t)bits);
    put32le(o + 20, (uint32_t)(bits >> 32));
    memcpy(o + 24, c->block, c->fill);
    return bin;
}

static bool ctx_from_binary(Term t, md5_ctx *c)
{
    const uint8_t *o;
    size_t n;
    if (!term_is_binary_like(t) || !binary_bytes(t, &o, &n) || n != MD5_CTX_BYTES) return false;
    for (int i = 0; i < 4; i++) c->state[i] = get32le(o + 4 * i);
    uint64_t bits = get32le(o + 16) | (uint64_t)get32le(o + 20) << 32;
    c->length = bits / 8;
    c->fill = (size_t)(c->length % 64);
    memcpy(c->block, o + 24, 64);
    return true;
}

Term bif_erlang_md5_init_0(Process *p, Term *args)
{
    (void)args;
    md5_ctx c;
    md5_init(&c);
    return ctx_to_binary(p, &c);
}

static bool md5_feed(Process *p, md5_ctx *c, Term data)
{
    const uint8_t *bytes;
    size_t len;
    uint8_t *owned;
    if (!iodata_bytes(p, data, &bytes, &len, &owned)) return false;
    md5_update(c, bytes, len);
    free(owned);
    BUMP_REDS(p, len / 4096);
    return true;
}

Term bif_erlang_md5_update_2(Process *p, Term *args)
{
    md5_ctx c;
    if (!ctx_from_binary(args[0], &c) || !md5_feed(p, &c, args[1])) BIF_ERROR(p, EXC_BADARG);
    return ctx_to_binary(p, &c);
}

Term bif_erlang_md5_final_1(Process *p, Term *args)
{
    md5_ctx c;
    if (!ctx_from_binary(args[0], &c)) BIF_ERROR(p, EXC_BADARG);
    uint8_t digest[16];
    md5_final(&c, digest);
    return bits_new_binary(p, digest, 0, 128);
}

Term bif_erlang_md5_1(Process *p, Term *args)
{
    md5_ctx c;
    md5_init(&c);
    if (!md5_feed(p, &c, args[0])) BIF_ERROR(p, EXC_BADARG);
    uint8_t digest[16];
    md5_final(&c, digest);
    return bits_new_binary(p, digest, 0, 128);
}
