/*
 * term_order.c — Erlang's standard order of terms (erts_cmp in OTP).
 *
 * The comparison walks both terms together with an explicit stack of
 * "pending element ranges", so a deep term costs heap, not C stack. The
 * first frames live in a local array; only very deep terms, or maps stored
 * as HAMTs (whose pairs must be sorted to be compared), allocate.
 */
#include "term_order.h"

#include <stdio.h>
#include <stdlib.h>

#include "atom.h"
#include "bignum.h"
#include "export.h"
#include "map.h"

/* --- bitstrings ---------------------------------------------------------- */

void bitstring_view_of(Term t, bitstring_view *v)
{
    const Term *p = boxed_ptr(t);
    switch (header_subtag(p[0])) {
    case HDR_HEAP_BIN:
        v->bytes = (const uint8_t *)(p + 2);
        v->bit_offset = 0;
        v->bit_size = (size_t)p[1] * 8;
        return;
    case HDR_REFC_BIN: {
        const ProcBin *pb = (const ProcBin *)p;
        v->bytes = pb->bytes;
        v->bit_offset = 0;
        v->bit_size = (size_t)pb->size * 8;
        return;
    }
    default: { /* HDR_SUB_BIN: its original is never itself a sub binary */
        const SubBin *sb = (const SubBin *)p;
        bitstring_view orig;
        bitstring_view_of(sb->orig, &orig);
        size_t bitoffs = (sb->bit_info >> 8) & 0xFF;
        size_t first = orig.bit_offset + sb->offs * 8 + bitoffs;
        v->bytes = orig.bytes + first / 8;
        v->bit_offset = first % 8;
        v->bit_size = (size_t)sb->size * 8 + (sb->bit_info & 0xFF);
        return;
    }
    }
}

/* The i-th whole byte of the view (the caller guarantees it exists). */
static uint8_t view_byte(const bitstring_view *v, size_t i)
{
    const uint8_t *p = v->bytes + i;
    if (v->bit_offset == 0) return p[0];
    return (uint8_t)((p[0] << v->bit_offset) | (p[1] >> (8 - v->bit_offset)));
}

static unsigned view_bit(const bitstring_view *v, size_t bit)
{
    size_t at = v->bit_offset + bit;
    return (v->bytes[at / 8] >> (7 - at % 8)) & 1u;
}

uint8_t bitstring_byte(const bitstring_view *v, size_t i) { return view_byte(v, i); }
unsigned bitstring_bit(const bitstring_view *v, size_t bit) { return view_bit(v, bit); }

/* Bit by bit over the common prefix, then the shorter is smaller. */
static int compare_bitstrings(Term a, Term b)
{
    bitstring_view va, vb;
    bitstring_view_of(a, &va);
    bitstring_view_of(b, &vb);
    size_t common = va.bit_size < vb.bit_size ? va.bit_size : vb.bit_size;
    size_t whole = common / 8;
    if (va.bit_offset == 0 && vb.bit_offset == 0) {
        int c = whole ? memcmp(va.bytes, vb.bytes, whole) : 0;
        if (c != 0) return c < 0 ? -1 : 1;
    } else {
        for (size_t i = 0; i < whole; i++) {
            uint8_t x = view_byte(&va, i), y = view_byte(&vb, i);
            if (x != y) return x < y ? -1 : 1;
        }
    }
    for (size_t bit = whole * 8; bit < common; bit++) {
        unsigned x = view_bit(&va, bit), y = view_bit(&vb, bit);
        if (x != y) return x < y ? -1 : 1;
    }
    return (va.bit_size > vb.bit_size) - (va.bit_size < vb.bit_size);
}

/* --- scalars ------------------------------------------------------------- */

enum type_rank {
    RANK_NUMBER, RANK_ATOM, RANK_REF, RANK_FUN, RANK_PORT, RANK_PID,
    RANK_TUPLE, RANK_MAP, RANK_NIL, RANK_LIST, RANK_BITSTRING,
};

static enum type_rank rank_of(Term t)
{
    switch (t & TAG_PRIMARY_MASK) {
    case TAG_PRIMARY_LIST: return RANK_LIST;
    case TAG_PRIMARY_IMMED1:
        if (term_is_small(t)) return RANK_NUMBER;
        if (term_is_atom(t)) return RANK_ATOM;
        if (term_is_pid(t)) return RANK_PID;
        if (term_is_port(t)) return RANK_PORT;
        return RANK_NIL; /* NIL; catches never reach a comparison */
    default:
        break;
    }
    switch (header_subtag(boxed_header(t))) {
    case HDR_TUPLE: return RANK_TUPLE;
    case HDR_POS_BIG: case HDR_NEG_BIG: case HDR_FLOAT: return RANK_NUMBER;
    case HDR_REF: case HDR_EXTERNAL_REF: return RANK_REF;
    case HDR_FUN: return RANK_FUN;
    case HDR_EXTERNAL_PORT: return RANK_PORT;
    case HDR_EXTERNAL_PID: return RANK_PID;
    case HDR_MAP: return RANK_MAP;
    default: return RANK_BITSTRING;
    }
}

static int compare_atoms(Term a, Term b)
{
    size_t la = atom_len(a), lb = atom_len(b);
    int c = memcmp(atom_text(a), atom_text(b), la < lb ? la : lb);
    if (c != 0) return c < 0 ? -1 : 1;
    return (la > lb) - (la < lb);
}

static int compare_doubles(double x, double y) { return (x > y) - (x < y); }

/* In exact mode (map-key order) every integer precedes every float. */
static int compare_numbers(Term a, Term b, bool exact)
{
    bool fa = term_is_float(a), fb = term_is_float(b);
    if (fa && fb) return compare_doubles(float_value(a), float_value(b));
    if (!fa && !fb) return integer_compare(a, b);
    if (exact) return fa ? 1 : -1;
    if (fb) return integer_compare_double(a, float_value(b));
    return -integer_compare_double(b, float_value(a));
}

static int compare_words(const Term *a, size_t na, const Term *b, size_t nb)
{
    if (na != nb) return na < nb ? -1 : 1;
    for (size_t i = na; i-- > 0;)
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
}

/* Immediate pids and ports by their data bits; boxed (external) ones, and
 * references, word by word. External ones are not yet created anywhere. */
/* The node of a pid, port or reference: external ones carry theirs. */
static Term identity_node(Term t)
{
    if (term_is_immed(t)) return am_nonode_at_nohost;
    const Term *p = boxed_ptr(t);
    unsigned sub = header_subtag(p[0]);
    return sub == HDR_EXTERNAL_PID || sub == HDR_EXTERNAL_PORT || sub == HDR_EXTERNAL_REF ? p[1] : am_nonode_at_nohost;
}

/* Node names first (as OTP), then local before external, then the words. */
static int compare_identities(Term a, Term b)
{
    if (term_is_immed(a) && term_is_immed(b)) return (a > b) - (a < b);
    Term na = identity_node(a), nb = identity_node(b);
    if (na != nb) return compare_atoms(na, nb);
    if (term_is_immed(a) != term_is_immed(b)) return term_is_immed(a) ? -1 : 1;
    const Term *pa = boxed_ptr(a), *pb = boxed_ptr(b);
    return compare_words(pa + 1, identity_words(pa), pb + 1, identity_words(pb));
}

/* --- the walk ------------------------------------------------------------ */

typedef struct cmp_frame {
    const Term *a, *b;  /* next elements to compare */
    size_t n;           /* how many remain */
    bool exact;         /* the mode for these elements */
} cmp_frame;

#define LOCAL_FRAMES 32

typedef struct cmp_state {
    cmp_frame local[LOCAL_FRAMES];
    cmp_frame *frames;
    size_t depth, cap;
    void **owned;      /* sorted pair arrays of HAMT maps, freed at the end */
    size_t owned_n, owned_cap;
} cmp_state;

static void die_oom(void)
{
    fputs("cbeam: out of memory comparing terms\n", stderr);
    abort();
}

static void push_frame(cmp_state *st, const Term *a, const Term *b, size_t n, bool exact)
{
    if (n == 0) return;
    if (st->depth == st->cap) {
        size_t cap = st->cap * 2;
        cmp_frame *f = st->frames == st->local ? malloc(cap * sizeof *f)
                                                : realloc(st->frames, cap * sizeof *f);
        if (!f) die_oom();
        if (st->frames == st->local) memcpy(f, st->local, sizeof st->local);
        st->frames = f;
        st->cap = cap;
    }
    st->frames[st->depth++] = (cmp_frame){ a, b, n, exact };
}

static void *own(cmp_state *st, size_t bytes)
{
    if (st->owned_n == st->owned_cap) {
        size_t cap = st->owned_cap ? st->owned_cap * 2 : 4;
        void **o = realloc(st->owned, cap * sizeof *o);
        if (!o) die_oom();
        st->owned = o;
        st->owned_cap = cap;
    }
    void *p = malloc(bytes ? bytes : 1);
    if (!p) die_oom();
    st->owned[st->owned_n++] = p;
    return p;
}

static void release_state(cmp_state *st)
{
    if (st->frames != st->local) free(st->frames);
    for (size_t i = 0; i < st->owned_n; i++) free(st->owned[i]);
    free(st->owned);
}

/* A map's pairs in map-key order: keys[0..n) then values[0..n). */
static Term *sorted_pairs(cmp_state *st, Term map, size_t n)
{
    Term *kv = own(st, 2 * n * sizeof(Term));
    map_sorted_pairs(map, kv, kv + n);
    return kv;
}

/* Maps: by size, then keys in map-key order (always exact), then values. */
static int compare_maps(cmp_state *st, Term a, Term b, bool exact)
{
    size_t na = map_size(a), nb = map_size(b);
    if (na != nb) return na < nb ? -1 : 1;
    if (na == 0) return 0;
    const Term *pa = boxed_ptr(a), *pb = boxed_ptr(b);
    if (map_header_kind(pa[0]) == MAP_KIND_FLAT && map_header_kind(pb[0]) == MAP_KIND_FLAT) {
        push_frame(st, pa + 3, pb + 3, na, exact);
        push_frame(st, tuple_elements(pa[2]), tuple_elements(pb[2]), na, true);
        return 0;
    }
    const Term *ka = sorted_pairs(st, a, na), *kb = sorted_pairs(st, b, nb);
    push_frame(st, ka + na, kb + na, na, exact);
    push_frame(st, ka, kb, na, true);
    return 0;
}

/* Local funs cannot be created yet (issue 5 adds FunEntry, which will
 * order them by module, index and uniq as OTP does); until then they order
 * by entry address, arity and environment, which is total and consistent. */
static int compare_funs(cmp_state *st, Term a, Term b, bool exact)
{
    const FunThing *fa = (const FunThing *)boxed_ptr(a), *fb = (const FunThing *)boxed_ptr(b);
    bool xa = fa->creator == am_external, xb = fb->creator == am_external;
    if (xa != xb) return xa ? 1 : -1; /* local funs precede export funs */
    if (xa) {
        const Export *ea = fa->entry, *eb = fb->entry;
        int c = compare_atoms(ea->module, eb->module);
        if (c == 0) c = compare_atoms(ea->function, eb->function);
        if (c == 0) c = (ea->arity > eb->arity) - (ea->arity < eb->arity);
        return c;
    }
    if (fa->entry != fb->entry) return (uintptr_t)fa->entry < (uintptr_t)fb->entry ? -1 : 1;
    if (fa->arity_and_free != fb->arity_and_free) return fa->arity_and_free < fb->arity_and_free ? -1 : 1;
    push_frame(st, fa->env, fb->env, fa->arity_and_free >> 8, exact);
    return 0;
}

/* Compares one pair; compound terms push their elements (and may replace
 * the pair to look at next in *pa and *pb, returning 2 = "continue"). */
static int compare_step(cmp_state *st, Term *pa, Term *pb, bool exact)
{
    Term a = *pa, b = *pb;
    if (a == b) return 0;
    enum type_rank ra = rank_of(a), rb = rank_of(b);
    if (ra != rb) return ra < rb ? -1 : 1;
    switch (ra) {
    case RANK_NUMBER: return compare_numbers(a, b, exact);
    case RANK_ATOM: return compare_atoms(a, b);
    case RANK_REF: case RANK_PORT: case RANK_PID: return compare_identities(a, b);
    case RANK_FUN: return compare_funs(st, a, b, exact);
    case RANK_NIL: return 0;
    case RANK_BITSTRING: return compare_bitstrings(a, b);
    case RANK_MAP: return compare_maps(st, a, b, exact);
    case RANK_TUPLE: {
        UWord na = tuple_arity(a), nb = tuple_arity(b);
        if (na != nb) return na < nb ? -1 : 1;
        push_frame(st, tuple_elements(a), tuple_elements(b), na, exact);
        return 0;
    }
    case RANK_LIST:
        /* Tails after heads: the tail frame is popped right after the
         * head, so a long list never grows the stack. */
        push_frame(st, list_ptr(a) + 1, list_ptr(b) + 1, 1, exact);
        *pa = list_head(a);
        *pb = list_head(b);
        return 2;
    }
    return 0;
}

static int compare(Term a, Term b, bool exact)
{
    if (a == b) return 0;
    if (term_is_small(a) && term_is_small(b)) return (SWord)a < (SWord)b ? -1 : 1;
    /* Not zero-initialised: the frame array is written before it is read. */
    cmp_state st;
    st.depth = 0;
    st.cap = LOCAL_FRAMES;
    st.owned = NULL;
    st.owned_n = st.owned_cap = 0;
    st.frames = st.local;
    int result = 0;
    for (;;) {
        int c = compare_step(&st, &a, &b, exact);
        if (c == 2) continue;
        if (c != 0) { result = c < 0 ? -1 : 1; break; }
        if (st.depth == 0) break;
        cmp_frame *f = &st.frames[st.depth - 1];
        a = *f->a++;
        b = *f->b++;
        exact = f->exact;
        if (--f->n == 0) st.depth--;
    }
    release_state(&st);
    return result;
}

int term_compare(Term a, Term b) { return compare(a, b, false); }
int term_compare_exact(Term a, Term b) { return compare(a, b, true); }
