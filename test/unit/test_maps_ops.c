/*
 * test_maps_ops.c — map updates on a process heap (map_put, map_update,
 * map_remove, map_put_many, map_merge, the list builders) and the maps
 * BIFs with OTP 25's error terms, e.g. `catch maps:get(a, #{})` is
 * {badkey,a} and `catch maps:put(a, 1, x)` is {badmap,x}.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "atom.h"
#include "bif.h"
#include "map.h"
#include "term_build.h"
#include "term_order.h"
#include "term_print.h"

/* --- a process with a heap ------------------------------------------------------ */

/* Until the core links heap.c everywhere, allocations past the heap come
 * from big chunks freed at teardown (weak: the real heap_alloc_slow wins). */
#define CHUNK_WORDS ((size_t)1 << 20)
#define MAX_CHUNKS 1024
static Term *chunks[MAX_CHUNKS];
static size_t chunk_count, chunk_size, chunk_left;
static size_t slow_words; /* words handed out here, for allocation counts */

__attribute__((weak)) Term *heap_alloc_slow(Process *p, size_t need)
{
    (void)p;
    if (need > chunk_left) {
        chunk_size = need > CHUNK_WORDS ? need : CHUNK_WORDS;
        if (chunk_count == MAX_CHUNKS) abort();
        chunks[chunk_count++] = malloc(chunk_size * sizeof(Term));
        chunk_left = chunk_size;
    }
    Term *hp = chunks[chunk_count - 1] + (chunk_size - chunk_left);
    chunk_left -= need;
    slow_words += need;
    return hp;
}

static Process *proc;

static void setup(void)
{
    atom_init(0);
    enum { HEAP_WORDS = 1 << 20 };
    proc = calloc(1, sizeof *proc);
    proc->heap = proc->htop = malloc(HEAP_WORDS * sizeof(Term));
    proc->hend = proc->stop = proc->heap + HEAP_WORDS;
    proc->heap_size = HEAP_WORDS;
    proc->fcalls = CONTEXT_REDS;
}

static void teardown(void)
{
    for (heap_frag *f = proc->mbuf, *next; f; f = next) { next = f->next; free(f); }
    while (chunk_count > 0) free(chunks[--chunk_count]);
    chunk_left = 0;
    free(proc->heap);
    free(proc);
}

TestSuite(maps_ops, .init = setup, .fini = teardown);

static Term atom(const char *s)
{
    Term t;
    cr_assert_eq(atom_put(s, strlen(s), &t), ATOM_OK);
    return t;
}

static Term flt(double d)
{
    Term *hp = HAlloc(proc, FLOAT_WORDS);
    return make_float(hp, d);
}

static Term empty_map(void) { return map_from_list_pairs(proc, NULL, NULL, 0); }

static bool is_flat(Term m) { return map_header_kind(boxed_header(m)) == MAP_KIND_FLAT; }

static void expect_text(Term t, const char *text)
{
    strbuf sb = STRBUF_INIT;
    term_print(&sb, t);
    cr_expect_str_eq(sb_str(&sb), text);
    sb_free(&sb);
}

/* A map of keys 0..n-1 (value = 10 * key) built by successive puts. */
static Term map_of_smalls(size_t n)
{
    Term m = empty_map();
    for (size_t i = 0; i < n; i++) m = map_put(proc, m, make_small((SWord)i), make_small(10 * (SWord)i));
    return m;
}

/* Tries are canonical: same keys, same shape, whatever the history. */
static bool same_shape(Term a, Term b)
{
    if (term_is_list(a) || term_is_list(b))
        return term_is_list(a) && term_is_list(b) && term_eq_exact(list_head(a), list_head(b))
            && term_eq_exact(list_tail(a), list_tail(b));
    if (term_is_tuple(a)) return term_eq_exact(a, b);
    const Term *x = boxed_ptr(a), *y = boxed_ptr(b);
    if (x[0] != y[0]) return false;
    unsigned kind = map_header_kind(x[0]);
    if (kind == MAP_KIND_FLAT) return term_eq_exact(a, b);
    size_t fixed = kind == MAP_KIND_NODE_BITMAP ? 1 : 2;
    if (fixed == 2 && x[1] != y[1]) return false;
    unsigned n = kind == MAP_KIND_HEAD_ARRAY ? 16 : (unsigned)__builtin_popcount(map_header_bitmap(x[0]));
    for (unsigned i = 0; i < n; i++)
        if (!same_shape(x[fixed + i], y[fixed + i])) return false;
    return true;
}

/* The same map built in one go by map_from_pairs. */
static Term rebuilt(Term map)
{
    size_t n = map_size(map);
    Term *keys = malloc((n + 1) * sizeof(Term)), *values = malloc((n + 1) * sizeof(Term));
    map_sorted_pairs(map, keys, values);
    Term m = map_from_list_pairs(proc, keys, values, n);
    free(keys);
    free(values);
    return m;
}

/* --- flatmap <-> HAMT -------------------------------------------------------------- */

Test(maps_ops, flat_up_to_32_keys_hamt_at_33)
{
    Term m = map_of_smalls(32);
    cr_expect(is_flat(m));
    cr_expect_eq(map_size(m), 32);
    Term big = map_put(proc, m, make_small(32), make_small(320));
    cr_expect(!is_flat(big));
    cr_expect_eq(map_size(big), 33);
    for (SWord i = 0; i < 33; i++) cr_expect_eq(map_get(big, make_small(i)), make_small(10 * i));
    cr_expect(is_flat(m), "the original is untouched");
    cr_expect_eq(map_size(m), 32);
    cr_expect(same_shape(big, rebuilt(big)));
}

/* OTP: maps:to_list(maps:remove(33, M33)) is the sorted 32 pairs. */
Test(maps_ops, hamt_shrinks_to_flat_at_32_keys)
{
    Term big = map_of_smalls(33);
    Term small = map_remove(proc, big, make_small(7));
    cr_expect(is_flat(small));
    cr_expect_eq(map_size(small), 32);
    cr_expect_eq(map_get(small, make_small(7)), THE_NON_VALUE);
    cr_expect_eq(map_get(small, make_small(32)), make_small(320));
    cr_expect_eq(term_compare_exact(small, rebuilt(small)), 0);
    cr_expect(!is_flat(big));
    cr_expect_eq(map_get(big, make_small(7)), make_small(70));
    /* A missing key leaves the map as it is. */
    cr_expect_eq(map_remove(proc, big, make_small(99)), big);
}

/* --- single-key operations ----------------------------------------------------------- */

Test(maps_ops, flatmap_put_update_remove)
{
    Term m = empty_map();
    m = map_put(proc, m, atom("b"), make_small(2));
    m = map_put(proc, m, atom("a"), make_small(1));
    m = map_put(proc, m, atom("c"), make_small(3));
    expect_text(m, "#{a => 1,b => 2,c => 3}");
    Term same = map_put(proc, m, atom("b"), make_small(2));
    cr_expect_eq(same, m, "putting the same value returns the map");
    Term u = map_update(proc, m, atom("b"), atom("x"));
    expect_text(u, "#{a => 1,b => x,c => 3}");
    expect_text(m, "#{a => 1,b => 2,c => 3}");
    cr_expect_eq(boxed_ptr(u)[2], boxed_ptr(m)[2], "an update shares the keys tuple");
    Term r = map_remove(proc, u, atom("a"));
    expect_text(r, "#{b => x,c => 3}");
    r = map_remove(proc, r, atom("c"));
    r = map_remove(proc, r, atom("b"));
    expect_text(r, "#{}");
    cr_expect_eq(map_remove(proc, r, atom("b")), r);
}

Test(maps_ops, update_of_a_missing_key_is_badkey)
{
    Term m = map_of_smalls(3);
    proc->freason = 0;
    cr_expect_eq(map_update(proc, m, atom("zz"), NIL), THE_NON_VALUE);
    cr_expect_eq(proc->freason, EXC_BADKEY);
    cr_expect_eq(proc->fvalue, atom("zz"));
    Term big = map_of_smalls(100);
    proc->freason = 0;
    cr_expect_eq(map_update(proc, big, make_small(100), NIL), THE_NON_VALUE);
    cr_expect_eq(proc->freason, EXC_BADKEY);
    cr_expect_eq(proc->fvalue, make_small(100));
    Term u = map_update(proc, big, make_small(50), atom("x"));
    cr_expect_eq(map_get(u, make_small(50)), atom("x"));
    cr_expect_eq(map_get(big, make_small(50)), make_small(500));
}

/* OTP: (#{0.0 => a})#{-0.0 => b} and maps:update(-0.0, b, #{0.0 => a}) are
 * #{0.0 => b}: the key already in the map stays. */
Test(maps_ops, existing_key_keeps_its_term)
{
    Term m = map_put(proc, empty_map(), flt(0.0), atom("a"));
    expect_text(map_put(proc, m, flt(-0.0), atom("b")), "#{0.0 => b}");
    expect_text(map_update(proc, m, flt(-0.0), atom("b")), "#{0.0 => b}");
    Term big = map_put(proc, map_of_smalls(40), flt(0.0), atom("a"));
    Term big2 = map_put(proc, big, flt(-0.0), atom("b"));
    cr_expect_eq(map_size(big2), 41);
    Term keys[41], values[41];
    map_sorted_pairs(big2, keys, values);
    cr_expect_eq(float_value(keys[40]), 0.0);
    cr_expect(!signbit(float_value(keys[40])));
    cr_expect_eq(values[40], atom("b"));
}

Test(maps_ops, hamt_put_copies_only_the_path)
{
    enum { N = 100000 };
    Term m = map_of_smalls(N);
    cr_expect_eq(map_size(m), N);
    for (SWord i = 0; i < N; i += 997) cr_expect_eq(map_get(m, make_small(i)), make_small(10 * i));
    size_t before = (size_t)(proc->htop - proc->heap);
    size_t slow_before = slow_words;
    Term m2 = map_put(proc, m, make_small(N), atom("new"));
    Term m3 = map_remove(proc, m2, make_small(12345));
    size_t used = (size_t)(proc->htop - proc->heap) - before + (slow_words - slow_before);
    /* A few nodes of at most 18 words each, not 100000 leaves. */
    cr_expect(used < 400, "put+remove used %zu words", used);
    cr_expect_eq(map_size(m2), N + 1);
    cr_expect_eq(map_size(m3), N);
    cr_expect_eq(map_get(m2, make_small(N)), atom("new"));
    cr_expect_eq(map_get(m, make_small(N)), THE_NON_VALUE);
    cr_expect_eq(map_get(m3, make_small(12345)), THE_NON_VALUE);
    cr_expect_eq(map_get(m2, make_small(12345)), make_small(123450));
}

/* --- canonical shape and a model ------------------------------------------------------ */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Keys of several kinds, so that ordering and hashing see a mix. */
static Term key_for(unsigned k)
{
    switch (k % 4) {
    case 0: return make_small((SWord)k);
    case 1: { char name[16]; snprintf(name, sizeof name, "k%u", k); return atom(name); }
    case 2: return flt((double)k + 0.5);
    default: {
        Term *hp = HAlloc(proc, 3);
        return tuple2(hp, make_small((SWord)k), NIL);
    }
    }
}

static void random_model_run(unsigned universe, unsigned steps)
{
    Term *keys = malloc(universe * sizeof(Term));
    SWord *model = malloc(universe * sizeof(SWord)); /* -1: absent */
    for (unsigned k = 0; k < universe; k++) { keys[k] = key_for(k); model[k] = -1; }
    Term m = empty_map();
    size_t size = 0;
    for (unsigned step = 0; step < steps; step++) {
        unsigned k = (unsigned)(rng() % universe);
        if (rng() % 3 == 0) {
            m = map_remove(proc, m, keys[k]);
            size -= model[k] >= 0;
            model[k] = -1;
        } else {
            SWord v = (SWord)(rng() % 1000);
            m = rng() % 2 ? map_put(proc, m, keys[k], make_small(v))
                          : map_put_many(proc, m, (Term[]){ keys[k], make_small(v) }, 1, false);
            size += model[k] < 0;
            model[k] = v;
        }
        cr_assert_neq(m, THE_NON_VALUE);
        cr_assert_eq(map_size(m), size, "step %u", step);
        cr_assert_eq(is_flat(m), size <= MAP_SMALL_LIMIT);
        if (step % 97 == 0 || step == steps - 1) {
            for (unsigned j = 0; j < universe; j++) {
                Term got = map_get(m, keys[j]);
                cr_assert_eq(got, model[j] < 0 ? THE_NON_VALUE : make_small(model[j]), "step %u key %u", step, j);
            }
            cr_assert(same_shape(m, rebuilt(m)), "step %u: trie not canonical", step);
        }
    }
    free(keys);
    free(model);
}

Test(maps_ops, random_puts_and_removes_match_a_model)
{
    random_model_run(60, 3000);     /* crosses 32/33 often */
    random_model_run(3000, 20000);  /* deeper tries */
}

static uint32_t constant_hash(Term key, unsigned salt) { (void)key; (void)salt; return 0x5A5A5A5Au; }
static uint32_t two_bits_hash(Term key, unsigned salt)
{
    (void)salt;
    return (uint32_t)(term_is_small(key) ? small_value(key) : 0) & 3;
}

Test(maps_ops, random_model_with_colliding_hashes)
{
    map_set_hash_for_testing(constant_hash);
    random_model_run(80, 2000);     /* every key in one collision node */
    map_set_hash_for_testing(two_bits_hash);
    random_model_run(200, 3000);    /* four collision nodes 64 levels down */
    map_set_hash_for_testing(NULL);
}

Test(maps_ops, insertion_order_does_not_matter)
{
    enum { N = 500 };
    Term keys[N];
    for (unsigned k = 0; k < N; k++) keys[k] = key_for(k);
    Term forward = empty_map(), backward = empty_map();
    for (unsigned k = 0; k < N; k++) {
        forward = map_put(proc, forward, keys[k], make_small(k));
        backward = map_put(proc, backward, keys[N - 1 - k], make_small(N - 1 - k));
    }
    cr_expect_eq(term_compare_exact(forward, backward), 0);
    cr_expect(same_shape(forward, backward));
    /* Remove half, in different orders: still equal, still canonical. */
    for (unsigned k = 0; k < N; k += 2) {
        forward = map_remove(proc, forward, keys[k]);
        backward = map_remove(proc, backward, keys[N - 2 - k]);
    }
    cr_expect_eq(map_size(forward), N / 2);
    cr_expect_eq(term_compare_exact(forward, backward), 0);
    cr_expect(same_shape(forward, backward));
    cr_expect(same_shape(forward, rebuilt(forward)));
    /* Small maps too. */
    Term a = empty_map(), b = empty_map();
    for (unsigned k = 0; k < 20; k++) {
        a = map_put(proc, a, keys[k], NIL);
        b = map_put(proc, b, keys[19 - k], NIL);
    }
    cr_expect_eq(term_compare_exact(a, b), 0);
}

/* --- several keys ---------------------------------------------------------------------- */

Test(maps_ops, put_many_assoc_merges_sorted_keys)
{
    Term m = map_put_many(proc, empty_map(), (Term[]){ atom("c"), make_small(3), atom("a"), make_small(1) }, 2, false);
    expect_text(m, "#{a => 1,c => 3}");
    /* Later duplicates win; existing keys are updated in place. */
    Term kv[] = { atom("b"), make_small(2), atom("a"), make_small(10), atom("b"), make_small(20), atom("d"), make_small(4) };
    Term m2 = map_put_many(proc, m, kv, 4, false);
    expect_text(m2, "#{a => 10,b => 20,c => 3,d => 4}");
    expect_text(m, "#{a => 1,c => 3}");
    /* Only existing keys: one allocation of 3 + n words sharing the keys. */
    Term *before = proc->htop;
    Term m3 = map_put_many(proc, m2, (Term[]){ atom("d"), NIL, atom("a"), NIL }, 2, false);
    cr_expect_eq(proc->htop - before, 3 + 4);
    cr_expect_eq(boxed_ptr(m3)[2], boxed_ptr(m2)[2]);
    expect_text(m3, "#{a => [],b => 20,c => 3,d => []}");
}

Test(maps_ops, put_many_grows_into_a_hamt)
{
    Term m = map_of_smalls(30);
    Term kv[10];
    for (int i = 0; i < 5; i++) { kv[2 * i] = make_small(28 + i); kv[2 * i + 1] = atom("x"); }
    Term big = map_put_many(proc, m, kv, 5, false);
    cr_expect(!is_flat(big));
    cr_expect_eq(map_size(big), 33);
    cr_expect_eq(map_get(big, make_small(29)), atom("x"));
    cr_expect_eq(map_get(big, make_small(27)), make_small(270));
    cr_expect(same_shape(big, rebuilt(big)));
    Term big2 = map_put_many(proc, big, kv, 5, true);
    cr_expect_eq(term_compare_exact(big, big2), 0);
}

/* OTP: X#{b := 1, a := 2} on #{} is {badkey,a} (the loader sorts literal
 * keys), #{c => 1}#{id(z) := 1, id(a) := 2} is {badkey,z}: the first
 * missing key in instruction order; foo#{a := 1} is {badmap,foo}. */
Test(maps_ops, put_many_exact_errors)
{
    Term m = map_put(proc, empty_map(), atom("c"), make_small(1));
    proc->freason = 0;
    cr_expect_eq(map_put_many(proc, m, (Term[]){ atom("z"), NIL, atom("a"), NIL }, 2, true), THE_NON_VALUE);
    cr_expect_eq(proc->freason, EXC_BADKEY);
    cr_expect_eq(proc->fvalue, atom("z"));
    proc->freason = 0;
    cr_expect_eq(map_put_many(proc, m, (Term[]){ atom("c"), NIL, atom("a"), NIL }, 2, true), THE_NON_VALUE);
    cr_expect_eq(proc->fvalue, atom("a"));
    proc->freason = 0;
    cr_expect_eq(map_put_many(proc, atom("foo"), (Term[]){ atom("a"), NIL }, 1, true), THE_NON_VALUE);
    cr_expect_eq(proc->freason, EXC_BADMAP);
    cr_expect_eq(proc->fvalue, atom("foo"));
    proc->freason = 0;
    cr_expect_eq(map_put_many(proc, atom("foo"), (Term[]){ atom("a"), NIL }, 1, false), THE_NON_VALUE);
    cr_expect_eq(proc->freason, EXC_BADMAP);
    Term ok = map_put_many(proc, m, (Term[]){ atom("c"), make_small(5), atom("c"), make_small(6) }, 2, true);
    expect_text(ok, "#{c => 6}");
}

/* OTP: maps:merge(#{0.0 => a}, #{-0.0 => b}) is #{0.0 => b}. */
Test(maps_ops, merge_of_every_kind)
{
    Term a = map_put_many(proc, empty_map(), (Term[]){ atom("x"), make_small(1), atom("y"), make_small(2) }, 2, false);
    Term b = map_put_many(proc, empty_map(), (Term[]){ atom("y"), make_small(20), atom("z"), make_small(30) }, 2, false);
    expect_text(map_merge(proc, a, b), "#{x => 1,y => 20,z => 30}");
    expect_text(map_merge(proc, b, a), "#{x => 1,y => 2,z => 30}");
    Term z = map_put(proc, empty_map(), flt(0.0), atom("a"));
    Term nz = map_put(proc, empty_map(), flt(-0.0), atom("b"));
    expect_text(map_merge(proc, z, nz), "#{0.0 => b}");
    Term big = map_of_smalls(50), big2 = map_put(proc, map_of_smalls(20), make_small(3), atom("three"));
    Term m1 = map_merge(proc, big, big2);  /* HAMT + flat */
    Term m2 = map_merge(proc, big2, big);  /* flat + HAMT: the HAMT's values win */
    cr_expect_eq(map_get(m1, make_small(3)), atom("three"));
    cr_expect_eq(map_get(m2, make_small(3)), make_small(30));
    cr_expect_eq(map_size(m1), 50);
    cr_expect_eq(map_size(m2), 50);
    Term flat30 = map_of_smalls(30), other = empty_map();
    for (SWord i = 25; i < 35; i++) other = map_put(proc, other, make_small(i), NIL);
    Term grown = map_merge(proc, flat30, other); /* flat + flat past 32 keys */
    cr_expect(!is_flat(grown));
    cr_expect_eq(map_size(grown), 35);
    cr_expect_eq(map_get(grown, make_small(26)), NIL);
    cr_expect(same_shape(grown, rebuilt(grown)));
}

/* --- lists ------------------------------------------------------------------------------- */

Test(maps_ops, lists_in_key_order_for_flatmaps)
{
    Term m = map_put_many(proc, empty_map(), (Term[]){ atom("b"), make_small(2), make_small(1), atom("one"),
                                                       flt(0.5), atom("half") }, 3, false);
    expect_text(map_keys(proc, m), "[1,0.5,b]");
    expect_text(map_values(proc, m), "[one,half,2]");
    expect_text(map_to_list(proc, m, NIL), "[{1,one},{0.5,half},{b,2}]");
    expect_text(map_to_list(proc, m, atom("t")), "[{1,one},{0.5,half},{b,2}|t]");
    expect_text(map_iterator_chain(proc, m, atom("none")), "{1,one,{0.5,half,{b,2,none}}}");
    expect_text(map_keys(proc, empty_map()), "[]");
    expect_text(map_iterator_chain(proc, empty_map(), atom("none")), "none");
}

Test(maps_ops, lists_of_a_hamt_agree)
{
    Term m = map_of_smalls(1000);
    Term keys = map_keys(proc, m), values = map_values(proc, m), pairs = map_to_list(proc, m, NIL);
    cr_expect_eq(list_length(keys), 1000);
    SWord sum = 0;
    for (; term_is_list(keys); keys = list_tail(keys), values = list_tail(values), pairs = list_tail(pairs)) {
        Term pair = list_head(pairs);
        cr_expect_eq(tuple_elements(pair)[0], list_head(keys));
        cr_expect_eq(tuple_elements(pair)[1], list_head(values));
        cr_expect_eq(small_value(list_head(values)), 10 * small_value(list_head(keys)));
        sum += small_value(list_head(keys));
    }
    cr_expect_eq(sum, 999 * 1000 / 2);
}

/* --- the BIFs ------------------------------------------------------------------------------ */

static Term call(Term (*bif)(Process *, Term *), Term a, Term b, Term c)
{
    Term args[3] = { a, b, c };
    proc->freason = 0;
    proc->fvalue = NIL;
    return bif(proc, args);
}

static void expect_error(Term result, uint32_t freason, Term fvalue)
{
    cr_expect_eq(result, THE_NON_VALUE);
    cr_expect_eq(proc->freason, freason);
    if (freason != EXC_BADARG) cr_expect_eq(proc->fvalue, fvalue);
}

/* Every error term as erl 25 prints it for `catch F(...)` with x not a map. */
Test(maps_ops, bif_errors_are_otps)
{
    Term x = atom("x"), y = atom("y"), a = atom("a"), empty = empty_map();
    expect_error(call(bif_maps_get_2, a, empty, NIL), EXC_BADKEY, a);        /* {badkey,a} */
    expect_error(call(bif_maps_get_2, a, x, NIL), EXC_BADMAP, x);            /* {badmap,x} */
    expect_error(call(bif_map_get_2, a, empty, NIL), EXC_BADKEY, a);
    expect_error(call(bif_map_get_2, a, x, NIL), EXC_BADMAP, x);
    expect_error(call(bif_maps_find_2, a, x, NIL), EXC_BADMAP, x);
    expect_error(call(bif_maps_is_key_2, a, x, NIL), EXC_BADMAP, x);
    expect_error(call(bif_is_map_key_2, a, x, NIL), EXC_BADMAP, x);
    expect_error(call(bif_maps_keys_1, x, NIL, NIL), EXC_BADMAP, x);
    expect_error(call(bif_maps_values_1, x, NIL, NIL), EXC_BADMAP, x);
    expect_error(call(bif_maps_merge_2, x, empty, NIL), EXC_BADMAP, x);
    expect_error(call(bif_maps_merge_2, empty, y, NIL), EXC_BADMAP, y);
    expect_error(call(bif_maps_merge_2, x, y, NIL), EXC_BADMAP, x);
    expect_error(call(bif_maps_put_3, a, make_small(1), x), EXC_BADMAP, x);
    expect_error(call(bif_maps_remove_2, a, x, NIL), EXC_BADMAP, x);
    expect_error(call(bif_maps_take_2, a, x, NIL), EXC_BADMAP, x);
    expect_error(call(bif_maps_update_3, a, make_small(1), x), EXC_BADMAP, x);
    expect_error(call(bif_maps_update_3, a, make_small(1), empty), EXC_BADKEY, a);
    expect_error(call(bif_map_size_1, x, NIL, NIL), EXC_BADMAP, x);
    /* maps:from_list(x), ([{a,1}|b]), ([{a,1,2}]); from_keys(x, 1), ([a|b], 1) */
    Term *hp = HAlloc(proc, 3 + 2 + 4 + 2 + 2);
    Term a1 = tuple2(hp, a, make_small(1));
    Term improper = cons(hp + 3, a1, atom("b"));
    Term t3 = tuple3(hp + 5, a, make_small(1), make_small(2));
    Term bad_elem = cons(hp + 9, t3, NIL);
    Term improper_keys = cons(hp + 11, a, atom("b"));
    expect_error(call(bif_maps_from_list_1, x, NIL, NIL), EXC_BADARG, NIL);
    expect_error(call(bif_maps_from_list_1, improper, NIL, NIL), EXC_BADARG, NIL);
    expect_error(call(bif_maps_from_list_1, bad_elem, NIL, NIL), EXC_BADARG, NIL);
    expect_error(call(bif_maps_from_keys_2, x, make_small(1), NIL), EXC_BADARG, NIL);
    expect_error(call(bif_maps_from_keys_2, improper_keys, make_small(1), NIL), EXC_BADARG, NIL);
    /* erts_internal:map_next(0, x, []), (a, M, [x]), (0, M, foo), (3, #{a,b}, iterator), (-1, ...) */
    Term two = map_put(proc, map_put(proc, empty, a, make_small(1)), atom("b"), make_small(2));
    expect_error(call(bif_erts_internal_map_next_3, make_small(0), x, NIL), EXC_BADARG, NIL);
    expect_error(call(bif_erts_internal_map_next_3, a, two, NIL), EXC_BADARG, NIL);
    expect_error(call(bif_erts_internal_map_next_3, make_small(0), two, atom("foo")), EXC_BADARG, NIL);
    expect_error(call(bif_erts_internal_map_next_3, make_small(3), two, atom("iterator")), EXC_BADARG, NIL);
    expect_error(call(bif_erts_internal_map_next_3, make_small(-1), two, atom("iterator")), EXC_BADARG, NIL);
}

Test(maps_ops, bif_results)
{
    Term a = atom("a"), b = atom("b"), empty = empty_map();
    Term m = call(bif_maps_put_3, a, make_small(1), empty);
    m = call(bif_maps_put_3, b, make_small(2), m);
    expect_text(m, "#{a => 1,b => 2}");
    expect_text(call(bif_maps_find_2, a, m, NIL), "{ok,1}");
    cr_expect_eq(call(bif_maps_find_2, atom("c"), m, NIL), am_error);
    cr_expect_eq(call(bif_maps_get_2, b, m, NIL), make_small(2));
    cr_expect_eq(call(bif_maps_is_key_2, b, m, NIL), am_true);
    cr_expect_eq(call(bif_is_map_key_2, atom("c"), m, NIL), am_false);
    cr_expect_eq(call(bif_map_size_1, m, NIL, NIL), make_small(2));
    expect_text(call(bif_maps_take_2, a, m, NIL), "{1,#{b => 2}}");
    cr_expect_eq(call(bif_maps_take_2, a, empty, NIL), am_error);   /* OTP: error */
    expect_text(call(bif_maps_remove_2, a, m, NIL), "#{b => 2}");
    cr_expect_eq(call(bif_maps_remove_2, atom("c"), m, NIL), m);
    expect_text(call(bif_maps_update_3, a, NIL, m), "#{a => [],b => 2}");
    expect_text(call(bif_maps_keys_1, m, NIL, NIL), "[a,b]");
    expect_text(call(bif_maps_values_1, m, NIL, NIL), "[1,2]");
    expect_text(call(bif_maps_merge_2, m, call(bif_maps_put_3, a, b, empty), NIL), "#{a => b,b => 2}");
    /* maps:from_list([{a,1},{b,2},{a,3}]) is #{a => 3,b => 2}. */
    Term *hp = HAlloc(proc, 9 + 6);
    Term list = cons(hp, tuple2(hp + 6, a, make_small(1)),
                     cons(hp + 2, tuple2(hp + 9, b, make_small(2)),
                          cons(hp + 4, tuple2(hp + 12, a, make_small(3)), NIL)));
    expect_text(call(bif_maps_from_list_1, list, NIL, NIL), "#{a => 3,b => 2}");
    Term keys = map_keys(proc, m);
    expect_text(call(bif_maps_from_keys_2, keys, atom("v"), NIL), "#{a => v,b => v}");
    expect_text(call(bif_maps_from_list_1, NIL, NIL, NIL), "#{}");
    /* erts_internal:map_next: OTP gives [{a,1},{b,2}], [{a,1},{b,2},x] and
     * {a,1,{b,2,none}}. */
    expect_text(call(bif_erts_internal_map_next_3, make_small(0), m, NIL), "[{a,1},{b,2}]");
    expect_text(call(bif_erts_internal_map_next_3, make_small(0), m, cons(HAlloc(proc, 2), atom("x"), NIL)),
                "[{a,1},{b,2},x]");
    expect_text(call(bif_erts_internal_map_next_3, make_small(0), m, atom("iterator")), "{a,1,{b,2,none}}");
    expect_text(call(bif_erts_internal_map_next_3, make_small(0), empty, atom("iterator")), "none");
}

Test(maps_ops, bifs_on_a_large_map)
{
    Term m = map_of_smalls(200);
    Term pairs = call(bif_erts_internal_map_next_3, make_small(0), m, NIL);
    cr_expect_eq(list_length(pairs), 200);
    Term again = call(bif_maps_from_list_1, pairs, NIL, NIL);
    cr_expect_eq(term_compare_exact(again, m), 0);
    Term chain = call(bif_erts_internal_map_next_3, make_small(0), m, atom("iterator"));
    size_t links = 0;
    for (; term_is_tuple(chain); chain = tuple_elements(chain)[2]) links++;
    cr_expect_eq(links, 200);
    cr_expect_eq(chain, atom("none"));
    Term taken = call(bif_maps_take_2, make_small(150), m, NIL);
    cr_expect_eq(tuple_elements(taken)[0], make_small(1500));
    cr_expect_eq(map_size(tuple_elements(taken)[1]), 199);
    cr_expect_eq(call(bif_map_size_1, m, NIL, NIL), make_small(200));
    cr_expect_eq(call(bif_maps_get_2, make_small(199), m, NIL), make_small(1990));
    expect_error(call(bif_maps_get_2, make_small(200), m, NIL), EXC_BADKEY, make_small(200));
}
