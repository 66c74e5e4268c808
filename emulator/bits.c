/*
 * bits.c — the bit syntax (see bits.h): bit fields, match contexts, and
 * building binaries, including the append optimisation.
 *
 * Append: `append`/`private_append` segments reuse a writable refc binary
 * (ProcBin flags PB_IS_WRITABLE) through its one writable sub binary
 * (bit 16 of bit_info) when nobody else can see the bytes past its end:
 * the Binary's refcount is 1 (no copy in another process or literal
 * area) and the sub binary is still the newest one (appending clears the
 * bit on the old one). Otherwise the bits are copied into a new writable
 * binary with room for twice the size (at least 256 bytes), so a loop
 * that appends stays linear. Starting a match on a writable binary makes
 * it read-only for good, since a match context caches its byte pointer.
 */
#include "bits.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arith.h"
#include "atom.h"
#include "bignum.h"
#include "exception.h"
#include "term_build.h"
#include "utf8.h"

#define SB_WRITABLE ((UWord)1 << 16)
#define WRITABLE_MIN_BYTES 256
/* No binary may have this many bits or more (keeps every bit count and
 * sum of two of them far from overflow). */
#define MAX_BINARY_BITS ((UWord)1 << 60)

static Term *heap_take(Process *p, size_t words)
{
    Term *hp = HAlloc(p, words);
    if (!hp) {
        fprintf(stderr, "cbeam: cannot allocate %zu heap words\n", words);
        abort();
    }
    return hp;
}

static Binary *binary_take(UWord bytes)
{
    Binary *b = binary_alloc(bytes);
    if (!b) {
        fprintf(stderr, "cbeam: cannot allocate a binary of %lu bytes\n", (unsigned long)bytes);
        abort();
    }
    return b;
}

/* ---------------------------------------------------------------------------
 * Bit fields
 * ------------------------------------------------------------------------ */

/* k (<= 8) bits at src/off, right-aligned. Reads the second byte only when
 * the field crosses into it. */
static inline unsigned read_bits(const uint8_t *src, UWord off, unsigned k)
{
    const uint8_t *s = src + (off >> 3);
    unsigned shift = off & 7;
    if (shift == 0 && k == 8) return s[0];
    unsigned w = (unsigned)s[0] << 8;
    if (shift + k > 8) w |= s[1];
    return (w >> (16 - shift - k)) & ((1u << k) - 1);
}

/* Writes the low k (<= 8) bits of v at dst/off, keeping the other bits. */
static inline void write_bits(uint8_t *dst, UWord off, unsigned v, unsigned k)
{
    uint8_t *d = dst + (off >> 3);
    unsigned shift = off & 7;
    if (shift == 0 && k == 8) { d[0] = (uint8_t)v; return; }
    v &= (1u << k) - 1;
    if (shift + k <= 8) {
        unsigned pos = 8 - shift - k;
        unsigned mask = ((1u << k) - 1) << pos;
        d[0] = (uint8_t)((d[0] & ~mask) | (v << pos));
        return;
    }
    unsigned first = 8 - shift, rest = k - first;
    d[0] = (uint8_t)((d[0] & ~((1u << first) - 1)) | (v >> rest));
    d[1] = (uint8_t)((d[1] & ((1u << (8 - rest)) - 1)) | ((v << (8 - rest)) & 0xFF));
}

void bits_copy(uint8_t *dst, UWord doff, const uint8_t *src, UWord soff, UWord n)
{
    if (n == 0) return;
    if ((doff & 7) == 0 && (soff & 7) == 0) {
        memcpy(dst + (doff >> 3), src + (soff >> 3), n >> 3);
    } else if ((doff & 7) == 0) {
        uint8_t *d = dst + (doff >> 3);
        for (UWord i = 0; i < (n >> 3); i++) d[i] = (uint8_t)read_bits(src, soff + 8 * i, 8);
    } else {
        for (UWord i = 0; i < (n >> 3); i++) write_bits(dst, doff + 8 * i, read_bits(src, soff + 8 * i, 8), 8);
    }
    UWord whole = n & ~(UWord)7;
    if (n & 7) write_bits(dst, doff + whole, read_bits(src, soff + whole, n & 7), n & 7);
}

UWord bits_read_uint(const uint8_t *src, UWord off, unsigned n)
{
    UWord v = 0;
    for (; n >= 8; n -= 8, off += 8) v = v << 8 | read_bits(src, off, 8);
    if (n) v = v << n | read_bits(src, off, n);
    return v;
}

void bits_write_uint(uint8_t *dst, UWord off, UWord v, unsigned n)
{
    unsigned first = n & 7;
    if (first) {
        write_bits(dst, off, (unsigned)(v >> (n - first)), first);
        off += first;
        n -= first;
    }
    for (; n; n -= 8, off += 8) write_bits(dst, off, (unsigned)(v >> (n - 8)) & 0xFF, 8);
}

bool bits_equal(const uint8_t *a, UWord aoff, const uint8_t *b, UWord boff, UWord n)
{
    if ((aoff & 7) == 0 && (boff & 7) == 0) {
        if (memcmp(a + (aoff >> 3), b + (boff >> 3), n >> 3) != 0) return false;
    } else {
        for (UWord i = 0; i < (n >> 3); i++)
            if (read_bits(a, aoff + 8 * i, 8) != read_bits(b, boff + 8 * i, 8)) return false;
    }
    UWord whole = n & ~(UWord)7;
    return (n & 7) == 0 || read_bits(a, aoff + whole, n & 7) == read_bits(b, boff + whole, n & 7);
}

/* A field of n (<= 64, whole bytes when little) bits in the flags' order. */
static UWord read_uint_ordered(const uint8_t *src, UWord off, unsigned n, unsigned flags)
{
    if (!(flags & BSF_LITTLE)) return bits_read_uint(src, off, n);
    UWord v = 0;
    unsigned i = 0;
    for (; 8 * (i + 1) <= n; i++) v |= (UWord)read_bits(src, off + 8 * i, 8) << (8 * i);
    if (n & 7) v |= (UWord)read_bits(src, off + 8 * i, n & 7) << (8 * i);
    return v;
}

static void write_uint_ordered(uint8_t *dst, UWord off, UWord v, unsigned n, unsigned flags)
{
    if (!(flags & BSF_LITTLE)) { bits_write_uint(dst, off, v, n); return; }
    unsigned i = 0;
    for (; 8 * (i + 1) <= n; i++) write_bits(dst, off + 8 * i, (unsigned)(v >> (8 * i)) & 0xFF, 8);
    if (n & 7) write_bits(dst, off + 8 * i, (unsigned)(v >> (8 * i)), n & 7);
}

/* --- floats ----------------------------------------------------------------- */

double bits_half_to_double(uint16_t h)
{
    unsigned e = (h >> 10) & 0x1F, m = h & 0x3FF;
    double v;
    if (e == 0) v = ldexp(m, -24);
    else if (e == 31) v = m ? NAN : INFINITY;
    else v = ldexp(m + 1024, (int)e - 25);
    return (h & 0x8000) ? -v : v;
}

/* Round to nearest, ties to even (the default rounding mode). */
uint16_t bits_double_to_half(double d)
{
    uint16_t sign = signbit(d) ? 0x8000 : 0;
    double a = fabs(d);
    if (isnan(d)) return sign | 0x7E00;
    if (a >= 65520.0) return sign | 0x7C00;
    if (a < ldexp(1, -14)) return sign | (uint16_t)nearbyint(a * 16777216.0); /* subnormal (1024 = the smallest normal) */
    int e;
    double f = frexp(a, &e);
    unsigned mant = (unsigned)nearbyint((f * 2 - 1) * 1024), exp = (unsigned)(e - 1 + 15);
    if (mant == 1024) { mant = 0; exp++; }
    if (exp >= 31) return sign | 0x7C00;
    return (uint16_t)(sign | exp << 10 | mant);
}

bool bits_read_float(const uint8_t *src, UWord off, unsigned size, unsigned flags, double *out)
{
    UWord raw = read_uint_ordered(src, off, size, flags);
    double d;
    if (size == 64) {
        memcpy(&d, &raw, sizeof d);
    } else if (size == 32) {
        uint32_t r = (uint32_t)raw;
        float f;
        memcpy(&f, &r, sizeof f);
        d = f;
    } else if (size == 16) {
        d = bits_half_to_double((uint16_t)raw);
    } else {
        return false;
    }
    if (!isfinite(d)) return false;
    *out = d;
    return true;
}

void bits_write_float(uint8_t *dst, UWord off, double d, unsigned size, unsigned flags)
{
    UWord raw;
    if (size == 64) {
        memcpy(&raw, &d, sizeof raw);
    } else if (size == 32) {
        float f = (float)d;
        uint32_t r;
        memcpy(&r, &f, sizeof r);
        raw = r;
    } else {
        raw = bits_double_to_half(d);
    }
    write_uint_ordered(dst, off, raw, size, flags);
}

/* --- unicode ------------------------------------------------------------------ */

unsigned bits_utf8_bits(SWord cp)
{
    if (!bits_valid_code_point(cp)) return 0;
    return cp < 0x80 ? 8 : cp < 0x800 ? 16 : cp < 0x10000 ? 24 : 32;
}

unsigned bits_utf16_bits(SWord cp)
{
    if (!bits_valid_code_point(cp)) return 0;
    return cp < 0x10000 ? 16 : 32;
}

unsigned bits_write_utf(uint8_t *dst, UWord off, uint32_t cp, unsigned kind, unsigned flags)
{
    if (kind == 8) {
        char buf[4];
        size_t n = utf8_encode(cp, buf);
        bits_copy(dst, off, (const uint8_t *)buf, 0, 8 * n);
        return (unsigned)(8 * n);
    }
    if (kind == 32) {
        write_uint_ordered(dst, off, cp, 32, flags);
        return 32;
    }
    if (cp < 0x10000) {
        write_uint_ordered(dst, off, cp, 16, flags);
        return 16;
    }
    uint32_t v = cp - 0x10000;
    write_uint_ordered(dst, off, 0xD800 | (v >> 10), 16, flags);
    write_uint_ordered(dst, off + 16, 0xDC00 | (v & 0x3FF), 16, flags);
    return 32;
}

unsigned bits_read_utf(const uint8_t *src, UWord off, UWord avail, unsigned kind, unsigned flags, uint32_t *cp)
{
    if (kind == 8) {
        char buf[4];
        size_t n = avail / 8 < 4 ? avail / 8 : 4;
        for (size_t i = 0; i < n; i++) buf[i] = (char)read_bits(src, off + 8 * i, 8);
        return (unsigned)(8 * utf8_decode(buf, n, cp));
    }
    if (kind == 32) {
        if (avail < 32) return 0;
        UWord v = read_uint_ordered(src, off, 32, flags);
        if (!bits_valid_code_point((SWord)v)) return 0;
        *cp = (uint32_t)v;
        return 32;
    }
    if (avail < 16) return 0;
    UWord w1 = read_uint_ordered(src, off, 16, flags);
    if (w1 < 0xD800 || w1 > 0xDFFF) { *cp = (uint32_t)w1; return 16; }
    if (w1 >= 0xDC00 || avail < 32) return 0;
    UWord w2 = read_uint_ordered(src, off + 16, 16, flags);
    if (w2 < 0xDC00 || w2 > 0xDFFF) return 0;
    *cp = (uint32_t)(0x10000 + ((w1 - 0xD800) << 10) + (w2 - 0xDC00));
    return 32;
}

/* --- integers ------------------------------------------------------------------ */

/* Byte i (little-endian, i = 0 least significant) of the infinite two's
 * complement of an integer term. */
typedef struct int_bytes {
    bool negative;
    const uint8_t *mag;   /* magnitude, little-endian */
    UWord mag_len;
    UWord first_nonzero;  /* index of the lowest non-zero magnitude byte */
    uint8_t small[8];
} int_bytes;

static void int_bytes_init(int_bytes *ib, Term value)
{
    if (term_is_small(value)) {
        SWord v = small_value(value);
        UWord m = v < 0 ? (UWord)0 - (UWord)v : (UWord)v;
        for (int i = 0; i < 8; i++) ib->small[i] = (uint8_t)(m >> (8 * i));
        ib->negative = v < 0;
        ib->mag = ib->small;
        ib->mag_len = 8;
    } else {
        ib->negative = bignum_is_negative(value);
        ib->mag = (const uint8_t *)bignum_digits(value); /* little-endian host */
        ib->mag_len = 8 * bignum_digit_count(value);
    }
    ib->first_nonzero = 0;
    while (ib->first_nonzero < ib->mag_len && ib->mag[ib->first_nonzero] == 0) ib->first_nonzero++;
}

static unsigned int_byte(const int_bytes *ib, UWord i)
{
    unsigned m = i < ib->mag_len ? ib->mag[i] : 0;
    if (!ib->negative) return m;
    if (i < ib->first_nonzero) return 0;                 /* ~0 + carry */
    if (i == ib->first_nonzero) return (~m + 1) & 0xFF;  /* the carry stops here */
    return ~m & 0xFF;
}

void bits_write_integer(uint8_t *dst, UWord off, Term value, UWord n, unsigned flags)
{
    if (n == 0) return;
    if (term_is_small(value) && n <= 64) {
        write_uint_ordered(dst, off, (UWord)small_value(value), (unsigned)n, flags);
        return;
    }
    int_bytes ib;
    int_bytes_init(&ib, value);
    UWord whole = n / 8;
    unsigned rest = n % 8;
    if (flags & BSF_LITTLE) {
        for (UWord i = 0; i < whole; i++) write_bits(dst, off + 8 * i, int_byte(&ib, i), 8);
        if (rest) write_bits(dst, off + 8 * whole, int_byte(&ib, whole), rest);
        return;
    }
    if (rest) { write_bits(dst, off, int_byte(&ib, whole), rest); off += rest; }
    for (UWord i = whole; i-- > 0; off += 8) write_bits(dst, off, int_byte(&ib, i), 8);
}

/* The n-bit field as the little-endian bytes of its unsigned value. */
static void field_to_le(const uint8_t *src, UWord off, UWord n, unsigned flags, uint8_t *le)
{
    UWord whole = n / 8;
    unsigned rest = n % 8;
    if (flags & BSF_LITTLE) {
        for (UWord i = 0; i < whole; i++) le[i] = (uint8_t)read_bits(src, off + 8 * i, 8);
        if (rest) le[whole] = (uint8_t)read_bits(src, off + 8 * whole, rest);
        return;
    }
    for (UWord i = 0; i < whole; i++) le[i] = (uint8_t)read_bits(src, off + n - 8 * (i + 1), 8);
    if (rest) le[whole] = (uint8_t)read_bits(src, off, rest);
}

UWord bits_integer_words(UWord bits) { return bits <= 64 ? 2 : bignum_words_for_bytes((bits + 7) / 8); }

static Term read_big_integer(Process *p, const uint8_t *src, UWord off, UWord n, unsigned flags)
{
    UWord nbytes = (n + 7) / 8;
    uint8_t stack_buf[256];
    uint8_t *le = nbytes <= sizeof stack_buf ? stack_buf : malloc(nbytes);
    if (!le) { fputs("cbeam: out of memory reading an integer\n", stderr); abort(); }
    field_to_le(src, off, n, flags, le);
    bool negative = (flags & BSF_SIGNED) && ((le[(n - 1) / 8] >> ((n - 1) % 8)) & 1);
    if (negative) { /* magnitude = 2^n - value */
        unsigned carry = 1;
        for (UWord i = 0; i < nbytes; i++) {
            unsigned b = (~le[i] & 0xFFu) + carry;
            le[i] = (uint8_t)b;
            carry = b >> 8;
        }
        if (n % 8) le[nbytes - 1] &= (uint8_t)((1u << (n % 8)) - 1);
    }
    size_t words = bignum_words_for_bytes(nbytes);
    Term *hp = heap_take(p, words);
    Term r = integer_from_le_bytes(hp, le, nbytes, negative);
    if (le != stack_buf) free(le);
    size_t used = r != THE_NON_VALUE && term_is_bignum(r) ? 1 + bignum_digit_count(r) : 0;
    heap_release(p, hp + used, words - used);
    return r;
}

static Term read_integer(Process *p, const uint8_t *src, UWord off, UWord n, unsigned flags)
{
    if (n == 0) return make_small(0);
    if (n > 64) return read_big_integer(p, src, off, n, flags);
    UWord v = read_uint_ordered(src, off, (unsigned)n, flags);
    if ((flags & BSF_SIGNED) && ((v >> (n - 1)) & 1)) {
        SWord s = n == 64 ? (SWord)v : (SWord)(v | (~(UWord)0 << n));
        return arith_make_integer(p, s);
    }
    return arith_make_uinteger(p, v);
}

/* ---------------------------------------------------------------------------
 * Binaries
 * ------------------------------------------------------------------------ */

static const uint8_t *orig_bytes(Term orig)
{
    const Term *obj = boxed_ptr(orig);
    if (header_subtag(obj[0]) == HDR_HEAP_BIN) return (const uint8_t *)(obj + 2);
    return ((const ProcBin *)obj)->bytes;
}

const uint8_t *bits_data(Term bin, UWord *bit_offset, UWord *bit_size)
{
    const Term *obj = boxed_ptr(bin);
    if (header_subtag(obj[0]) != HDR_SUB_BIN) {
        *bit_offset = 0;
        *bit_size = obj[1] * 8;
        return orig_bytes(bin);
    }
    const SubBin *sb = (const SubBin *)obj;
    *bit_offset = sb->offs * 8 + ((sb->bit_info >> 8) & 0xFF);
    *bit_size = sb->size * 8 + (sb->bit_info & 0xFF);
    return orig_bytes(sb->orig);
}

UWord bits_binary_words(UWord nbits)
{
    UWord bytes = (nbits + 7) / 8;
    UWord words = bytes <= HEAP_BIN_LIMIT ? heap_bin_words(bytes) : PROC_BIN_WORDS;
    return words + (nbits % 8 ? SUB_BIN_WORDS : 0);
}

static Term make_sub(Term *hp, Term orig, UWord off, UWord nbits, bool writable)
{
    SubBin *sb = (SubBin *)hp;
    sb->header = make_header(SUB_BIN_WORDS - 1, HDR_SUB_BIN);
    sb->size = nbits / 8;
    sb->offs = off / 8;
    sb->bit_info = (nbits % 8) | (off % 8) << 8 | (writable ? SB_WRITABLE : 0);
    sb->orig = orig;
    return make_boxed(hp);
}

Term bits_alloc_binary(Process *p, UWord nbits, uint8_t **data)
{
    UWord bytes = (nbits + 7) / 8;
    Term bin;
    if (bytes <= HEAP_BIN_LIMIT) {
        UWord words = heap_bin_words(bytes);
        Term *hp = heap_take(p, words);
        hp[0] = make_header(words - 1, HDR_HEAP_BIN);
        hp[1] = bytes;
        memset(hp + 2, 0, (words - 2) * sizeof(Term));
        bin = make_boxed(hp);
        *data = (uint8_t *)(hp + 2);
    } else {
        Binary *b = binary_take(bytes);
        b->bytes[bytes - 1] = 0;
        bin = procbin_make(heap_take(p, PROC_BIN_WORDS), b, &p->off_heap);
        *data = b->bytes;
    }
    if (nbits % 8) bin = make_sub(heap_take(p, SUB_BIN_WORDS), bin, 0, nbits, false);
    return bin;
}

Term bits_new_binary(Process *p, const uint8_t *src, UWord soff, UWord nbits)
{
    uint8_t *data;
    Term bin = bits_alloc_binary(p, nbits, &data);
    bits_copy(data, 0, src, soff, nbits);
    return bin;
}

/* A slice of orig (a heap or refc binary): as OTP 25, whole bytes up to
 * the heap-binary limit are copied (binary:referenced_byte_size shows
 * it), anything else is a sub binary. */
static Term slice(Process *p, Term orig, UWord off, UWord nbits)
{
    if (nbits % 8 == 0 && nbits / 8 <= HEAP_BIN_LIMIT) return bits_new_binary(p, orig_bytes(orig), off, nbits);
    return make_sub(heap_take(p, SUB_BIN_WORDS), orig, off, nbits, false);
}

Term bits_sub_binary(Process *p, Term bin, UWord off, UWord nbits)
{
    Term orig = bin;
    if (term_is_boxed_with(bin, HDR_SUB_BIN)) {
        const SubBin *sb = (const SubBin *)boxed_ptr(bin);
        orig = sb->orig;
        off += sb->offs * 8 + ((sb->bit_info >> 8) & 0xFF);
    }
    if (off == 0 && nbits % 8 == 0 && nbits / 8 == boxed_ptr(orig)[1] &&
        !(term_is_boxed_with(orig, HDR_REFC_BIN) && ((ProcBin *)boxed_ptr(orig))->flags))
        return orig;
    return slice(p, orig, off, nbits);
}

/* ---------------------------------------------------------------------------
 * Matching
 * ------------------------------------------------------------------------ */

Term bits_start_match(Process *p, Term t)
{
    if (term_is_match_state(t)) return t;
    if (!term_is_binary_like(t)) return THE_NON_VALUE;
    UWord off = 0, size = binary_bit_size(t);
    Term orig = t;
    if (term_is_boxed_with(t, HDR_SUB_BIN)) {
        const SubBin *sb = (const SubBin *)boxed_ptr(t);
        orig = sb->orig;
        off = sb->offs * 8 + ((sb->bit_info >> 8) & 0xFF);
    }
    if (term_is_boxed_with(orig, HDR_REFC_BIN)) ((ProcBin *)boxed_ptr(orig))->flags = 0; /* see the top */
    MatchState *ms = (MatchState *)heap_take(p, MATCH_STATE_WORDS);
    ms->header = make_header(MATCH_STATE_WORDS - 1, HDR_BIN_MATCHSTATE);
    ms->orig = orig;
    ms->base = orig_bytes(orig);
    ms->offset = off;
    ms->end = off + size;
    return make_boxed((Term *)ms);
}

bool bits_match_size(const MatchState *ms, Term size, UWord unit, UWord *bits)
{
    UWord left = ms->end - ms->offset;
    if (size == am_all) {
        if (unit > 1 && left % unit) return false;
        *bits = left;
        return true;
    }
    if (!term_is_small(size) || small_value(size) < 0) return false;
    UWord n = (UWord)small_value(size);
    if (unit && n > left / unit) return false;
    *bits = n * unit;
    return true;
}

Term bits_match_integer(Process *p, MatchState *ms, UWord bits, unsigned flags)
{
    Term r = read_integer(p, ms->base, ms->offset, bits, flags);
    if (r != THE_NON_VALUE) ms->offset += bits;
    return r;
}

Term bits_match_binary(Process *p, MatchState *ms, UWord bits)
{
    Term r = slice(p, ms->orig, ms->offset, bits);
    ms->offset += bits;
    return r;
}

Term bits_match_float(Process *p, MatchState *ms, UWord bits, unsigned flags)
{
    double d = 0.0;   /* a zero-size float field matches as 0.0 (OTP) */
    if (bits != 0 && ((bits != 16 && bits != 32 && bits != 64) ||
                      !bits_read_float(ms->base, ms->offset, (unsigned)bits, flags, &d)))
        return THE_NON_VALUE;
    ms->offset += bits;
    return make_float(heap_take(p, FLOAT_WORDS), d);
}

/* ---------------------------------------------------------------------------
 * bs_create_bin
 * ------------------------------------------------------------------------ */

static Term operand(const bs_operands *o, uintptr_t w)
{
    if ((w & 3) != 0) return (Term)w;
    return (w & 4) ? o->E[w >> 3] : o->x[w >> 3];
}

static bool fail_with(Process *p, uint32_t reason)
{
    p->freason = reason;
    p->fvalue = NIL;
    return false;
}

/* Size * unit of a field; badarg for a bad size, system_limit for a
 * huge one (OTP: a bignum size, or a product past the limit). */
static bool segment_size(Process *p, Term size, UWord unit, UWord *bits)
{
    if (term_is_bignum(size)) return fail_with(p, bignum_is_negative(size) ? EXC_BADARG : EXC_SYSTEM_LIMIT);
    if (!term_is_small(size) || small_value(size) < 0) return fail_with(p, EXC_BADARG);
    UWord n = (UWord)small_value(size);
    if (unit && n > MAX_BINARY_BITS / unit) return fail_with(p, EXC_SYSTEM_LIMIT);
    *bits = n * unit;
    return true;
}

/* A failing segment: OTP's error_info for it, the item
 * {error_info, #{cause => {SegNo, Type, What, Value}, function =>
 * format_bs_fail, module => erl_erts_errors}} of the faulting function's
 * location (erts_prepare_bs_construct_fail_info). */
static bool seg_fail(Process *p, bs_plan *plan, const uintptr_t *seg, uint32_t reason, Term what, Term value)
{
    static const char *const names[] = {
        [BSEG_INTEGER] = "integer", [BSEG_FLOAT] = "float", [BSEG_BINARY] = "binary",
        [BSEG_UTF8] = "utf8", [BSEG_UTF16] = "utf16", [BSEG_UTF32] = "utf32",
        [BSEG_STRING] = "string", [BSEG_APPEND] = "binary", [BSEG_PRIVATE_APPEND] = "binary",
    };
    Term type;
    if (atom_put(names[bs_seg_type(seg[0])], strlen(names[bs_seg_type(seg[0])]), &type) != ATOM_OK)
        atom_table_full_exit();
    Term *hp = HAlloc(p, 5 + 3 + 2);
    Term cause = tuple4(hp, make_small((SWord)bs_seg_no(seg[0])), type, what, value);
    Term keys[3] = { am_cause, ATOM_NAMED("function"), am_module };
    Term values[3] = { cause, ATOM_NAMED("format_bs_fail"), am_erl_erts_errors };
    Term info = map_from_pairs_on_heap(p, keys, values, 3);
    plan->error_info = cons(hp + 8, tuple2(hp + 5, am_error_info, info), NIL);
    return fail_with(p, reason);
}

/* Pass 1 (OTP's i_bs_create_bin): the size of a segment. Sizes are
 * checked here, in segment order, before any value: badarg for a bad
 * size, system_limit for a huge one. Of the values only those of
 * binary/all and utf32 segments are checked now; the others are
 * checked by value_ok in a second pass. */
static bool segment_bits(Process *p, const bs_operands *o, const uintptr_t *seg, bs_plan *plan, UWord *bits)
{
    UWord info = seg[0];
    unsigned type = bs_seg_type(info);
    UWord unit = bs_seg_unit(info);
    Term v = type == BSEG_STRING ? THE_NON_VALUE : operand(o, seg[1]);
    Term size = operand(o, seg[2]);
    switch (type) {
    case BSEG_INTEGER: case BSEG_FLOAT: case BSEG_BINARY:
        if (type == BSEG_BINARY && size == am_all) {
            if (!term_is_binary_like(v)) return seg_fail(p, plan, seg, EXC_BADARG, ATOM_NAMED("type"), v);
            *bits = binary_bit_size(v);
            return true;
        }
        if (term_is_small(size) && small_value(size) >= 0) {
            UWord n = (UWord)small_value(size);
            if (unit && n > MAX_BINARY_BITS / unit)
                return seg_fail(p, plan, seg, EXC_SYSTEM_LIMIT, ATOM_NAMED("size"), size);
            *bits = n * unit;
            return true;
        }
        return seg_fail(p, plan, seg, term_is_bignum(size) && !bignum_is_negative(size) ? EXC_SYSTEM_LIMIT : EXC_BADARG,
                        ATOM_NAMED("size"), size);
    case BSEG_UTF8:
        *bits = term_is_small(v) && bits_valid_code_point(small_value(v)) ? bits_utf8_bits(small_value(v)) : 32;
        return true;
    case BSEG_UTF16:
        *bits = term_is_small(v) && bits_valid_code_point(small_value(v)) ? bits_utf16_bits(small_value(v)) : 32;
        return true;
    case BSEG_UTF32:
        if (!term_is_small(v) || !bits_valid_code_point(small_value(v)))
            return seg_fail(p, plan, seg, EXC_BADARG, ATOM_NAMED("type"), v);
        *bits = 32;
        return true;
    case BSEG_STRING:
        *bits = 8 * (UWord)small_value(size);
        return true;
    default: /* append, private_append: checked after the sizes */
        *bits = 0;
        return true;
    }
}

/* Pass 2: the value of a segment whose size is known to be good. */
static bool value_ok(Process *p, const bs_operands *o, const uintptr_t *seg, bs_plan *plan)
{
    UWord info = seg[0], unit = bs_seg_unit(info);
    unsigned type = bs_seg_type(info);
    if (type == BSEG_STRING || type == BSEG_APPEND || type == BSEG_PRIVATE_APPEND) return true;
    Term v = operand(o, seg[1]);
    Term size = operand(o, seg[2]);
    switch (type) {
    case BSEG_INTEGER:
        return term_is_integer(v) ? true : seg_fail(p, plan, seg, EXC_BADARG, ATOM_NAMED("type"), v);
    case BSEG_FLOAT: {
        UWord bits = (UWord)small_value(size) * unit;
        double d;
        if (bits != 16 && bits != 32 && bits != 64)
            return seg_fail(p, plan, seg, EXC_BADARG, ATOM_NAMED("invalid"), make_small((SWord)bits));
        if (!term_is_number(v)) return seg_fail(p, plan, seg, EXC_BADARG, ATOM_NAMED("type"), v);
        if (!number_to_double(v, &d)) return seg_fail(p, plan, seg, EXC_BADARG, ATOM_NAMED("no_float"), v);
        return true;
    }
    case BSEG_BINARY:
        if (size == am_all)
            return unit > 1 && binary_bit_size(v) % unit ? seg_fail(p, plan, seg, EXC_BADARG, ATOM_NAMED("unit"), v) : true;
        if (!term_is_binary_like(v)) return seg_fail(p, plan, seg, EXC_BADARG, ATOM_NAMED("type"), v);
        return (UWord)small_value(size) * unit <= binary_bit_size(v) ? true
               : seg_fail(p, plan, seg, EXC_BADARG, ATOM_NAMED("short"), v);
    default: /* utf8, utf16, utf32 */
        return term_is_small(v) && bits_valid_code_point(small_value(v)) ? true
               : seg_fail(p, plan, seg, EXC_BADARG, ATOM_NAMED("type"), v);
    }
}

bool bits_create_plan(Process *p, const bs_operands *o, bs_plan *plan)
{
    UWord total = 0;
    bool append = false;
    plan->error_info = NIL;
    for (UWord i = 0; i < o->nsegs; i++) {
        const uintptr_t *seg = o->seg + BS_SEG_WORDS * i;
        unsigned type = bs_seg_type(seg[0]);
        UWord bits = 0;
        if (!segment_bits(p, o, seg, plan, &bits)) return false;
        total += bits;
        if (total >= MAX_BINARY_BITS)
            return seg_fail(p, plan, seg, EXC_SYSTEM_LIMIT, ATOM_NAMED("size"), operand(o, seg[2]));
        if (type == BSEG_APPEND || type == BSEG_PRIVATE_APPEND) append = true;
    }
    for (UWord i = 0; append && i < o->nsegs; i++) {   /* the binary appended to */
        const uintptr_t *seg = o->seg + BS_SEG_WORDS * i;
        unsigned type = bs_seg_type(seg[0]);
        if (type != BSEG_APPEND && type != BSEG_PRIVATE_APPEND) continue;
        Term v = operand(o, seg[1]);
        UWord unit = bs_seg_unit(seg[0]);
        if (!term_is_binary_like(v)) return seg_fail(p, plan, seg, EXC_BADARG, ATOM_NAMED("type"), v);
        if (unit > 1 && binary_bit_size(v) % unit) return seg_fail(p, plan, seg, EXC_BADARG, ATOM_NAMED("unit"), v);
    }
    for (UWord i = 0; i < o->nsegs; i++)
        if (!value_ok(p, o, o->seg + BS_SEG_WORDS * i, plan)) return false;
    plan->total_bits = total;
    plan->words = append ? PROC_BIN_WORDS + SUB_BIN_WORDS : bits_binary_words(total);
    return true;
}

/* Makes room for `extra` bits after the bitstring bin in a writable binary
 * (bin's own when it may be reused, else a copy). Returns the new writable
 * sub binary; *data and *off say where the new bits go. */
static Term append_prepare(Process *p, Term bin, UWord extra, uint8_t **data, UWord *off)
{
    if (term_is_boxed_with(bin, HDR_SUB_BIN)) {
        SubBin *sb = (SubBin *)boxed_ptr(bin);
        ProcBin *pb = (ProcBin *)boxed_ptr(sb->orig);
        if ((sb->bit_info & SB_WRITABLE) && header_subtag(pb->header) == HDR_REFC_BIN && (pb->flags & PB_IS_WRITABLE) &&
            atomic_load(&pb->val->refc) == 1 && sb->offs == 0 && ((sb->bit_info >> 8) & 0xFF) == 0) {
            UWord used = sb->size * 8 + (sb->bit_info & 0xFF);
            UWord need = (used + extra + 7) / 8, had = (used + 7) / 8;
            if (need > pb->val->orig_size) {
                UWord cap = 2 * need < WRITABLE_MIN_BYTES ? WRITABLE_MIN_BYTES : 2 * need;
                Binary *b = binary_take(cap);
                memcpy(b->bytes, pb->bytes, had);
                binary_release(pb->val);
                pb->val = b;
                pb->bytes = b->bytes;
            }
            if (need > had) memset(pb->bytes + had, 0, need - had);
            sb->bit_info &= ~SB_WRITABLE;
            pb->size = need;
            *data = pb->bytes;
            *off = used;
            return make_sub(heap_take(p, SUB_BIN_WORDS), sb->orig, 0, used + extra, true);
        }
    }
    UWord soff, used;
    const uint8_t *src = bits_data(bin, &soff, &used);
    UWord need = (used + extra + 7) / 8;
    UWord cap = 2 * need < WRITABLE_MIN_BYTES ? WRITABLE_MIN_BYTES : 2 * need;
    Binary *b = binary_take(cap);
    memset(b->bytes, 0, need);
    bits_copy(b->bytes, 0, src, soff, used);
    Term *hp = heap_take(p, PROC_BIN_WORDS + SUB_BIN_WORDS);
    Term pbt = procbin_make(hp, b, &p->off_heap);
    ProcBin *pb = (ProcBin *)hp;
    pb->size = need;
    pb->flags = PB_IS_WRITABLE | PB_ACTIVE_WRITER;
    *data = b->bytes;
    *off = used;
    return make_sub(hp + PROC_BIN_WORDS, pbt, 0, used + extra, true);
}

/* Writes one segment (already checked by the plan) at data/off; returns
 * its size in bits. */
static UWord write_segment(const bs_operands *o, const uintptr_t *seg, uint8_t *data, UWord off)
{
    UWord info = seg[0], unit = bs_seg_unit(info);
    unsigned type = bs_seg_type(info), flags = bs_seg_flags(info);
    Term size = operand(o, seg[2]);
    if (type == BSEG_STRING) {
        UWord bits = 8 * (UWord)small_value(size);
        bits_copy(data, off, (const uint8_t *)seg[1], 0, bits);
        return bits;
    }
    Term v = operand(o, seg[1]);
    switch (type) {
    case BSEG_INTEGER: {
        UWord bits = (UWord)small_value(size) * unit;
        bits_write_integer(data, off, v, bits, flags);
        return bits;
    }
    case BSEG_FLOAT: {
        UWord bits = (UWord)small_value(size) * unit;
        double d;
        number_to_double(v, &d);
        bits_write_float(data, off, d, (unsigned)bits, flags);
        return bits;
    }
    case BSEG_BINARY: {
        UWord soff, have;
        const uint8_t *src = bits_data(v, &soff, &have);
        UWord bits = size == am_all ? have : (UWord)small_value(size) * unit;
        bits_copy(data, off, src, soff, bits);
        return bits;
    }
    case BSEG_UTF8: return bits_write_utf(data, off, (uint32_t)small_value(v), 8, flags);
    case BSEG_UTF16: return bits_write_utf(data, off, (uint32_t)small_value(v), 16, flags);
    case BSEG_UTF32: return bits_write_utf(data, off, (uint32_t)small_value(v), 32, flags);
    default: return 0;
    }
}

Term bits_create_build(Process *p, const bs_operands *o, const bs_plan *plan)
{
    uint8_t *data;
    UWord off = 0;
    Term result = THE_NON_VALUE;
    for (UWord i = 0; i < o->nsegs && result == THE_NON_VALUE; i++) {
        const uintptr_t *seg = o->seg + BS_SEG_WORDS * i;
        unsigned type = bs_seg_type(seg[0]);
        if (type == BSEG_APPEND || type == BSEG_PRIVATE_APPEND)
            result = append_prepare(p, operand(o, seg[1]), plan->total_bits, &data, &off);
    }
    if (result == THE_NON_VALUE) result = bits_alloc_binary(p, plan->total_bits, &data);
    for (UWord i = 0; i < o->nsegs; i++) off += write_segment(o, o->seg + BS_SEG_WORDS * i, data, off);
    return result;
}

Term bits_init_writable(Process *p, Term hint)
{
    UWord cap = 1024;
    if (term_is_small(hint) && small_value(hint) >= 0) cap = (UWord)small_value(hint);
    if (cap > ((UWord)1 << 26)) cap = (UWord)1 << 26; /* a hint, not a promise */
    Binary *b = binary_take(cap);
    Term *hp = heap_take(p, PROC_BIN_WORDS + SUB_BIN_WORDS);
    Term pbt = procbin_make(hp, b, &p->off_heap);
    ProcBin *pb = (ProcBin *)hp;
    pb->size = 0;
    pb->flags = PB_IS_WRITABLE | PB_ACTIVE_WRITER;
    return make_sub(hp + PROC_BIN_WORDS, pbt, 0, 0, true);
}

/* ---------------------------------------------------------------------------
 * Legacy construction
 * ------------------------------------------------------------------------ */

static _Thread_local struct {
    uint8_t *data;
    UWord offset;
} current;

bool bits_field_size(Process *p, Term size, UWord unit, UWord *bits) { return segment_size(p, size, unit, bits); }

Term bits_legacy_init(Process *p, UWord bits)
{
    current.offset = 0;
    return bits_alloc_binary(p, bits, &current.data);
}

bool bits_legacy_put_integer(Process *p, Term value, Term size, UWord unit, unsigned flags)
{
    UWord bits;
    if (!term_is_integer(value)) return fail_with(p, EXC_BADARG);
    if (!segment_size(p, size, unit, &bits)) return false;
    bits_write_integer(current.data, current.offset, value, bits, flags);
    current.offset += bits;
    return true;
}

bool bits_legacy_put_float(Process *p, Term value, Term size, UWord unit, unsigned flags)
{
    UWord bits;
    double d;
    if (!term_is_number(value) || !number_to_double(value, &d)) return fail_with(p, EXC_BADARG);
    if (!segment_size(p, size, unit, &bits)) return false;
    if (bits != 16 && bits != 32 && bits != 64) return fail_with(p, EXC_BADARG);
    bits_write_float(current.data, current.offset, d, (unsigned)bits, flags);
    current.offset += bits;
    return true;
}

bool bits_legacy_put_binary(Process *p, Term value, Term size, UWord unit)
{
    if (!term_is_binary_like(value)) return fail_with(p, EXC_BADARG);
    UWord soff, have, bits;
    const uint8_t *src = bits_data(value, &soff, &have);
    if (size == am_all) {
        if (unit > 1 && have % unit) return fail_with(p, EXC_BADARG);
        bits = have;
    } else {
        if (!segment_size(p, size, unit, &bits)) return false;
        if (bits > have) return fail_with(p, EXC_BADARG);
    }
    bits_copy(current.data, current.offset, src, soff, bits);
    current.offset += bits;
    return true;
}

void bits_legacy_put_string(const uint8_t *s, UWord len)
{
    bits_copy(current.data, current.offset, s, 0, 8 * len);
    current.offset += 8 * len;
}

bool bits_legacy_put_utf(Process *p, Term value, unsigned kind, unsigned flags)
{
    if (!term_is_small(value) || !bits_valid_code_point(small_value(value))) return fail_with(p, EXC_BADARG);
    current.offset += bits_write_utf(current.data, current.offset, (uint32_t)small_value(value), kind, flags);
    return true;
}

/* As OTP's i_bs_utf8_size/i_bs_utf16_size: no check here, the put that
 * follows rejects a bad code point. */
Term bits_legacy_utf_size(Term value, unsigned kind)
{
    SWord cp = term_is_small(value) ? small_value(value) : 0x10000;
    if (kind == 16) return make_small(cp >= 0x10000 ? 4 : 2);
    return make_small(cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);
}

Term bits_legacy_add(Process *p, Term a, Term b, UWord unit)
{
    if (term_is_bignum(a) || term_is_bignum(b)) {
        fail_with(p, EXC_SYSTEM_LIMIT);
        return THE_NON_VALUE;
    }
    if (!term_is_small(a) || !term_is_small(b) || small_value(a) < 0 || small_value(b) < 0) {
        fail_with(p, EXC_BADARG);
        return THE_NON_VALUE;
    }
    UWord x = (UWord)small_value(a), y = (UWord)small_value(b);
    if (unit && y > (UWord)MAX_SMALL / unit) { fail_with(p, EXC_SYSTEM_LIMIT); return THE_NON_VALUE; }
    UWord sum = x + y * unit;
    if (sum > (UWord)MAX_SMALL) { fail_with(p, EXC_SYSTEM_LIMIT); return THE_NON_VALUE; }
    return make_small((SWord)sum);
}

bool bits_legacy_append_ok(Process *p, Term bin, UWord unit)
{
    if (!term_is_binary_like(bin) || (unit > 1 && binary_bit_size(bin) % unit)) return fail_with(p, EXC_BADARG);
    return true;
}

Term bits_legacy_append(Process *p, Term bin, UWord bits)
{
    return append_prepare(p, bin, bits, &current.data, &current.offset);
}
