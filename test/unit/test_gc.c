/*
 * test_gc.c — the process heap and the generational copying collector.
 *
 * Processes are built by hand (heap_init). Terms are built twice from one
 * builder: on the process heap (through a sink over HAlloc, which spills
 * into fragments when the heap is full) and in a literal area, whose copy
 * is the expected value after any number of collections.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>

#include "atom.h"
#include "bignum.h"
#include "gc.h"
#include "literal.h"
#include "map.h"
#include "term_build.h"
#include "term_order.h"

static void setup(void) { atom_init(0); }
TestSuite(gc, .init = setup);

/* --- helpers ----------------------------------------------------------- */

static Process *proc_new(size_t words)
{
    Process *p = calloc(1, sizeof *p);
    cr_assert(p);
    cr_assert(heap_init(p, words));
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

static proc_sink sink_of(Process *p)
{
    proc_sink s;
    proc_sink_init(&s, p);
    return s;
}

static Term atom(const char *s)
{
    Term t;
    cr_assert_eq(atom_put(s, strlen(s), &t), ATOM_OK);
    return t;
}

static Term make_pid(unsigned n) { return ((Term)n << TAG_IMMED1_SIZE) | TAG_IMMED1_PID; }

static Term heap_binary(term_sink *s, const char *text)
{
    size_t n = strlen(text);
    Term *hp = sink_alloc(s, heap_bin_words(n));
    hp[0] = make_header(heap_bin_words(n) - 1, HDR_HEAP_BIN);
    hp[1] = n;
    hp[heap_bin_words(n) - 1] = 0;
    memcpy(hp + 2, text, n);
    return make_boxed(hp);
}

static Term refc_binary(term_sink *s, size_t size, unsigned seed)
{
    Binary *b = binary_alloc(size);
    cr_assert(b);
    for (size_t i = 0; i < size; i++) b->bytes[i] = (uint8_t)(i * 7 + seed);
    return procbin_make(sink_alloc(s, PROC_BIN_WORDS), b, s->off_heap);
}

static Term sub_binary(term_sink *s, Term orig, UWord offs, UWord size)
{
    SubBin *sb = (SubBin *)sink_alloc(s, SUB_BIN_WORDS);
    *sb = (SubBin){ make_header(SUB_BIN_WORDS - 1, HDR_SUB_BIN), size, offs, 0, orig };
    return make_boxed((Term *)sb);
}

static Term bignum(term_sink *s, unsigned seed, bool negative)
{
    uint8_t le[24];
    for (unsigned i = 0; i < sizeof le; i++) le[i] = (uint8_t)(seed * 31 + i + 1);
    Term t = integer_from_le_bytes(sink_alloc(s, bignum_words_for_bytes(sizeof le)), le, sizeof le, negative);
    cr_assert(term_is_bignum(t));
    return t;
}

static Term flt(term_sink *s, double d) { return make_float(sink_alloc(s, FLOAT_WORDS), d); }

static int fun_entry_dummy;

static Term fun(term_sink *s, Term env0, Term env1)
{
    FunThing *f = (FunThing *)sink_alloc(s, FUN_FIXED_WORDS + 2);
    f->header = make_header(FUN_FIXED_WORDS - 1 + 2, HDR_FUN);
    f->entry = &fun_entry_dummy;
    f->next = NULL;
    f->arity_and_free = 1 | 2u << 8;
    f->creator = make_pid(7);
    f->env[0] = env0;
    f->env[1] = env1;
    return make_boxed((Term *)f);
}

static Term map_of(term_sink *s, unsigned n, unsigned seed)
{
    Term keys[64], values[64];
    cr_assert(n <= 64);
    for (unsigned i = 0; i < n; i++) {
        keys[i] = i % 3 == 0 ? flt(s, i + 0.5) : make_small((SWord)(i * 11 + seed));
        values[i] = i % 2 ? cons(sink_alloc(s, 2), make_small(i), NIL) : bignum(s, i + seed, i % 4 == 0);
    }
    Term m = map_from_pairs(s, keys, values, n);
    cr_assert_neq(m, THE_NON_VALUE);
    return m;
}

/* A list of n elements, each a tuple exercising every object kind. */
static Term sample(term_sink *s, unsigned n, unsigned seed)
{
    Term list = NIL;
    for (unsigned i = 0; i < n; i++) {
        unsigned k = seed * 1000 + i;
        Term refc = refc_binary(s, 100 + k % 50, k);
        Term inner = cons(sink_alloc(s, 2), make_small(k), cons(sink_alloc(s, 2), atom("x"), make_small(-1)));
        Term elems[] = {
            make_small((SWord)k),
            flt(s, k * 1.25),
            bignum(s, k, k % 2),
            atom("gc_sample"),
            heap_binary(s, "hello, heap binary"),
            refc,
            sub_binary(s, refc, 3, 20),
            map_of(s, 3, k),
            i % 4 == 0 ? map_of(s, 40, k) : map_of(s, 0, k),
            fun(s, inner, make_small(k)),
            inner,
            tuple_from(sink_alloc(s, 1), NULL, 0), /* {}: header word 0 */
            cons(sink_alloc(s, 2), inner, inner),  /* shared substructure */
        };
        size_t ne = sizeof elems / sizeof elems[0];
        Term t = tuple_from(sink_alloc(s, 1 + ne), elems, ne);
        list = cons(sink_alloc(s, 2), t, list);
    }
    return list;
}

static void expect_equal(Term got, Term want) { cr_assert_eq(term_compare_exact(got, want), 0, "term changed by GC"); }

static bool in_range(Term t, const Term *lo, const Term *hi)
{
    const Term *ptr = term_is_list(t) ? list_ptr(t) : boxed_ptr(t);
    return ptr >= lo && ptr < hi;
}
static bool in_young(const Process *p, Term t) { return in_range(t, p->heap, p->htop); }
static bool in_old(const Process *p, Term t) { return in_range(t, p->old_heap, p->old_htop); }

static void collect(Process *p, size_t need, Term *x, unsigned live)
{
    cr_assert(gc_collect(p, need, x, live));
    gc_verify(p, x, live);
    cr_assert_geq((size_t)(p->stop - p->htop), need);
}

/* Pushes a word on p's stack (a y register or CP slot). */
static Term *push(Process *p, Term w)
{
    cr_assert(p->stop - 1 >= p->htop);
    *--p->stop = w;
    return p->stop;
}

/* --- the heap-size ladder ---------------------------------------------- */

Test(gc, ladder_is_otps)
{
    static const size_t first[] = { 12, 38, 51, 90, 142, 233, 376, 610, 987, 1598, 2586, 4185, 6772, 10958,
                                    17731, 28690, 46422, 75113, 121536, 196650, 318187, 514838, 833026 };
    for (unsigned i = 0; i < 23; i++) cr_expect_eq(gc_heap_size_at(i), first[i], "step %u", i);
    cr_expect_eq(gc_heap_size_at(23), 833026 + 833026 / 5);
    cr_expect_eq(gc_heap_size_at(24), gc_heap_size_at(23) + gc_heap_size_at(23) / 5);
    cr_expect_eq(gc_heap_size_count(), 138); /* the last size below 2^53 bytes */
    cr_expect_eq(gc_heap_size_at(137), 1062920605531496u);
    cr_expect_eq(gc_next_heap_size(0), 12);
    cr_expect_eq(gc_next_heap_size(233), 233);
    cr_expect_eq(gc_next_heap_size(234), 376);
    cr_expect_eq(gc_next_heap_size(32768), 46422); /* VH_DEFAULT_SIZE, as OTP */
    cr_expect_eq(gc_next_heap_size(SIZE_MAX), gc_heap_size_at(gc_heap_size_count() - 1));
}

/* --- heap.c ------------------------------------------------------------- */

Test(gc, fresh_process_layout)
{
    Process *p = proc_new(H_DEFAULT_SIZE);
    cr_expect_eq(p->heap_size, 233);
    cr_expect_eq(p->hend - p->heap, 233);
    cr_expect_eq(p->stop, p->hend - 1);
    cr_expect_eq(*p->stop, NIL);
    cr_expect_eq(p->htop, p->heap);
    cr_expect_eq(p->high_water, p->heap);
    cr_expect_null(p->old_heap);
    cr_expect_null(p->mbuf);
    cr_expect_eq(p->max_gen_gcs, 65535);
    gc_verify(p, NULL, 0);
    proc_free(p);

    p = proc_new(20); /* rounded up the ladder */
    cr_expect_eq(p->heap_size, 38);
    cr_expect_eq(p->min_heap_size, 38);
    proc_free(p);
}

Test(gc, halloc_spills_into_fragments_and_release)
{
    Process *p = proc_new(12);
    Term *a = HAlloc(p, 8);
    cr_expect_eq(a, p->heap);
    for (int i = 0; i < 8; i++) a[i] = NIL;
    Term *b = HAlloc(p, 8); /* 3 words left: a fragment */
    cr_assert_not_null(p->mbuf);
    cr_expect_eq(b, p->mbuf->mem);
    cr_expect_eq(p->mbuf_words, 8);
    Term *c = HAlloc(p, 4); /* shares the fragment */
    cr_expect_eq(c, b + 8);
    heap_release(p, c, 4);
    cr_expect_eq(p->mbuf_words, 8);
    heap_release(p, a + 4, 4);
    cr_expect_eq(p->htop, a + 4);
    for (int i = 0; i < 8; i++) b[i] = NIL;
    gc_verify(p, NULL, 0);
    proc_free(p);
}

/* --- preservation -------------------------------------------------------- */

Test(gc, minor_collections_preserve_every_object_kind)
{
    literal_area la;
    literal_area_init(&la);
    Process *p = proc_new(233);
    proc_sink ps = sink_of(p);
    Term x[3] = { sample(&ps.base, 12, 1), make_small(5), sample(&ps.base, 3, 2) };
    Term want0 = sample(&la.sink, 12, 1), want2 = sample(&la.sink, 3, 2);
    for (int round = 0; round < 6; round++) {
        collect(p, 0, x, 3);
        expect_equal(x[0], want0);
        expect_equal(x[2], want2);
        cr_expect_eq(x[1], make_small(5));
    }
    cr_expect_gt(p->old_htop, p->old_heap);
    proc_free(p);
    literal_area_free(&la);
}

Test(gc, major_collections_preserve_and_free_old_heap)
{
    literal_area la;
    literal_area_init(&la);
    Process *p = proc_new(233);
    proc_sink ps = sink_of(p);
    Term x[1] = { sample(&ps.base, 10, 3) };
    Term want = sample(&la.sink, 10, 3);
    collect(p, 0, x, 1);
    collect(p, 0, x, 1);
    cr_assert_not_null(p->old_heap);
    cr_assert(gc_collect_major(p, 0, x, 1));
    gc_verify(p, x, 1);
    cr_expect_null(p->old_heap);
    cr_expect_eq(p->gen_gcs, 0);
    cr_expect(in_young(p, x[0]));
    expect_equal(x[0], want);
    proc_free(p);
    literal_area_free(&la);
}

Test(gc, promotion_after_surviving_two_collections)
{
    Process *p = proc_new(233);
    Term *hp = HAlloc(p, 3);
    Term x[1] = { tuple2(hp, make_small(1), make_small(2)) };
    collect(p, 0, x, 1);
    cr_expect(in_young(p, x[0]), "first survival stays young");
    cr_expect_eq(p->high_water, p->htop);
    cr_expect_eq(p->gen_gcs, 1);
    collect(p, 0, x, 1);
    cr_expect(in_old(p, x[0]), "second survival is promoted");
    cr_expect_eq(p->htop, p->heap, "nothing young is left");
    cr_expect_eq(p->gen_gcs, 2);
    collect(p, 0, x, 1);
    cr_expect(in_old(p, x[0]), "old data stays put in a minor");
    proc_free(p);
}

Test(gc, fullsweep_after_max_gen_gcs)
{
    Process *p = proc_new(233);
    p->max_gen_gcs = 2;
    Term x[1] = { tuple2(HAlloc(p, 3), make_small(1), NIL) };
    collect(p, 0, x, 1);
    collect(p, 0, x, 1);
    cr_expect_not_null(p->old_heap);
    cr_expect_eq(p->gen_gcs, 2);
    collect(p, 0, x, 1); /* gen_gcs >= max_gen_gcs: major */
    cr_expect_null(p->old_heap);
    cr_expect_eq(p->gen_gcs, 0);
    cr_expect(in_young(p, x[0]));

    p->max_gen_gcs = 0; /* fullsweep_after 0: every collection is major */
    for (int i = 0; i < 3; i++) {
        collect(p, 0, x, 1);
        cr_expect_null(p->old_heap);
    }
    cr_expect_eq(tuple_elements(x[0])[0], make_small(1));
    proc_free(p);
}

Test(gc, old_heap_full_forces_major)
{
    literal_area la;
    literal_area_init(&la);
    Process *p = proc_new(233);
    proc_sink ps = sink_of(p);
    Term x[1] = { NIL }, want = NIL;
    bool saw_major = false;
    for (unsigned round = 0; round < 40 && !saw_major; round++) {
        x[0] = cons(HAlloc(p, 2), sample(&ps.base, 2, round), x[0]);
        want = cons(sink_alloc(&la.sink, 2), sample(&la.sink, 2, round), want);
        for (int i = 0; i < 2 && !saw_major; i++) {
            uint32_t gens = p->gen_gcs;
            collect(p, 0, x, 1);
            saw_major = p->gen_gcs != gens + 1;
        }
        expect_equal(x[0], want);
    }
    cr_expect(saw_major, "the old heap never filled up");
    cr_expect_eq(p->gen_gcs, 0);
    proc_free(p);
    literal_area_free(&la);
}

/* --- roots ----------------------------------------------------------------- */

Test(gc, every_root_is_updated)
{
    literal_area la;
    literal_area_init(&la);
    Process *p = proc_new(610);
    proc_sink ps = sink_of(p);
    Term want = sample(&la.sink, 1, 9);
    Term *y0 = push(p, sample(&ps.base, 1, 9));
    Term code_word = (Term)(uintptr_t)(p->heap + 2); /* a CP: tag 00, looks like a heap address */
    Term *cp = push(p, code_word);
    Term catch_word = ((Term)77 << TAG_IMMED2_SIZE) | TAG_IMMED2_CATCH;
    Term *ct = push(p, catch_word);
    Term *nv = push(p, THE_NON_VALUE);
    p->dictionary = cons(HAlloc(p, 2), tuple2(HAlloc(p, 3), atom("k"), sample(&ps.base, 1, 9)), NIL);
    p->fvalue = sample(&ps.base, 1, 9);
    p->ftrace = sample(&ps.base, 1, 9);
    p->top_frame = sample(&ps.base, 1, 9);
    p->group_leader = make_pid(3);
    p->arity = 2;
    p->arg_reg[0] = sample(&ps.base, 1, 9);
    p->arg_reg[1] = make_small(42);

    /* A queued message is an immediate, in its own fragment, or on the
     * heap (listed in heap_msgs). */
    message immediate = { .term = make_small(7), .heap_slot = NOT_ON_HEAP };
    message on_heap = { .term = sample(&ps.base, 1, 9), .heap_slot = 0 };
    message *heap_msgs[1] = { &on_heap };
    heap_frag *mf = calloc(1, sizeof *mf + 4 * sizeof(Term));
    mf->size = 4;
    mf->used = 3;
    Term frag_term = tuple2(mf->mem, make_small(1), make_small(2));
    message in_frag = { .term = frag_term, .frag = mf, .heap_slot = NOT_ON_HEAP };
    immediate.next = &in_frag;
    in_frag.next = &on_heap;
    p->msgq = &immediate;
    p->heap_msgs = heap_msgs;
    p->nheap_msgs = p->capheap_msgs = 1;

    for (int round = 0; round < 4; round++) {
        collect(p, 0, NULL, 0);
        size_t stack_words = (size_t)(p->hend - p->stop);
        cr_assert_eq(stack_words, 5);
        y0 = p->hend - 2, cp = p->hend - 3, ct = p->hend - 4, nv = p->hend - 5;
        cr_expect_eq(*p->stop, THE_NON_VALUE);
        expect_equal(*y0, want);
        cr_expect_eq(*cp, code_word, "CPs are never touched");
        cr_expect_eq(*ct, catch_word);
        cr_expect_eq(*nv, THE_NON_VALUE);
        cr_expect_eq(p->hend[-1], NIL);
        expect_equal(tuple_elements(list_head(p->dictionary))[1], want);
        expect_equal(p->fvalue, want);
        expect_equal(p->ftrace, want);
        expect_equal(p->top_frame, want);
        expect_equal(p->arg_reg[0], want);
        cr_expect_eq(p->arg_reg[1], make_small(42));
        cr_expect_eq(immediate.term, make_small(7));
        cr_expect_eq(in_frag.term, frag_term, "messages in their own fragment are not scanned");
        expect_equal(on_heap.term, want);
    }
    p->msgq = NULL;
    p->heap_msgs = NULL;
    p->nheap_msgs = p->capheap_msgs = 0;
    heap_frag_free_chain(mf);
    proc_free(p);
    literal_area_free(&la);
}

Test(gc, saved_registers_in_arg_big)
{
    Process *p = proc_new(233);
    p->arity = 10;
    p->arg_big = calloc(10, sizeof(Term));
    for (int i = 0; i < 10; i++) p->arg_big[i] = tuple2(HAlloc(p, 3), make_small(i), NIL);
    /* (Whether an object moves is not observable: a new heap block may
     * reuse the old block's address.) */
    for (int round = 0; round < 3; round++) collect(p, 0, NULL, 0);
    for (int i = 0; i < 10; i++) cr_expect_eq(tuple_elements(p->arg_big[i])[0], make_small(i));
    proc_free(p);
}

/* --- what is and is not copied ------------------------------------------ */

Test(gc, literals_are_not_copied)
{
    literal_area la;
    literal_area_init(&la);
    Process *p = proc_new(233);
    Term lit = sample(&la.sink, 2, 11);
    Term lit_list = cons(sink_alloc(&la.sink, 2), make_small(1), NIL);
    Term x[3] = { lit, tuple2(HAlloc(p, 3), lit, lit_list), lit_list };
    for (int round = 0; round < 3; round++) {
        collect(p, 0, x, 3);
        cr_expect_eq(x[0], lit);
        cr_expect_eq(x[2], lit_list);
        cr_expect_eq(tuple_elements(x[1])[0], lit);
        cr_expect_eq(tuple_elements(x[1])[1], lit_list);
    }
    cr_assert(gc_collect_major(p, 0, x, 3));
    cr_expect_eq(tuple_elements(x[1])[0], lit);
    proc_free(p);
    literal_area_free(&la);
}

Test(gc, garbage_is_dropped_and_sharing_kept)
{
    Process *p = proc_new(987);
    Term shared = tuple2(HAlloc(p, 3), make_small(1), make_small(2));
    Term shared_cons = cons(HAlloc(p, 2), shared, NIL);
    for (int i = 0; i < 100; i++) (void)cons(HAlloc(p, 2), make_small(i), NIL); /* garbage */
    Term x[2] = { tuple3(HAlloc(p, 4), shared, shared, shared_cons), shared_cons };
    collect(p, 0, x, 2);
    cr_expect_eq(p->htop - p->heap, 4 + 3 + 2, "exactly the live words survive");
    Term *e = tuple_elements(x[0]);
    cr_expect_eq(e[0], e[1], "a shared tuple is copied once");
    cr_expect_eq(e[2], x[1], "a shared cons is copied once");
    cr_expect_eq(list_head(x[1]), e[0]);
    proc_free(p);
}

Test(gc, deep_list_without_recursion)
{
    Process *p = proc_new(233);
    Term x[1] = { NIL };
    for (SWord i = 0; i < 200000; i++) x[0] = cons(HAlloc(p, 2), make_small(i), x[0]);
    Term deep = make_small(0);
    for (int i = 0; i < 50000; i++) deep = tuple2(HAlloc(p, 3), deep, NIL);
    x[0] = cons(HAlloc(p, 2), deep, x[0]);
    collect(p, 0, x, 1);
    collect(p, 0, x, 1);
    cr_assert(gc_collect_major(p, 0, x, 1));
    cr_expect_eq(list_length(x[0]), 200001);
    Term t = list_head(x[0]);
    int depth = 0;
    while (term_is_tuple(t)) t = tuple_elements(t)[0], depth++;
    cr_expect_eq(depth, 50000);
    proc_free(p);
}

/* --- sizes ---------------------------------------------------------------- */

Test(gc, heap_grows_on_the_ladder_and_shrinks_back)
{
    Process *p = proc_new(233);
    Term x[1] = { NIL };
    for (SWord i = 0; i < 5000; i++) x[0] = cons(HAlloc(p, 2), make_small(i), x[0]);
    cr_assert(gc_collect_major(p, 0, x, 1));
    gc_verify(p, x, 1);
    cr_expect_geq(p->heap_size, 10000);
    cr_expect_eq(gc_next_heap_size(p->heap_size), p->heap_size, "sizes stay on the ladder");
    size_t need_after = (size_t)(p->htop - p->heap) + (size_t)(p->hend - p->stop);
    cr_expect_leq(4 * need_after, 3 * p->heap_size, "at most 75%% in use after the grow");
    x[0] = NIL;
    cr_assert(gc_collect_major(p, 0, x, 1));
    gc_verify(p, x, 1);
    cr_expect_eq(p->heap_size, 233, "shrinks back to min_heap_size");
    cr_expect_eq(list_length(x[0]), 0);
    proc_free(p);
}

Test(gc, need_is_satisfied)
{
    Process *p = proc_new(233);
    Term x[1] = { tuple2(HAlloc(p, 3), make_small(1), NIL) };
    collect(p, 5000, x, 1);
    cr_expect_geq(p->heap_size, 5000);
    Term *hp = HAlloc(p, 5000);
    cr_expect(hp >= p->heap && hp < p->hend, "the words come from the heap, not a fragment");
    for (int i = 0; i < 5000; i++) hp[i] = NIL;
    collect(p, 1, x, 1);
    cr_expect_eq(tuple_elements(x[0])[0], make_small(1));
    proc_free(p);
}

Test(gc, min_heap_size_is_respected)
{
    Process *p = proc_new(1598);
    Term x[1] = { make_small(0) };
    collect(p, 0, x, 1);
    cr_assert(gc_collect_major(p, 0, x, 1));
    cr_expect_eq(p->heap_size, 1598);
    proc_free(p);
}

Test(gc, reductions_are_charged)
{
    Process *p = proc_new(233);
    Term x[1] = { NIL };
    for (SWord i = 0; i < 1000; i++) x[0] = cons(HAlloc(p, 2), make_small(i), x[0]);
    unsigned reds = 0;
    cr_assert(gc_collect_reds(p, 0, x, 1, &reds));
    cr_expect_geq(reds, 2000 / 10);
    p->fcalls = 4000;
    cr_assert(gc_collect(p, 0, x, 1));
    cr_expect_lt(p->fcalls, 4000);
    proc_free(p);
}

/* --- fragments and off-heap data --------------------------------------- */

Test(gc, fragments_are_merged)
{
    literal_area la;
    literal_area_init(&la);
    Process *p = proc_new(12);
    proc_sink ps = sink_of(p);
    Term x[1] = { sample(&ps.base, 4, 12) };
    Term want = sample(&la.sink, 4, 12);
    cr_assert_not_null(p->mbuf, "the sample did not fit a 12-word heap");
    /* A ProcBin on a fragment's own off-heap list, as a BIF would leave it. */
    Term *hp = HAlloc(p, PROC_BIN_WORDS + 3);
    cr_assert(hp < p->heap || hp >= p->hend);
    UWord live_before = binary_live_count();
    Term bin = procbin_make(hp, binary_alloc(300), &p->mbuf->off_heap);
    x[0] = tuple2(hp + PROC_BIN_WORDS, bin, x[0]);
    gc_verify(p, x, 1);
    collect(p, 0, x, 1);
    cr_expect_null(p->mbuf);
    cr_expect_eq(p->mbuf_words, 0);
    expect_equal(tuple_elements(x[0])[1], want);
    cr_expect_eq(binary_live_count(), live_before + 1, "the fragment's binary is still referenced");
    cr_expect_eq(((ProcBin *)boxed_ptr(tuple_elements(x[0])[0]))->size, 300);
    x[0] = tuple_elements(x[0])[1];
    collect(p, 0, x, 1);
    cr_expect_eq(binary_live_count(), live_before, "and released once it is not");
    expect_equal(x[0], want);
    proc_free(p);
    literal_area_free(&la);
}

static size_t off_heap_length(const OffHeap *oh)
{
    size_t n = 0;
    for (ProcBin *pb = oh->first; pb; pb = pb->next) n++;
    return n;
}

Test(gc, refc_binaries_released_exactly_when_unreachable)
{
    Process *p = proc_new(233);
    proc_sink ps = sink_of(p);
    UWord base = binary_live_count();
    Term a = refc_binary(&ps.base, 1000, 1), b = refc_binary(&ps.base, 1000, 2), c = refc_binary(&ps.base, 1000, 3);
    Term x[3] = { a, sub_binary(&ps.base, b, 10, 10), c };
    cr_expect_eq(binary_live_count(), base + 3);
    x[2] = NIL; /* c dies */
    collect(p, 0, x, 2);
    cr_expect_eq(binary_live_count(), base + 2);
    cr_expect_eq(off_heap_length(&p->off_heap), 2);
    cr_expect_eq(p->off_heap.overhead, 2000 / 8);
    collect(p, 0, x, 2); /* a and b's ProcBins promoted */
    cr_expect(in_old(p, x[0]));
    x[1] = NIL; /* b dies, in the old heap: only a major finds out */
    collect(p, 0, x, 1);
    cr_expect_eq(binary_live_count(), base + 2);
    cr_assert(gc_collect_major(p, 0, x, 1));
    gc_verify(p, x, 1);
    cr_expect_eq(binary_live_count(), base + 1);
    cr_expect_eq(off_heap_length(&p->off_heap), 1);
    const ProcBin *pb = (const ProcBin *)boxed_ptr(x[0]);
    cr_expect_eq(pb->bytes[5], (uint8_t)(5 * 7 + 1), "the bytes are intact");
    proc_free(p);
    cr_expect_eq(binary_live_count(), base, "heap_destroy releases the rest");
}

Test(gc, match_state_base_follows_a_heap_binary)
{
    Process *p = proc_new(233);
    proc_sink ps = sink_of(p);
    Term hb = heap_binary(&ps.base, "abcdefgh-match");
    Term refc = refc_binary(&ps.base, 500, 4);
    Term *ms1 = HAlloc(p, 5), *ms2 = HAlloc(p, 5);
    ms1[0] = make_header(4, HDR_BIN_MATCHSTATE);
    ms1[1] = hb;
    ms1[2] = (Term)(uintptr_t)(boxed_ptr(hb) + 2);
    ms1[3] = 8;    /* bit offset: raw */
    ms1[4] = 0x5;  /* raw word that looks like a list pointer: must not be followed */
    ms2[0] = make_header(4, HDR_BIN_MATCHSTATE);
    ms2[1] = refc;
    ms2[2] = (Term)(uintptr_t)((ProcBin *)boxed_ptr(refc))->bytes;
    ms2[3] = 0;
    ms2[4] = 0x6;
    Term x[2] = { make_boxed(ms1), make_boxed(ms2) };
    for (int round = 0; round < 3; round++) {
        collect(p, 0, x, 2);
        Term *m1 = boxed_ptr(x[0]), *m2 = boxed_ptr(x[1]);
        cr_expect_eq(m1[2], (Term)(uintptr_t)(boxed_ptr(m1[1]) + 2));
        cr_expect_eq(memcmp((const char *)(uintptr_t)m1[2], "abcdefgh", 8), 0);
        cr_expect_eq(m1[4], 0x5);
        cr_expect_eq(m2[2], (Term)(uintptr_t)((ProcBin *)boxed_ptr(m2[1]))->bytes);
        cr_expect_eq(m2[4], 0x6);
    }
    proc_free(p);
}

Test(gc, fun_raw_words_are_not_followed)
{
    Process *p = proc_new(233);
    proc_sink ps = sink_of(p);
    Term env = tuple2(HAlloc(p, 3), make_small(3), NIL);
    Term f = fun(&ps.base, env, env);
    FunThing *ft = (FunThing *)boxed_ptr(f);
    ft->next = (FunThing *)(p->heap + 1); /* raw: a list-tagged-looking heap address */
    Term x[1] = { f };
    collect(p, 0, x, 1);
    collect(p, 0, x, 1);
    ft = (FunThing *)boxed_ptr(x[0]);
    cr_expect_eq(ft->entry, &fun_entry_dummy);
    cr_expect_eq(ft->env[0], ft->env[1]);
    cr_expect_eq(tuple_elements(ft->env[0])[0], make_small(3));
    cr_expect_eq(ft->creator, make_pid(7));
    proc_free(p);
}

/* --- stress ---------------------------------------------------------------- */

/* An independent deep copy (recursive: test terms are shallow enough),
 * used to snapshot expected values before a collection. */
static Term deep_copy(term_sink *s, Term t)
{
    if (term_is_list(t)) {
        Term *cell = sink_alloc(s, 2);
        Term head = deep_copy(s, list_head(t)), tail = deep_copy(s, list_tail(t));
        return cons(cell, head, tail);
    }
    if (!term_is_boxed(t)) return t;
    const Term *obj = boxed_ptr(t);
    size_t words = header_object_words(obj[0]);
    Term *to = sink_alloc(s, words);
    memcpy(to, obj, words * sizeof(Term));
    size_t first = 0, count = 0;
    switch (header_subtag(obj[0])) {
    case HDR_TUPLE: first = 1, count = words - 1; break;
    case HDR_SUB_BIN: first = 4, count = 1; break;
    case HDR_FUN: first = 4, count = words - 4; break;
    case HDR_MAP: first = map_header_kind(obj[0]) == MAP_KIND_NODE_BITMAP ? 1 : 2; count = words - first; break;
    case HDR_REFC_BIN: {
        ProcBin *pb = (ProcBin *)to;
        binary_ref(pb->val);
        pb->next = s->off_heap->first;
        s->off_heap->first = pb;
        break;
    }
    default: break;
    }
    for (size_t i = first; i < first + count; i++) to[i] = deep_copy(s, obj[i]);
    return make_boxed(to);
}

Test(gc, random_mutator_stress)
{
    Process *p = proc_new(12);
    proc_sink ps = sink_of(p);
    enum { SLOTS = 8 };
    Term x[SLOTS];
    for (int i = 0; i < SLOTS; i++) x[i] = NIL;
    UWord base = binary_live_count();
    srand(1234);
    unsigned majors = 0;
    for (int step = 0; step < 400; step++) {
        int slot = rand() % SLOTS;
        switch (rand() % 5) {
        case 0: x[slot] = sample(&ps.base, 1 + (unsigned)rand() % 3, (unsigned)step); break;
        case 1: x[slot] = tuple2(HAlloc(p, 3), x[slot], x[(slot + 1) % SLOTS]); break;
        case 2: x[slot] = cons(HAlloc(p, 2), x[(slot + 3) % SLOTS], x[slot]); break;
        case 3: x[slot] = NIL; break;
        default: (void)sample(&ps.base, 1, 999); break; /* garbage */
        }
        literal_area snap;
        literal_area_init(&snap);
        Term want[SLOTS];
        for (int i = 0; i < SLOTS; i++) want[i] = deep_copy(&snap.sink, x[i]);
        size_t need = (size_t)(rand() % 300);
        if (rand() % 7 == 0) {
            cr_assert(gc_collect_major(p, need, x, SLOTS));
            majors++;
        } else {
            cr_assert(gc_collect(p, need, x, SLOTS));
        }
        gc_verify(p, x, SLOTS);
        cr_assert_geq((size_t)(p->stop - p->htop), need);
        for (int i = 0; i < SLOTS; i++) expect_equal(x[i], want[i]);
        literal_area_free(&snap);
    }
    cr_expect_gt(majors, 0);
    for (int i = 0; i < SLOTS; i++) x[i] = NIL;
    cr_assert(gc_collect_major(p, 0, x, SLOTS));
    cr_expect_eq(binary_live_count(), base, "nothing reachable, nothing kept");
    cr_expect_null(p->off_heap.first);
    proc_free(p);
}

/* --- the verifier ----------------------------------------------------------- */

Test(gc, verify_catches_pointer_into_free_space, .signal = SIGABRT)
{
    Process *p = proc_new(233);
    Term x[1] = { make_boxed(p->htop + 4) };
    gc_verify(p, x, 1);
}

Test(gc, verify_catches_old_to_young_pointer, .signal = SIGABRT)
{
    Process *p = proc_new(233);
    Term x[1] = { tuple2(HAlloc(p, 3), NIL, NIL) };
    collect(p, 0, x, 1);
    collect(p, 0, x, 1);
    cr_assert(in_old(p, x[0]));
    tuple_elements(x[0])[0] = tuple2(HAlloc(p, 3), NIL, NIL);
    gc_verify(p, x, 1);
}

/* OTP's virtual binary heap: referencing more off-heap bytes than it holds
 * makes a collection due; the collection clears that and resizes it by
 * OTP's rule (twice what survives, up the heap-size ladder). */
Test(gc, virtual_binary_heap_makes_a_collection_due)
{
    Process *p = proc_new(233);
    p->min_bin_vheap_size = 1000;
    p->off_heap.vheap_limit = 1000;
    Term x[1] = { NIL };
    cr_expect_not(p->off_heap.gc_due);
    for (int i = 0; i < 3; i++) {   /* 3 x 400 words: past 1000 */
        Term *hp = HAlloc(p, PROC_BIN_WORDS + 2);
        Term bin = procbin_make(hp, binary_alloc(400 * sizeof(Term)), &p->off_heap);
        x[0] = cons(hp + PROC_BIN_WORDS, bin, x[0]);
        cr_expect_eq(p->off_heap.gc_due, i == 2, "due once past the limit (binary %d)", i);
    }
    collect(p, 0, x, 1);
    cr_expect_not(p->off_heap.gc_due, "the collection clears it");
    cr_expect_eq(p->off_heap.overhead, 1200);
    cr_expect_eq(p->off_heap.vheap_limit, gc_next_heap_size(2400), "grown to the ladder size above 2 x 1200");
    x[0] = NIL;
    collect(p, 0, x, 1);   /* nothing referenced: shrinks by a quarter, not below the minimum */
    cr_expect_eq(p->off_heap.vheap_limit, gc_next_heap_size(2400) / 4 * 3);
    proc_free(p);
}
