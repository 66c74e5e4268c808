/*
 * test_map.c — flatmaps and HAMTs built by map_from_pairs. Orders are
 * OTP 25's: maps:keys(#{1.0=>a,1=>b,2=>c,0.5=>d}) is [1,2,0.5,1.0].
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
#include "term_print.h"

static void setup(void) { atom_init(0); }
TestSuite(map, .init = setup);

static const char *bigmap_hex = "83740000008C612162000004414640260000000000006400016646401400000000000064000166610C6190614962000014D1612C620000079061176200000211611D6200000349612F62000008A161596200001EF1613D6200000E89611E6200000384612B6200000739612762000005F1612D62000007E96130620000090061396200000CB16400026B3961096400036B31366110611A62000002A4614562000012996400036B3130610A6400036B3134610E61586200001E406400036B313861126400026B376107613F6200000F816400036B3133610D61646200002710614762000013B1612E6200000844611F62000003C16400026B3261026400036B3139611361626200002584615162000019A1610B61796125620000055946401C0000000000006400016661096151614C620000169061206200000400464030000000000000640001666122620000048446402A0000000000006400016661196200000271611C62000003106400026B3161014640280000000000006400016661556200001C39615B6200002059614062000010006400026B346104610661244640240000000000006400016661486200001440614462000012104640100000000000006400016661566200001CE461336200000A2961506200001900612662000005A4610D61A9613B6200000D9961286200000640614D6200001729615F62000023416129620000069161146200000190614E62000017C4610F61E1610E61C4613C6200000E1061026104610761314640180000000000006400016661536200001AE9614A62000015646163620000264946402E0000000000006400016661016101616162000024C16108614061036109614B62000015F9615A6200001FA46400026B336103613A6200000D2461376200000BD14640310000000000006400016661116200000121463FF000000000000064000166464034000000000000640001666400036B3135610F6400036B3132610C611662000001E461346200000A906400026B35610561576200001D91464022000000000000640001666400026B366106611562000001B9616062000024006104611061526200001A446400026B386108464008000000000000640001666124620000051061356200000AF9613262000009C46142620000110461186200000240610A6164612362000004C96146620000132461386200000C406400036B3131610B613E6200000F0461316200000961464020000000000000640001666400036B32306114611B62000002D94640320000000000006400016661546200001B90615E6200002284615C6200002110612A62000006E46113620000016961436200001189615D62000021C96141620000108146402C000000000000640001666400036B313761116105611961366200000B6461126200000144614F6200001861464000000000000000640001664640330000000000006400016661106200000100";
static const char *bigmap_text = "#{1 => 1,2 => 4,3 => 9,4 => 16,5 => 25,6 => 36,7 => 49,8 => 64,9 => 81,10 => 100,11 => 121,12 => 144,13 => 169,14 => 196,15 => 225,16 => 256,17 => 289,18 => 324,19 => 361,20 => 400,21 => 441,22 => 484,23 => 529,24 => 576,25 => 625,26 => 676,27 => 729,28 => 784,29 => 841,30 => 900,31 => 961,32 => 1024,33 => 1089,34 => 1156,35 => 1225,36 => 1296,37 => 1369,38 => 1444,39 => 1521,40 => 1600,41 => 1681,42 => 1764,43 => 1849,44 => 1936,45 => 2025,46 => 2116,47 => 2209,48 => 2304,49 => 2401,50 => 2500,51 => 2601,52 => 2704,53 => 2809,54 => 2916,55 => 3025,56 => 3136,57 => 3249,58 => 3364,59 => 3481,60 => 3600,61 => 3721,62 => 3844,63 => 3969,64 => 4096,65 => 4225,66 => 4356,67 => 4489,68 => 4624,69 => 4761,70 => 4900,71 => 5041,72 => 5184,73 => 5329,74 => 5476,75 => 5625,76 => 5776,77 => 5929,78 => 6084,79 => 6241,80 => 6400,81 => 6561,82 => 6724,83 => 6889,84 => 7056,85 => 7225,86 => 7396,87 => 7569,88 => 7744,89 => 7921,90 => 8100,91 => 8281,92 => 8464,93 => 8649,94 => 8836,95 => 9025,96 => 9216,97 => 9409,98 => 9604,99 => 9801,100 => 10000,1.0 => f,2.0 => f,3.0 => f,4.0 => f,5.0 => f,6.0 => f,7.0 => f,8.0 => f,9.0 => f,10.0 => f,11.0 => f,12.0 => f,13.0 => f,14.0 => f,15.0 => f,16.0 => f,17.0 => f,18.0 => f,19.0 => f,20.0 => f,k1 => 1,k10 => 10,k11 => 11,k12 => 12,k13 => 13,k14 => 14,k15 => 15,k16 => 16,k17 => 17,k18 => 18,k19 => 19,k2 => 2,k20 => 20,k3 => 3,k4 => 4,k5 => 5,k6 => 6,k7 => 7,k8 => 8,k9 => 9}";

static Term atom(const char *s)
{
    Term t;
    cr_assert_eq(atom_put(s, strlen(s), &t), ATOM_OK);
    return t;
}

static Term decode_hex(literal_area *la, const char *hex) { return test_decode_hex(la, hex); }

static void expect_text(Term t, const char *text)
{
    strbuf sb = STRBUF_INIT;
    term_print(&sb, t);
    cr_expect_str_eq(sb_str(&sb), text);
    sb_free(&sb);
}

Test(map, flatmap_keys_in_map_key_order)
{
    literal_area la;
    literal_area_init(&la);
    Term hp[8];
    Term keys[4] = { make_float(hp, 1.0), make_small(1), make_small(2), make_float(hp + 2, 0.5) };
    Term values[4] = { atom("a"), atom("b"), atom("c"), atom("d") };
    Term m = map_from_pairs(&la.sink, keys, values, 4);
    cr_assert_neq(m, THE_NON_VALUE);
    cr_expect_eq(map_size(m), 4);
    cr_expect_eq(map_header_kind(boxed_header(m)), MAP_KIND_FLAT);
    expect_text(m, "#{1 => b,2 => c,0.5 => d,1.0 => a}");
    cr_expect_eq(map_get(m, make_small(1)), atom("b"));
    cr_expect_eq(map_get(m, keys[0]), atom("a"));
    cr_expect_eq(map_get(m, make_small(3)), THE_NON_VALUE);
    literal_area_free(&la);
}

Test(map, later_duplicates_win)
{
    literal_area la;
    literal_area_init(&la);
    Term keys[5] = { atom("x"), atom("y"), atom("x"), atom("z"), atom("x") };
    Term values[5] = { make_small(1), make_small(2), make_small(3), make_small(4), make_small(5) };
    Term m = map_from_pairs(&la.sink, keys, values, 5);
    cr_expect_eq(map_size(m), 3);
    cr_expect_eq(map_get(m, atom("x")), make_small(5));
    expect_text(m, "#{x => 5,y => 2,z => 4}");
    Term empty = map_from_pairs(&la.sink, NULL, NULL, 0);
    cr_expect_eq(map_size(empty), 0);
    expect_text(empty, "#{}");
    literal_area_free(&la);
}

Test(map, thirty_two_keys_flat_thirty_three_hamt)
{
    literal_area la;
    literal_area_init(&la);
    Term keys[33], values[33];
    for (int i = 0; i < 33; i++) { keys[i] = make_small(i); values[i] = make_small(-i); }
    Term flat = map_from_pairs(&la.sink, keys, values, 32);
    Term hamt = map_from_pairs(&la.sink, keys, values, 33);
    cr_expect_eq(map_header_kind(boxed_header(flat)), MAP_KIND_FLAT);
    cr_expect_neq(map_header_kind(boxed_header(hamt)), MAP_KIND_FLAT);
    cr_expect_eq(map_size(hamt), 33);
    /* 33 keys with duplicates of 2 collapse to a flatmap of 31. */
    keys[31] = keys[0];
    keys[32] = keys[1];
    Term dup = map_from_pairs(&la.sink, keys, values, 33);
    cr_expect_eq(map_size(dup), 31);
    cr_expect_eq(map_header_kind(boxed_header(dup)), MAP_KIND_FLAT);
    cr_expect_eq(map_get(dup, make_small(0)), make_small(-31));
    literal_area_free(&la);
}

typedef struct visit { size_t count; SWord sum; size_t stop_after; } visit;

static bool count_pairs(Term key, Term value, void *arg)
{
    visit *v = arg;
    v->count++;
    v->sum += small_value(key) + small_value(value);
    return v->count != v->stop_after;
}

Test(map, large_hamt_lookup_and_walk)
{
    literal_area la;
    literal_area_init(&la);
    enum { N = 20000 };
    Term *keys = malloc(N * sizeof(Term)), *values = malloc(N * sizeof(Term));
    SWord sum = 0;
    for (int i = 0; i < N; i++) {
        keys[i] = make_small((SWord)i * 1000003);
        values[i] = make_small(i);
        sum += (SWord)i * 1000003 + i;
    }
    Term m = map_from_pairs(&la.sink, keys, values, N);
    cr_assert_neq(m, THE_NON_VALUE);
    cr_expect_eq(map_size(m), N);
    for (int i = 0; i < N; i++) cr_assert_eq(map_get(m, keys[i]), values[i], "key %d", i);
    cr_expect_eq(map_get(m, make_small(1)), THE_NON_VALUE);
    visit v = { 0, 0, 0 };
    map_foreach(m, count_pairs, &v);
    cr_expect_eq(v.count, N);
    cr_expect_eq(v.sum, sum);
    visit early = { 0, 0, 10 };
    map_foreach(m, count_pairs, &early);
    cr_expect_eq(early.count, 10);
    Term *sk = malloc(N * sizeof(Term)), *sv = malloc(N * sizeof(Term));
    map_sorted_pairs(m, sk, sv);
    for (int i = 0; i < N; i++) {
        cr_assert_eq(sk[i], keys[i]);
        cr_assert_eq(sv[i], values[i]);
    }
    free(sk); free(sv); free(keys); free(values);
    literal_area_free(&la);
}

Test(map, hamt_from_erl_with_mixed_keys)
{
    literal_area la;
    literal_area_init(&la);
    Term m = decode_hex(&la, bigmap_hex);
    cr_expect_eq(map_size(m), 140);
    cr_expect_eq(map_get(m, make_small(10)), make_small(100));
    Term hp[2];
    cr_expect_eq(map_get(m, make_float(hp, 10.0)), atom("f"));
    cr_expect_eq(map_get(m, atom("k7")), make_small(7));
    cr_expect_eq(map_get(m, atom("k21")), THE_NON_VALUE);
    /* Printed in map-key order: integers, then floats, then atoms. */
    expect_text(m, bigmap_text);
    literal_area_free(&la);
}

Test(map, compound_keys_hash_by_value)
{
    literal_area la;
    literal_area_init(&la);
    enum { N = 100 };
    Term keys[N], values[N];
    Term *cells = malloc(N * 4 * sizeof(Term));
    for (int i = 0; i < N; i++) {
        /* [i, i] built twice: exactly equal, different addresses. */
        Term *c = cells + 4 * i;
        c[2] = make_small(i); c[3] = NIL;
        c[0] = make_small(i); c[1] = make_list(c + 2);
        keys[i] = make_list(c);
        values[i] = make_small(i);
    }
    Term m = map_from_pairs(&la.sink, keys, values, N);
    for (int i = 0; i < N; i++) {
        Term probe[4] = { make_small(i), THE_NON_VALUE, make_small(i), NIL };
        probe[1] = make_list(probe + 2);
        cr_expect_eq(map_get(m, make_list(probe)), make_small(i));
    }
    free(cells);
    literal_area_free(&la);
}

static uint32_t constant_hash(Term key, unsigned salt) { (void)key; (void)salt; return 0x5A5A5A5Au; }
static uint32_t low_bits_hash(Term key, unsigned salt) { (void)salt; return (uint32_t)small_value(key) & 0xF; }

Test(map, full_hash_collisions)
{
    literal_area la;
    literal_area_init(&la);
    enum { N = 40 };
    Term keys[N], values[N];
    for (int i = 0; i < N; i++) { keys[i] = make_small(N - i); values[i] = make_small(i); }
    map_set_hash_for_testing(constant_hash);
    Term m = map_from_pairs(&la.sink, keys, values, N);
    cr_assert_neq(m, THE_NON_VALUE);
    cr_expect_eq(map_size(m), N);
    for (int i = 0; i < N; i++) cr_expect_eq(map_get(m, keys[i]), values[i]);
    cr_expect_eq(map_get(m, make_small(0)), THE_NON_VALUE);
    visit v = { 0, 0, 0 };
    map_foreach(m, count_pairs, &v);
    cr_expect_eq(v.count, N);
    /* Same keys, other insertion order: an equal map. */
    Term rk[N], rv[N];
    for (int i = 0; i < N; i++) { rk[i] = keys[N - 1 - i]; rv[i] = values[N - 1 - i]; }
    Term m2 = map_from_pairs(&la.sink, rk, rv, N);
    cr_expect_eq(term_compare_exact(m, m2), 0);
    /* Partial collisions: 16 distinct first-level slots, then collisions. */
    map_set_hash_for_testing(low_bits_hash);
    Term m3 = map_from_pairs(&la.sink, keys, values, N);
    for (int i = 0; i < N; i++) cr_expect_eq(map_get(m3, keys[i]), values[i]);
    map_set_hash_for_testing(NULL);
    strbuf sb = STRBUF_INIT;
    term_print(&sb, m3);
    cr_expect(strncmp(sb_str(&sb), "#{1 => 39,2 => 38,", 18) == 0, "%s", sb_str(&sb));
    sb_free(&sb);
    literal_area_free(&la);
}
