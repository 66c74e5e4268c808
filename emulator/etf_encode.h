/*
 * etf_encode.h — the external term format: encoding (term_to_binary).
 * Pure functions of the term; no allocation on any heap (the caller sizes
 * the buffer with etf_encoded_size first). Iterative.
 */
#ifndef CB_ETF_ENCODE_H
#define CB_ETF_ENCODE_H

#include "term.h"

typedef struct etf_options {
    unsigned minor_version;    /* 1 (default): NEW_FLOAT; 0: FLOAT as text */
    bool deterministic;        /* map pairs in term order */
    /* term_to_iovec: called while writing for each binary payload of more
     * than 64 whole bytes that starts on a byte boundary (offset in the
     * output, length of the whole bytes); NULL otherwise. */
    void (*payload)(void *arg, size_t offset, size_t len);
    void *payload_arg;
} etf_options;

/* The encoded size, version byte included; false if the term holds
 * something that has no external form here (a port). */
bool etf_encoded_size(Term t, const etf_options *opt, size_t *size);
/* Writes the encoding (etf_encoded_size bytes) into buf. */
void etf_encode(uint8_t *buf, Term t, const etf_options *opt);
/* Appends t's encoding at base + *n (counting only when base is NULL). */
bool etf_encode_into(uint8_t *base, size_t *n, Term t, const etf_options *opt);

#endif
