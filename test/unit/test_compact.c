/*
 * The compact term encoding (otp25-notes §2): every form, the sign rules,
 * and refusal of what runs past the end. Byte strings are what erlc 25
 * writes (beam_asm:encode/2), checked with `erlc -S` and beam_disasm.
 */
#include <criterion/criterion.h>

#include "compact.h"

static compact_status read1(const uint8_t *bytes, size_t len, compact_value *v, size_t *consumed)
{
    compact_reader r = { bytes, bytes, bytes + len };
    compact_status s = compact_read(&r, v);
    if (consumed) *consumed = compact_offset(&r);
    return s;
}

Test(compact, small_and_medium_forms)
{
    compact_value v;
    size_t n;
    cr_assert_eq(read1((const uint8_t[]){ 0x10 }, 1, &v, &n), COMPACT_OK);   /* u1 */
    cr_assert_eq(v.tag, CT_U);
    cr_assert_eq(v.v.u, 1);
    cr_assert_eq(n, 1);
    cr_assert_eq(read1((const uint8_t[]){ 0xF3 }, 1, &v, NULL), COMPACT_OK); /* x15 */
    cr_assert_eq(v.tag, CT_X);
    cr_assert_eq(v.v.u, 15);
    cr_assert_eq(read1((const uint8_t[]){ 0x08, 0x10 }, 2, &v, &n), COMPACT_OK); /* medium u16 */
    cr_assert_eq(v.v.u, 16);
    cr_assert_eq(n, 2);
    cr_assert_eq(read1((const uint8_t[]){ 0xE9, 0xFF }, 2, &v, NULL), COMPACT_OK); /* medium i2047 */
    cr_assert_eq(v.tag, CT_I);
    cr_assert_eq(v.v.i, 2047);
}

Test(compact, large_forms_and_signs)
{
    compact_value v;
    /* 40000 with tag i and tag u: the leading 0x00 keeps it positive. */
    cr_assert_eq(read1((const uint8_t[]){ 0x39, 0x00, 0x9C, 0x40 }, 4, &v, NULL), COMPACT_OK);
    cr_assert_eq(v.v.i, 40000);
    cr_assert_eq(read1((const uint8_t[]){ 0x38, 0x00, 0x9C, 0x40 }, 4, &v, NULL), COMPACT_OK);
    cr_assert_eq(v.v.u, 40000);
    cr_assert_eq(read1((const uint8_t[]){ 0x39, 0x01, 0x11, 0x70 }, 4, &v, NULL), COMPACT_OK);
    cr_assert_eq(v.v.i, 70000);
    /* Negative integers always take the large form: -40000 and -1. */
    cr_assert_eq(read1((const uint8_t[]){ 0x39, 0xFF, 0x63, 0xC0 }, 4, &v, NULL), COMPACT_OK);
    cr_assert_eq(v.v.i, -40000);
    cr_assert_eq(read1((const uint8_t[]){ 0x19, 0xFF, 0xFF }, 3, &v, NULL), COMPACT_OK);
    cr_assert_eq(v.v.i, -1);
    cr_assert(!v.is_big);
    /* A negative value with another tag is an overflow. */
    cr_assert_eq(read1((const uint8_t[]){ 0x18, 0xFF, 0xFF }, 3, &v, NULL), COMPACT_OVERFLOW);
}

Test(compact, huge_form_is_big)
{
    /* 2^64: 9 payload bytes 01 00.. (L = 0, n = L + 9). */
    const uint8_t b[] = { 0xF9, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0 };
    compact_value v;
    size_t n;
    cr_assert_eq(read1(b, sizeof b, &v, &n), COMPACT_OK);
    cr_assert(v.is_big);
    cr_assert_eq(v.nbytes, 9);
    cr_assert_eq(v.bytes, b + 2);
    cr_assert_eq(n, sizeof b);
    /* The same bytes with tag u do not fit a word. */
    const uint8_t u[] = { 0xF8, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0 };
    cr_assert_eq(read1(u, sizeof u, &v, NULL), COMPACT_OVERFLOW);
}

Test(compact, extended_tags)
{
    compact_value v;
    cr_assert_eq(read1((const uint8_t[]){ 0x17 }, 1, &v, NULL), COMPACT_OK);
    cr_assert_eq(v.tag, CT_Z);
    cr_assert_eq(v.v.u, 1);   /* list */
    cr_assert_eq(read1((const uint8_t[]){ 0x57 }, 1, &v, NULL), COMPACT_OK);
    cr_assert_eq(v.v.u, 5);   /* typed register */
}

Test(compact, truncation_is_reported)
{
    compact_value v;
    cr_assert_eq(read1((const uint8_t[]){ 0 }, 0, &v, NULL), COMPACT_TRUNCATED);
    cr_assert_eq(read1((const uint8_t[]){ 0x08 }, 1, &v, NULL), COMPACT_TRUNCATED);
    cr_assert_eq(read1((const uint8_t[]){ 0x39, 0x00 }, 2, &v, NULL), COMPACT_TRUNCATED);
    /* A huge form whose length prefix claims more than remains. */
    cr_assert_eq(read1((const uint8_t[]){ 0xF9, 0x70, 0x01 }, 3, &v, NULL), COMPACT_TRUNCATED);
    /* A huge form whose length is not tag u. */
    cr_assert_eq(read1((const uint8_t[]){ 0xF9, 0x03, 0x01 }, 3, &v, NULL), COMPACT_BAD_HUGE);
}
