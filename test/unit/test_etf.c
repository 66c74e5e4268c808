/*
 * test_etf.c — external term format decoding, checked against real OTP 25:
 * each vector is term_to_binary bytes captured from erl and the text erl's
 * io_lib:format("~w") gives for the same term.
 */
#include <criterion/criterion.h>

#include "test_util.h"
#include <stdio.h>
#include <stdlib.h>

#include "atom.h"
#include "binary.h"
#include "etf.h"
#include "export.h"
#include "literal.h"
#include "map.h"
#include "term_order.h"
#include "term_print.h"

static void setup(void) { atom_init(0); }
TestSuite(etf, .init = setup);

static bool decode_hex(literal_area *la, const char *hex, Term *t, etf_error *err)
{
    uint8_t *b;
    size_t n = test_unhex(hex, &b);
    size_t used = 0;
    bool ok = etf_decode(b, n, &la->sink, t, &used, err);
    if (ok) cr_expect_eq(used, n, "decoder used %zu of %zu bytes for %s", used, n, hex);
    free(b);
    return ok;
}

static void expect_text(Term t, const char *text)
{
    strbuf sb = STRBUF_INIT;
    term_print(&sb, t);
    cr_expect_str_eq(sb_str(&sb), text);
    sb_free(&sb);
}

typedef struct vector { const char *hex, *text; } vector;

/* Captured from OTP 25: term_to_binary(T, Opts) and io_lib:format("~w",[T]). */
static const vector vectors[] = {
    { "836100", "0" },
    { "8361FF", "255" },
    { "836200000100", "256" },
    { "8362FFFFFFFF", "-1" },
    { "836E0800FFFFFFFFFFFFFF07", "576460752303423487" },
    { "836E08000000000000000008", "576460752303423488" },
    { "836E08010000000000000008", "-576460752303423488" },
    { "836E08010100000000000008", "-576460752303423489" },
    { "836E0900000000000000000001", "18446744073709551616" },
    { "836E0801FFFFFFFFFFFFFFFF", "-18446744073709551615" },
    { "836E0C001581396EB1C9BE46321BE427", "12345678901234567890123456789" },
    { "83463FF0000000000000", "1.0" },
    { "83468000000000000000", "-0.0" },
    { "83463FB999999999999A", "0.1" },
    { "834644B52D02C7E14AF6", "1.0e23" },
    { "83460000000000000001", "5.0e-324" },
    { "8364000161", "a" },
    { "8364000B68656C6C6F20776F726C64", "'hello world'" },
    { "83640003616E64", "'and'" },
    { "836400056D61796265", "maybe" },
    { "837708000A275CC388CFA8", "'\\000\\n\\'\\\\\xC3""\x88""\\x{3E8}'" },
    { "83640001C4", "'\xC3""\x84""'" },
    { "83640001E4", "\xC3""\xA4""" },
    { "83640000", "''" },
    { "836800", "{}" },
    { "836802640001616802640001626A", "{a,{b,[]}}" },
    { "836C00000002610161026103", "[1,2|3]" },
    { "836B0003616263", "[97,98,99]" },
    { "836A", "[]" },
    { "836C000000016A6A", "[[]]" },
    { "836D00000000", "<<>>" },
    { "836D00000003010203", "<<1,2,3>>" },
    { "834D00000002030140", "<<1,2:3>>" },
    { "834D0000000103A0", "<<5:3>>" },
    { "836D000000410707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707070707", "<<7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7>>" },
    { "83716400056C697374736400036D61706102", "fun lists:map/2" },
    { "83716400034D6F646400036620676100", "fun 'Mod':'f g'/0" },
    { "837400000000", "#{}" },
    { "837400000002640001616101640001626102", "#{a => 1,b => 2}" },
    { "837400000004610164000162610264000163463FE000000000000064000164463FF000000000000064000161", "#{1 => b,2 => c,0.5 => d,1.0 => a}" },
    { "8374000000026801640001786B0001016B00016B6D00000000", "#{{x} => [1],[107] => <<>>}" },
    { "8363312E3530303030303030303030303030303030303030652B30300000000000", "1.5" },
    { "83640005C472676572", "'\xC3""\x84""rger'" },
    { "8363312E3030303030303030303030303030303033363433652D31300000000000", "1.0e-10" },
    { "8350000002E5789C15D2778308041C00D03B67DD1DEE0E77B6E3DC1977D7B4772AA144490995DE95B22A4A285BDAC82E64345522A48C96A24169D91AA2A469356891DF3FEF13BC4109098985121593A4B8124A2AA5B46429529551563969D26528AF828A3265A9A4B22AAAAAA6BA1A6ACA564B6D39EAC895A7AE7AEA6B205F81426738D359CE768E7335D448634D34D54C732DB4D44A6B6DB4759E76CE77810BB577910E3AEAE46297E8EC525D747599CB757385EEAE74951EAED6532FBD5DE35AD7E9E37A14B9C18DFABAC9CDFAE96F808106B9C5AD6E33D810B7BBC350771A66B811EE72B79146196D8CB1C6196F827B4C74AFFBDCEF010F7AC8C326996C8A474C35CD7433CC34CB6C8F7ACC1C73CDF3B8F916586891273CE9294F7BC6B3167BCEF35EB0C48B965AE625CBADB0D2CB5679C5AB565B63AD755EF3BA37BCE92DEBBDED1D1B6CF4AEF7BCEF039B6CF6A18F6CF1B14F7CEA339FDB6A9BED76D86997DDF6F8C297BEF2B5BDBEB1CF7EDFFACE01DF3BE8073FFAC9CF7EF1AB430E3BE2A8637EF3BB3FFCE9B813FEF2B77FFCEB3F279D2A3A5D2021480C8A054941F1A04450322815940E92839420352813940DCA0569417A9011940F2A041583CC202BA814540EAA0455836A41F5A0465033C80E6A05B5839CA04E901BE40575837A41FDA041901F14048503FE072338F668", "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,64,65,66,67,68,69,70,71,72,73,74,75,76,77,78,79,80,81,82,83,84,85,86,87,88,89,90,91,92,93,94,95,96,97,98,99,100,101,102,103,104,105,106,107,108,109,110,111,112,113,114,115,116,117,118,119,120,121,122,123,124,125,126,127,128,129,130,131,132,133,134,135,136,137,138,139,140,141,142,143,144,145,146,147,148,149,150,151,152,153,154,155,156,157,158,159,160,161,162,163,164,165,166,167,168,169,170,171,172,173,174,175,176,177,178,179,180,181,182,183,184,185,186,187,188,189,190,191,192,193,194,195,196,197,198,199,200,201,202,203,204,205,206,207,208,209,210,211,212,213,214,215,216,217,218,219,220,221,222,223,224,225,226,227,228,229,230,231,232,233,234,235,236,237,238,239,240,241,242,243,244,245,246,247,248,249,250,251,252,253,254,255,256,257,258,259,260,261,262,263,264,265,266,267,268,269,270,271,272,273,274,275,276,277,278,279,280,281,282,283,284,285,286,287,288,289,290,291,292,293,294,295,296,297,298,299,300]" },
    { "8350000000D6789CCB60CA656060389198343CA02FD0338C8C0D00570B4E9B", "{<<97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98,97,98>>,<<1:1>>}" },
};

Test(etf, otp_vectors_decode_and_print_as_erl)
{
    literal_area la;
    literal_area_init(&la);
    for (size_t i = 0; i < sizeof vectors / sizeof *vectors; i++) {
        Term t;
        etf_error err;
        cr_assert(decode_hex(&la, vectors[i].hex, &t, &err), "vector %zu: %s %s at %zu", i,
                  err.what, err.detail, err.offset);
        expect_text(t, vectors[i].text);
    }
    literal_area_free(&la);
}

Test(etf, term_shapes)
{
    literal_area la;
    literal_area_init(&la);
    Term t;
    etf_error err;
    /* 1 bsl 59 is a bignum, 1 bsl 59 - 1 a small. */
    cr_assert(decode_hex(&la, "836E0800FFFFFFFFFFFFFF07", &t, &err));
    cr_expect(term_is_small(t) && small_value(t) == MAX_SMALL);
    cr_assert(decode_hex(&la, "836E08000000000000000008", &t, &err));
    cr_expect(term_is_bignum(t) && bignum_digit_count(t) == 1 && !bignum_is_negative(t));
    /* -(1 bsl 59) is still a small. */
    cr_assert(decode_hex(&la, "836E08010000000000000008", &t, &err));
    cr_expect(term_is_small(t) && small_value(t) == MIN_SMALL);
    /* 64 bytes: heap binary; 65 bytes: refc binary. */
    cr_assert(decode_hex(&la, "836D00000003010203", &t, &err));
    cr_expect(term_is_boxed_with(t, HDR_HEAP_BIN));
    char hex[2 * 70 + 16] = "836D00000041";
    for (int i = 0; i < 65; i++) strcat(hex, "07");
    cr_assert(decode_hex(&la, hex, &t, &err));
    cr_expect(term_is_boxed_with(t, HDR_REFC_BIN));
    cr_expect_eq(((ProcBin *)boxed_ptr(t))->size, 65);
    /* <<1,2:3>>: a sub binary of 1 byte + 3 bits. */
    cr_assert(decode_hex(&la, "834D00000002030140", &t, &err));
    cr_expect(term_is_boxed_with(t, HDR_SUB_BIN));
    SubBin *sb = (SubBin *)boxed_ptr(t);
    cr_expect_eq(sb->size, 1);
    cr_expect_eq(sb->bit_info & 0xFF, 3);
    /* fun lists:map/2 */
    cr_assert(decode_hex(&la, "83716400056C697374736400036D61706102", &t, &err));
    cr_expect(term_is_fun(t));
    FunThing *f = (FunThing *)boxed_ptr(t);
    cr_expect_eq(f->creator, am_external);
    cr_expect_eq(f->arity_and_free, 2);
    Term lists, map;
    atom_put("lists", 5, &lists);
    atom_put("map", 3, &map);
    cr_expect_eq(f->entry, export_put(lists, map, 2));
    /* BIT_BINARY with 8 bits in the last byte is a plain binary (erl: <<5>>). */
    cr_assert(decode_hex(&la, "834D000000010805", &t, &err));
    expect_text(t, "<<5>>");
    cr_expect(term_is_boxed_with(t, HDR_HEAP_BIN));
    /* The unused low bits of the last byte are ignored (erl: <<7:3>>). */
    cr_assert(decode_hex(&la, "834D0000000103FF", &t, &err));
    expect_text(t, "<<7:3>>");
    literal_area_free(&la);
}

Test(etf, maps_flat_and_hamt)
{
    literal_area la;
    literal_area_init(&la);
    Term t;
    etf_error err;
    /* #{1.0 => a, 1 => b, 2 => c, 0.5 => d}: keys in map-key order. */
    cr_assert(decode_hex(&la, "837400000004610164000162610264000163463FE000000000000064000164463FF000000000000064000161", &t, &err));
    cr_expect_eq(map_size(t), 4);
    cr_expect_eq(map_header_kind(boxed_header(t)), MAP_KIND_FLAT);
    Term c;
    atom_put("c", 1, &c);
    cr_expect_eq(map_get(t, make_small(2)), c);
    /* A 40-key map (term_to_binary(maps:from_list([{I,I} || I <- lists:seq(1,40)]))). */
    char hex[40 * 8 + 64] = "8374" "00000028";
    for (int i = 1; i <= 40; i++) {
        char kv[9];
        snprintf(kv, sizeof kv, "61%02X61%02X", i, i * 2);
        strcat(hex, kv);
    }
    cr_assert(decode_hex(&la, hex, &t, &err));
    cr_expect_eq(map_size(t), 40);
    cr_expect_neq(map_header_kind(boxed_header(t)), MAP_KIND_FLAT);
    for (int i = 1; i <= 40; i++) cr_expect_eq(map_get(t, make_small(i)), make_small(2 * i));
    cr_expect_eq(map_get(t, make_small(41)), THE_NON_VALUE);
    literal_area_free(&la);
}

Test(etf, trailing_bytes_are_not_consumed)
{
    literal_area la;
    literal_area_init(&la);
    const uint8_t buf[] = { 131, 97, 1, 2, 3 };
    Term t;
    size_t used;
    etf_error err;
    cr_assert(etf_decode(buf, sizeof buf, &la.sink, &t, &used, &err));
    cr_expect_eq(t, make_small(1));
    cr_expect_eq(used, 3);
    literal_area_free(&la);
}

typedef struct hostile { const char *hex, *why; } hostile;

static const hostile hostile_inputs[] = {
    { "", "empty" },
    { "83", "version only" },
    { "84610 1", "bad version" },
    { "8361", "truncated small integer" },
    { "836200", "truncated integer" },
    { "836C FFFFFFFF 6A", "list claiming 2^32 elements" },
    { "836CFFFFFFFF6A6A6A6A6A", "list claiming 2^32 elements in 10 bytes" },
    { "8369FFFFFFFF", "tuple claiming 2^32 elements" },
    { "8368FF61016101", "small tuple claiming 255 elements" },
    { "8374FFFFFFFF", "map claiming 2^32 pairs" },
    { "837400000001610161", "map missing a value" },
    { "8374000000026101610261016103", "map with duplicate keys (OTP: badarg)" },
    { "836DFFFFFFFF00", "binary longer than the input" },
    { "836B0005616263", "string longer than the input" },
    { "834D0000000100FF", "bit binary with 0 bits and 1 byte" },
    { "834D00000001090F", "bit binary with 9 bits" },
    { "834D000000000300", "bit binary with bits but no bytes" },
    { "836EFF00010203", "small big longer than the input" },
    { "836FFFFFFFFF00", "large big with 2^32 bytes" },
    { "836F0040000000", "large big beyond the bignum limit" },
    { "83467FF0000000000000", "infinity" },
    { "83467FF8000000000000", "NaN" },
    { "8363616263", "truncated old float" },
    { "8363616263" "00000000000000000000000000000000000000000000000000000000", "old float that is not a number" },
    { "837600056161", "ATOM_UTF8 longer than the input" },
    { "83770280FF", "atom with invalid UTF-8" },
    { "8364010061", "Latin-1 atom longer than the input" },
    { "83C8", "unknown tag 200" },
    { "8358640001610000000100000000", "pid truncated (no creation)" },
    { "835A0000640001610000000000", "reference of no ID words" },
    { "835A0006640001610000000000000001", "reference of 6 ID words, truncated" },
    { "835864000161000080000000000000000000", "pid number over 15 bits" },
    { "837000000020010000000000000000000000000000000000000000000000000000000000006400016D6100", "NEW_FUN with a non-integer old uniq" },
    { "837164000161640001626A00", "export with a non-integer arity" },
    { "83716100640001626101", "export with a non-atom module" },
    { "835000000010789C0300", "compressed data shorter than declared" },
    { "8350FFFFFFFF789C4B040000620062", "compressed size implausible" },
    { "835000000002789CCB000000", "compressed, corrupt zlib stream" },
    { "836850000000", "compressed tag nested" },
    { "836C000000016C000000016C00000001", "nested lists truncated" },
};

Test(etf, hostile_inputs_fail_cleanly)
{
    literal_area la;
    literal_area_init(&la);
    UWord live = binary_live_count();
    for (size_t i = 0; i < sizeof hostile_inputs / sizeof *hostile_inputs; i++) {
        const hostile *h = &hostile_inputs[i];
        char clean[256] = "";
        for (const char *s = h->hex; *s; s++)
            if (*s != ' ') strncat(clean, s, 1);
        uint8_t *b;
        size_t n = test_unhex(clean, &b);
        Term t = THE_NON_VALUE;
        etf_error err;
        bool ok = etf_decode(b, n, &la.sink, &t, NULL, &err);
        cr_expect(!ok, "input %zu (%s) decoded", i, h->why);
        if (!ok) {
            cr_expect_not_null(err.what, "input %zu has no error text", i);
            cr_expect_leq(err.offset, n, "input %zu: offset %zu beyond %zu bytes", i, err.offset, n);
        }
        free(b);
    }
    literal_area_free(&la);
    cr_expect_eq(binary_live_count(), live);
}

Test(etf, error_details)
{
    literal_area la;
    literal_area_init(&la);
    Term t;
    etf_error err;
    cr_assert_not(decode_hex(&la, "835864000161000080000000000000000000", &t, &err));
    cr_expect_str_eq(err.what, "bad pid");
    cr_expect_eq(err.offset, 1);
    cr_assert_not(decode_hex(&la, "8358640001610000000100000000", &t, &err));
    cr_expect_str_eq(err.what, "truncated term");
    cr_assert_not(decode_hex(&la, "836802610183C8", &t, &err));
    cr_expect_eq(err.offset, 5);
    cr_assert_not(decode_hex(&la, "836CFFFFFFFF6A6A6A6A6A", &t, &err));
    cr_expect_str_eq(err.what, "length exceeds the remaining input");
    cr_expect_eq(err.offset, 1);
    cr_assert_not(decode_hex(&la, "8374000000026101610261016103", &t, &err));
    cr_expect_str_eq(err.what, "duplicate map key");
    literal_area_free(&la);
}

Test(etf, truncations_of_valid_terms_fail)
{
    /* Every proper prefix of a valid encoding is an error, never a crash. */
    literal_area la;
    literal_area_init(&la);
    for (size_t v = 0; v < sizeof vectors / sizeof *vectors; v++) {
        uint8_t *b;
        size_t n = test_unhex(vectors[v].hex, &b);
        for (size_t cut = 0; cut < n; cut++) {
            Term t;
            etf_error err;
            cr_expect_not(etf_decode(b, cut, &la.sink, &t, NULL, &err), "vector %zu cut at %zu decoded", v, cut);
        }
        free(b);
    }
    literal_area_free(&la);
}

Test(etf, random_corruption_never_crashes)
{
    literal_area la;
    literal_area_init(&la);
    unsigned seed = 12345;
    for (size_t v = 0; v < sizeof vectors / sizeof *vectors; v++) {
        uint8_t *b;
        size_t n = test_unhex(vectors[v].hex, &b);
        for (int round = 0; round < 200; round++) {
            uint8_t *c = malloc(n);
            memcpy(c, b, n);
            seed = seed * 1103515245u + 12345u;
            size_t at = 1 + (seed >> 8) % (n - 1);
            c[at] = (uint8_t)(seed >> 20);
            Term t;
            etf_error err;
            (void)etf_decode(c, n, &la.sink, &t, NULL, &err); /* may succeed or fail */
            free(c);
        }
        free(b);
    }
    literal_area_free(&la);
}

Test(etf, deep_nesting_uses_no_c_stack)
{
    /* [[[...[]...]]] nested 1,000,000 deep: 108 00000001 ... 6A ... */
    size_t depth = 1000000;
    size_t n = 1 + depth * 5 + 1 + depth;
    uint8_t *b = malloc(n);
    size_t p = 0;
    b[p++] = 131;
    for (size_t i = 0; i < depth; i++) {
        b[p++] = 108; b[p++] = 0; b[p++] = 0; b[p++] = 0; b[p++] = 1;
    }
    b[p++] = 106;
    for (size_t i = 0; i < depth; i++) b[p++] = 106;
    literal_area la;
    literal_area_init(&la);
    Term t;
    etf_error err;
    cr_assert(etf_decode(b, n, &la.sink, &t, NULL, &err), "%s", err.what);
    size_t d = 0;
    while (term_is_list(t)) { cr_assert_eq(list_tail(t), NIL); t = list_head(t); d++; }
    cr_expect_eq(d, depth);
    /* The same nesting truncated fails. */
    cr_expect_not(etf_decode(b, n - 1, &la.sink, &t, NULL, &err));
    literal_area_free(&la);
    free(b);
}

Test(etf, refc_binaries_are_released_with_the_area)
{
    UWord before = binary_live_count();
    literal_area la;
    literal_area_init(&la);
    char hex[2 * 165 + 64] = "8368026D00000064";
    for (int i = 0; i < 100; i++) strcat(hex, "AB");
    strcat(hex, "6D00000041");
    for (int i = 0; i < 65; i++) strcat(hex, "CD");
    Term t;
    etf_error err;
    cr_assert(decode_hex(&la, hex, &t, &err), "%s", err.what);
    cr_expect_eq(binary_live_count(), before + 2);
    literal_area_free(&la);
    cr_expect_eq(binary_live_count(), before);
}
