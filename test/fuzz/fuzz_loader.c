/*
 * fuzz_loader.c — libFuzzer target for the .beam loader (beam_load).
 *
 * Build (clang only; the whole core library is compiled into the target
 * with -fsanitize=fuzzer,address,undefined, so the loader is instrumented):
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true && ninja -C build-fuzz
 *
 * Seed a corpus with real .beam files, then run:
 *
 *   test/fuzz/seed-corpus CORPUS
 *   ./build-fuzz/test/fuzz_loader -max_total_time=600 CORPUS
 *
 * or, with the dictionary of chunk ids and tag bytes:
 *
 *   ./build-fuzz/test/fuzz_loader -dict=test/fuzz/beam.dict -max_total_time=600 CORPUS
 *
 * (The target is defined in test/meson.build, so it lands in build-fuzz/test/.)
 *
 * Useful flags: -jobs=1 -workers=1 (one core), -detect_leaks=1 (the default),
 * -max_len=20000 (by default libFuzzer caps inputs at the largest seed),
 * -timeout=10, -print_final_stats=1 (stat::number_of_executed_units). A crash is written to
 * crash-<sha1> in the current directory; reproduce it with
 * `./build-fuzz/test/fuzz_loader crash-<sha1>` or `cbeam check crash-<sha1>`,
 * and add it to the broken-file corpus as test/broken/fuzz-NAME.beam with
 * its fuzz-NAME.expected (see test/broken/make-corpus).
 *
 * The target loads the bytes from memory, releases the module, and never
 * writes files. Besides "no crash, no leak, no undefined behaviour" it
 * checks the loader's contract: a refused file yields exactly one line of
 * error text, beginning with the path. Atoms interned from the input are
 * never freed (by design, as in OTP), so the atom table grows over a run; if
 * LeakSanitizer ever reports memory held by the atom table, that is
 * expected, and anything else is a real leak. Once the table reaches its
 * limit, inputs with new atoms are refused with "the atom table is full",
 * which is a correct refusal.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atom.h"
#include "beam_module.h"
#include "strbuf.h"

#define FUZZ_PATH "fuzz.beam"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool initialized;
    if (!initialized) {
        atom_init(0);
        initialized = true;
    }
    strbuf err = STRBUF_INIT;
    beam_module *m = beam_load(FUZZ_PATH, data, size, &err);
    if (m) {
        beam_module_release(m);
    } else {
        const char *text = sb_str(&err);
        if (strncmp(text, FUZZ_PATH ": ", strlen(FUZZ_PATH ": ")) != 0 || strchr(text, '\n') ||
            strlen(text) <= strlen(FUZZ_PATH ": ")) {
            fprintf(stderr, "fuzz_loader: load error breaks the one-line contract: \"%s\"\n", text);
            abort();
        }
    }
    sb_free(&err);
    return 0;
}
