/*
 * lists.c — list BIFs: erlang:'++'/'--' (and their aliases append/2 and
 * subtract/2), and the lists module's BIFs reverse/2, member/2, keyfind/3,
 * keymember/3, keysearch/3 (OTP 25's erl_bif_lists.c).
 *
 * All of them walk lists iteratively (a million elements costs heap, not C
 * stack) and charge about one reduction per ten elements. None yields:
 * they run to completion.
 */
#include <stdio.h>
#include <stdlib.h>

#include "atom.h"
#include "bif.h"
#include "term_build.h"
#include "term_order.h"

/* Below this many rhs elements, '--' scans rhs linearly for each lhs
 * element; above, it sorts rhs once and binary-searches (O(n log m)). */
#define SUBTRACT_LINEAR_LIMIT 16

static void *scratch(size_t bytes)
{
    void *m = malloc(bytes ? bytes : 1);
    if (m == NULL) abort();
    return m;
}

static void charge_for_elements(Process *p, UWord n) { BUMP_REDS(p, n / ELEMENTS_PER_REDUCTION); }

/* =:= with the cheap identity test first (the common case for atoms and
 * smalls, which compare equal only when identical). */
static bool exactly_equal(Term a, Term b)
{
    if (a == b) return true;
    if (term_is_immed(a) && term_is_immed(b)) return false;
    return term_compare_exact(a, b) == 0;
}

/* ---------------------------------------------------------------------------
 * ++
 * ------------------------------------------------------------------------ */

/* lhs ++ rhs: copies lhs (which must be a proper list, even when rhs is
 * []) and ends it with rhs, whatever rhs is. */
static Term append(Process *p, Term lhs, Term rhs)
{
    SWord n = list_length(lhs);
    if (n < 0) BIF_ERROR(p, EXC_BADARG);
    if (n == 0) return rhs;
    Term *hp = bif_alloc(p, 2 * (size_t)n);
    Term *cell = hp;
    for (; term_is_list(lhs); lhs = list_tail(lhs), cell += 2) {
        cell[0] = list_head(lhs);
        cell[1] = make_list(cell + 2);
    }
    cell[-1] = rhs;
    charge_for_elements(p, (UWord)n);
    return make_list(hp);
}

Term bif_erlang_plusplus_2(Process *p, Term *args) { return append(p, args[0], args[1]); }
Term bif_erlang_append_2(Process *p, Term *args) { return append(p, args[0], args[1]); }

/* ---------------------------------------------------------------------------
 * --
 *
 * Each rhs element removes the first not-yet-removed lhs element exactly
 * equal (=:=) to it. Working out which lhs elements go is done first, into
 * a byte per element; then the kept elements before the last removed one
 * are copied, and the rest of lhs is shared as the tail.
 * ------------------------------------------------------------------------ */

/* rhs elements still unused: a multiset, as a sorted array of distinct
 * terms with their counts. */
typedef struct multiset {
    Term *terms;
    size_t *counts;
    size_t n;
} multiset;

/* term_compare_exact, with the cases that need no general walk first:
 * identical terms, and two smalls (the bulk of most integer lists). */
static int compare_exact(Term a, Term b)
{
    if (a == b) return 0;
    if (term_is_small(a) && term_is_small(b)) return small_value(a) < small_value(b) ? -1 : 1;
    return term_compare_exact(a, b);
}

static int compare_terms_exact(const void *a, const void *b)
{
    return compare_exact(*(const Term *)a, *(const Term *)b);
}

static void multiset_build(multiset *ms, Term list, size_t m)
{
    ms->terms = scratch(m * sizeof(Term));
    ms->counts = scratch(m * sizeof(size_t));
    for (size_t i = 0; i < m; i++, list = list_tail(list)) ms->terms[i] = list_head(list);
    qsort(ms->terms, m, sizeof(Term), compare_terms_exact);
    size_t n = 0;
    for (size_t i = 0; i < m; i++) {
        if (n > 0 && compare_exact(ms->terms[n - 1], ms->terms[i]) == 0) {
            ms->counts[n - 1]++;
        } else {
            ms->terms[n] = ms->terms[i];
            ms->counts[n++] = 1;
        }
    }
    ms->n = n;
}

/* Takes one t out of the multiset if it holds one. */
static bool multiset_take(multiset *ms, Term t)
{
    size_t lo = 0, hi = ms->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = compare_exact(t, ms->terms[mid]);
        if (c == 0) {
            if (ms->counts[mid] == 0) return false;
            ms->counts[mid]--;
            return true;
        }
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return false;
}

static void multiset_free(multiset *ms)
{
    free(ms->terms);
    free(ms->counts);
}

/* Marks removed[i] for the lhs elements rhs removes; returns how many. */
static size_t mark_removed_sorted(Term lhs, size_t n, Term rhs, size_t m, unsigned char *removed)
{
    multiset ms;
    multiset_build(&ms, rhs, m);
    size_t count = 0;
    for (size_t i = 0; i < n && count < m; i++, lhs = list_tail(lhs))
        if (multiset_take(&ms, list_head(lhs))) removed[i] = 1, count++;
    multiset_free(&ms);
    return count;
}

static size_t mark_removed_linear(Term lhs, size_t n, Term rhs, size_t m, unsigned char *removed)
{
    Term pending[SUBTRACT_LINEAR_LIMIT];
    for (size_t j = 0; j < m; j++, rhs = list_tail(rhs)) pending[j] = list_head(rhs);
    size_t left = m;
    for (size_t i = 0; i < n && left > 0; i++, lhs = list_tail(lhs)) {
        Term t = list_head(lhs);
        for (size_t j = 0; j < left; j++) {
            if (exactly_equal(t, pending[j])) {
                pending[j] = pending[--left]; /* order of pending does not matter */
                removed[i] = 1;
                break;
            }
        }
    }
    return m - left;
}

/* lhs without its elements marked removed; shares lhs after the last one. */
static Term rebuild_without(Process *p, Term lhs, size_t n, const unsigned char *removed)
{
    size_t last = n;
    while (last > 0 && !removed[last - 1]) last--;
    size_t kept = 0;
    for (size_t i = 0; i < last; i++) kept += !removed[i];
    Term *hp = kept ? bif_alloc(p, 2 * kept) : NULL;
    Term result = NIL, *link = &result;
    for (size_t i = 0; i < last; i++, lhs = list_tail(lhs)) {
        if (removed[i]) continue;
        *link = cons(hp, list_head(lhs), NIL);
        link = &hp[1];
        hp += 2;
    }
    *link = lhs; /* the untouched rest */
    return result;
}

static Term subtract(Process *p, Term lhs, Term rhs)
{
    SWord n = list_length(lhs), m = list_length(rhs);
    if (n < 0 || m < 0) BIF_ERROR(p, EXC_BADARG);
    charge_for_elements(p, (UWord)(n + m));
    if (n == 0 || m == 0) return lhs;
    unsigned char *removed = calloc((size_t)n, 1);
    if (removed == NULL) abort();
    size_t count = (size_t)m <= SUBTRACT_LINEAR_LIMIT
                       ? mark_removed_linear(lhs, (size_t)n, rhs, (size_t)m, removed)
                       : mark_removed_sorted(lhs, (size_t)n, rhs, (size_t)m, removed);
    Term result = count ? rebuild_without(p, lhs, (size_t)n, removed) : lhs;
    free(removed);
    return result;
}

Term bif_erlang_minusminus_2(Process *p, Term *args) { return subtract(p, args[0], args[1]); }
Term bif_erlang_subtract_2(Process *p, Term *args) { return subtract(p, args[0], args[1]); }

/* ---------------------------------------------------------------------------
 * lists:reverse/2, lists:member/2
 * ------------------------------------------------------------------------ */

/* reverse(List, Tail): List must be proper; Tail may be anything. */
Term bif_lists_reverse_2(Process *p, Term *args)
{
    Term list = args[0], result = args[1];
    SWord n = list_length(list);
    if (n < 0) BIF_ERROR(p, EXC_BADARG);
    if (n == 0) return result;
    Term *hp = bif_alloc(p, 2 * (size_t)n);
    for (; term_is_list(list); list = list_tail(list), hp += 2) result = cons(hp, list_head(list), result);
    charge_for_elements(p, (UWord)n);
    return result;
}

/* member(Elem, List): =:=; an improper tail is badarg only if reached. */
Term bif_lists_member_2(Process *p, Term *args)
{
    Term elem = args[0], list = args[1];
    UWord walked = 0;
    for (; term_is_list(list); list = list_tail(list), walked++) {
        if (exactly_equal(elem, list_head(list))) {
            charge_for_elements(p, walked);
            return am_true;
        }
    }
    charge_for_elements(p, walked);
    if (!term_is_nil(list)) BIF_ERROR(p, EXC_BADARG);
    return am_false;
}

/* ---------------------------------------------------------------------------
 * keyfind / keymember / keysearch
 *
 * The key compares with == (1 matches 1.0). OTP's fast path for a small
 * key compares a float element with the key converted to double, so a
 * small beyond 2^53 can match a float that is not == to it; kept as is.
 * ------------------------------------------------------------------------ */

static bool key_matches(Term key, Term element)
{
    if (key == element) return true;
    if (term_is_small(key)) return term_is_float(element) && float_value(element) == (double)small_value(key);
    if (term_is_immed(key)) return false;
    return term_compare(key, element) == 0;
}

/* The first tuple in list whose pos'th element matches key, am_false if
 * there is none, or THE_NON_VALUE after raising badarg (bad position, or
 * an improper list reached before a match). */
static Term keyfind(Process *p, Term key, Term pos_term, Term list)
{
    if (!term_is_small(pos_term) || small_value(pos_term) < 1) BIF_ERROR(p, EXC_BADARG);
    UWord pos = (UWord)small_value(pos_term), walked = 0;
    for (; term_is_list(list); list = list_tail(list), walked++) {
        Term t = list_head(list);
        if (term_is_tuple(t) && pos <= tuple_arity(t) && key_matches(key, tuple_elements(t)[pos - 1])) {
            charge_for_elements(p, walked);
            return t;
        }
    }
    charge_for_elements(p, walked);
    if (!term_is_nil(list)) BIF_ERROR(p, EXC_BADARG);
    return am_false;
}

Term bif_lists_keyfind_3(Process *p, Term *args) { return keyfind(p, args[0], args[1], args[2]); }

Term bif_lists_keymember_3(Process *p, Term *args)
{
    Term found = keyfind(p, args[0], args[1], args[2]);
    if (found == THE_NON_VALUE || found == am_false) return found;
    return am_true;
}

Term bif_lists_keysearch_3(Process *p, Term *args)
{
    static _Atomic Term am_value;
    Term found = keyfind(p, args[0], args[1], args[2]);
    if (found == THE_NON_VALUE || found == am_false) return found;
    Term value = atomic_load_explicit(&am_value, memory_order_relaxed);
    if (value == THE_NON_VALUE) {
        if (atom_put("value", 5, &value) != ATOM_OK) abort();
        atomic_store_explicit(&am_value, value, memory_order_relaxed);
    }
    return tuple2(bif_alloc(p, 3), value, found);
}
