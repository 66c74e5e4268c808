/*
 * etf.h — the external term format (term_to_binary's bytes): decoding.
 *
 * Decoding never trusts its input: every length is checked against the
 * bytes that remain (before anything is allocated), nesting costs heap, not
 * C stack, and a malformed term yields an etf_error naming the byte offset.
 * Terms are allocated from the given sink only after the whole input has
 * been validated; off-heap binaries made are linked into sink->off_heap.
 * One check needs the built terms: a MAP with duplicate keys (rejected, as
 * OTP's binary_to_term does). If that, out of memory or a full atom table
 * fails the decode after allocation began, the words already taken stay in
 * the sink unreferenced until its owner frees it (nothing leaks).
 *
 * Supported: every tag a term without pids, ports, references or local funs
 * uses (see etf.c); those four are "not supported in literals yet" until
 * issue 5. Trailing bytes after the term are not an error (binary_to_term
 * ignores them too); *used tells how many bytes the term took.
 */
#ifndef CB_ETF_H
#define CB_ETF_H

#include "term_sink.h"

#define ETF_VERSION_MAGIC 131

typedef struct etf_error {
    size_t offset;      /* byte offset of the problem in the input */
    const char *what;   /* static text, e.g. "unknown tag" */
    char detail[64];    /* formatted detail (e.g. "tag 200"), may be empty */
} etf_error;

/* Decodes one term that starts with the version byte 131 at buf[0].
 * On success stores the term and the number of bytes consumed (*used may
 * be NULL) and returns true. Atoms are interned (atom table limits apply).
 * Returns false with *err filled on malformed input or when out of memory. */
bool etf_decode(const uint8_t *buf, size_t len, term_sink *sink, Term *out, size_t *used, etf_error *err);

/* binary_to_term(B, [safe]): fail instead of creating an atom or an
 * export entry (the term may name only what already exists). A failure
 * in the second pass leaves unreferenced words in the sink. */
#define ETF_SAFE 1u
bool etf_decode_opts(const uint8_t *buf, size_t len, term_sink *sink, Term *out, size_t *used, etf_error *err,
                     unsigned flags);

#endif
