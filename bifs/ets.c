/*
 * ets.c — the ets BIFs (OTP 25's erl_db.c). Storage, the registry and
 * ownership are in emulator/ets.c, match specifications in
 * emulator/ets_match.c.
 *
 * Every BIF finds its table with tab_acquire(): registry look-up (pins the
 * table), the table's rwlock (read or write), then the access check
 * against the calling process (private: owner only; protected: others may
 * read; public: anyone) and the `deleted` check. Objects are copied out
 * onto the caller's heap while the lock is held; nothing here collects.
 * Messages (give_away) are sent after the table lock is dropped.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arith.h"
#include "atom.h"
#include "bif.h"
#include "ets.h"
#include "scheduler.h"
#include "term_build.h"
#include "term_order.h"

/* --- helpers --------------------------------------------------------------- */

enum access { ACC_INFO, ACC_READ, ACC_WRITE, ACC_OWNER };

static bool allowed(const EtsTable *t, Process *p, enum access a)
{
    switch (a) {
    case ACC_INFO: return true;
    case ACC_READ: return t->protection != ETS_PRIVATE || t->owner == p->pid;
    case ACC_WRITE: return t->protection == ETS_PUBLIC || t->owner == p->pid;
    case ACC_OWNER: return t->owner == p->pid;
    }
    return false;
}

/* The error_info causes OTP 25 gives (erl_stdlib_errors explains them). */
#define CAUSE_ID ATOM_NAMED("id")
#define CAUSE_ACCESS ATOM_NAMED("access")
#define CAUSE_BADKEY ATOM_NAMED("badkey")
#define CAUSE_KEYPOS ATOM_NAMED("keypos")
#define CAUSE_POSITION ATOM_NAMED("position")
#define CAUSE_TABLE_TYPE ATOM_NAMED("table_type")

/* The table, locked (for writing if `write`), or NULL if it does not exist
 * (cause id) or p may not access it that way (cause access). */
static EtsTable *tab_acquire(Process *p, Term id, enum access a, bool write, Term *cause)
{
    EtsTable *t = ets_table_get(id);
    *cause = CAUSE_ID;
    if (!t) return NULL;
    if (write) pthread_rwlock_wrlock(&t->lock);
    else pthread_rwlock_rdlock(&t->lock);
    if (t->deleted || !allowed(t, p, a)) {
        if (!t->deleted) *cause = CAUSE_ACCESS;
        pthread_rwlock_unlock(&t->lock);
        ets_table_put(t);
        return NULL;
    }
    return t;
}

static void tab_release(EtsTable *t)
{
    pthread_rwlock_unlock(&t->lock);
    ets_table_put(t);
}

#define ACQUIRE(t, id, acc, wr) \
    Term t##_cause; \
    EtsTable *t = tab_acquire(p, (id), (acc), (wr), &t##_cause); \
    if (!t) BIF_ERROR_CAUSE(p, EXC_BADARG, t##_cause)

static Term copy_out(Process *p, Term t)
{
    if (term_is_immed(t)) return t;
    size_t words = size_object(t);
    Term *hp = bif_alloc(p, words);
    return copy_object(t, &hp, &p->off_heap);
}

/* A growable array of terms (results being collected). */
typedef struct termvec {
    Term *v;
    size_t n, cap;
} termvec;

static void tv_push(termvec *tv, Term t)
{
    if (tv->n == tv->cap) {
        tv->cap = tv->cap ? tv->cap * 2 : 16;
        Term *nv = realloc(tv->v, tv->cap * sizeof *nv);
        if (!nv) abort();
        tv->v = nv;
    }
    tv->v[tv->n++] = t;
}

static Term tv_list(Process *p, const Term *v, size_t n, Term tail)
{
    Term *hp = bif_alloc(p, 2 * n);
    Term list = tail;
    for (size_t i = n; i-- > 0;) list = cons(hp + 2 * i, v[i], list);
    return list;
}

static Term end_of_table(void) { return ATOM_NAMED("$end_of_table"); }

static bool valid_object(Term o, unsigned keypos)
{
    return term_is_tuple(o) && tuple_arity(o) >= keypos;
}

/* The key of a table whose keypos we read without the lock (it never
 * changes), for validating arguments before locking. */
static unsigned table_keypos(Term id, bool *found)
{
    EtsTable *t = ets_table_get(id);
    if (!t) {
        *found = false;
        return 1;
    }
    *found = true;
    unsigned k = t->keypos;
    ets_table_put(t);
    return k;
}

/* --- new, delete ------------------------------------------------------------- */

Term bif_ets_new_2(Process *p, Term *args)
{
    Term name = args[0], opts = args[1];
    if (!term_is_atom(name) || list_length(opts) < 0) BIF_ERROR(p, EXC_BADARG);
    ets_type type = ETS_SET;
    ets_protection prot = ETS_PROTECTED;
    bool named = false, rc = false, wc = false, wc_auto = false, dc = false, compressed = false;
    bool dc_given = false;
    SWord keypos = 1;
    Term heir = am_none, heir_data = THE_NON_VALUE;
    for (Term l = opts; term_is_list(l); l = list_tail(l)) {
        Term o = list_head(l);
        if (o == ATOM_NAMED("set")) type = ETS_SET;
        else if (o == ATOM_NAMED("ordered_set")) type = ETS_ORDERED_SET;
        else if (o == ATOM_NAMED("bag")) type = ETS_BAG;
        else if (o == ATOM_NAMED("duplicate_bag")) type = ETS_DUPLICATE_BAG;
        else if (o == ATOM_NAMED("public")) prot = ETS_PUBLIC;
        else if (o == ATOM_NAMED("protected")) prot = ETS_PROTECTED;
        else if (o == ATOM_NAMED("private")) prot = ETS_PRIVATE;
        else if (o == ATOM_NAMED("named_table")) named = true;
        else if (o == ATOM_NAMED("compressed")) compressed = true;
        else if (term_is_tuple(o) && tuple_arity(o) == 2) {
            Term k = tuple_elements(o)[0], v = tuple_elements(o)[1];
            if (k == ATOM_NAMED("keypos")) {
                if (!small_in_range(v, 1, 0xFFFFFF, &keypos)) BIF_ERROR(p, EXC_BADARG);
            } else if (k == ATOM_NAMED("write_concurrency")) {
                if (v != am_true && v != am_false && v != ATOM_NAMED("auto")) BIF_ERROR(p, EXC_BADARG);
                wc = v != am_false;
                wc_auto = v == ATOM_NAMED("auto");
            } else if (k == ATOM_NAMED("read_concurrency")) {
                if (v != am_true && v != am_false) BIF_ERROR(p, EXC_BADARG);
                rc = v == am_true;
            } else if (k == ATOM_NAMED("decentralized_counters")) {
                if (v != am_true && v != am_false) BIF_ERROR(p, EXC_BADARG);
                dc = v == am_true;
                dc_given = true;
            } else if (k == ATOM_NAMED("heir") && v == am_none) {
                heir = am_none;
                heir_data = THE_NON_VALUE;
            } else {
                BIF_ERROR(p, EXC_BADARG);
            }
        } else if (term_is_tuple(o) && tuple_arity(o) == 3 && tuple_elements(o)[0] == ATOM_NAMED("heir")) {
            if (!term_is_pid(tuple_elements(o)[1])) BIF_ERROR(p, EXC_BADARG);
            heir = tuple_elements(o)[1];
            heir_data = tuple_elements(o)[2];
        } else {
            BIF_ERROR(p, EXC_BADARG);
        }
    }
    /* As OTP: decentralized counters only with write_concurrency, by
     * default for an ordered_set or write_concurrency auto; a private
     * table has none of the concurrency options. */
    if (!dc_given) dc = type == ETS_ORDERED_SET || wc_auto;
    if (!wc) dc = false;
    if (prot == ETS_PRIVATE) rc = wc = wc_auto = dc = false;
    EtsTable *t = ets_table_alloc(type, (unsigned)keypos);
    t->id = ref_next_id();
    t->name = name;
    t->named = named;
    t->protection = prot;
    t->read_concurrency = rc;
    t->write_concurrency = wc;
    t->write_concurrency_auto = wc_auto;
    t->decentralized_counters = dc;
    t->compressed = compressed;
    t->heir = heir;
    if (heir_data != THE_NON_VALUE) t->heir_data = ets_term_new(heir_data);
    if (!ets_register(t, p->pid)) {
        ets_table_put(t);
        BIF_ERROR_CAUSE(p, EXC_BADARG, ATOM_NAMED("already_exists"));
    }
    return ets_table_id_term(t, bif_alloc(p, ETS_REF_WORDS));
}

Term bif_ets_delete_1(Process *p, Term *args)
{
    ACQUIRE(t, args[0], ACC_WRITE, true);
    ets_table_delete_locked(t);
    tab_release(t);
    return am_true;
}

Term bif_ets_delete_2(Process *p, Term *args)
{
    ACQUIRE(t, args[0], ACC_WRITE, true);
    ets_store_delete_key(t, args[1]);
    tab_release(t);
    return am_true;
}

Term bif_ets_internal_delete_all_2(Process *p, Term *args)
{
    ACQUIRE(t, args[0], ACC_WRITE, true);
    size_t n = ets_store_delete_all(t);
    tab_release(t);
    return arith_make_uinteger(p, n);
}

Term bif_ets_delete_object_2(Process *p, Term *args)
{
    ACQUIRE(t, args[0], ACC_WRITE, true);
    if (!valid_object(args[1], t->keypos)) {
        tab_release(t);
        BIF_ERROR(p, EXC_BADARG);
    }
    ets_store_delete_object(t, args[1]);
    tab_release(t);
    return am_true;
}

/* --- traversal ------------------------------------------------------------------- */

static Term first_last(Process *p, Term id, bool last)
{
    ACQUIRE(t, id, ACC_READ, false);
    Term k = last ? ets_store_last(t) : ets_store_first(t);
    Term r = k == THE_NON_VALUE ? end_of_table() : copy_out(p, k);
    tab_release(t);
    return r;
}
Term bif_ets_first_1(Process *p, Term *args) { return first_last(p, args[0], false); }
Term bif_ets_last_1(Process *p, Term *args) { return first_last(p, args[0], true); }

static Term next_prev(Process *p, Term id, Term key, bool prev)
{
    ACQUIRE(t, id, ACC_READ, false);
    bool missing;
    Term k = prev ? ets_store_prev(t, key, &missing) : ets_store_next(t, key, &missing);
    if (missing) {
        tab_release(t);
        BIF_ERROR(p, EXC_BADARG);
    }
    Term r = k == THE_NON_VALUE ? end_of_table() : copy_out(p, k);
    tab_release(t);
    return r;
}
Term bif_ets_next_2(Process *p, Term *args) { return next_prev(p, args[0], args[1], false); }
Term bif_ets_prev_2(Process *p, Term *args) { return next_prev(p, args[0], args[1], true); }

/* --- insert --------------------------------------------------------------------- */

/* The objects of an insert argument (an object or a list of them), copied
 * into EtsObjs; NULL (and *n = 0) on a bad argument. */
static EtsObj **make_objects(Term arg, unsigned keypos, size_t *n, bool *bad)
{
    *bad = false;
    *n = 0;
    if (term_is_tuple(arg)) {
        if (!valid_object(arg, keypos)) {
            *bad = true;
            return NULL;
        }
        EtsObj **v = malloc(sizeof *v);
        if (!v) abort();
        v[0] = ets_obj_new(arg);
        *n = 1;
        return v;
    }
    SWord len = list_length(arg);
    if (len < 0) {
        *bad = true;
        return NULL;
    }
    for (Term l = arg; term_is_list(l); l = list_tail(l))
        if (!valid_object(list_head(l), keypos)) {
            *bad = true;
            return NULL;
        }
    EtsObj **v = malloc(((size_t)len + 1) * sizeof *v);
    if (!v) abort();
    size_t i = 0;
    for (Term l = arg; term_is_list(l); l = list_tail(l)) v[i++] = ets_obj_new(list_head(l));
    *n = (size_t)len;
    return v;
}

static void free_objects(EtsObj **v, size_t n)
{
    for (size_t i = 0; i < n; i++) ets_obj_free(v[i]);
    free(v);
}

static Term insert(Process *p, Term *args, bool only_new)
{
    bool found, bad;
    unsigned keypos = table_keypos(args[0], &found);
    if (!found) BIF_ERROR_CAUSE(p, EXC_BADARG, CAUSE_ID);
    size_t n;
    EtsObj **objs = make_objects(args[1], keypos, &n, &bad);
    if (bad) BIF_ERROR(p, EXC_BADARG);
    Term cause;
    EtsTable *t = tab_acquire(p, args[0], ACC_WRITE, true, &cause);
    if (!t) {
        free_objects(objs, n);
        BIF_ERROR_CAUSE(p, EXC_BADARG, cause);
    }
    BUMP_REDS(p, n / ELEMENTS_PER_REDUCTION);
    if (only_new) {
        for (size_t i = 0; i < n; i++)
            if (ets_store_has_key(t, ets_obj_key(t, objs[i]))) {
                tab_release(t);
                free_objects(objs, n);
                return am_false;
            }
    }
    /* OTP inserts a list into a bag last object first: a key's objects
     * from one list come out in reverse. */
    if (t->type == ETS_BAG && !term_is_tuple(args[1]))
        for (size_t i = n; i-- > 0;) ets_store_insert(t, objs[i]);
    else
        for (size_t i = 0; i < n; i++) ets_store_insert(t, objs[i]);
    tab_release(t);
    free(objs);
    return am_true;
}
Term bif_ets_insert_2(Process *p, Term *args) { return insert(p, args, false); }
Term bif_ets_insert_new_2(Process *p, Term *args) { return insert(p, args, true); }

/* --- lookup ---------------------------------------------------------------------- */

static bool collect_obj(EtsObj *o, void *arg)
{
    tv_push(arg, (Term)(uintptr_t)o);
    return true;
}

Term bif_ets_lookup_2(Process *p, Term *args)
{
    ACQUIRE(t, args[0], ACC_READ, false);
    termvec tv = { 0 };
    ets_store_lookup(t, args[1], collect_obj, &tv);
    for (size_t i = 0; i < tv.n; i++) tv.v[i] = copy_out(p, ((EtsObj *)(uintptr_t)tv.v[i])->obj);
    tab_release(t);
    Term r = tv_list(p, tv.v, tv.n, NIL);
    free(tv.v);
    return r;
}

Term bif_ets_lookup_element_3(Process *p, Term *args)
{
    SWord pos;
    if (!small_in_range(args[2], 1, MAX_SMALL, &pos)) BIF_ERROR(p, EXC_BADARG);
    ACQUIRE(t, args[0], ACC_READ, false);
    termvec tv = { 0 };
    ets_store_lookup(t, args[1], collect_obj, &tv);
    bool ok = tv.n > 0;
    for (size_t i = 0; ok && i < tv.n; i++) {
        Term o = ((EtsObj *)(uintptr_t)tv.v[i])->obj;
        if ((UWord)pos > tuple_arity(o)) ok = false;
        else tv.v[i] = copy_out(p, tuple_elements(o)[pos - 1]);
    }
    bool set = t->type == ETS_SET || t->type == ETS_ORDERED_SET;
    tab_release(t);
    if (!ok) {
        bool missing = tv.n == 0;
        free(tv.v);
        if (missing) BIF_ERROR_CAUSE(p, EXC_BADARG, CAUSE_BADKEY);
        BIF_ERROR(p, EXC_BADARG);
    }
    Term r = set ? tv.v[0] : tv_list(p, tv.v, tv.n, NIL);
    free(tv.v);
    return r;
}

Term bif_ets_member_2(Process *p, Term *args)
{
    ACQUIRE(t, args[0], ACC_READ, false);
    bool has = ets_store_has_key(t, args[1]);
    tab_release(t);
    return has ? am_true : am_false;
}

Term bif_ets_take_2(Process *p, Term *args)
{
    ACQUIRE(t, args[0], ACC_WRITE, true);
    termvec tv = { 0 };
    ets_store_lookup(t, args[1], collect_obj, &tv);
    for (size_t i = 0; i < tv.n; i++) tv.v[i] = copy_out(p, ((EtsObj *)(uintptr_t)tv.v[i])->obj);
    ets_store_delete_key(t, args[1]);
    tab_release(t);
    Term r = tv_list(p, tv.v, tv.n, NIL);
    free(tv.v);
    return r;
}

/* --- update_counter, update_element ---------------------------------------------- */

/* A shallow copy of tuple o on p's heap (elements may still point into
 * the table: the caller copies the result into a new EtsObj before the
 * old one goes). */
static Term *heap_tuple_copy(Process *p, Term o)
{
    UWord n = tuple_arity(o);
    Term *hp = bif_alloc(p, n + 1);
    memcpy(hp, boxed_ptr(o), (n + 1) * sizeof(Term));
    return hp;
}

/* One {Pos, Incr[, Threshold, SetValue]} applied to elements e (arity n). */
static Term counter_op(Process *p, Term op, Term *e, UWord n, unsigned keypos, Term *bad)
{
    Term pos_t, incr, thr = THE_NON_VALUE, setv = THE_NON_VALUE;
    if (term_is_integer(op)) {
        pos_t = make_small(keypos + 1);
        incr = op;
    } else if (term_is_tuple(op) && (tuple_arity(op) == 2 || tuple_arity(op) == 4)) {
        pos_t = tuple_elements(op)[0];
        incr = tuple_elements(op)[1];
        if (tuple_arity(op) == 4) {
            thr = tuple_elements(op)[2];
            setv = tuple_elements(op)[3];
            if (!term_is_integer(thr) || !term_is_integer(setv)) goto fail;
        }
    } else {
        goto fail;
    }
    SWord pos;
    if (!term_is_small(pos_t) || small_value(pos_t) < 1) goto fail;
    if ((UWord)small_value(pos_t) > n) {
        *bad = CAUSE_POSITION;
        return THE_NON_VALUE;
    }
    pos = small_value(pos_t);
    if ((unsigned)pos == keypos) {
        *bad = CAUSE_KEYPOS;
        return THE_NON_VALUE;
    }
    if (!term_is_integer(incr) || !term_is_integer(e[pos - 1])) goto fail;
    Term v = arith_plus(p, e[pos - 1], incr);
    if (v == THE_NON_VALUE) goto fail;
    if (thr != THE_NON_VALUE) {
        bool neg = term_is_small(incr) ? small_value(incr) < 0 : bignum_is_negative(incr);
        int c = arith_compare(v, thr);
        if ((!neg && c > 0) || (neg && c < 0)) v = setv;
    }
    e[pos - 1] = v;
    return v;
fail:
    *bad = NIL;
    return THE_NON_VALUE;
}

static Term update_counter(Process *p, Term id, Term key, Term ops, Term dflt)
{
    if (dflt != THE_NON_VALUE && !term_is_tuple(dflt)) BIF_ERROR(p, EXC_BADARG);
    ACQUIRE(t, id, ACC_WRITE, true);
    Term bad = THE_NON_VALUE;   /* NIL, or the cause, once an operation fails */
    if (t->type != ETS_SET && t->type != ETS_ORDERED_SET) {
        bad = CAUSE_TABLE_TYPE;
        goto badarg;
    }
    EtsObj *old = ets_store_get(t, key);
    Term base;
    if (old) {
        base = old->obj;
    } else {
        bad = dflt == THE_NON_VALUE ? CAUSE_BADKEY : NIL;
        if (dflt == THE_NON_VALUE || tuple_arity(dflt) < t->keypos) goto badarg;
        bad = THE_NON_VALUE;
        base = dflt;
    }
    Term *hp = heap_tuple_copy(p, base);
    Term *e = hp + 1;
    UWord n = tuple_arity(base);
    if (!old) e[t->keypos - 1] = key;
    Term result;
    if (term_is_list(ops) || term_is_nil(ops)) {
        if (list_length(ops) < 0) {
            bad = NIL;
            goto badarg;
        }
        termvec tv = { 0 };
        for (Term l = ops; term_is_list(l) && bad == THE_NON_VALUE; l = list_tail(l))
            tv_push(&tv, counter_op(p, list_head(l), e, n, t->keypos, &bad));
        result = bad != THE_NON_VALUE ? THE_NON_VALUE : tv_list(p, tv.v, tv.n, NIL);
        free(tv.v);
    } else {
        result = counter_op(p, ops, e, n, t->keypos, &bad);
    }
    if (bad != THE_NON_VALUE) goto badarg;
    result = copy_out(p, result);
    EtsObj *o = ets_obj_new(make_boxed(hp));
    if (old) ets_store_replace(t, old, o);
    else ets_store_insert(t, o);
    tab_release(t);
    return result;
badarg:
    tab_release(t);
    if (term_is_atom(bad)) BIF_ERROR_CAUSE(p, EXC_BADARG, bad);
    BIF_ERROR(p, EXC_BADARG);
}
Term bif_ets_update_counter_3(Process *p, Term *args) { return update_counter(p, args[0], args[1], args[2], THE_NON_VALUE); }
Term bif_ets_update_counter_4(Process *p, Term *args) { return update_counter(p, args[0], args[1], args[2], args[3]); }

static bool element_op(Term op, Term *e, UWord n, unsigned keypos, bool *at_key)
{
    SWord pos;
    if (!term_is_tuple(op) || tuple_arity(op) != 2) return false;
    if (!small_in_range(tuple_elements(op)[0], 1, (SWord)n, &pos)) return false;
    if ((unsigned)pos == keypos) {
        *at_key = true;
        return false;
    }
    e[pos - 1] = tuple_elements(op)[1];
    return true;
}

Term bif_ets_update_element_3(Process *p, Term *args)
{
    Term ops = args[2];
    if (!term_is_tuple(ops) && list_length(ops) < 0) BIF_ERROR(p, EXC_BADARG);
    ACQUIRE(t, args[0], ACC_WRITE, true);
    bool ok = true, at_key = false;
    if (t->type != ETS_SET && t->type != ETS_ORDERED_SET) goto badarg;
    EtsObj *old = ets_store_get(t, args[1]);
    if (!old) {
        /* Still check the operations' shape. */
        bool shape = term_is_tuple(ops) ? tuple_arity(ops) == 2 : true;
        for (Term l = ops; shape && term_is_list(l); l = list_tail(l))
            shape = term_is_tuple(list_head(l)) && tuple_arity(list_head(l)) == 2;
        tab_release(t);
        if (!shape) BIF_ERROR(p, EXC_BADARG);
        return am_false;
    }
    Term *hp = heap_tuple_copy(p, old->obj);
    UWord n = tuple_arity(old->obj);
    if (term_is_tuple(ops)) ok = element_op(ops, hp + 1, n, t->keypos, &at_key);
    else
        for (Term l = ops; ok && term_is_list(l); l = list_tail(l)) ok = element_op(list_head(l), hp + 1, n, t->keypos, &at_key);
    if (!ok) goto badarg;
    ets_store_replace(t, old, ets_obj_new(make_boxed(hp)));
    tab_release(t);
    return am_true;
badarg:
    tab_release(t);
    if (at_key) BIF_ERROR_CAUSE(p, EXC_BADARG, CAUSE_KEYPOS);
    BIF_ERROR(p, EXC_BADARG);
}

/* --- info ---------------------------------------------------------------------------- */

static Term type_atom(ets_type ty)
{
    switch (ty) {
    case ETS_SET: return ATOM_NAMED("set");
    case ETS_ORDERED_SET: return ATOM_NAMED("ordered_set");
    case ETS_BAG: return ATOM_NAMED("bag");
    default: return ATOM_NAMED("duplicate_bag");
    }
}

static Term protection_atom(ets_protection pr)
{
    switch (pr) {
    case ETS_PRIVATE: return ATOM_NAMED("private");
    case ETS_PROTECTED: return ATOM_NAMED("protected");
    default: return ATOM_NAMED("public");
    }
}

static Term boolean(bool b) { return b ? am_true : am_false; }

static Term fixes_list(Process *p, const EtsTable *t)
{
    Term list = NIL;
    for (size_t i = t->nfixes; i-- > 0;) {
        Term *hp = bif_alloc(p, 3 + 2);
        Term pair = tuple2(hp, t->fixes[i].pid, arith_make_uinteger(p, t->fixes[i].count));
        list = cons(hp + 3, pair, list);
    }
    return list;
}

/* The value of one info item, or THE_NON_VALUE for an unknown item. */
static Term info_item(Process *p, EtsTable *t, Term item)
{
    if (item == ATOM_NAMED("id")) return ets_table_ref_term(t, bif_alloc(p, ETS_REF_WORDS));
    if (item == ATOM_NAMED("name")) return t->name;
    if (item == ATOM_NAMED("type")) return type_atom(t->type);
    if (item == ATOM_NAMED("size")) return arith_make_uinteger(p, t->count);
    if (item == ATOM_NAMED("memory")) {
        size_t words = sizeof(EtsTable) / sizeof(Term) + t->nbuckets + t->words +
                       (t->count + t->ndead) * (sizeof(EtsObj) / sizeof(Term));
        return arith_make_uinteger(p, words);
    }
    if (item == ATOM_NAMED("owner")) return t->owner;
    if (item == ATOM_NAMED("heir")) return t->heir;
    if (item == ATOM_NAMED("protection")) return protection_atom(t->protection);
    if (item == ATOM_NAMED("named_table")) return boolean(t->named);
    if (item == ATOM_NAMED("keypos")) return make_small(t->keypos);
    if (item == ATOM_NAMED("compressed")) return boolean(t->compressed);
    if (item == ATOM_NAMED("read_concurrency")) return boolean(t->read_concurrency);
    if (item == ATOM_NAMED("write_concurrency"))
        return t->write_concurrency_auto ? ATOM_NAMED("auto") : boolean(t->write_concurrency);
    if (item == ATOM_NAMED("decentralized_counters")) return boolean(t->decentralized_counters);
    if (item == ATOM_NAMED("node")) return am_nonode_at_nohost;
    if (item == ATOM_NAMED("fixed")) return boolean(t->nfixes > 0);
    if (item == ATOM_NAMED("safe_fixed") || item == ATOM_NAMED("safe_fixed_monotonic_time")) {
        if (t->nfixes == 0) return am_false;
        Term when;
        if (item == ATOM_NAMED("safe_fixed")) {
            uint64_t us = t->fix_wall_us;
            Term *hp = bif_alloc(p, 4);
            when = tuple3(hp, arith_make_uinteger(p, us / 1000000000000u), arith_make_uinteger(p, us / 1000000u % 1000000u),
                          arith_make_uinteger(p, us % 1000000u));
        } else {
            when = arith_make_integer(p, (SWord)t->fix_mono_ns);
        }
        Term list = fixes_list(p, t);
        return tuple2(bif_alloc(p, 3), when, list);
    }
    return THE_NON_VALUE;
}

Term bif_ets_info_1(Process *p, Term *args)
{
    static const char *const items[] = {
        "id", "decentralized_counters", "read_concurrency", "write_concurrency", "compressed", "memory", "owner",
        "heir", "name", "size", "node", "named_table", "type", "keypos", "protection",
    };
    if (!term_is_atom(args[0]) && !term_is_boxed_with(args[0], HDR_REF)) BIF_ERROR(p, EXC_BADARG);
    Term cause;
    EtsTable *t = tab_acquire(p, args[0], ACC_INFO, false, &cause);
    if (!t) return am_undefined;
    size_t n = sizeof items / sizeof items[0];
    Term vals[sizeof items / sizeof items[0]];
    for (size_t i = 0; i < n; i++) {
        Term key;
        if (atom_put(items[i], strlen(items[i]), &key) != ATOM_OK) abort();
        Term v = info_item(p, t, key);
        vals[i] = tuple2(bif_alloc(p, 3), key, v);
    }
    tab_release(t);
    return tv_list(p, vals, n, NIL);
}

Term bif_ets_info_2(Process *p, Term *args)
{
    if (!term_is_atom(args[0]) && !term_is_boxed_with(args[0], HDR_REF)) BIF_ERROR(p, EXC_BADARG);
    Term cause;
    EtsTable *t = tab_acquire(p, args[0], ACC_INFO, false, &cause);
    if (!t) return am_undefined;
    Term v = term_is_atom(args[1]) ? info_item(p, t, args[1]) : THE_NON_VALUE;
    tab_release(t);
    if (v == THE_NON_VALUE) BIF_ERROR(p, EXC_BADARG);
    return v;
}

Term bif_ets_whereis_1(Process *p, Term *args)
{
    if (!term_is_atom(args[0])) BIF_ERROR(p, EXC_BADARG);
    Term cause;
    EtsTable *t = tab_acquire(p, args[0], ACC_INFO, false, &cause);
    if (!t) return am_undefined;
    Term r = ets_table_ref_term(t, bif_alloc(p, ETS_REF_WORDS));
    tab_release(t);
    return r;
}

/* --- ownership and options ---------------------------------------------------------- */

Term bif_ets_rename_2(Process *p, Term *args)
{
    if (!term_is_atom(args[1])) BIF_ERROR(p, EXC_BADARG);
    ACQUIRE(t, args[0], ACC_WRITE, true);
    bool ok = ets_rename(t, args[1]);
    Term r = ok ? ets_table_id_term(t, bif_alloc(p, ETS_REF_WORDS)) : THE_NON_VALUE;
    tab_release(t);
    if (!ok) BIF_ERROR(p, EXC_BADARG);
    return r;
}

Term bif_ets_give_away_3(Process *p, Term *args)
{
    Term to = args[1];
    if (!term_is_pid(to)) BIF_ERROR(p, EXC_BADARG);
    /* As OTP: write access (else cause access), then ownership. */
    ACQUIRE(t, args[0], ACC_WRITE, true);
    if (!allowed(t, p, ACC_OWNER)) {
        tab_release(t);
        BIF_ERROR(p, EXC_BADARG);
    }
    if (to == p->pid) {
        tab_release(t);
        BIF_ERROR_CAUSE(p, EXC_BADARG, ATOM_NAMED("owner"));
    }
    Process *dest = process_lookup(to);
    if (!dest) {
        tab_release(t);
        BIF_ERROR(p, EXC_BADARG);
    }
    t->owner = to;
    ets_owner_changed(p->pid, to);
    Term buf[5 + ETS_REF_WORDS];
    Term tab = ets_table_id_term(t, buf + 5);
    Term msg = tuple4(buf, ATOM_NAMED("ETS-TRANSFER"), tab, p->pid, args[2]);
    tab_release(t);
    dest = process_lookup(to);
    if (dest) send_message(dest, msg);
    return am_true;
}

/* {heir, Pid, Data} | {heir, none} | {protection, P}: applied to t if ok. */
static bool setopt(EtsTable *t, Term o)
{
    if (!term_is_tuple(o)) return false;
    Term *e = tuple_elements(o);
    if (tuple_arity(o) == 2 && e[0] == ATOM_NAMED("heir") && e[1] == am_none) {
        t->heir = am_none;
        ets_term_free(t->heir_data);
        t->heir_data = NULL;
        return true;
    }
    if (tuple_arity(o) == 3 && e[0] == ATOM_NAMED("heir") && term_is_pid(e[1])) {
        t->heir = e[1];
        ets_term_free(t->heir_data);
        t->heir_data = ets_term_new(e[2]);
        return true;
    }
    if (tuple_arity(o) == 2 && e[0] == ATOM_NAMED("protection")) {
        if (e[1] == ATOM_NAMED("public")) t->protection = ETS_PUBLIC;
        else if (e[1] == ATOM_NAMED("protected")) t->protection = ETS_PROTECTED;
        else if (e[1] == ATOM_NAMED("private")) t->protection = ETS_PRIVATE;
        else return false;
        return true;
    }
    return false;
}

/* Each option at most once, as OTP. */
static bool setopt_valid(Term o, bool *heir_seen, bool *prot_seen)
{
    if (!term_is_tuple(o)) return false;
    Term *e = tuple_elements(o);
    bool ok = false, *seen = NULL;
    if (tuple_arity(o) == 2 && e[0] == ATOM_NAMED("heir")) ok = e[1] == am_none, seen = heir_seen;
    else if (tuple_arity(o) == 3 && e[0] == ATOM_NAMED("heir")) ok = term_is_pid(e[1]), seen = heir_seen;
    else if (tuple_arity(o) == 2 && e[0] == ATOM_NAMED("protection")) {
        ok = e[1] == ATOM_NAMED("public") || e[1] == ATOM_NAMED("protected") || e[1] == ATOM_NAMED("private");
        seen = prot_seen;
    }
    if (!ok || *seen) return false;
    *seen = true;
    return true;
}

Term bif_ets_setopts_2(Process *p, Term *args)
{
    Term opts = args[1];
    bool heir_seen = false, prot_seen = false;
    if (term_is_tuple(opts)) {
        if (!setopt_valid(opts, &heir_seen, &prot_seen)) BIF_ERROR(p, EXC_BADARG);
    } else {
        if (list_length(opts) < 0) BIF_ERROR(p, EXC_BADARG);
        for (Term l = opts; term_is_list(l); l = list_tail(l))
            if (!setopt_valid(list_head(l), &heir_seen, &prot_seen)) BIF_ERROR(p, EXC_BADARG);
    }
    /* As OTP: write access (else cause access), then ownership. */
    ACQUIRE(t, args[0], ACC_WRITE, true);
    if (!allowed(t, p, ACC_OWNER)) {
        tab_release(t);
        BIF_ERROR(p, EXC_BADARG);
    }
    if (term_is_tuple(opts)) setopt(t, opts);
    else
        for (Term l = opts; term_is_list(l); l = list_tail(l)) setopt(t, list_head(l));
    tab_release(t);
    return am_true;
}

/* The clocks of erlang:timestamp() and erlang:monotonic_time() (native
 * unit: nanoseconds). */
static uint64_t clock_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

Term bif_ets_safe_fixtable_2(Process *p, Term *args)
{
    Term flag = args[1];
    if (flag != am_true && flag != am_false) BIF_ERROR(p, EXC_BADARG);
    ACQUIRE(t, args[0], ACC_READ, true);
    size_t i = 0;
    while (i < t->nfixes && t->fixes[i].pid != p->pid) i++;
    if (flag == am_true) {
        if (i == t->nfixes) {
            if (t->nfixes == t->capfixes) {
                t->capfixes = t->capfixes ? t->capfixes * 2 : 4;
                ets_fix *f = realloc(t->fixes, t->capfixes * sizeof *f);
                if (!f) abort();
                t->fixes = f;
            }
            if (t->nfixes == 0) {
                t->fix_wall_us = clock_ns(CLOCK_REALTIME) / 1000u;
                t->fix_mono_ns = clock_ns(CLOCK_MONOTONIC);
            }
            t->fixes[t->nfixes++] = (ets_fix){ p->pid, 0 };
            ets_fix_added(t, p->pid);
        }
        t->fixes[i].count++;
    } else if (i < t->nfixes) {
        if (--t->fixes[i].count == 0) {
            t->fixes[i] = t->fixes[--t->nfixes];
            ets_fix_removed(t, p->pid);
            if (t->nfixes == 0) ets_store_unfixed(t);
        }
    }
    tab_release(t);
    return am_true;
}

static bool push_obj_copy(EtsObj *o, void *arg)
{
    void **a = arg;
    tv_push(a[0], copy_out(a[1], o->obj));
    return true;
}

Term bif_ets_slot_2(Process *p, Term *args)
{
    SWord i;
    if (!small_in_range(args[1], 0, MAX_SMALL, &i)) BIF_ERROR(p, EXC_BADARG);
    ACQUIRE(t, args[0], ACC_READ, false);
    size_t slots = ets_store_slots(t);
    if ((size_t)i > slots) {
        tab_release(t);
        BIF_ERROR(p, EXC_BADARG);
    }
    if ((size_t)i == slots) {
        tab_release(t);
        return end_of_table();
    }
    termvec tv = { 0 };
    void *a[2] = { &tv, p };
    ets_store_slot(t, (size_t)i, push_obj_copy, a);
    tab_release(t);
    Term r = tv_list(p, tv.v, tv.n, NIL);
    free(tv.v);
    return r;
}

/* --- select and friends ---------------------------------------------------------------- */

enum sel_mode { SEL_LIST, SEL_COUNT, SEL_DELETE, SEL_REPLACE };

typedef struct selector {
    Process *p;
    EtsTable *t;
    EtsMatchSpec *ms;
    enum sel_mode mode;
    size_t limit;          /* 0: no limit */
    termvec out;           /* results (copied), or EtsObj pointers */
    termvec repl;          /* SEL_REPLACE: the new objects' terms */
    size_t count;
    bool stopped;          /* the limit was reached */
} selector;

static bool select_visit(EtsObj *o, void *arg)
{
    selector *s = arg;
    Term r = ms_run(s->ms, s->p, o->obj);
    if (r == THE_NON_VALUE) return true;
    switch (s->mode) {
    case SEL_LIST: tv_push(&s->out, copy_out(s->p, r)); break;
    case SEL_COUNT: if (r == am_true) s->count++; break;
    case SEL_DELETE: if (r == am_true) tv_push(&s->out, (Term)(uintptr_t)o); break;
    case SEL_REPLACE:
        tv_push(&s->out, (Term)(uintptr_t)o);
        tv_push(&s->repl, r);
        break;
    }
    if (s->limit && s->out.n >= s->limit) {
        s->stopped = true;
        return false;
    }
    return true;
}

/* Runs the whole table (or one key) through s. */
static void select_all(selector *s, bool reverse)
{
    EtsTable *t = s->t;
    Term key;
    if (ms_bound_key(s->ms, t->keypos, &key)) {
        ets_store_lookup(t, key, select_visit, s);
        return;
    }
    BUMP_REDS(s->p, t->count / ELEMENTS_PER_REDUCTION);
    if (t->type == ETS_ORDERED_SET) {
        EtsObj *last;
        ets_store_walk_tree(t, THE_NON_VALUE, reverse, select_visit, s, &last);
    } else {
        size_t next;
        ets_store_walk_hash(t, 0, select_visit, s, &next);
    }
}

static Term select_2(Process *p, Term id, Term spec, bool reverse)
{
    EtsMatchSpec *ms = ms_compile(spec);
    if (!ms) BIF_ERROR(p, EXC_BADARG);
    Term cause;
    EtsTable *t = tab_acquire(p, id, ACC_READ, false, &cause);
    if (!t) {
        ms_free(ms);
        BIF_ERROR_CAUSE(p, EXC_BADARG, cause);
    }
    selector s = { .p = p, .t = t, .ms = ms, .mode = SEL_LIST };
    select_all(&s, reverse);
    tab_release(t);
    ms_free(ms);
    Term r = tv_list(p, s.out.v, s.out.n, NIL);
    free(s.out.v);
    return r;
}

/* Continuations:
 *   hash tables: {Tab, NextBucket, Limit, MS, Rest, RestCount}
 *   ordered_set: {Tab, LastKey, Reverse, Limit, MS, Rest, RestCount, 0}
 * where MS is the compiled match spec (a magic binary) and Rest results
 * already found but not yet returned. */
static Term make_result(Process *p, EtsTable *t, Term ms_term, size_t limit, bool reverse, bool at_end,
                        Term pos, termvec *out)
{
    size_t take = out->n < limit ? out->n : limit;
    Term rest = tv_list(p, out->v + take, out->n - take, NIL);
    size_t nrest = out->n - take;
    Term results = tv_list(p, out->v, take, NIL);
    if (at_end && nrest == 0) {
        if (take == 0) return end_of_table();
        return tuple2(bif_alloc(p, 3), results, end_of_table());
    }
    Term tab = ets_table_id_term(t, bif_alloc(p, ETS_REF_WORDS));
    Term cont;
    if (t->type == ETS_ORDERED_SET) {
        Term e[8] = { tab, pos, boolean(reverse), make_small((SWord)limit), ms_term, rest, make_small((SWord)nrest), make_small(0) };
        cont = tuple_from(bif_alloc(p, 9), e, 8);
    } else {
        Term e[6] = { tab, pos, make_small((SWord)limit), ms_term, rest, make_small((SWord)nrest) };
        cont = tuple_from(bif_alloc(p, 7), e, 6);
    }
    return tuple2(bif_alloc(p, 3), results, cont);
}

/* One chunk: from the position pos (bucket index, or the key after which
 * to go on, THE_NON_VALUE at the start), after the results in `rest`. */
static Term select_chunk(Process *p, EtsTable *t, EtsMatchSpec *ms, Term ms_term, size_t limit, bool reverse,
                         Term pos, Term rest)
{
    selector s = { .p = p, .t = t, .ms = ms, .mode = SEL_LIST, .limit = limit };
    for (Term l = rest; term_is_list(l); l = list_tail(l)) tv_push(&s.out, list_head(l));
    bool at_end = true;
    Term next_pos = pos;
    if (s.out.n < limit) {
        if (t->type == ETS_ORDERED_SET) {
            EtsObj *last = NULL;
            at_end = ets_store_walk_tree(t, pos, reverse, select_visit, &s, &last);
            if (s.stopped) at_end = false;
            next_pos = last ? copy_out(p, ets_obj_key(t, last)) : pos;
        } else {
            size_t from = term_is_small(pos) ? (size_t)small_value(pos) : 0, next;
            at_end = ets_store_walk_hash(t, from, select_visit, &s, &next);
            next_pos = make_small((SWord)next);
        }
    } else {
        at_end = false;
    }
    BUMP_REDS(p, s.out.n);
    if (ms_term == THE_NON_VALUE && (!at_end || s.out.n > limit)) ms_term = ms_to_term(p, ms);
    else if (ms_term == THE_NON_VALUE) ms_free(ms);
    Term r = make_result(p, t, ms_term, limit, reverse, at_end, next_pos, &s.out);
    free(s.out.v);
    return r;
}

static Term select_3(Process *p, Term id, Term spec, Term limit_t, bool reverse)
{
    SWord limit;
    if (!small_in_range(limit_t, 1, MAX_SMALL, &limit)) BIF_ERROR(p, EXC_BADARG);
    EtsMatchSpec *ms = ms_compile(spec);
    if (!ms) BIF_ERROR(p, EXC_BADARG);
    Term cause;
    EtsTable *t = tab_acquire(p, id, ACC_READ, false, &cause);
    if (!t) {
        ms_free(ms);
        BIF_ERROR_CAUSE(p, EXC_BADARG, cause);
    }
    Term r = select_chunk(p, t, ms, THE_NON_VALUE, (size_t)limit, reverse, THE_NON_VALUE, NIL);
    tab_release(t);
    return r;
}

static Term select_1(Process *p, Term cont)
{
    if (cont == end_of_table()) return cont;
    if (!term_is_tuple(cont)) BIF_ERROR(p, EXC_BADARG);
    Term *e = tuple_elements(cont);
    UWord n = tuple_arity(cont);
    Term id, pos, ms_term, rest, lim;
    bool reverse = false;
    if (n == 8) {
        id = e[0], pos = e[1], reverse = e[2] == am_true, lim = e[3], ms_term = e[4], rest = e[5];
    } else if (n == 6) {
        id = e[0], pos = e[1], lim = e[2], ms_term = e[3], rest = e[4];
        if (!term_is_small(pos) || small_value(pos) < 0) BIF_ERROR(p, EXC_BADARG);
    } else {
        BIF_ERROR(p, EXC_BADARG);
    }
    SWord limit;
    EtsMatchSpec *ms = ms_from_term(ms_term);
    if (!ms || !small_in_range(lim, 1, MAX_SMALL, &limit) || list_length(rest) < 0) BIF_ERROR(p, EXC_BADARG);
    ACQUIRE(t, id, ACC_READ, false);
    if ((t->type == ETS_ORDERED_SET) != (n == 8)) {
        tab_release(t);
        BIF_ERROR(p, EXC_BADARG);
    }
    Term r = select_chunk(p, t, ms, ms_term, (size_t)limit, reverse, pos, rest);
    tab_release(t);
    return r;
}

Term bif_ets_select_1(Process *p, Term *args) { return select_1(p, args[0]); }
Term bif_ets_select_2(Process *p, Term *args) { return select_2(p, args[0], args[1], false); }
Term bif_ets_select_3(Process *p, Term *args) { return select_3(p, args[0], args[1], args[2], false); }
Term bif_ets_select_reverse_1(Process *p, Term *args) { return select_1(p, args[0]); }
Term bif_ets_select_reverse_2(Process *p, Term *args) { return select_2(p, args[0], args[1], true); }
Term bif_ets_select_reverse_3(Process *p, Term *args) { return select_3(p, args[0], args[1], args[2], true); }

/* [{Pattern, [], [Result]}] on p's heap. */
static Term pattern_spec(Process *p, Term pattern, Term result)
{
    Term *hp = bif_alloc(p, 2 + 4 + 2);
    Term body = cons(hp, result, NIL);
    Term clause = tuple3(hp + 2, pattern, NIL, body);
    return cons(hp + 6, clause, NIL);
}

Term bif_ets_match_1(Process *p, Term *args) { return select_1(p, args[0]); }
Term bif_ets_match_2(Process *p, Term *args) { return select_2(p, args[0], pattern_spec(p, args[1], ATOM_NAMED("$$")), false); }
Term bif_ets_match_3(Process *p, Term *args)
{
    return select_3(p, args[0], pattern_spec(p, args[1], ATOM_NAMED("$$")), args[2], false);
}
Term bif_ets_match_object_1(Process *p, Term *args) { return select_1(p, args[0]); }
Term bif_ets_match_object_2(Process *p, Term *args)
{
    return select_2(p, args[0], pattern_spec(p, args[1], ATOM_NAMED("$_")), false);
}
Term bif_ets_match_object_3(Process *p, Term *args)
{
    return select_3(p, args[0], pattern_spec(p, args[1], ATOM_NAMED("$_")), args[2], false);
}

Term bif_ets_select_count_2(Process *p, Term *args)
{
    EtsMatchSpec *ms = ms_compile(args[1]);
    if (!ms) BIF_ERROR(p, EXC_BADARG);
    Term cause;
    EtsTable *t = tab_acquire(p, args[0], ACC_READ, false, &cause);
    if (!t) {
        ms_free(ms);
        BIF_ERROR_CAUSE(p, EXC_BADARG, cause);
    }
    selector s = { .p = p, .t = t, .ms = ms, .mode = SEL_COUNT };
    select_all(&s, false);
    tab_release(t);
    ms_free(ms);
    return arith_make_uinteger(p, s.count);
}

Term bif_ets_internal_select_delete_2(Process *p, Term *args)
{
    EtsMatchSpec *ms = ms_compile(args[1]);
    if (!ms) BIF_ERROR(p, EXC_BADARG);
    Term cause;
    EtsTable *t = tab_acquire(p, args[0], ACC_WRITE, true, &cause);
    if (!t) {
        ms_free(ms);
        BIF_ERROR_CAUSE(p, EXC_BADARG, cause);
    }
    selector s = { .p = p, .t = t, .ms = ms, .mode = SEL_DELETE };
    select_all(&s, false);
    for (size_t i = 0; i < s.out.n; i++) ets_store_remove(t, (EtsObj *)(uintptr_t)s.out.v[i]);
    tab_release(t);
    ms_free(ms);
    free(s.out.v);
    return arith_make_uinteger(p, s.out.n);
}

Term bif_ets_select_replace_2(Process *p, Term *args)
{
    EtsMatchSpec *ms = ms_compile(args[1]);
    if (!ms) BIF_ERROR(p, EXC_BADARG);
    Term cause;
    EtsTable *t = tab_acquire(p, args[0], ACC_WRITE, true, &cause);
    if (!t) {
        ms_free(ms);
        BIF_ERROR_CAUSE(p, EXC_BADARG, cause);
    }
    if (t->type == ETS_BAG || !ms_keeps_key(ms, t->keypos)) {   /* as OTP: duplicate_bag is fine */
        bool bag = t->type == ETS_BAG;
        tab_release(t);
        ms_free(ms);
        if (bag) BIF_ERROR_CAUSE(p, EXC_BADARG, CAUSE_TABLE_TYPE);
        BIF_ERROR(p, EXC_BADARG);
    }
    selector s = { .p = p, .t = t, .ms = ms, .mode = SEL_REPLACE };
    select_all(&s, false);
    size_t n = 0;
    for (size_t i = 0; i < s.out.n; i++) {
        EtsObj *old = (EtsObj *)(uintptr_t)s.out.v[i];
        Term r = s.repl.v[i];
        if (!term_is_tuple(r) || tuple_arity(r) < t->keypos) continue;
        Term k = tuple_elements(r)[t->keypos - 1], ok = ets_obj_key(t, old);
        if (t->type == ETS_ORDERED_SET ? term_compare(k, ok) != 0 : !term_eq_exact(k, ok)) continue;
        ets_store_replace(t, old, ets_obj_new(r));
        n++;
    }
    tab_release(t);
    ms_free(ms);
    free(s.out.v);
    free(s.repl.v);
    return arith_make_uinteger(p, n);
}

/* --- all, match specs as values -------------------------------------------------------- */

/* ets:all/0 receives one {Ref, Tables} message per scheduler
 * (erlang:system_info(schedulers)): the first has every table, the
 * others are empty. */

Term bif_ets_internal_request_all_0(Process *p, Term *args)
{
    (void)args;
    Term *hp = bif_alloc(p, 2);
    hp[0] = make_header(1, HDR_REF);
    hp[1] = ref_next_id();
    Term ref = make_boxed(hp);
    Term list;
    ets_all_ids(p, &list);
    for (unsigned i = 0; i < vm.schedulers; i++) {
        Term msg = tuple2(bif_alloc(p, 3), ref, i == 0 ? list : NIL);
        send_message(p, msg);
    }
    return ref;
}

Term bif_ets_is_compiled_ms_1(Process *p, Term *args)
{
    (void)p;
    return boolean(ms_from_term(args[0]) != NULL);
}

Term bif_ets_match_spec_compile_1(Process *p, Term *args)
{
    EtsMatchSpec *ms = ms_compile(args[0]);
    if (!ms) BIF_ERROR(p, EXC_BADARG);
    return ms_to_term(p, ms);
}

Term bif_ets_match_spec_run_r_3(Process *p, Term *args)
{
    EtsMatchSpec *ms = ms_from_term(args[1]);
    if (!ms || list_length(args[0]) < 0) BIF_ERROR(p, EXC_BADARG);
    Term acc = args[2];
    size_t n = 0;
    for (Term l = args[0]; term_is_list(l); l = list_tail(l), n++) {
        Term r = ms_run(ms, p, list_head(l));
        if (r != THE_NON_VALUE) acc = cons(bif_alloc(p, 2), r, acc);
    }
    BUMP_REDS(p, n / ELEMENTS_PER_REDUCTION);
    return acc;
}

/* erlang:match_spec_test(Term, MS, table): {ok, Result, [], []} (Result
 * false when no clause matches), or {error, Errors}. cbeam does not
 * produce OTP's per-clause error texts: one generic error. */
Term bif_erlang_match_spec_test_3(Process *p, Term *args)
{
    if (args[2] != ATOM_NAMED("table") && args[2] != ATOM_NAMED("trace")) BIF_ERROR(p, EXC_BADARG);
    if (args[2] == ATOM_NAMED("trace")) BIF_ERROR(p, EXC_BADARG);   /* tracing: not implemented */
    if (!term_is_tuple(args[0])) BIF_ERROR(p, EXC_BADARG);
    EtsMatchSpec *ms = ms_compile(args[1]);
    if (!ms) {
        const char *text = "invalid match specification";
        size_t len = strlen(text);
        Term *hp = bif_alloc(p, 2 * len);
        Term s = NIL;
        for (size_t i = len; i-- > 0;) s = cons(hp + 2 * i, make_small((unsigned char)text[i]), s);
        Term err = tuple2(bif_alloc(p, 3), am_error, s);
        Term list = cons(bif_alloc(p, 2), err, NIL);
        return tuple2(bif_alloc(p, 3), am_error, list);
    }
    Term r = ms_run(ms, p, args[0]);
    ms_free(ms);
    if (r == THE_NON_VALUE) r = am_false;
    return tuple4(bif_alloc(p, 5), am_ok, r, NIL, NIL);
}
