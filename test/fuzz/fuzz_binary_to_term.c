/*
 * fuzz_binary_to_term.c — libFuzzer target for erlang:binary_to_term/2.
 *
 * Build and run (clang only, see fuzz_loader.c):
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true && ninja -C build-fuzz
 *   ./build-fuzz/test/fuzz_binary_to_term -dict=test/fuzz/etf.dict -max_len=4096 -max_total_time=600 CORPUS
 *
 * Each input is the bytes of a binary given to binary_to_term/2 (with
 * `used`, on a fresh process heap; the first byte picks `safe` or not).
 * Besides "no crash, no leak, no undefined behaviour, no hang" it checks
 * that a term that decodes survives term_to_binary and a second decode
 * unchanged (=:=), and that a refusal is badarg. The heap, its fragments
 * and every off-heap binary are freed after each input; atoms created by
 * non-safe decoding stay (as in OTP), up to the atom table's limit.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "atom.h"
#include "bif.h"
#include "bits.h"
#include "gc.h"
#include "term_build.h"
#include "term_order.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static Process *proc_new(void)
{
    Process *p = calloc(1, sizeof *p);
    if (!p || !heap_init(p, 233)) abort();
    p->dictionary = p->fvalue = p->ftrace = p->top_frame = NIL;
    p->group_leader = p->error_cause = NIL;
    return p;
}

static void proc_free(Process *p)
{
    heap_destroy(p);
    free(p->arg_big);
    free(p);
}

static Term decode(Process *p, Term bin, bool safe)
{
    Term *hp = HAlloc(p, 4);
    Term opts = cons(hp, ATOM_NAMED("used"), NIL);
    if (safe) opts = cons(hp + 2, ATOM_NAMED("safe"), opts);
    Term args[2] = { bin, opts };
    return bif_erlang_binary_to_term_2(p, args);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool initialized;
    if (!initialized) {
        atom_init(0);
        initialized = true;
    }
    if (size == 0) return 0;
    bool safe = data[0] & 1;
    Process *p = proc_new();
    Term bin = bits_new_binary(p, data + 1, 0, 8 * (UWord)(size - 1));
    Term r = decode(p, bin, safe);
    if (r == THE_NON_VALUE) {
        if (p->freason != EXC_BADARG) {
            fprintf(stderr, "fuzz_binary_to_term: refusal is not badarg (freason %u)\n", (unsigned)p->freason);
            abort();
        }
    } else {
        Term t = tuple_elements(r)[0];
        Term args[1] = { t };
        Term enc = bif_erlang_term_to_binary_1(p, args);
        if (enc == THE_NON_VALUE) {
            fprintf(stderr, "fuzz_binary_to_term: a decoded term does not encode\n");
            abort();
        }
        Term again = decode(p, enc, false);
        if (again == THE_NON_VALUE || !term_eq_exact(tuple_elements(again)[0], t)) {
            fprintf(stderr, "fuzz_binary_to_term: round trip changed the term\n");
            abort();
        }
    }
    proc_free(p);
    return 0;
}
