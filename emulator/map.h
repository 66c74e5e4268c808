/*
 * map.h — maps: flatmaps up to MAP_SMALL_LIMIT keys (keys tuple sorted in
 * map-key order), hash array mapped tries beyond (layout in term.h).
 *
 * The HAMT hash is cbeam's own (xxHash over a canonical form of the key),
 * so large-map iteration order differs from OTP's, as OTP's differs between
 * its own runs; every observable that Erlang defines (equality, ordering,
 * maps:to_list of small maps) matches OTP.
 *
 * HAMT details beyond term.h: the hash of a key is the low 32 bits of
 * XXH3-64 over a canonical serialisation of the key, seeded by the salt
 * level/8; level L uses hash bits 4*(L%8)..+3. Keys that still collide at
 * level 64 sit in a collision node: a tuple of [K|V] leaves in map-key order.
 * A map term's kind is determined by its size (flat iff <= MAP_SMALL_LIMIT).
 */
#ifndef CB_MAP_H
#define CB_MAP_H

#include "term_sink.h"

/* Builds a map from n key/value pairs. Later duplicates of a key win (as
 * maps:from_list); compare map_size with n to detect duplicates. At most
 * MAP_SMALL_LIMIT distinct keys make a flatmap, more a HAMT. Allocates from
 * sink; THE_NON_VALUE when out of memory. */
Term map_from_pairs(term_sink *sink, const Term *keys, const Term *values, size_t n);

size_t map_size(Term map);
/* The value for key (exact match), or THE_NON_VALUE. */
Term map_get(Term map, Term key);

/* Visits every pair; for a flatmap in map-key order, for a HAMT in trie
 * order. Stops early when fn returns false. */
typedef bool (*map_visit_fn)(Term key, Term value, void *arg);
void map_foreach(Term map, map_visit_fn fn, void *arg);

/* Writes the map's keys and values in map-key order (term_compare_exact on
 * the keys) to keys[0..n) and values[0..n), n = map_size(map). For a HAMT
 * this sorts a temporary copy; out of memory there aborts (it serves
 * comparison and printing, which have no way to fail). */
void map_sorted_pairs(Term map, Term *keys, Term *values);

/* Tests only: replaces the HAMT hash (NULL restores it), so that full
 * collisions can be exercised. Not thread-safe; maps built under one hash
 * must not be read under another. */
typedef uint32_t (*map_hash_fn)(Term key, unsigned salt);
void map_set_hash_for_testing(map_hash_fn fn);

#endif
