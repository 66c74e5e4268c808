/*
 * test_bits.c — emulator/bits.c (bit fields at any offset, integers of any
 * size and byte order, floats 16/32/64, utf8/16/32) and the BIFs of
 * bifs/binary.c and bifs/unicode.c.
 *
 * Expected values were captured from OTP 25 (erl), e.g.
 * <<16#123:12/little>> =:= <<35,1:4>>; each case names the expression.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "atom.h"
#include "bif.h"
#include "bignum.h"
#include "bits.h"
#include "gc.h"
#include "term_build.h"
#include "term_print.h"

static Process *new_process(void)
{
    static bool atoms;
    if (!atoms) { atom_init(0); atoms = true; }
    Process *p = calloc(1, sizeof *p);
    cr_assert(p && heap_init(p, 100000));
    p->fcalls = CONTEXT_REDS;
    return p;
}

static void free_process(Process *p)
{
    heap_destroy(p);
    free(p);
}

/* ~w of a term, to compare with what erl printed. */
static void expect_print(Term t, const char *want)
{
    strbuf sb = STRBUF_INIT;
    term_print(&sb, t);
    cr_expect_str_eq(sb_str(&sb), want);
    sb_free(&sb);
}

static Term bin(Process *p, const char *bytes, size_t n) { return bits_new_binary(p, (const uint8_t *)bytes, 0, 8 * n); }
static Term atom(const char *s) { Term a; cr_assert(atom_put(s, strlen(s), &a) == ATOM_OK); return a; }

/* --- bit fields ---------------------------------------------------------------- */

Test(bits, uint_roundtrip_at_every_offset)
{
    for (unsigned off = 0; off < 16; off++)
        for (unsigned n = 1; n <= 64; n++) {
            uint8_t buf[12];
            memset(buf, 0xA5, sizeof buf);
            UWord v = UINT64_C(0x9E3779B97F4A7C15) >> (64 - n);
            bits_write_uint(buf, off, v, n);
            cr_expect_eq(bits_read_uint(buf, off, n), v, "off %u n %u", off, n);
            if (off) cr_expect_eq(bits_read_uint(buf, 0, off), bits_read_uint((uint8_t[]){ 0xA5, 0xA5 }, 0, off));
        }
}

Test(bits, copy_and_equal_unaligned)
{
    const uint8_t src[] = { 0x12, 0x34, 0x56, 0x78, 0x9A };
    uint8_t dst[6] = { 0 };
    bits_copy(dst, 3, src, 5, 29);
    cr_expect(bits_equal(dst, 3, src, 5, 29));
    cr_expect(!bits_equal(dst, 3, src, 4, 29));
    cr_expect_eq(dst[0] >> 5, 0);   /* bits before the field are kept */
}

/* <<16#123:12/little>> = <<35,1:4>>; <<-1:12/little>> = <<255,15:4>> */
Test(bits, little_endian_partial_bytes)
{
    Process *p = new_process();
    uint8_t buf[2] = { 0 };
    bits_write_integer(buf, 0, make_small(0x123), 12, BSF_LITTLE);
    cr_expect(buf[0] == 35 && buf[1] == 0x10);
    bits_write_integer(buf, 0, make_small(-1), 12, BSF_LITTLE);
    cr_expect(buf[0] == 255 && buf[1] == 0xF0);
    MatchState ms = { 0, THE_NON_VALUE, (const uint8_t[]){ 35, 0xF0 }, 0, 12 };
    expect_print(bits_match_integer(p, &ms, 12, BSF_LITTLE | BSF_SIGNED), "-221");
    ms = (MatchState){ 0, THE_NON_VALUE, (const uint8_t[]){ 35, 0x10 }, 0, 12 };
    expect_print(bits_match_integer(p, &ms, 12, BSF_LITTLE), "291");
    free_process(p);
}

/* B = <<255,1,2,3,4,5,6,7,8,9>>: <<X:72/signed,_/bits>>, the same
 * little-signed, and <<_:3, X:67/little-signed, _/bits>>. */
Test(bits, big_fields)
{
    Process *p = new_process();
    const uint8_t b[] = { 255, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    MatchState ms = { 0, THE_NON_VALUE, b, 0, 80 };
    expect_print(bits_match_integer(p, &ms, 72, BSF_SIGNED), "-18374120213919168760");
    ms.offset = 0;
    expect_print(bits_match_integer(p, &ms, 72, BSF_SIGNED | BSF_LITTLE), "148080050112590643711");
    ms.offset = 3;
    expect_print(bits_match_integer(p, &ms, 67, BSF_SIGNED | BSF_LITTLE), "40942268330732947704");
    cr_expect_eq(ms.offset, 70);
    free_process(p);
}

/* <<(-1):67/little>> = <<255 x 8, 7:3>>; <<(1 bsl 70 + 5):67/little-signed>>
 * = <<5,0,0,0,0,0,0,0,0:3>>; <<(-(1 bsl 70) - 5):77/signed>> =
 * <<253,255,255,255,255,255,255,255,255,27:5>> */
Test(bits, write_bignum_fields)
{
    Process *p = new_process();
    uint8_t buf[10];
    memset(buf, 0, sizeof buf);
    bits_write_integer(buf, 0, make_small(-1), 67, BSF_LITTLE);
    for (int i = 0; i < 8; i++) cr_expect_eq(buf[i], 255);
    cr_expect_eq(buf[8], 0xE0);
    Term *hp = HAlloc(p, 4);
    uint8_t le[9] = { 5, 0, 0, 0, 0, 0, 0, 0, 0x40 };
    Term big = integer_from_le_bytes(hp, le, 9, false);
    memset(buf, 0, sizeof buf);
    bits_write_integer(buf, 0, big, 67, BSF_LITTLE | BSF_SIGNED);
    cr_expect(buf[0] == 5 && buf[1] == 0 && buf[7] == 0 && buf[8] == 0);
    Term neg = integer_from_le_bytes(HAlloc(p, 4), (uint8_t[]){ 5, 0, 0, 0, 0, 0, 0, 0, 0x40 }, 9, true);
    memset(buf, 0, sizeof buf);
    bits_write_integer(buf, 0, neg, 77, BSF_SIGNED);
    const uint8_t want[] = { 253, 255, 255, 255, 255, 255, 255, 255, 255, 27 << 3 };
    cr_expect_arr_eq(buf, want, 10);
    free_process(p);
}

/* <<1.5:16/float>> = <<62,0>>; <<1.0e10:16/float>> = <<124,0>>;
 * <<1.0e40:32/float>> = <<127,128,0,0>>; infinities do not match. */
Test(bits, floats)
{
    uint8_t buf[9] = { 0 };
    bits_write_float(buf, 0, 1.5, 16, 0);
    cr_expect(buf[0] == 62 && buf[1] == 0);
    bits_write_float(buf, 0, 1.0e10, 16, 0);
    cr_expect(buf[0] == 124 && buf[1] == 0);
    bits_write_float(buf, 0, 1.0e40, 32, 0);
    cr_expect(buf[0] == 127 && buf[1] == 128 && buf[2] == 0);
    double d;
    cr_expect(!bits_read_float((const uint8_t[]){ 0x7C, 0 }, 0, 16, 0, &d));
    cr_expect(!bits_read_float((const uint8_t[]){ 0x7F, 0xC0, 0, 0 }, 0, 32, 0, &d));
    memset(buf, 0, sizeof buf);
    bits_write_float(buf, 1, -2.5, 64, BSF_LITTLE);   /* unaligned, little */
    cr_expect(bits_read_float(buf, 1, 64, BSF_LITTLE, &d) && d == -2.5);
    cr_expect_eq(bits_double_to_half(65504.0), 0x7BFF);
    cr_expect_eq(bits_double_to_half(5.960464477539063e-8), 1);   /* smallest subnormal */
    cr_expect(bits_half_to_double(0x3555) > 0.3332 && bits_half_to_double(0x3555) < 0.3334);
}

/* <<16#1F600/utf8>> = <<240,159,152,128>>; <<16#1F600/utf16-little>> =
 * <<61,216,0,222>>; lone surrogates and truncated sequences fail. */
Test(bits, unicode_fields)
{
    uint8_t buf[5] = { 0 };
    cr_expect_eq(bits_write_utf(buf, 0, 0x1F600, 8, 0), 32);
    cr_expect(buf[0] == 240 && buf[1] == 159 && buf[2] == 152 && buf[3] == 128);
    uint32_t cp;
    cr_expect_eq(bits_read_utf(buf, 0, 32, 8, 0, &cp), 32);
    cr_expect_eq(cp, 0x1F600);
    cr_expect_eq(bits_read_utf(buf, 0, 24, 8, 0, &cp), 0);
    memset(buf, 0, sizeof buf);
    cr_expect_eq(bits_write_utf(buf, 4, 0x1F600, 16, BSF_LITTLE), 32);
    cr_expect_eq(bits_read_utf(buf, 4, 36, 16, BSF_LITTLE, &cp), 32);
    cr_expect_eq(cp, 0x1F600);
    cr_expect_eq(bits_read_utf((const uint8_t[]){ 0xDC, 0 }, 0, 16, 16, 0, &cp), 0);
    cr_expect_eq(bits_read_utf((const uint8_t[]){ 0, 0x11, 0, 0 }, 0, 32, 32, 0, &cp), 0);
    cr_expect_eq(bits_utf8_bits(0xD800), 0);
    cr_expect_eq(bits_utf16_bits(0x10000), 32);
}

Test(bits, match_slices_copy_small_binaries)
{
    Process *p = new_process();
    uint8_t big[100];
    memset(big, 1, sizeof big);
    Term b = bits_new_binary(p, big, 0, 800);
    cr_expect(term_is_boxed_with(b, HDR_REFC_BIN));
    Term ms = bits_start_match(p, b);
    match_state(ms)->offset = 1;   /* <<_:1, W:2/binary, _/bits>>: a heap copy */
    cr_expect(term_is_boxed_with(bits_match_binary(p, match_state(ms), 16), HDR_HEAP_BIN));
    cr_expect(term_is_boxed_with(bits_match_binary(p, match_state(ms), 65 * 8), HDR_SUB_BIN));
    free_process(p);
}

/* --- BIFs -------------------------------------------------------------------------- */

static Term call1(Term (*f)(Process *, Term *), Process *p, Term a) { return f(p, (Term[]){ a }); }
static Term call2(Term (*f)(Process *, Term *), Process *p, Term a, Term b) { return f(p, (Term[]){ a, b }); }
static Term call3(Term (*f)(Process *, Term *), Process *p, Term a, Term b, Term c) { return f(p, (Term[]){ a, b, c }); }

static Term list_of(Process *p, const Term *items, size_t n, Term tail)
{
    Term l = tail;
    for (size_t i = n; i-- > 0;) l = cons(HAlloc(p, 2), items[i], l);
    return l;
}

Test(bifs, iolists)
{
    Process *p = new_process();
    /* iolist_size([1,[2,<<3,4>>]|<<5>>]) = 5 */
    Term inner = list_of(p, (Term[]){ make_small(2), bin(p, "\3\4", 2) }, 2, NIL);
    Term l = list_of(p, (Term[]){ make_small(1), inner }, 2, bin(p, "\5", 1));
    expect_print(call1(bif_erlang_iolist_size_1, p, l), "5");
    expect_print(call1(bif_erlang_iolist_to_binary_1, p, l), "<<1,2,3,4,5>>");
    /* list_to_bitstring([1,<<1:3>>,[<<7:5>>]|<<1:1>>]) = <<1,39,1:1>> */
    Term b3 = bits_sub_binary(p, bin(p, "\x20", 1), 0, 3);
    Term b5 = bits_sub_binary(p, bin(p, "\x38", 1), 0, 5);
    Term b1 = bits_sub_binary(p, bin(p, "\x80", 1), 0, 1);
    Term bl = list_of(p, (Term[]){ make_small(1), b3, list_of(p, &b5, 1, NIL) }, 3, b1);
    expect_print(call1(bif_erlang_list_to_bitstring_1, p, bl), "<<1,39,1:1>>");
    cr_expect_eq(call1(bif_erlang_iolist_to_binary_1, p, bl), THE_NON_VALUE);
    cr_expect_eq(call1(bif_erlang_list_to_binary_1, p, bin(p, "\1", 1)), THE_NON_VALUE);
    free_process(p);
}

/* A million nested levels, [[[...[7]...,2],1], walk without C recursion. */
Test(bifs, deep_iolist)
{
    Process *p = new_process();
    Term l = cons(HAlloc(p, 2), make_small(7), NIL);
    for (int i = 1; i < 1000000; i++) l = cons(HAlloc(p, 2), l, cons(HAlloc(p, 2), make_small(i % 256), NIL));
    expect_print(call1(bif_erlang_iolist_size_1, p, l), "1000000");
    Term r = call1(bif_erlang_iolist_to_binary_1, p, l);
    cr_assert(r != THE_NON_VALUE);
    cr_expect_eq(binary_bit_size(r), 8000000u);
    free_process(p);
}

Test(bifs, slices_and_lists)
{
    Process *p = new_process();
    Term b = bin(p, "\1\2\3", 3);
    expect_print(call3(bif_erlang_binary_part_3, p, b, make_small(3), make_small(-2)), "<<2,3>>");
    cr_expect_eq(call2(bif_erlang_binary_part_2, p, b, tuple2(HAlloc(p, 3), make_small(3), make_small(1))), THE_NON_VALUE);
    expect_print(call3(bif_erlang_binary_to_list_3, p, b, make_small(3), make_small(3)), "[3]");
    cr_expect_eq(call3(bif_erlang_binary_to_list_3, p, b, make_small(2), make_small(1)), THE_NON_VALUE);
    Term bits = bits_new_binary(p, (const uint8_t *)"\1\2\3\x40", 0, 28);
    expect_print(call1(bif_erlang_bitstring_to_list_1, p, bits), "[1,2,3,<<4:4>>]");
    expect_print(call2(bif_erlang_split_binary_2, p, bits, make_small(1)), "{<<1>>,<<2,3,4:4>>}");
    cr_expect_eq(call1(bif_erlang_binary_to_list_1, p, bits), THE_NON_VALUE);
    expect_print(call1(bif_erlang_byte_size_1, p, bits), "4");
    expect_print(call1(bif_erlang_bit_size_1, p, bits), "28");
    free_process(p);
}

Test(bifs, text)
{
    Process *p = new_process();
    expect_print(call2(bif_erlang_integer_to_binary_2, p, make_small(-255), make_small(16)), "<<45,70,70>>");
    expect_print(call2(bif_erlang_binary_to_integer_2, p, bin(p, "+ff", 3), make_small(16)), "255");
    cr_expect_eq(call1(bif_erlang_binary_to_integer_1, p, bin(p, "1 ", 2)), THE_NON_VALUE);
    expect_print(call2(bif_erlang_atom_to_binary_2, p, atom("\xc3\xa9"), atom("latin1")), "<<233>>");
    cr_expect_eq(call2(bif_erlang_binary_to_atom_2, p, bin(p, "\xff", 1), atom("utf8")), THE_NON_VALUE);
    Term long_name = bits_alloc_binary(p, 8 * 256, &(uint8_t *){ NULL });
    UWord off, n;
    memset((uint8_t *)bits_data(long_name, &off, &n), 'a', 256);
    cr_expect_eq(call2(bif_erlang_binary_to_atom_2, p, long_name, atom("latin1")), THE_NON_VALUE);
    cr_expect_eq(p->freason, EXC_SYSTEM_LIMIT);
    free_process(p);
}

Test(bifs, binary_module)
{
    Process *p = new_process();
    Term subject = bin(p, "a,b,,c,,", 8), comma = bin(p, ",", 1);
    Term global = list_of(p, (Term[]){ atom("global") }, 1, NIL);
    Term trim = list_of(p, (Term[]){ atom("global"), atom("trim") }, 2, NIL);
    expect_print(call3(bif_binary_split_3, p, subject, comma, global), "[<<97>>,<<98>>,<<>>,<<99>>,<<>>,<<>>]");
    expect_print(call3(bif_binary_split_3, p, subject, comma, trim), "[<<97>>,<<98>>,<<>>,<<99>>]");
    Term pats = list_of(p, (Term[]){ bin(p, "a", 1), bin(p, "bc", 2) }, 2, NIL);
    expect_print(call2(bif_binary_matches_2, p, bin(p, "abcabc", 6), pats), "[{0,1},{1,2},{3,1},{4,2}]");
    expect_print(call2(bif_binary_matches_2, p, bin(p, "aaaa", 4), bin(p, "aa", 2)), "[{0,2},{2,2}]");
    Term scope = list_of(p, (Term[]){ tuple2(HAlloc(p, 3), atom("scope"), tuple2(HAlloc(p, 3), make_small(6), make_small(-3))) }, 1, NIL);
    expect_print(call3(bif_binary_match_3, p, bin(p, "abcabc", 6), bin(p, "c", 1), scope), "{5,1}");
    expect_print(call2(bif_binary_encode_unsigned_2, p, make_small(256), atom("little")), "<<0,1>>");
    expect_print(call1(bif_binary_decode_unsigned_1, p, bin(p, "", 0)), "0");
    expect_print(call1(bif_binary_longest_common_suffix_1, p,
                       list_of(p, (Term[]){ bin(p, "abc", 3), bin(p, "xbc", 3), bin(p, "c", 1) }, 3, NIL)), "1");
    expect_print(call2(bif_binary_copy_2, p, bin(p, "\1\2", 2), make_small(3)), "<<1,2,1,2,1,2>>");
    cr_expect_eq(call1(bif_binary_first_1, p, bin(p, "", 0)), THE_NON_VALUE);
    free_process(p);
}

/* The results of unicode:characters_to_binary/list as erl printed them. */
Test(bifs, unicode)
{
    Process *p = new_process();
    Term uni = atom("unicode"), utf16 = atom("utf16"), utf32 = atom("utf32"), latin1 = atom("latin1");
    Term l1 = list_of(p, (Term[]){ make_small(1), make_small(2), make_small(-1), make_small(3) }, 4, NIL);
    expect_print(call2(bif_unicode_characters_to_binary_2, p, l1, uni), "{error,<<1,2>>,[-1,3]}");
    Term l2 = list_of(p, (Term[]){ make_small(1), bin(p, "\2\xc3", 2) }, 2, NIL);
    expect_print(call2(bif_unicode_characters_to_binary_2, p, l2, uni), "{incomplete,<<1,2>>,<<195>>}");
    Term l3 = list_of(p, (Term[]){ make_small(1), bin(p, "\2\xc3", 2), make_small(4) }, 3, NIL);
    expect_print(call2(bif_unicode_characters_to_binary_2, p, l3, uni), "{error,<<1,2>>,[<<195>>,[4]]}");
    Term l4 = list_of(p, (Term[]){ make_small(1), bin(p, "\2\xc3", 2) }, 2, bin(p, "\xa9", 1));
    expect_print(call2(bif_unicode_characters_to_binary_2, p, l4, uni), "<<1,2,195,169>>");
    expect_print(call2(bif_unicode_characters_to_list_2, p, bin(p, "\0h\xd8\x3d\0", 5), utf16), "{error,[104],<<216,61,0>>}");
    expect_print(call2(bif_unicode_characters_to_list_2, p, bin(p, "\0h\xd8\x3d", 4), utf16), "{incomplete,[104],<<216,61>>}");
    Term l5 = list_of(p, (Term[]){ bin(p, "\0\0\0h\0", 5), make_small(105) }, 2, NIL);
    expect_print(call2(bif_unicode_characters_to_binary_2, p, l5, utf32), "{error,<<104>>,[<<0>>,105]}");
    Term l6 = list_of(p, (Term[]){ make_small(-5) }, 1, NIL);
    expect_print(call2(bif_unicode_characters_to_binary_2, p, l6, utf16), "{error,<<>>,[[-5]]}");
    Term l7 = list_of(p, (Term[]){ make_small(255), bin(p, "\xc8", 1) }, 2, NIL);
    expect_print(call2(bif_unicode_characters_to_binary_2, p, l7, latin1), "<<195,191,195,136>>");
    cr_expect_eq(call2(bif_unicode_characters_to_binary_2, p, atom("a"), uni), THE_NON_VALUE);
    cr_expect_eq(call1(bif_unicode_bin_is_7bit_1, p, bin(p, "\1\xc8", 2)), am_false);
    free_process(p);
}
