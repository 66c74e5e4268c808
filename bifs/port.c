/*
 * bifs/port.c — the port BIFs: erlang:ports/0, port_to_list/1,
 * list_to_port/1 and the erts_internal natives behind OTP's erlang.erl
 * open_port/2, port_command/2,3, port_close/1, port_connect/2 and
 * port_info/1,2.
 *
 * As in OTP, an erts_internal port BIF answers either at once (a result
 * or an error atom that erlang.erl raises with the caller's arguments) or
 * with a reference, and the answer arrives as {Ref, Result}: open_port
 * does that, so that the program is spawned on the IO thread while the
 * caller waits in a receive, never the scheduler.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "atom.h"
#include "bif.h"
#include "sysmon.h"
#include "port.h"
#include "port_io.h"
#include "scheduler.h"
#include "strbuf.h"
#include "term_build.h"
#include "utf8.h"

char **os_environ_copy(void);
uint64_t ref_next_id(void);

static Term chars_to_list(Process *p, const char *s, size_t n)
{
    return charlist_from(bif_alloc(p, 2 * n), s, n);
}

Term bif_erlang_ports_0(Process *p, Term *args)
{
    (void)args;
    size_t max = port_count() + 16;
    Term *ids = malloc(max * sizeof *ids);
    if (!ids) abort();
    size_t n = port_all(ids, max);
    Term *hp = bif_alloc(p, 2 * n), list = NIL;
    for (size_t i = n; i-- > 0;) list = cons(hp + 2 * i, ids[i], list);
    free(ids);
    return list;
}

Term bif_erlang_port_to_list_1(Process *p, Term *args)
{
    if (!term_is_port(args[0])) BIF_ERROR(p, EXC_BADARG);
    char buf[48];
    int n = snprintf(buf, sizeof buf, "#Port<0.%llu>", (unsigned long long)(args[0] >> TAG_IMMED1_SIZE));
    return chars_to_list(p, buf, (size_t)n);
}

/* "#Port<0.N>" for this node; N below 2^28 (OTP 25's port data). */
Term bif_erlang_list_to_port_1(Process *p, Term *args)
{
    char buf[48];
    size_t n = 0;
    for (Term t = args[0]; term_is_list(t); t = list_tail(t)) {
        Term c = list_head(t);
        if (n == sizeof buf - 1 || !term_is_small(c) || small_value(c) < 0 || small_value(c) > 255) BIF_ERROR(p, EXC_BADARG);
        buf[n++] = (char)small_value(c);
    }
    if (list_length(args[0]) < 0) BIF_ERROR(p, EXC_BADARG);
    buf[n] = 0;
    const char *prefix = "#Port<0.";
    size_t plen = strlen(prefix);
    if (n < plen + 2 || memcmp(buf, prefix, plen) != 0 || buf[n - 1] != '>') BIF_ERROR(p, EXC_BADARG);
    uint64_t v = 0;
    for (size_t i = plen; i < n - 1; i++) {
        if (buf[i] < '0' || buf[i] > '9') BIF_ERROR(p, EXC_BADARG);
        v = v * 10 + (uint64_t)(buf[i] - '0');
        if (v >= (UINT64_C(1) << 28)) BIF_ERROR(p, EXC_BADARG);
    }
    return ((Term)v << TAG_IMMED1_SIZE) | TAG_IMMED1_PORT;
}

/* --- open_port ---------------------------------------------------------- */

/* Appends the code points of a (deep) character list as UTF-8; false if
 * t holds anything else, or NUL. */
static bool chars_utf8(strbuf *sb, Term t, unsigned depth)
{
    if (depth > 100) return false;
    for (; term_is_list(t); t = list_tail(t)) {
        Term c = list_head(t);
        if (term_is_list(c) || term_is_nil(c)) {
            if (!chars_utf8(sb, c, depth + 1)) return false;
            continue;
        }
        if (!term_is_small(c) || small_value(c) <= 0 || small_value(c) > 0x10FFFF) return false;
        char u[4];
        sb_put(sb, u, utf8_encode((uint32_t)small_value(c), u));
    }
    return term_is_nil(t);
}

/* A file name, program argument or directory as OTP converts them: an
 * atom, a binary, or a (deep) list of characters, UTF-8 encoded; with
 * `env` (environment names and values) only the list. NULL if it is none
 * of those or holds NUL. */
static char *name_cstring(Term t, bool env)
{
    strbuf sb = STRBUF_INIT;
    bool ok = true;
    if (env && !term_is_list(t) && !term_is_nil(t)) {
        ok = false;
    } else if (term_is_atom(t)) {
        sb_puts(&sb, atom_text(t));
    } else if (term_is_binary_like(t)) {
        const uint8_t *bytes;
        size_t size;
        ok = binary_bytes(t, &bytes, &size) && !memchr(bytes, 0, size);
        if (ok) sb_put(&sb, (const char *)bytes, size);
    } else {
        ok = (term_is_list(t) || term_is_nil(t)) && chars_utf8(&sb, t, 0);
    }
    char *s = ok ? strdup(sb_str(&sb)) : NULL;
    sb_free(&sb);
    if (ok && !s) abort();
    return s;
}

typedef struct open_opts {
    uint32_t flags;
    unsigned packet;
    SWord line;
    size_t busy_high, busy_low;
    Term env, args, arg0, cd;
    bool have_env;
} open_opts;

/* {busy_limits_port | busy_limits_msgq, {Low, High} | disabled}, checked
 * as OTP does; the message-queue limits have no effect (a sender to a
 * port is never suspended by its message queue). */
static bool parse_busy_limits(Term key, Term v, open_opts *o)
{
    SWord lo = 0, hi = 0;
    if (v != ATOM_NAMED("disabled") &&
        (!term_is_tuple(v) || tuple_arity(v) != 2 || !small_in_range(tuple_elements(v)[0], 1, MAX_SMALL, &lo) ||
         !small_in_range(tuple_elements(v)[1], 1, MAX_SMALL, &hi)))
        return false;
    if (key == ATOM_NAMED("busy_limits_port")) {
        o->busy_high = (size_t)hi;
        o->busy_low = (size_t)(lo > hi ? hi : lo);
    }
    return true;
}

/* One {Key, Value} setting; false if it is not one of OTP's. */
static bool parse_tuple_setting(Term key, Term v, open_opts *o)
{
    if (key == ATOM_NAMED("packet")) {
        if (!term_is_small(v) || (small_value(v) != 1 && small_value(v) != 2 && small_value(v) != 4)) return false;
        o->packet = (unsigned)small_value(v);
    } else if (key == ATOM_NAMED("line")) {
        if (!term_is_small(v) || small_value(v) <= 0) return false;
        o->line = small_value(v);
    } else if (key == ATOM_NAMED("env")) {
        if (list_length(v) < 0) return false;
        for (Term e = v; term_is_list(e); e = list_tail(e))
            if (!term_is_tuple(list_head(e)) || tuple_arity(list_head(e)) != 2) return false;
        o->env = v;
        o->have_env = true;
    } else if (key == ATOM_NAMED("args")) {
        if (list_length(v) < 0) return false;
        o->args = v;
    } else if (key == ATOM_NAMED("arg0")) {
        o->arg0 = v;
    } else if (key == ATOM_NAMED("cd")) {
        o->cd = v;
    } else if (key == ATOM_NAMED("parallelism")) {
        return v == am_true || v == am_false;
    } else if (key == ATOM_NAMED("busy_limits_port") || key == ATOM_NAMED("busy_limits_msgq")) {
        return parse_busy_limits(key, v, o);
    } else {
        return false;
    }
    return true;
}

/* One atom setting; false if it is not one of OTP's. */
static bool parse_atom_setting(Term opt, open_opts *o, uint32_t *rw)
{
    if (opt == ATOM_NAMED("stream")) o->packet = 0;
    else if (opt == ATOM_NAMED("use_stdio")) o->flags |= PORT_F_USE_STDIO;
    else if (opt == ATOM_NAMED("nouse_stdio")) o->flags &= ~PORT_F_USE_STDIO;
    else if (opt == ATOM_NAMED("stderr_to_stdout")) o->flags |= PORT_F_STDERR;
    else if (opt == ATOM_NAMED("line")) o->line = 512;
    else if (opt == ATOM_NAMED("binary")) o->flags |= PORT_F_BINARY;
    else if (opt == ATOM_NAMED("in")) *rw |= PORT_F_IN;
    else if (opt == ATOM_NAMED("out")) *rw |= PORT_F_OUT;
    else if (opt == ATOM_NAMED("eof")) o->flags |= PORT_F_EOF;
    else if (opt == ATOM_NAMED("hide")) o->flags |= PORT_F_HIDE;
    else if (opt == ATOM_NAMED("exit_status")) o->flags |= PORT_F_EXIT_STATUS;
    else if (opt != ATOM_NAMED("overlapped_io")) return false;
    return true;
}

/* open_port's settings, with OTP's defaults and its mutual exclusions. */
static bool parse_settings(Term settings, open_opts *o)
{
    *o = (open_opts){ .flags = PORT_F_USE_STDIO, .env = NIL, .args = THE_NON_VALUE, .arg0 = THE_NON_VALUE,
                      .cd = THE_NON_VALUE, .busy_high = PORT_BUSY_HIGH, .busy_low = PORT_BUSY_LOW };
    if (list_length(settings) < 0) return false;
    uint32_t rw = 0;
    for (Term l = settings; term_is_list(l); l = list_tail(l)) {
        Term opt = list_head(l);
        bool ok = term_is_tuple(opt) && tuple_arity(opt) == 2
                      ? parse_tuple_setting(tuple_elements(opt)[0], tuple_elements(opt)[1], o)
                      : parse_atom_setting(opt, o, &rw);
        if (!ok) return false;
    }
    o->flags |= rw ? rw : PORT_F_IN | PORT_F_OUT;
    if (o->line && o->packet) return false;
    if ((o->flags & PORT_F_STDERR) && !(o->flags & PORT_F_USE_STDIO)) return false;
    return true;
}

static void strv_free(char **v)
{
    for (char **a = v; a && *a; a++) free(*a);
    free(v);
}

/* The environment: cbeam's own, with {Name, Value} set and {Name, false}
 * (or []) unset. False if an entry is malformed. */
static bool build_env(Term env, char ***out)
{
    char **v = os_environ_copy();
    size_t n = 0;
    while (v[n]) n++;
    for (Term e = env; term_is_list(e); e = list_tail(e)) {
        Term kv = list_head(e);
        char *name = name_cstring(tuple_elements(kv)[0], true);
        Term val = tuple_elements(kv)[1];
        bool unset = val == am_false || val == NIL;
        char *value = unset ? NULL : name_cstring(val, true);
        if (!name || strchr(name, '=') || (!unset && !value)) {
            free(name);
            free(value);
            strv_free(v);
            return false;
        }
        size_t nl = strlen(name);
        for (size_t i = 0; i < n; i++) {
            if (strncmp(v[i], name, nl) == 0 && v[i][nl] == '=') {
                free(v[i]);
                v[i] = v[--n];
                v[n] = NULL;
                break;
            }
        }
        if (!unset) {
            v = realloc(v, (n + 2) * sizeof *v);
            if (!v) abort();
            v[n] = malloc(nl + strlen(value) + 2);
            if (!v[n]) abort();
            sprintf(v[n], "%s=%s", name, value);
            v[++n] = NULL;
        }
        free(name);
        free(value);
    }
    *out = v;
    return true;
}

/* argv for spawn_executable: arg0 (default: the file), then args. */
static bool build_argv(const char *file, const open_opts *o, char ***out)
{
    SWord nargs = o->args == THE_NON_VALUE ? 0 : list_length(o->args);
    char **v = calloc((size_t)nargs + 2, sizeof *v);
    if (!v) abort();
    v[0] = o->arg0 == THE_NON_VALUE ? strdup(file) : name_cstring(o->arg0, false);
    bool ok = v[0] != NULL;
    size_t i = 1;
    for (Term a = o->args == THE_NON_VALUE ? NIL : o->args; ok && term_is_list(a); a = list_tail(a)) {
        v[i] = name_cstring(list_head(a), false);
        ok = v[i++] != NULL;
    }
    if (!ok) {
        strv_free(v);
        return false;
    }
    *out = v;
    return true;
}

/* The program to run, or NULL (badarg). *name is the port's name. */
static port_spawn_spec *spawn_spec(Term kind, Term what, const open_opts *o, char **name)
{
    char *cmd = name_cstring(what, false);
    if (!cmd || !*cmd) {
        free(cmd);
        return NULL;
    }
    port_spawn_spec *s = calloc(1, sizeof *s);
    if (!s) abort();
    bool ok = true;
    if (kind == ATOM_NAMED("spawn")) {
        /* As OTP: the shell runs the command with exec. */
        s->file = strdup("/bin/sh");
        s->argv = calloc(4, sizeof *s->argv);
        if (!s->file || !s->argv) abort();
        s->argv[0] = strdup("sh");
        s->argv[1] = strdup("-c");
        s->argv[2] = malloc(strlen(cmd) + 6);
        if (!s->argv[0] || !s->argv[1] || !s->argv[2]) abort();
        sprintf(s->argv[2], "exec %s", cmd);
    } else {
        /* No PATH search: a bare name is relative to the working directory. */
        s->file = malloc(strlen(cmd) + 3);
        if (!s->file) abort();
        sprintf(s->file, "%s%s", strchr(cmd, '/') ? "" : "./", cmd);
        ok = build_argv(cmd, o, &s->argv);
    }
    if (ok && o->cd != THE_NON_VALUE) ok = (s->cwd = name_cstring(o->cd, false)) != NULL;
    if (ok) ok = build_env(o->have_env ? o->env : NIL, &s->env);
    if (!ok) {
        port_spawn_spec_free(s);
        free(cmd);
        return NULL;
    }
    *name = cmd;
    return s;
}

/* A vanilla port's name: an atom, or a flat non-empty list of bytes
 * (OTP's is_string). NULL if it is neither. */
static char *vanilla_name(Term name)
{
    if (term_is_atom(name)) {
        char *s = strdup(atom_text(name));
        if (!s) abort();
        return s;
    }
    SWord n = list_length(name);
    if (n <= 0) return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s) abort();
    size_t i = 0;
    for (Term t = name; term_is_list(t); t = list_tail(t)) {
        SWord c;
        if (!small_in_range(list_head(t), 0, 255, &c)) {
            free(s);
            return NULL;
        }
        s[i++] = (char)c;
    }
    s[i] = 0;   /* a NUL inside cuts the name, as OTP's C string does */
    return s;
}

static Term open_with(Process *p, char *pname, port_spawn_spec *spec, port_kind pk, const open_opts *o,
                      int in_fd, int out_fd);

/* Options only {spawn_executable, _} takes. */
static bool spawn_only_options(const open_opts *o)
{
    return o->args != THE_NON_VALUE || o->arg0 != THE_NON_VALUE;
}

static Term open_vanilla(Process *p, char *vname, const open_opts *o)
{
    if (spawn_only_options(o) || (o->flags & PORT_F_EXIT_STATUS)) {
        free(vname);
        return am_badarg;
    }
    return open_with(p, vname, NULL, PORT_FILE, o, -1, -1);
}

static Term open_fd(Process *p, Term in, Term out, const open_opts *o)
{
    SWord i, j;
    if (!term_is_small(in) || !term_is_small(out)) return am_badarg;
    if (spawn_only_options(o) || (o->flags & PORT_F_EXIT_STATUS)) return am_badarg;
    /* OTP's fd driver refuses what is no descriptor number. */
    if (!small_in_range(in, 0, INT32_MAX, &i) || !small_in_range(out, 0, INT32_MAX, &j)) return ATOM_NAMED("einval");
    char *pname = malloc(32);
    if (!pname) abort();
    snprintf(pname, 32, "%d/%d", (int)i, (int)j);
    return open_with(p, pname, NULL, PORT_FD, o, (int)i, (int)j);
}

/* {spawn, "tty_sl ..."} names OTP's line-editing terminal driver, which
 * cbeam does not have. OTP's fails to start with einval when standard
 * input or output is no terminal, and user_drv then falls back to the
 * plain line-reading shell (user.erl); cbeam always takes that path
 * (README, "Differences from OTP"). */
static bool names_tty_driver(Term command)
{
    char *cmd = name_cstring(command, false);
    bool tty = cmd && strncmp(cmd, "tty_sl", 6) == 0 && (cmd[6] == 0 || cmd[6] == ' ');
    free(cmd);
    return tty;
}

Term bif_erts_internal_open_port_2(Process *p, Term *args)
{
    Term name = args[0];
    open_opts o;
    if (!parse_settings(args[1], &o)) return am_badarg;
    char *vname = term_is_tuple(name) ? NULL : vanilla_name(name);
    if (vname) return open_vanilla(p, vname, &o);
    if (!term_is_tuple(name) || tuple_arity(name) == 0) return am_badarg;
    Term kind = tuple_elements(name)[0];
    if ((kind == ATOM_NAMED("spawn") || kind == ATOM_NAMED("spawn_executable")) && tuple_arity(name) == 2) {
        if (kind == ATOM_NAMED("spawn") && spawn_only_options(&o)) return am_badarg;
        if (kind == ATOM_NAMED("spawn") && names_tty_driver(tuple_elements(name)[1])) return ATOM_NAMED("einval");
        char *pname = NULL;
        port_spawn_spec *spec = spawn_spec(kind, tuple_elements(name)[1], &o, &pname);
        return spec ? open_with(p, pname, spec, PORT_SPAWN, &o, -1, -1) : am_badarg;
    }
    if (kind == ATOM_NAMED("fd") && tuple_arity(name) == 3) return open_fd(p, tuple_elements(name)[1], tuple_elements(name)[2], &o);
    return am_badarg;   /* spawn_driver: cbeam has no linked-in drivers */
}

/* Creates the port and posts its opening to the IO thread: the answer is
 * the reference the opener waits on. */
static Term open_with(Process *p, char *pname, port_spawn_spec *spec, port_kind pk, const open_opts *o,
                      int in_fd, int out_fd)
{
    port_params params = { pk, o->flags, (uint8_t)o->packet, (uint32_t)o->line, in_fd, out_fd, o->busy_high, o->busy_low };
    Port *port = port_create(p, pname, &params);
    if (!port) {
        port_spawn_spec_free(spec);
        return am_system_limit;
    }
    uint64_t ref = ref_next_id();
    if (!port_io_open(port, spec, p->pid, ref)) {
        port_discard(port);
        port_put(port);
        return am_badarg;   /* no IO thread (cbeam check) */
    }
    port_put(port);
    Term *hp = bif_alloc(p, 2);
    hp[0] = make_header(1, HDR_REF);
    hp[1] = ref;
    return make_boxed(hp);
}

/* --- commands, close, connect --------------------------------------------------- */

/* A port argument: the port, or the registered name of one. */
static Port *port_arg(Term t) { return port_resolve(t); }

/* force needs a driver with soft busy (notsup for cbeam's two drivers);
 * a busy port suspends the caller: the answer is a reference, and
 * erlang.erl waits for {Ref, true} (port.c sends it when the command is
 * queued). */
Term bif_erts_internal_port_command_3(Process *p, Term *args)
{
    bool nosuspend = false, force = false;
    if (list_length(args[2]) < 0) return am_badarg;
    for (Term o = args[2]; term_is_list(o); o = list_tail(o)) {
        if (list_head(o) == ATOM_NAMED("force")) force = true;
        else if (list_head(o) == ATOM_NAMED("nosuspend")) nosuspend = true;
        else return am_badarg;
    }
    Port *port = port_arg(args[0]);
    if (!port) return am_badarg;
    uint8_t *bytes;
    size_t len;
    /* A port opened without `out` takes the command and then dies with
     * ebadf (port_io.c), as in OTP. */
    if (!port_iolist_bytes(args[1], &bytes, &len)) {
        port_put(port);
        return am_badarg;
    }
    if (force) {
        free(bytes);
        port_put(port);
        return ATOM_NAMED("notsup");
    }
    BUMP_REDS(p, len / 64);
    uint64_t ref = ref_next_id();
    port_cmd_result r = port_command(port, bytes, len, p->pid, nosuspend, ref);
    free(bytes);
    port_put(port);
    switch (r) {
    case PORT_CMD_OK: return am_true;
    case PORT_CMD_BUSY: return am_false;
    case PORT_CMD_CLOSED: return am_badarg;
    case PORT_CMD_WAIT: break;
    }
    if (sysmon_on()) sysmon_busy_port(p, args[0]);   /* p is suspended on it */
    Term *hp = bif_alloc(p, 2);
    hp[0] = make_header(1, HDR_REF);
    hp[1] = ref;
    return make_boxed(hp);
}

Term bif_erts_internal_port_close_1(Process *p, Term *args)
{
    (void)p;
    Port *port = port_arg(args[0]);
    if (!port) return am_badarg;
    bool closed = port_terminate(port, am_normal);
    port_put(port);
    return closed ? am_true : am_badarg;
}

Term bif_erts_internal_port_connect_2(Process *p, Term *args)
{
    (void)p;
    if (!term_is_pid(args[1])) return am_badarg;
    Port *port = port_arg(args[0]);
    if (!port) return am_badarg;
    bool ok = port_connect(port, args[1]);
    port_put(port);
    return ok ? am_true : am_badarg;
}

/* --- port_info ------------------------------------------------------------ */

/* The value of one item, or THE_NON_VALUE for an unknown item. */
static Term info_value(Process *p, Port *port, Term item)
{
    if (item == ATOM_NAMED("name")) return chars_to_list(p, port->name, strlen(port->name));
    if (item == ATOM_NAMED("id")) return make_small(port_index(port->id));
    if (item == ATOM_NAMED("input")) return make_small((SWord)atomic_load(&port->input));
    if (item == ATOM_NAMED("output")) return make_small((SWord)atomic_load(&port->output));
    if (item == ATOM_NAMED("locking")) return ATOM_NAMED("port_level");
    if (item == ATOM_NAMED("parallelism")) return am_false;
    if (item == ATOM_NAMED("registered_name")) return registry_port_name(port->id);
    pthread_mutex_lock(&port->lock);
    Term v = THE_NON_VALUE;
    if (item == ATOM_NAMED("connected")) {
        v = port->connected;
    } else if (item == ATOM_NAMED("os_pid")) {
        v = port->os_pid < 0 ? am_undefined : make_small(port->os_pid);
    } else if (item == ATOM_NAMED("queue_size")) {
        v = make_small((SWord)port->outq_bytes);
    } else if (item == ATOM_NAMED("memory")) {
        v = make_small((SWord)(sizeof *port + strlen(port->name) + 1));
    } else if (item == ATOM_NAMED("links") || item == ATOM_NAMED("monitored_by")) {
        bool links = item == ATOM_NAMED("links");
        size_t n = links ? port->nlinks : port->nmonitors;
        Term *hp = bif_alloc(p, 2 * n);
        v = NIL;
        for (size_t i = n; i-- > 0;) v = cons(hp + 2 * i, links ? port->links[i] : port->monitors[i].pid, v);
    } else if (item == ATOM_NAMED("monitors")) {
        v = NIL;
    }
    pthread_mutex_unlock(&port->lock);
    return v;
}

Term bif_erts_internal_port_info_2(Process *p, Term *args)
{
    if (!term_is_port(args[0]) && !term_is_atom(args[0])) return am_badarg;
    Port *port = port_arg(args[0]);
    if (!port) return am_undefined;
    Term v = info_value(p, port, args[1]);
    port_put(port);
    if (v == THE_NON_VALUE) return am_badarg;
    if (args[1] == ATOM_NAMED("registered_name") && v == NIL) return NIL;   /* [] when unnamed */
    return tuple2(bif_alloc(p, 3), args[1], v);
}

Term bif_erts_internal_port_info_1(Process *p, Term *args)
{
    if (!term_is_port(args[0]) && !term_is_atom(args[0])) return am_badarg;
    Port *port = port_arg(args[0]);
    if (!port) return am_undefined;
    static const char *const items[] = { "name", "links", "id", "connected", "input", "output", "os_pid" };
    const size_t n = sizeof items / sizeof items[0];
    Term vals[sizeof items / sizeof items[0]];
    Term keys[sizeof items / sizeof items[0]];
    for (size_t i = 0; i < n; i++) {
        Term k;
        if (atom_put(items[i], strlen(items[i]), &k) != ATOM_OK) abort();
        keys[i] = k;
        vals[i] = info_value(p, port, k);
    }
    Term name = registry_port_name(port->id);
    port_put(port);
    Term *hp = bif_alloc(p, 5 * n + 5), list = NIL;
    for (size_t i = n; i-- > 0;) list = cons(hp + 2 * i, tuple2(hp + 2 * n + 3 * i, keys[i], vals[i]), list);
    /* A registered port's info starts with its name, as in OTP. */
    hp += 5 * n;
    if (name != NIL) list = cons(hp, tuple2(hp + 2, ATOM_NAMED("registered_name"), name), list);
    return list;
}

/* --- port_control, port_call, port data ------------------------------------ */

/* OTP's fd driver answers one control op, the window size (kernel's
 * standard_error and user ask for it): the op number carries tty_sl's
 * magic, the answer is width and height as native 32-bit words, taken
 * from the output fd, else the input fd; no terminal: badarg. The spawn
 * driver has no control op at all. */
#define TTYSL_CONTROL_MAGIC 0x018b0900u
#define FD_CTRL_OP_GET_WINSIZE (TTYSL_CONTROL_MAGIC + 100u)

static bool window_size(int fd, uint32_t wh[2])
{
    struct winsize ws;
    if (fd < 0 || ioctl(fd, TIOCGWINSZ, &ws) != 0) return false;
    wh[0] = ws.ws_col;
    wh[1] = ws.ws_row;
    return true;
}

Term bif_erts_internal_port_control_3(Process *p, Term *args)
{
    SWord op;
    if (!small_in_range(args[1], 0, UINT32_MAX, &op)) return am_badarg;
    Port *port = port_arg(args[0]);
    if (!port) return am_badarg;
    uint8_t *bytes;
    size_t len;
    bool ok = port_iolist_bytes(args[2], &bytes, &len);
    if (ok) free(bytes);
    uint32_t wh[2];
    ok = ok && port->kind == PORT_FD && (uint32_t)op == FD_CTRL_OP_GET_WINSIZE &&
         (window_size((port->flags & PORT_F_OUT) ? port->out_fd : -1, wh) ||
          window_size((port->flags & PORT_F_IN) ? port->in_fd : -1, wh));
    port_put(port);
    if (!ok) return am_badarg;
    uint8_t out[8];
    memcpy(out, wh, sizeof out);
    Term *hp = bif_alloc(p, 2 * sizeof out), list = NIL;
    for (size_t i = sizeof out; i-- > 0;) list = cons(hp + 2 * i, make_small(out[i]), list);
    return list;
}

/* Neither of cbeam's drivers has a call callback. */
Term bif_erts_internal_port_call_3(Process *p, Term *args)
{
    (void)p;
    Port *port = port_arg(args[0]);
    if (port) port_put(port);
    return am_badarg;
}

Term bif_erlang_port_set_data_2(Process *p, Term *args)
{
    Port *port = port_arg(args[0]);
    bool ok = port && port_data_set(port, args[1]);
    if (port) port_put(port);
    if (!ok) BIF_ERROR(p, EXC_BADARG);
    return am_true;
}

Term bif_erlang_port_get_data_1(Process *p, Term *args)
{
    Port *port = port_arg(args[0]);
    Term v = THE_NON_VALUE;
    bool ok = port && port_data_get(port, p, &v);
    if (port) port_put(port);
    if (!ok) BIF_ERROR(p, EXC_BADARG);
    return v;
}
