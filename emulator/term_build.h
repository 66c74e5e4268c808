/*
 * term_build.h — building small terms on memory the caller has allocated
 * (HAlloc, a sink). Each macro/function writes exactly the words it says.
 * No allocation, no GC, no raising.
 */
#ifndef CB_TERM_BUILD_H
#define CB_TERM_BUILD_H

#include "term.h"

/* 2 words. */
static inline Term cons(Term *hp, Term head, Term tail)
{
    hp[0] = head;
    hp[1] = tail;
    return make_list(hp);
}

/* 1 + n words. */
static inline Term tuple_from(Term *hp, const Term *elems, size_t n)
{
    hp[0] = make_header(n, HDR_TUPLE);
    for (size_t i = 0; i < n; i++) hp[1 + i] = elems[i];
    return make_boxed(hp);
}
static inline Term tuple2(Term *hp, Term a, Term b) { return tuple_from(hp, (Term[]){ a, b }, 2); }
static inline Term tuple3(Term *hp, Term a, Term b, Term c) { return tuple_from(hp, (Term[]){ a, b, c }, 3); }
static inline Term tuple4(Term *hp, Term a, Term b, Term c, Term d) { return tuple_from(hp, (Term[]){ a, b, c, d }, 4); }
static inline Term tuple5(Term *hp, Term a, Term b, Term c, Term d, Term e) { return tuple_from(hp, (Term[]){ a, b, c, d, e }, 5); }

/* The bytes of s as a list of character codes: 2 * n words. */
static inline Term charlist_from(Term *hp, const char *s, size_t n)
{
    Term list = NIL;
    for (size_t i = n; i-- > 0;) list = cons(hp + 2 * i, make_small((unsigned char)s[i]), list);
    return list;
}

/* The length of a proper list, or -1 if t is not one. */
static inline SWord list_length(Term t)
{
    SWord n = 0;
    while (term_is_list(t)) {
        n++;
        t = list_tail(t);
    }
    return term_is_nil(t) ? n : -1;
}

#endif
