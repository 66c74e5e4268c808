/*
 * bifs/binary.c — the binary BIFs of erlang (byte_size, iolist_to_binary,
 * binary_to_list, atom/integer/float <-> binary...) and of the binary
 * module (the functions that are BIFs in OTP 25: erlang:is_builtin/3).
 *
 * Results and errors are OTP 25's, checked against erl. Deep iolists are
 * walked with an explicit stack, never C recursion, so a million nested
 * levels cost heap memory only. Small slices (whole bytes, <= 64) are
 * copied as OTP 25 does (see bits_sub_binary).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arith.h"
#include "atom.h"
#include "bif.h"
#include "bignum.h"
#include "bits.h"
#include "strbuf.h"
#include "term_build.h"
#include "utf8.h"

static bool is_binary(Term t) { return term_is_binary_like(t) && binary_bit_size(t) % 8 == 0; }

/* The bytes of a byte-aligned binary whose offset may not be (a sub
 * binary at an odd bit): *copy is set to a malloc'd buffer to free then. */
static const uint8_t *binary_view(Term bin, size_t *size, uint8_t **copy)
{
    UWord off, bits;
    const uint8_t *data = bits_data(bin, &off, &bits);
    *size = bits / 8;
    *copy = NULL;
    if (off % 8 == 0) return data + off / 8;
    *copy = malloc(*size ? *size : 1);
    if (!*copy) abort();
    bits_copy(*copy, 0, data, off, bits);
    return *copy;
}

static Term list_of_bytes(Process *p, const uint8_t *s, size_t n, Term tail)
{
    if (n == 0) return tail;
    Term *hp = bif_alloc(p, 2 * n);
    Term list = tail;
    for (size_t i = n; i-- > 0;) list = cons(hp + 2 * i, make_small(s[i]), list);
    return list;
}

/* ---------------------------------------------------------------------------
 * iolists: an explicit stack of pending tails.
 * ------------------------------------------------------------------------ */

typedef struct term_stack {
    Term *items;
    size_t n, cap;
    Term inline_items[32];
} term_stack;

static void ts_init(term_stack *s) { s->items = s->inline_items; s->n = 0; s->cap = 32; }
static void ts_free(term_stack *s) { if (s->items != s->inline_items) free(s->items); }
static void ts_push(term_stack *s, Term t)
{
    if (s->n == s->cap) {
        size_t cap = 2 * s->cap;
        Term *items = malloc(cap * sizeof *items);
        if (!items) abort();
        memcpy(items, s->items, s->n * sizeof *items);
        ts_free(s);
        s->items = items;
        s->cap = cap;
    }
    s->items[s->n++] = t;
}

/* What iolist_walk does with each piece: a byte, or a bitstring. */
typedef struct iol_sink {
    void (*byte)(struct iol_sink *, unsigned);
    void (*bits)(struct iol_sink *, Term);
    UWord count;   /* elements seen, for reductions */
} iol_sink;

/* Walks an iolist (bitstrings allowed anywhere if `bits`): false if t is
 * not one. A binary at the top is accepted only if `top_binary`. */
static bool iolist_walk(Term t, bool bits, bool top_binary, iol_sink *sink)
{
    if (!term_is_list(t) && !term_is_nil(t)) {
        if (!top_binary || !term_is_binary_like(t) || (!bits && !is_binary(t))) return false;
        sink->bits(sink, t);
        return true;
    }
    term_stack st;
    ts_init(&st);
    ts_push(&st, t);
    bool ok = true;
    while (ok && st.n) {
        Term v = st.items[--st.n];
        while (term_is_list(v)) {
            Term h = list_head(v);
            sink->count++;
            if (term_is_small(h) && small_value(h) >= 0 && small_value(h) <= 255) {
                sink->byte(sink, (unsigned)small_value(h));
            } else if (term_is_binary_like(h) && (bits || is_binary(h))) {
                sink->bits(sink, h);
            } else if (term_is_list(h)) {
                ts_push(&st, list_tail(v));
                v = h;
                continue;
            } else if (!term_is_nil(h)) {
                ok = false;
                break;
            }
            v = list_tail(v);
        }
        if (!ok || term_is_nil(v)) continue;
        if (term_is_binary_like(v) && (bits || is_binary(v))) sink->bits(sink, v);
        else ok = false;
    }
    ts_free(&st);
    return ok;
}

typedef struct size_sink {
    iol_sink base;
    UWord bits;
} size_sink;

static void size_byte(iol_sink *s, unsigned b) { (void)b; ((size_sink *)s)->bits += 8; }
static void size_bits(iol_sink *s, Term bin) { ((size_sink *)s)->bits += binary_bit_size(bin); }

typedef struct copy_sink {
    iol_sink base;
    uint8_t *data;
    UWord offset;
} copy_sink;

static void copy_byte(iol_sink *s, unsigned b)
{
    copy_sink *c = (copy_sink *)s;
    if (c->offset % 8 == 0) c->data[c->offset / 8] = (uint8_t)b;
    else bits_write_uint(c->data, c->offset, b, 8);
    c->offset += 8;
}

static void copy_bits(iol_sink *s, Term bin)
{
    copy_sink *c = (copy_sink *)s;
    UWord off, n;
    const uint8_t *src = bits_data(bin, &off, &n);
    bits_copy(c->data, c->offset, src, off, n);
    c->offset += n;
}

/* The size in bits of an iolist; false if it is not one. */
static bool iolist_bits(Process *p, Term t, bool bits, bool top_binary, UWord *out)
{
    size_sink s = { { size_byte, size_bits, 0 }, 0 };
    bool ok = iolist_walk(t, bits, top_binary, &s.base);
    BUMP_REDS(p, s.base.count / ELEMENTS_PER_REDUCTION);
    *out = s.bits;
    return ok;
}

static Term iolist_to_bits(Process *p, Term t, bool bits, bool top_binary)
{
    UWord n;
    if (!iolist_bits(p, t, bits, top_binary, &n)) BIF_ERROR(p, EXC_BADARG);
    copy_sink c = { { copy_byte, copy_bits, 0 }, NULL, 0 };
    Term result = bits_alloc_binary(p, n, &c.data);
    iolist_walk(t, bits, top_binary, &c.base);
    return result;
}

Term bif_erlang_iolist_to_binary_1(Process *p, Term *args)
{
    if (is_binary(args[0])) return args[0];
    return iolist_to_bits(p, args[0], false, false);
}

Term bif_erlang_list_to_binary_1(Process *p, Term *args)
{
    if (!term_is_list(args[0]) && !term_is_nil(args[0])) BIF_ERROR(p, EXC_BADARG);
    return iolist_to_bits(p, args[0], false, false);
}

Term bif_erlang_list_to_bitstring_1(Process *p, Term *args)
{
    if (!term_is_list(args[0]) && !term_is_nil(args[0])) BIF_ERROR(p, EXC_BADARG);
    return iolist_to_bits(p, args[0], true, false);
}

Term bif_binary_list_to_bin_1(Process *p, Term *args) { return bif_erlang_list_to_binary_1(p, args); }

Term bif_erlang_iolist_size_1(Process *p, Term *args)
{
    UWord n;
    if (!iolist_bits(p, args[0], false, true, &n)) BIF_ERROR(p, EXC_BADARG);
    return arith_make_uinteger(p, n / 8);
}

/* ---------------------------------------------------------------------------
 * Sizes, slices, lists
 * ------------------------------------------------------------------------ */

Term bif_erlang_byte_size_1(Process *p, Term *args)
{
    if (!term_is_binary_like(args[0])) BIF_ERROR(p, EXC_BADARG);
    return make_small((SWord)((binary_bit_size(args[0]) + 7) / 8));
}

Term bif_erlang_bit_size_1(Process *p, Term *args)
{
    if (!term_is_binary_like(args[0])) BIF_ERROR(p, EXC_BADARG);
    return make_small((SWord)binary_bit_size(args[0]));
}

/* Bin[Start, Start+Len) with a negative Len counting back; the bytes must
 * lie inside the whole bytes of the bitstring (OTP takes bitstrings). */
static Term part(Process *p, Term bin, Term start, Term len)
{
    if (!term_is_binary_like(bin) || !term_is_small(start) || !term_is_small(len)) BIF_ERROR(p, EXC_BADARG);
    SWord size = (SWord)(binary_bit_size(bin) / 8), s = small_value(start), l = small_value(len);
    if (l < 0) { s += l; l = -l; }
    if (s < 0 || s > size || l > size - s) BIF_ERROR(p, EXC_BADARG);
    return bits_sub_binary(p, bin, 8 * (UWord)s, 8 * (UWord)l);
}

static Term part_tuple(Process *p, Term bin, Term pos_len)
{
    if (!term_is_tuple(pos_len) || tuple_arity(pos_len) != 2) BIF_ERROR(p, EXC_BADARG);
    return part(p, bin, tuple_elements(pos_len)[0], tuple_elements(pos_len)[1]);
}

Term bif_erlang_binary_part_2(Process *p, Term *args) { return part_tuple(p, args[0], args[1]); }
Term bif_erlang_binary_part_3(Process *p, Term *args) { return part(p, args[0], args[1], args[2]); }
Term bif_binary_part_2(Process *p, Term *args) { return part_tuple(p, args[0], args[1]); }
Term bif_binary_part_3(Process *p, Term *args) { return part(p, args[0], args[1], args[2]); }

Term bif_erlang_split_binary_2(Process *p, Term *args)
{
    Term bin = args[0];
    SWord pos;
    if (!term_is_binary_like(bin) || !small_in_range(args[1], 0, MAX_SMALL, &pos)) BIF_ERROR(p, EXC_BADARG);
    UWord bits = binary_bit_size(bin);
    if ((UWord)pos > bits / 8) BIF_ERROR(p, EXC_BADARG);
    Term a = bits_sub_binary(p, bin, 0, 8 * (UWord)pos);
    Term b = bits_sub_binary(p, bin, 8 * (UWord)pos, bits - 8 * (UWord)pos);
    return tuple2(bif_alloc(p, 3), a, b);
}

static Term bytes_to_list(Process *p, Term bin, UWord from, UWord n, Term tail)
{
    size_t size;
    uint8_t *copy;
    const uint8_t *data = binary_view(bin, &size, &copy);
    (void)size;
    Term r = list_of_bytes(p, data + from, n, tail);
    free(copy);
    BUMP_REDS(p, n / ELEMENTS_PER_REDUCTION);
    return r;
}

Term bif_erlang_binary_to_list_1(Process *p, Term *args)
{
    if (!is_binary(args[0])) BIF_ERROR(p, EXC_BADARG);
    return bytes_to_list(p, args[0], 0, binary_bit_size(args[0]) / 8, NIL);
}

/* binary_to_list(Bin, Start, Stop): 1-based and inclusive; a binary with
 * trailing bits is fine as long as Stop is within its whole bytes. */
Term bif_erlang_binary_to_list_3(Process *p, Term *args)
{
    SWord start, stop;
    if (!term_is_binary_like(args[0]) || !small_in_range(args[1], 1, MAX_SMALL, &start) || !small_in_range(args[2], 1, MAX_SMALL, &stop))
        BIF_ERROR(p, EXC_BADARG);
    UWord size = binary_bit_size(args[0]) / 8;
    if (start > stop || (UWord)stop > size) BIF_ERROR(p, EXC_BADARG);
    Term sub = bits_sub_binary(p, args[0], 8 * (UWord)(start - 1), 8 * (UWord)(stop - start + 1));
    return bytes_to_list(p, sub, 0, (UWord)(stop - start + 1), NIL);
}

Term bif_erlang_bitstring_to_list_1(Process *p, Term *args)
{
    Term bin = args[0];
    if (!term_is_binary_like(bin)) BIF_ERROR(p, EXC_BADARG);
    UWord bits = binary_bit_size(bin);
    Term tail = NIL;
    if (bits % 8) {
        Term rest = bits_sub_binary(p, bin, bits - bits % 8, bits % 8);
        tail = cons(bif_alloc(p, 2), rest, NIL);
    }
    Term whole = bits_sub_binary(p, bin, 0, bits - bits % 8);
    return bytes_to_list(p, whole, 0, bits / 8, tail);
}

/* ---------------------------------------------------------------------------
 * Atoms, integers, floats as binaries
 * ------------------------------------------------------------------------ */

static bool encoding_is_latin1(Term enc) { return enc == ATOM_NAMED("latin1"); }
static bool encoding_is_utf8(Term enc) { return enc == ATOM_NAMED("utf8") || enc == am_unicode; }

Term bif_erlang_atom_to_binary_2(Process *p, Term *args)
{
    Term a = args[0], enc = args[1];
    if (!term_is_atom(a)) BIF_ERROR(p, EXC_BADARG);
    const char *text = atom_text(a);
    size_t len = atom_len(a);
    if (encoding_is_utf8(enc)) return bits_new_binary(p, (const uint8_t *)text, 0, 8 * len);
    if (!encoding_is_latin1(enc)) BIF_ERROR(p, EXC_BADARG);
    uint8_t buf[4 * ATOM_MAX_CHARS];
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = utf8_decode(text + i, len - i, &cp);
        if (k == 0 || cp > 255) BIF_ERROR(p, EXC_BADARG);
        buf[n++] = (uint8_t)cp;
        i += k;
    }
    return bits_new_binary(p, buf, 0, 8 * n);
}

static Term binary_to_atom(Process *p, Term bin, Term enc, bool existing)
{
    if (!is_binary(bin)) BIF_ERROR(p, EXC_BADARG);
    bool latin1 = encoding_is_latin1(enc);
    if (!latin1 && !encoding_is_utf8(enc)) BIF_ERROR(p, EXC_BADARG);
    size_t size;
    uint8_t *copy;
    const uint8_t *data = binary_view(bin, &size, &copy);
    char *utf8 = NULL;
    if (latin1) { /* as UTF-8, which is how atoms are kept */
        utf8 = malloc(2 * size + 1);
        if (!utf8) abort();
        size_t n = 0;
        for (size_t i = 0; i < size; i++) n += utf8_encode(data[i], utf8 + n);
        free(copy);
        copy = (uint8_t *)utf8;
        data = copy;
        size = n;
    }
    Term a;
    Term r = THE_NON_VALUE;
    if (existing) {
        size_t chars;
        if (utf8_count((const char *)data, size, &chars) && atom_lookup((const char *)data, size, &a)) r = a;
        else raise_error(p, EXC_BADARG, NIL);
    } else {
        switch (atom_put((const char *)data, size, &a)) {
        case ATOM_OK: r = a; break;
        case ATOM_BAD_UTF8: raise_error(p, EXC_BADARG, NIL); break;
        default: raise_error(p, EXC_SYSTEM_LIMIT, NIL); break;
        }
    }
    free(copy);
    return r;
}

Term bif_erlang_binary_to_atom_2(Process *p, Term *args) { return binary_to_atom(p, args[0], args[1], false); }
Term bif_erlang_binary_to_existing_atom_2(Process *p, Term *args) { return binary_to_atom(p, args[0], args[1], true); }

/* The list BIFs do the text work (and give the same errors); these wrap
 * their results and arguments as binaries. */
static Term list_result_to_binary(Process *p, Term list)
{
    if (list == THE_NON_VALUE) return list;
    return iolist_to_bits(p, list, false, false);
}

static Term binary_arg_to_list(Process *p, Term bin)
{
    if (!is_binary(bin)) return THE_NON_VALUE;
    return bytes_to_list(p, bin, 0, binary_bit_size(bin) / 8, NIL);
}

Term bif_erlang_integer_to_binary_1(Process *p, Term *args)
{
    if (!term_is_integer(args[0])) BIF_ERROR(p, EXC_BADARG);
    strbuf sb = STRBUF_INIT;
    integer_to_text(&sb, args[0], 10);
    Term r = bits_new_binary(p, (const uint8_t *)sb_str(&sb), 0, 8 * sb.len);
    sb_free(&sb);
    return r;
}

Term bif_erlang_integer_to_binary_2(Process *p, Term *args)
{
    SWord base;
    if (!term_is_integer(args[0]) || !small_in_range(args[1], 2, 36, &base)) BIF_ERROR(p, EXC_BADARG);
    strbuf sb = STRBUF_INIT;
    integer_to_text(&sb, args[0], (unsigned)base);
    Term r = bits_new_binary(p, (const uint8_t *)sb_str(&sb), 0, 8 * sb.len);
    sb_free(&sb);
    return r;
}

Term bif_erlang_binary_to_integer_1(Process *p, Term *args)
{
    Term list = binary_arg_to_list(p, args[0]);
    if (list == THE_NON_VALUE) BIF_ERROR(p, EXC_BADARG);
    return bif_erlang_list_to_integer_1(p, &list);
}

Term bif_erlang_binary_to_integer_2(Process *p, Term *args)
{
    Term a[2] = { binary_arg_to_list(p, args[0]), args[1] };
    if (a[0] == THE_NON_VALUE) BIF_ERROR(p, EXC_BADARG);
    return bif_erlang_list_to_integer_2(p, a);
}

Term bif_erlang_float_to_binary_1(Process *p, Term *args)
{
    return list_result_to_binary(p, bif_erlang_float_to_list_1(p, args));
}

Term bif_erlang_float_to_binary_2(Process *p, Term *args)
{
    return list_result_to_binary(p, bif_erlang_float_to_list_2(p, args));
}

Term bif_erlang_binary_to_float_1(Process *p, Term *args)
{
    Term list = binary_arg_to_list(p, args[0]);
    if (list == THE_NON_VALUE) BIF_ERROR(p, EXC_BADARG);
    return bif_erlang_list_to_float_1(p, &list);
}

/* ---------------------------------------------------------------------------
 * The binary module
 * ------------------------------------------------------------------------ */

static Term byte_at(Process *p, Term bin, SWord pos, bool from_end)
{
    if (!is_binary(bin)) BIF_ERROR(p, EXC_BADARG);
    UWord size = binary_bit_size(bin) / 8;
    if (size == 0 || pos < 0 || (UWord)pos >= size) BIF_ERROR(p, EXC_BADARG);
    UWord off, bits;
    const uint8_t *data = bits_data(bin, &off, &bits);
    UWord at = from_end ? size - 1 : (UWord)pos;
    return make_small((SWord)bits_read_uint(data, off + 8 * at, 8));
}

Term bif_binary_first_1(Process *p, Term *args) { return byte_at(p, args[0], 0, false); }
Term bif_binary_last_1(Process *p, Term *args) { return byte_at(p, args[0], 0, true); }
Term bif_binary_at_2(Process *p, Term *args)
{
    if (!term_is_small(args[1])) BIF_ERROR(p, EXC_BADARG);
    return byte_at(p, args[0], small_value(args[1]), false);
}

static Term copy_times(Process *p, Term bin, SWord times)
{
    UWord bits = binary_bit_size(bin);
    if (times && bits / 8 > ((UWord)1 << 56) / (UWord)times) BIF_ERROR(p, EXC_SYSTEM_LIMIT);
    uint8_t *data;
    Term r = bits_alloc_binary(p, bits * (UWord)times, &data);
    UWord off, n;
    const uint8_t *src = bits_data(bin, &off, &n);
    for (SWord i = 0; i < times; i++) bits_copy(data, (UWord)i * n, src, off, n);
    BUMP_REDS(p, (UWord)times * n / 8 / 1000);
    return r;
}

Term bif_binary_copy_1(Process *p, Term *args)
{
    if (!is_binary(args[0])) BIF_ERROR(p, EXC_BADARG);
    return copy_times(p, args[0], 1);
}

Term bif_binary_copy_2(Process *p, Term *args)
{
    SWord n;
    if (!is_binary(args[0]) || !small_in_range(args[1], 0, MAX_SMALL, &n)) BIF_ERROR(p, EXC_BADARG);
    return copy_times(p, args[0], n);
}

Term bif_binary_referenced_byte_size_1(Process *p, Term *args)
{
    Term bin = args[0];
    if (!is_binary(bin)) BIF_ERROR(p, EXC_BADARG);
    if (term_is_boxed_with(bin, HDR_SUB_BIN)) bin = ((SubBin *)boxed_ptr(bin))->orig;
    if (term_is_boxed_with(bin, HDR_REFC_BIN)) return arith_make_uinteger(p, ((ProcBin *)boxed_ptr(bin))->val->orig_size);
    return make_small((SWord)boxed_ptr(bin)[1]);
}

/* big (default) or little; anything else is badarg. */
static bool endianness(Term t, bool *little)
{
    if (t == ATOM_NAMED("big")) { *little = false; return true; }
    if (t == ATOM_NAMED("little")) { *little = true; return true; }
    return false;
}

static Term encode_unsigned(Process *p, Term i, Term endian)
{
    bool little;
    if (!term_is_integer(i) || !endianness(endian, &little)) BIF_ERROR(p, EXC_BADARG);
    if (term_is_small(i) ? small_value(i) < 0 : bignum_is_negative(i)) BIF_ERROR(p, EXC_BADARG);
    UWord bytes = 1;
    if (term_is_small(i)) {
        for (UWord v = (UWord)small_value(i) >> 8; v; v >>= 8) bytes++;
    } else {
        UWord n = bignum_digit_count(i), top = bignum_digits(i)[n - 1];
        bytes = 8 * (n - 1);
        for (; top; top >>= 8) bytes++;
    }
    uint8_t *data;
    Term r = bits_alloc_binary(p, 8 * bytes, &data);
    bits_write_integer(data, 0, i, 8 * bytes, little ? BSF_LITTLE : 0);
    return r;
}

Term bif_binary_encode_unsigned_1(Process *p, Term *args) { return encode_unsigned(p, args[0], ATOM_NAMED("big")); }
Term bif_binary_encode_unsigned_2(Process *p, Term *args) { return encode_unsigned(p, args[0], args[1]); }

static Term decode_unsigned(Process *p, Term bin, Term endian)
{
    bool little;
    if (!is_binary(bin) || !endianness(endian, &little)) BIF_ERROR(p, EXC_BADARG);
    UWord off, bits;
    const uint8_t *data = bits_data(bin, &off, &bits);
    MatchState ms = { 0, bin, data, off, off + bits };
    return bits_match_integer(p, &ms, bits, little ? BSF_LITTLE : 0);
}

Term bif_binary_decode_unsigned_1(Process *p, Term *args) { return decode_unsigned(p, args[0], ATOM_NAMED("big")); }
Term bif_binary_decode_unsigned_2(Process *p, Term *args) { return decode_unsigned(p, args[0], args[1]); }

/* longest_common_prefix/suffix: a non-empty proper list of binaries. */
static Term longest_common(Process *p, Term list, bool suffix)
{
    if (!term_is_list(list)) BIF_ERROR(p, EXC_BADARG);
    size_t best = SIZE_MAX;
    size_t first_size = 0;
    uint8_t *first_copy;
    if (!is_binary(list_head(list))) BIF_ERROR(p, EXC_BADARG);
    const uint8_t *first = binary_view(list_head(list), &first_size, &first_copy);
    best = first_size;
    Term l;
    for (l = list_tail(list); term_is_list(l); l = list_tail(l)) {
        if (!is_binary(list_head(l))) break;
        size_t n;
        uint8_t *copy;
        const uint8_t *b = binary_view(list_head(l), &n, &copy);
        size_t k = 0, max = n < best ? n : best;
        if (suffix) while (k < max && b[n - 1 - k] == first[first_size - 1 - k]) k++;
        else while (k < max && b[k] == first[k]) k++;
        best = k;
        free(copy);
    }
    free(first_copy);
    if (!term_is_nil(l)) BIF_ERROR(p, EXC_BADARG);
    return make_small((SWord)best);
}

Term bif_binary_longest_common_prefix_1(Process *p, Term *args) { return longest_common(p, args[0], false); }
Term bif_binary_longest_common_suffix_1(Process *p, Term *args) { return longest_common(p, args[0], true); }

/* --- searching -------------------------------------------------------------
 * A pattern is a non-empty binary, a non-empty list of them, or what
 * compile_pattern returned: {bm, [Bin]} or {ac, [Bins]} (OTP returns a
 * magic reference there; a tuple works the same for every caller). */

typedef struct pattern {
    size_t n;
    const uint8_t **bytes;
    size_t *len;
    uint8_t **copies;
} pattern;

static void pattern_free(pattern *pt)
{
    for (size_t i = 0; i < pt->n; i++) free(pt->copies[i]);
    free(pt->bytes);
    free(pt->len);
    free(pt->copies);
}

static bool pattern_add(pattern *pt, Term bin, size_t cap)
{
    if (!is_binary(bin) || binary_bit_size(bin) == 0 || pt->n == cap) return false;
    pt->bytes[pt->n] = binary_view(bin, &pt->len[pt->n], &pt->copies[pt->n]);
    pt->n++;
    return true;
}

static bool pattern_read(Term t, pattern *pt)
{
    if (term_is_tuple(t) && tuple_arity(t) == 2 &&
        (tuple_elements(t)[0] == ATOM_NAMED("bm") || tuple_elements(t)[0] == ATOM_NAMED("ac")))
        t = tuple_elements(t)[1];
    SWord n = term_is_list(t) ? list_length(t) : 1;
    if (n <= 0) return false;
    *pt = (pattern){ 0, calloc((size_t)n, sizeof(uint8_t *)), calloc((size_t)n, sizeof(size_t)), calloc((size_t)n, sizeof(uint8_t *)) };
    if (!pt->bytes || !pt->len || !pt->copies) abort();
    bool ok = true;
    if (!term_is_list(t)) ok = pattern_add(pt, t, 1);
    for (; ok && term_is_list(t); t = list_tail(t)) ok = pattern_add(pt, list_head(t), (size_t)n);
    if (!ok) pattern_free(pt);
    return ok;
}

/* The leftmost match in s[from, to), the longest there; false if none. */
static bool pattern_find(const pattern *pt, const uint8_t *s, size_t from, size_t to, size_t *pos, size_t *len)
{
    for (size_t i = from; i < to; i++) {
        size_t best = 0;
        for (size_t k = 0; k < pt->n; k++) {
            size_t l = pt->len[k];
            if (l <= to - i && l > best && s[i] == pt->bytes[k][0] && memcmp(s + i, pt->bytes[k], l) == 0) best = l;
        }
        if (best) { *pos = i; *len = best; return true; }
    }
    return false;
}

typedef struct search_opts {
    size_t from, to;
    bool global, trim, trim_all;
} search_opts;

/* Options [{scope,{Start,Len}}] (and global/trim/trim_all for split). */
static bool search_options(Term opts, size_t size, bool split, search_opts *o)
{
    *o = (search_opts){ 0, size, false, false, false };
    for (; term_is_list(opts); opts = list_tail(opts)) {
        Term opt = list_head(opts);
        if (split && opt == ATOM_NAMED("global")) { o->global = true; continue; }
        if (split && opt == ATOM_NAMED("trim")) { o->trim = true; continue; }
        if (split && opt == ATOM_NAMED("trim_all")) { o->trim_all = true; continue; }
        if (!term_is_tuple(opt) || tuple_arity(opt) != 2 || tuple_elements(opt)[0] != ATOM_NAMED("scope")) return false;
        Term sc = tuple_elements(opt)[1];
        if (!term_is_tuple(sc) || tuple_arity(sc) != 2) return false;
        Term st = tuple_elements(sc)[0], ln = tuple_elements(sc)[1];
        if (!term_is_small(st) || !term_is_small(ln)) return false;
        SWord s = small_value(st), l = small_value(ln);
        if (l < 0) { s += l; l = -l; }
        if (s < 0 || (UWord)s > size || (UWord)l > size - (UWord)s) return false;
        o->from = (size_t)s;
        o->to = (size_t)(s + l);
    }
    return term_is_nil(opts);
}

typedef enum { SEARCH_MATCH, SEARCH_MATCHES, SEARCH_SPLIT } search_kind;

static Term pos_len(Process *p, size_t pos, size_t len)
{
    return tuple2(bif_alloc(p, 3), make_small((SWord)pos), make_small((SWord)len));
}

/* split: the parts between matches (the last part runs to the end of the
 * subject, scope or not, as OTP). */
static Term split_parts(Process *p, Term subject, const size_t *cuts, size_t ncuts, size_t size, const search_opts *o)
{
    size_t nparts = ncuts / 2 + 1;
    Term *parts = malloc(nparts * sizeof *parts);
    if (!parts) abort();
    size_t start = 0;
    for (size_t i = 0; i < nparts; i++) {
        size_t end = i < ncuts / 2 ? cuts[2 * i] : size;
        parts[i] = bits_sub_binary(p, subject, 8 * start, 8 * (end - start));
        if (i < ncuts / 2) start = cuts[2 * i] + cuts[2 * i + 1];
    }
    size_t keep = nparts;
    if (o->trim || o->trim_all)
        while (keep > 0 && binary_bit_size(parts[keep - 1]) == 0) keep--;
    Term list = NIL;
    for (size_t i = keep; i-- > 0;) {
        if (o->trim_all && binary_bit_size(parts[i]) == 0) continue;
        list = cons(bif_alloc(p, 2), parts[i], list);
    }
    free(parts);
    return list;
}

static Term search(Process *p, Term subject, Term pat, Term opts, search_kind kind)
{
    pattern pt;
    search_opts o;
    if (!is_binary(subject)) BIF_ERROR(p, EXC_BADARG);
    size_t size;
    uint8_t *copy;
    if (!pattern_read(pat, &pt)) BIF_ERROR(p, EXC_BADARG);
    const uint8_t *s = binary_view(subject, &size, &copy);
    if (!search_options(opts, size, kind == SEARCH_SPLIT, &o)) {
        pattern_free(&pt);
        free(copy);
        BIF_ERROR(p, EXC_BADARG);
    }
    size_t cap = 16, n = 0;
    size_t *found = malloc(cap * sizeof *found);
    if (!found) abort();
    size_t at = o.from, pos, len;
    bool all = kind == SEARCH_MATCHES || o.global;
    while (pattern_find(&pt, s, at, o.to, &pos, &len)) {
        if (n + 2 > cap) { cap *= 2; found = realloc(found, cap * sizeof *found); if (!found) abort(); }
        found[n++] = pos;
        found[n++] = len;
        at = pos + len;
        if (!all) break;
    }
    BUMP_REDS(p, (at - o.from) / 1000);
    pattern_free(&pt);
    free(copy);
    Term r;
    if (kind == SEARCH_MATCH) {
        r = n ? pos_len(p, found[0], found[1]) : ATOM_NAMED("nomatch");
    } else if (kind == SEARCH_MATCHES) {
        r = NIL;
        for (size_t i = n; i > 0; i -= 2) r = cons(bif_alloc(p, 2), pos_len(p, found[i - 2], found[i - 1]), r);
    } else {
        r = split_parts(p, subject, found, n, size, &o);
    }
    free(found);
    return r;
}

Term bif_binary_match_2(Process *p, Term *args) { return search(p, args[0], args[1], NIL, SEARCH_MATCH); }
Term bif_binary_match_3(Process *p, Term *args) { return search(p, args[0], args[1], args[2], SEARCH_MATCH); }
Term bif_binary_matches_2(Process *p, Term *args) { return search(p, args[0], args[1], NIL, SEARCH_MATCHES); }
Term bif_binary_matches_3(Process *p, Term *args) { return search(p, args[0], args[1], args[2], SEARCH_MATCHES); }
Term bif_binary_split_2(Process *p, Term *args) { return search(p, args[0], args[1], NIL, SEARCH_SPLIT); }
Term bif_binary_split_3(Process *p, Term *args) { return search(p, args[0], args[1], args[2], SEARCH_SPLIT); }

Term bif_binary_compile_pattern_1(Process *p, Term *args)
{
    pattern pt;
    Term pat = args[0];
    if (term_is_tuple(pat) || !pattern_read(pat, &pt)) BIF_ERROR(p, EXC_BADARG);
    bool many = pt.n > 1 || term_is_list(pat);
    pattern_free(&pt);
    Term list = term_is_list(pat) ? pat : cons(bif_alloc(p, 2), pat, NIL);
    return tuple2(bif_alloc(p, 3), many ? ATOM_NAMED("ac") : ATOM_NAMED("bm"), list);
}

/* ---------------------------------------------------------------------------
 * iodata for checksums and NIFs, and erlang:iolist_to_iovec/1
 * ------------------------------------------------------------------------- */

bool iodata_bytes(Process *p, Term t, const uint8_t **bytes, size_t *len, uint8_t **owned)
{
    *owned = NULL;
    if (term_is_binary_like(t)) {
        if (!binary_bytes(t, bytes, len)) return false;
        return true;
    }
    UWord n;
    if (!iolist_bits(p, t, false, false, &n)) return false;
    copy_sink c = { { copy_byte, copy_bits, 0 }, malloc(n / 8 ? n / 8 : 1), 0 };
    if (!c.data) abort();
    iolist_walk(t, false, false, &c.base);
    *owned = c.data;
    *bytes = c.data;
    *len = n / 8;
    return true;
}

/* OTP's iolist_to_iovec: bytes and binaries below IOVEC_SMALL are copied
 * together; a larger binary stays itself, except that when a partly filled
 * buffer (below IOVEC_SMALL) precedes it, its head tops the buffer up to
 * IOVEC_SMALL (all of it, if the rest would be below IOVEC_SMALL). */
#define IOVEC_SMALL 256

typedef struct iovec_sink {
    iol_sink base;
    Process *p;
    strbuf acc;
    Term list;             /* the binaries so far, reversed */
} iovec_sink;

static void iovec_emit(iovec_sink *s, Term bin)
{
    Term *hp = bif_alloc(s->p, 2);
    s->list = cons(hp, bin, s->list);
}

static void iovec_flush(iovec_sink *s)
{
    if (!s->acc.len) return;
    iovec_emit(s, bits_new_binary(s->p, (const uint8_t *)s->acc.data, 0, 8 * (UWord)s->acc.len));
    sb_reset(&s->acc);
}

static void iovec_byte(iol_sink *b, unsigned v) { sb_putc(&((iovec_sink *)b)->acc, (char)v); }

static void iovec_bits(iol_sink *b, Term bin)
{
    iovec_sink *s = (iovec_sink *)b;
    const uint8_t *bytes;
    size_t n;
    binary_bytes(bin, &bytes, &n);
    if (n < IOVEC_SMALL) { sb_put(&s->acc, (const char *)bytes, n); return; }
    if (s->acc.len == 0 || s->acc.len >= IOVEC_SMALL) {
        iovec_flush(s);
        iovec_emit(s, bin);
        return;
    }
    size_t k = IOVEC_SMALL - s->acc.len;
    if (n - k < IOVEC_SMALL) { sb_put(&s->acc, (const char *)bytes, n); return; }
    sb_put(&s->acc, (const char *)bytes, k);
    iovec_flush(s);
    iovec_emit(s, bits_sub_binary(s->p, bin, 8 * (UWord)k, 8 * (UWord)(n - k)));
}

Term bif_erlang_iolist_to_iovec_1(Process *p, Term *args)
{
    Term t = args[0];
    if (term_is_binary_like(t)) {
        if (!is_binary(t)) BIF_ERROR(p, EXC_BADARG);
        if (binary_bit_size(t) == 0) return NIL;
        return cons(bif_alloc(p, 2), t, NIL);
    }
    UWord bits;
    if (!iolist_bits(p, t, false, false, &bits)) BIF_ERROR(p, EXC_BADARG);
    iovec_sink s = { { iovec_byte, iovec_bits, 0 }, p, STRBUF_INIT, NIL };
    iolist_walk(t, false, false, &s.base);
    iovec_flush(&s);
    sb_free(&s.acc);
    Term out = NIL;
    for (Term l = s.list; term_is_list(l); l = list_tail(l)) out = cons(bif_alloc(p, 2), list_head(l), out);
    return out;
}
