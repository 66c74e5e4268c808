/*
 * beam_module.h — a .beam file, read and decoded: the loader's output and
 * the code generator's input.
 *
 * beam_load() reads the IFF container and every chunk erlc 25 writes,
 * decodes the Code chunk's compact-term operands into a generic instruction
 * stream (beam_instr + beam_operand), inflates and decodes the literals into
 * a literal area, and computes the module MD5 as OTP does. Anything
 * malformed is refused with one line naming the file, the chunk and the
 * absolute byte offset in the file.
 *
 * Ownership: a beam_module owns everything it points at: its tables live in
 * `mem`, its literal terms in `literals`. It is immutable once beam_load
 * returns, so any number of threads may read it. It is reference-counted so
 * that the code that runs it (the current and the old version of a module,
 * for hot code loading) can outlive the module table's pointer to it;
 * beam_module_release() frees it when the last reference goes.
 *
 * Atom terms in a module are global atoms (emulator/atom.h); a module never
 * frees them.
 */
#ifndef CB_BEAM_MODULE_H
#define CB_BEAM_MODULE_H

#include <stdatomic.h>

#include "arena.h"
#include "literal.h"
#include "term.h"

/* --- operands ------------------------------------------------------------ */
typedef enum beam_operand_kind {
    OPND_U,        /* untagged integer: v.u */
    OPND_INT,      /* tag i: v.term, a small or a bignum in the literal area */
    OPND_ATOM,     /* tag a: v.term, an atom, or NIL for index 0 */
    OPND_X,        /* x register: v.u */
    OPND_Y,        /* y register: v.u */
    OPND_LABEL,    /* tag f: v.u; 0 means "no fail label" */
    OPND_FR,       /* float register (z2): v.u */
    OPND_LITERAL,  /* z4: v.u, index into beam_module.literals */
    OPND_ALLOC,    /* z3: v.u, index into beam_module.alloc_lists */
    OPND_LIST,     /* z1: v.u = element count; the elements follow in the
                      operand array, so an instruction's operand count
                      includes them (the list is always last) */
    OPND_TYPED_X,  /* z5 with an x register: v.u register, type_index */
    OPND_TYPED_Y,  /* z5 with a y register: v.u register, type_index */
} beam_operand_kind;

typedef struct beam_operand {
    uint8_t kind;          /* beam_operand_kind */
    uint32_t type_index;   /* OPND_TYPED_*: index into beam_module.types */
    union {
        uint64_t u;
        Term term;
    } v;
} beam_operand;

/* An allocation list {alloc,[{words,W},{floats,F},{funs,N}]}: the pairs as
 * written, and the heap words they come to. */
#define ALLOC_KIND_WORDS  0
#define ALLOC_KIND_FLOATS 1
#define ALLOC_KIND_FUNS   2
typedef struct beam_alloc_list {
    uint32_t count;
    struct { uint32_t kind, n; } item[3];
    uint64_t heap_words;   /* words + floats * FLOAT_WORDS + funs * FUN_FIXED_WORDS */
} beam_alloc_list;

/* --- instructions -------------------------------------------------------- */
typedef struct beam_instr {
    uint16_t op;           /* generic opcode, loader/genop.h */
    uint16_t arity;        /* operands, list elements included */
    uint32_t first;        /* index of the first operand in module.operands */
    uint32_t offset;       /* byte offset of the opcode in the file */
} beam_instr;

/* --- tables -------------------------------------------------------------- */
typedef struct beam_import {
    Term module, function;
    uint32_t arity;
} beam_import;

typedef struct beam_export {        /* ExpT and LocT entries */
    Term function;
    uint32_t arity;
    uint32_t label;                 /* the label after func_info */
} beam_export;

typedef struct beam_lambda {        /* FunT entries */
    Term function;                  /* the lifted function, '-f/1-fun-0-' */
    uint32_t arity;                 /* of the lifted function: fun arity + num_free */
    uint32_t label;
    uint32_t index;
    uint32_t num_free;
    uint32_t old_uniq;
} beam_lambda;

typedef struct beam_line_item {     /* item 0 is "no location" */
    uint32_t file;                  /* 0 = <module>.erl; else file_names[file-1] */
    uint32_t line;
} beam_line_item;

typedef struct beam_type {          /* Type chunk entries */
    uint16_t bits;                  /* atom=1 ... tuple=4096; any = 8191 */
    int64_t min, max;               /* integer range, valid if min <= max */
} beam_type;

typedef struct beam_chunk_ref {     /* where a chunk sits in the file */
    uint32_t offset;                /* of its data, 0 if absent */
    uint32_t size;
} beam_chunk_ref;

enum beam_chunk_id {
    CHUNK_AtU8, CHUNK_Code, CHUNK_StrT, CHUNK_ImpT, CHUNK_ExpT, CHUNK_FunT,
    CHUNK_LitT, CHUNK_LocT, CHUNK_Line, CHUNK_Attr, CHUNK_CInf, CHUNK_Type,
    CHUNK_Meta, CHUNK_Atom, CHUNK__COUNT
};

typedef struct beam_module {
    _Atomic uint32_t refc;
    arena mem;                      /* every table below */
    literal_area literals_area;     /* literal terms, bignum operands */
    const char *path;

    Term name;                      /* atoms[1] */
    uint8_t md5[16];
    beam_chunk_ref chunks[CHUNK__COUNT];

    uint32_t atom_count;            /* atoms[1..atom_count]; atoms[0] = NIL */
    Term *atoms;

    uint32_t opcode_max, label_count, function_count;
    beam_instr *code;
    uint32_t code_len;
    beam_operand *operands;
    uint32_t operand_count;
    uint32_t *labels;               /* label -> index in code of its label
                                       instruction; UINT32_MAX if undefined */
    beam_alloc_list *alloc_lists;
    uint32_t alloc_list_count;

    const uint8_t *strings;         /* StrT */
    uint32_t strings_len;

    beam_import *imports;   uint32_t import_count;
    beam_export *exports;   uint32_t export_count;
    beam_export *locals;    uint32_t local_count;
    beam_lambda *lambdas;   uint32_t lambda_count;

    Term *literals;         uint32_t literal_count;

    beam_line_item *line_items;     /* line_items[0] is "no location" */
    uint32_t line_item_count;
    uint32_t line_instr_count;
    Term *file_names;               /* charlists (strings) in the literal area */
    uint32_t file_name_count;

    beam_type *types;       uint32_t type_count;  /* 0 if absent or ignored */

    Term attributes;                /* THE_NON_VALUE if the chunk is absent */
    Term compile_info;
    Term meta;
} beam_module;

/* Loads the .beam at `path` from memory. On success returns the module with
 * one reference. On failure returns NULL and writes one line (no newline)
 * into err: "PATH: CHUNK chunk, offset N: what is wrong" (or "PATH: offset
 * N: ..." for the container). Never crashes or leaks on malformed input. */
struct strbuf;
beam_module *beam_load(const char *path, const uint8_t *bytes, size_t len, struct strbuf *err);
/* Reads the file and loads it; a read failure is reported like a load error. */
beam_module *beam_load_file(const char *path, struct strbuf *err);

void beam_module_retain(beam_module *m);
void beam_module_release(beam_module *m);

/* The instruction's operand i (0-based). */
static inline const beam_operand *beam_instr_operand(const beam_module *m, const beam_instr *in, unsigned i)
{
    return &m->operands[in->first + i];
}

#endif
