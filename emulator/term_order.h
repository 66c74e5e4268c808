/*
 * term_order.h — Erlang's standard term order and equality.
 *
 * number < atom < reference < fun < port < pid < tuple < map < nil < list
 * < bitstring. term_compare compares integers and floats by value, exactly
 * (1 == 1.0, and a bignum against a float without rounding).
 * term_compare_exact is =:= and the map-key order in which flatmap keys are
 * sorted: there every integer precedes every float whatever their values
 * (OTP: maps:keys(#{1.0=>a,1=>b,2=>c,0.5=>d}) is [1,2,0.5,1.0]). In both,
 * 0.0 and -0.0 are equal, as in OTP 25. Maps compare by size, then keys in
 * map-key order (always exact), then values in that order (in the caller's
 * mode). Both return -1, 0 or 1.
 * Atoms compare by their text. Iterative: deep terms cannot overflow the
 * C stack. No allocation on the common path (very deep terms and HAMT maps
 * allocate; out of memory there aborts).
 */
#ifndef CB_TERM_ORDER_H
#define CB_TERM_ORDER_H

#include "term.h"

int term_compare(Term a, Term b);
int term_compare_exact(Term a, Term b);
/* A bitstring (heap, refc or sub binary) as bits: bit_size bits starting
 * bit_offset (0..7) bits into bytes[0], most significant bit first. */
typedef struct bitstring_view {
    const uint8_t *bytes;
    size_t bit_offset;
    size_t bit_size;
} bitstring_view;
void bitstring_view_of(Term binary_like, bitstring_view *v);
/* The i-th whole byte / the bit-th bit (0 or 1) of the view. */
uint8_t bitstring_byte(const bitstring_view *v, size_t i);
unsigned bitstring_bit(const bitstring_view *v, size_t bit);

static inline bool term_eq_exact(Term a, Term b) { return a == b || term_compare_exact(a, b) == 0; }

#endif
