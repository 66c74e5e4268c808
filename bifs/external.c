/*
 * external.c — term_to_binary, binary_to_term and external_size: the
 * external term format between a process heap and a binary.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "atom.h"
#include "bif.h"
#include "bits.h"
#include "etf.h"
#include "etf_encode.h"
#include "term_build.h"

#define NO_COMPRESSION (-2)   /* Z_DEFAULT_COMPRESSION is -1 */

/* The options term_to_binary/2 and external_size/2 take; false (badarg)
 * for anything else. level is NO_COMPRESSION unless compressed. */
static bool parse_options(Term opts, etf_options *o, int *level)
{
    *o = (etf_options){ .minor_version = 1 };
    *level = NO_COMPRESSION;
    if (list_length(opts) < 0) return false;
    for (; term_is_list(opts); opts = list_tail(opts)) {
        Term opt = list_head(opts);
        if (opt == ATOM_NAMED("compressed")) { *level = Z_DEFAULT_COMPRESSION; continue; }
        if (opt == ATOM_NAMED("deterministic")) { o->deterministic = true; continue; }
        if (!term_is_tuple(opt) || tuple_arity(opt) != 2) return false;
        Term k = tuple_elements(opt)[0], v = tuple_elements(opt)[1];
        if (!term_is_small(v)) return false;
        SWord n = small_value(v);
        if (k == ATOM_NAMED("compressed") && n >= 0 && n <= 9) *level = (int)n;
        else if (k == ATOM_NAMED("minor_version") && n >= 0 && n <= 2) o->minor_version = (unsigned)n;
        else return false;
    }
    return true;
}

/* The encoding, compressed when asked and not larger: as OTP, which gives
 * zlib an output buffer the size of the plain encoding minus the 5 bytes
 * of the compressed header, so a tie compresses. */
static Term encode(Process *p, Term t, const etf_options *o, int level)
{
    size_t size;
    if (!etf_encoded_size(t, o, &size)) BIF_ERROR(p, EXC_BADARG);
    uint8_t *raw = malloc(size);
    if (!raw) abort();
    etf_encode(raw, t, o);
    Term result = THE_NON_VALUE;
    if (level != NO_COMPRESSION) {
        uLongf zlen = compressBound((uLong)(size - 1));
        uint8_t *z = malloc(6 + zlen);
        if (!z) abort();
        if (compress2(z + 6, &zlen, raw + 1, (uLong)(size - 1), level) == Z_OK && 6 + zlen <= size) {
            z[0] = 131;
            z[1] = 80;
            uint32_t u = (uint32_t)(size - 1);
            z[2] = (uint8_t)(u >> 24); z[3] = (uint8_t)(u >> 16); z[4] = (uint8_t)(u >> 8); z[5] = (uint8_t)u;
            result = bits_new_binary(p, z, 0, (UWord)(6 + zlen) * 8);
        }
        free(z);
    }
    if (result == THE_NON_VALUE) result = bits_new_binary(p, raw, 0, (UWord)size * 8);
    free(raw);
    BUMP_REDS(p, size / 64);
    return result;
}

Term bif_erlang_term_to_binary_1(Process *p, Term *args)
{
    etf_options o = { .minor_version = 1 };
    return encode(p, args[0], &o, NO_COMPRESSION);
}

Term bif_erlang_term_to_binary_2(Process *p, Term *args)
{
    etf_options o;
    int level;
    if (!parse_options(args[1], &o, &level)) BIF_ERROR(p, EXC_BADARG);
    return encode(p, args[0], &o, level);
}

/* term_to_iovec/1,2: term_to_binary's bytes as a list of binaries, the
 * payloads of binaries of more than 64 whole, byte-aligned bytes in pieces
 * of their own (OTP references those instead of copying them; here every
 * piece is a slice of one binary). With compression (a level above 0)
 * OTP 25 returns the binary itself. */
typedef struct spans {
    size_t (*at)[2];
    size_t n, cap;
} spans;

static void add_span(void *arg, size_t offset, size_t len)
{
    spans *s = arg;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->at = realloc(s->at, s->cap * sizeof *s->at);
        if (!s->at) abort();
    }
    s->at[s->n][0] = offset;
    s->at[s->n][1] = len;
    s->n++;
}

static Term iovec(Process *p, Term t, etf_options *o, int level)
{
    if (level != NO_COMPRESSION) return encode(p, t, o, level);
    spans sp = { 0 };
    size_t size;
    o->payload = add_span;
    o->payload_arg = &sp;
    if (!etf_encoded_size(t, o, &size)) BIF_ERROR(p, EXC_BADARG);
    uint8_t *raw = malloc(size);
    if (!raw) abort();
    etf_encode(raw, t, o);
    Term whole = bits_new_binary(p, raw, 0, (UWord)size * 8);
    free(raw);
    BUMP_REDS(p, size / 64);
    /* pieces: [0, s0), s0, [end of s0, s1), s1, ..., [end of last, size) */
    size_t (*cut)[2] = malloc((2 * sp.n + 1) * sizeof *cut), n = 0, from = 0;
    if (!cut) abort();
    for (size_t i = 0; i < sp.n; i++) {
        if (sp.at[i][0] > from) { cut[n][0] = from; cut[n][1] = sp.at[i][0] - from; n++; }
        cut[n][0] = sp.at[i][0];
        cut[n][1] = sp.at[i][1];
        n++;
        from = sp.at[i][0] + sp.at[i][1];
    }
    if (size > from) { cut[n][0] = from; cut[n][1] = size - from; n++; }
    Term list = NIL;
    for (size_t i = n; i-- > 0;) {
        Term piece = n == 1 ? whole : bits_sub_binary(p, whole, (UWord)cut[i][0] * 8, (UWord)cut[i][1] * 8);
        list = cons(HAlloc(p, 2), piece, list);
    }
    free(cut);
    free(sp.at);
    return list;
}

Term bif_erlang_term_to_iovec_1(Process *p, Term *args)
{
    etf_options o = { .minor_version = 1 };
    return iovec(p, args[0], &o, NO_COMPRESSION);
}

Term bif_erlang_term_to_iovec_2(Process *p, Term *args)
{
    etf_options o;
    int level;
    if (!parse_options(args[1], &o, &level)) BIF_ERROR(p, EXC_BADARG);
    return iovec(p, args[0], &o, level == 0 ? NO_COMPRESSION : level);
}

/* external_size/2 takes only {minor_version, 0 | 1} (OTP 25's
 * external_size_2): not compressed, deterministic or minor version 2. */
static bool size_options(Term opts)
{
    if (list_length(opts) < 0) return false;
    for (; term_is_list(opts); opts = list_tail(opts)) {
        Term opt = list_head(opts);
        if (!term_is_tuple(opt) || tuple_arity(opt) != 2 || tuple_elements(opt)[0] != ATOM_NAMED("minor_version"))
            return false;
        Term v = tuple_elements(opt)[1];
        if (v != make_small(0) && v != make_small(1)) return false;
    }
    return true;
}

static Term external_size(Process *p, Term t, Term opts)
{
    etf_options o;
    int level;
    size_t size;
    if (!size_options(opts) || !parse_options(opts, &o, &level) || !etf_encoded_size(t, &o, &size))
        BIF_ERROR(p, EXC_BADARG);
    return make_small((SWord)size);
}

Term bif_erlang_external_size_1(Process *p, Term *args) { return external_size(p, args[0], NIL); }
Term bif_erlang_external_size_2(Process *p, Term *args) { return external_size(p, args[0], args[1]); }

/* binary_to_term/2 options: `used` returns {Term, BytesUsed}; `safe`
 * refuses a term that would create an atom or an export entry. */
static Term decode(Process *p, Term bin, Term opts)
{
    bool used_opt = false;
    unsigned flags = 0;
    if (list_length(opts) < 0) BIF_ERROR_CAUSE(p, EXC_BADARG, ATOM_NAMED("badopt"));
    for (; term_is_list(opts); opts = list_tail(opts)) {
        if (list_head(opts) == ATOM_NAMED("used")) used_opt = true;
        else if (list_head(opts) == ATOM_NAMED("safe")) flags |= ETF_SAFE;
        else BIF_ERROR_CAUSE(p, EXC_BADARG, ATOM_NAMED("badopt"));
    }
    const uint8_t *bytes;
    size_t n;
    if (!term_is_binary_like(bin) || !binary_bytes(bin, &bytes, &n)) BIF_ERROR(p, EXC_BADARG);
    proc_sink sink;
    proc_sink_init(&sink, p);
    Term t;
    size_t used = 0;
    etf_error err;
    /* Bytes after the term are allowed, as in OTP. */
    if (!etf_decode_opts(bytes, n, &sink.base, &t, &used, &err, flags)) BIF_ERROR(p, EXC_BADARG);
    BUMP_REDS(p, n / 64);
    if (used_opt) return tuple2(HAlloc(p, 3), t, make_small((SWord)used));
    return t;
}

Term bif_erlang_binary_to_term_1(Process *p, Term *args) { return decode(p, args[0], NIL); }
Term bif_erlang_binary_to_term_2(Process *p, Term *args) { return decode(p, args[0], args[1]); }
