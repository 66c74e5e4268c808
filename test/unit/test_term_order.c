/*
 * test_term_order.c — the standard term order, checked against OTP 25:
 * sorted_hex is term_to_binary(lists:sort(L)) for a list L with no two
 * ==-equal elements, so every pair must compare as its positions do;
 * keyorder_hex is maps:keys of a small map (map-key order, the exact
 * comparison).
 */
#include <criterion/criterion.h>

#include "test_util.h"
#include <stdio.h>
#include <stdlib.h>

#include "atom.h"
#include "etf.h"
#include "literal.h"
#include "map.h"
#include "term_order.h"

static void setup(void) { atom_init(0); }
TestSuite(term_order, .init = setup);

static const char *sorted_hex = "836C0000003A46C6293E5939A08CEA6E090100000000000000004062FFFFFFFF46BFE0000000000000463FE00000000000006101463FF800000000000061024643400000000000006E0700010000000000206E09000000000000000000404646293E5939A08CEA467E37E43C8800759C6E7E0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000164000064000142640001616400026162640001C4640001E47702CFA87164000665726C616E676400036162736101716400056C69737473640003616C6C6102716400056C697374736400036D61706101716400056C697374736400036D6170610268006801640001616801640001626802640001616400016268026A6A68036101610261037400000000740000000161016400016174000000016102640001617400000001463FF00000000000006400016174000000016400016161017400000001640001616102740000000164000162610174000000026400016161016400016261026A6C00000001610161026B0001016B000201026B0001026B00036162636C00000001640001616A6C000000016A6A6D000000004D0000000101006D00000001004D000000020100006D00000001016D000000030102036D00000064090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909094D000000650109090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909090909804D0000000101806D00000001804D0000000107FE6A";
static const char *keyorder_hex = "836C0000000E6E0B01000000000000000000000162FFFFFFFD610161026E0B00000000000000000000000146C6293E5939A08CEA46C004000000000000463FE0000000000000463FF00000000000004646293E5939A08CEA64000161680161016801463FF00000000000006B0001786A";

static Term decode_hex(literal_area *la, const char *hex) { return test_decode_hex(la, hex); }

static size_t list_to_array(Term list, Term *out, size_t cap)
{
    size_t n = 0;
    for (; term_is_list(list) && n < cap; list = list_tail(list)) out[n++] = list_head(list);
    return n;
}

static void expect_strictly_ordered(const Term *a, size_t n, int (*cmp)(Term, Term))
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            int want = (i > j) - (i < j);
            cr_expect_eq(cmp(a[i], a[j]), want, "elements %zu and %zu", i, j);
        }
}

Test(term_order, matches_lists_sort)
{
    literal_area la;
    literal_area_init(&la);
    Term a[128];
    size_t n = list_to_array(decode_hex(&la, sorted_hex), a, 128);
    cr_assert_gt(n, 50);
    expect_strictly_ordered(a, n, term_compare);
    literal_area_free(&la);
}

Test(term_order, map_key_order_puts_integers_before_floats)
{
    literal_area la;
    literal_area_init(&la);
    Term a[32];
    size_t n = list_to_array(decode_hex(&la, keyorder_hex), a, 32);
    cr_assert_eq(n, 14);
    expect_strictly_ordered(a, n, term_compare_exact);
    literal_area_free(&la);
}

static Term float_at(Term *hp, double d) { return make_float(hp, d); }

Test(term_order, numbers_equal_and_exact)
{
    Term hp[8];
    Term one_f = float_at(hp, 1.0), zero = float_at(hp + 2, 0.0), negzero = float_at(hp + 4, -0.0);
    cr_expect_eq(term_compare(make_small(1), one_f), 0);          /* 1 == 1.0 */
    cr_expect_eq(term_compare_exact(make_small(1), one_f), -1);   /* 1 =/= 1.0, integer first */
    cr_expect_eq(term_compare_exact(make_small(2), one_f), -1);   /* every integer before floats */
    cr_expect_eq(term_compare(make_small(2), one_f), 1);
    cr_expect_eq(term_compare(zero, negzero), 0);                 /* OTP 25: 0.0 =:= -0.0 */
    cr_expect_eq(term_compare_exact(zero, negzero), 0);
    cr_expect(!term_eq_exact(make_small(0), zero));
    Term big_f = float_at(hp + 6, 9007199254740992.0);             /* 2^53 */
    cr_expect_eq(term_compare(make_small(9007199254740993), big_f), 1);
}

Test(term_order, maps_compare_keys_exactly_values_by_mode)
{
    literal_area la;
    literal_area_init(&la);
    /* #{1 => a} vs #{1.0 => a}: OTP says not == (keys compare exactly). */
    Term m1 = decode_hex(&la, "8374000000016101640001" "61");
    Term m2 = decode_hex(&la, "837400000001463FF0000000000000640001" "61");
    cr_expect_neq(term_compare(m1, m2), 0);
    cr_expect_eq(term_compare(m1, m2), -1);
    /* #{a => 1} == #{a => 1.0}, but not =:=. */
    Term m3 = decode_hex(&la, "837400000001640001616101");
    Term m4 = decode_hex(&la, "83740000000164000161463FF0000000000000");
    cr_expect_eq(term_compare(m3, m4), 0);
    cr_expect_neq(term_compare_exact(m3, m4), 0);
    literal_area_free(&la);
}

Test(term_order, hamt_maps_compare_by_content)
{
    literal_area la;
    literal_area_init(&la);
    enum { N = 200 };
    Term keys[N], values[N], rkeys[N], rvalues[N];
    for (int i = 0; i < N; i++) {
        keys[i] = make_small(i * 7);
        values[i] = make_small(i);
        rkeys[N - 1 - i] = keys[i];
        rvalues[N - 1 - i] = values[i];
    }
    Term a = map_from_pairs(&la.sink, keys, values, N);
    Term b = map_from_pairs(&la.sink, rkeys, rvalues, N);
    cr_expect_eq(term_compare_exact(a, b), 0);
    values[N - 1] = make_small(-1); /* the largest key's value: compared last */
    Term c = map_from_pairs(&la.sink, keys, values, N);
    cr_expect_eq(term_compare(c, a), -1);
    cr_expect_eq(term_compare(a, c), 1);
    keys[0] = make_small(-7); /* the smallest key differs: keys decide first */
    Term d = map_from_pairs(&la.sink, keys, values, N);
    cr_expect_eq(term_compare(d, a), -1);
    literal_area_free(&la);
}

Test(term_order, deep_terms_use_no_c_stack)
{
    enum { DEPTH = 2000000 };
    Term *a = malloc(2 * DEPTH * sizeof(Term)), *b = malloc(2 * DEPTH * sizeof(Term));
    Term ta = NIL, tb = NIL;
    for (size_t i = 0; i < DEPTH; i++) {
        a[2 * i] = ta; a[2 * i + 1] = NIL; ta = make_list(a + 2 * i);
        b[2 * i] = tb; b[2 * i + 1] = NIL; tb = make_list(b + 2 * i);
    }
    cr_expect_eq(term_compare(ta, tb), 0);
    b[0] = make_small(1); /* innermost [] becomes [1] */
    cr_expect_eq(term_compare(ta, tb), 1); /* [] (nil) > 1 (number) */
    /* A long flat list does not grow the stack either. */
    for (size_t i = 0; i < DEPTH; i++) {
        a[2 * i] = make_small((SWord)i); a[2 * i + 1] = i + 1 < DEPTH ? make_list(a + 2 * i + 2) : NIL;
        b[2 * i] = make_small((SWord)i); b[2 * i + 1] = i + 1 < DEPTH ? make_list(b + 2 * i + 2) : NIL;
    }
    cr_expect_eq(term_compare(make_list(a), make_list(b)), 0);
    b[2 * DEPTH - 2] = make_small(DEPTH + 5);
    cr_expect_eq(term_compare(make_list(a), make_list(b)), -1);
    free(a);
    free(b);
}
