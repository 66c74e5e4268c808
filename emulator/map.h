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

#include "process.h"
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

/* --- maps on a process heap ----------------------------------------------------
 * The operations below build their result with HAlloc on p (never a
 * collection) and share every unchanged part of their arguments; a HAMT
 * update copies only the O(log n) nodes on the key's path. `map` must be a
 * map except for map_put_many. On failure they return THE_NON_VALUE with
 * p->freason/p->fvalue set: EXC_BADKEY with the key, EXC_BADMAP with the
 * map, or EXC_SYSTEM_LIMIT when memory is exhausted.
 *
 * A flatmap stays flat up to MAP_SMALL_LIMIT keys and becomes a HAMT at
 * one more; a HAMT shrinking to MAP_SMALL_LIMIT keys becomes flat again
 * (as OTP). A key already in the map keeps its own term when its value is
 * replaced (OTP: #{0.0 => a}#{-0.0 => b} is #{0.0 => b}). Putting the value
 * a key already has returns the map itself. */

/* Map#{Key => Value}. */
Term map_put(Process *p, Term map, Term key, Term value);
/* Map#{Key := Value}: EXC_BADKEY if the key is missing. */
Term map_update(Process *p, Term map, Term key, Term value);
/* The map without key (the map itself if the key is missing). */
Term map_remove(Process *p, Term map, Term key);
/* The put_map_assoc (exact false) and put_map_exact (exact true)
 * instructions: kv_pairs holds n key, value pairs; a later duplicate key
 * wins. Exact: EXC_BADKEY with the first missing key in the given order,
 * before anything is built. A flatmap result is built in one allocation
 * by merging the sorted new keys with the old ones. EXC_BADMAP if map is
 * not a map. */
Term map_put_many(Process *p, Term map, const Term *kv_pairs, size_t n, bool exact);
/* maps:merge(A, B): B's values win; a key in both keeps A's term. */
Term map_merge(Process *p, Term a, Term b);

/* Lists in map_foreach order (for a flatmap, map-key order): the keys, the
 * values, and the {Key, Value} tuples in front of `tail`. */
Term map_keys(Process *p, Term map);
Term map_values(Process *p, Term map);
Term map_to_list(Process *p, Term map, Term tail);
/* The pairs as a chain {K1, V1, {K2, V2, ... End}} in map_foreach order (the
 * shape erts_internal:map_next/3 returns to maps:next/1); End if empty. */
Term map_iterator_chain(Process *p, Term map, Term end);
/* map_from_pairs on p's heap. */
Term map_from_list_pairs(Process *p, const Term *keys, const Term *values, size_t n);

/* Tests only: replaces the HAMT hash (NULL restores it), so that full
 * collisions can be exercised. Not thread-safe; maps built under one hash
 * must not be read under another. */
typedef uint32_t (*map_hash_fn)(Term key, unsigned salt);
void map_set_hash_for_testing(map_hash_fn fn);

#endif
