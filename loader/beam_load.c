/*
 * beam_load.c — reads a .beam file into a beam_module (see beam_module.h).
 *
 * Error handling follows Lua's model: every check that can refuse the file
 * calls LOAD_FAIL, which formats the one-line error and longjmps back to
 * beam_load(). Nothing allocated before that point can leak: module tables
 * live in the module's arena and literal area, and the loader's growable
 * scratch arrays are owned by the `loader` and freed on both paths.
 *
 * Order of work: the container, then the chunks the code refers to (atoms,
 * types, literals, strings, imports, lambdas, exports), then the code itself
 * so each operand is checked against them, then what only points into the
 * code (export and lambda labels), the line table, the terms in Attr/CInf/
 * Meta, and the MD5.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "atom.h"
#include "beam_module.h"
#include "bignum.h"
#include "compact.h"
#include "etf.h"
#include "genop.h"
#include "md5.h"
#include "strbuf.h"
#include "utf8.h"

#define MAX_REG 1024
#define BEAM_FORMAT_NUMBER 0
#define BEAM_TYPES_VERSION 1
#define LINE_VERSION 0
/* zlib cannot expand data by more than about 1032:1; a LitT header that
 * claims more is lying, and believing it would let a tiny file allocate
 * gigabytes. */
#define ZLIB_MAX_RATIO 1032

static const char *const chunk_names[CHUNK__COUNT] = {
    "AtU8", "Code", "StrT", "ImpT", "ExpT", "FunT", "LitT", "LocT", "Line", "Attr", "CInf", "Type", "Meta", "Atom",
};

typedef struct loader {
    const char *path;
    const uint8_t *file;
    size_t len;
    beam_module *m;
    strbuf *err;
    const char *chunk;        /* chunk being read, for errors; NULL = container */
    jmp_buf fail;
    /* Growable scratch arrays for the code, owned here until copied. */
    beam_instr *code;
    size_t code_len, code_cap;
    beam_operand *ops;
    size_t ops_len, ops_cap;
    beam_alloc_list *allocs;
    size_t allocs_len, allocs_cap;
    uint8_t *inflated;        /* LitT after zlib */
} loader;

/* A bounds-checked view of part of the file. */
typedef struct cursor {
    const uint8_t *pos, *end;
} cursor;

/* --- failing -------------------------------------------------------------- */

#define LOAD_FAIL(ld, offset, ...) load_fail((ld), (offset), __VA_ARGS__)

__attribute__((noreturn, format(printf, 3, 4)))
static void load_fail(loader *ld, size_t offset, const char *fmt, ...)
{
    sb_reset(ld->err);
    sb_printf(ld->err, "%s: ", ld->path);
    if (ld->chunk) sb_printf(ld->err, "%s chunk, ", ld->chunk);
    sb_printf(ld->err, "offset %zu: ", offset);
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(ld->err, fmt, ap);
    va_end(ap);
    longjmp(ld->fail, 1);
}

static size_t file_offset(const loader *ld, const uint8_t *p) { return (size_t)(p - ld->file); }

static void *module_alloc(loader *ld, size_t count, size_t size, const uint8_t *where)
{
    void *p = arena_calloc(&ld->m->mem, count ? count : 1, size);
    if (!p) LOAD_FAIL(ld, file_offset(ld, where), "out of memory allocating %zu entries", count);
    return p;
}

/* Grows a scratch array so that it holds at least one more element. */
static void *grow(loader *ld, void *array, size_t *cap, size_t len, size_t elem, const uint8_t *where)
{
    if (len < *cap) return array;
    size_t new_cap = *cap ? *cap * 2 : 1024;
    void *p = realloc(array, new_cap * elem);
    if (!p) LOAD_FAIL(ld, file_offset(ld, where), "out of memory decoding code");
    *cap = new_cap;
    return p;
}

/* Makes room for n elements at once (a bound known up front), so that
 * grow never has to copy the array. */
static void *reserve(loader *ld, void *array, size_t *cap, size_t n, size_t elem, const uint8_t *where)
{
    if (n <= *cap) return array;
    void *p = realloc(array, n * elem);
    if (!p) LOAD_FAIL(ld, file_offset(ld, where), "out of memory decoding code");
    *cap = n;
    return p;
}

/* Moves a finished scratch array into the module's arena (not zeroed
 * first: every byte is copied over). */
static void *copy_out(loader *ld, const void *scratch, size_t count, size_t size, const uint8_t *where)
{
    if (!count) return module_alloc(ld, 0, size, where);
    void *p = size && count > SIZE_MAX / size ? NULL : arena_alloc(&ld->m->mem, count * size);
    if (!p) LOAD_FAIL(ld, file_offset(ld, where), "out of memory allocating %zu entries", count);
    memcpy(p, scratch, count * size);
    return p;
}

/* --- reading bytes --------------------------------------------------------- */

static cursor chunk_cursor(loader *ld, int id)
{
    const beam_chunk_ref *c = &ld->m->chunks[id];
    ld->chunk = chunk_names[id];
    return (cursor){ ld->file + c->offset, ld->file + c->offset + c->size };
}

static void need(loader *ld, const cursor *c, size_t n, const char *what)
{
    if ((size_t)(c->end - c->pos) < n)
        LOAD_FAIL(ld, file_offset(ld, c->pos), "truncated: %s needs %zu byte%s, %zu remain", what, n, n == 1 ? "" : "s",
                  (size_t)(c->end - c->pos));
}

static uint32_t get_u32(loader *ld, cursor *c, const char *what)
{
    need(ld, c, 4, what);
    const uint8_t *p = c->pos;
    c->pos += 4;
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_u64(loader *ld, cursor *c, const char *what)
{
    uint64_t hi = get_u32(ld, c, what);
    return hi << 32 | get_u32(ld, c, what);
}

/* A count of entries of at least `entry_size` bytes each: refuses counts
 * that cannot fit in what remains, before anything is allocated for them. */
static uint32_t get_count(loader *ld, cursor *c, size_t entry_size, const char *what)
{
    const uint8_t *at = c->pos;
    uint32_t n = get_u32(ld, c, what);
    if (entry_size && n > (size_t)(c->end - c->pos) / entry_size)
        LOAD_FAIL(ld, file_offset(ld, at), "%s count %u does not fit in the %zu bytes that follow", what, n,
                  (size_t)(c->end - c->pos));
    return n;
}

/* --- the container ---------------------------------------------------------- */

static int chunk_id(const uint8_t *id)
{
    for (int i = 0; i < CHUNK__COUNT; i++)
        if (memcmp(id, chunk_names[i], 4) == 0) return i;
    return -1;
}

/* A chunk id for an error message: printable ASCII as is, any other byte
 * as \xNN, so that the message stays one line of text. */
static const char *printable_id(const uint8_t *id, char out[17])
{
    char *p = out;
    for (int i = 0; i < 4; i++) {
        if (id[i] >= 0x20 && id[i] < 0x7F && id[i] != '\\' && id[i] != '\'') *p++ = (char)id[i];
        else p += sprintf(p, "\\x%02X", id[i]);
    }
    *p = '\0';
    return out;
}

static void read_container(loader *ld)
{
    cursor c = { ld->file, ld->file + ld->len };
    need(ld, &c, 12, "the FOR1/BEAM header");
    if (memcmp(c.pos, "FOR1", 4) != 0) LOAD_FAIL(ld, 0, "not a BEAM file: no FOR1 form header");
    c.pos += 4;
    uint32_t form_size = get_u32(ld, &c, "form size");
    if (form_size > ld->len - 8)
        LOAD_FAIL(ld, 4, "the file is truncated: it has %zu bytes, its form size %u says %llu", ld->len, form_size,
                  (unsigned long long)form_size + 8);
    c.end = ld->file + 8 + form_size;
    if ((size_t)(c.end - c.pos) < 4 || memcmp(c.pos, "BEAM", 4) != 0)
        LOAD_FAIL(ld, 8, "not a BEAM file: form type is not BEAM");
    c.pos += 4;
    while (c.pos < c.end) {
        const uint8_t *header = c.pos;
        need(ld, &c, 8, "a chunk header");
        const uint8_t *id = c.pos;
        c.pos += 4;
        uint32_t size = get_u32(ld, &c, "chunk size");
        if (size > (size_t)(c.end - c.pos)) {
            char name[17];
            LOAD_FAIL(ld, file_offset(ld, header), "chunk '%s' size %u runs past the end of the form", printable_id(id, name),
                      size);
        }
        int which = chunk_id(id);
        if (which >= 0) ld->m->chunks[which] = (beam_chunk_ref){ (uint32_t)file_offset(ld, c.pos), size };
        size_t padded = ((size_t)size + 3) & ~(size_t)3;
        c.pos += padded < (size_t)(c.end - c.pos) ? padded : (size_t)(c.end - c.pos);
    }
    static const int mandatory[] = { CHUNK_Code, CHUNK_ImpT, CHUNK_ExpT };
    if (!ld->m->chunks[CHUNK_AtU8].offset) {
        if (ld->m->chunks[CHUNK_Atom].offset) {
            ld->chunk = "Atom";
            LOAD_FAIL(ld, ld->m->chunks[CHUNK_Atom].offset,
                      "obsolete Latin-1 atom table: re-compile the module with OTP 20 or later");
        }
        ld->chunk = "AtU8";
        LOAD_FAIL(ld, 12, "mandatory chunk is missing");
    }
    for (size_t i = 0; i < sizeof mandatory / sizeof mandatory[0]; i++) {
        if (!ld->m->chunks[mandatory[i]].offset) {
            ld->chunk = chunk_names[mandatory[i]];
            LOAD_FAIL(ld, 12, "mandatory chunk is missing");
        }
    }
}

/* --- tables ------------------------------------------------------------------ */

static void read_atoms(loader *ld)
{
    beam_module *m = ld->m;
    cursor c = chunk_cursor(ld, CHUNK_AtU8);
    uint32_t n = get_count(ld, &c, 1, "atom");
    if (n == 0) LOAD_FAIL(ld, file_offset(ld, c.pos), "the atom table is empty: no module name");
    m->atom_count = n;
    m->atoms = module_alloc(ld, (size_t)n + 1, sizeof(Term), c.pos);
    m->atoms[0] = NIL;
    for (uint32_t i = 1; i <= n; i++) {
        const uint8_t *at = c.pos;
        need(ld, &c, 1, "atom length");
        size_t len = *c.pos++;
        need(ld, &c, len, "atom text");
        atom_status s = atom_put((const char *)c.pos, len, &m->atoms[i]);
        if (s == ATOM_BAD_UTF8) LOAD_FAIL(ld, file_offset(ld, at), "atom %u is not valid UTF-8", i);
        if (s == ATOM_TOO_LONG) LOAD_FAIL(ld, file_offset(ld, at), "atom %u is longer than 255 characters", i);
        if (s == ATOM_TABLE_FULL) LOAD_FAIL(ld, file_offset(ld, at), "atom %u: the atom table is full", i);
        c.pos += len;
    }
    m->name = m->atoms[1];
}

static Term atom_ref(loader *ld, uint32_t index, const uint8_t *at, const char *what)
{
    if (index == 0 || index > ld->m->atom_count)
        LOAD_FAIL(ld, file_offset(ld, at), "%s atom index %u out of range 1..%u", what, index, ld->m->atom_count);
    return ld->m->atoms[index];
}

static void read_types(loader *ld)
{
    beam_module *m = ld->m;
    if (!m->chunks[CHUNK_Type].offset) return;
    cursor c = chunk_cursor(ld, CHUNK_Type);
    /* As OTP: another version of the table turns type information off. */
    if (get_u32(ld, &c, "Type version") != BEAM_TYPES_VERSION) return;
    uint32_t n = get_count(ld, &c, 18, "type");
    m->types = module_alloc(ld, n, sizeof *m->types, c.pos);
    m->type_count = n;
    for (uint32_t i = 0; i < n; i++) {
        need(ld, &c, 2, "type bits");
        m->types[i].bits = (uint16_t)(c.pos[0] << 8 | c.pos[1]);
        c.pos += 2;
        m->types[i].min = (int64_t)get_u64(ld, &c, "type range");
        m->types[i].max = (int64_t)get_u64(ld, &c, "type range");
    }
}

static void decode_literal(loader *ld, const uint8_t *chunk_at, uint32_t index, const uint8_t *bytes, size_t size,
                           size_t inflated_offset)
{
    etf_error e = { 0 };
    size_t used = 0;
    Term t;
    if (!etf_decode(bytes, size, &ld->m->literals_area.sink, &t, &used, &e))
        LOAD_FAIL(ld, file_offset(ld, chunk_at), "literal %u (inflated byte %zu): bad external term at its byte %zu: %s%s%s%s",
                  index, inflated_offset, e.offset, e.what ? e.what : "malformed", e.detail[0] ? " (" : "", e.detail,
                  e.detail[0] ? ")" : "");
    if (used != size)
        LOAD_FAIL(ld, file_offset(ld, chunk_at), "literal %u (inflated byte %zu): the term is %zu bytes, its entry says %zu",
                  index, inflated_offset, used, size);
    ld->m->literals[index] = t;
}

static void read_literals(loader *ld)
{
    beam_module *m = ld->m;
    if (!m->chunks[CHUNK_LitT].offset) return;
    cursor c = chunk_cursor(ld, CHUNK_LitT);
    const uint8_t *chunk_at = c.pos;
    uint32_t size = get_u32(ld, &c, "LitT uncompressed size");
    size_t compressed = (size_t)(c.end - c.pos);
    if ((uint64_t)size > (uint64_t)compressed * ZLIB_MAX_RATIO + 64)
        LOAD_FAIL(ld, file_offset(ld, chunk_at), "uncompressed size %u is impossible for %zu compressed bytes", size,
                  compressed);
    ld->inflated = malloc(size ? size : 1);
    if (!ld->inflated) LOAD_FAIL(ld, file_offset(ld, chunk_at), "out of memory inflating %u bytes", size);
    /* inflate() rather than uncompress(), for zlib's own account of what is
     * wrong with corrupt data ("incorrect header check", ...). */
    z_stream zs = { .next_in = (Bytef *)c.pos, .avail_in = (uInt)compressed,
                    .next_out = ld->inflated, .avail_out = size };
    if (inflateInit(&zs) != Z_OK) LOAD_FAIL(ld, file_offset(ld, chunk_at), "out of memory inflating %u bytes", size);
    int z = inflate(&zs, Z_FINISH);
    char zmsg[80];
    snprintf(zmsg, sizeof zmsg, "%s", zs.msg ? zs.msg : zError(z));
    uLong out_len = zs.total_out;
    inflateEnd(&zs);
    if (z == Z_BUF_ERROR && zs.avail_out == 0)
        LOAD_FAIL(ld, file_offset(ld, chunk_at), "uncompressed size %u is smaller than the inflated data", size);
    if (z == Z_BUF_ERROR) LOAD_FAIL(ld, file_offset(ld, c.pos), "corrupt zlib data: the stream is truncated");
    if (z != Z_STREAM_END) LOAD_FAIL(ld, file_offset(ld, c.pos), "corrupt zlib data: %s", zmsg);
    if (out_len != size)
        LOAD_FAIL(ld, file_offset(ld, chunk_at), "uncompressed size %u, but the data inflates to %lu bytes", size,
                  (unsigned long)out_len);
    cursor lit = { ld->inflated, ld->inflated + size };
    /* Offsets inside the inflated data are not file offsets: errors name the
     * chunk's offset and the inflated byte. */
    if (size < 4) LOAD_FAIL(ld, file_offset(ld, chunk_at), "inflated literal table is %u bytes, too short for its count", size);
    uint32_t n = (uint32_t)lit.pos[0] << 24 | (uint32_t)lit.pos[1] << 16 | (uint32_t)lit.pos[2] << 8 | lit.pos[3];
    lit.pos += 4;
    if (n > (size - 4) / 5)
        LOAD_FAIL(ld, file_offset(ld, chunk_at), "literal count %u does not fit in %u inflated bytes", n, size);
    m->literals = module_alloc(ld, n, sizeof(Term), chunk_at);
    m->literal_count = n;
    for (uint32_t i = 0; i < n; i++) {
        size_t at = (size_t)(lit.pos - ld->inflated);
        if (lit.end - lit.pos < 4) LOAD_FAIL(ld, file_offset(ld, chunk_at), "literal %u (inflated byte %zu): truncated size", i, at);
        uint32_t len = (uint32_t)lit.pos[0] << 24 | (uint32_t)lit.pos[1] << 16 | (uint32_t)lit.pos[2] << 8 | lit.pos[3];
        lit.pos += 4;
        if (len > (size_t)(lit.end - lit.pos))
            LOAD_FAIL(ld, file_offset(ld, chunk_at), "literal %u (inflated byte %zu): size %u runs past the table", i, at, len);
        decode_literal(ld, chunk_at, i, lit.pos, len, at);
        lit.pos += len;
    }
    if (lit.pos != lit.end)
        LOAD_FAIL(ld, file_offset(ld, chunk_at), "%zu bytes left over after literal %u", (size_t)(lit.end - lit.pos), n);
    free(ld->inflated);
    ld->inflated = NULL;
}

static void read_strings(loader *ld)
{
    if (!ld->m->chunks[CHUNK_StrT].offset) return;
    cursor c = chunk_cursor(ld, CHUNK_StrT);
    ld->m->strings_len = (uint32_t)(c.end - c.pos);
    ld->m->strings = copy_out(ld, c.pos, ld->m->strings_len, 1, c.pos);
}

static void read_imports(loader *ld)
{
    beam_module *m = ld->m;
    cursor c = chunk_cursor(ld, CHUNK_ImpT);
    uint32_t n = get_count(ld, &c, 12, "import");
    m->imports = module_alloc(ld, n, sizeof *m->imports, c.pos);
    m->import_count = n;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *at = c.pos;
        m->imports[i].module = atom_ref(ld, get_u32(ld, &c, "import"), at, "import module");
        m->imports[i].function = atom_ref(ld, get_u32(ld, &c, "import"), at + 4, "import function");
        m->imports[i].arity = get_u32(ld, &c, "import");
        if (m->imports[i].arity > 255) LOAD_FAIL(ld, file_offset(ld, at + 8), "import %u has arity %u, above 255", i, m->imports[i].arity);
    }
}

static void read_function_table(loader *ld, int id, beam_export **out, uint32_t *count)
{
    if (!ld->m->chunks[id].offset) return;
    cursor c = chunk_cursor(ld, id);
    uint32_t n = get_count(ld, &c, 12, id == CHUNK_ExpT ? "export" : "local");
    beam_export *t = module_alloc(ld, n, sizeof *t, c.pos);
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *at = c.pos;
        t[i].function = atom_ref(ld, get_u32(ld, &c, "function"), at, "function");
        t[i].arity = get_u32(ld, &c, "arity");
        t[i].label = get_u32(ld, &c, "label");
        if (t[i].arity > 255) LOAD_FAIL(ld, file_offset(ld, at + 4), "function %u has arity %u, above 255", i, t[i].arity);
    }
    *out = t;
    *count = n;
}

static void read_lambdas(loader *ld)
{
    beam_module *m = ld->m;
    if (!m->chunks[CHUNK_FunT].offset) return;
    cursor c = chunk_cursor(ld, CHUNK_FunT);
    uint32_t n = get_count(ld, &c, 24, "lambda");
    m->lambdas = module_alloc(ld, n, sizeof *m->lambdas, c.pos);
    m->lambda_count = n;
    for (uint32_t i = 0; i < n; i++) {
        beam_lambda *l = &m->lambdas[i];
        const uint8_t *at = c.pos;
        l->function = atom_ref(ld, get_u32(ld, &c, "lambda"), at, "lambda function");
        l->arity = get_u32(ld, &c, "lambda");
        l->label = get_u32(ld, &c, "lambda");
        l->index = get_u32(ld, &c, "lambda");
        l->num_free = get_u32(ld, &c, "lambda");
        l->old_uniq = get_u32(ld, &c, "lambda");
        if (l->arity > 255 || l->num_free > l->arity)
            LOAD_FAIL(ld, file_offset(ld, at + 4), "lambda %u has arity %u with %u free variables", i, l->arity, l->num_free);
    }
}

/* --- the code ---------------------------------------------------------------- */

typedef struct code_header {
    uint32_t format, opcode_max, label_count, function_count;
} code_header;

static code_header read_code_header(loader *ld, cursor *c)
{
    const uint8_t *at = c->pos;
    uint32_t head_size = get_u32(ld, c, "Code header size");
    if (head_size < 16 || head_size > (size_t)(c->end - c->pos))
        LOAD_FAIL(ld, file_offset(ld, at), "header size %u is impossible (at least 16, at most %zu)", head_size,
                  (size_t)(c->end - c->pos));
    cursor h = { c->pos, c->pos + head_size };
    code_header ch;
    ch.format = get_u32(ld, &h, "format number");
    ch.opcode_max = get_u32(ld, &h, "opcode_max");
    ch.label_count = get_u32(ld, &h, "label count");
    ch.function_count = get_u32(ld, &h, "function count");
    if (ch.format != BEAM_FORMAT_NUMBER)
        LOAD_FAIL(ld, file_offset(ld, at + 4), "instruction set format %u is not %u", ch.format, BEAM_FORMAT_NUMBER);
    if (ch.opcode_max > GENOP_MAX)
        LOAD_FAIL(ld, file_offset(ld, at + 8),
                  "opcode_max %u is above %u: compiled for a later version of the runtime system", ch.opcode_max, GENOP_MAX);
    if (ch.label_count > (size_t)(c->end - c->pos))
        LOAD_FAIL(ld, file_offset(ld, at + 12), "label count %u is larger than the code", ch.label_count);
    c->pos += head_size;
    return ch;
}

static beam_operand *push_operand(loader *ld, const uint8_t *at)
{
    ld->ops = grow(ld, ld->ops, &ld->ops_cap, ld->ops_len, sizeof *ld->ops, at);
    beam_operand *o = &ld->ops[ld->ops_len++];
    *o = (beam_operand){ 0 };
    return o;
}

static compact_value read_value(loader *ld, compact_reader *r)
{
    const uint8_t *at = r->pos;
    compact_value v;
    compact_status s = compact_read(r, &v);
    if (s != COMPACT_OK) LOAD_FAIL(ld, file_offset(ld, at), "%s", compact_status_text(s));
    return v;
}

static uint64_t read_u(loader *ld, compact_reader *r, const char *what)
{
    const uint8_t *at = r->pos;
    compact_value v = read_value(ld, r);
    if (v.tag != CT_U) LOAD_FAIL(ld, file_offset(ld, at), "%s must be an untagged integer (tag u), got tag %u", what, v.tag);
    return v.v.u;
}

static Term make_integer(loader *ld, const compact_value *v, const uint8_t *at)
{
    if (!v->is_big && small_fits(v->v.i)) return make_small(v->v.i);
    uint8_t be[8];
    const uint8_t *bytes = v->bytes;
    size_t n = v->nbytes;
    if (!v->is_big) {
        for (int k = 0; k < 8; k++) be[k] = (uint8_t)((uint64_t)v->v.i >> (56 - 8 * k));
        bytes = be;
        n = 8;
    }
    Term *hp = sink_alloc(&ld->m->literals_area.sink, integer_words_for_be_twos(n));
    if (!hp) LOAD_FAIL(ld, file_offset(ld, at), "out of memory for an integer operand");
    return integer_from_be_twos(hp, bytes, n);
}

static void check_register(loader *ld, uint64_t reg, const uint8_t *at)
{
    if (reg >= MAX_REG) LOAD_FAIL(ld, file_offset(ld, at), "register %llu is above the limit %d", (unsigned long long)reg, MAX_REG - 1);
}

static void read_alloc_list(loader *ld, compact_reader *r, beam_operand *o, const uint8_t *at)
{
    uint64_t n = read_u(ld, r, "allocation list length");
    if (n > 3) LOAD_FAIL(ld, file_offset(ld, at), "allocation list has %llu entries, at most 3", (unsigned long long)n);
    ld->allocs = grow(ld, ld->allocs, &ld->allocs_cap, ld->allocs_len, sizeof *ld->allocs, at);
    beam_alloc_list *a = &ld->allocs[ld->allocs_len];
    *a = (beam_alloc_list){ .count = (uint32_t)n };
    for (uint64_t k = 0; k < n; k++) {
        uint64_t kind = read_u(ld, r, "allocation kind");
        uint64_t count = read_u(ld, r, "allocation count");
        if (kind > ALLOC_KIND_FUNS) LOAD_FAIL(ld, file_offset(ld, at), "unknown allocation kind %llu", (unsigned long long)kind);
        if (count > UINT32_MAX) LOAD_FAIL(ld, file_offset(ld, at), "allocation count %llu is too large", (unsigned long long)count);
        static const unsigned words_per[] = { 1, FLOAT_WORDS, FUN_FIXED_WORDS };
        a->item[k].kind = (uint32_t)kind;
        a->item[k].n = (uint32_t)count;
        a->heap_words += count * words_per[kind];
    }
    o->kind = OPND_ALLOC;
    o->v.u = ld->allocs_len++;
}

static void read_typed_register(loader *ld, compact_reader *r, beam_operand *o, const uint8_t *at)
{
    compact_value reg = read_value(ld, r);
    if (reg.tag != CT_X && reg.tag != CT_Y) LOAD_FAIL(ld, file_offset(ld, at), "typed register must hold an x or y register");
    check_register(ld, reg.v.u, at);
    uint64_t type = read_u(ld, r, "type index");
    if (ld->m->type_count && type >= ld->m->type_count)
        LOAD_FAIL(ld, file_offset(ld, at), "type index %llu out of range (%u types)", (unsigned long long)type, ld->m->type_count);
    o->kind = reg.tag == CT_X ? OPND_TYPED_X : OPND_TYPED_Y;
    o->v.u = reg.v.u;
    o->type_index = (uint32_t)type;
}

/* Reads one operand; returns the number of list elements that must follow
 * it (non-zero only for a z1 list, which is allowed only as the last). */
static uint64_t read_operand(loader *ld, compact_reader *r, code_header *ch, bool last)
{
    const uint8_t *at = r->pos;
    compact_value v = read_value(ld, r);
    beam_operand *o = push_operand(ld, at);
    switch (v.tag) {
    case CT_U: o->kind = OPND_U; o->v.u = v.v.u; return 0;
    case CT_I: o->kind = OPND_INT; o->v.term = make_integer(ld, &v, at); return 0;
    case CT_A:
        o->kind = OPND_ATOM;
        o->v.term = v.v.u == 0 ? NIL : atom_ref(ld, v.v.u > UINT32_MAX ? UINT32_MAX : (uint32_t)v.v.u, at, "operand");
        return 0;
    case CT_X: case CT_Y:
        check_register(ld, v.v.u, at);
        o->kind = v.tag == CT_X ? OPND_X : OPND_Y;
        o->v.u = v.v.u;
        return 0;
    case CT_F:
        if (v.v.u >= ch->label_count)
            LOAD_FAIL(ld, file_offset(ld, at), "label %llu out of range (label count %u)", (unsigned long long)v.v.u, ch->label_count);
        o->kind = OPND_LABEL;
        o->v.u = v.v.u;
        return 0;
    case CT_H: LOAD_FAIL(ld, file_offset(ld, at), "character operand (tag h) is not allowed");
    default: break;
    }
    switch (v.v.u) {
    case 1: {
        uint64_t n = read_u(ld, r, "list length");
        if (!last) LOAD_FAIL(ld, file_offset(ld, at), "an operand list must be the last operand");
        if (n > (uint64_t)(r->end - r->pos)) LOAD_FAIL(ld, file_offset(ld, at), "operand list of %llu elements runs past the code", (unsigned long long)n);
        o->kind = OPND_LIST;
        o->v.u = n;
        return n;
    }
    case 2: o->kind = OPND_FR; o->v.u = read_u(ld, r, "float register"); check_register(ld, o->v.u, at); return 0;
    case 3: read_alloc_list(ld, r, o, at); return 0;
    case 4: {
        uint64_t idx = read_u(ld, r, "literal index");
        if (idx >= ld->m->literal_count)
            LOAD_FAIL(ld, file_offset(ld, at), "literal index %llu out of range (%u literals)", (unsigned long long)idx, ld->m->literal_count);
        o->kind = OPND_LITERAL;
        o->v.u = idx;
        return 0;
    }
    case 5: read_typed_register(ld, r, o, at); return 0;
    case 0: LOAD_FAIL(ld, file_offset(ld, at), "obsolete float operand (z0): re-compile the module");
    default: LOAD_FAIL(ld, file_offset(ld, at), "unknown extended operand tag z%llu", (unsigned long long)v.v.u);
    }
}

/* Reads a list's elements: plain operands, none of them a nested list. */
static void read_list_elements(loader *ld, compact_reader *r, code_header *ch, uint64_t n)
{
    for (uint64_t k = 0; k < n; k++) {
        const uint8_t *at = r->pos;
        if (at < r->end && *at == 0x17) LOAD_FAIL(ld, file_offset(ld, at), "nested operand list");
        read_operand(ld, r, ch, false);
    }
}

/* Operand positions that index the import table or the lambda table; the
 * generic stream keeps them as plain u operands, so they are checked here. */
static int import_operand(unsigned op)
{
    switch (op) {
    case OP_call_ext: case OP_call_ext_last: case OP_call_ext_only: case OP_bif1: case OP_bif2: return 1;
    case OP_bif0: return 0;
    case OP_gc_bif1: case OP_gc_bif2: case OP_gc_bif3: return 2;
    default: return -1;
    }
}

static void check_references(loader *ld, const beam_instr *in, const uint8_t *at)
{
    beam_module *m = ld->m;
    if (in->arity == 0) return;    /* and ld->ops may still be NULL */
    const beam_operand *ops = &ld->ops[in->first];
    int imp = import_operand(in->op);
    if (imp >= 0) {
        if (ops[imp].kind != OPND_U)
            LOAD_FAIL(ld, file_offset(ld, at), "%s: the import operand must be an untagged integer (tag u)", genop_table[in->op].name);
        if (ops[imp].v.u >= m->import_count)
            LOAD_FAIL(ld, file_offset(ld, at), "%s: import index %llu out of range (%u imports)", genop_table[in->op].name,
                      (unsigned long long)ops[imp].v.u, m->import_count);
    }
    bool lambda = in->op == OP_make_fun2 || in->op == OP_make_fun3 || (in->op == OP_call_fun2 && ops[0].kind == OPND_U);
    if (lambda && ops[0].kind != OPND_U)
        LOAD_FAIL(ld, file_offset(ld, at), "%s: the lambda operand must be an untagged integer (tag u)", genop_table[in->op].name);
    if (lambda && ops[0].v.u >= m->lambda_count)
        LOAD_FAIL(ld, file_offset(ld, at), "%s: lambda index %llu out of range (%u lambdas)", genop_table[in->op].name,
                  (unsigned long long)ops[0].v.u, m->lambda_count);
    if (in->op == OP_line && m->line_item_count && ops[0].kind != OPND_U)
        LOAD_FAIL(ld, file_offset(ld, at), "line: the location operand must be an untagged integer (tag u)");
    if (in->op == OP_line && m->line_item_count && ops[0].v.u >= m->line_item_count)
        LOAD_FAIL(ld, file_offset(ld, at), "line: location index %llu out of range (%u locations)",
                  (unsigned long long)ops[0].v.u, m->line_item_count);
}

static void define_label(loader *ld, const beam_instr *in, uint32_t *labels, const code_header *ch, const uint8_t *at)
{
    const beam_operand *o = &ld->ops[in->first];
    if (o->kind != OPND_U || o->v.u == 0 || o->v.u >= ch->label_count)
        LOAD_FAIL(ld, file_offset(ld, at), "label %llu out of range 1..%u", (unsigned long long)o->v.u, ch->label_count - 1);
    if (labels[o->v.u] != UINT32_MAX)
        LOAD_FAIL(ld, file_offset(ld, at), "label %llu is defined twice", (unsigned long long)o->v.u);
    labels[o->v.u] = (uint32_t)ld->code_len - 1;
}

static void read_code(loader *ld)
{
    beam_module *m = ld->m;
    cursor c = chunk_cursor(ld, CHUNK_Code);
    code_header ch = read_code_header(ld, &c);
    m->opcode_max = ch.opcode_max;
    m->label_count = ch.label_count;
    m->function_count = ch.function_count;
    uint32_t *labels = module_alloc(ld, ch.label_count, sizeof *labels, c.pos);
    memset(labels, 0xFF, (size_t)(ch.label_count ? ch.label_count : 1) * sizeof *labels);
    compact_reader r = { ld->file, c.pos, c.end };
    /* Every instruction and every operand takes at least one byte: the
     * chunk's size bounds both arrays (pages never written cost nothing). */
    size_t bound = (size_t)(c.end - c.pos) + 1;
    ld->code = reserve(ld, ld->code, &ld->code_cap, bound, sizeof *ld->code, c.pos);
    ld->ops = reserve(ld, ld->ops, &ld->ops_cap, bound, sizeof *ld->ops, c.pos);
    uint32_t functions = 0;
    bool ended = false;
    while (!ended) {
        const uint8_t *at = r.pos;
        if (compact_at_end(&r)) LOAD_FAIL(ld, file_offset(ld, at), "the code ends without int_code_end");
        unsigned op = *r.pos++;
        if (op == 0 || op > GENOP_MAX) LOAD_FAIL(ld, file_offset(ld, at), "unknown opcode %u", op);
        const genop_info *info = &genop_table[op];
        if (op > ch.opcode_max)
            LOAD_FAIL(ld, file_offset(ld, at), "opcode %u (%s) is above the header's opcode_max %u", op, info->name, ch.opcode_max);
        if (info->status == GENOP_OBSOLETE)
            LOAD_FAIL(ld, file_offset(ld, at), "obsolete instruction %s/%u (opcode %u): please re-compile this module with an OTP 25 compiler",
                      info->name, info->arity, op);
        ld->code = grow(ld, ld->code, &ld->code_cap, ld->code_len, sizeof *ld->code, at);
        beam_instr *in = &ld->code[ld->code_len++];
        *in = (beam_instr){ .op = (uint16_t)op, .first = (uint32_t)ld->ops_len, .offset = (uint32_t)file_offset(ld, at) };
        uint64_t extra = 0;
        for (unsigned k = 0; k < info->arity; k++) extra = read_operand(ld, &r, &ch, k + 1 == info->arity);
        read_list_elements(ld, &r, &ch, extra);
        if (ld->ops_len - in->first > UINT16_MAX) LOAD_FAIL(ld, file_offset(ld, at), "instruction has too many operands");
        in->arity = (uint16_t)(ld->ops_len - in->first);
        check_references(ld, in, at);
        if (op == OP_label) define_label(ld, in, labels, &ch, at);
        if (op == OP_func_info) functions++;
        ended = op == OP_int_code_end;
    }
    if (functions != ch.function_count)
        LOAD_FAIL(ld, file_offset(ld, c.pos - 4), "the header says %u functions, the code has %u", ch.function_count, functions);
    for (size_t k = 0; k < ld->code_len; k++) {
        const beam_instr *in = &ld->code[k];
        for (uint32_t i = in->first; i < in->first + in->arity; i++) {
            if (ld->ops[i].kind == OPND_LABEL && ld->ops[i].v.u && labels[ld->ops[i].v.u] == UINT32_MAX)
                LOAD_FAIL(ld, in->offset, "%s: label %llu is used but never defined", genop_table[in->op].name,
                          (unsigned long long)ld->ops[i].v.u);
        }
    }
    m->labels = labels;
    m->code = copy_out(ld, ld->code, ld->code_len, sizeof *m->code, c.pos);
    m->code_len = (uint32_t)ld->code_len;
    m->operands = copy_out(ld, ld->ops, ld->ops_len, sizeof *m->operands, c.pos);
    m->operand_count = (uint32_t)ld->ops_len;
    m->alloc_lists = copy_out(ld, ld->allocs, ld->allocs_len, sizeof *m->alloc_lists, c.pos);
    m->alloc_list_count = (uint32_t)ld->allocs_len;
}

static void check_entry_labels(loader *ld)
{
    beam_module *m = ld->m;
    struct { int chunk; beam_export *t; uint32_t n; } tables[] = {
        { CHUNK_ExpT, m->exports, m->export_count }, { CHUNK_LocT, m->locals, m->local_count },
    };
    for (size_t k = 0; k < 2; k++) {
        for (uint32_t i = 0; i < tables[k].n; i++) {
            uint32_t label = tables[k].t[i].label;
            if (label >= m->label_count || m->labels[label] == UINT32_MAX) {
                ld->chunk = chunk_names[tables[k].chunk];
                LOAD_FAIL(ld, m->chunks[tables[k].chunk].offset + 4 + 12 * i + 8, "entry %u names undefined label %u", i, label);
            }
        }
    }
    for (uint32_t i = 0; i < m->lambda_count; i++) {
        uint32_t label = m->lambdas[i].label;
        if (label >= m->label_count || m->labels[label] == UINT32_MAX) {
            ld->chunk = "FunT";
            LOAD_FAIL(ld, m->chunks[CHUNK_FunT].offset + 4 + 24 * i + 8, "lambda %u names undefined label %u", i, label);
        }
    }
}

/* --- the line table ------------------------------------------------------------ */

static Term make_file_name(loader *ld, const uint8_t *text, size_t len, const uint8_t *at)
{
    /* File names are kept as Erlang strings (lists of code points), as OTP
     * keeps them for stack traces; invalid UTF-8 is taken byte by byte. */
    Term *hp = sink_alloc(&ld->m->literals_area.sink, 2 * len + 1);
    if (!hp) LOAD_FAIL(ld, file_offset(ld, at), "out of memory for a file name");
    /* Built front to back (no scratch array: a name may be 64 kB long, too
     * much for a variable-length array on a small thread stack). */
    Term list = NIL;
    Term *tail = &list;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = utf8_decode((const char *)text + i, len - i, &cp);
        if (k == 0) { cp = text[i]; k = 1; }
        i += k;
        hp[0] = make_small(cp);
        hp[1] = NIL;
        *tail = make_list(hp);
        tail = &hp[1];
        hp += 2;
    }
    return list;
}

static void read_lines(loader *ld)
{
    beam_module *m = ld->m;
    if (!m->chunks[CHUNK_Line].offset) return;
    cursor c = chunk_cursor(ld, CHUNK_Line);
    /* As OTP: an unknown version means the line table is ignored. */
    if (get_u32(ld, &c, "Line version") != LINE_VERSION) return;
    get_u32(ld, &c, "Line flags");
    m->line_instr_count = get_u32(ld, &c, "line instruction count");
    uint32_t items = get_count(ld, &c, 1, "line item");
    uint32_t fnames = get_count(ld, &c, 2, "file name");
    m->line_items = module_alloc(ld, (size_t)items + 1, sizeof *m->line_items, c.pos);
    m->line_items[0] = (beam_line_item){ 0, 0 };
    compact_reader r = { ld->file, c.pos, c.end };
    uint32_t file = 0, count = 1;
    while (count <= items) {
        const uint8_t *at = r.pos;
        compact_value v = read_value(ld, &r);
        if (v.tag == CT_A) {
            if (v.v.u > fnames) LOAD_FAIL(ld, file_offset(ld, at), "file name index %llu out of range (%u names)", (unsigned long long)v.v.u, fnames);
            file = (uint32_t)v.v.u;
        } else if (v.tag == CT_I && !v.is_big && v.v.i >= 0 && v.v.i <= UINT32_MAX) {
            m->line_items[count++] = (beam_line_item){ file, (uint32_t)v.v.i };
        } else {
            LOAD_FAIL(ld, file_offset(ld, at), "line item must be a file (tag a) or a line number (tag i)");
        }
    }
    m->line_item_count = items + 1;
    c.pos = r.pos;
    m->file_names = module_alloc(ld, fnames, sizeof(Term), c.pos);
    m->file_name_count = fnames;
    for (uint32_t i = 0; i < fnames; i++) {
        const uint8_t *at = c.pos;
        need(ld, &c, 2, "file name length");
        size_t len = (size_t)c.pos[0] << 8 | c.pos[1];
        c.pos += 2;
        need(ld, &c, len, "file name");
        m->file_names[i] = make_file_name(ld, c.pos, len, at);
        c.pos += len;
    }
}

/* --- terms: Attr, CInf, Meta ---------------------------------------------------- */

static Term read_term_chunk(loader *ld, int id)
{
    if (!ld->m->chunks[id].offset) return THE_NON_VALUE;
    cursor c = chunk_cursor(ld, id);
    etf_error e = { 0 };
    size_t used = 0;
    Term t;
    if (!etf_decode(c.pos, (size_t)(c.end - c.pos), &ld->m->literals_area.sink, &t, &used, &e))
        LOAD_FAIL(ld, file_offset(ld, c.pos) + e.offset, "bad external term: %s%s%s%s", e.what ? e.what : "malformed",
                  e.detail[0] ? " (" : "", e.detail, e.detail[0] ? ")" : "");
    if (used != (size_t)(c.end - c.pos))
        LOAD_FAIL(ld, file_offset(ld, c.pos) + used, "the term is followed by %zu extra byte%s", (size_t)(c.end - c.pos) - used,
                  (size_t)(c.end - c.pos) - used == 1 ? "" : "s");
    return t;
}

/* --- the module MD5 --------------------------------------------------------------- */

/* OTP's module_info(md5): MD5 over the data of these chunks, in this order,
 * with each lambda's OldUniq word zeroed (it is derived from the MD5). */
static void compute_md5(loader *ld)
{
    static const int order[] = { CHUNK_AtU8, CHUNK_Code, CHUNK_StrT, CHUNK_ImpT, CHUNK_ExpT, CHUNK_FunT, CHUNK_LitT, CHUNK_Meta };
    beam_module *m = ld->m;
    md5_ctx ctx;
    md5_init(&ctx);
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        const beam_chunk_ref *ref = &m->chunks[order[k]];
        if (!ref->offset) continue;
        const uint8_t *data = ld->file + ref->offset;
        if (order[k] != CHUNK_FunT) {
            md5_update(&ctx, data, ref->size);
            continue;
        }
        static const uint8_t zero[4];
        size_t n = m->lambda_count;
        md5_update(&ctx, data, 4);
        for (size_t i = 0; i < n; i++) {
            md5_update(&ctx, data + 4 + 24 * i, 20);
            md5_update(&ctx, zero, 4);
        }
        md5_update(&ctx, data + 4 + 24 * n, ref->size - 4 - 24 * n);
    }
    md5_final(&ctx, m->md5);
}

/* --- entry points ----------------------------------------------------------------- */

static void load_all(loader *ld)
{
    read_container(ld);
    read_atoms(ld);
    read_types(ld);
    read_literals(ld);
    read_strings(ld);
    read_imports(ld);
    read_function_table(ld, CHUNK_ExpT, &ld->m->exports, &ld->m->export_count);
    read_function_table(ld, CHUNK_LocT, &ld->m->locals, &ld->m->local_count);
    read_lambdas(ld);
    read_lines(ld);
    read_code(ld);
    check_entry_labels(ld);
    ld->m->attributes = read_term_chunk(ld, CHUNK_Attr);
    ld->m->compile_info = read_term_chunk(ld, CHUNK_CInf);
    ld->m->meta = read_term_chunk(ld, CHUNK_Meta);
    ld->chunk = NULL;
    compute_md5(ld);
}

static void free_scratch(loader *ld)
{
    free(ld->code);
    free(ld->ops);
    free(ld->allocs);
    free(ld->inflated);
}

static void module_free(beam_module *m)
{
    literal_area_free(&m->literals_area);
    arena_free(&m->mem);
    free(m);
}

beam_module *beam_load(const char *path, const uint8_t *bytes, size_t len, strbuf *err)
{
    loader ld = { .path = path, .file = bytes, .len = len, .err = err };
    ld.m = calloc(1, sizeof *ld.m);
    if (!ld.m) {
        sb_printf(err, "%s: out of memory", path);
        return NULL;
    }
    atomic_init(&ld.m->refc, 1);
    literal_area_init(&ld.m->literals_area);
    /* Only `ld`, which lives in memory, is used after a longjmp. */
    if (setjmp(ld.fail)) {
        free_scratch(&ld);
        module_free(ld.m);
        return NULL;
    }
    load_all(&ld);
    free_scratch(&ld);
    size_t plen = strlen(path) + 1;
    char *p = arena_alloc(&ld.m->mem, plen);
    if (p) memcpy(p, path, plen);
    ld.m->path = p ? p : "";
    return ld.m;
}

beam_module *beam_load_file(const char *path, strbuf *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        sb_printf(err, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                sb_printf(err, "%s: out of memory reading the file", path);
                return NULL;
            }
            buf = nb;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) break;
    }
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        sb_printf(err, "%s: cannot read: %s", path, strerror(errno));
        return NULL;
    }
    beam_module *m = beam_load(path, buf, len, err);
    free(buf);
    return m;
}

void beam_module_retain(beam_module *m) { atomic_fetch_add_explicit(&m->refc, 1, memory_order_relaxed); }

void beam_module_release(beam_module *m)
{
    if (atomic_fetch_sub_explicit(&m->refc, 1, memory_order_acq_rel) == 1) module_free(m);
}
