/*
 * test_bignum.c — integers from bytes, text in any base, comparison.
 * Expected texts are integer_to_list(V, Base) from OTP 25.
 */
#include <criterion/criterion.h>
#include <math.h>

#include "atom.h"
#include "bignum.h"

static void setup(void) { atom_init(0); }
TestSuite(bignum, .init = setup);

static Term heap[64];

static Term from_be(const uint8_t *be, size_t n)
{
    cr_assert_leq(integer_words_for_be_twos(n), sizeof heap / sizeof *heap);
    return integer_from_be_twos(heap, be, n);
}

static void expect_text(Term t, unsigned base, const char *text)
{
    strbuf sb = STRBUF_INIT;
    integer_to_text(&sb, t, base);
    cr_expect_str_eq(sb_str(&sb), text, "base %u", base);
    sb_free(&sb);
}

Test(bignum, be_twos_small_values)
{
    cr_expect_eq(from_be((const uint8_t[]){ 0xFF, 0xFF }, 2), make_small(-1));
    cr_expect_eq(from_be((const uint8_t[]){ 0x00, 0x9C, 0x40 }, 3), make_small(40000));
    cr_expect_eq(from_be((const uint8_t[]){ 0x80 }, 1), make_small(-128));
    cr_expect_eq(from_be((const uint8_t[]){ 0x7F }, 1), make_small(127));
    cr_expect_eq(from_be(NULL, 0), make_small(0));
    cr_expect_eq(from_be((const uint8_t[]){ 0xFF, 0x00 }, 2), make_small(-256));
    /* MIN_SMALL = -2^59 = F8 00 00 00 00 00 00 00 */
    cr_expect_eq(from_be((const uint8_t[]){ 0xF8, 0, 0, 0, 0, 0, 0, 0 }, 8), make_small(MIN_SMALL));
    cr_expect_eq(from_be((const uint8_t[]){ 0x07, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, 8), make_small(MAX_SMALL));
}

Test(bignum, be_twos_bignums)
{
    /* 2^59 = MAX_SMALL + 1 */
    Term t = from_be((const uint8_t[]){ 0x08, 0, 0, 0, 0, 0, 0, 0 }, 8);
    cr_assert(term_is_bignum(t));
    cr_expect(!bignum_is_negative(t));
    cr_expect_eq(bignum_digit_count(t), 1);
    cr_expect_eq(bignum_digits(t)[0], UINT64_C(1) << 59);
    /* -2^59 - 1 */
    t = from_be((const uint8_t[]){ 0xF7, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, 8);
    cr_assert(term_is_bignum(t));
    cr_expect(bignum_is_negative(t));
    cr_expect_eq(bignum_digits(t)[0], (UINT64_C(1) << 59) + 1);
    /* -2^63: the most negative 8-byte value negates to itself. */
    t = from_be((const uint8_t[]){ 0x80, 0, 0, 0, 0, 0, 0, 0 }, 8);
    expect_text(t, 10, "-9223372036854775808");
    /* 2^64 needs a sign byte: 01 00*8 */
    t = from_be((const uint8_t[]){ 0x01, 0, 0, 0, 0, 0, 0, 0, 0 }, 9);
    expect_text(t, 10, "18446744073709551616");
    /* A redundant sign-extension does not make a leading zero digit. */
    t = from_be((const uint8_t[]){ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0, 0, 0, 0, 0, 0, 0 }, 17);
    cr_expect_eq(bignum_digit_count(t), 1);
    t = from_be((const uint8_t[]){ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, 10);
    cr_expect_eq(t, make_small(-1));
}

Test(bignum, le_bytes_normalise)
{
    const uint8_t zeros[16] = { 0 };
    cr_expect_eq(integer_from_le_bytes(heap, zeros, 16, true), make_small(0));
    const uint8_t five[12] = { 5 };
    cr_expect_eq(integer_from_le_bytes(heap, five, 12, false), make_small(5));
    cr_expect_eq(integer_from_le_bytes(heap, five, 12, true), make_small(-5));
    /* 12345678901234567890123456789 as SMALL_BIG bytes from term_to_binary. */
    const uint8_t x[] = { 0x15, 0x81, 0x39, 0x6E, 0xB1, 0xC9, 0xBE, 0x46, 0x32, 0x1B, 0xE4, 0x27 };
    Term t = integer_from_le_bytes(heap, x, sizeof x, false);
    cr_assert(term_is_bignum(t));
    cr_expect_eq(bignum_digit_count(t), 2);
    expect_text(t, 10, "12345678901234567890123456789");
}

Test(bignum, text_in_every_base_matches_integer_to_list)
{
    const uint8_t x[] = { 0x15, 0x81, 0x39, 0x6E, 0xB1, 0xC9, 0xBE, 0x46, 0x32, 0x1B, 0xE4, 0x27 };
    Term t = integer_from_le_bytes(heap, x, sizeof x, false);
    expect_text(t, 2, "1001111110010000011011001100100100011010111110110010011011000101101110001110011000000100010101");
    expect_text(t, 16, "27E41B3246BEC9B16E398115");
    expect_text(t, 36, "17384DV0Z83QK7482Z9");
    /* -(1 bsl 64) - 5 */
    const uint8_t y[] = { 5, 0, 0, 0, 0, 0, 0, 0, 1 };
    Term u = integer_from_le_bytes(heap + 32, y, sizeof y, true);
    expect_text(u, 16, "-10000000000000005");
    expect_text(u, 10, "-18446744073709551621");
    expect_text(u, 7, "-45012021522523134134610");
    expect_text(make_small(-255), 16, "-FF");
    expect_text(make_small(0), 2, "0");
    expect_text(make_small(MIN_SMALL), 16, "-800000000000000");
    expect_text(make_small(MAX_SMALL), 10, "576460752303423487");
}

Test(bignum, compare)
{
    Term big = from_be((const uint8_t[]){ 0x08, 0, 0, 0, 0, 0, 0, 0 }, 8);         /* 2^59 */
    Term nbig = integer_from_le_bytes(heap + 16, (const uint8_t[]){ 1, 0, 0, 0, 0, 0, 0, 8 }, 8, true); /* -(2^59+1) */
    Term huge = integer_from_le_bytes(heap + 32, (const uint8_t[]){ 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 9, false); /* 2^64 */
    cr_expect_eq(integer_compare(make_small(1), make_small(2)), -1);
    cr_expect_eq(integer_compare(make_small(MAX_SMALL), big), -1);
    cr_expect_eq(integer_compare(big, make_small(MAX_SMALL)), 1);
    cr_expect_eq(integer_compare(nbig, make_small(MIN_SMALL)), -1);
    cr_expect_eq(integer_compare(big, huge), -1);
    cr_expect_eq(integer_compare(nbig, big), -1);
    cr_expect_eq(integer_compare(huge, huge), 0);
}

Test(bignum, compare_with_double_is_exact)
{
    /* 2^53 + 1 is not a double; (double)(2^53+1) == 2^53 would say equal. */
    Term t = make_small((SWord)((UINT64_C(1) << 53) + 1));
    cr_expect_eq(integer_compare_double(t, 9007199254740992.0), 1);
    cr_expect_eq(integer_compare_double(make_small(1), 1.0), 0);
    cr_expect_eq(integer_compare_double(make_small(1), 1.5), -1);
    cr_expect_eq(integer_compare_double(make_small(-1), -1.5), 1);
    cr_expect_eq(integer_compare_double(make_small(0), -0.0), 0);
    /* 2^64 + 1 vs 2^64 as a double. */
    Term h = integer_from_le_bytes(heap, (const uint8_t[]){ 1, 0, 0, 0, 0, 0, 0, 0, 1 }, 9, false);
    cr_expect_eq(integer_compare_double(h, 18446744073709551616.0), 1);
    cr_expect_eq(integer_compare_double(h, 1e30), -1);
    cr_expect_eq(integer_compare_double(h, -1e30), 1);
    cr_expect_eq(integer_compare_double(h, 36893488147419103232.0 /* 2^65 */), -1);
}
