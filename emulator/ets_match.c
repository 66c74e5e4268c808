/*
 * ets_match.c — match specifications, as ets:select/match and
 * ets:match_spec_run use them (OTP's erl_db_util.c, table flavour).
 *
 * Compiling copies the specification into one malloc'd block (EtsTerm)
 * and rewrites it in place so that running needs no atom look-ups:
 *  - a variable '$N' becomes a catch immediate holding a dense index
 *    (catch immediates never occur in user terms);
 *  - the function atom of a guard or body call {F, A1, ...} becomes a
 *    small integer, the index of F in the op table;
 *  - {const, X} is left alone, and so is everything inside X.
 * Everything is checked at compile time (known function of that arity,
 * variables bound in the head), so running only fails on run-time type
 * errors: a guard that raises is false, a body that raises gives 'EXIT'.
 *
 * Running allocates on the calling process's heap (HAlloc, never GC);
 * results may share subterms with the matched object.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arith.h"
#include "atom.h"
#include "bif.h"
#include "ets.h"
#include "map.h"
#include "term_build.h"
#include "term_order.h"

/* --- the op table ---------------------------------------------------------- */

#define OPS(X) \
    X(IS_ATOM, "is_atom", 1, 1) X(IS_FLOAT, "is_float", 1, 1) X(IS_INTEGER, "is_integer", 1, 1) \
    X(IS_LIST, "is_list", 1, 1) X(IS_NUMBER, "is_number", 1, 1) X(IS_PID, "is_pid", 1, 1) \
    X(IS_PORT, "is_port", 1, 1) X(IS_REFERENCE, "is_reference", 1, 1) X(IS_TUPLE, "is_tuple", 1, 1) \
    X(IS_MAP, "is_map", 1, 1) X(IS_BINARY, "is_binary", 1, 1) X(IS_FUNCTION, "is_function", 1, 1) \
    X(IS_RECORD, "is_record", 3, 3) X(IS_MAP_KEY, "is_map_key", 2, 2) \
    X(MAP_GET, "map_get", 2, 2) X(MAP_SIZE, "map_size", 1, 1) \
    X(ABS, "abs", 1, 1) X(ELEMENT, "element", 2, 2) X(HD, "hd", 1, 1) X(TL, "tl", 1, 1) \
    X(LENGTH, "length", 1, 1) X(NODE, "node", 0, 1) X(ROUND, "round", 1, 1) X(TRUNC, "trunc", 1, 1) \
    X(FLOAT, "float", 1, 1) X(SIZE, "size", 1, 1) X(BIT_SIZE, "bit_size", 1, 1) \
    X(BYTE_SIZE, "byte_size", 1, 1) X(BINARY_PART, "binary_part", 2, 3) X(SELF, "self", 0, 0) \
    X(NOT, "not", 1, 1) X(AND, "and", 0, -1) X(OR, "or", 0, -1) X(XOR, "xor", 2, 2) \
    X(ANDALSO, "andalso", 1, -1) X(ORELSE, "orelse", 1, -1) \
    X(PLUS, "+", 1, 2) X(MINUS, "-", 1, 2) X(TIMES, "*", 2, 2) X(DIVIDE, "/", 2, 2) \
    X(DIV, "div", 2, 2) X(REM, "rem", 2, 2) X(BAND, "band", 2, 2) X(BOR, "bor", 2, 2) \
    X(BXOR, "bxor", 2, 2) X(BNOT, "bnot", 1, 1) X(BSL, "bsl", 2, 2) X(BSR, "bsr", 2, 2) \
    X(GT, ">", 2, 2) X(GE, ">=", 2, 2) X(LT, "<", 2, 2) X(LE, "=<", 2, 2) \
    X(EXEQ, "=:=", 2, 2) X(EQ, "==", 2, 2) X(EXNE, "=/=", 2, 2) X(NE, "/=", 2, 2)

enum ms_op {
#define X(id, name, min, max) OP_##id,
    OPS(X)
#undef X
    OP__COUNT
};

static const struct { const char *name; int min, max; } op_info[OP__COUNT] = {
#define X(id, name, min, max) { name, min, max },
    OPS(X)
#undef X
};

static int op_lookup(Term atom)
{
    const char *text = atom_text(atom);
    for (int i = 0; i < OP__COUNT; i++)
        if (strcmp(text, op_info[i].name) == 0) return i;
    return -1;
}

/* --- compiled form ---------------------------------------------------------- */

typedef struct ms_clause {
    Term head, guards, body;   /* rewritten, in the EtsTerm */
    unsigned nvars;
    unsigned *order;           /* dense indices sorted by variable number */
} ms_clause;

struct EtsMatchSpec {
    EtsTerm *store;
    size_t nclauses;
    ms_clause *clauses;
    unsigned maxvars;
};

static inline bool is_var(Term t) { return term_is_catch(t); }
static inline unsigned var_index(Term t) { return (unsigned)(t >> TAG_IMMED2_SIZE); }
static inline Term make_var(unsigned i) { return ((Term)i << TAG_IMMED2_SIZE) | TAG_IMMED2_CATCH; }

/* '$N' -> N, or -1. */
static long var_number(Term atom)
{
    if (!term_is_atom(atom)) return -1;
    const char *s = atom_text(atom);
    if (s[0] != '$' || !s[1]) return -1;
    long n = 0;
    for (const char *c = s + 1; *c; c++) {
        if (*c < '0' || *c > '9') return -1;
        n = n * 10 + (*c - '0');
        if (n > 100000000) return -1;
    }
    return n;
}

static bool ground(Term t);

typedef struct compile_state {
    long *nums;        /* variable numbers of the clause, by dense index */
    unsigned n, cap;
    bool error;
} compile_state;

static unsigned var_slot(compile_state *cs, long num, bool add)
{
    for (unsigned i = 0; i < cs->n; i++)
        if (cs->nums[i] == num) return i;
    if (!add) {
        cs->error = true;
        return 0;
    }
    if (cs->n == cs->cap) {
        cs->cap = cs->cap ? cs->cap * 2 : 8;
        long *p = realloc(cs->nums, cs->cap * sizeof *p);
        if (!p) abort();
        cs->nums = p;
    }
    cs->nums[cs->n] = num;
    return cs->n++;
}

/* Head: every '$N' becomes a variable (first sight binds it). Map keys
 * must be ground. */
static void compile_pattern(compile_state *cs, Term *slot)
{
    Term t = *slot;
    for (;;) {
        if (term_is_atom(t)) {
            long n = var_number(t);
            if (n >= 0) *slot = make_var(var_slot(cs, n, true));
            return;
        }
        if (term_is_list(t)) {
            Term *cell = list_ptr(t);
            compile_pattern(cs, &cell[0]);
            slot = &cell[1];
            t = *slot;
            continue;
        }
        if (term_is_tuple(t)) {
            Term *e = tuple_elements(t);
            for (UWord i = 0; i < tuple_arity(t); i++) compile_pattern(cs, &e[i]);
            return;
        }
        if (term_is_map(t)) {
            if (map_header_kind(boxed_header(t)) != MAP_KIND_FLAT) {
                cs->error = true;   /* large map patterns: not supported */
                return;
            }
            Term *w = boxed_ptr(t);
            size_t n = map_header_bitmap(w[0]);
            for (size_t i = 0; i < n; i++) {
                Term k = tuple_elements(w[2])[i];
                if (var_number(k) >= 0 || k == ATOM_NAMED("_") || !ground(k)) cs->error = true;
                compile_pattern(cs, &w[3 + i]);
            }
            return;
        }
        return;
    }
}

/* Guard or body expression. */
static void compile_expr(compile_state *cs, Term *slot)
{
    Term t = *slot;
    for (;;) {
        if (term_is_atom(t)) {
            long n = var_number(t);
            if (n >= 0) *slot = make_var(var_slot(cs, n, false));
            return;
        }
        if (term_is_list(t)) {
            Term *cell = list_ptr(t);
            compile_expr(cs, &cell[0]);
            slot = &cell[1];
            t = *slot;
            continue;
        }
        if (term_is_tuple(t)) {
            UWord arity = tuple_arity(t);
            Term *e = tuple_elements(t);
            if (arity == 0) {
                cs->error = true;
                return;
            }
            if (arity == 1 && term_is_tuple(e[0])) {   /* {{...}}: build a tuple */
                Term inner = e[0];
                Term *ie = tuple_elements(inner);
                for (UWord i = 0; i < tuple_arity(inner); i++) compile_expr(cs, &ie[i]);
                return;
            }
            if (!term_is_atom(e[0])) {
                cs->error = true;
                return;
            }
            if (e[0] == ATOM_NAMED("const")) {
                if (arity != 2) cs->error = true;
                return;
            }
            int op = op_lookup(e[0]);
            int nargs = (int)arity - 1;
            if (op < 0 || nargs < op_info[op].min || (op_info[op].max >= 0 && nargs > op_info[op].max)) {
                cs->error = true;
                return;
            }
            e[0] = make_small(op);
            for (UWord i = 1; i < arity; i++) compile_expr(cs, &e[i]);
            return;
        }
        if (term_is_map(t)) {
            if (map_header_kind(boxed_header(t)) != MAP_KIND_FLAT) {
                cs->error = true;
                return;
            }
            Term *w = boxed_ptr(t);
            size_t n = map_header_bitmap(w[0]);
            Term keys = w[2];
            for (size_t i = 0; i < n; i++) {
                Term k = tuple_elements(keys)[i];
                if (!term_is_immed(k) || var_number(k) >= 0) {
                    /* keys that need evaluating: not supported */
                    if (var_number(k) >= 0 || term_is_tuple(k) || term_is_list(k)) cs->error = true;
                }
                compile_expr(cs, &w[3 + i]);
            }
            return;
        }
        return;
    }
}

void ms_free(EtsMatchSpec *ms)
{
    if (!ms) return;
    for (size_t i = 0; i < ms->nclauses; i++) free(ms->clauses[i].order);
    free(ms->clauses);
    ets_term_free(ms->store);
    free(ms);
}


EtsMatchSpec *ms_compile(Term spec)
{
    SWord len = list_length(spec);
    if (len < 0) return NULL;
    for (Term l = spec; term_is_list(l); l = list_tail(l)) {
        Term c = list_head(l);
        if (!term_is_tuple(c) || tuple_arity(c) != 3) return NULL;
        Term *e = tuple_elements(c);
        if (list_length(e[1]) < 0 || list_length(e[2]) <= 0) return NULL;
    }
    EtsMatchSpec *ms = calloc(1, sizeof *ms);
    if (!ms) abort();
    ms->store = ets_term_new(spec);
    ms->nclauses = (size_t)len;
    ms->clauses = calloc((size_t)len + 1, sizeof *ms->clauses);
    if (!ms->clauses) abort();
    compile_state cs = { 0 };
    size_t i = 0;
    for (Term l = ms->store->term; term_is_list(l); l = list_tail(l), i++) {
        Term *e = tuple_elements(list_head(l));
        cs.n = 0;
        compile_pattern(&cs, &e[0]);
        for (Term g = e[1]; term_is_list(g); g = list_tail(g)) compile_expr(&cs, &list_ptr(g)[0]);
        for (Term b = e[2]; term_is_list(b); b = list_tail(b)) compile_expr(&cs, &list_ptr(b)[0]);
        ms_clause *c = &ms->clauses[i];
        c->head = e[0];
        c->guards = e[1];
        c->body = e[2];
        c->nvars = cs.n;
        c->order = malloc((cs.n + 1) * sizeof *c->order);
        if (!c->order) abort();
        for (unsigned k = 0; k < cs.n; k++) {   /* insertion sort by number */
            unsigned j = k;
            while (j > 0 && cs.nums[c->order[j - 1]] > cs.nums[k]) {
                c->order[j] = c->order[j - 1];
                j--;
            }
            c->order[j] = k;
        }
        if (cs.n > ms->maxvars) ms->maxvars = cs.n;
        if (cs.error) break;
    }
    free(cs.nums);
    if (cs.error) {
        ms_free(ms);
        return NULL;
    }
    return ms;
}

/* --- running ------------------------------------------------------------------ */

typedef struct run_ctx {
    Process *p;
    Term obj;
    Term *b;           /* bindings */
    const ms_clause *c;
} run_ctx;

static bool match(run_ctx *r, Term pat, Term t)
{
    for (;;) {
        if (pat == t && !is_var(pat)) return true;
        if (is_var(pat)) {
            Term *slot = &r->b[var_index(pat)];
            if (*slot == THE_NON_VALUE) {
                *slot = t;
                return true;
            }
            return term_eq_exact(*slot, t);
        }
        if (term_is_atom(pat)) return pat == ATOM_NAMED("_");
        if (term_is_immed(pat)) return false;
        if (term_is_list(pat)) {
            if (!term_is_list(t)) return false;
            if (!match(r, list_head(pat), list_head(t))) return false;
            pat = list_tail(pat);
            t = list_tail(t);
            continue;
        }
        if (term_is_tuple(pat)) {
            if (!term_is_tuple(t) || tuple_arity(t) != tuple_arity(pat)) return false;
            UWord n = tuple_arity(pat);
            if (n == 0) return true;
            const Term *pe = tuple_elements(pat), *te = tuple_elements(t);
            for (UWord i = 0; i + 1 < n; i++)
                if (!match(r, pe[i], te[i])) return false;
            pat = pe[n - 1];
            t = te[n - 1];
            continue;
        }
        if (term_is_map(pat)) {
            if (!term_is_map(t)) return false;
            const Term *w = boxed_ptr(pat);
            size_t n = map_header_bitmap(w[0]);
            for (size_t i = 0; i < n; i++) {
                Term v = map_get(t, tuple_elements(w[2])[i]);
                if (v == THE_NON_VALUE || !match(r, w[3 + i], v)) return false;
            }
            return true;
        }
        return term_eq_exact(pat, t);
    }
}

static Term eval(run_ctx *r, Term e);

static Term all_bindings(run_ctx *r)
{
    unsigned n = r->c->nvars;
    Term *hp = HAlloc(r->p, 2 * (size_t)n);
    Term list = NIL;
    for (unsigned i = n; i-- > 0;) list = cons(hp + 2 * i, r->b[r->c->order[i]], list);
    return list;
}

static bool is_bool(Term t) { return t == am_true || t == am_false; }
static Term boolean(bool b) { return b ? am_true : am_false; }

static Term eval_call(run_ctx *r, int op, const Term *args, unsigned nargs)
{
    Process *p = r->p;
    Term a = THE_NON_VALUE, b = THE_NON_VALUE;
    /* Short-circuit operators evaluate their own arguments. */
    if (op == OP_ANDALSO || op == OP_ORELSE) {
        for (unsigned i = 0; i < nargs; i++) {
            Term v = eval(r, args[i]);
            if (v == THE_NON_VALUE) return v;
            if (i + 1 == nargs) return v;
            if (!is_bool(v)) return THE_NON_VALUE;
            if (op == OP_ANDALSO && v == am_false) return am_false;
            if (op == OP_ORELSE && v == am_true) return am_true;
        }
        return THE_NON_VALUE;
    }
    if (op == OP_AND || op == OP_OR) {
        bool acc = op == OP_AND;
        for (unsigned i = 0; i < nargs; i++) {
            Term v = eval(r, args[i]);
            if (!is_bool(v)) return THE_NON_VALUE;
            if (op == OP_AND) acc = acc && v == am_true;
            else acc = acc || v == am_true;
        }
        return boolean(acc);
    }
    if (nargs >= 1 && (a = eval(r, args[0])) == THE_NON_VALUE) return a;
    if (nargs >= 2 && (b = eval(r, args[1])) == THE_NON_VALUE) return b;
    switch (op) {
    case OP_IS_ATOM: return boolean(term_is_atom(a));
    case OP_IS_FLOAT: return boolean(term_is_float(a));
    case OP_IS_INTEGER: return boolean(term_is_integer(a));
    case OP_IS_LIST: return boolean(term_is_list(a) || term_is_nil(a));
    case OP_IS_NUMBER: return boolean(term_is_number(a));
    case OP_IS_PID: return boolean(term_is_pid(a) || term_is_boxed_with(a, HDR_EXTERNAL_PID));
    case OP_IS_PORT: return boolean(term_is_port(a) || term_is_boxed_with(a, HDR_EXTERNAL_PORT));
    case OP_IS_REFERENCE: return boolean(term_is_boxed_with(a, HDR_REF) || term_is_boxed_with(a, HDR_EXTERNAL_REF));
    case OP_IS_TUPLE: return boolean(term_is_tuple(a));
    case OP_IS_MAP: return boolean(term_is_map(a));
    case OP_IS_BINARY: return boolean(term_is_binary_like(a) && binary_bit_size(a) % 8 == 0);
    case OP_IS_FUNCTION: return boolean(term_is_fun(a));
    case OP_IS_RECORD: {
        Term name = eval(r, args[1]), size = eval(r, args[2]);
        if (!term_is_atom(name) || !term_is_small(size)) return THE_NON_VALUE;
        return boolean(term_is_tuple(a) && (SWord)tuple_arity(a) == small_value(size) && tuple_arity(a) > 0 &&
                       tuple_elements(a)[0] == name);
    }
    case OP_IS_MAP_KEY:
        if (!term_is_map(b)) return THE_NON_VALUE;
        return boolean(map_get(b, a) != THE_NON_VALUE);
    case OP_MAP_GET:
        if (!term_is_map(b)) return THE_NON_VALUE;
        return map_get(b, a);
    case OP_MAP_SIZE:
        if (!term_is_map(a)) return THE_NON_VALUE;
        return make_small((SWord)map_size(a));
    case OP_ABS:
        if (term_is_small(a)) return arith_make_integer(p, small_value(a) < 0 ? -small_value(a) : small_value(a));
        if (term_is_bignum(a)) return bignum_is_negative(a) ? arith_neg(p, a) : a;
        if (term_is_float(a)) return arith_make_float(p, fabs(float_value(a)));
        return THE_NON_VALUE;
    case OP_ELEMENT:
        if (!term_is_small(a) || !term_is_tuple(b) || small_value(a) < 1 || (UWord)small_value(a) > tuple_arity(b))
            return THE_NON_VALUE;
        return tuple_elements(b)[small_value(a) - 1];
    case OP_HD: return term_is_list(a) ? list_head(a) : THE_NON_VALUE;
    case OP_TL: return term_is_list(a) ? list_tail(a) : THE_NON_VALUE;
    case OP_LENGTH: {
        SWord n = list_length(a);
        return n < 0 ? THE_NON_VALUE : make_small(n);
    }
    case OP_NODE:
        if (nargs == 1 && !term_is_pid(a) && !term_is_port(a) && !term_is_boxed_with(a, HDR_REF)) return THE_NON_VALUE;
        return am_nonode_at_nohost;
    case OP_ROUND:
    case OP_TRUNC:
        if (term_is_integer(a)) return a;
        if (!term_is_float(a)) return THE_NON_VALUE;
        return arith_integer_from_double(p, op == OP_ROUND ? round(float_value(a)) : trunc(float_value(a)));
    case OP_FLOAT: {
        double d;
        if (!term_is_number(a) || !number_to_double(a, &d)) return THE_NON_VALUE;
        return term_is_float(a) ? a : arith_make_float(p, d);
    }
    case OP_SIZE:
        if (term_is_tuple(a)) return make_small((SWord)tuple_arity(a));
        if (term_is_binary_like(a)) return make_small((SWord)(binary_bit_size(a) / 8));
        return THE_NON_VALUE;
    case OP_BIT_SIZE:
        return term_is_binary_like(a) ? arith_make_uinteger(p, binary_bit_size(a)) : THE_NON_VALUE;
    case OP_BYTE_SIZE:
        return term_is_binary_like(a) ? arith_make_uinteger(p, (binary_bit_size(a) + 7) / 8) : THE_NON_VALUE;
    case OP_BINARY_PART: {
        /* erlang:binary_part/2,3 themselves; their errors are swallowed
         * (THE_NON_VALUE: a false guard, 'EXIT' in a body). */
        Term bargs[3] = { a, b, THE_NON_VALUE };
        if (nargs == 3 && (bargs[2] = eval(r, args[2])) == THE_NON_VALUE) return THE_NON_VALUE;
        return nargs == 2 ? bif_erlang_binary_part_2(p, bargs) : bif_erlang_binary_part_3(p, bargs);
    }
    case OP_SELF: return p->pid;
    case OP_NOT:
        if (!is_bool(a)) return THE_NON_VALUE;
        return boolean(a == am_false);
    case OP_XOR:
        if (!is_bool(a) || !is_bool(b)) return THE_NON_VALUE;
        return boolean((a == am_true) != (b == am_true));
    case OP_PLUS:
        if (nargs == 1) return term_is_number(a) ? a : THE_NON_VALUE;
        return arith_plus(p, a, b);
    case OP_MINUS:
        if (nargs == 1) return arith_neg(p, a);
        return arith_minus(p, a, b);
    case OP_TIMES: return arith_times(p, a, b);
    case OP_DIVIDE: return arith_div(p, a, b);
    case OP_DIV: return arith_intdiv(p, a, b);
    case OP_REM: return arith_rem(p, a, b);
    case OP_BAND: return arith_band(p, a, b);
    case OP_BOR: return arith_bor(p, a, b);
    case OP_BXOR: return arith_bxor(p, a, b);
    case OP_BNOT: return arith_bnot(p, a);
    case OP_BSL: return arith_bsl(p, a, b);
    case OP_BSR: return arith_bsr(p, a, b);
    case OP_GT: return boolean(term_compare(a, b) > 0);
    case OP_GE: return boolean(term_compare(a, b) >= 0);
    case OP_LT: return boolean(term_compare(a, b) < 0);
    case OP_LE: return boolean(term_compare(a, b) <= 0);
    case OP_EQ: return boolean(term_compare(a, b) == 0);
    case OP_NE: return boolean(term_compare(a, b) != 0);
    case OP_EXEQ: return boolean(term_eq_exact(a, b));
    case OP_EXNE: return boolean(!term_eq_exact(a, b));
    default: return THE_NON_VALUE;
    }
}

static Term eval(run_ctx *r, Term e)
{
    if (is_var(e)) return r->b[var_index(e)];
    if (term_is_atom(e)) {
        if (e == ATOM_NAMED("$_")) return r->obj;
        if (e == ATOM_NAMED("$$")) return all_bindings(r);
        return e;
    }
    if (term_is_immed(e)) return e;
    if (term_is_list(e)) {
        /* Build the list cell by cell. */
        Term result = NIL, *tail = &result;
        while (term_is_list(e)) {
            Term v = eval(r, list_head(e));
            if (v == THE_NON_VALUE) return v;
            Term *cell = HAlloc(r->p, 2);
            cell[0] = v;
            cell[1] = NIL;
            *tail = make_list(cell);
            tail = &cell[1];
            e = list_tail(e);
        }
        if (!term_is_nil(e)) {
            Term v = eval(r, e);
            if (v == THE_NON_VALUE) return v;
            *tail = v;
        }
        return result;
    }
    if (term_is_tuple(e)) {
        const Term *el = tuple_elements(e);
        UWord arity = tuple_arity(e);
        if (arity == 1 && term_is_tuple(el[0])) {
            Term inner = el[0];
            UWord n = tuple_arity(inner);
            Term *hp = HAlloc(r->p, n + 1);
            hp[0] = make_header(n, HDR_TUPLE);
            for (UWord i = 0; i < n; i++) {
                Term v = eval(r, tuple_elements(inner)[i]);
                if (v == THE_NON_VALUE) return v;
                hp[1 + i] = v;
            }
            return make_boxed(hp);
        }
        if (el[0] == ATOM_NAMED("const")) return el[1];
        return eval_call(r, (int)small_value(el[0]), el + 1, (unsigned)(arity - 1));
    }
    if (term_is_map(e)) {
        const Term *w = boxed_ptr(e);
        size_t n = map_header_bitmap(w[0]);
        Term keys[MAP_SMALL_LIMIT], vals[MAP_SMALL_LIMIT];
        for (size_t i = 0; i < n; i++) {
            keys[i] = tuple_elements(w[2])[i];
            vals[i] = eval(r, w[3 + i]);
            if (vals[i] == THE_NON_VALUE) return THE_NON_VALUE;
        }
        return map_from_pairs_on_heap(r->p, keys, vals, n);
    }
    return e;
}

Term ms_run(EtsMatchSpec *ms, Process *p, Term t)
{
    Term small[16];
    Term *b = ms->maxvars <= 16 ? small : malloc(ms->maxvars * sizeof *b);
    if (!b) abort();
    Term result = THE_NON_VALUE;
    run_ctx r = { p, t, b, NULL };
    for (size_t i = 0; i < ms->nclauses; i++) {
        const ms_clause *c = &ms->clauses[i];
        r.c = c;
        for (unsigned k = 0; k < c->nvars; k++) b[k] = THE_NON_VALUE;
        if (!match(&r, c->head, t)) continue;
        bool ok = true;
        for (Term g = c->guards; ok && term_is_list(g); g = list_tail(g))
            ok = eval(&r, list_head(g)) == am_true;
        if (!ok) continue;
        for (Term e = c->body; term_is_list(e); e = list_tail(e)) {
            result = eval(&r, list_head(e));
            if (result == THE_NON_VALUE) {
                result = am_EXIT;
                break;
            }
        }
        break;
    }
    if (b != small) free(b);
    return result;
}

/* --- analysis ----------------------------------------------------------------- */

static bool ground(Term t)
{
    for (;;) {
        if (is_var(t)) return false;
        if (term_is_atom(t)) return t != ATOM_NAMED("_");
        if (term_is_list(t)) {
            if (!ground(list_head(t))) return false;
            t = list_tail(t);
            continue;
        }
        if (term_is_tuple(t)) {
            for (UWord i = 0; i < tuple_arity(t); i++)
                if (!ground(tuple_elements(t)[i])) return false;
            return true;
        }
        if (term_is_map(t)) return false;   /* be conservative */
        return true;
    }
}

bool ms_bound_key(const EtsMatchSpec *ms, unsigned keypos, Term *key)
{
    if (ms->nclauses == 0) return false;
    Term k = THE_NON_VALUE;
    for (size_t i = 0; i < ms->nclauses; i++) {
        Term h = ms->clauses[i].head;
        if (!term_is_tuple(h) || tuple_arity(h) < keypos) return false;
        Term hk = tuple_elements(h)[keypos - 1];
        if (!ground(hk)) return false;
        if (k != THE_NON_VALUE && !term_eq_exact(k, hk)) return false;
        k = hk;
    }
    *key = k;
    return true;
}

bool ms_keeps_key(const EtsMatchSpec *ms, unsigned keypos)
{
    for (size_t i = 0; i < ms->nclauses; i++) {
        const ms_clause *c = &ms->clauses[i];
        if (!term_is_tuple(c->head) || tuple_arity(c->head) < keypos) return false;
        Term hk = tuple_elements(c->head)[keypos - 1];
        Term last = NIL;
        for (Term e = c->body; term_is_list(e); e = list_tail(e)) last = list_head(e);
        if (last == ATOM_NAMED("$_")) continue;
        if (!term_is_tuple(last) || tuple_arity(last) != 1 || !term_is_tuple(tuple_elements(last)[0])) return false;
        Term built = tuple_elements(last)[0];
        if (tuple_arity(built) < keypos) return false;
        Term rk = tuple_elements(built)[keypos - 1];
        if (is_var(hk)) {
            if (rk != hk) return false;
        } else {
            if (!ground(hk)) return false;
            if (term_is_tuple(rk) && tuple_arity(rk) == 2 && tuple_elements(rk)[0] == ATOM_NAMED("const"))
                rk = tuple_elements(rk)[1];
            if (!ground(rk) || !term_eq_exact(rk, hk)) return false;
        }
    }
    return true;
}

bool ms_is_all_objects(const EtsMatchSpec *ms)
{
    if (ms->nclauses != 1) return false;
    const ms_clause *c = &ms->clauses[0];
    return c->head == ATOM_NAMED("_") && term_is_nil(c->guards) && term_is_list(c->body) &&
           term_is_nil(list_tail(c->body)) && list_head(c->body) == ATOM_NAMED("$_");
}

/* --- as a term -------------------------------------------------------------- */

static void ms_destroy(void *obj) { ms_free(obj); }

Term ms_to_term(Process *p, EtsMatchSpec *ms)
{
    Binary *bin = binary_alloc_magic(ms, ms_destroy);
    if (!bin) abort();
    return procbin_make(HAlloc(p, PROC_BIN_WORDS), bin, &p->off_heap);
}

EtsMatchSpec *ms_from_term(Term t)
{
    if (!term_is_boxed_with(t, HDR_REFC_BIN)) return NULL;
    return binary_magic(((ProcBin *)boxed_ptr(t))->val, ms_destroy);
}
