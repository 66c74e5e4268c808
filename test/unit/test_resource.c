/*
 * test_resource.c — NIF resources as magic references: identity, copying
 * between heaps, and release by the collector and by freeing a heap, with
 * no Binary leaked (binary_live_count) and the destructor run once.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "atom.h"
#include "binary.h"
#include "gc.h"
#include "resource.h"
#include "scheduler.h"
#include "strbuf.h"
#include "term_order.h"
#include "term_print.h"

static void setup(void) { atom_init(0); }
TestSuite(resource, .init = setup);

static int destroyed;
static void count_destroy(void *data) { cr_assert_eq(*(int *)data, 42); destroyed++; }
static const ResourceType counted = { "counted", count_destroy };
static const ResourceType other = { "other", NULL };

static Process *proc_new(void)
{
    Process *p = calloc(1, sizeof *p);
    cr_assert(p);
    cr_assert(heap_init(p, 233));
    p->dictionary = p->fvalue = p->ftrace = p->top_frame = NIL;
    p->group_leader = NIL;
    return p;
}

static void proc_free(Process *p)
{
    heap_destroy(p);
    free(p->arg_big);
    free(p);
}

static void collect(Process *p, Term *x, unsigned live)
{
    cr_assert(gc_collect_major(p, 0, x, live));
    gc_verify(p, x, live);
}

Test(resource, term_is_a_reference_identified_by_its_number)
{
    UWord before = binary_live_count();
    Process *p = proc_new();
    int *d = resource_alloc(&counted, sizeof *d);
    *d = 42;
    Term t = resource_make_term(p, d);
    resource_release(d);
    cr_assert(term_is_boxed_with(t, HDR_REF));
    cr_assert_eq(resource_get(t, &counted), d);
    cr_assert_null(resource_get(t, &other));
    cr_assert_null(resource_get(make_small(1), &counted));
    Process *q = proc_new();
    Term *hp = HAlloc(q, size_object(t));
    Term copy = copy_object(t, &hp, &q->off_heap);
    cr_assert(term_eq_exact(t, copy));
    cr_assert_eq(resource_get(copy, &counted), d);
    strbuf a = STRBUF_INIT, b = STRBUF_INIT;
    term_print(&a, t);
    term_print(&b, copy);
    cr_assert_str_eq(sb_str(&a), sb_str(&b));
    cr_assert_eq(strncmp(sb_str(&a), "#Ref<0.", 7), 0);
    sb_free(&a);
    sb_free(&b);
    destroyed = 0;
    proc_free(p);
    cr_assert_eq(destroyed, 0);     /* q's copy keeps it */
    proc_free(q);
    cr_assert_eq(destroyed, 1);
    cr_assert_eq(binary_live_count(), before);
}

Test(resource, collector_releases_garbage_and_keeps_live_ones)
{
    UWord before = binary_live_count();
    Process *p = proc_new();
    destroyed = 0;
    Term x[2];
    for (int i = 0; i < 100; i++) {   /* garbage, some in fragments */
        int *d = resource_alloc(&counted, sizeof *d);
        *d = 42;
        x[0] = resource_make_term(p, d);
        resource_release(d);
    }
    int *kept = resource_alloc(&counted, sizeof *kept);
    *kept = 42;
    x[0] = resource_make_term(p, kept);
    x[1] = resource_make_term(p, kept);
    resource_release(kept);
    collect(p, x, 2);
    cr_assert_eq(destroyed, 100);
    cr_assert_eq(resource_get(x[0], &counted), kept);
    cr_assert(term_eq_exact(x[0], x[0]));
    collect(p, x, 1);                 /* x[1] dropped: x[0] still holds it */
    cr_assert_eq(destroyed, 100);
    cr_assert_eq(resource_get(x[0], &counted), kept);
    collect(p, x, 0);
    cr_assert_eq(destroyed, 101);
    proc_free(p);
    cr_assert_eq(binary_live_count(), before);
}
