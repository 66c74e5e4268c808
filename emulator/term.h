/*
 * term.h — the tagged term layout (64-bit), identical in shape to OTP 25's
 * erl_term.h so that sizes observable from Erlang (flat_size, the 60-bit
 * small boundary, the 64-byte heap-binary limit) match real OTP.
 *
 * Primary tag (2 low bits):
 *   00 header word (on the heap) / continuation pointer (on the stack)
 *   01 list cell pointer: two words, head then tail
 *   10 boxed pointer: points at a header word
 *   11 immediate
 * Immediate1 (4 low bits): 0011 pid, 0111 port, 1011 immediate2, 1111 small
 * Immediate2 (6 low bits): 001011 atom, 011011 catch, 111011 NIL
 * Header: arity << 6 | subtag << 2 | 00 (see HDR_* below).
 *
 * Invariants:
 *  - THE_NON_VALUE (0) is never a valid term; it marks "no value / raised".
 *  - Every boxed object starts with a header word whose arity is the number
 *    of words that follow it, so a heap can be walked object by object.
 *  - Pointers inside terms are 8-byte aligned, so the 2 tag bits are free.
 *
 * Nothing in this header allocates, locks or raises.
 */
#ifndef CB_TERM_H
#define CB_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint64_t Term;
typedef int64_t  SWord;
typedef uint64_t UWord;

#define THE_NON_VALUE ((Term)0)

/* --- primary tags ------------------------------------------------------ */
#define TAG_PRIMARY_MASK   0x3u
#define TAG_PRIMARY_HEADER 0x0u
#define TAG_PRIMARY_LIST   0x1u
#define TAG_PRIMARY_BOXED  0x2u
#define TAG_PRIMARY_IMMED1 0x3u

#define TAG_IMMED1_MASK    0xFu
#define TAG_IMMED1_PID     0x3u
#define TAG_IMMED1_PORT    0x7u
#define TAG_IMMED1_IMMED2  0xBu
#define TAG_IMMED1_SMALL   0xFu
#define TAG_IMMED1_SIZE    4

#define TAG_IMMED2_MASK    0x3Fu
#define TAG_IMMED2_ATOM    0x0Bu
#define TAG_IMMED2_CATCH   0x1Bu
#define TAG_IMMED2_NIL     0x3Bu
#define TAG_IMMED2_SIZE    6

#define NIL ((Term)TAG_IMMED2_NIL)

/* --- small integers: 60 bits, as OTP on 64-bit ------------------------- */
#define SMALL_BITS 60
#define MAX_SMALL  ((SWord)((UINT64_C(1) << (SMALL_BITS - 1)) - 1))
#define MIN_SMALL  (-MAX_SMALL - 1)

static inline bool term_is_small(Term t) { return (t & TAG_IMMED1_MASK) == TAG_IMMED1_SMALL; }
static inline bool small_fits(SWord v) { return v >= MIN_SMALL && v <= MAX_SMALL; }
static inline Term make_small(SWord v) { return ((UWord)v << TAG_IMMED1_SIZE) | TAG_IMMED1_SMALL; }
static inline SWord small_value(Term t) { return (SWord)t >> TAG_IMMED1_SIZE; }

/* --- atoms, NIL, catches, pids, ports ---------------------------------- */
static inline bool term_is_atom(Term t) { return (t & TAG_IMMED2_MASK) == TAG_IMMED2_ATOM; }
static inline Term make_atom(uint32_t index) { return ((Term)index << TAG_IMMED2_SIZE) | TAG_IMMED2_ATOM; }
static inline uint32_t atom_index(Term t) { return (uint32_t)(t >> TAG_IMMED2_SIZE); }
static inline bool term_is_nil(Term t) { return t == NIL; }
static inline bool term_is_catch(Term t) { return (t & TAG_IMMED2_MASK) == TAG_IMMED2_CATCH; }
static inline bool term_is_pid(Term t) { return (t & TAG_IMMED1_MASK) == TAG_IMMED1_PID; }
static inline bool term_is_port(Term t) { return (t & TAG_IMMED1_MASK) == TAG_IMMED1_PORT; }
static inline bool term_is_immed(Term t) { return (t & TAG_PRIMARY_MASK) == TAG_PRIMARY_IMMED1; }

/* --- pointers ----------------------------------------------------------- */
static inline bool term_is_list(Term t) { return (t & TAG_PRIMARY_MASK) == TAG_PRIMARY_LIST; }
static inline bool term_is_boxed(Term t) { return (t & TAG_PRIMARY_MASK) == TAG_PRIMARY_BOXED; }
static inline bool term_is_header(Term t) { return (t & TAG_PRIMARY_MASK) == TAG_PRIMARY_HEADER; }
static inline Term *list_ptr(Term t) { return (Term *)(uintptr_t)(t - TAG_PRIMARY_LIST); }
static inline Term *boxed_ptr(Term t) { return (Term *)(uintptr_t)(t - TAG_PRIMARY_BOXED); }
static inline Term make_list(const Term *cell) { return (Term)(uintptr_t)cell + TAG_PRIMARY_LIST; }
static inline Term make_boxed(const Term *obj) { return (Term)(uintptr_t)obj + TAG_PRIMARY_BOXED; }
static inline Term list_head(Term t) { return list_ptr(t)[0]; }
static inline Term list_tail(Term t) { return list_ptr(t)[1]; }

/* --- headers ------------------------------------------------------------ */
#define HDR_SUBTAG_MASK      0x3Cu  /* subtag << 2 */
#define HDR_TUPLE            0x00u
#define HDR_BIN_MATCHSTATE   0x04u
#define HDR_POS_BIG          0x08u
#define HDR_NEG_BIG          0x0Cu
#define HDR_REF              0x10u
#define HDR_FUN              0x14u
#define HDR_FLOAT            0x18u
#define HDR_REFC_BIN         0x20u
#define HDR_HEAP_BIN         0x24u
#define HDR_SUB_BIN          0x28u
#define HDR_EXTERNAL_PID     0x30u
#define HDR_EXTERNAL_PORT    0x34u
#define HDR_EXTERNAL_REF     0x38u
#define HDR_MAP              0x3Cu
#define HDR_ARITY_OFFSET     6
#define MAX_HEADER_ARITY     ((UWord)1 << (64 - HDR_ARITY_OFFSET)) - 1

static inline Term make_header(UWord arity, unsigned subtag) { return (arity << HDR_ARITY_OFFSET) | subtag; }
static inline UWord header_arity(Term h) { return h >> HDR_ARITY_OFFSET; }
static inline unsigned header_subtag(Term h) { return (unsigned)(h & HDR_SUBTAG_MASK); }
static inline Term boxed_header(Term t) { return boxed_ptr(t)[0]; }
static inline bool term_is_boxed_with(Term t, unsigned subtag)
{
    return term_is_boxed(t) && header_subtag(boxed_header(t)) == subtag;
}

/* Tuples: header (arity = element count), elements. */
static inline bool term_is_tuple(Term t) { return term_is_boxed_with(t, HDR_TUPLE); }
static inline UWord tuple_arity(Term t) { return header_arity(boxed_header(t)); }
static inline Term *tuple_elements(Term t) { return boxed_ptr(t) + 1; } /* 0-based */

/* Floats: header (arity 1), the IEEE double. */
#define FLOAT_WORDS 2
static inline bool term_is_float(Term t) { return term_is_boxed_with(t, HDR_FLOAT); }
static inline double float_value(Term t) { double d; memcpy(&d, boxed_ptr(t) + 1, sizeof d); return d; }
static inline Term make_float(Term *hp, double d)
{
    hp[0] = make_header(1, HDR_FLOAT);
    memcpy(hp + 1, &d, sizeof d);
    return make_boxed(hp);
}

/* Bignums: header (arity = digit count), 64-bit digits least significant
 * first, sign in the subtag. Always normalised: no leading zero digit, and
 * never a value that fits a small. */
#define MAX_BIG_DIGITS ((UWord)(1u << 19) - 1)
static inline bool term_is_bignum(Term t)
{
    return term_is_boxed(t) && (header_subtag(boxed_header(t)) & ~0x4u) == HDR_POS_BIG;
}
static inline bool bignum_is_negative(Term t) { return header_subtag(boxed_header(t)) == HDR_NEG_BIG; }
static inline UWord bignum_digit_count(Term t) { return header_arity(boxed_header(t)); }
static inline const UWord *bignum_digits(Term t) { return boxed_ptr(t) + 1; }
static inline bool term_is_integer(Term t) { return term_is_small(t) || term_is_bignum(t); }
static inline bool term_is_number(Term t) { return term_is_integer(t) || term_is_float(t); }

/* --- binaries ------------------------------------------------------------
 * Heap binary (<= HEAP_BIN_LIMIT bytes): header (arity = 1 + data words),
 *   byte size, data.
 * Refc binary (ProcBin, 6 words): header (arity 5), byte size, next
 *   (off-heap list link), Binary *, byte pointer, flags.
 * Sub binary (5 words): header (arity 4), byte size, byte offset,
 *   bitsize | bitoffs << 8 | is_writable << 16, original binary term.
 * A bitstring is a sub binary with a non-zero bitsize (the extra bits after
 * `byte size` whole bytes). */
#define HEAP_BIN_LIMIT 64
#define PROC_BIN_WORDS 6
#define SUB_BIN_WORDS  5
#define PB_IS_WRITABLE   1u
#define PB_ACTIVE_WRITER 2u

typedef struct Binary Binary; /* emulator/binary.h */

typedef struct ProcBin {
    Term header;
    UWord size;
    struct ProcBin *next;
    Binary *val;
    uint8_t *bytes;
    UWord flags;
} ProcBin;

typedef struct SubBin {
    Term header;
    UWord size;
    UWord offs;
    UWord bit_info; /* bitsize | bitoffs << 8 | is_writable << 16 */
    Term orig;
} SubBin;

/* --- references -------------------------------------------------------------
 * Plain reference (2 words): header (arity 1), 64-bit number.
 * Magic reference (MAGIC_REF_WORDS): header (arity 3), number, next
 *   (off-heap list link, word 2 as in a ProcBin), Binary * (word 3, as
 *   ProcBin.val): a resource (emulator/resource.h) kept alive by the term.
 * Only the number identifies a reference: comparison, hashing and printing
 * read identity_words() words after the header. */
#define MAGIC_REF_WORDS 4
static inline bool header_is_magic_ref(Term h) { return h == make_header(MAGIC_REF_WORDS - 1, HDR_REF); }
/* The words after the header of a ref, external pid/port/ref that say
 * which one it is. */
static inline UWord identity_words(const Term *obj) { return header_is_magic_ref(obj[0]) ? 1 : header_arity(obj[0]); }

/* External pid/port/ref: another node's (or this node's name with another
 * creation), made only by binary_to_term: header, node (an atom),
 * creation, then for a pid its number and serial, for a port its id, for
 * a reference its 32-bit ID words (1 to 5), each in a word of its own. */
#define EXT_PID_WORDS 5
#define EXT_PORT_WORDS 4
#define EXT_REF_WORDS(n) (3 + (n))

static inline bool term_is_binary_like(Term t)
{
    if (!term_is_boxed(t)) return false;
    unsigned s = header_subtag(boxed_header(t));
    return s == HDR_REFC_BIN || s == HDR_HEAP_BIN || s == HDR_SUB_BIN;
}
static inline UWord heap_bin_words(UWord nbytes) { return 2 + (nbytes + 7) / 8; }

/* --- funs -----------------------------------------------------------------
 * header (arity = FUN_FIXED_WORDS - 1 + num_free), entry (a FunEntry * for a
 * local fun, an Export * for an export fun), next (off-heap link),
 * arity | num_free << 8, creator pid (am_external for export funs), env. */
#define FUN_FIXED_WORDS 5
typedef struct FunThing {
    Term header;
    void *entry;
    struct FunThing *next;
    UWord arity_and_free;
    Term creator;
    Term env[];
} FunThing;
static inline bool term_is_fun(Term t) { return term_is_boxed_with(t, HDR_FUN); }

/* --- maps -----------------------------------------------------------------
 * The header's arity field holds the map kind in its low 2 bits and a 16-bit
 * field above it (header_arity >> 2): the child bitmap of a HAMT node, or
 * the key count of a flatmap.
 * Flatmap (<= MAP_SMALL_LIMIT keys): header, size, keys tuple, values...
 *   keys sorted in map-key order (term_cmp_exact).
 * HAMT: head node (array or bitmap) has a size word after the header; inner
 *   nodes are bitmap nodes; leaves are list cells [Key|Value]. */
#define MAP_SMALL_LIMIT 32
#define MAP_KIND_FLAT        0u
#define MAP_KIND_HEAD_ARRAY  1u
#define MAP_KIND_HEAD_BITMAP 2u
#define MAP_KIND_NODE_BITMAP 3u
static inline Term make_map_header(unsigned kind, unsigned bitmap)
{
    return ((Term)(((UWord)bitmap << 2) | kind) << HDR_ARITY_OFFSET) | HDR_MAP;
}
static inline unsigned map_header_kind(Term h) { return (unsigned)(header_arity(h) & 3u); }
static inline unsigned map_header_bitmap(Term h) { return (unsigned)((header_arity(h) >> 2) & 0xFFFFu); }
static inline Term make_flatmap_header(unsigned size) { return make_map_header(MAP_KIND_FLAT, size); }
static inline bool term_is_map(Term t) { return term_is_boxed_with(t, HDR_MAP); }

/* Bits set in a HAMT node's 16-bit bitmap. Inline arithmetic: without
 * -mpopcnt (Debian's x86-64 baseline) __builtin_popcount is a libgcc
 * call, and map lookups count bits at every level. */
static inline unsigned bitmap_count(unsigned x)
{
    x = x - ((x >> 1) & 0x5555u);
    x = (x & 0x3333u) + ((x >> 2) & 0x3333u);
    x = (x + (x >> 4)) & 0x0F0Fu;
    return (x + (x >> 8)) & 0x1Fu;
}

/* Number of words the object starting with header h occupies, header
 * included; used to walk heaps. */
static inline UWord header_object_words(Term h)
{
    if (header_subtag(h) == HDR_MAP) {
        unsigned kind = map_header_kind(h);
        if (kind == MAP_KIND_FLAT) return 3 + map_header_bitmap(h);
        unsigned n = bitmap_count(map_header_bitmap(h));
        if (kind == MAP_KIND_HEAD_ARRAY) return 2 + 16;
        if (kind == MAP_KIND_HEAD_BITMAP) return 2 + n;
        return 1 + n;
    }
    return 1 + header_arity(h);
}

#endif
