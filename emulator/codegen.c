/*
 * codegen.c — generic BEAM instructions (a beam_module) to threaded code.
 *
 * One pass over the generic stream emits specific instructions (ops.tab)
 * with pre-decoded operands; label operands are recorded as fixups and
 * patched to absolute addresses at the end, when the code array no longer
 * moves. `line` instructions emit nothing: they go to the side table that
 * stack traces read. Specialisations (the OTP loader's transformations):
 * moves by operand kind, is_tuple+test_arity, move/deallocate+return
 * fusions, select_val as a jump table or a binary search, + and - with an
 * inline small-integer path, call_ext to a BIF as a direct C call.
 *
 * Errors (an instruction cbeam cannot run yet, out of memory) longjmp back
 * to codegen() through CG_FAIL, which frees everything made so far.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "atom.h"
#include "bif.h"
#include "emu.h"
#include "genop.h"
#include "strbuf.h"
#include "codegen.h"

void cg_fail(cg *g, const char *fmt, ...)
{
    sb_reset(g->err);
    sb_printf(g->err, "%s: ", g->m->path);
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(g->err, fmt, ap);
    va_end(ap);
    longjmp(g->fail, 1);
}

static void *cg_grow(cg *g, void *array, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return array;
    size_t n = *cap ? *cap : 256;
    while (n < need) n *= 2;
    void *p = realloc(array, n * elem);
    if (!p) CG_FAIL(g, "out of memory generating code");
    *cap = n;
    return p;
}

/* --- emitting ------------------------------------------------------------- */

void emit_word(cg *g, BeamInstr w)
{
    g->code = cg_grow(g, g->code, &g->cap, g->len + 1, sizeof *g->code);
    g->code[g->len++] = w;
}

static void record_line(cg *g)
{
    if (g->pending_line == UINT32_MAX) return;
    g->line_at = cg_grow(g, g->line_at, &g->capline, g->nline + 1, sizeof *g->line_at);
    g->line_at[g->nline].at = g->len;
    g->line_at[g->nline].item = g->pending_line;
    g->nline++;
    g->pending_line = UINT32_MAX;
}

void emit_op(cg *g, int opc)
{
    record_line(g);
    emit_word(g, (BeamInstr)opc_addresses[opc]);
}

void emit_label_ref(cg *g, uint64_t label)
{
    if (label == 0) {
        emit_word(g, 0);
        return;
    }
    g->fix = cg_grow(g, g->fix, &g->capfix, g->nfix + 1, sizeof *g->fix);
    g->fix[g->nfix++] = (fixup){ g->len, (uint32_t)label };
    emit_word(g, 0);
}

/* --- operands --------------------------------------------------------------- */

static bool is_x(const beam_operand *o) { return o->kind == OPND_X || o->kind == OPND_TYPED_X; }
static bool is_y(const beam_operand *o) { return o->kind == OPND_Y || o->kind == OPND_TYPED_Y; }
static bool is_reg(const beam_operand *o) { return is_x(o) || is_y(o); }

BeamInstr reg_word(cg *g, const beam_operand *o)
{
    if (is_x(o)) return REG_X(o->v.u);
    if (is_y(o)) return REG_Y(o->v.u);
    CG_FAIL(g, "expected a register operand");
}

/* The term an operand that is not a register stands for. */
Term const_term(cg *g, const beam_operand *o)
{
    switch (o->kind) {
    case OPND_INT:
    case OPND_ATOM: return o->v.term;
    case OPND_LITERAL: return g->m->literals[o->v.u];
    default: CG_FAIL(g, "operand kind %u is not a constant", o->kind);
    }
}

BeamInstr src_word(cg *g, const beam_operand *o)
{
    return is_reg(o) ? reg_word(g, o) : (BeamInstr)const_term(g, o);
}

uint64_t u_value(cg *g, const beam_operand *o)
{
    if (o->kind == OPND_U) return o->v.u;
    if (o->kind == OPND_ALLOC) return g->m->alloc_lists[o->v.u].heap_words;
    CG_FAIL(g, "expected an untagged integer operand");
}

void emit_src(cg *g, const beam_operand *o) { emit_word(g, src_word(g, o)); }
void emit_dst(cg *g, const beam_operand *o) { emit_word(g, reg_word(g, o)); }
void emit_u(cg *g, const beam_operand *o) { emit_word(g, (BeamInstr)u_value(g, o)); }

static Export *import_export(cg *g, const beam_operand *o)
{
    const beam_import *imp = &g->m->imports[o->v.u];
    Export *e = export_put(imp->module, imp->function, imp->arity);
    if (!e) CG_FAIL(g, "out of memory in the export table");
    return e;
}

/* --- instruction families ------------------------------------------------- */

static const beam_instr *next_instr(cg *g, const beam_instr *in)
{
    const beam_instr *end = g->m->code + g->m->code_len;
    return in + 1 < end ? in + 1 : NULL;
}

static void gen_move(cg *g, const beam_operand *s, const beam_operand *d)
{
    if (is_x(s) && is_x(d)) { emit_op(g, OPC_move_xx); emit_word(g, s->v.u); emit_word(g, d->v.u); return; }
    if (is_x(s) && is_y(d)) { emit_op(g, OPC_move_xy); emit_word(g, s->v.u); emit_word(g, d->v.u + 1); return; }
    if (is_y(s) && is_x(d)) { emit_op(g, OPC_move_yx); emit_word(g, s->v.u + 1); emit_word(g, d->v.u); return; }
    if (is_y(s) && is_y(d)) { emit_op(g, OPC_move_yy); emit_word(g, s->v.u + 1); emit_word(g, d->v.u + 1); return; }
    if (is_x(d)) { emit_op(g, OPC_move_cx); emit_word(g, const_term(g, s)); emit_word(g, d->v.u); return; }
    emit_op(g, OPC_move_cy);
    emit_word(g, const_term(g, s));
    emit_word(g, d->v.u + 1);
}

_Static_assert(OPC_move2_yy_yy == OPC_move2_xx_xx + 15 && OPC_move2_xy_yx == OPC_move2_xx_xx + 6,
               "ops.tab: the move2 variants in binary order");

/* Two register moves in a row: move2_AB_CD (x/y kinds), done in order. */
static void gen_move2(cg *g, const beam_operand *s1, const beam_operand *d1, const beam_operand *s2, const beam_operand *d2)
{
    const beam_operand *ops[4] = { s1, d1, s2, d2 };
    unsigned kind = 0;
    for (unsigned k = 0; k < 4; k++) kind = kind << 1 | is_y(ops[k]);
    /* ops.tab lists them with the last operand varying fastest, x before y. */
    emit_op(g, OPC_move2_xx_xx + (int)kind);
    for (unsigned k = 0; k < 4; k++) emit_word(g, ops[k]->v.u + is_y(ops[k]));
}

static bool is_bif_named(const Export *e, const char *name, uint32_t arity)
{
    return e->module == am_erlang && e->arity == arity && strcmp(atom_text(e->function), name) == 0;
}

/* Emits a call to a known export. mode: 0 body, 1 only, 2 last. */
static void gen_call_ext(cg *g, unsigned arity, Export *e, unsigned mode, uint64_t dealloc)
{
    Term erlang = am_erlang;
    if (e->module == erlang && e->arity == 3 && strcmp(atom_text(e->function), "apply") == 0) {
        emit_op(g, OPC_i_apply_mfa); emit_word(g, mode); emit_word(g, dealloc);
        return;
    }
    if (e->module == erlang && e->arity == 2 && strcmp(atom_text(e->function), "apply") == 0) {
        emit_op(g, OPC_i_apply_fun); emit_word(g, mode); emit_word(g, dealloc);
        return;
    }
    if (is_bif_named(e, "garbage_collect", 0)) {
        /* A heavy BIF: it collects, which a C BIF may not, so it is an
         * instruction; at a call nothing but x0 (the result) is live. */
        emit_op(g, OPC_garbage_collect);
        if (mode == 1) emit_op(g, OPC_i_return);
        if (mode == 2) { emit_op(g, OPC_deallocate_return); emit_word(g, dealloc); }
        return;
    }
    if (bif_is_implemented(e->bif)) {
        emit_op(g, OPC_call_bif); emit_word(g, arity); emit_word(g, (BeamInstr)e);
        if (mode == 1) emit_op(g, OPC_i_return);
        if (mode == 2) { emit_op(g, OPC_deallocate_return); emit_word(g, dealloc); }
        return;
    }
    static const int ops[] = { OPC_i_call_ext, OPC_i_call_ext_only, OPC_i_call_ext_last };
    emit_op(g, ops[mode]);
    emit_word(g, arity);
    emit_word(g, (BeamInstr)e);
    if (mode == 2) emit_word(g, dealloc);
}


/* gc_bif1/2/3 and bif0/1/2: Fail [Live] Import Args... Dst */
static void gen_bif(cg *g, const beam_instr *in, unsigned nargs, bool gc)
{
    unsigned k = 0;
    const beam_operand *fail = nargs ? OPND(in, k++) : NULL;
    const beam_operand *live = gc ? OPND(in, k++) : NULL;
    Export *e = import_export(g, OPND(in, k++));
    if (!e->bif) CG_FAIL(g, "%s:%s/%u is used as a guard BIF but is not one", atom_text(e->module), atom_text(e->function), e->arity);
    const beam_operand *args = OPND(in, k);
    const beam_operand *dst = OPND(in, k + nargs);
    if (gc && nargs == 2 && (is_bif_named(e, "+", 2) || is_bif_named(e, "-", 2))) {
        bool plus = is_bif_named(e, "+", 2);
        bool inc = plus && args[1].kind == OPND_INT && term_is_small(args[1].v.term);
        bool b_const = args[1].kind == OPND_INT && term_is_small(args[1].v.term);
        if (fail->v.u == 0) {
            /* The operand kinds hot loops use get their own handlers
             * (x destination only); the rest take i_plus_ss/i_minus_ss. */
            int opc = 0;
            if (is_x(dst)) {
                if (is_x(&args[0]) && b_const) opc = plus ? OPC_i_plus_xc : OPC_i_minus_xc;
                else if (is_y(&args[0]) && b_const) opc = plus ? OPC_i_plus_yc : OPC_i_minus_yc;
                else if (plus && is_y(&args[0]) && is_x(&args[1])) opc = OPC_i_plus_yx;
                else if (is_x(&args[0]) && is_x(&args[1])) opc = plus ? OPC_i_plus_xx : OPC_i_minus_xx;
            }
            if (opc) {
                emit_op(g, opc);
                emit_word(g, args[0].v.u + is_y(&args[0]));
                emit_word(g, b_const ? src_word(g, &args[1]) : args[1].v.u);
                emit_word(g, dst->v.u);
                return;
            }
            emit_op(g, plus ? OPC_i_plus_ss : OPC_i_minus_ss);
            emit_src(g, &args[0]);
            emit_src(g, &args[1]);
            emit_dst(g, dst);
            return;
        }
        emit_op(g, inc ? OPC_i_increment : plus ? OPC_i_plus : OPC_i_minus);
        emit_label_ref(g, fail->v.u);
        emit_u(g, live);
        emit_src(g, &args[0]);
        emit_src(g, &args[1]);
        emit_dst(g, dst);
        return;
    }
    if (nargs == 2 && e->module == am_erlang) {
        static const struct { const char *name; int opc, opc_xcx; } int_ops[] = {
            { "*", OPC_i_times, OPC_i_times_xcx }, { "div", OPC_i_div, OPC_i_div_xcx },
            { "rem", OPC_i_rem, OPC_i_rem_xcx }, { "band", OPC_i_band, OPC_i_band_xcx },
            { "bor", OPC_i_bor, OPC_i_bor_xcx }, { "bxor", OPC_i_bxor, OPC_i_bxor_xcx },
            { "bsl", OPC_i_bsl, OPC_i_bsl_xcx }, { "bsr", OPC_i_bsr, OPC_i_bsr_xcx },
        };
        bool xcx = is_x(&args[0]) && args[1].kind == OPND_INT && term_is_small(args[1].v.term) && is_x(dst);
        for (size_t k = 0; k < sizeof int_ops / sizeof int_ops[0]; k++) {
            if (!is_bif_named(e, int_ops[k].name, 2)) continue;
            emit_op(g, xcx ? int_ops[k].opc_xcx : int_ops[k].opc);
            emit_label_ref(g, fail->v.u);
            emit_word(g, (BeamInstr)e);
            if (xcx) {
                emit_word(g, args[0].v.u);
                emit_word(g, args[1].v.term);
                emit_word(g, dst->v.u);
            } else {
                emit_src(g, &args[0]);
                emit_src(g, &args[1]);
                emit_dst(g, dst);
            }
            return;
        }
    }
    if (nargs == 2 && e->module == am_erlang) {
        /* Comparisons used as values: never fail, so the fail label goes. */
        static const char *const cmp_names[] = { "=:=", "=/=", "==", "/=", "<", ">", "=<", ">=" };
        for (unsigned k = 0; k < sizeof cmp_names / sizeof cmp_names[0]; k++) {
            if (!is_bif_named(e, cmp_names[k], 2)) continue;
            emit_op(g, OPC_i_compare);
            emit_word(g, k);
            emit_src(g, &args[0]);
            emit_src(g, &args[1]);
            emit_dst(g, dst);
            return;
        }
    }
    if (nargs == 0) { emit_op(g, OPC_bif0); emit_word(g, (BeamInstr)e); emit_dst(g, dst); return; }
    if (!gc && nargs == 2 && is_bif_named(e, "element", 2)) {
        emit_op(g, OPC_i_element);
        emit_label_ref(g, fail->v.u);
        emit_src(g, &args[0]);
        emit_src(g, &args[1]);
        emit_dst(g, dst);
        return;
    }
    static const int plain[] = { 0, OPC_bif1, OPC_bif2 };
    static const int gcs[] = { 0, OPC_gc_bif1, OPC_gc_bif2, OPC_gc_bif3 };
    emit_op(g, gc ? gcs[nargs] : plain[nargs]);
    emit_label_ref(g, fail->v.u);
    emit_word(g, (BeamInstr)e);
    if (gc) emit_u(g, live);
    for (unsigned a = 0; a < nargs; a++) emit_src(g, &args[a]);
    emit_dst(g, dst);
}

static void gen_test(cg *g, const beam_instr *in, int opc)
{
    emit_op(g, opc);
    emit_label_ref(g, OPND(in, 0)->v.u);
    for (unsigned k = 1; k < genop_table[in->op].arity; k++) emit_src(g, OPND(in, k));
}

/* A two-operand test with variants for (x, immediate constant) and (x, x)
 * operands; 0 where there is no such variant. */
static void gen_test_special(cg *g, const beam_instr *in, int general, int xc, int xx)
{
    const beam_operand *a = OPND(in, 1), *b = OPND(in, 2);
    bool b_immed = (b->kind == OPND_ATOM || b->kind == OPND_INT) && term_is_immed(b->v.term);
    if (xc && is_x(a) && b_immed) {
        emit_op(g, xc); emit_label_ref(g, OPND(in, 0)->v.u); emit_word(g, a->v.u); emit_word(g, b->v.term);
    } else if (xc && is_x(b) && (a->kind == OPND_ATOM || a->kind == OPND_INT) && term_is_immed(a->v.term)) {
        emit_op(g, xc); emit_label_ref(g, OPND(in, 0)->v.u); emit_word(g, b->v.u); emit_word(g, a->v.term);
    } else if (xx && is_x(a) && is_x(b)) {
        emit_op(g, xx); emit_label_ref(g, OPND(in, 0)->v.u); emit_word(g, a->v.u); emit_word(g, b->v.u);
    } else {
        gen_test(g, in, general);
    }
}

static int cmp_words(const void *a, const void *b)
{
    BeamInstr x = ((const BeamInstr *)a)[0], y = ((const BeamInstr *)b)[0];
    return x < y ? -1 : x > y;
}

/* select_val Src Fail {list,[V1,L1,...]} */
static void gen_select_val(cg *g, const beam_instr *in)
{
    const beam_operand *list = OPND(in, 2);
    size_t pairs = list->v.u / 2;
    const beam_operand *items = list + 1;
    bool all_small = true, all_immed = true;
    SWord lo = MAX_SMALL, hi = MIN_SMALL;
    for (size_t k = 0; k < pairs; k++) {
        Term v = const_term(g, &items[2 * k]);
        if (!term_is_immed(v)) all_immed = false;
        if (!term_is_small(v)) { all_small = false; continue; }
        if (small_value(v) < lo) lo = small_value(v);
        if (small_value(v) > hi) hi = small_value(v);
    }
    if (all_small && pairs >= 3 && (UWord)(hi - lo) < 2 * pairs + 8) {
        size_t n = (size_t)(hi - lo) + 1;
        emit_op(g, OPC_jump_on_val);
        emit_src(g, OPND(in, 0));
        emit_label_ref(g, OPND(in, 1)->v.u);
        emit_word(g, make_small(lo));
        emit_word(g, n);
        size_t table = g->len;
        for (size_t k = 0; k < n; k++) emit_label_ref(g, OPND(in, 1)->v.u);
        for (size_t k = 0; k < pairs; k++) {
            size_t slot = table + (size_t)(small_value(const_term(g, &items[2 * k])) - lo);
            for (size_t f = 0; f < g->nfix; f++)
                if (g->fix[f].at == slot) g->fix[f].label = (uint32_t)items[2 * k + 1].v.u;
        }
        return;
    }
    if (all_immed && pairs == 2) {
        const beam_operand *src = OPND(in, 0);
        emit_op(g, is_x(src) ? OPC_select_val2_x : OPC_select_val2);
        if (is_x(src)) emit_word(g, src->v.u);
        else emit_src(g, src);
        emit_label_ref(g, OPND(in, 1)->v.u);
        for (size_t k = 0; k < 2; k++) {
            emit_word(g, const_term(g, &items[2 * k]));
            emit_label_ref(g, items[2 * k + 1].v.u);
        }
        return;
    }
    emit_op(g, !all_immed ? OPC_select_val_lin : pairs <= 8 ? OPC_select_val_small : OPC_select_val_bin);
    emit_src(g, OPND(in, 0));
    emit_label_ref(g, OPND(in, 1)->v.u);
    emit_word(g, 2 * pairs);
    /* Values first, then the addresses in the same order. */
    BeamInstr (*sorted)[2] = malloc((pairs ? pairs : 1) * sizeof *sorted);
    if (!sorted) CG_FAIL(g, "out of memory");
    for (size_t k = 0; k < pairs; k++) {
        sorted[k][0] = const_term(g, &items[2 * k]);
        sorted[k][1] = items[2 * k + 1].v.u;
    }
    if (all_immed) qsort(sorted, pairs, sizeof *sorted, cmp_words);
    for (size_t k = 0; k < pairs; k++) emit_word(g, sorted[k][0]);
    for (size_t k = 0; k < pairs; k++) emit_label_ref(g, sorted[k][1]);
    free(sorted);
}

static void gen_select_tuple_arity(cg *g, const beam_instr *in)
{
    const beam_operand *list = OPND(in, 2);
    size_t pairs = list->v.u / 2;
    emit_op(g, OPC_select_tuple_arity);
    emit_src(g, OPND(in, 0));
    emit_label_ref(g, OPND(in, 1)->v.u);
    emit_word(g, 2 * pairs);
    for (size_t k = 0; k < pairs; k++) emit_word(g, make_header(u_value(g, &list[1 + 2 * k]), HDR_TUPLE));
    for (size_t k = 0; k < pairs; k++) emit_label_ref(g, list[2 + 2 * k].v.u);
}

/* Operands of a list as sources, after its count. */
static void emit_list_sources(cg *g, const beam_operand *list)
{
    emit_word(g, list->v.u);
    for (uint64_t k = 0; k < list->v.u; k++) emit_src(g, &list[1 + k]);
}

static void gen_make_fun(cg *g, uint64_t index, const beam_operand *dst, const beam_operand *env, uint64_t nfree_x)
{
    emit_op(g, OPC_make_fun);
    emit_word(g, (BeamInstr)&g->lc->funs[index]);
    if (dst) emit_dst(g, dst);
    else emit_word(g, REG_X(0));
    if (env) {
        emit_list_sources(g, env);
    } else {
        emit_word(g, nfree_x);
        for (uint64_t k = 0; k < nfree_x; k++) emit_word(g, REG_X(k));
    }
}

static void gen_func_info(cg *g, const beam_instr *in)
{
    if (g->function >= g->lc->function_count) CG_FAIL(g, "more functions than the header says");
    if (g->function > 0) g->lc->functions[g->function - 1].end = (const BeamInstr *)g->len;
    code_function *f = &g->lc->functions[g->function++];
    f->start = (const BeamInstr *)g->len;   /* an offset until finish */
    f->mfa = (MFA){ OPND(in, 0)->v.term, OPND(in, 1)->v.term, (uint32_t)OPND(in, 2)->v.u };
    emit_op(g, OPC_i_func_info);
    emit_word(g, (BeamInstr)&f->mfa);
}

/* Returns the number of generic instructions consumed beyond `in`. */
static int gen_return_fusions(cg *g, const beam_instr *in)
{
    const beam_instr *n1 = next_instr(g, in);
    const beam_instr *n2 = n1 ? next_instr(g, n1) : NULL;
    if (in->op == OP_deallocate && n1 && n1->op == OP_return) {
        emit_op(g, OPC_deallocate_return);
        emit_u(g, OPND(in, 0));
        return 1;
    }
    if (in->op == OP_move && is_x(OPND(in, 1)) && OPND(in, 1)->v.u == 0 && n1 &&
        (n1->op == OP_call || n1->op == OP_call_only || n1->op == OP_call_last)) {
        static const struct { unsigned gen; int opc; } fused[] = {
            { OP_call, OPC_move_call }, { OP_call_only, OPC_move_call_only }, { OP_call_last, OPC_move_call_last },
        };
        for (size_t k = 0; k < 3; k++) {
            if (n1->op != fused[k].gen) continue;
            emit_op(g, fused[k].opc);
            emit_src(g, OPND(in, 0));
            emit_u(g, OPND(n1, 0));
            emit_label_ref(g, OPND(n1, 1)->v.u);
            if (n1->op == OP_call_last) emit_u(g, OPND(n1, 2));
        }
        return 1;
    }
    if (in->op == OP_move && is_x(OPND(in, 1)) && OPND(in, 1)->v.u == 0 && n1) {
        if (n1->op == OP_return) {
            if (is_x(OPND(in, 0))) {
                emit_op(g, OPC_move_return_x);
                emit_word(g, OPND(in, 0)->v.u);
            } else {
                emit_op(g, OPC_move_return);
                emit_src(g, OPND(in, 0));
            }
            return 1;
        }
        if (n1->op == OP_deallocate && n2 && n2->op == OP_return) {
            emit_op(g, OPC_move_deallocate_return);
            emit_src(g, OPND(in, 0));
            emit_u(g, OPND(n1, 0));
            return 2;
        }
    }
    return -1;
}

static void gen_map_update(cg *g, const beam_instr *in, int opc)
{
    emit_op(g, opc);
    emit_label_ref(g, OPND(in, 0)->v.u);
    emit_src(g, OPND(in, 1));
    emit_dst(g, OPND(in, 2));
    emit_u(g, OPND(in, 3));
    emit_list_sources(g, OPND(in, 4));
}

static void gen_get_map_elements(cg *g, const beam_instr *in)
{
    const beam_operand *list = OPND(in, 2);
    emit_op(g, OPC_get_map_elements);
    emit_label_ref(g, OPND(in, 0)->v.u);
    emit_src(g, OPND(in, 1));
    emit_word(g, list->v.u);
    for (uint64_t k = 0; k < list->v.u; k += 2) {
        emit_src(g, &list[1 + k]);
        emit_dst(g, &list[2 + k]);
    }
}

/* fmove: between a float register and a term, or two float registers. */
static void gen_fmove(cg *g, const beam_instr *in)
{
    const beam_operand *s = OPND(in, 0), *d = OPND(in, 1);
    if (s->kind == OPND_FR && d->kind == OPND_FR) { emit_op(g, OPC_fmove_ff); emit_word(g, s->v.u); emit_word(g, d->v.u); }
    else if (d->kind == OPND_FR) { emit_op(g, OPC_fload); emit_src(g, s); emit_word(g, d->v.u); }
    else { emit_op(g, OPC_fstore); emit_word(g, s->v.u); emit_dst(g, d); }
}

static void gen_farith(cg *g, const beam_instr *in, int opc, unsigned nsrc)
{
    emit_op(g, opc);
    for (unsigned k = 0; k <= nsrc; k++) emit_word(g, OPND(in, 1 + k)->v.u);
}

static void gen_init_yregs(cg *g, const beam_instr *in)
{
    const beam_operand *list = OPND(in, 0);
    uint64_t n = list->v.u;
    for (uint64_t k = 0; k < n;) {
        uint64_t left = n - k;
        int opc = left >= 3 ? OPC_init_y3 : left == 2 ? OPC_init_y2 : OPC_init_y;
        unsigned take = left >= 3 ? 3 : (unsigned)left;
        emit_op(g, opc);
        for (unsigned t = 0; t < take; t++) emit_word(g, list[1 + k + t].v.u + 1);
        k += take;
    }
}

static int gen_instr(cg *g, const beam_instr *in)
{
    int fused = gen_return_fusions(g, in);
    if (fused >= 0) return fused;
    const beam_operand *o0 = in->arity > 0 ? OPND(in, 0) : NULL;
    switch (in->op) {
    case OP_label: g->label_pos[o0->v.u] = g->len; return 0;
    case OP_line: if (g->m->line_items) g->pending_line = (uint32_t)o0->v.u; return 0;
    case OP_func_info: gen_func_info(g, in); return 0;
    case OP_int_code_end: emit_op(g, OPC_int_code_end); return 0;
    case OP_on_load: g->on_load_at = g->len; return 0;
    case OP_nif_start: emit_op(g, OPC_i_nif_start); emit_word(g, 0); emit_word(g, 0); return 0;
    case OP_fclearerror: case OP_fcheckerror: return 0;

    case OP_call: emit_op(g, OPC_i_call); emit_u(g, o0); emit_label_ref(g, OPND(in, 1)->v.u); return 0;
    case OP_call_only: emit_op(g, OPC_i_call_only); emit_u(g, o0); emit_label_ref(g, OPND(in, 1)->v.u); return 0;
    case OP_call_last:
        emit_op(g, OPC_i_call_last); emit_u(g, o0); emit_label_ref(g, OPND(in, 1)->v.u); emit_u(g, OPND(in, 2));
        return 0;
    case OP_call_ext: gen_call_ext(g, (unsigned)o0->v.u, import_export(g, OPND(in, 1)), 0, 0); return 0;
    case OP_call_ext_only: gen_call_ext(g, (unsigned)o0->v.u, import_export(g, OPND(in, 1)), 1, 0); return 0;
    case OP_call_ext_last: gen_call_ext(g, (unsigned)o0->v.u, import_export(g, OPND(in, 1)), 2, u_value(g, OPND(in, 2))); return 0;
    case OP_bif0: gen_bif(g, in, 0, false); return 0;
    case OP_bif1: gen_bif(g, in, 1, false); return 0;
    case OP_bif2: gen_bif(g, in, 2, false); return 0;
    case OP_gc_bif1: gen_bif(g, in, 1, true); return 0;
    case OP_gc_bif2: gen_bif(g, in, 2, true); return 0;
    case OP_gc_bif3: gen_bif(g, in, 3, true); return 0;
    case OP_return: emit_op(g, OPC_i_return); return 0;
    case OP_apply: emit_op(g, OPC_i_apply); emit_u(g, o0); emit_word(g, 0); emit_word(g, 0); return 0;
    case OP_apply_last: emit_op(g, OPC_i_apply); emit_u(g, o0); emit_word(g, 2); emit_u(g, OPND(in, 1)); return 0;
    case OP_call_fun: case OP_call_fun2: {
        uint64_t arity = u_value(g, in->op == OP_call_fun ? o0 : OPND(in, 1));
        if (in->op == OP_call_fun2) {
            beam_operand target = { .kind = OPND_X, .v.u = arity };
            gen_move(g, OPND(in, 2), &target);
        }
        /* As OTP's loader: followed by (deallocate and) return, it is a
         * tail call, which leaves no frame in stack traces. */
        const beam_instr *n1 = next_instr(g, in), *n2 = n1 ? next_instr(g, n1) : NULL;
        emit_op(g, OPC_i_call_fun); emit_word(g, arity);
        if (n1 && n1->op == OP_return) { emit_word(g, 1); emit_word(g, 0); return 1; }
        if (n1 && n1->op == OP_deallocate && n2 && n2->op == OP_return) {
            emit_word(g, 2); emit_u(g, OPND(n1, 0));
            return 2;
        }
        emit_word(g, 0); emit_word(g, 0);
        return 0;
    }

    case OP_allocate: case OP_allocate_zero: {
        const beam_instr *n1 = next_instr(g, in);
        if (in->op == OP_allocate && n1 && n1->op == OP_init_yregs && OPND(n1, 0)->v.u == 1) {
            emit_op(g, OPC_allocate_init_y); emit_u(g, o0); emit_u(g, OPND(in, 1));
            emit_word(g, OPND(n1, 0)[1].v.u + 1);
            return 1;
        }
    }
        emit_op(g, OPC_allocate); emit_u(g, o0); emit_u(g, OPND(in, 1)); return 0;
    case OP_allocate_heap: case OP_allocate_heap_zero:
        emit_op(g, OPC_allocate_heap); emit_u(g, o0); emit_u(g, OPND(in, 1)); emit_u(g, OPND(in, 2)); return 0;
    case OP_deallocate: emit_op(g, OPC_deallocate); emit_u(g, o0); return 0;
    case OP_trim: {
        const beam_instr *n1 = next_instr(g, in);
        if (n1 && n1->op == OP_call) {
            emit_op(g, OPC_trim_call); emit_u(g, o0); emit_u(g, OPND(n1, 0)); emit_label_ref(g, OPND(n1, 1)->v.u);
            return 1;
        }
        emit_op(g, OPC_trim); emit_u(g, o0);
        return 0;
    }
    case OP_test_heap: {
        const beam_instr *n1 = next_instr(g, in);
        if (u_value(g, o0) == 2 && n1 && n1->op == OP_put_list && is_y(OPND(n1, 0)) && is_x(OPND(n1, 1)) &&
            is_x(OPND(n1, 2))) {
            emit_op(g, OPC_test_heap_put_list_yxx); emit_u(g, OPND(in, 1));
            emit_word(g, OPND(n1, 0)->v.u + 1); emit_word(g, OPND(n1, 1)->v.u); emit_word(g, OPND(n1, 2)->v.u);
            return 1;
        }
        emit_op(g, OPC_test_heap); emit_u(g, o0); emit_u(g, OPND(in, 1));
        return 0;
    }
    case OP_init: emit_op(g, OPC_init_y); emit_word(g, o0->v.u + 1); return 0;
    case OP_init_yregs: gen_init_yregs(g, in); return 0;

    case OP_move: {
        const beam_instr *n1 = next_instr(g, in);
        const beam_operand *d = OPND(in, 1);
        if (n1 && n1->op == OP_move && is_reg(o0) && is_reg(d) && is_reg(OPND(n1, 0)) && is_reg(OPND(n1, 1))) {
            gen_move2(g, o0, d, OPND(n1, 0), OPND(n1, 1));
            return 1;
        }
        gen_move(g, o0, d);
        return 0;
    }
    case OP_swap: emit_op(g, OPC_swap); emit_dst(g, o0); emit_dst(g, OPND(in, 1)); return 0;
    case OP_get_list:
        if (is_x(o0) && is_x(OPND(in, 2)) && (is_x(OPND(in, 1)) || is_y(OPND(in, 1)))) {
            bool y = is_y(OPND(in, 1));
            emit_op(g, y ? OPC_get_list_xyx : OPC_get_list_xxx);
            emit_word(g, o0->v.u); emit_word(g, OPND(in, 1)->v.u + y); emit_word(g, OPND(in, 2)->v.u);
            return 0;
        }
        emit_op(g, OPC_get_list); emit_src(g, o0); emit_dst(g, OPND(in, 1)); emit_dst(g, OPND(in, 2));
        return 0;
    case OP_get_hd: emit_op(g, OPC_get_hd); emit_src(g, o0); emit_dst(g, OPND(in, 1)); return 0;
    case OP_get_tl: emit_op(g, OPC_get_tl); emit_src(g, o0); emit_dst(g, OPND(in, 1)); return 0;
    case OP_get_tuple_element:
        if (is_x(o0) && is_x(OPND(in, 2))) {
            /* A run from the same x register: up to three in one. */
            const beam_instr *run[3] = { in, NULL, NULL };
            unsigned n = 1;
            for (const beam_instr *nx = next_instr(g, in); n < 3 && nx && nx->op == OP_get_tuple_element &&
                 is_x(OPND(nx, 0)) && OPND(nx, 0)->v.u == o0->v.u && is_x(OPND(nx, 2)) &&
                 OPND(run[n - 1], 2)->v.u != o0->v.u; nx = next_instr(g, nx))
                run[n++] = nx;
            if (n > 1) {
                emit_op(g, n == 3 ? OPC_get_tuple_element3_x : OPC_get_tuple_element2_x);
                emit_word(g, o0->v.u);
                for (unsigned k = 0; k < n; k++) { emit_u(g, OPND(run[k], 1)); emit_word(g, OPND(run[k], 2)->v.u); }
                return (int)n - 1;
            }
            emit_op(g, OPC_get_tuple_element_x); emit_word(g, o0->v.u); emit_u(g, OPND(in, 1)); emit_word(g, OPND(in, 2)->v.u);
        } else {
            emit_op(g, OPC_get_tuple_element); emit_src(g, o0); emit_u(g, OPND(in, 1)); emit_dst(g, OPND(in, 2));
        }
        return 0;
    case OP_set_tuple_element:
        emit_op(g, OPC_set_tuple_element); emit_src(g, o0); emit_src(g, OPND(in, 1)); emit_u(g, OPND(in, 2)); return 0;
    case OP_put_list:
        if ((is_x(o0) || is_y(o0)) && is_x(OPND(in, 1)) && is_x(OPND(in, 2))) {
            bool y = is_y(o0);
            emit_op(g, y ? OPC_put_list_yxx : OPC_put_list_xxx);
            emit_word(g, o0->v.u + y); emit_word(g, OPND(in, 1)->v.u); emit_word(g, OPND(in, 2)->v.u);
            return 0;
        }
        emit_op(g, OPC_put_list); emit_src(g, o0); emit_src(g, OPND(in, 1)); emit_dst(g, OPND(in, 2));
        return 0;
    case OP_put_tuple2: emit_op(g, OPC_put_tuple2); emit_dst(g, o0); emit_list_sources(g, OPND(in, 1)); return 0;

    case OP_is_integer: gen_test(g, in, OPC_is_integer); return 0;
    case OP_is_float: gen_test(g, in, OPC_is_float); return 0;
    case OP_is_number: gen_test(g, in, OPC_is_number); return 0;
    case OP_is_atom: gen_test(g, in, OPC_is_atom); return 0;
    case OP_is_pid: gen_test(g, in, OPC_is_pid); return 0;
    case OP_is_reference: gen_test(g, in, OPC_is_reference); return 0;
    case OP_is_port: gen_test(g, in, OPC_is_port); return 0;
    case OP_is_nil: gen_test(g, in, OPC_is_nil); return 0;
    case OP_is_binary: gen_test(g, in, OPC_is_binary); return 0;
    case OP_is_bitstr: gen_test(g, in, OPC_is_bitstr); return 0;
    case OP_is_list: gen_test(g, in, OPC_is_list); return 0;
    case OP_is_nonempty_list: {
        const beam_instr *n1 = next_instr(g, in);
        if (is_x(OPND(in, 1)) && n1 && n1->op == OP_get_list && is_x(OPND(n1, 0)) &&
            OPND(n1, 0)->v.u == OPND(in, 1)->v.u && is_x(OPND(n1, 1)) && is_x(OPND(n1, 2))) {
            emit_op(g, OPC_is_nonempty_get_list_xxx); emit_label_ref(g, o0->v.u);
            emit_word(g, OPND(in, 1)->v.u); emit_word(g, OPND(n1, 1)->v.u); emit_word(g, OPND(n1, 2)->v.u);
            return 1;
        }
    }
        if (is_x(OPND(in, 1))) {
            emit_op(g, OPC_is_nonempty_list_x); emit_label_ref(g, o0->v.u); emit_word(g, OPND(in, 1)->v.u);
            return 0;
        }
        gen_test(g, in, OPC_is_nonempty_list);
        return 0;
    case OP_is_map: gen_test(g, in, OPC_is_map); return 0;
    case OP_is_function: gen_test(g, in, OPC_is_function); return 0;
    case OP_is_boolean: gen_test(g, in, OPC_is_boolean); return 0;
    case OP_is_function2: gen_test(g, in, OPC_is_function2); return 0;
    case OP_is_eq_exact: gen_test_special(g, in, OPC_is_eq_exact, OPC_is_eq_exact_xc, 0); return 0;
    case OP_is_ne_exact: gen_test_special(g, in, OPC_is_ne_exact, OPC_is_ne_exact_xc, 0); return 0;
    case OP_is_eq: gen_test(g, in, OPC_is_eq); return 0;
    case OP_is_ne: gen_test(g, in, OPC_is_ne); return 0;
    case OP_is_lt: case OP_is_ge: {
        bool lt = in->op == OP_is_lt;
        const beam_operand *a = OPND(in, 1), *b = OPND(in, 2);
        bool a_small = a->kind == OPND_INT && term_is_small(a->v.term);
        bool b_small = b->kind == OPND_INT && term_is_small(b->v.term);
        if (is_x(a) && b_small) {
            emit_op(g, lt ? OPC_is_lt_xc : OPC_is_ge_xc); emit_label_ref(g, o0->v.u);
            emit_word(g, a->v.u); emit_word(g, b->v.term);
            return 0;
        }
        if (a_small && is_x(b)) {
            emit_op(g, lt ? OPC_is_lt_cx : OPC_is_ge_cx); emit_label_ref(g, o0->v.u);
            emit_word(g, a->v.term); emit_word(g, b->v.u);
            return 0;
        }
        gen_test_special(g, in, lt ? OPC_is_lt : OPC_is_ge, 0, lt ? OPC_is_lt_xx : OPC_is_ge_xx);
        return 0;
    }
    case OP_is_tuple: {
        const beam_instr *n1 = next_instr(g, in);
        if (n1 && n1->op == OP_test_arity && OPND(n1, 0)->v.u == o0->v.u &&
            src_word(g, OPND(n1, 1)) == src_word(g, OPND(in, 1))) {
            bool x = is_x(OPND(in, 1));
            emit_op(g, x ? OPC_is_tuple_of_arity_x : OPC_is_tuple_of_arity);
            emit_label_ref(g, o0->v.u);
            if (x) emit_word(g, OPND(in, 1)->v.u);
            else emit_src(g, OPND(in, 1));
            emit_word(g, make_header(u_value(g, OPND(n1, 2)), HDR_TUPLE));
            return 1;
        }
        gen_test(g, in, OPC_is_tuple);
        return 0;
    }
    case OP_test_arity:
        emit_op(g, OPC_test_arity); emit_label_ref(g, o0->v.u); emit_src(g, OPND(in, 1));
        emit_word(g, make_header(u_value(g, OPND(in, 2)), HDR_TUPLE));
        return 0;
    case OP_is_tagged_tuple:
        if (is_x(OPND(in, 1))) {
            emit_op(g, OPC_is_tagged_tuple_x); emit_label_ref(g, o0->v.u); emit_word(g, OPND(in, 1)->v.u);
        } else {
            emit_op(g, OPC_is_tagged_tuple); emit_label_ref(g, o0->v.u); emit_src(g, OPND(in, 1));
        }
        emit_word(g, make_header(u_value(g, OPND(in, 2)), HDR_TUPLE)); emit_word(g, const_term(g, OPND(in, 3)));
        return 0;
    case OP_select_val: gen_select_val(g, in); return 0;
    case OP_select_tuple_arity: gen_select_tuple_arity(g, in); return 0;
    case OP_jump: emit_op(g, OPC_jump); emit_label_ref(g, o0->v.u); return 0;

    case OP_badmatch: emit_op(g, OPC_badmatch); emit_src(g, o0); return 0;
    case OP_case_end: emit_op(g, OPC_case_end); emit_src(g, o0); return 0;
    case OP_if_end: emit_op(g, OPC_if_end); return 0;
    case OP_try_case_end: emit_op(g, OPC_try_case_end); emit_src(g, o0); return 0;
    case OP_badrecord: emit_op(g, OPC_badrecord); emit_src(g, o0); return 0;
    case OP_catch: case OP_try:
        emit_op(g, OPC_i_catch); emit_word(g, o0->v.u + 1); emit_label_ref(g, OPND(in, 1)->v.u); return 0;
    case OP_catch_end: emit_op(g, OPC_catch_end); emit_word(g, o0->v.u + 1); return 0;
    case OP_try_end: emit_op(g, OPC_try_end); emit_word(g, o0->v.u + 1); return 0;
    case OP_try_case: emit_op(g, OPC_try_case); emit_word(g, o0->v.u + 1); return 0;
    case OP_raise: emit_op(g, OPC_i_raise); emit_src(g, o0); emit_src(g, OPND(in, 1)); return 0;
    case OP_build_stacktrace: emit_op(g, OPC_build_stacktrace); return 0;
    case OP_raw_raise: emit_op(g, OPC_raw_raise); return 0;

    case OP_make_fun3: gen_make_fun(g, o0->v.u, OPND(in, 1), OPND(in, 2), 0); return 0;
    case OP_make_fun2: gen_make_fun(g, o0->v.u, NULL, NULL, g->m->lambdas[o0->v.u].num_free); return 0;

    case OP_send: emit_op(g, OPC_send); return 0;
    case OP_loop_rec: emit_op(g, OPC_loop_rec); emit_label_ref(g, o0->v.u); emit_dst(g, OPND(in, 1)); return 0;
    case OP_loop_rec_end: emit_op(g, OPC_loop_rec_end); emit_label_ref(g, o0->v.u); return 0;
    case OP_remove_message: emit_op(g, OPC_remove_message); return 0;
    case OP_wait: emit_op(g, OPC_wait); emit_label_ref(g, o0->v.u); return 0;
    case OP_wait_timeout: emit_op(g, OPC_wait_timeout); emit_label_ref(g, o0->v.u); emit_src(g, OPND(in, 1)); return 0;
    case OP_timeout: emit_op(g, OPC_timeout); return 0;
    case OP_recv_marker_reserve: emit_op(g, OPC_recv_marker_reserve); emit_dst(g, o0); return 0;
    case OP_recv_marker_bind: emit_op(g, OPC_recv_marker_bind); emit_src(g, o0); emit_src(g, OPND(in, 1)); return 0;
    case OP_recv_marker_clear: emit_op(g, OPC_recv_marker_clear); emit_src(g, o0); return 0;
    case OP_recv_marker_use: emit_op(g, OPC_recv_marker_use); emit_src(g, o0); return 0;

    case OP_put_map_assoc: gen_map_update(g, in, OPC_put_map_assoc); return 0;
    case OP_put_map_exact: gen_map_update(g, in, OPC_put_map_exact); return 0;
    case OP_get_map_elements: gen_get_map_elements(g, in); return 0;
    case OP_has_map_fields:
        emit_op(g, OPC_has_map_fields); emit_label_ref(g, o0->v.u); emit_src(g, OPND(in, 1));
        emit_list_sources(g, OPND(in, 2));
        return 0;

    case OP_fmove: gen_fmove(g, in); return 0;
    case OP_fconv: emit_op(g, OPC_fconv); emit_src(g, o0); emit_word(g, OPND(in, 1)->v.u); return 0;
    case OP_fadd: gen_farith(g, in, OPC_fadd, 2); return 0;
    case OP_fsub: gen_farith(g, in, OPC_fsub, 2); return 0;
    case OP_fmul: gen_farith(g, in, OPC_fmul, 2); return 0;
    case OP_fdiv: gen_farith(g, in, OPC_fdiv, 2); return 0;
    case OP_fnegate: gen_farith(g, in, OPC_fnegate, 1); return 0;
    default: break;
    }
    if (gen_bits_instr(g, in)) return 0;
    CG_FAIL(g, "instruction %s/%u is not supported by this emulator yet", genop_table[in->op].name, genop_table[in->op].arity);
}

/* --- finishing ---------------------------------------------------------------- */

static const BeamInstr *label_address(cg *g, uint32_t label)
{
    if (label >= g->m->label_count || g->label_pos[label] == SIZE_MAX) CG_FAIL(g, "label %u has no code", label);
    return g->code + g->label_pos[label];
}

static void make_funs(cg *g)
{
    LoadedCode *lc = g->lc;
    for (uint32_t i = 0; i < lc->fun_count; i++) {
        const beam_lambda *l = &g->m->lambdas[i];
        lc->funs[i] = (FunEntry){
            .module = g->m->name, .index = l->index, .old_uniq = l->old_uniq,
            .arity = l->arity - l->num_free, .num_free = l->num_free,
            .mfa = { g->m->name, l->function, l->arity }, .code = lc,
        };
    }
}

static void finish(cg *g)
{
    LoadedCode *lc = g->lc;
    for (size_t f = 0; f < g->nfix; f++) g->code[g->fix[f].at] = (BeamInstr)label_address(g, g->fix[f].label);
    for (uint32_t i = 0; i < lc->function_count; i++) {
        lc->functions[i].start = g->code + (size_t)lc->functions[i].start;
        lc->functions[i].end = g->code + (i + 1 < g->function ? (size_t)lc->functions[i].end : g->len);
    }
    lc->lines = calloc(g->nline ? g->nline : 1, sizeof *lc->lines);
    if (!lc->lines) CG_FAIL(g, "out of memory");
    for (uint32_t i = 0; i < g->nline; i++) {
        const beam_line_item *item = &g->m->line_items[g->line_at[i].item];
        lc->lines[i] = (code_line){ g->code + g->line_at[i].at, item->file, item->line };
    }
    lc->line_count = g->nline;
    for (uint32_t i = 0; i < lc->fun_count; i++) lc->funs[i].address = label_address(g, g->m->lambdas[i].label);
    lc->export_addresses = calloc(g->m->export_count ? g->m->export_count : 1, sizeof *lc->export_addresses);
    if (!lc->export_addresses) CG_FAIL(g, "out of memory");
    for (uint32_t i = 0; i < g->m->export_count; i++) lc->export_addresses[i] = label_address(g, g->m->exports[i].label);
    if (g->on_load_at != SIZE_MAX) lc->on_load = g->code + g->on_load_at;
    lc->code = g->code;
    lc->words = g->len;
}

static void free_code(LoadedCode *lc)
{
    if (!lc) return;
    free(lc->code);
    free(lc->functions);
    free(lc->lines);
    free(lc->funs);
    free(lc->export_addresses);
    free(lc);
}

void codegen_free(LoadedCode *lc)
{
    if (!lc) return;
    beam_module *m = lc->beam;
    free_code(lc);
    if (m) beam_module_release(m);
}

LoadedCode *codegen(beam_module *m, strbuf *err)
{
    cg g = { .m = m, .err = err, .pending_line = UINT32_MAX, .on_load_at = SIZE_MAX };
    g.lc = calloc(1, sizeof *g.lc);
    if (!g.lc) { sb_printf(err, "%s: out of memory", m->path); return NULL; }
    if (setjmp(g.fail)) {
        free(g.label_pos); free(g.fix); free(g.line_at);
        if (g.lc->code != g.code) free(g.code);
        free_code(g.lc);
        return NULL;
    }
    LoadedCode *lc = g.lc;
    lc->module = m->name;
    lc->beam = m;
    lc->function_count = m->function_count;
    lc->functions = calloc(m->function_count ? m->function_count : 1, sizeof *lc->functions);
    lc->fun_count = m->lambda_count;
    lc->funs = calloc(m->lambda_count ? m->lambda_count : 1, sizeof *lc->funs);
    g.label_pos = malloc((m->label_count ? m->label_count : 1) * sizeof *g.label_pos);
    if (!lc->functions || !lc->funs || !g.label_pos) CG_FAIL(&g, "out of memory");
    memset(g.label_pos, 0xFF, (m->label_count ? m->label_count : 1) * sizeof *g.label_pos);
    make_funs(&g);
    const beam_instr *end = m->code + m->code_len;
    for (const beam_instr *in = m->code; in < end; in++) in += gen_instr(&g, in);
    finish(&g);
    free(g.label_pos);
    free(g.fix);
    free(g.line_at);
    beam_module_retain(m);
    return lc;
}
