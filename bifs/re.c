/*
 * bifs/re.c — the re BIFs of OTP 25 (version/0, compile/1,2, run/2,3,
 * internal_run/4, inspect/2) over PCRE2, following erl_bif_re.c. The rest
 * of re (replace, split, global matching, unicode lists) is OTP's own
 * re.erl, which these BIFs trap to exactly where OTP's do: re:ucompile/2
 * for a unicode pattern that is not a binary, re:urun/3 for unicode
 * subjects that are not binaries (or list captures), re:grun/3 for
 * `global`.
 *
 * The compiled pattern is {re_pattern, Captures, Unicode, UseCRLF, Bin}
 * as in OTP, but Bin is cbeam's own form, not PCRE's compiled code:
 * a 12-byte header ("cbRE", format, newline, bsr, 0, the PCRE2 compile
 * options as a little-endian u32) followed by the pattern source. So a
 * pattern survives term_to_binary, ETS and other nodes running cbeam, and
 * a forged binary can only fail to compile (badarg), never crash PCRE2.
 * The PCRE2 code for a serialized form (with run-time newline/bsr options
 * folded in, which PCRE1 took at match time and PCRE2 only at compile
 * time) comes from a small direct-mapped cache (re_code_get); entries are
 * reference counted so a replaced entry lives until its last match ends.
 *
 * Matching runs to the end in one call (OTP yields and restarts every
 * CONTEXT_REDS * 10 PCRE loops); it is charged one reduction per ten
 * subject bytes scanned. PCRE2's default match limit bounds the work.
 *
 * Character tables are OTP's Latin-1 tables (PCRE1 as built in OTP), so
 * \w, [[:alpha:]] and caseless matching treat bytes 160-255 as Latin-1
 * letters, in unicode mode too (below 256, without ucp).
 *
 * Nothing here collects garbage; everything raised is badarg (with
 * `cause => badopt` for a bad option list, as OTP).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "atom.h"
#include "bif.h"
#include "bits.h"
#include "export.h"
#include "re_tables.h"
#include "term_build.h"
#include "utf8.h"

/* --- option lists ----------------------------------------------------------- */

#define OPT_COMPILE_ONLY 1u   /* an option re:run refuses with a compiled pattern */
#define OPT_RUN_ONLY 2u       /* an option re:compile refuses */
#define OPT_UNICODE 4u
#define OPT_CAPTURE 8u
#define OPT_GLOBAL 16u
#define OPT_REPORT_ERRORS 32u
#define OPT_MATCH_LIMIT 64u
#define OPT_DEPTH_LIMIT 128u

/* Newline and \R settings keep PCRE1's bit encoding, because OTP ORs the
 * options of a list together: {newline,cr} + {newline,lf} is crlf, and
 * lf + any is PCRE1's "inconsistent NEWLINE options". */
enum { NL_CR = 1, NL_LF = 2, NL_CRLF = 3, NL_ANY = 4, NL_ANYCRLF = 5 };
enum { BSR_ANYCRLF = 1, BSR_UNICODE = 2 };

typedef struct re_opts {
    uint32_t compile;        /* PCRE2 compile options */
    uint32_t match;          /* PCRE2 match options */
    unsigned newline, bsr;   /* PCRE1-style bits, 0 = the pattern's own */
    unsigned flags;          /* OPT_* */
    uint32_t offset, match_limit, depth_limit;
    Term capture_values, capture_type;
} re_opts;

typedef struct atom_option {
    const char *name;
    uint32_t compile, match;
    unsigned flags, bsr;
} atom_option;

static const atom_option atom_options[] = {
    { "anchored", PCRE2_ANCHORED, PCRE2_ANCHORED, 0, 0 },
    { "notempty", 0, PCRE2_NOTEMPTY, OPT_RUN_ONLY, 0 },
    { "notempty_atstart", 0, PCRE2_NOTEMPTY_ATSTART, OPT_RUN_ONLY, 0 },
    { "notbol", 0, PCRE2_NOTBOL, OPT_RUN_ONLY, 0 },
    { "noteol", 0, PCRE2_NOTEOL, OPT_RUN_ONLY, 0 },
    { "no_start_optimize", PCRE2_NO_START_OPTIMIZE, 0, OPT_COMPILE_ONLY, 0 },
    { "caseless", PCRE2_CASELESS, 0, OPT_COMPILE_ONLY, 0 },
    { "dollar_endonly", PCRE2_DOLLAR_ENDONLY, 0, OPT_COMPILE_ONLY, 0 },
    { "dotall", PCRE2_DOTALL, 0, OPT_COMPILE_ONLY, 0 },
    { "extended", PCRE2_EXTENDED, 0, OPT_COMPILE_ONLY, 0 },
    { "firstline", PCRE2_FIRSTLINE, 0, OPT_COMPILE_ONLY, 0 },
    { "multiline", PCRE2_MULTILINE, 0, OPT_COMPILE_ONLY, 0 },
    { "no_auto_capture", PCRE2_NO_AUTO_CAPTURE, 0, OPT_COMPILE_ONLY, 0 },
    { "dupnames", PCRE2_DUPNAMES, 0, OPT_COMPILE_ONLY, 0 },
    { "ungreedy", PCRE2_UNGREEDY, 0, OPT_COMPILE_ONLY, 0 },
    { "ucp", PCRE2_UCP, 0, OPT_COMPILE_ONLY, 0 },
    { "never_utf", PCRE2_NEVER_UTF, 0, OPT_COMPILE_ONLY, 0 },
    { "report_errors", 0, 0, OPT_RUN_ONLY | OPT_REPORT_ERRORS, 0 },
    { "unicode", PCRE2_UTF, 0, OPT_COMPILE_ONLY | OPT_UNICODE, 0 },
    { "global", 0, 0, OPT_RUN_ONLY | OPT_GLOBAL, 0 },
    { "bsr_anycrlf", 0, 0, 0, BSR_ANYCRLF },
    { "bsr_unicode", 0, 0, 0, BSR_UNICODE },
};

/* The compile options a serialized pattern may carry. */
#define RE_COMPILE_MASK (PCRE2_ANCHORED | PCRE2_NO_START_OPTIMIZE | PCRE2_CASELESS | PCRE2_DOLLAR_ENDONLY | \
                         PCRE2_DOTALL | PCRE2_EXTENDED | PCRE2_FIRSTLINE | PCRE2_MULTILINE |                \
                         PCRE2_NO_AUTO_CAPTURE | PCRE2_DUPNAMES | PCRE2_UNGREEDY | PCRE2_UCP |              \
                         PCRE2_NEVER_UTF | PCRE2_UTF)

/* OTP's term_to_int on 64 bits: a small integer in [0, INT_MAX] (a
 * negative one is refused by the unsigned comparison OTP makes). */
static bool nonneg_int(Term t, uint32_t *out)
{
    if (!term_is_small(t) || small_value(t) < 0 || small_value(t) > INT32_MAX) return false;
    *out = (uint32_t)small_value(t);
    return true;
}

static bool parse_atom_option(Term item, re_opts *o)
{
    if (!term_is_atom(item)) return false;
    const char *name = atom_text(item);
    for (size_t i = 0; i < sizeof atom_options / sizeof atom_options[0]; i++) {
        const atom_option *a = &atom_options[i];
        if (strcmp(name, a->name) != 0) continue;
        o->compile |= a->compile;
        o->match |= a->match;
        o->flags |= a->flags;
        o->bsr |= a->bsr;
        return true;
    }
    return false;
}

static bool parse_newline(Term v, unsigned *bits)
{
    if (v == ATOM_NAMED("cr")) *bits |= NL_CR;
    else if (v == ATOM_NAMED("lf")) *bits |= NL_LF;
    else if (v == ATOM_NAMED("crlf")) *bits |= NL_CRLF;
    else if (v == ATOM_NAMED("anycrlf")) *bits |= NL_ANYCRLF;
    else if (v == ATOM_NAMED("any")) *bits |= NL_ANY;
    else return false;
    return true;
}

static bool parse_tuple_option(Term item, re_opts *o)
{
    const Term *e = tuple_elements(item);
    if (tuple_arity(item) == 3 && e[0] == ATOM_NAMED("capture")) {
        o->capture_values = e[1];
        o->capture_type = e[2];
        o->flags |= OPT_CAPTURE | OPT_RUN_ONLY;
        return true;
    }
    if (tuple_arity(item) != 2) return false;
    if (e[0] == ATOM_NAMED("capture")) {
        o->capture_values = e[1];
        o->capture_type = ATOM_NAMED("index");
        o->flags |= OPT_CAPTURE | OPT_RUN_ONLY;
    } else if (e[0] == ATOM_NAMED("offset")) {
        if (!nonneg_int(e[1], &o->offset)) return false;
        o->flags |= OPT_RUN_ONLY;
    } else if (e[0] == ATOM_NAMED("match_limit")) {
        if (!nonneg_int(e[1], &o->match_limit)) return false;
        o->flags |= OPT_RUN_ONLY | OPT_MATCH_LIMIT;
    } else if (e[0] == ATOM_NAMED("match_limit_recursion")) {
        if (!nonneg_int(e[1], &o->depth_limit)) return false;
        o->flags |= OPT_RUN_ONLY | OPT_DEPTH_LIMIT;
    } else if (e[0] == ATOM_NAMED("newline")) {
        return parse_newline(e[1], &o->newline);
    } else {
        return false;
    }
    return true;
}

/* erl_bif_re.c's parse_options: false for anything it refuses. */
static bool parse_options(Term list, re_opts *o)
{
    memset(o, 0, sizeof *o);
    o->capture_values = o->capture_type = NIL;
    for (; term_is_list(list); list = list_tail(list)) {
        Term item = list_head(list);
        bool ok = term_is_tuple(item) ? parse_tuple_option(item, o) : parse_atom_option(item, o);
        if (!ok) return false;
    }
    return term_is_nil(list);
}

/* --- serialized patterns ------------------------------------------------------ */

#define RE_MAGIC "cbRE"
#define RE_FORMAT 1
#define RE_HEADER 12

/* A pattern's source and settings: what the Bin of {re_pattern, ...}
 * holds, and the key of the code cache. */
typedef struct re_source {
    uint8_t *bytes;   /* header + pattern, malloc'd */
    size_t len;
} re_source;

static void put_u32le(uint8_t *p, uint32_t v) { p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24; }
static uint32_t get_u32le(const uint8_t *p) { return p[0] | p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

static re_source source_make(const re_opts *o, const uint8_t *text, size_t len)
{
    re_source s = { malloc(RE_HEADER + len), RE_HEADER + len };
    if (!s.bytes) abort();
    memcpy(s.bytes, RE_MAGIC, 4);
    s.bytes[4] = RE_FORMAT;
    s.bytes[5] = (uint8_t)o->newline;
    s.bytes[6] = (uint8_t)o->bsr;
    s.bytes[7] = 0;
    put_u32le(s.bytes + 8, o->compile);
    memcpy(s.bytes + RE_HEADER, text, len);
    return s;
}

/* A copy of a pattern binary's bytes, checked; false if it is not one of
 * ours. newline/bsr, when non-zero, replace the pattern's own (PCRE1
 * accepted them at match time). */
static bool source_from_binary(Term bin, unsigned newline, unsigned bsr, re_source *s)
{
    const uint8_t *b;
    size_t n;
    if (!binary_bytes(bin, &b, &n) || n < RE_HEADER || memcmp(b, RE_MAGIC, 4) != 0 || b[4] != RE_FORMAT) return false;
    if (b[5] > NL_ANYCRLF || b[6] > BSR_UNICODE || b[7] != 0 || (get_u32le(b + 8) & ~(uint32_t)RE_COMPILE_MASK)) return false;
    s->bytes = malloc(n);
    if (!s->bytes) abort();
    memcpy(s->bytes, b, n);
    s->len = n;
    if (newline) s->bytes[5] = (uint8_t)newline;
    if (bsr) s->bytes[6] = (uint8_t)bsr;
    return true;
}

/* --- compiling, and the code cache -------------------------------------------- */

/* Not a PCRE2 code: PCRE1's error for contradicting newline or \R options. */
#define RE_ERROR_INCONSISTENT_NEWLINE 1000
/* Nor these: PCRE1's errors for a pattern that ends inside "(?" or "(?P",
 * where PCRE2 reports a missing ')'. */
#define RE_ERROR_AFTER_QUESTION 1001
#define RE_ERROR_AFTER_P 1002
/* PCRE1 read a \g followed by no number as group 0. */
#define RE_ERROR_G_ZERO 1003

static const uint32_t pcre2_newline[] = {
    [NL_CR] = PCRE2_NEWLINE_CR, [NL_LF] = PCRE2_NEWLINE_LF, [NL_CRLF] = PCRE2_NEWLINE_CRLF,
    [NL_ANY] = PCRE2_NEWLINE_ANY, [NL_ANYCRLF] = PCRE2_NEWLINE_ANYCRLF,
};

/* PCRE2 10.42 builds a UTF-8 pattern's start bitmap from the space class
 * for every character class (pcre2_study.c, set_type_bits), so \w, \d
 * and [[:alpha:]] would never start a match at a Latin-1 letter like
 * é, which OTP's tables make word characters (below 256, without ucp).
 * Such a pattern is compiled again without start optimizations. */
static bool start_bitmap_misses_latin1(const pcre2_code *code)
{
    uint32_t options = 0;
    const uint8_t *bitmap = NULL;
    pcre2_pattern_info(code, PCRE2_INFO_ALLOPTIONS, &options);
    pcre2_pattern_info(code, PCRE2_INFO_FIRSTBITMAP, &bitmap);
    return bitmap && (options & PCRE2_UTF) && !(options & PCRE2_UCP);
}

static pcre2_code *compile_source(const re_source *s, int *err, PCRE2_SIZE *erroff)
{
    unsigned newline = s->bytes[5], bsr = s->bytes[6];
    if (newline > NL_ANYCRLF || bsr > BSR_UNICODE) {
        *err = RE_ERROR_INCONSISTENT_NEWLINE;
        *erroff = 0;
        return NULL;
    }
    pcre2_compile_context *ctx = pcre2_compile_context_create(NULL);
    if (!ctx) abort();
    pcre2_set_character_tables(ctx, re_latin1_tables());
    if (newline) pcre2_set_newline(ctx, pcre2_newline[newline]);
    if (bsr) pcre2_set_bsr(ctx, bsr == BSR_ANYCRLF ? PCRE2_BSR_ANYCRLF : PCRE2_BSR_UNICODE);
    uint32_t options = get_u32le(s->bytes + 8);
    pcre2_code *code = pcre2_compile(s->bytes + RE_HEADER, s->len - RE_HEADER, options, err, erroff, ctx);
    if (code && start_bitmap_misses_latin1(code)) {
        pcre2_code_free(code);
        code = pcre2_compile(s->bytes + RE_HEADER, s->len - RE_HEADER, options | PCRE2_NO_START_OPTIMIZE, err, erroff, ctx);
    }
    pcre2_compile_context_free(ctx);
    return code;
}

typedef struct re_code {
    _Atomic unsigned refc;
    pcre2_code *code;
    size_t key_len;
    uint8_t key[];
} re_code;

#define RE_CACHE_SLOTS 256
static pthread_mutex_t re_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static re_code *re_cache[RE_CACHE_SLOTS];

static void re_code_release(re_code *c)
{
    if (c && atomic_fetch_sub_explicit(&c->refc, 1, memory_order_acq_rel) == 1) {
        pcre2_code_free(c->code);
        free(c);
    }
}

static re_code *cache_lookup(size_t slot, const re_source *s)
{
    pthread_mutex_lock(&re_cache_lock);
    re_code *c = re_cache[slot];
    if (c && c->key_len == s->len && memcmp(c->key, s->bytes, s->len) == 0) atomic_fetch_add(&c->refc, 1);
    else c = NULL;
    pthread_mutex_unlock(&re_cache_lock);
    return c;
}

/* The compiled code of s, with a reference for the caller; NULL with
 * PCRE2's error code and offset if it does not compile. Compiles outside
 * the lock, so two schedulers may compile one pattern at once; the later
 * entry wins the slot. */
static re_code *re_code_get(const re_source *s, int *err, PCRE2_SIZE *erroff)
{
    size_t slot = XXH3_64bits(s->bytes, s->len) % RE_CACHE_SLOTS;
    re_code *c = cache_lookup(slot, s);
    if (c) return c;
    pcre2_code *code = compile_source(s, err, erroff);
    if (!code) return NULL;
    c = malloc(sizeof *c + s->len);
    if (!c) abort();
    atomic_init(&c->refc, 2);   /* the cache's and the caller's */
    c->code = code;
    c->key_len = s->len;
    memcpy(c->key, s->bytes, s->len);
    pthread_mutex_lock(&re_cache_lock);
    re_code *old = re_cache[slot];
    re_cache[slot] = c;
    pthread_mutex_unlock(&re_cache_lock);
    re_code_release(old);
    return c;
}

static uint32_t pattern_info(const pcre2_code *code, uint32_t what)
{
    uint32_t v = 0;
    pcre2_pattern_info(code, what, &v);
    return v;
}

/* --- compile errors ------------------------------------------------------------ */

/* PCRE1 8.44's texts (what OTP 25 reports) for the PCRE2 compile errors
 * that have a PCRE1 counterpart (NULL: the same text); the others keep
 * PCRE2's text. `after` marks the errors PCRE2 reports one byte after
 * the offending escape or name, where PCRE1 pointed at its last byte (as
 * comparing the two on erl's output shows). */
typedef struct pcre1_error {
    int code;
    const char *text;
    bool after;
} pcre1_error;

static const pcre1_error pcre1_errors[] = {
    { 107, "invalid escape sequence in character class", false },
    { 109, "nothing to repeat", false },
    { 113, "POSIX collating elements are not supported", false },
    { 114, "missing )", false },
    { 117, "unknown option bit(s) set", false },
    { 118, "missing ) after comment", false },
    { 119, "parentheses are too deeply nested", false },
    { 121, "failed to get memory", false },
    { 122, "unmatched parentheses", false },
    { 124, "malformed number or name after (?(", false },
    { 126, "a numbered reference must not be zero", false },
    { 127, "conditional group contains more than two branches", false },
    { 128, "assertion expected after (?( or (?(?C)", false },
    { 129, "digit expected after (?+", false },
    { 134, "character value in \\x{} or \\o{} is too large", false },
    { 136, "\\C not allowed in lookbehind assertion", false },
    { 137, "PCRE does not support \\L, \\l, \\N{name}, \\U, or \\u", true },
    { 138, "number after (?C is > 255", false },
    { 139, "closing ) for (?C expected", false },
    { 142, "syntax error in subpattern name (missing terminator)", false },
    { 143, "two named subpatterns have the same name", true },
    { 144, "group name must start with a non-digit", false },
    { 147, "unknown property name after \\P or \\p", true },
    { 148, "subpattern name is too long (maximum 32 characters)", false },
    { 150, NULL, true },   /* invalid range in character class */
    { 151, NULL, true },   /* octal value is greater than \377 ... */
    { 154, "DEFINE group contains more than one branch", false },
    { 158, "(?R or (?[+-]digits must be followed by )", false },
    { 161, "number is too big", false },
    { 165, NULL, true },   /* different names for subpatterns of the same number */
    { 168, "\\c must be followed by an ASCII character", false },
    { 169, NULL, true },   /* \k is not followed by ... */
    { 171, NULL, true },   /* \N is not supported in a class */
    { 174, "setting UTF is disabled by the application", false },
    { 177, "character value in \\u.... sequence is too large", false },
    { 178, "digits missing in \\x{} or \\o{}", false },
    { RE_ERROR_INCONSISTENT_NEWLINE, "inconsistent NEWLINE options", false },
    { RE_ERROR_AFTER_QUESTION, "unrecognized character after (? or (?-", false },
    { RE_ERROR_AFTER_P, "unrecognized character after (?P", false },
    { RE_ERROR_G_ZERO, "a numbered reference must not be zero", true },
};

static const pcre1_error *pcre1_error_of(int code)
{
    for (size_t i = 0; i < sizeof pcre1_errors / sizeof pcre1_errors[0]; i++)
        if (pcre1_errors[i].code == code) return &pcre1_errors[i];
    return NULL;
}

static void compile_error_text(int code, char *buf, size_t size)
{
    const pcre1_error *e = pcre1_error_of(code);
    if (e && e->text) snprintf(buf, size, "%s", e->text);
    else if (code < 0) snprintf(buf, size, "invalid UTF-8 string");   /* the pattern is not UTF-8 */
    else if (pcre2_get_error_message(code, (PCRE2_UCHAR *)buf, size) < 0) snprintf(buf, size, "Unknown error (%d)", code);
}

/* The ')' that closes the group opening at pat[open] (skipping escapes
 * and character classes), or `open` if there is none. */
static size_t group_end(const uint8_t *pat, size_t len, size_t open)
{
    int depth = 0;
    bool in_class = false;
    for (size_t i = open; i < len; i++) {
        if (pat[i] == '\\') i++;
        else if (in_class) in_class = pat[i] != ']';
        else if (pat[i] == '[') in_class = true, i += i + 1 < len && pat[i + 1] == ']';
        else if (pat[i] == '(') depth++;
        else if (pat[i] == ')' && --depth == 0) return i;
    }
    return open;
}

static bool is_name_char(uint8_t c) { return c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }

/* Whether pat[at] lies in the condition of a "(?(" group (before the
 * condition's ')'). */
static bool in_condition(const uint8_t *pat, size_t at)
{
    for (size_t c = at; c >= 2; c--) {
        if (c < at && pat[c] == ')') return false;
        if (pat[c] == '(' && pat[c - 1] == '?' && pat[c - 2] == '(') return true;
    }
    return false;
}

/* "reference to non-existent subpattern": PCRE2 points at the number or
 * name. PCRE1 found a \N out at the end of the pattern, pointed after
 * the ')' of a condition (?(N) or (?(name), and at the byte that ends
 * any other name. */
static PCRE2_SIZE missing_group_offset(PCRE2_SIZE offset, const uint8_t *pat, size_t len)
{
    if (offset == 0 || offset >= len) return offset;
    if (pat[offset - 1] == '\\' && pat[offset] >= '1' && pat[offset] <= '9') return len;
    if (in_condition(pat, offset)) {
        const uint8_t *close = memchr(pat + offset, ')', len - offset);
        return close ? (PCRE2_SIZE)(close - pat) + 1 : offset;
    }
    while (offset < len && is_name_char(pat[offset])) offset++;
    return offset;
}

/* PCRE1's offset for an error PCRE2 reports at `offset` in pattern pat. */
static PCRE2_SIZE compile_error_offset(int code, PCRE2_SIZE offset, const uint8_t *pat, size_t len)
{
    const pcre1_error *e = pcre1_error_of(code);
    if (e && e->after && offset > 0) return offset - 1;
    /* A lookbehind that is not of fixed length: PCRE2 points at its
     * '(', PCRE1 at its ')'. */
    if (code == 125 && offset < len && pat[offset] == '(') return group_end(pat, len, offset);
    if (code == 115) return missing_group_offset(offset, pat, len);
    return offset;
}

static bool is_option_letter(uint8_t c) { return c == '-' || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }

/* PCRE1 named some errors by where they were found: a pattern ending in
 * "(?" plus option letters, "(?P", "(?<" or "\g{", a name after "(?("
 * with no terminator, and \g with no number. */
static int pcre1_code(int code, PCRE2_SIZE offset, const uint8_t *pat, size_t len)
{
    if (code == 114 && offset == len) {
        const uint8_t *open = memrchr(pat, '(', len);
        size_t c = open ? (size_t)(open - pat) : len;
        if (c + 1 >= len || pat[c + 1] != '?') return code;
        if (c + 3 == len && pat[c + 2] == 'P') return RE_ERROR_AFTER_P;
        for (size_t i = c + 2; i < len; i++)
            if (!is_option_letter(pat[i])) return code;
        return RE_ERROR_AFTER_QUESTION;
    }
    if (code == 162 && offset == len) {   /* "(?<" or "\g{" at the end */
        return len >= 3 && memcmp(pat + len - 3, "\\g{", 3) == 0 ? 157 : 142;
    }
    if (code == 157 && offset > 0 && pat[offset - 1] == 'g') return RE_ERROR_G_ZERO;
    if (code == 142) {
        size_t i = offset < len ? offset : len;
        while (i > 0 && is_name_char(pat[i - 1])) i--;
        if (i >= 3 && memcmp(pat + i - 3, "(?(", 3) == 0) return 124;
    }
    return code;
}

/* {error, {String, Offset}}, or {error, {compile, {String, Offset}}}
 * from re:run with report_errors. */
static Term compile_error(Process *p, int pcre2_code, PCRE2_SIZE offset, const re_source *s, bool from_run)
{
    const uint8_t *pat = s->bytes + RE_HEADER;
    size_t len = s->len - RE_HEADER;
    int code = pcre1_code(pcre2_code, offset, pat, len);
    char text[160];
    compile_error_text(code, text, sizeof text);
    size_t n = strlen(text);
    Term *hp = bif_alloc(p, 2 * n + 3 + 3 + (from_run ? 3 : 0));
    Term str = NIL;
    for (size_t i = n; i-- > 0;) str = cons(hp + 2 * i, make_small((uint8_t)text[i]), str);
    hp += 2 * n;
    Term err = tuple2(hp, str, make_small((SWord)compile_error_offset(code, offset, pat, len)));
    hp += 3;
    if (from_run) {
        err = tuple2(hp, am_compile, err);
        hp += 3;
    }
    return tuple2(hp, am_error, err);
}

/* {re_pattern, Captures, Unicode, UseCRLF, Bin} */
static Term pattern_term(Process *p, const re_code *c, const re_source *s, bool unicode)
{
    uint32_t nl = pattern_info(c->code, PCRE2_INFO_NEWLINE);
    bool crlf = nl == PCRE2_NEWLINE_ANY || nl == PCRE2_NEWLINE_CRLF || nl == PCRE2_NEWLINE_ANYCRLF;
    Term bin = bits_new_binary(p, s->bytes, 0, 8 * (UWord)s->len);
    Term *hp = bif_alloc(p, 6);
    return tuple5(hp, ATOM_NAMED("re_pattern"), make_small(pattern_info(c->code, PCRE2_INFO_CAPTURECOUNT)),
                  make_small(unicode), make_small(crlf), bin);
}

/* --- traps into re.erl ------------------------------------------------------------ */

/* Continues as a call of re:Name/n (OTP's BIF_TRAP): the arguments go to
 * the x registers (args is x for every caller of these BIFs). */
static Term trap_to_re(Process *p, Term *args, Term name, unsigned n, const Term *a)
{
    Export *e = export_put(ATOM_NAMED("re"), name, n);
    if (!e) abort();
    Term tmp[3];
    memcpy(tmp, a, n * sizeof(Term));
    memcpy(args, tmp, n * sizeof(Term));
    p->i = export_address(e);   /* p->arity stays 0: nothing is saved (gc.h) */
    p->freason = EXC_TRAP;
    return THE_NON_VALUE;
}

/* The pattern's iodata bytes: a fresh source for opts; false if not iodata. */
static bool source_from_iodata(Process *p, Term re, const re_opts *o, re_source *s)
{
    const uint8_t *bytes;
    size_t len;
    uint8_t *owned;
    if (!iodata_bytes(p, re, &bytes, &len, &owned)) return false;
    *s = source_make(o, bytes, len);
    free(owned);
    return true;
}

/* --- re:compile/1,2, re:version/0 ------------------------------------------------ */

static Term re_compile(Process *p, Term *args, Term re, Term options)
{
    re_opts o;
    if (!parse_options(options, &o) || (o.flags & OPT_RUN_ONLY)) BIF_ERROR_CAUSE(p, EXC_BADARG, ATOM_NAMED("badopt"));
    bool unicode = o.flags & OPT_UNICODE;
    if (unicode && !term_is_binary_like(re)) return trap_to_re(p, args, ATOM_NAMED("ucompile"), 2, (Term[]){ re, options });
    re_source s;
    if (!source_from_iodata(p, re, &o, &s)) BIF_ERROR(p, EXC_BADARG);
    int err;
    PCRE2_SIZE erroff;
    re_code *c = re_code_get(&s, &err, &erroff);
    Term result;
    if (!c) {
        result = compile_error(p, err, erroff, &s, false);
    } else {
        Term mp = pattern_term(p, c, &s, unicode);
        result = tuple2(bif_alloc(p, 3), am_ok, mp);
    }
    re_code_release(c);
    free(s.bytes);
    return result;
}

Term bif_re_compile_1(Process *p, Term *args) { return re_compile(p, args, args[0], NIL); }
Term bif_re_compile_2(Process *p, Term *args) { return re_compile(p, args, args[0], args[1]); }

Term bif_re_version_0(Process *p, Term *args)
{
    (void)args;
    char version[64];
    int n = pcre2_config(PCRE2_CONFIG_VERSION, version);
    return bits_new_binary(p, (const uint8_t *)version, 0, 8 * (UWord)(n > 0 ? n - 1 : 0));
}

/* --- capture specifications ------------------------------------------------------- */

typedef enum { RET_INDEX, RET_LIST, RET_BINARY, RET_NONE } ret_type;

/* erl_bif_re.c's ReturnInfo: num_spec 0 is all, -1 all_but_first, > 0
 * the groups in v. A name that several groups share is -k followed by
 * its k group numbers; the first of them that is set is reported. */
typedef struct capture_spec {
    ret_type type;
    int num_spec;
    int *v;
    size_t cap;
} capture_spec;

static void spec_push(capture_spec *cs, int value)
{
    if ((size_t)cs->num_spec == cs->cap) {
        cs->cap = cs->cap ? 2 * cs->cap : 8;
        cs->v = realloc(cs->v, cs->cap * sizeof(int));
        if (!cs->v) abort();
    }
    cs->v[cs->num_spec++] = value;
}

static int nametable_index(const uint8_t *entry) { return entry[0] << 8 | entry[1]; }

static void spec_push_name(capture_spec *cs, const pcre2_code *code, const char *name)
{
    PCRE2_SPTR first, last;
    int esize = pcre2_substring_nametable_scan(code, (PCRE2_SPTR)name, &first, &last);
    if (esize < 0) {
        spec_push(cs, -1);
    } else if (first == last) {
        spec_push(cs, nametable_index(first));
    } else {
        int k = (int)((last - first) / esize) + 1;
        spec_push(cs, -k);
        for (; first <= last; first += esize) spec_push(cs, nametable_index(first));
    }
}

/* Every name once, in the name table's (alphabetical) order. */
static void spec_push_all_names(capture_spec *cs, const pcre2_code *code)
{
    uint32_t count = pattern_info(code, PCRE2_INFO_NAMECOUNT), esize = pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE);
    PCRE2_SPTR table = NULL;
    pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &table);
    const char *last = NULL;
    for (uint32_t i = 0; i < count; i++) {
        const char *name = (const char *)table + i * esize + 2;
        if (!last || strcmp(last, name) != 0) spec_push_name(cs, code, name);
        last = name;
    }
}

/* A group named by an atom, a binary or a string. */
static bool spec_push_named(Process *p, capture_spec *cs, const pcre2_code *code, Term id)
{
    if (term_is_atom(id)) {
        spec_push_name(cs, code, atom_text(id));
        return true;
    }
    const uint8_t *bytes;
    size_t len;
    uint8_t *owned;
    if (!iodata_bytes(p, id, &bytes, &len, &owned)) return false;
    char *name = malloc(len + 1);
    if (!name) abort();
    memcpy(name, bytes, len);
    name[len] = 0;
    free(owned);
    spec_push_name(cs, code, name);
    free(name);
    return true;
}

static bool spec_push_list(Process *p, capture_spec *cs, const pcre2_code *code, Term list)
{
    for (; term_is_list(list); list = list_tail(list)) {
        Term id = list_head(list);
        uint32_t n;
        if (nonneg_int(id, &n)) spec_push(cs, (int)n);
        else if (!(term_is_atom(id) || term_is_binary_like(id) || term_is_list(id))) return false;
        else if (!spec_push_named(p, cs, code, id)) return false;
    }
    return term_is_nil(list);
}

/* erl_bif_re.c's build_capture; false for a bad specification. */
static bool capture_spec_build(Process *p, const re_opts *o, const pcre2_code *code, capture_spec *cs)
{
    memset(cs, 0, sizeof *cs);
    cs->type = RET_INDEX;
    if (!(o->flags & OPT_CAPTURE)) return true;
    Term type = o->capture_type, values = o->capture_values;
    if (type == ATOM_NAMED("index")) cs->type = RET_INDEX;
    else if (type == ATOM_NAMED("list")) cs->type = RET_LIST;
    else if (type == am_binary) cs->type = RET_BINARY;
    else return false;
    if (values == am_all) return true;
    if (values == am_none || values == NIL) { cs->type = RET_NONE; return true; }
    if (values == ATOM_NAMED("all_but_first")) { cs->num_spec = -1; return true; }
    if (values == ATOM_NAMED("first")) { spec_push(cs, 0); return true; }
    if (values == ATOM_NAMED("all_names")) {
        spec_push_all_names(cs, code);
        if (cs->num_spec == 0) cs->type = RET_NONE;
        return true;
    }
    return term_is_list(values) && spec_push_list(p, cs, code, values);
}

/* --- match results ------------------------------------------------------------------ */

typedef struct match_result {
    const uint8_t *subject;
    Term subject_bin;          /* the subject when it is a binary (sub binaries of it), else NIL */
    const PCRE2_SIZE *ovector;
    int rc;                    /* pcre2_match's count: groups 0..rc-1 may be set */
} match_result;

/* The groups to report, in order, as indices into the ovector (-1 for
 * "unset"), resolving duplicate names as build_exec_return does. */
static size_t selected_groups(const capture_spec *cs, const match_result *m, int *out)
{
    size_t n = 0;
    if (cs->num_spec <= 0) {
        for (int i = -cs->num_spec; i < m->rc; i++) out[n++] = i;
        return n;
    }
    for (int i = 0; i < cs->num_spec; i++) {
        int x = cs->v[i];
        if (x < -1) {   /* -k, then k candidates: the first that is set */
            int end = i - x + 1;
            for (int j = i + 1; j < cs->num_spec && j < end; j++) {
                if (m->ovector[2 * cs->v[j]] != PCRE2_UNSET) { x = cs->v[j]; break; }
            }
            i = end - 1;
        }
        out[n++] = x >= 0 && x < m->rc ? x : -1;
    }
    return n;
}

static Term index_term(Process *p, const match_result *m, int g)
{
    Term *hp = bif_alloc(p, 3);
    if (g < 0 || m->ovector[2 * g] == PCRE2_UNSET) return tuple2(hp, make_small(-1), make_small(0));
    PCRE2_SIZE start = m->ovector[2 * g], len = m->ovector[2 * g + 1] - start;
    return tuple2(hp, make_small((SWord)start), make_small((SWord)len));
}

/* A group's text as a binary (a sub binary of a binary subject) or a
 * list of bytes. An unset group is <<>>/[] (an unset group reached
 * through all/all_but_first keeps the subject's start, as OTP). */
static Term text_term(Process *p, const match_result *m, int g, ret_type type)
{
    size_t start = 0, len = 0;
    if (g >= 0 && m->ovector[2 * g] != PCRE2_UNSET) {
        start = m->ovector[2 * g];
        len = m->ovector[2 * g + 1] - start;
    }
    if (type == RET_BINARY) {
        if (m->subject_bin != NIL && g >= 0) return bits_sub_binary(p, m->subject_bin, 8 * start, 8 * len);
        return bits_new_binary(p, m->subject + start, 0, 8 * len);
    }
    if (len == 0) return NIL;
    Term *hp = bif_alloc(p, 2 * len);
    Term list = NIL;
    for (size_t i = len; i-- > 0;) list = cons(hp + 2 * i, make_small(m->subject[start + i]), list);
    return list;
}

static Term match_term(Process *p, const capture_spec *cs, const match_result *m)
{
    if (cs->type == RET_NONE) return ATOM_NAMED("match");
    size_t max = cs->num_spec > 0 ? (size_t)cs->num_spec : (size_t)m->rc;
    int *groups = malloc((max ? max : 1) * sizeof(int));
    Term *items = malloc((max ? max : 1) * sizeof(Term));
    if (!groups || !items) abort();
    size_t n = selected_groups(cs, m, groups);
    for (size_t i = 0; i < n; i++)
        items[i] = cs->type == RET_INDEX ? index_term(p, m, groups[i]) : text_term(p, m, groups[i], cs->type);
    Term *hp = bif_alloc(p, 2 * n + 3);
    Term list = NIL;
    for (size_t i = n; i-- > 0;) list = cons(hp + 2 * i, items[i], list);
    free(groups);
    free(items);
    return tuple2(hp + 2 * n, ATOM_NAMED("match"), list);
}

/* --- re:run/2,3, re:internal_run/4 ----------------------------------------------------- */

static bool is_pattern_shape(Term re) { return term_is_tuple(re) && tuple_arity(re) == 5; }

static bool is_valid_pattern_tuple(Term re)
{
    const Term *e = tuple_elements(re);
    return e[0] == ATOM_NAMED("re_pattern") && term_is_small(e[1]) && term_is_small(e[2]) && term_is_small(e[3]) &&
           term_is_binary_like(e[4]);
}

/* {error, What} with report_errors, else nomatch. */
static Term limit_hit(Process *p, bool report_errors, Term what)
{
    return report_errors ? tuple2(bif_alloc(p, 3), am_error, what) : ATOM_NAMED("nomatch");
}

/* The result of a failed pcre2_match, or badarg (bad UTF-8 in the
 * subject, an offset past its end or inside a character; OTP 25 panics
 * with internal_error for the offset). */
static Term match_failure(Process *p, int rc, bool report_errors)
{
    switch (rc) {
    case PCRE2_ERROR_NOMATCH:
    case PCRE2_ERROR_RECURSELOOP:
        return ATOM_NAMED("nomatch");
    case PCRE2_ERROR_MATCHLIMIT:
        return limit_hit(p, report_errors, ATOM_NAMED("match_limit"));
    case PCRE2_ERROR_DEPTHLIMIT:
    case PCRE2_ERROR_HEAPLIMIT:   /* PCRE2's backtracking memory: PCRE1's recursion */
        return limit_hit(p, report_errors, ATOM_NAMED("match_limit_recursion"));
    default:
        return raise_error(p, EXC_BADARG, NIL);
    }
}

/* The compiled code for re:run's pattern argument, or a finished result
 * in *done (a trap, an error, {error, {compile, _}}). */
typedef struct run_setup {
    re_code *code;
    Term done;
} run_setup;

static run_setup setup_text_pattern(Process *p, Term *args, Term subject, Term re, Term options, const re_opts *o)
{
    run_setup r = { NULL, THE_NON_VALUE };
    bool list_cap = (o->flags & OPT_CAPTURE) && o->capture_type == ATOM_NAMED("list");
    if ((o->flags & OPT_UNICODE) &&
        (!term_is_binary_like(re) || !term_is_binary_like(subject) || (list_cap && !(o->flags & OPT_GLOBAL)))) {
        r.done = trap_to_re(p, args, ATOM_NAMED("urun"), 3, (Term[]){ subject, re, options });
        return r;
    }
    re_source s;
    if (!source_from_iodata(p, re, o, &s)) { r.done = raise_error(p, EXC_BADARG, NIL); return r; }
    int err;
    PCRE2_SIZE erroff;
    r.code = re_code_get(&s, &err, &erroff);
    if (!r.code) {
        r.done = (o->flags & OPT_REPORT_ERRORS) ? compile_error(p, err, erroff, &s, true) : raise_error(p, EXC_BADARG, NIL);
    } else if (o->flags & OPT_GLOBAL) {
        /* re:grun(Subject, Compiled, {Options, HasCompileOptions, RE}):
         * RE only so that errors show the caller's arguments. */
        Term mp = pattern_term(p, r.code, &s, o->flags & OPT_UNICODE);
        Term info = tuple3(bif_alloc(p, 4), options, (o->flags & OPT_COMPILE_ONLY) ? am_true : am_false, re);
        r.done = trap_to_re(p, args, ATOM_NAMED("grun"), 3, (Term[]){ subject, mp, info });
        re_code_release(r.code);
        r.code = NULL;
    }
    free(s.bytes);
    return r;
}

static run_setup setup_compiled_pattern(Process *p, Term *args, Term subject, Term re, Term options, const re_opts *o)
{
    run_setup r = { NULL, THE_NON_VALUE };
    if ((o->flags & OPT_COMPILE_ONLY) || !is_valid_pattern_tuple(re)) { r.done = raise_error(p, EXC_BADARG, NIL); return r; }
    bool list_cap = (o->flags & OPT_CAPTURE) && o->capture_type == ATOM_NAMED("list");
    if (small_value(tuple_elements(re)[2]) != 0 &&
        (!term_is_binary_like(subject) || (list_cap && !(o->flags & OPT_GLOBAL)))) {
        r.done = trap_to_re(p, args, ATOM_NAMED("urun"), 3, (Term[]){ subject, re, options });
        return r;
    }
    if (o->flags & OPT_GLOBAL) {
        Term info = tuple2(bif_alloc(p, 3), options, am_false);
        r.done = trap_to_re(p, args, ATOM_NAMED("grun"), 3, (Term[]){ subject, re, info });
        return r;
    }
    re_source s;
    if (!source_from_binary(tuple_elements(re)[4], o->newline, o->bsr, &s)) { r.done = raise_error(p, EXC_BADARG, NIL); return r; }
    int err;
    PCRE2_SIZE erroff;
    r.code = re_code_get(&s, &err, &erroff);
    if (!r.code) r.done = raise_error(p, EXC_BADARG, NIL);
    free(s.bytes);
    return r;
}

/* PCRE1 checked all of a UTF-8 subject; PCRE2 only the part a match may
 * look at. */
static bool subject_utf8_ok(const pcre2_code *code, const re_opts *o, const uint8_t *s, size_t len)
{
    size_t chars;
    if (!(pattern_info(code, PCRE2_INFO_ALLOPTIONS) & PCRE2_UTF) || (o->match & PCRE2_NO_UTF_CHECK)) return true;
    return utf8_count((const char *)s, len, &chars);
}

static pcre2_match_context *match_context(const re_opts *o)
{
    if (!(o->flags & (OPT_MATCH_LIMIT | OPT_DEPTH_LIMIT))) return NULL;
    pcre2_match_context *mc = pcre2_match_context_create(NULL);
    if (!mc) abort();
    if (o->flags & OPT_MATCH_LIMIT) pcre2_set_match_limit(mc, o->match_limit);
    if (o->flags & OPT_DEPTH_LIMIT) pcre2_set_depth_limit(mc, o->depth_limit);
    return mc;
}

/* One reduction per ten bytes from the offset to where the match ended
 * (or the subject did): roughly OTP's count of PCRE loops / 10. */
static void charge_match(Process *p, size_t from, size_t to)
{
    BUMP_REDS(p, 1 + (to > from ? to - from : 0) / 10);
}

/* Matches subject against code and builds the result; THE_NON_VALUE
 * with badarg raised for a bad subject. */
static Term match_subject(Process *p, const pcre2_code *code, Term subject, const re_opts *o, const capture_spec *cs)
{
    const uint8_t *bytes;
    size_t len;
    uint8_t *owned;
    if (!iodata_bytes(p, subject, &bytes, &len, &owned)) BIF_ERROR(p, EXC_BADARG);
    if (!subject_utf8_ok(code, o, bytes, len)) {
        free(owned);
        BUMP_REDS(p, CONTEXT_REDS);   /* OTP: an unknown amount of work */
        BIF_ERROR(p, EXC_BADARG);
    }
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
    pcre2_match_context *mc = match_context(o);
    if (!md) abort();
    int rc = pcre2_match(code, bytes, len, o->offset, o->match, md, mc);
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    charge_match(p, o->offset, rc >= 0 ? ov[1] : len);
    match_result m = { bytes, owned ? NIL : subject, ov, rc };
    Term result = rc >= 0 ? match_term(p, cs, &m) : match_failure(p, rc, o->flags & OPT_REPORT_ERRORS);
    pcre2_match_context_free(mc);
    pcre2_match_data_free(md);
    free(owned);
    return result;
}

/* erl_bif_re.c's re_run; `first` false (from re:grun's loop) skips the
 * UTF-8 check of a subject an earlier call has checked. */
static Term re_run(Process *p, Term *args, Term subject, Term re, Term options, bool first)
{
    re_opts o;
    if (!parse_options(options, &o)) BIF_ERROR_CAUSE(p, EXC_BADARG, ATOM_NAMED("badopt"));
    if (!first) o.match |= PCRE2_NO_UTF_CHECK;
    run_setup r;
    if (is_pattern_shape(re)) r = setup_compiled_pattern(p, args, subject, re, options, &o);
    else if (term_is_binary_like(re) || term_is_list(re) || term_is_nil(re)) r = setup_text_pattern(p, args, subject, re, options, &o);
    else BIF_ERROR(p, EXC_BADARG);
    if (!r.code) return r.done;
    capture_spec cs;
    Term result;
    if (!capture_spec_build(p, &o, r.code->code, &cs)) result = raise_error(p, EXC_BADARG, NIL);
    else result = match_subject(p, r.code->code, subject, &o, &cs);
    free(cs.v);
    re_code_release(r.code);
    return result;
}

Term bif_re_run_2(Process *p, Term *args) { return re_run(p, args, args[0], args[1], NIL, true); }
Term bif_re_run_3(Process *p, Term *args) { return re_run(p, args, args[0], args[1], args[2], true); }

Term bif_re_internal_run_4(Process *p, Term *args)
{
    if (args[3] != am_true && args[3] != am_false) BIF_ERROR(p, EXC_BADARG);
    return re_run(p, args, args[0], args[1], args[2], args[3] == am_true);
}

/* --- re:inspect/2 ------------------------------------------------------------------- */

/* {namelist, [Name]}: every group name once, as binaries, in the name
 * table's (alphabetical) order. */
static Term namelist_term(Process *p, const pcre2_code *code)
{
    uint32_t count = pattern_info(code, PCRE2_INFO_NAMECOUNT), esize = pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE);
    PCRE2_SPTR table = NULL;
    pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &table);
    Term *names = malloc((count ? count : 1) * sizeof(Term));
    if (!names) abort();
    size_t n = 0;
    const char *last = NULL;
    for (uint32_t i = 0; i < count; i++) {
        const char *name = (const char *)table + i * esize + 2;
        if (!last || strcmp(last, name) != 0) names[n++] = bits_new_binary(p, (const uint8_t *)name, 0, 8 * strlen(name));
        last = name;
    }
    Term *hp = bif_alloc(p, 2 * n + 3);
    Term list = NIL;
    for (size_t i = n; i-- > 0;) list = cons(hp + 2 * i, names[i], list);
    free(names);
    return tuple2(hp + 2 * n, ATOM_NAMED("namelist"), list);
}

Term bif_re_inspect_2(Process *p, Term *args)
{
    if (!is_pattern_shape(args[0]) || !is_valid_pattern_tuple(args[0]) || args[1] != ATOM_NAMED("namelist"))
        BIF_ERROR(p, EXC_BADARG);
    re_source s;
    if (!source_from_binary(tuple_elements(args[0])[4], 0, 0, &s)) BIF_ERROR(p, EXC_BADARG);
    int err;
    PCRE2_SIZE erroff;
    re_code *c = re_code_get(&s, &err, &erroff);
    free(s.bytes);
    if (!c) BIF_ERROR(p, EXC_BADARG);
    Term result = namelist_term(p, c->code);
    re_code_release(c);
    return result;
}
