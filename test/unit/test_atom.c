/*
 * The atom table: interning, predefined atoms, OTP's limits, and concurrent
 * interning from several threads.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>

#include "atom.h"

static void setup(void) { atom_init(0); }
TestSuite(atom, .init = setup);

Test(atom, predefined_atoms_have_fixed_indices)
{
    Term t;
    cr_assert(atom_lookup("true", 4, &t));
    cr_assert_eq(t, am_true);
    cr_assert_str_eq(atom_text(am_badarg), "badarg");
    cr_assert_eq(atom_len(am_nonode_at_nohost), strlen("nonode@nohost"));
}

Test(atom, interning_is_idempotent)
{
    Term a, b;
    cr_assert_eq(atom_put("hello", 5, &a), ATOM_OK);
    cr_assert_eq(atom_put("hello", 5, &b), ATOM_OK);
    cr_assert_eq(a, b);
    cr_assert(term_is_atom(a));
    cr_assert_str_eq(atom_text(a), "hello");
}

Test(atom, latin1_and_utf8_name_the_same_atom)
{
    Term a, b;
    cr_assert_eq(atom_put_latin1("caf\xe9", 4, &a), ATOM_OK);
    cr_assert_eq(atom_put("caf\xc3\xa9", 5, &b), ATOM_OK);
    cr_assert_eq(a, b);
}

Test(atom, limits)
{
    char text[1024];
    memset(text, 'a', 256);
    Term t;
    cr_assert_eq(atom_put(text, 255, &t), ATOM_OK);
    cr_assert_eq(atom_put(text, 256, &t), ATOM_TOO_LONG);
    /* 255 characters of two bytes each are still one legal atom. */
    for (int i = 0; i < 255; i++) memcpy(text + 2 * i, "\xc3\xa9", 2);
    cr_assert_eq(atom_put(text, 510, &t), ATOM_OK);
    cr_assert_eq(atom_put("\xff", 1, &t), ATOM_BAD_UTF8);
    cr_assert_eq(atom_put("\xed\xa0\x80", 3, &t), ATOM_BAD_UTF8);  /* a surrogate */
}

#define THREADS 4
#define PER_THREAD 5000

static void *intern_many(void *arg)
{
    Term *out = arg;
    char name[32];
    for (int i = 0; i < PER_THREAD; i++) {
        int n = snprintf(name, sizeof name, "shared_%d", i);
        if (atom_put(name, (size_t)n, &out[i]) != ATOM_OK) return (void *)1;
    }
    return NULL;
}

Test(atom, concurrent_interning_agrees)
{
    static Term seen[THREADS][PER_THREAD];
    pthread_t th[THREADS];
    uint32_t before = atom_count();
    for (int t = 0; t < THREADS; t++) pthread_create(&th[t], NULL, intern_many, seen[t]);
    for (int t = 0; t < THREADS; t++) {
        void *r;
        pthread_join(th[t], &r);
        cr_assert_null(r);
    }
    for (int i = 0; i < PER_THREAD; i++)
        for (int t = 1; t < THREADS; t++) cr_assert_eq(seen[t][i], seen[0][i]);
    cr_assert_eq(atom_count(), before + PER_THREAD);
}
