/*
 * test_term_print.c — "~w" text, byte for byte as OTP 25's
 * io_lib:format("~w", [T]) (UTF-8 encoded). Every expected string below was
 * printed by erl.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "atom.h"
#include "export.h"
#include "literal.h"
#include "map.h"
#include "term_print.h"
#include "utf8.h"

static void setup(void) { atom_init(0); }
TestSuite(term_print, .init = setup);

static void expect_float(double d, const char *text)
{
    strbuf sb = STRBUF_INIT;
    float_print_short(&sb, d);
    cr_expect_str_eq(sb_str(&sb), text, "%.17g", d);
    sb_free(&sb);
}

static void expect_text(Term t, const char *text)
{
    strbuf sb = STRBUF_INIT;
    term_print(&sb, t);
    cr_expect_str_eq(sb_str(&sb), text);
    sb_free(&sb);
}

static Term atom_from_code_points(const uint32_t *cps, size_t n)
{
    char buf[4 * 64];
    size_t len = 0;
    for (size_t i = 0; i < n; i++) len += utf8_encode(cps[i], buf + len);
    Term t;
    cr_assert_eq(atom_put(buf, len, &t), ATOM_OK);
    return t;
}

Test(term_print, floats_as_float_to_list_short)
{
    expect_float(0.0, "0.0");
    expect_float(-0.0, "-0.0");
    expect_float(1.0e15, "1.0e15");
    expect_float(1.0e16, "1.0e16");
    expect_float(1.0e-4, "0.0001");
    expect_float(1.0e-5, "1.0e-5");
    expect_float(5.0e-324, "5.0e-324");
    expect_float(1.7976931348623157e308, "1.7976931348623157e308");
    expect_float(0.1, "0.1");
    expect_float(123456.789, "123456.789");
    expect_float(1.0e22, "1.0e22");
    expect_float(123456789012345680.0, "1.2345678901234568e17");
    expect_float(12345678901234567.0, "1.2345678901234568e16");
    expect_float(0.001, "0.001");
    expect_float(0.0001234, "1.234e-4");
    expect_float(1.5e-3, "0.0015");
    expect_float(2.5e-5, "2.5e-5");
    expect_float(100.0, "100.0");
    expect_float(1000.0, "1.0e3");
    expect_float(10.0, "10.0");
    expect_float(12345.0, "12345.0");
    expect_float(0.012, "0.012");
    expect_float(1.0, "1.0");
    expect_float(3.14, "3.14");
    expect_float(1.0e23, "1.0e23");
    expect_float(9007199254740992.0, "9.007199254740992e15");
    expect_float(1.0e100, "1.0e100");
    expect_float(2.2250738585072014e-308, "2.2250738585072014e-308");
    expect_float(0.3, "0.3");
    expect_float(2.0 / 3.0, "0.6666666666666666");
    expect_float(1.0e9, "1.0e9");
    expect_float(1.234e9, "1.234e9");
    expect_float(1.2345e14, "1.2345e14");
    expect_float(-1.5, "-1.5");
}

Test(term_print, atoms_quoted_as_io_lib_write_atom)
{
    Term t;
    atom_put("hello", 5, &t); expect_text(t, "hello");
    atom_put("a@b", 3, &t); expect_text(t, "a@b");
    atom_put("aB_9", 4, &t); expect_text(t, "aB_9");
    atom_put("Abc", 3, &t); expect_text(t, "'Abc'");
    atom_put("_a", 2, &t); expect_text(t, "'_a'");
    atom_put("", 0, &t); expect_text(t, "''");
    atom_put("a b", 3, &t); expect_text(t, "'a b'");
    atom_put("ok\"", 3, &t); expect_text(t, "'ok\"'");
    /* Reserved words are quoted; OTP 25 does not reserve maybe/else. */
    const char *quoted[] = { "and", "case", "fun", "when", "cond", "let", "catch", "receive", "xor", "orelse" };
    for (size_t i = 0; i < sizeof quoted / sizeof *quoted; i++) {
        atom_put(quoted[i], strlen(quoted[i]), &t);
        char want[32];
        snprintf(want, sizeof want, "'%s'", quoted[i]);
        expect_text(t, want);
    }
    atom_put("maybe", 5, &t); expect_text(t, "maybe");
    atom_put("else", 4, &t); expect_text(t, "else");
    atom_put("spec", 4, &t); expect_text(t, "spec");
    /* list_to_atom([0,10,39,92,200,1000]) */
    expect_text(atom_from_code_points((const uint32_t[]){ 0, 10, 39, 92, 200, 1000 }, 6),
                "'\\000\\n\\'\\\\\xC3\x88\\x{3E8}'");
    expect_text(atom_from_code_points((const uint32_t[]){ 223 }, 1), "\xC3\x9F");          /* ß */
    expect_text(atom_from_code_points((const uint32_t[]){ 247 }, 1), "'\xC3\xB7'");        /* ÷ */
    expect_text(atom_from_code_points((const uint32_t[]){ 255, 97 }, 2), "\xC3\xBF" "a");
    expect_text(atom_from_code_points((const uint32_t[]){ 97, 215 }, 2), "'a\xC3\x97'");   /* × */
    expect_text(atom_from_code_points((const uint32_t[]){ 97, 192 }, 2), "a\xC3\x80");
    expect_text(atom_from_code_points((const uint32_t[]){ 128, 159, 160 }, 3), "'\\200\\237\xC2\xA0'");
    expect_text(atom_from_code_points((const uint32_t[]){ 127 }, 1), "'\\d'");
    expect_text(atom_from_code_points((const uint32_t[]){ 27, 127, 8, 12, 11, 9, 13 }, 7), "'\\e\\d\\b\\f\\v\\t\\r'");
    expect_text(atom_from_code_points((const uint32_t[]){ 97, 256 }, 2), "'a\\x{100}'");
    expect_text(atom_from_code_points((const uint32_t[]){ 1000 }, 1), "'\\x{3E8}'");
}

Test(term_print, integers_lists_tuples)
{
    Term hp[64];
    expect_text(make_small(0), "0");
    expect_text(make_small(-123), "-123");
    expect_text(make_small(MAX_SMALL), "576460752303423487");
    hp[0] = make_header(2, HDR_NEG_BIG);
    hp[1] = 0; hp[2] = 1;  /* -(2^64) */
    expect_text(make_boxed(hp), "-18446744073709551616");
    /* [1,2|3] */
    hp[4] = make_small(1); hp[5] = make_list(hp + 6);
    hp[6] = make_small(2); hp[7] = make_small(3);
    expect_text(make_list(hp + 4), "[1,2|3]");
    expect_text(NIL, "[]");
    /* {a,[],{}} */
    Term a;
    atom_put("a", 1, &a);
    hp[10] = make_header(0, HDR_TUPLE);
    hp[11] = make_header(3, HDR_TUPLE);
    hp[12] = a; hp[13] = NIL; hp[14] = make_boxed(hp + 10);
    expect_text(make_boxed(hp + 11), "{a,[],{}}");
    /* "abc" prints as a list of integers under ~w */
    hp[20] = make_small('a'); hp[21] = make_list(hp + 22);
    hp[22] = make_small('b'); hp[23] = make_list(hp + 24);
    hp[24] = make_small('c'); hp[25] = NIL;
    expect_text(make_list(hp + 20), "[97,98,99]");
    /* [[]|[]] nested tails: [[[]]] */
    hp[30] = NIL; hp[31] = NIL;
    hp[32] = make_list(hp + 30); hp[33] = NIL;
    expect_text(make_list(hp + 32), "[[[]]]");
    /* improper tail that is a tuple: [1|{}] */
    hp[34] = make_small(1); hp[35] = make_boxed(hp + 10);
    expect_text(make_list(hp + 34), "[1|{}]");
}

Test(term_print, binaries_and_bitstrings)
{
    Term hp[32];
    hp[0] = make_header(heap_bin_words(3) - 1, HDR_HEAP_BIN);
    hp[1] = 3;
    memcpy(hp + 2, (const uint8_t[]){ 1, 2, 3 }, 3);
    Term bin = make_boxed(hp);
    expect_text(bin, "<<1,2,3>>");
    hp[4] = make_header(heap_bin_words(0) - 1, HDR_HEAP_BIN);
    hp[5] = 0;
    expect_text(make_boxed(hp + 4), "<<>>");
    /* <<1,2:3>> as a sub binary: 1 byte + 3 bits of <<1, 0x40>> */
    hp[8] = make_header(heap_bin_words(2) - 1, HDR_HEAP_BIN);
    hp[9] = 2;
    memcpy(hp + 10, (const uint8_t[]){ 1, 0x40 }, 2);
    SubBin *sb = (SubBin *)(hp + 12);
    *sb = (SubBin){ make_header(SUB_BIN_WORDS - 1, HDR_SUB_BIN), 1, 0, 3, make_boxed(hp + 8) };
    expect_text(make_boxed(hp + 12), "<<1,2:3>>");
    /* <<5:3>> */
    sb = (SubBin *)(hp + 20);
    *sb = (SubBin){ make_header(SUB_BIN_WORDS - 1, HDR_SUB_BIN), 0, 1, 3, make_boxed(hp + 8) };
    ((uint8_t *)(hp + 10))[1] = 0xA0;
    expect_text(make_boxed(hp + 20), "<<5:3>>");
    /* A sub binary at a bit offset: bits 4.. of <<1, 0xA0>> = 0001 1010 0000 -> <<26,0:4>> */
    sb = (SubBin *)(hp + 25);
    *sb = (SubBin){ make_header(SUB_BIN_WORDS - 1, HDR_SUB_BIN), 1, 0, 4 | 4 << 8, make_boxed(hp + 8) };
    expect_text(make_boxed(hp + 25), "<<26,0:4>>");
}

Test(term_print, export_funs_and_maps)
{
    literal_area la;
    literal_area_init(&la);
    Term m, f, lists, map;
    atom_put("Mod", 3, &m);
    atom_put("f g", 3, &f);
    atom_put("lists", 5, &lists);
    atom_put("map", 3, &map);
    FunThing fun[2];
    fun[0] = (FunThing){ make_header(FUN_FIXED_WORDS - 1, HDR_FUN), export_put(lists, map, 2), NULL, 2, am_external };
    fun[1] = (FunThing){ make_header(FUN_FIXED_WORDS - 1, HDR_FUN), export_put(m, f, 0), NULL, 0, am_external };
    expect_text(make_boxed((Term *)&fun[0]), "fun lists:map/2");
    expect_text(make_boxed((Term *)&fun[1]), "fun 'Mod':'f g'/0");
    Term a, b;
    atom_put("a", 1, &a);
    atom_put("b", 1, &b);
    Term keys[2] = { b, a }, values[2] = { make_small(2), make_small(1) };
    expect_text(map_from_pairs(&la.sink, keys, values, 2), "#{a => 1,b => 2}");
    /* a map as a key and as a value */
    Term inner = map_from_pairs(&la.sink, keys, values, 2);
    Term k2[2] = { inner, NIL }, v2[2] = { inner, make_boxed((Term *)&fun[0]) };
    expect_text(map_from_pairs(&la.sink, k2, v2, 2),
                "#{#{a => 1,b => 2} => #{a => 1,b => 2},[] => fun lists:map/2}");
    literal_area_free(&la);
}

Test(term_print, deep_terms_use_no_c_stack)
{
    enum { DEPTH = 1000000 };
    Term *cells = malloc(2 * DEPTH * sizeof(Term));
    Term t = NIL;
    for (size_t i = 0; i < DEPTH; i++) { cells[2 * i] = t; cells[2 * i + 1] = NIL; t = make_list(cells + 2 * i); }
    strbuf sb = STRBUF_INIT;
    term_print(&sb, t);
    cr_expect_eq(sb.len, 2 * DEPTH + 2);
    cr_expect(strncmp(sb_str(&sb), "[[[[", 4) == 0);
    cr_expect(strcmp(sb_str(&sb) + sb.len - 4, "]]]]") == 0);
    sb_free(&sb);
    free(cells);
}
