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

#include <dirent.h>
#include <unistd.h>

#include "atom.h"
#include "binary.h"
#include "beam_module.h"
#include "bif.h"
#include "cbeam_config.h"
#include "disasm.h"
#include "emu.h"
#include "io_thread.h"
#include "literal.h"
#include "prof.h"
#include "scheduler.h"
#include "strbuf.h"
#include "term_build.h"

#define CBEAM_VERSION "0.1.0"

static void usage(FILE *out)
{
    fputs("usage: cbeam [erl flags]                run Erlang code, as erl does\n"
          "       cbeam disasm FILE.beam...        print each module's generic instructions\n"
          "       cbeam check [--md5|--codegen] FILE.beam... load each file, report what is wrong\n"
          "\n"
          "erl flags (erl's meaning):\n"
          "  -noshell, -noinput        no shell (without them OTP's shell reads standard input)\n"
          "  -pa DIR..., -pz DIR...    add directories to the front / end of the code path\n"
          "  -s MOD [FUN [ARG...]]     call MOD:FUN([ARG...]) (atoms), FUN defaults to start\n"
          "  -run MOD [FUN [ARG...]]   the same with the arguments as strings\n"
          "  -eval EXPR                evaluate EXPR with erl_eval\n"
          "  -extra ARG...             the rest are plain arguments (init:get_plain_arguments/0)\n"
          "  -boot NAME                OTP's boot script NAME (default start: kernel, stdlib)\n"
          "  -FLAG VALUE...            any other flag is a user flag (init:get_argument/1)\n"
          "  +S N[:M]                  N schedulers (threads), M of them online\n"
          "                            (default: one per online core)\n"
          "  +P N                      at most N processes at once (1024..134217727,\n"
          "                            rounded up to a power of two; default 262144)\n"
          "cbeam's own flags:\n"
          "  +direct                   direct mode: skip OTP's boot (no kernel, logger or code\n"
          "                            server; starts in ~7 ms instead of ~40; see README)\n"
          "  +otp_lib DIR              OTP's lib directory (default " CBEAM_OTP_LIB_DIR ",\n"
          "                            or $CBEAM_OTP_LIB)\n"
          "  +sched_trace FILE         record what every scheduler does (slices, migrations,\n"
          "                            steals, sleep, GCs, run-queue lengths, balancing) and\n"
          "                            write it at halt as Chrome trace-event JSON (open in\n"
          "                            ui.perfetto.dev or chrome://tracing; tools/sched-svg\n"
          "                            draws it as an SVG timeline)\n"
          "  +sched_report             print a table per scheduler on stderr at exit\n"
          "                            (utilisation, reductions, slices, context switches,\n"
          "                            steals, migrations, time asleep, longest slice,\n"
          "                            run-queue length)\n"
          "\n"
          "  disasm   the text that tools/beam-disasm-text prints from OTP's beam_disasm\n"
          "  check    with --md5, print each module's name and module_info(md5) in hex;\n"
          "           with --codegen, also translate each module to threaded code\n"
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

/* check --codegen: also translate each module to threaded code. */
static int check_codegen(const beam_module *m)
{
    strbuf err = STRBUF_INIT;
    LoadedCode *lc = codegen((beam_module *)m, &err);
    if (!lc) fprintf(stderr, "%s\n", sb_str(&err));
    sb_free(&err);
    /* Kept: the export table now points into it. */
    return lc ? 0 : 1;
}

enum check_mode { CHECK_LOAD, CHECK_MD5, CHECK_CODEGEN };

/* check: the module loaded; per mode, also print its MD5 or translate it. */
static int check_one(const beam_module *m, void *arg)
{
    enum check_mode mode = *(const enum check_mode *)arg;
    if (mode == CHECK_CODEGEN) return check_codegen(m);
    if (mode == CHECK_LOAD) return 0;
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
    enum check_mode mode = CHECK_LOAD;
    int skip = 0;
    if (argc > 0 && strcmp(argv[0], "--md5") == 0) mode = CHECK_MD5, skip = 1;
    if (argc > 0 && strcmp(argv[0], "--codegen") == 0) {
        mode = CHECK_CODEGEN, skip = 1;
        emu_init();
    }
    return with_each_module(argc - skip, argv + skip, check_one, &mode);
}

/* --- running code ("direct mode") ----------------------------------------- */

typedef struct run_options {
    const char **pa, **pz;
    size_t npa, npz;
    const char *otp_lib;
    unsigned schedulers, schedulers_online;   /* +S; 0 = one per core */
    uint32_t process_limit;                   /* +P */
    bool otp_boot;                            /* false with +direct */
    bool *emulator_flag;                      /* argv[i] is one of cbeam's + flags or its value */
    /* The boot term's parts, built in `lits`. */
    literal_area lits;
    Term start, args, plain;
} run_options;

static Term *opt_alloc(run_options *o, size_t words)
{
    Term *hp = sink_alloc(&o->lits.sink, words);
    if (!hp) {
        fputs("cbeam: out of memory\n", stderr);
        exit(1);
    }
    return hp;
}

static Term opt_string(run_options *o, const char *s)
{
    size_t n = strlen(s);
    return charlist_from(opt_alloc(o, 2 * n + 1), s, n);
}

static Term opt_atom(const char *s)
{
    Term a;
    if (atom_put(s, strlen(s), &a) != ATOM_OK) {
        fprintf(stderr, "cbeam: '%s' is not a valid atom\n", s);
        exit(1);
    }
    return a;
}

/* Appends to a list kept in reverse. */
static Term opt_push(run_options *o, Term rev, Term item) { return cons(opt_alloc(o, 2), item, rev); }

static Term opt_reverse(run_options *o, Term rev)
{
    Term list = NIL;
    for (; term_is_list(rev); rev = list_tail(rev)) list = opt_push(o, list, list_head(rev));
    return list;
}

static bool is_flag(const char *a) { return a[0] == '-' || a[0] == '+'; }

/* A build with -Dsched_trace=false has no hooks to record with: say so
 * rather than write an empty trace or report. */
static void require_prof_hooks(const char *flag)
{
    if (PROF_HOOKS) return;
    fprintf(stderr, "cbeam: %s: this cbeam was built without the profiling hooks (-Dsched_trace=false)\n", flag);
    exit(1);
}

/* +S N[:M], as erl: N schedulers, M online (both 1..MAX_SCHEDULERS). */
static void parse_schedulers(run_options *o, const char *v)
{
    char *end;
    long n = strtol(v, &end, 10), m = n;
    if (*end == ':') m = strtol(end + 1, &end, 10);
    if (*end || n < 1 || n > MAX_SCHEDULERS || m < 1 || m > n) {
        fprintf(stderr, "cbeam: bad +S value '%s': expected N or N:M with 1 <= M <= N <= %d\n", v, MAX_SCHEDULERS);
        exit(1);
    }
    o->schedulers = (unsigned)n;
    o->schedulers_online = (unsigned)m;
}

/* +P N: erl's message and status for a value out of its range. */
static void parse_process_limit(run_options *o, const char *v)
{
    char *end;
    long n = strtol(v, &end, 10);
    o->process_limit = *end ? 0 : process_limit_for(n);
    if (!o->process_limit) {
        fprintf(stderr, "bad number of processes %s\n", v);
        usage(stderr);
        exit(1);
    }
}

/* Parses erl's command line into o; exits on a flag it does not know. */
static void parse_run_args(run_options *o, int argc, char **argv)
{
    Term start = NIL, args = NIL, plain = NIL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-extra") == 0) {
            for (i++; i < argc; i++) plain = opt_push(o, plain, opt_string(o, argv[i]));
            break;
        }
        if (strcmp(a, "-noshell") == 0 || strcmp(a, "-noinput") == 0) continue;
        if (strcmp(a, "-pa") == 0 || strcmp(a, "-pz") == 0) {
            /* Also an argument, as in erl: init:get_argument(pa). */
            Term values = NIL;
            for (; i + 1 < argc && !is_flag(argv[i + 1]); i++) {
                if (a[2] == 'a') o->pa[o->npa++] = argv[i + 1];
                else o->pz[o->npz++] = argv[i + 1];
                values = opt_push(o, values, opt_string(o, argv[i + 1]));
            }
            args = opt_push(o, args, tuple2(opt_alloc(o, 3), opt_atom(a + 1), opt_reverse(o, values)));
            continue;
        }
        if (strcmp(a, "-s") == 0 || strcmp(a, "-run") == 0) {
            bool strings = a[1] == 'r';
            Term mfa = NIL;
            int k = 0;
            for (; i + 1 < argc && !is_flag(argv[i + 1]); i++, k++)
                mfa = opt_push(o, mfa, k < 2 || !strings ? opt_atom(argv[i + 1]) : opt_string(o, argv[i + 1]));
            if (k == 0) {
                fprintf(stderr, "cbeam: %s needs a module\n", a);
                exit(1);
            }
            Term item = tuple2(opt_alloc(o, 3), opt_atom(strings ? "run" : "s"), opt_reverse(o, mfa));
            start = opt_push(o, start, item);
            continue;
        }
        if (strcmp(a, "-eval") == 0) {
            if (i + 1 >= argc) {
                fputs("cbeam: -eval needs an expression\n", stderr);
                exit(1);
            }
            Term item = tuple2(opt_alloc(o, 3), opt_atom("eval"), opt_string(o, argv[++i]));
            start = opt_push(o, start, item);
            continue;
        }
        if (a[0] == '+') o->emulator_flag[i] = true;
        if (strcmp(a, "+S") == 0 && i + 1 < argc) {
            o->emulator_flag[i + 1] = true;
            parse_schedulers(o, argv[++i]);
            continue;
        }
        if (strcmp(a, "+sched_trace") == 0 && i + 1 < argc) {
            o->emulator_flag[i + 1] = true;
            require_prof_hooks(a);
            prof_cfg.trace_file = argv[++i];
            continue;
        }
        if (strcmp(a, "+direct") == 0) {
            o->otp_boot = false;
            continue;
        }
        if (strcmp(a, "+sched_report") == 0) {
            require_prof_hooks(a);
            prof_cfg.report = true;
            continue;
        }
        if (strcmp(a, "+P") == 0 && i + 1 < argc) {
            o->emulator_flag[i + 1] = true;
            parse_process_limit(o, argv[++i]);
            continue;
        }
        if (strcmp(a, "+otp_lib") == 0 && i + 1 < argc) {
            o->emulator_flag[i + 1] = true;
            o->otp_lib = argv[++i];
            continue;
        }
        if (a[0] == '-' && a[1]) {
            /* A user flag: init:get_argument(flag) -> {ok, [[Values]]}. */
            Term values = NIL;
            for (; i + 1 < argc && !is_flag(argv[i + 1]); i++) values = opt_push(o, values, opt_string(o, argv[i + 1]));
            Term item = tuple2(opt_alloc(o, 3), opt_atom(a + 1), opt_reverse(o, values));
            args = opt_push(o, args, item);
            continue;
        }
        fprintf(stderr, "cbeam: unknown flag '%s' (see cbeam --help)\n", a);
        exit(1);
    }
    o->start = opt_reverse(o, start);
    /* erl always passes -root (OTP's installation: the parent of its lib
     * directory) first; code_server and friends read it. */
    bool has_root = false;
    for (Term l = args; term_is_list(l); l = list_tail(l))
        has_root |= tuple_elements(list_head(l))[0] == opt_atom("root");
    o->args = opt_reverse(o, args);
    char *root = strdup(o->otp_lib);
    char *slash = root ? strrchr(root, '/') : NULL;
    if (!has_root && slash && slash != root) {
        *slash = 0;
        Term v = cons(opt_alloc(o, 2), opt_string(o, root), NIL);
        o->args = cons(opt_alloc(o, 2), tuple2(opt_alloc(o, 3), opt_atom("root"), v), o->args);
    }
    free(root);
    o->plain = opt_reverse(o, plain);
}

static int cmp_strings(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* runtime, -pa dirs, ".", every OTP lib/APP/ebin, -pz dirs. */
static size_t build_code_path(const run_options *o, char **path, size_t cap)
{
    size_t n = 0;
    const char *runtime = getenv("CBEAM_RUNTIME_DIR");
    if (!o->otp_boot) path[n++] = strdup(runtime ? runtime : CBEAM_RUNTIME_DIR);
    for (size_t i = 0; i < o->npa; i++) path[n++] = strdup(o->pa[i]);
    path[n++] = strdup(".");
    DIR *d = opendir(o->otp_lib);
    if (d) {
        size_t first = n;
        struct dirent *ent;
        while ((ent = readdir(d)) && n + o->npz < cap) {
            if (ent->d_name[0] == '.') continue;
            strbuf sb = STRBUF_INIT;
            sb_printf(&sb, "%s/%s/ebin", o->otp_lib, ent->d_name);
            if (access(sb_str(&sb), R_OK) == 0) path[n++] = strdup(sb_str(&sb));
            sb_free(&sb);
        }
        closedir(d);
        qsort(path + first, n - first, sizeof *path, cmp_strings);
    } else {
        fprintf(stderr, "cbeam: cannot read OTP's lib directory %s (set +otp_lib or CBEAM_OTP_LIB)\n", o->otp_lib);
    }
    for (size_t i = 0; i < o->npz; i++) path[n++] = strdup(o->pz[i]);
    /* OTP's boot: runtime/ last, so that OTP's init wins
     * but cbeam_on_load (the runner of lazily loaded on_load modules) is
     * still found. */
    if (o->otp_boot) path[n++] = strdup(runtime ? runtime : CBEAM_RUNTIME_DIR);
    return n;
}

/* erlexec's arguments before the user's, as erl passes them to init:
 * -root R -bindir R/erts-V/bin -progname erl -- -home H --. NULL if OTP's
 * erts directory is not found next to its lib directory. */
static char **erlexec_args(const char *otp_lib, int *n)
{
    char *root = strdup(otp_lib), *slash = strrchr(root, '/');
    if (slash && slash != root) *slash = 0;
    DIR *d = opendir(root);
    char *erts = NULL;
    for (struct dirent *e; d && (e = readdir(d));)
        if (strncmp(e->d_name, "erts-", 5) == 0) {
            free(erts);
            erts = strdup(e->d_name);
        }
    if (d) closedir(d);
    if (!erts) {
        free(root);
        return NULL;
    }
    strbuf bindir = STRBUF_INIT;
    sb_printf(&bindir, "%s/%s/bin", root, erts);
    free(erts);
    const char *home = getenv("HOME");
    char **v = calloc(10, sizeof *v);
    const char *args[] = { "-root", root, "-bindir", sb_str(&bindir), "-progname", "erl", "--", "-home", home ? home : "/", "--" };
    for (int i = 0; i < 10; i++) v[i] = strdup(args[i]);
    *n = 10;
    free(root);
    sb_free(&bindir);
    return v;
}

/* A command-line argument as a binary, as erlexec passes it. */
static Term opt_binary(run_options *o, const char *arg)
{
    size_t n = strlen(arg);
    if (n > 64) {
        Binary *b = binary_alloc(n);
        if (!b) abort();
        memcpy(b->bytes, arg, n);
        return procbin_make(opt_alloc(o, PROC_BIN_WORDS), b, &o->lits.off_heap);
    }
    Term *hp = opt_alloc(o, 2 + (n + 7) / 8);
    hp[0] = make_header(1 + (n + 7) / 8, HDR_HEAP_BIN);
    hp[1] = n;
    memcpy(hp + 2, arg, n);
    return make_boxed(hp);
}

/* erl_init:start/2's arguments: init and the command line as erlexec
 * passes it (binaries, without the emulator's + flags), erlexec's own
 * arguments first unless -root is given; see docs/architecture.md. */
static Term otp_boot_args(run_options *o, int argc, char **argv)
{
    bool has_root = false;
    for (int i = 1; i < argc; i++) has_root |= strcmp(argv[i], "-root") == 0;
    int nexec = 0;
    char **exec = has_root ? NULL : erlexec_args(o->otp_lib, &nexec);
    char **all = calloc((size_t)(argc + nexec), sizeof *all);
    int nall = 0;
    for (int i = 0; i < nexec; i++) all[nall++] = exec[i];
    for (int i = 1; i < argc; i++)
        if (!o->emulator_flag[i]) all[nall++] = argv[i];
    Term list = NIL;
    for (int i = nall - 1; i >= 0; i--) list = cons(opt_alloc(o, 2), opt_binary(o, all[i]), list);
    for (int i = 0; i < nexec; i++) free(exec[i]);
    free(exec);
    free(all);
    return cons(opt_alloc(o, 2), am_init, cons(opt_alloc(o, 2), list, NIL));
}

/* OTP's preloaded modules are loaded before the first process, as OTP's
 * emulator has them built in. */
static void load_preloaded(void)
{
    static const char *const preloaded[] = {
        "erts_code_purger", "erl_init", "init", "prim_buffer", "prim_eval", "prim_inet", "prim_file",
        "zlib", "socket_registry", "prim_socket", "prim_net", "prim_zip", "erl_prim_loader", "erlang",
        "erts_internal", "erl_tracer", "erts_literal_area_collector", "erts_dirty_process_signal_handler",
        "atomics", "counters", "persistent_term",
    };
    for (size_t i = 0; i < sizeof preloaded / sizeof preloaded[0]; i++) {
        strbuf err = STRBUF_INIT;
        if (!module_ensure_loaded(opt_atom(preloaded[i]), &err)) fprintf(stderr, "cbeam: %s\n", sb_str(&err));
        sb_free(&err);
    }
}

static int run_erlang(int argc, char **argv)
{
    run_options o = { 0 };
    o.pa = calloc((size_t)argc, sizeof *o.pa);
    o.pz = calloc((size_t)argc, sizeof *o.pz);
    o.emulator_flag = calloc((size_t)argc, sizeof *o.emulator_flag);
    const char *env_lib = getenv("CBEAM_OTP_LIB");
    o.otp_lib = env_lib ? env_lib : CBEAM_OTP_LIB_DIR;
    literal_area_init(&o.lits);
    o.otp_boot = true;   /* as erl; +direct says otherwise */
    parse_run_args(&o, argc, argv);
    char *path[1024];
    size_t npath = build_code_path(&o, path, 1024 - 8);
    module_table_init((const char *const *)path, npath);
    emu_init();
    if (!o.schedulers) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        o.schedulers = o.schedulers_online = cores < 1 ? 1 : cores > MAX_SCHEDULERS ? MAX_SCHEDULERS : (unsigned)cores;
    }
    process_table_init(o.process_limit ? o.process_limit : PROCESS_LIMIT_DEFAULT);
    sched_setup(o.schedulers);
    sched_set_online(o.schedulers_online);
    /* Console IO runs on its own thread from here on: everything printed
     * while code runs goes through io_write (io_thread.h). */
    if (!io_start()) fputs("cbeam: cannot start the IO thread: output is written directly, no input\n", stderr);
    Term boot = tuple3(opt_alloc(&o, 4), o.start, o.args, o.plain);
    Term boot_args = cons(opt_alloc(&o, 2), boot, NIL);
    Term first_m = am_init, first_f = am_boot;
    if (o.otp_boot) {
        boot_args = otp_boot_args(&o, argc, argv);
        emu_otp_boot = true;
        load_preloaded();
        first_m = opt_atom("erl_init");
        first_f = opt_atom("start");
    }
    Process *init = process_create(NULL, first_m, first_f, boot_args, NULL);
    if (init) {
        vm.init_pid = init->pid;
        process_start(vm.sched[0], init);
        if (o.otp_boot) {
            /* OTP's emulator starts erts_code_purger (high priority) right
             * after the first process; runtime/init.erl does in direct mode. */
            spawn_opts so = spawn_opts_default;
            so.priority = PRIO_HIGH;
            Process *purger = process_create(NULL, opt_atom("erts_code_purger"), opt_atom("start"), NIL, &so);
            if (purger) process_start(vm.sched[0], purger);
        }
    } else {
        io_stop();
        fputs("cbeam: cannot start the first process\n", stderr);
        return 1;
    }
    literal_area_free(&o.lits);
    sched_run();
    /* Writes out everything queued (nothing is lost at halt) and joins the
     * IO thread. */
    io_stop();
    /* Every thread that records has stopped: write the trace, the report. */
    prof_finish();
    for (size_t i = 0; i < npath; i++) free(path[i]);
    free(o.pa);
    free(o.pz);
    free(o.emulator_flag);
    return atomic_load(&vm.exit_status);
}

int main(int argc, char **argv)
{
    if (argc < 2) {   /* as erl: the shell */
        atom_init(0);
        return run_erlang(argc, argv);
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
    if (argv[1][0] == '-' || argv[1][0] == '+') return run_erlang(argc, argv);
    fprintf(stderr, "cbeam: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 1;
}
