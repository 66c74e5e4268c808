/*
 * bits.h — the bit syntax: reading and writing bit fields at any bit
 * offset, match contexts, sub binaries, and building binaries
 * (bs_create_bin and the legacy bs_init/bs_put instructions).
 *
 * Bit order is Erlang's: bit offset 0 is the most significant bit of
 * byte 0. Integers are written big-endian unless BSF_LITTLE; a little
 * endian field whose size is not whole bytes has its least significant
 * bytes first and its top size%8 bits last (OTP's layout).
 *
 * Allocation: every function that returns a term allocates with HAlloc
 * (never collects). The interpreter makes room beforehand with a GC when
 * it can (emu_bits.inc), so HAlloc then takes from the heap proper.
 */
#ifndef CB_BITS_H
#define CB_BITS_H

#include "process.h"

/* Field flags, as codegen_bits.c decodes them from OTP's {field_flags,N}
 * (native is resolved to the host's order, little on every target we
 * build for). */
#define BSF_LITTLE 1u
#define BSF_SIGNED 2u

/* --- pure bit helpers (no process, no allocation) ----------------------- */

/* Copies n bits from src at bit soff to dst at bit doff; the bits of dst
 * outside the field are kept. The areas must not overlap. */
void bits_copy(uint8_t *dst, UWord doff, const uint8_t *src, UWord soff, UWord n);
/* The n (<= 64) bits at src/off as an unsigned big-endian number. */
UWord bits_read_uint(const uint8_t *src, UWord off, unsigned n);
/* Writes the low n (<= 64) bits of v at dst/off, big-endian. */
void bits_write_uint(uint8_t *dst, UWord off, UWord v, unsigned n);
/* Compares n bits; true if equal. */
bool bits_equal(const uint8_t *a, UWord aoff, const uint8_t *b, UWord boff, UWord n);

/* Floats of 16, 32 or 64 bits. Reading fails (false) for an infinity or a
 * NaN, as OTP's match does; writing rounds to nearest (overflow gives an
 * infinity, as OTP). */
bool bits_read_float(const uint8_t *src, UWord off, unsigned size, unsigned flags, double *out);
void bits_write_float(uint8_t *dst, UWord off, double d, unsigned size, unsigned flags);
uint16_t bits_double_to_half(double d);
double bits_half_to_double(uint16_t h);

/* Unicode fields. A code point is valid if <= 0x10FFFF and not a
 * surrogate. Encoding sizes in bits; 0 for an invalid code point. */
static inline bool bits_valid_code_point(SWord cp) { return cp >= 0 && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF); }
unsigned bits_utf8_bits(SWord cp);
unsigned bits_utf16_bits(SWord cp);
/* Writes the encoding of a valid code point; returns its size in bits. */
unsigned bits_write_utf(uint8_t *dst, UWord off, uint32_t cp, unsigned kind, unsigned flags);
/* Decodes one code point of kind 8, 16 or 32 from the `avail` bits at
 * src/off; returns the bits it took, 0 if there is no valid one. */
unsigned bits_read_utf(const uint8_t *src, UWord off, UWord avail, unsigned kind, unsigned flags, uint32_t *cp);

/* The n-bit two's complement of an integer term (small or bignum) written
 * at dst/off in the flags' byte order. */
void bits_write_integer(uint8_t *dst, UWord off, Term value, UWord n, unsigned flags);

/* --- binaries on a process heap ------------------------------------------- */

/* The bytes and bit offset where any binary or bitstring starts, and its
 * size in bits. */
const uint8_t *bits_data(Term bin, UWord *bit_offset, UWord *bit_size);
/* A binary of nbits whose bytes are copied from src/soff: a heap binary,
 * or a refc binary above 64 bytes, wrapped in a sub binary if nbits is
 * not whole bytes. */
Term bits_new_binary(Process *p, const uint8_t *src, UWord soff, UWord nbits);
/* An uninitialised (zeroed) binary of nbits for the caller to fill in:
 * *data is where its bytes go. */
Term bits_alloc_binary(Process *p, UWord nbits, uint8_t **data);
/* Words bits_alloc_binary needs. */
UWord bits_binary_words(UWord nbits);
/* nbits of `bin` (any binary) from its bit `off`: the binary itself when
 * that is all of it, a heap binary copy for whole bytes up to 64, else a
 * sub binary. At most BITS_SLICE_WORDS heap words. */
#define BITS_SLICE_WORDS (2 + HEAP_BIN_LIMIT / 8)
Term bits_sub_binary(Process *p, Term bin, UWord off, UWord nbits);

/* --- match contexts --------------------------------------------------------
 * header, orig (ProcBin or heap binary), base (raw byte pointer), offset
 * and end, in bits from base (gc.h fixes base when orig moves). */
typedef struct MatchState {
    Term header;
    Term orig;
    const uint8_t *base;
    UWord offset;
    UWord end;
} MatchState;
#define MATCH_STATE_WORDS 5
static inline MatchState *match_state(Term t) { return (MatchState *)boxed_ptr(t); }
static inline bool term_is_match_state(Term t) { return term_is_boxed_with(t, HDR_BIN_MATCHSTATE); }

/* A new context for a bitstring (5 heap words), THE_NON_VALUE if t is
 * not one. A context is returned as it is. */
Term bits_start_match(Process *p, Term t);
/* Field size in bits from a size operand (a non-negative small or `all`
 * for the rest) and unit; false if the size is bad or the field does not
 * fit in what is left. */
bool bits_match_size(const MatchState *ms, Term size, UWord unit, UWord *bits);
/* bs_get_integer2 / bs_get_binary2 / bs_get_float2: the field's value
 * (advancing the context), or THE_NON_VALUE for no match. */
Term bits_match_integer(Process *p, MatchState *ms, UWord bits, unsigned flags);
Term bits_match_binary(Process *p, MatchState *ms, UWord bits);
Term bits_match_float(Process *p, MatchState *ms, UWord bits, unsigned flags);
/* Heap words a field of that kind and size may need. */
UWord bits_integer_words(UWord bits);

/* --- bs_create_bin -----------------------------------------------------------
 * A segment as codegen_bits.c lays it out: three words. */
enum bs_seg_type {
    BSEG_INTEGER, BSEG_FLOAT, BSEG_BINARY, BSEG_UTF8, BSEG_UTF16, BSEG_UTF32,
    BSEG_STRING, BSEG_APPEND, BSEG_PRIVATE_APPEND,
};
static inline UWord bs_seg_info(unsigned type, unsigned flags, UWord unit, UWord segno)
{
    return type | flags << 8 | unit << 16 | segno << 32;
}
static inline unsigned bs_seg_type(UWord info) { return info & 0xFF; }
static inline unsigned bs_seg_flags(UWord info) { return (info >> 8) & 0xFF; }
static inline UWord bs_seg_unit(UWord info) { return (info >> 16) & 0xFFFF; }
/* The segment's number in the source (OTP's error_info names it). */
static inline UWord bs_seg_no(UWord info) { return info >> 32; }
#define BS_SEG_WORDS 3   /* info, value (source; a byte pointer for strings), size (source) */

/* Reads the sources of the segments (x and y registers or constants). */
typedef struct bs_operands {
    const uintptr_t *seg;    /* BS_SEG_WORDS per segment */
    UWord nsegs;
    Term *x, *E;
} bs_operands;

typedef struct bs_plan {
    UWord total_bits;        /* of the new segments */
    UWord words;             /* heap words the result needs at most */
    Term error_info;         /* when the plan fails: [{error_info, Map}] for
                                the faulting function's frame */
} bs_plan;

/* Checks every segment and sizes the result. False with p->freason set
 * (badarg or system_limit) and plan->error_info made if the binary
 * cannot be built: sizes first, then values, in segment order, as OTP. */
bool bits_create_plan(Process *p, const bs_operands *ops, bs_plan *plan);
/* Builds it (re-reading the sources: a GC may have run since the plan). */
Term bits_create_build(Process *p, const bs_operands *ops, const bs_plan *plan);

/* bs_init_writable: an empty writable binary with room for `hint` bytes. */
Term bits_init_writable(Process *p, Term hint);

/* --- the legacy construction instructions (bs_init2, bs_put_*) ------------
 * They write into the binary the last bs_init2/bs_init_bits/bs_append
 * made, at a running offset kept per thread (OTP's erts_current_bin):
 * nothing can run in between, as nothing that calls or collects is
 * emitted inside such a sequence. Each put returns false with
 * p->freason set when the value or size is bad. */
/* size * unit as a field size: badarg or system_limit as bs_create_bin. */
bool bits_field_size(Process *p, Term size, UWord unit, UWord *bits);
Term bits_legacy_init(Process *p, UWord bits);
bool bits_legacy_put_integer(Process *p, Term value, Term size, UWord unit, unsigned flags);
bool bits_legacy_put_float(Process *p, Term value, Term size, UWord unit, unsigned flags);
bool bits_legacy_put_binary(Process *p, Term value, Term size, UWord unit);
void bits_legacy_put_string(const uint8_t *s, UWord len);
bool bits_legacy_put_utf(Process *p, Term value, unsigned kind, unsigned flags);
/* bs_utf8_size / bs_utf16_size: bytes the code point will take. */
Term bits_legacy_utf_size(Term value, unsigned kind);
/* bs_add: a + b * unit. */
Term bits_legacy_add(Process *p, Term a, Term b, UWord unit);
/* bs_append / bs_private_append: a writable binary of bin followed by
 * room for `bits` more, which the following puts fill in. bin must be a
 * bitstring whose size is a multiple of unit (checked: false). */
bool bits_legacy_append_ok(Process *p, Term bin, UWord unit);
Term bits_legacy_append(Process *p, Term bin, UWord bits);
/* bs_private_append has no live count: it allocates without collecting. */
#define BS_LIVE_UNKNOWN ((UWord)-1)

#endif
