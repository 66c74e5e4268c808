/*
 * test_re.c — the character tables bifs/re_tables.c builds for PCRE2:
 * for ASCII they must be exactly what pcre2_maketables gives in the C
 * locale (which checks the layout: offsets and type bits), and for
 * 128-255 they must classify as OTP 25's Latin-1 tables do (values
 * from erl: re:run([C], "\\w"), caseless matching, [[:lower:]]).
 */
#include <criterion/criterion.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>

#include "re_tables.h"

enum { LCC = 0, FCC = 256, CBITS = 512, CTYPES = 832 };

Test(re_tables, ascii_equals_c_locale)
{
    const uint8_t *c_locale = pcre2_maketables(NULL);
    const uint8_t *ours = re_latin1_tables();
    for (unsigned c = 0; c < 128; c++) {
        cr_expect_eq(ours[LCC + c], c_locale[LCC + c], "lcc %u", c);
        cr_expect_eq(ours[FCC + c], c_locale[FCC + c], "fcc %u", c);
        cr_expect_eq(ours[CTYPES + c], c_locale[CTYPES + c], "ctypes %u", c);
    }
    for (unsigned map = 0; map < 10; map++)
        cr_expect(memcmp(ours + CBITS + 32 * map, c_locale + CBITS + 32 * map, 16) == 0, "class map %u", map);
    pcre2_maketables_free(NULL, c_locale);
}

static bool matches(const char *pattern, uint32_t options, uint8_t c)
{
    int err;
    PCRE2_SIZE off;
    pcre2_compile_context *ctx = pcre2_compile_context_create(NULL);
    pcre2_set_character_tables(ctx, re_latin1_tables());
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, options, &err, &off, ctx);
    cr_assert(code != NULL);
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
    int rc = pcre2_match(code, &c, 1, 0, 0, md, NULL);
    pcre2_match_data_free(md);
    pcre2_code_free(code);
    pcre2_compile_context_free(ctx);
    return rc > 0;
}

Test(re_tables, latin1_classes_as_otp)
{
    /* erl: [C || C <- lists:seq(128,255), re:run([C], "\\w") =/= nomatch] */
    for (unsigned c = 128; c < 256; c++) {
        bool word = c == 170 || c == 181 || c == 186 || (c >= 192 && c != 215 && c != 247);
        cr_expect_eq(matches("\\w", 0, (uint8_t)c), word, "\\w %u", c);
    }
    cr_expect(matches("\xe4", PCRE2_CASELESS, 0xC4));        /* ä matches Ä */
    cr_expect(!matches("\xf7", PCRE2_CASELESS, 0xD7));       /* ÷ is not × */
    cr_expect(matches("[[:lower:]]", 0, 170));               /* ª, as OTP 25 */
    cr_expect(!matches("[[:upper:]]", 0, 223));              /* ß */
    cr_expect(!matches("\\s", 0, 160));                      /* no-break space */
    cr_expect(matches("[[:punct:]]", 0, 215));               /* × */
}
