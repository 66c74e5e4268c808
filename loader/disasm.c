/*
 * disasm.c — prints a module's generic instructions the way OTP's
 * beam_disasm:file/1 resolves them; the format is described in disasm.h
 * and at the top of tools/beam-disasm-text, which prints the same text from
 * OTP itself (test/disasm/compare diffs the two).
 *
 * beam_disasm turns each instruction into a term whose shape depends on the
 * opcode (resolve_inst/4). Rather than one C function per shape, each
 * opcode has a template: the text of that term with conversions for its
 * operands (see emit_template). Two operand renderings matter:
 *  - raw, as beam_disasm decodes an operand: {u,N}, {i,N}, {atom,A}, nil,
 *    {x,N}, {f,L}, {literal,T}, {float,F}, {u,{alloc,[...]}}, {tr,...};
 *  - resolved (its resolve_arg/1): u operands become N (an allocation list
 *    {alloc,[...]}), i operands {integer,N}; everything else stays raw.
 * resolve_inst resolves some operands and leaves others raw (the sources of
 * move are resolved, its destination not; bs_start_match4's Live stays
 * {u,N}), so each template says which rendering each operand gets.
 */
#include "disasm.h"

#include <stdlib.h>
#include <string.h>

#include "atom.h"
#include "bignum.h"
#include "genop.h"
#include "term_order.h"
#include "term_print.h"

typedef struct printer {
    strbuf *out;
    const beam_module *m;
    const beam_instr *in;
} printer;

static const beam_operand *operand(const printer *p, unsigned i)
{
    return beam_instr_operand(p->m, p->in, i);
}

/* --- operands -------------------------------------------------------------- */

static void print_alloc_list(printer *p, uint64_t index)
{
    static const char *const kind_names[] = { "words", "floats", "funs" };
    if (index >= p->m->alloc_list_count) {
        sb_printf(p->out, "{alloc,bad_index_%llu}", (unsigned long long)index);
        return;
    }
    const beam_alloc_list *a = &p->m->alloc_lists[index];
    sb_puts(p->out, "{alloc,[");
    for (uint32_t k = 0; k < a->count; k++) {
        uint32_t kind = a->item[k].kind;
        sb_printf(p->out, "%s{%s,%u}", k ? "," : "", kind < 3 ? kind_names[kind] : "unknown", a->item[k].n);
    }
    sb_puts(p->out, "]}");
}

/* beam_disasm keeps the Type chunk entry, decoded; we print the entry as
 * stored (the script turns its decoded form back into these numbers). */
static void print_typed_register(printer *p, const beam_operand *o)
{
    sb_printf(p->out, "{tr,{%c,%llu},", o->kind == OPND_TYPED_X ? 'x' : 'y', (unsigned long long)o->v.u);
    if (o->type_index < p->m->type_count) {
        const beam_type *t = &p->m->types[o->type_index];
        sb_printf(p->out, "{%u,%lld,%lld}}", t->bits, (long long)t->min, (long long)t->max);
    } else {
        sb_printf(p->out, "{no_type,%u}}", o->type_index);
    }
}

/* A z4 literal: beam_disasm tells floats apart from other literals. */
static void print_literal(printer *p, uint64_t index)
{
    if (index >= p->m->literal_count) {
        sb_printf(p->out, "{literal,bad_index_%llu}", (unsigned long long)index);
        return;
    }
    Term t = p->m->literals[index];
    sb_puts(p->out, term_is_float(t) ? "{float," : "{literal,");
    term_print(p->out, t);
    sb_putc(p->out, '}');
}

static void print_raw(printer *p, const beam_operand *o)
{
    strbuf *out = p->out;
    unsigned long long u = (unsigned long long)o->v.u;
    switch ((beam_operand_kind)o->kind) {
    case OPND_U:       sb_printf(out, "{u,%llu}", u); return;
    case OPND_INT:     sb_puts(out, "{i,"); integer_to_text(out, o->v.term, 10); sb_putc(out, '}'); return;
    case OPND_ATOM:
        if (o->v.term == NIL) { sb_puts(out, "nil"); return; }
        sb_puts(out, "{atom,"); atom_print(out, o->v.term); sb_putc(out, '}');
        return;
    case OPND_X:       sb_printf(out, "{x,%llu}", u); return;
    case OPND_Y:       sb_printf(out, "{y,%llu}", u); return;
    case OPND_LABEL:   sb_printf(out, "{f,%llu}", u); return;
    case OPND_FR:      sb_printf(out, "{fr,%llu}", u); return;
    case OPND_LITERAL: print_literal(p, o->v.u); return;
    case OPND_ALLOC:   sb_puts(out, "{u,"); print_alloc_list(p, o->v.u); sb_putc(out, '}'); return;
    case OPND_LIST:    sb_printf(out, "{z,1},{u,%llu}", u); return;
    case OPND_TYPED_X:
    case OPND_TYPED_Y: print_typed_register(p, o); return;
    }
    sb_printf(out, "{bad_operand_kind,%u}", o->kind);
}

/* resolve_arg/1 */
static void print_resolved(printer *p, const beam_operand *o)
{
    switch (o->kind) {
    case OPND_U:     sb_printf(p->out, "%llu", (unsigned long long)o->v.u); return;
    case OPND_ALLOC: print_alloc_list(p, o->v.u); return;
    case OPND_INT:   sb_puts(p->out, "{integer,"); integer_to_text(p->out, o->v.term, 10); sb_putc(p->out, '}'); return;
    default:         print_raw(p, o); return;
    }
}

/* --- names the operands stand for -------------------------------------------- */

static const beam_import *import_at(printer *p, const beam_operand *o)
{
    return o->kind == OPND_U && o->v.u < p->m->import_count ? &p->m->imports[o->v.u] : NULL;
}

static void print_extfunc(printer *p, const beam_operand *o)
{
    const beam_import *imp = import_at(p, o);
    if (!imp) { sb_puts(p->out, "{extfunc,bad_import}"); return; }
    sb_puts(p->out, "{extfunc,");
    atom_print(p->out, imp->module);
    sb_putc(p->out, ',');
    atom_print(p->out, imp->function);
    sb_printf(p->out, ",%u}", imp->arity);
}

static void print_bif_name(printer *p, const beam_operand *o)
{
    const beam_import *imp = import_at(p, o);
    if (imp) atom_print(p->out, imp->function);
    else sb_puts(p->out, "bad_import");
}

static void print_mfa(printer *p, Term mod, Term fun, unsigned long long arity)
{
    sb_putc(p->out, '{');
    atom_print(p->out, mod);
    sb_putc(p->out, ',');
    atom_print(p->out, fun);
    sb_printf(p->out, ",%llu}", arity);
}

/* The bare atom of an a operand (func_info's names); anything else raw. */
static void print_atom_operand(printer *p, const beam_operand *o)
{
    if (o->kind == OPND_ATOM && term_is_atom(o->v.term)) atom_print(p->out, o->v.term);
    else print_raw(p, o);
}

/* The func_info a local call's label belongs to: beam_disasm maps the
 * labels that directly follow a func_info to that function. */
static const beam_instr *function_of_label(const beam_module *m, uint64_t label)
{
    if (label >= m->label_count || m->labels[label] == UINT32_MAX) return NULL;
    uint32_t i = m->labels[label];
    while (i > 0 && m->code[i - 1].op == OP_label) i--;
    return i > 0 && m->code[i - 1].op == OP_func_info ? &m->code[i - 1] : NULL;
}

static void print_local_function(printer *p, const beam_operand *o)
{
    const beam_instr *fi = function_of_label(p->m, o->v.u);
    if (!fi) { sb_printf(p->out, "{no_function_at_label,%llu}", (unsigned long long)o->v.u); return; }
    sb_putc(p->out, '{');
    for (unsigned k = 0; k < 3; k++) {
        if (k) sb_putc(p->out, ',');
        const beam_operand *name = beam_instr_operand(p->m, fi, k);
        if (k < 2) print_atom_operand(p, name);
        else print_resolved(p, name);
    }
    sb_putc(p->out, '}');
}

static const beam_lambda *lambda_at(printer *p, const beam_operand *o)
{
    return o->v.u < p->m->lambda_count ? &p->m->lambdas[o->v.u] : NULL;
}

/* 'l' = {M,F,A} of the lifted function, 'o' = OldUniq, 'z' = NumFree */
static void print_lambda_field(printer *p, const beam_operand *o, char field)
{
    const beam_lambda *l = lambda_at(p, o);
    if (!l) { sb_puts(p->out, "bad_lambda"); return; }
    if (field == 'l') print_mfa(p, p->m->name, l->function, l->arity);
    else sb_printf(p->out, "%u", field == 'o' ? l->old_uniq : l->num_free);
}

/* StrT bytes [off, off+len), as ~w prints a list of bytes or a binary. */
static void print_string_bytes(printer *p, uint64_t off, uint64_t len, const char *open, const char *close)
{
    if (off > p->m->strings_len || len > p->m->strings_len - off) {
        sb_puts(p->out, "bad_string");
        return;
    }
    sb_puts(p->out, open);
    for (uint64_t k = 0; k < len; k++) sb_printf(p->out, "%s%u", k ? "," : "", p->m->strings[off + k]);
    sb_puts(p->out, close);
}

/* bs_put_string Len Off -> {string,"..."} holds a list of Len bytes. */
static void print_put_string(printer *p, unsigned i)
{
    print_string_bytes(p, operand(p, i + 1)->v.u, operand(p, i)->v.u, "[", "]");
}

/* bs_match_string Bits Off -> the (Bits+7) div 8 bytes as a binary. */
static void print_match_string(printer *p, unsigned i)
{
    print_string_bytes(p, operand(p, i + 1)->v.u, (operand(p, i)->v.u + 7) / 8, "<<", ">>");
}

/* The elements of the z1 list operand at i, comma-separated. */
static void print_list_elements(printer *p, unsigned i, void (*print)(printer *, const beam_operand *))
{
    uint64_t n = operand(p, i)->v.u;
    for (uint64_t k = 0; k < n; k++) {
        if (k) sb_putc(p->out, ',');
        print(p, operand(p, i + 1 + (unsigned)k));
    }
}

/* Operands i.. of the opcode's fixed arity, resolved, comma-separated. */
static void print_resolved_from(printer *p, unsigned i)
{
    unsigned arity = genop_table[p->in->op].arity;
    for (unsigned k = i; k < arity; k++) {
        if (k > i) sb_putc(p->out, ',');
        print_resolved(p, operand(p, k));
    }
}

/* --- templates --------------------------------------------------------------
 * Text is copied; a conversion is '%', a letter and (except %n) the operand
 * number, 0-based:
 *   %rN resolved    %wN raw          %nN -- %n alone: the opcode's name
 *   %eN {extfunc,M,F,A} of import N  %bN the name of the BIF import N
 *   %lN {M,F,A} of the function whose entry is label N
 *   %fN {field_flags,N}              %*N operands N.. resolved, joined
 *   %LN list N's elements resolved   %WN list N's elements raw
 *   %cN list N's length
 *   %mN {M,F,A} of lambda N   %oN its OldUniq   %zN its NumFree
 *   %sN bs_put_string bytes (length N, offset N+1), as a list
 *   %BN bs_match_string bytes (bits N, offset N+1), as a binary
 */
#define TEST(name) [OP_##name] = "{test,%n,%w0,[%*1]}"
#define BS_GET(name) [OP_##name] = "{test,%n,%w0,[%w1,%r2,%r3,%r4,%f5,%r6]}"
#define BS_PUT(name) [OP_##name] = "{%n,%w0,%r1,%r2,%f3,%r4}"
#define BS_INIT(name) [OP_##name] = "{%n,%w0,%r1,%r2,%r3,%f4,%r5}"
#define UTF_GET(name) [OP_##name] = "{test,%n,%w0,[%r1,%r2,%f3,%r4]}"
#define UTF_SKIP(name) [OP_##name] = "{test,%n,%w0,[%r1,%r2,%f3]}"
#define UTF_SIZE(name) [OP_##name] = "{%n,%w0,%r1,%r2}"
#define UTF_PUT(name) [OP_##name] = "{%n,%w0,%f1,%r2}"
#define FARITH(name) [OP_##name] = "{arithfbif,%n,%r0,[%r1,%r2],%r3}"
#define BARE(name) [OP_##name] = "%n"
#define RAW1(name) [OP_##name] = "{%n,%w0}"
#define RAW2(name) [OP_##name] = "{%n,%w0,%w1}"
#define RES1(name) [OP_##name] = "{%n,%r0}"
#define RES2(name) [OP_##name] = "{%n,%r0,%r1}"
#define RES3(name) [OP_##name] = "{%n,%r0,%r1,%r2}"

static const char *const templates[GENOP_MAX + 1] = {
    RES1(label),
    [OP_func_info] = "{func_info,%w0,%w1,%r2}",
    [OP_call] = "{call,%r0,%l1}",
    [OP_call_last] = "{call_last,%r0,%l1,%r2}",
    [OP_call_only] = "{call_only,%r0,%l1}",
    [OP_call_ext] = "{call_ext,%r0,%e1}",
    [OP_call_ext_last] = "{call_ext_last,%r0,%e1,%r2}",
    [OP_call_ext_only] = "{call_ext_only,%r0,%e1}",
    [OP_bif0] = "{bif,%b0,nofail,[],%r1}",
    [OP_bif1] = "{bif,%b1,%r0,[%r2],%r3}",
    [OP_bif2] = "{bif,%b1,%r0,[%r2,%r3],%r4}",
    [OP_gc_bif1] = "{gc_bif,%b2,%r0,%r1,[%r3],%r4}",
    [OP_gc_bif2] = "{gc_bif,%b2,%r0,%r1,[%r3,%r4],%r5}",
    [OP_gc_bif3] = "{gc_bif,%b2,%r0,%r1,[%r3,%r4,%r5],%r6}",
    RES2(allocate), RES3(allocate_heap), RES2(allocate_zero), RES3(allocate_heap_zero),
    RES2(test_heap), RAW1(init), RES1(deallocate), RES2(trim),
    BARE(return), BARE(send), BARE(remove_message), BARE(timeout),
    RAW2(loop_rec), RAW1(loop_rec_end), RAW1(wait),
    [OP_wait_timeout] = "{wait_timeout,%w0,%r1}",
    TEST(is_lt), TEST(is_ge), TEST(is_eq), TEST(is_ne), TEST(is_eq_exact), TEST(is_ne_exact),
    TEST(is_integer), TEST(is_float), TEST(is_number), TEST(is_atom), TEST(is_pid),
    TEST(is_reference), TEST(is_port), TEST(is_nil), TEST(is_binary), TEST(is_list),
    TEST(is_nonempty_list), TEST(is_tuple), TEST(test_arity), TEST(is_function),
    TEST(is_boolean), TEST(is_function2), TEST(is_bitstr), TEST(is_map), TEST(is_tagged_tuple),
    [OP_select_val] = "{select_val,%w0,%w1,{list,[%L2]}}",
    [OP_select_tuple_arity] = "{select_tuple_arity,%w0,%w1,{list,[%L2]}}",
    RAW1(jump),
    [OP_catch] = "{'catch',%w0,%w1}",
    RAW1(catch_end),
    [OP_move] = "{move,%r0,%w1}",
    [OP_get_list] = "{get_list,%w0,%w1,%w2}",
    RES3(get_tuple_element), RES3(set_tuple_element),
    [OP_put_list] = "{put_list,%r0,%r1,%w2}",
    RES1(badmatch), BARE(if_end), RES1(case_end), RES1(call_fun),
    BS_PUT(bs_put_integer), BS_PUT(bs_put_binary), BS_PUT(bs_put_float),
    [OP_bs_put_string] = "{bs_put_string,%r0,{string,%s0}}",
    BARE(fclearerror), RES1(fcheckerror), RES2(fmove), RES2(fconv),
    FARITH(fadd), FARITH(fsub), FARITH(fmul), FARITH(fdiv),
    [OP_fnegate] = "{arithfbif,fnegate,%r0,[%r1],%r2}",
    [OP_make_fun2] = "{make_fun2,%m0,%r0,%o0,%z0}",
    [OP_try] = "{'try',%w0,%w1}",
    RAW1(try_end), RAW1(try_case), RES1(try_case_end),
    [OP_raise] = "{raise,{f,0},[%w0,%w1],{x,0}}",
    BS_INIT(bs_init2), BS_INIT(bs_init_bits),
    [OP_bs_add] = "{bs_add,%w0,[%r1,%r2,%r3],%r4}",
    RES1(apply), RES2(apply_last),
    BS_GET(bs_get_integer2), BS_GET(bs_get_float2), BS_GET(bs_get_binary2),
    [OP_bs_skip_bits2] = "{test,%n,%w0,[%w1,%r2,%r3,%f4]}",
    [OP_bs_test_tail2] = "{test,%n,%w0,[%w1,%r2]}",
    [OP_bs_test_unit] = "{test,%n,%w0,[%w1,%r2]}",
    [OP_bs_match_string] = "{test,%n,%w0,[%w1,%r2,%B2]}",
    BARE(bs_init_writable),
    [OP_bs_append] = "{bs_append,%w0,%r1,%r2,%r3,%r4,%r5,%f6,%r7}",
    [OP_bs_private_append] = "{bs_private_append,%w0,%r1,%r2,%r3,%f4,%r5}",
    UTF_GET(bs_get_utf8), UTF_GET(bs_get_utf16), UTF_GET(bs_get_utf32),
    UTF_SKIP(bs_skip_utf8), UTF_SKIP(bs_skip_utf16), UTF_SKIP(bs_skip_utf32),
    UTF_SIZE(bs_utf8_size), UTF_SIZE(bs_utf16_size),
    UTF_PUT(bs_put_utf8), UTF_PUT(bs_put_utf16), UTF_PUT(bs_put_utf32),
    BARE(on_load), RAW1(recv_mark), RAW1(recv_set), RES1(line),
    [OP_put_map_assoc] = "{put_map_assoc,%w0,%w1,%w2,%r3,{list,[%L4]}}",
    [OP_put_map_exact] = "{put_map_exact,%w0,%w1,%w2,%r3,{list,[%L4]}}",
    [OP_has_map_fields] = "{test,has_map_fields,%w0,%w1,{list,[%L2]}}",
    [OP_get_map_elements] = "{get_map_elements,%w0,%w1,{list,[%L2]}}",
    BARE(build_stacktrace), BARE(raw_raise), RAW2(get_hd), RAW2(get_tl),
    [OP_put_tuple2] = "{put_tuple2,%w0,{list,[%L1]}}",
    [OP_bs_get_tail] = "{bs_get_tail,%w0,%w1,%w2}",
    [OP_bs_start_match3] = "{bs_start_match3,%w0,%w1,%w2,%w3}",
    [OP_bs_get_position] = "{bs_get_position,%w0,%w1,%w2}",
    RAW2(bs_set_position), RES2(swap),
    [OP_bs_start_match4] = "{bs_start_match4,%w0,%w1,%w2,%w3}",
    [OP_make_fun3] = "{make_fun3,%m0,%r0,%o0,%w1,{list,[%L2]}}",
    [OP_init_yregs] = "{init_yregs,{list,[%L0]}}",
    RAW2(recv_marker_bind), RAW1(recv_marker_clear), RAW1(recv_marker_reserve), RAW1(recv_marker_use),
    [OP_bs_create_bin] = "{bs_create_bin,[{%w0,%w1,%w2,%w3,%w4,{z,1},{u,%c5},[%W5]}]}",
    [OP_call_fun2] = "{call_fun2,%w0,%r1,%w2}",
    BARE(nif_start), RES1(badrecord),
};

/* One conversion of a template; returns false for an unknown one. */
static bool emit_conversion(printer *p, char conv, unsigned i)
{
    const beam_operand *o = conv == 'n' ? NULL : operand(p, i);
    switch (conv) {
    case 'n': sb_puts(p->out, genop_table[p->in->op].name); return true;
    case 'r': print_resolved(p, o); return true;
    case 'w': print_raw(p, o); return true;
    case 'e': print_extfunc(p, o); return true;
    case 'b': print_bif_name(p, o); return true;
    case 'l': print_local_function(p, o); return true;
    case 'f': sb_printf(p->out, "{field_flags,%llu}", (unsigned long long)o->v.u); return true;
    case '*': print_resolved_from(p, i); return true;
    case 'L': print_list_elements(p, i, print_resolved); return true;
    case 'W': print_list_elements(p, i, print_raw); return true;
    case 'c': sb_printf(p->out, "%llu", (unsigned long long)o->v.u); return true;
    case 'm': print_lambda_field(p, o, 'l'); return true;
    case 'o': case 'z': print_lambda_field(p, o, conv); return true;
    case 's': print_put_string(p, i); return true;
    case 'B': print_match_string(p, i); return true;
    }
    return false;
}

static void emit_template(printer *p, const char *t)
{
    while (*t) {
        const char *pct = strchr(t, '%');
        if (!pct) { sb_puts(p->out, t); return; }
        sb_put(p->out, t, (size_t)(pct - t));
        char conv = pct[1];
        unsigned i = 0;
        t = pct + 2;
        if (conv != 'n') i = (unsigned)(*t++ - '0');
        if (!emit_conversion(p, conv, i)) sb_printf(p->out, "<bad conversion %%%c>", conv);
    }
}

/* An opcode without a template (obsolete ones: the loader refuses them)
 * prints as {Name,RawOperands...}, so that the text still shows it. */
static void emit_untemplated(printer *p)
{
    const char *name = p->in->op <= GENOP_MAX ? genop_table[p->in->op].name : NULL;
    if (name) sb_printf(p->out, "{%s", name);
    else sb_printf(p->out, "{unknown_opcode_%u", p->in->op);
    for (unsigned k = 0; k < p->in->arity; k++) {
        sb_putc(p->out, ',');
        print_raw(p, operand(p, k));
    }
    sb_putc(p->out, '}');
}

static void print_instr(printer *p, const beam_instr *in)
{
    p->in = in;
    const char *t = in->op <= GENOP_MAX ? templates[in->op] : NULL;
    sb_puts(p->out, "    ");
    if (t) emit_template(p, t);
    else emit_untemplated(p);
    sb_putc(p->out, '\n');
}

/* --- the module header -------------------------------------------------------- */

static int compare_atom_text(Term a, Term b)
{
    size_t la = atom_len(a), lb = atom_len(b);
    int c = memcmp(atom_text(a), atom_text(b), la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

/* beam_lib sorts the {Name,Arity,Label} triples. */
static int compare_exports(const void *a, const void *b)
{
    const beam_export *x = a, *y = b;
    int c = compare_atom_text(x->function, y->function);
    if (c) return c;
    if (x->arity != y->arity) return x->arity < y->arity ? -1 : 1;
    return (x->label > y->label) - (x->label < y->label);
}

static void print_exports(strbuf *out, const beam_module *m)
{
    beam_export *sorted = malloc((m->export_count + 1) * sizeof *sorted);
    if (!sorted) abort();
    memcpy(sorted, m->exports, m->export_count * sizeof *sorted);
    qsort(sorted, m->export_count, sizeof *sorted, compare_exports);
    sb_puts(out, "{exports,[");
    for (uint32_t i = 0; i < m->export_count; i++) {
        sb_puts(out, i ? ",{" : "{");
        atom_print(out, sorted[i].function);
        sb_printf(out, ",%u,%u}", sorted[i].arity, sorted[i].label);
    }
    sb_puts(out, "]}\n");
    free(sorted);
}

typedef struct attribute {
    Term key, value;
    size_t position;   /* keysort is stable: equal keys keep file order */
} attribute;

static int compare_attributes(const void *a, const void *b)
{
    const attribute *x = a, *y = b;
    int c = term_compare(x->key, y->key);
    return c ? c : (x->position > y->position) - (x->position < y->position);
}

static size_t proper_length(Term list)
{
    size_t n = 0;
    for (; term_is_list(list); list = list_tail(list)) n++;
    return n;
}

/* Appends the elements of one attribute value to a {Key,[...]} being
 * printed, as lists:append does; `first` tracks the comma. */
static void print_appended(strbuf *out, Term value, bool *first)
{
    for (; term_is_list(value); value = list_tail(value)) {
        if (!*first) sb_putc(out, ',');
        *first = false;
        term_print(out, list_head(value));
    }
    if (value != NIL) {
        sb_putc(out, '|');
        term_print(out, value);
    }
}

/* beam_lib's attributes/1: keysort(1), then the values of each run of
 * equal keys appended. Elements that are not 2-tuples are left out. */
static void print_attributes(strbuf *out, const beam_module *m)
{
    Term list = m->attributes == THE_NON_VALUE ? NIL : m->attributes;
    size_t n = proper_length(list), count = 0;
    attribute *attrs = malloc((n + 1) * sizeof *attrs);
    if (!attrs) abort();
    for (; term_is_list(list); list = list_tail(list)) {
        Term t = list_head(list);
        if (term_is_tuple(t) && tuple_arity(t) == 2)
            attrs[count] = (attribute){ tuple_elements(t)[0], tuple_elements(t)[1], count }, count++;
    }
    qsort(attrs, count, sizeof *attrs, compare_attributes);
    sb_puts(out, "{attributes,[");
    for (size_t i = 0; i < count;) {
        sb_puts(out, i ? ",{" : "{");
        term_print(out, attrs[i].key);
        sb_puts(out, ",[");
        bool first = true;
        size_t j = i;
        for (; j < count && term_eq_exact(attrs[j].key, attrs[i].key); j++)
            print_appended(out, attrs[j].value, &first);
        sb_puts(out, "]}");
        i = j;
    }
    sb_puts(out, "]}\n");
    free(attrs);
}

/* --- functions ------------------------------------------------------------------ */

static bool is_label_or_line(const beam_instr *in)
{
    return in->op == OP_label || in->op == OP_line;
}

/* beam_disasm starts a function at the labels and lines before its
 * func_info; returns the index of that func_info if one starts at i. */
static bool starts_function(const beam_module *m, uint32_t i, uint32_t end, uint32_t *func_info)
{
    while (i < end && is_label_or_line(&m->code[i])) i++;
    *func_info = i;
    return i < end && m->code[i].op == OP_func_info;
}

/* {function,Name,Arity,Entry}: Entry is the label after func_info. */
static void print_function_header(printer *p, uint32_t fi, uint32_t end)
{
    const beam_module *m = p->m;
    strbuf *out = p->out;
    p->in = &m->code[fi];
    sb_puts(out, "{function,");
    print_atom_operand(p, operand(p, 1));
    sb_putc(out, ',');
    print_resolved(p, operand(p, 2));
    sb_putc(out, ',');
    if (fi + 1 < end && m->code[fi + 1].op == OP_label)
        sb_printf(out, "%llu}\n", (unsigned long long)beam_instr_operand(m, &m->code[fi + 1], 0)->v.u);
    else
        sb_puts(out, "no_entry_label}\n");
}

static uint32_t code_end(const beam_module *m)
{
    uint32_t end = 0;
    while (end < m->code_len && m->code[end].op != OP_int_code_end) end++;
    return end;
}

static void print_code(strbuf *out, const beam_module *m)
{
    printer p = { out, m, NULL };
    uint32_t end = code_end(m), fi;
    for (uint32_t i = 0; i < end;) {
        if (starts_function(m, i, end, &fi)) {
            print_function_header(&p, fi, end);
            while (i <= fi) print_instr(&p, &m->code[i++]);
        } else {
            print_instr(&p, &m->code[i++]);
        }
    }
}

void beam_disasm_print(strbuf *out, const beam_module *m)
{
    sb_printf(out, "== %s\n{module,", m->path);
    atom_print(out, m->name);
    sb_puts(out, "}\n");
    print_exports(out, m);
    print_attributes(out, m);
    print_code(out, m);
}
