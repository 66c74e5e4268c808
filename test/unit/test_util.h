/*
 * test_util.h — helpers shared by the Criterion unit tests.
 */
#ifndef CB_TEST_UTIL_H
#define CB_TEST_UTIL_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etf.h"
#include "literal.h"

/* The bytes a hex string spells, in a malloc'd buffer (*out); the count. */
static inline size_t test_unhex(const char *hex, uint8_t **out)
{
    size_t n = strlen(hex) / 2;
    uint8_t *b = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        b[i] = (uint8_t)v;
    }
    *out = b;
    return n;
}

/* Decodes external term format given as hex (as erl prints
 * binary:encode_hex(term_to_binary(T))) into the literal area. */
static inline Term test_decode_hex(literal_area *la, const char *hex)
{
    uint8_t *b;
    size_t n = test_unhex(hex, &b);
    Term t;
    etf_error err;
    cr_assert(etf_decode(b, n, &la->sink, &t, NULL, &err), "%s: %s %s", hex, err.what, err.detail);
    free(b);
    return t;
}

#endif
