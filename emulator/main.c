/*
 * main.c — the cbeam command line.
 *
 *   cbeam disasm FILE.beam...     print each module's generic instructions
 *   cbeam check [--md5] FILE...   load each file; report errors (and MD5s)
 *   cbeam [erl flags]             run Erlang code, as erl does
 *
 * A load error is one line on stderr naming the file, the chunk and the
 * offset, and the exit status is 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atom.h"
#include "beam_module.h"
#include "disasm.h"
#include "strbuf.h"

#define CBEAM_VERSION "0.1.0"

static void usage(FILE *out)
{
    fputs("usage: cbeam disasm FILE.beam...\n"
          "       cbeam check [--md5] FILE.beam...\n"
          "       cbeam [-noshell] [-pa DIR]... [-s MOD [FUN [ARG...]]]... (erl's flags)\n"
          "\n"
          "  disasm   print the generic instruction stream of each module, in the\n"
          "           text that tools/beam-disasm-text prints from OTP's beam_disasm\n"
          "  check    load each file and report what is wrong with it; with --md5,\n"
          "           print each module's name and its module_info(md5) in hex\n"
          "  --help, --version\n",
          out);
}

static int with_each_module(int argc, char **argv, int (*fn)(const beam_module *, void *), void *arg)
{
    int status = 0;
    strbuf err = STRBUF_INIT;
    for (int i = 0; i < argc; i++) {
        sb_reset(&err);
        beam_module *m = beam_load_file(argv[i], &err);
        if (!m) {
            fprintf(stderr, "%s\n", sb_str(&err));
            status = 1;
            continue;
        }
        if (fn(m, arg) != 0) status = 1;
        beam_module_release(m);
    }
    sb_free(&err);
    return status;
}

static int print_disasm(const beam_module *m, void *arg)
{
    strbuf *out = arg;
    sb_reset(out);
    beam_disasm_print(out, m);
    return fwrite(out->data ? out->data : "", 1, out->len, stdout) == out->len ? 0 : 1;
}

static int print_md5(const beam_module *m, void *arg)
{
    if (!*(const int *)arg) return 0;
    printf("%s ", atom_text(m->name));
    for (int k = 0; k < 16; k++) printf("%02x", m->md5[k]);
    putchar('\n');
    return 0;
}

static int cmd_disasm(int argc, char **argv)
{
    strbuf out = STRBUF_INIT;
    int status = with_each_module(argc, argv, print_disasm, &out);
    sb_free(&out);
    return status;
}

static int cmd_check(int argc, char **argv)
{
    int md5 = argc > 0 && strcmp(argv[0], "--md5") == 0;
    return with_each_module(argc - md5, argv + md5, print_md5, &md5);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 1;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        puts("cbeam " CBEAM_VERSION);
        return 0;
    }
    atom_init(0);
    if (strcmp(argv[1], "disasm") == 0) return cmd_disasm(argc - 2, argv + 2);
    if (strcmp(argv[1], "check") == 0) return cmd_check(argc - 2, argv + 2);
    if (argv[1][0] == '-' || argv[1][0] == '+') {
        fputs("cbeam: running Erlang code needs the emulator, which this build does not have yet "
              "(the loader and disassembler are all that exist)\n", stderr);
        return 1;
    }
    fprintf(stderr, "cbeam: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 1;
}
