/*
 * etf.c — decoding the external term format (term_to_binary's bytes).
 *
 * Two passes, as OTP's binary_to_term (decoded_size, then dec_term):
 *  1. scan: checks every tag, length and atom text against the bytes that
 *     remain and counts the heap words the term needs. It keeps a single
 *     counter of terms still expected (ETF is a prefix encoding), so it
 *     needs no stack at all, and a length is rejected as soon as it claims
 *     more elements than there are bytes left (each element takes >= 1).
 *  2. build: takes one block of that many words from the sink and fills it
 *     top-down; compound terms leave "slots still to fill" on an explicit,
 *     heap-allocated stack, so nesting depth costs no C stack.
 * Maps are built by map_from_pairs once their pairs are decoded; that is
 * the only allocation from the sink besides the block, and the only check
 * left to pass 2 (duplicate keys, which need the built terms).
 *
 * Pids and references of this node (nonode@nohost, creation 0) decode to
 * local ones, other nodes' pids, references and every port to external
 * ones (term.h), and local funs (NEW_FUN 112) of a loaded module version;
 * funs of code not loaded and the old FUN_EXT are rejected with "not
 * supported yet". Literals never contain any of these.
 */
#include "etf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#include "atom.h"
#include "bignum.h"
#include "emu.h"
#include "export.h"
#include "map.h"
#include "utf8.h"

enum etf_tag {
    TAG_NEW_FLOAT = 70, TAG_BIT_BINARY = 77, TAG_COMPRESSED = 80,
    TAG_SMALL_INTEGER = 97, TAG_INTEGER = 98, TAG_FLOAT = 99, TAG_ATOM = 100,
    TAG_REFERENCE = 101, TAG_PORT = 102, TAG_PID = 103,
    TAG_SMALL_TUPLE = 104, TAG_LARGE_TUPLE = 105, TAG_NIL = 106,
    TAG_STRING = 107, TAG_LIST = 108, TAG_BINARY = 109,
    TAG_SMALL_BIG = 110, TAG_LARGE_BIG = 111, TAG_NEW_FUN = 112,
    TAG_EXPORT = 113, TAG_NEW_REFERENCE = 114, TAG_SMALL_ATOM = 115,
    TAG_MAP = 116, TAG_FUN = 117, TAG_ATOM_UTF8 = 118,
    TAG_SMALL_ATOM_UTF8 = 119, TAG_V4_PORT = 120,
    TAG_NEW_PID = 88, TAG_NEW_PORT = 89, TAG_NEWER_REFERENCE = 90,
};

#define FLOAT_TEXT_BYTES 31
#define REF_TERM_WORDS 2   /* header, 64-bit number (make_ref's) */
/* deflate cannot expand data by more than this factor (zlib's tech notes
 * give 1032:1), so a larger declared size is a lie we refuse to allocate. */
#define MAX_DEFLATE_RATIO 1032

typedef struct reader {
    const uint8_t *buf;
    size_t len, pos;
    etf_error *err;
    bool safe;          /* ETF_SAFE: create no atoms and no export entries */
} reader;

static bool fail(reader *r, size_t offset, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool fail(reader *r, size_t offset, const char *what, const char *fmt, ...)
{
    r->err->offset = offset;
    r->err->what = what;
    r->err->detail[0] = '\0';
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->err->detail, sizeof r->err->detail, fmt, ap);
        va_end(ap);
    }
    return false;
}

static size_t remaining(const reader *r) { return r->len - r->pos; }

static bool need(reader *r, size_t n)
{
    if (n <= remaining(r)) return true;
    return fail(r, r->pos, "truncated term", "needs %zu more bytes, %zu left", n, remaining(r));
}

static uint32_t peek_u16(const reader *r) { const uint8_t *p = r->buf + r->pos; return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t peek_u32(const reader *r)
{
    const uint8_t *p = r->buf + r->pos;
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads a big-endian length of `width` bytes (1, 2 or 4). */
static bool read_length(reader *r, unsigned width, size_t *out)
{
    if (!need(r, width)) return false;
    *out = width == 1 ? r->buf[r->pos] : width == 2 ? peek_u16(r) : peek_u32(r);
    r->pos += width;
    return true;
}

static bool read_double(const uint8_t *p, double *out)
{
    uint64_t bits = 0;
    for (int i = 0; i < 8; i++) bits = bits << 8 | p[i];
    memcpy(out, &bits, sizeof *out);
    return isfinite(*out);
}

/* FLOAT_EXT: "%.20e" text padded with NULs to 31 bytes. */
static bool parse_float_text(const uint8_t *p, double *out)
{
    char text[FLOAT_TEXT_BYTES + 1];
    memcpy(text, p, FLOAT_TEXT_BYTES);
    text[FLOAT_TEXT_BYTES] = '\0';
    char *end;
    *out = strtod(text, &end);
    if (end == text) return false;
    for (; end < text + FLOAT_TEXT_BYTES; end++)
        if (*end != '\0') return false;
    return isfinite(*out);
}

/* --- pass 1: validate and size ------------------------------------------ */

typedef struct scan_result {
    size_t words;   /* heap words for everything except maps */
} scan_result;

/* Validates an atom of any of the four atom tags at r->pos and skips it. */
static bool scan_atom(reader *r)
{
    size_t at = r->pos;
    if (!need(r, 1)) return false;
    uint8_t tag = r->buf[r->pos++];
    unsigned width = (tag == TAG_SMALL_ATOM || tag == TAG_SMALL_ATOM_UTF8) ? 1
                   : (tag == TAG_ATOM || tag == TAG_ATOM_UTF8) ? 2 : 0;
    if (width == 0) return fail(r, at, "expected an atom", "tag %u", tag);
    size_t n = 0;
    if (!read_length(r, width, &n) || !need(r, n)) return false;
    const char *text = (const char *)r->buf + r->pos;
    size_t chars = n;
    if ((tag == TAG_ATOM_UTF8 || tag == TAG_SMALL_ATOM_UTF8) && !utf8_count(text, n, &chars))
        return fail(r, at, "atom text is not valid UTF-8", NULL);
    if (chars > ATOM_MAX_CHARS) return fail(r, at, "atom too long", "%zu characters", chars);
    r->pos += n;
    return true;
}

/* Pids and references of this node (nonode@nohost, creation 0) decode to
 * local ones; those of other nodes cannot be represented yet. The node
 * atom at r->pos has been checked by scan_atom. */
static bool node_is_local(const reader *r, size_t at)
{
    static const char local[] = "nonode@nohost";
    const uint8_t *p = r->buf + at;
    bool small = p[0] == TAG_SMALL_ATOM || p[0] == TAG_SMALL_ATOM_UTF8;
    size_t n = small ? p[1] : ((size_t)p[1] << 8 | p[2]);
    const uint8_t *text = p + (small ? 2 : 3);
    return n == sizeof local - 1 && memcmp(text, local, n) == 0;
}

static uint32_t u32_at(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

/* PID_EXT / NEW_PID_EXT: Node, ID (15 bits), Serial (13 bits), Creation.
 * *external: not this node's (another node, or another creation). */
static bool scan_pid(reader *r, size_t at, uint8_t tag, bool *external)
{
    size_t node_at = r->pos;
    size_t cre = tag == TAG_NEW_PID ? 4 : 1;
    if (!scan_atom(r) || !need(r, 8 + cre)) return false;
    const uint8_t *p = r->buf + r->pos;
    uint32_t creation = cre == 4 ? u32_at(p + 8) : p[8];
    if (u32_at(p) > 0x7FFF || u32_at(p + 4) > 0x1FFF) return fail(r, at, "bad pid", NULL);
    *external = !node_is_local(r, node_at) || creation != 0;
    r->pos += 8 + cre;
    return true;
}

/* PORT_EXT (Node, ID:32, Creation:8), NEW_PORT_EXT (Node, ID:32,
 * Creation:32), V4_PORT_EXT (Node, ID:64, Creation:32): always made
 * external (cbeam has no ports of its own to match them with). */
static bool scan_port(reader *r, uint8_t tag, uint64_t *id, uint32_t *creation)
{
    if (!scan_atom(r)) return false;
    size_t idw = tag == TAG_V4_PORT ? 8 : 4, cre = tag == TAG_PORT ? 1 : 4;
    if (!need(r, idw + cre)) return false;
    const uint8_t *p = r->buf + r->pos;
    *id = idw == 8 ? (uint64_t)u32_at(p) << 32 | u32_at(p + 4) : u32_at(p);
    *creation = cre == 4 ? u32_at(p + idw) : p[idw];
    r->pos += idw + cre;
    return true;
}

/* REFERENCE_EXT (Node, ID, Creation:8), NEW_REFERENCE_EXT (Len, Node,
 * Creation:8, IDs) and NEWER_REFERENCE_EXT (Len, Node, Creation:32, IDs).
 * A local reference is cbeam's 64-bit number as the ID words low, high,
 * 0 (term_to_binary's form); *id receives it. Any other is external:
 * *nwords > 0 is its number of ID words. */
static bool scan_ref(reader *r, size_t at, uint8_t tag, uint64_t *id, size_t *nwords)
{
    size_t len = 1;
    if (tag != TAG_REFERENCE && !read_length(r, 2, &len)) return false;
    if (len < 1 || len > 5) return fail(r, at, "bad reference", "%zu ID words", len);
    size_t node_at = r->pos;
    if (!scan_atom(r)) return false;
    size_t cre = tag == TAG_NEWER_REFERENCE ? 4 : 1;
    if (!need(r, cre + 4 * len)) return false;
    const uint8_t *p = r->buf + r->pos;
    uint32_t creation;
    const uint8_t *ids;
    if (tag == TAG_REFERENCE) { ids = p; creation = p[4]; }
    else { creation = cre == 4 ? u32_at(p) : p[0]; ids = p + cre; }
    uint32_t w[5] = { 0 };
    for (size_t i = 0; i < len; i++) w[i] = u32_at(ids + 4 * i);
    bool local = node_is_local(r, node_at) && creation == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0;
    *nwords = local ? 0 : len;
    *id = (uint64_t)w[0] | (uint64_t)w[1] << 32;
    r->pos += cre + 4 * len;
    return true;
}

static bool expect(reader *r, size_t at, size_t *pending, size_t children);

/* NEW_FUN_EXT: Size:32, Arity:8, Uniq:16/binary, Index:32, NumFree:32,
 * Module, OldIndex, OldUniq (integers), Pid, then NumFree free variables
 * (left to the caller's count). The fun must be one of a loaded module
 * with that MD5 (pass 2 checks). */
static bool scan_new_fun(reader *r, size_t at, size_t *pending, scan_result *s)
{
    if (!need(r, 4 + 1 + 16 + 4 + 4)) return false;
    const uint8_t *p = r->buf + r->pos;
    size_t nfree = u32_at(p + 25);             /* Size is not checked, as in OTP */
    r->pos += 29;
    if (!scan_atom(r)) return false;
    for (int i = 0; i < 2; i++) {            /* OldIndex, OldUniq */
        if (!need(r, 1)) return false;
        uint8_t t = r->buf[r->pos];
        size_t w = t == TAG_SMALL_INTEGER ? 1 : t == TAG_INTEGER ? 4 : 0;
        if (!w) return fail(r, r->pos, "NEW_FUN index or uniq is not an integer", NULL);
        if (!need(r, 1 + w)) return false;
        r->pos += 1 + w;
    }
    if (!need(r, 1)) return false;
    uint8_t pt = r->buf[r->pos];
    if (pt != TAG_NEW_PID && pt != TAG_PID) return fail(r, r->pos, "NEW_FUN creator is not a pid", NULL);
    size_t pid_at = r->pos++;
    bool external;
    if (!scan_pid(r, pid_at, pt, &external) || !expect(r, at, pending, nfree)) return false;
    s->words += FUN_FIXED_WORDS + nfree + (external ? EXT_PID_WORDS : 0);
    return true;
}

static bool scan_export(reader *r, scan_result *s)
{
    if (!scan_atom(r) || !scan_atom(r) || !need(r, 2)) return false;
    if (r->buf[r->pos] != TAG_SMALL_INTEGER)
        return fail(r, r->pos, "export fun arity is not a small integer", NULL);
    r->pos += 2;
    s->words += FUN_FIXED_WORDS;
    return true;
}

static size_t binary_words(size_t n) { return n <= HEAP_BIN_LIMIT ? heap_bin_words(n) : PROC_BIN_WORDS; }

static bool scan_bit_binary(reader *r, size_t at, scan_result *s)
{
    size_t n = 0;
    if (!read_length(r, 4, &n) || !need(r, 1)) return false;
    unsigned bits = r->buf[r->pos++];
    if (bits > 8 || (bits == 0) != (n == 0))
        return fail(r, at, "bad bit count in BIT_BINARY", "%u bits in the last of %zu bytes", bits, n);
    if (!need(r, n)) return false;
    r->pos += n;
    s->words += binary_words(n) + (bits == 8 || n == 0 ? 0 : SUB_BIN_WORDS);
    return true;
}

static bool scan_big(reader *r, size_t at, unsigned width, scan_result *s)
{
    size_t n = 0;
    if (!read_length(r, width, &n) || !need(r, 1)) return false;
    r->pos++; /* sign */
    if (n > MAX_BIG_DIGITS * sizeof(UWord)) return fail(r, at, "bignum too large", "%zu bytes", n);
    if (!need(r, n)) return false;
    r->pos += n;
    s->words += bignum_words_for_bytes(n);
    return true;
}

/* Adds `children` to the expected-term count, refusing counts the input
 * cannot possibly hold. */
static bool expect(reader *r, size_t at, size_t *pending, size_t children)
{
    if (children > remaining(r) || *pending > remaining(r) - children)
        return fail(r, at, "length exceeds the remaining input",
                    "%zu elements, %zu bytes left", children, remaining(r));
    *pending += children;
    return true;
}

static bool unsupported(reader *r, size_t at, uint8_t tag)
{
    return fail(r, at, "not supported yet", "tag %u (port or local fun)", tag);
}

static bool scan_one(reader *r, size_t *pending, scan_result *s)
{
    size_t at = r->pos, n = 0;
    if (!need(r, 1)) return false;
    uint8_t tag = r->buf[r->pos++];
    switch (tag) {
    case TAG_SMALL_INTEGER: if (!need(r, 1)) return false; r->pos += 1; return true;
    case TAG_INTEGER: if (!need(r, 4)) return false; r->pos += 4; return true;
    case TAG_NEW_FLOAT: {
        double d;
        if (!need(r, 8)) return false;
        if (!read_double(r->buf + r->pos, &d)) return fail(r, at, "float is not finite", NULL);
        r->pos += 8;
        s->words += FLOAT_WORDS;
        return true;
    }
    case TAG_FLOAT: {
        double d;
        if (!need(r, FLOAT_TEXT_BYTES)) return false;
        if (!parse_float_text(r->buf + r->pos, &d)) return fail(r, at, "bad FLOAT_EXT text", NULL);
        r->pos += FLOAT_TEXT_BYTES;
        s->words += FLOAT_WORDS;
        return true;
    }
    case TAG_SMALL_TUPLE: case TAG_LARGE_TUPLE:
        if (!read_length(r, tag == TAG_SMALL_TUPLE ? 1 : 4, &n) || !expect(r, at, pending, n)) return false;
        s->words += 1 + n;
        return true;
    case TAG_NIL: return true;
    case TAG_STRING:
        if (!read_length(r, 2, &n) || !need(r, n)) return false;
        r->pos += n;
        s->words += 2 * n;
        return true;
    case TAG_LIST:
        if (!read_length(r, 4, &n) || !expect(r, at, pending, n) || !expect(r, at, pending, 1)) return false;
        s->words += 2 * n;
        return true;
    case TAG_BINARY:
        if (!read_length(r, 4, &n) || !need(r, n)) return false;
        r->pos += n;
        s->words += binary_words(n);
        return true;
    case TAG_BIT_BINARY: return scan_bit_binary(r, at, s);
    case TAG_SMALL_BIG: return scan_big(r, at, 1, s);
    case TAG_LARGE_BIG: return scan_big(r, at, 4, s);
    case TAG_EXPORT: return scan_export(r, s);
    case TAG_MAP:
        if (!read_length(r, 4, &n) || n > SIZE_MAX / 2 || !expect(r, at, pending, 2 * n)) return false;
        return true;
    case TAG_ATOM: case TAG_SMALL_ATOM: case TAG_ATOM_UTF8: case TAG_SMALL_ATOM_UTF8:
        r->pos = at;
        return scan_atom(r);
    case TAG_PID: case TAG_NEW_PID: {
        bool external;
        if (!scan_pid(r, at, tag, &external)) return false;
        if (external) s->words += EXT_PID_WORDS;
        return true;
    }
    case TAG_REFERENCE: case TAG_NEW_REFERENCE: case TAG_NEWER_REFERENCE: {
        uint64_t id;
        size_t nwords;
        if (!scan_ref(r, at, tag, &id, &nwords)) return false;
        s->words += nwords ? EXT_REF_WORDS(nwords) : REF_TERM_WORDS;
        return true;
    }
    case TAG_PORT: case TAG_NEW_PORT: case TAG_V4_PORT: {
        uint64_t id;
        uint32_t creation;
        if (!scan_port(r, tag, &id, &creation)) return false;
        s->words += EXT_PORT_WORDS;
        return true;
    }
    case TAG_NEW_FUN: return scan_new_fun(r, at, pending, s);
    case TAG_FUN:
        return unsupported(r, at, tag);
    case TAG_COMPRESSED:
        return fail(r, at, "COMPRESSED only allowed at the top level", NULL);
    default:
        return fail(r, at, "unknown tag", "tag %u", tag);
    }
}

static bool scan_term(reader *r, scan_result *s)
{
    size_t pending = 1;
    s->words = 0;
    while (pending > 0) {
        pending--;
        if (!scan_one(r, &pending, s)) return false;
    }
    return true;
}

/* --- pass 2: build ---------------------------------------------------------- */

typedef enum { FRAME_SLOTS, FRAME_MAP } frame_kind;

typedef struct build_frame {
    frame_kind kind;
    Term *slot;        /* SLOTS: next slot to fill */
    size_t stride;     /* SLOTS: words between slots (1 tuple, 2 list heads) */
    size_t left;       /* terms still to decode into this frame */
    Term *kv;          /* MAP: keys [0..n), values [n..2n), malloc'd */
    size_t n, filled;  /* MAP: pair count, terms decoded so far */
    Term *dest;        /* MAP: where the finished map goes */
    size_t offset;     /* MAP: input offset of the MAP tag, for errors */
} build_frame;

typedef struct builder {
    reader *r;
    term_sink *sink;
    Term *hp, *hp_end;
    build_frame *frames;
    size_t depth, cap;
} builder;

static Term *take(builder *b, size_t words)
{
    Term *p = b->hp;
    b->hp += words; /* pass 1 sized the block exactly for these */
    return p;
}

static bool push_frame(builder *b, build_frame f)
{
    if (b->depth == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        build_frame *fr = realloc(b->frames, cap * sizeof *fr);
        if (!fr) return fail(b->r, b->r->pos, "out of memory", NULL);
        b->frames = fr;
        b->cap = cap;
    }
    b->frames[b->depth++] = f;
    return true;
}

static bool build_atom(builder *b, Term *out)
{
    reader *r = b->r;
    size_t at = r->pos;
    uint8_t tag = r->buf[r->pos++];
    bool small = tag == TAG_SMALL_ATOM || tag == TAG_SMALL_ATOM_UTF8;
    size_t n = 0;
    read_length(r, small ? 1 : 2, &n);
    const char *text = (const char *)r->buf + r->pos;
    r->pos += n;
    bool latin1 = tag == TAG_ATOM || tag == TAG_SMALL_ATOM;
    if (r->safe) {
        /* Only atoms that exist; the text is looked up as UTF-8. */
        char buf[2 * 256];
        size_t len = n;
        const char *name = text;
        if (latin1) {
            if (n > 255) return fail(r, at, "bad atom", NULL);
            len = 0;
            for (size_t i = 0; i < n; i++) len += utf8_encode((unsigned char)text[i], buf + len);
            name = buf;
        }
        if (atom_lookup(name, len, out)) return true;
        return fail(r, at, "unsafe", "atom does not exist");
    }
    atom_status st = latin1 ? atom_put_latin1(text, n, out) : atom_put(text, n, out);
    if (st == ATOM_OK) return true;
    return fail(r, at, st == ATOM_TABLE_FULL ? "atom table full" : "bad atom", NULL);
}

static Term build_heap_binary(builder *b, const uint8_t *data, size_t n)
{
    Term *hp = take(b, heap_bin_words(n));
    hp[heap_bin_words(n) - 1] = 0; /* zero the padding of the last word */
    hp[0] = make_header(heap_bin_words(n) - 1, HDR_HEAP_BIN);
    hp[1] = n;
    if (n) memcpy(hp + 2, data, n);
    return make_boxed(hp);
}

/* Copies n bytes into a heap or refc binary; last_mask clears the unused
 * low bits of a bitstring's final byte. */
static bool build_binary(builder *b, const uint8_t *data, size_t n, uint8_t last_mask, Term *out)
{
    if (n <= HEAP_BIN_LIMIT) {
        *out = build_heap_binary(b, data, n);
        if (n) ((uint8_t *)(boxed_ptr(*out) + 2))[n - 1] &= last_mask;
        return true;
    }
    Binary *bin = binary_alloc(n);
    if (!bin) return fail(b->r, b->r->pos, "out of memory", "binary of %zu bytes", n);
    memcpy(bin->bytes, data, n);
    bin->bytes[n - 1] &= last_mask;
    *out = procbin_make(take(b, PROC_BIN_WORDS), bin, b->sink->off_heap);
    return true;
}

static bool build_bit_binary(builder *b, Term *out)
{
    reader *r = b->r;
    size_t n = peek_u32(r);
    unsigned bits = r->buf[r->pos + 4];
    const uint8_t *data = r->buf + r->pos + 5;
    r->pos += 5 + n;
    if (bits == 8 || n == 0) return build_binary(b, data, n, 0xFF, out);
    Term whole;
    if (!build_binary(b, data, n, (uint8_t)(0xFF << (8 - bits)), &whole)) return false;
    SubBin *sb = (SubBin *)take(b, SUB_BIN_WORDS);
    sb->header = make_header(SUB_BIN_WORDS - 1, HDR_SUB_BIN);
    sb->size = n - 1;
    sb->offs = 0;
    sb->bit_info = bits;
    sb->orig = whole;
    *out = make_boxed((Term *)sb);
    return true;
}

static bool build_big(builder *b, unsigned width, Term *out)
{
    reader *r = b->r;
    size_t at = r->pos - 1, n = 0;
    read_length(r, width, &n);
    bool negative = r->buf[r->pos++] != 0;
    *out = integer_from_le_bytes(take(b, bignum_words_for_bytes(n)), r->buf + r->pos, n, negative);
    r->pos += n;
    if (*out == THE_NON_VALUE) return fail(r, at, "bignum too large", NULL);
    return true;
}

static bool build_export(builder *b, Term *out)
{
    reader *r = b->r;
    size_t at = r->pos - 1;
    Term m, f;
    if (!build_atom(b, &m) || !build_atom(b, &f)) return false;
    unsigned arity = r->buf[r->pos + 1];
    r->pos += 2;
    Export *e = r->safe ? export_get(m, f, arity) : export_put(m, f, arity);
    if (!e) return fail(r, at, r->safe ? "unsafe" : "out of memory", "export entry");
    FunThing *fun = (FunThing *)take(b, FUN_FIXED_WORDS);
    fun->header = make_header(FUN_FIXED_WORDS - 1, HDR_FUN);
    fun->entry = e;
    fun->next = NULL; /* export funs own nothing off-heap */
    fun->arity_and_free = arity;
    fun->creator = am_external;
    *out = make_boxed((Term *)fun);
    return true;
}

static bool build_one(builder *b, Term *out);

static bool build_new_fun(builder *b, Term *out)
{
    reader *r = b->r;
    size_t at = r->pos - 1;
    const uint8_t *p = r->buf + r->pos;
    unsigned arity = p[4];
    const uint8_t *uniq = p + 5;
    uint32_t index = u32_at(p + 21), nfree = u32_at(p + 25);
    r->pos += 29;
    Term module;
    if (!build_atom(b, &module)) return false;
    for (int i = 0; i < 2; i++) r->pos += r->buf[r->pos] == TAG_SMALL_INTEGER ? 2 : 5;
    Term creator;
    if (!build_one(b, &creator)) return false;   /* a pid, maybe another node's */
    LoadedCode *lc = module_current(module);
    if (!lc || index >= lc->fun_count || memcmp(lc->beam->md5, uniq, 16) != 0)
        return fail(r, at, "not supported yet", "fun of a module version not loaded");
    const FunEntry *fe = &lc->funs[index];
    if (fe->arity != arity || fe->num_free != nfree) return fail(r, at, "bad NEW_FUN", "arity or free variables");
    Term *hp = take(b, FUN_FIXED_WORDS + nfree);
    FunThing *f = (FunThing *)hp;
    f->header = make_header(FUN_FIXED_WORDS - 1 + nfree, HDR_FUN);
    f->entry = (void *)fe;
    f->next = NULL;
    f->arity_and_free = arity | (UWord)nfree << 8;
    f->creator = creator;
    for (uint32_t i = 0; i < nfree; i++) f->env[i] = NIL;
    *out = make_boxed(hp);
    return nfree == 0 || push_frame(b, (build_frame){ .kind = FRAME_SLOTS, .slot = f->env, .stride = 1, .left = nfree });
}

static bool build_list(builder *b, size_t n, Term *out)
{
    Term *cells = take(b, 2 * n);
    for (size_t i = 0; i + 1 < n; i++) cells[2 * i + 1] = make_list(cells + 2 * i + 2);
    *out = make_list(cells);
    /* The tail is decoded after every element, so its frame goes below. */
    return push_frame(b, (build_frame){ .kind = FRAME_SLOTS, .slot = cells + 2 * n - 1, .stride = 1, .left = 1 }) &&
           push_frame(b, (build_frame){ .kind = FRAME_SLOTS, .slot = cells, .stride = 2, .left = n });
}

static bool build_map_start(builder *b, size_t at, size_t n, Term *out)
{
    if (n == 0) {
        *out = map_from_pairs(b->sink, NULL, NULL, 0);
        return *out != THE_NON_VALUE || fail(b->r, at, "out of memory", NULL);
    }
    Term *kv = malloc(2 * n * sizeof *kv);
    if (!kv) return fail(b->r, at, "out of memory", "map of %zu pairs", n);
    *out = THE_NON_VALUE; /* filled when the frame finishes */
    if (push_frame(b, (build_frame){ .kind = FRAME_MAP, .left = 2 * n, .kv = kv, .n = n, .dest = out, .offset = at }))
        return true;
    free(kv);
    return false;
}

static bool build_string(builder *b, Term *out)
{
    reader *r = b->r;
    size_t n = 0;
    read_length(r, 2, &n);
    if (n == 0) { *out = NIL; return true; }
    Term *cells = take(b, 2 * n);
    for (size_t i = 0; i < n; i++) {
        cells[2 * i] = make_small(r->buf[r->pos + i]);
        cells[2 * i + 1] = i + 1 < n ? make_list(cells + 2 * i + 2) : NIL;
    }
    r->pos += n;
    *out = make_list(cells);
    return true;
}

static Term build_float(builder *b, double d) { return make_float(take(b, FLOAT_WORDS), d); }

/* Decodes the term at r->pos into *out; compound terms push frames for
 * their elements. The input was validated by pass 1. */
static bool build_one(builder *b, Term *out)
{
    reader *r = b->r;
    size_t at = r->pos, n = 0;
    uint8_t tag = r->buf[r->pos];
    const uint8_t *p = r->buf + r->pos + 1;
    switch (tag) {
    case TAG_SMALL_INTEGER: *out = make_small(p[0]); r->pos += 2; return true;
    case TAG_INTEGER: *out = make_small((int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3])); r->pos += 5; return true;
    case TAG_NEW_FLOAT: { double d; read_double(p, &d); *out = build_float(b, d); r->pos += 9; return true; }
    case TAG_FLOAT: { double d; parse_float_text(p, &d); *out = build_float(b, d); r->pos += 1 + FLOAT_TEXT_BYTES; return true; }
    case TAG_NIL: *out = NIL; r->pos += 1; return true;
    case TAG_STRING: r->pos++; return build_string(b, out);
    case TAG_BINARY: r->pos++; read_length(r, 4, &n); r->pos += n; return build_binary(b, p + 4, n, 0xFF, out);
    case TAG_BIT_BINARY: r->pos++; return build_bit_binary(b, out);
    case TAG_SMALL_BIG: r->pos++; return build_big(b, 1, out);
    case TAG_LARGE_BIG: r->pos++; return build_big(b, 4, out);
    case TAG_EXPORT: r->pos++; return build_export(b, out);
    case TAG_NEW_FUN: r->pos++; return build_new_fun(b, out);
    case TAG_PID: case TAG_NEW_PID: {
        bool external;
        Term node;
        r->pos++;
        size_t node_at = r->pos;
        scan_pid(r, at, tag, &external);   /* checked by pass 1 */
        const uint8_t *q = r->buf + r->pos - (tag == TAG_NEW_PID ? 12 : 9);
        if (!external) {
            UWord data = u32_at(q) | (UWord)u32_at(q + 4) << 15;
            *out = (Term)(data << TAG_IMMED1_SIZE) | TAG_IMMED1_PID;
            return true;
        }
        size_t end = r->pos;
        r->pos = node_at;
        if (!build_atom(b, &node)) return false;
        r->pos = end;
        Term *hp = take(b, EXT_PID_WORDS);
        hp[0] = make_header(EXT_PID_WORDS - 1, HDR_EXTERNAL_PID);
        hp[1] = node;
        hp[2] = tag == TAG_NEW_PID ? u32_at(q + 8) : q[8];
        hp[3] = u32_at(q);
        hp[4] = u32_at(q + 4);
        *out = make_boxed(hp);
        return true;
    }
    case TAG_PORT: case TAG_NEW_PORT: case TAG_V4_PORT: {
        uint64_t id;
        uint32_t creation;
        Term node;
        r->pos++;
        size_t node_at = r->pos;
        scan_port(r, tag, &id, &creation);  /* checked by pass 1 */
        size_t end = r->pos;
        r->pos = node_at;
        if (!build_atom(b, &node)) return false;
        r->pos = end;
        Term *hp = take(b, EXT_PORT_WORDS);
        hp[0] = make_header(EXT_PORT_WORDS - 1, HDR_EXTERNAL_PORT);
        hp[1] = node;
        hp[2] = creation;
        hp[3] = id;
        *out = make_boxed(hp);
        return true;
    }
    case TAG_REFERENCE: case TAG_NEW_REFERENCE: case TAG_NEWER_REFERENCE: {
        uint64_t id = 0;
        size_t nwords = 0;
        r->pos++;
        size_t start = r->pos;
        scan_ref(r, at, tag, &id, &nwords); /* checked by pass 1 */
        if (!nwords) {
            Term *hp = take(b, REF_TERM_WORDS);
            hp[0] = make_header(REF_TERM_WORDS - 1, HDR_REF);
            hp[1] = id;
            *out = make_boxed(hp);
            return true;
        }
        size_t end = r->pos;
        r->pos = start + (tag == TAG_REFERENCE ? 0 : 2);
        Term node;
        if (!build_atom(b, &node)) return false;
        const uint8_t *q = r->buf + r->pos;   /* creation and IDs */
        r->pos = end;
        Term *hp = take(b, EXT_REF_WORDS(nwords));
        hp[0] = make_header(EXT_REF_WORDS(nwords) - 1, HDR_EXTERNAL_REF);
        hp[1] = node;
        if (tag == TAG_REFERENCE) {
            hp[2] = q[4];
            hp[3] = u32_at(q);
        } else {
            size_t cre = tag == TAG_NEWER_REFERENCE ? 4 : 1;
            hp[2] = cre == 4 ? u32_at(q) : q[0];
            for (size_t i = 0; i < nwords; i++) hp[3 + i] = u32_at(q + cre + 4 * i);
        }
        *out = make_boxed(hp);
        return true;
    }
    case TAG_ATOM: case TAG_SMALL_ATOM: case TAG_ATOM_UTF8: case TAG_SMALL_ATOM_UTF8: return build_atom(b, out);
    case TAG_SMALL_TUPLE: case TAG_LARGE_TUPLE: {
        r->pos++;
        read_length(r, tag == TAG_SMALL_TUPLE ? 1 : 4, &n);
        Term *hp = take(b, 1 + n);
        hp[0] = make_header(n, HDR_TUPLE);
        *out = make_boxed(hp);
        return n == 0 || push_frame(b, (build_frame){ .kind = FRAME_SLOTS, .slot = hp + 1, .stride = 1, .left = n });
    }
    case TAG_LIST:
        r->pos++;
        read_length(r, 4, &n);
        if (n == 0) /* a LIST of no elements is just its tail */
            return push_frame(b, (build_frame){ .kind = FRAME_SLOTS, .slot = out, .stride = 1, .left = 1 });
        return build_list(b, n, out);
    case TAG_MAP:
        r->pos++;
        read_length(r, 4, &n);
        return build_map_start(b, at, n, out);
    default: /* pass 1 rejected everything else */
        return fail(r, at, "unknown tag", "tag %u", tag);
    }
}

static bool finish_map(builder *b, build_frame *f)
{
    Term map = map_from_pairs(b->sink, f->kv, f->kv + f->n, f->n);
    free(f->kv);
    f->kv = NULL;
    if (map == THE_NON_VALUE) return fail(b->r, f->offset, "out of memory", "map of %zu pairs", f->n);
    if (map_size(map) != f->n) return fail(b->r, f->offset, "duplicate map key", NULL);
    *f->dest = map;
    return true;
}

/* The slot for the next term, finishing (and popping) exhausted frames;
 * NULL when every frame is done. */
static bool next_slot(builder *b, Term **slot)
{
    while (b->depth > 0) {
        build_frame *f = &b->frames[b->depth - 1];
        if (f->left == 0) {
            b->depth--;
            if (f->kind == FRAME_MAP && !finish_map(b, f)) return false;
            continue;
        }
        f->left--;
        if (f->kind == FRAME_SLOTS) {
            *slot = f->slot;
            f->slot += f->stride;
        } else {
            size_t i = f->filled++;
            *slot = (i % 2 == 0) ? &f->kv[i / 2] : &f->kv[f->n + i / 2];
        }
        return true;
    }
    *slot = NULL;
    return true;
}

static void release_frames(builder *b)
{
    for (size_t i = 0; i < b->depth; i++)
        if (b->frames[i].kind == FRAME_MAP) free(b->frames[i].kv);
    free(b->frames);
}

static bool build_term(reader *r, term_sink *sink, size_t words, Term *out)
{
    builder b = { .r = r, .sink = sink };
    b.hp = words ? sink_alloc(sink, words) : NULL;
    if (words && !b.hp) return fail(r, r->pos, "out of memory", "%zu words", words);
    b.hp_end = b.hp ? b.hp + words : NULL;
    Term *slot = out;
    bool ok = true;
    while (ok && slot) {
        ok = build_one(&b, slot) && next_slot(&b, &slot);
    }
    release_frames(&b);
    if (ok && b.hp != b.hp_end) /* pass 1 and pass 2 disagree: a bug, not bad input */
        return fail(r, r->pos, "internal error: term size mismatch", "%td words", b.hp_end - b.hp);
    return ok;
}

/* Scans then builds one term (no version byte) at r->pos. */
static bool decode_term(reader *r, term_sink *sink, Term *out)
{
    size_t start = r->pos;
    scan_result s;
    if (!scan_term(r, &s)) return false;
    size_t end = r->pos;
    r->pos = start;
    if (!build_term(r, sink, s.words, out)) return false;
    r->pos = end;
    return true;
}

/* --- COMPRESSED ------------------------------------------------------------ */

/* Inflates exactly `size` bytes; *consumed = compressed bytes used. */
static uint8_t *inflate_exact(reader *r, size_t size, size_t *consumed)
{
    size_t at = r->pos;
    if (size > remaining(r) * MAX_DEFLATE_RATIO + 64) {
        fail(r, at, "implausible uncompressed size", "%zu bytes from %zu", size, remaining(r));
        return NULL;
    }
    uint8_t *out = malloc(size ? size : 1);
    if (!out) { fail(r, at, "out of memory", "%zu bytes", size); return NULL; }
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit(&zs) != Z_OK) { free(out); fail(r, at, "zlib init failed", NULL); return NULL; }
    zs.next_in = (Bytef *)(uintptr_t)(r->buf + r->pos);
    zs.avail_in = (uInt)(remaining(r) > UINT32_MAX ? UINT32_MAX : remaining(r));
    zs.next_out = out;
    zs.avail_out = (uInt)size;
    int rc = inflate(&zs, Z_FINISH);
    *consumed = zs.total_in;
    size_t produced = zs.total_out;
    inflateEnd(&zs);
    if (rc != Z_STREAM_END || produced != size) {
        free(out);
        fail(r, at, "bad compressed data", "zlib %d, %zu of %zu bytes", rc, produced, size);
        return NULL;
    }
    return out;
}

/* Error offsets inside the inflated data are reported relative to it
 * (the detail text says so): the compressed bytes have no such offset. */
static bool decode_compressed(reader *r, term_sink *sink, Term *out)
{
    size_t size, consumed;
    if (!read_length(r, 4, &size)) return false;
    uint8_t *data = inflate_exact(r, size, &consumed);
    if (!data) return false;
    reader inner = { .buf = data, .len = size, .pos = 0, .err = r->err, .safe = r->safe };
    bool ok = decode_term(&inner, sink, out);
    if (ok && inner.pos != size) ok = fail(&inner, inner.pos, "trailing bytes in compressed term", NULL);
    if (!ok && strlen(r->err->detail) < sizeof r->err->detail - 20)
        strcat(r->err->detail, r->err->detail[0] ? " (in inflated data)" : "(in inflated data)");
    free(data);
    r->pos += consumed;
    return ok;
}

bool etf_decode(const uint8_t *buf, size_t len, term_sink *sink, Term *out, size_t *used, etf_error *err)
{
    return etf_decode_opts(buf, len, sink, out, used, err, 0);
}

bool etf_decode_opts(const uint8_t *buf, size_t len, term_sink *sink, Term *out, size_t *used, etf_error *err,
                     unsigned flags)
{
    reader r = { .buf = buf, .len = len, .pos = 0, .err = err, .safe = (flags & ETF_SAFE) != 0 };
    err->offset = 0;
    err->what = NULL;
    err->detail[0] = '\0';
    if (!need(&r, 1)) return false;
    if (buf[0] != ETF_VERSION_MAGIC) return fail(&r, 0, "bad version byte", "%u, expected 131", buf[0]);
    r.pos = 1;
    if (!need(&r, 1)) return false;
    Term t;
    bool ok;
    if (buf[1] == TAG_COMPRESSED) {
        r.pos = 2;
        ok = decode_compressed(&r, sink, &t);
    } else {
        ok = decode_term(&r, sink, &t);
    }
    if (!ok) return false;
    *out = t;
    if (used) *used = r.pos;
    return true;
}
