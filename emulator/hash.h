/*
 * hash.h — erlang:phash2 and erlang:phash, with OTP 25's exact values.
 *
 * The values are observable: stdlib's dict, sets and gb-less hash tables
 * place elements by phash2/phash, so their iteration orders (and anything
 * printed from them) match OTP only if these functions do. Both follow
 * OTP's make_hash2 and make_hash (erts/emulator/beam/utils.c) and were
 * checked value by value against erl 25 (test/unit/test_hash.c).
 *
 * Both are iterative (deep terms cannot overflow the C stack) and allocate
 * only for very deep terms; out of memory there aborts, as a hash has no
 * way to fail. Neither allocates on a process heap.
 *
 * External pids, ports and references hash as OTP's (the number, not the
 * node; a reference its first ID word). Not covered: local references
 * hash their words, which is stable within one VM but not OTP's value
 * (OTP's own differ from run to run). Everything else, local and export
 * funs included, matches.
 */
#ifndef CB_HASH_H
#define CB_HASH_H

#include "term.h"

/* OTP's make_hash2: the full 32-bit hash. phash2(T) is this & (2^27 - 1),
 * phash2(T, Range) is this % Range (Range 2^32: the hash itself). */
uint32_t term_hash2(Term t);

/* OTP's make_internal_hash(T, Salt): where a key sits in a hash map. */
uint32_t term_internal_hash(Term t, uint32_t salt);

/* OTP's make_hash: phash(T, Range) is 1 + this % Range. */
uint32_t term_hash1(Term t);

/* OTP's hashpjw of an atom's text (its "hvalue"), used by both. */
uint32_t atom_hash_value(Term atom);

#endif
