/*
 * os.c — the os module's BIFs: the environment, the OS process id, and the
 * system clock. Variables are read and written as raw bytes; Erlang sees
 * them as lists of bytes (the native encoding of a -noshell VM).
 *
 * The environment is process-global in C; putenv/unsetenv take env_lock
 * so that schedulers do not race each other (getenv copies under it).
 */
#include <langinfo.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atom.h"
#include "bif.h"
#include "term_build.h"

extern char **environ;
static pthread_mutex_t env_lock = PTHREAD_MUTEX_INITIALIZER;

/* A copy of the environment (NULL-terminated, every string malloc'd), for
 * spawning a program (emulator/port_io.c). */
char **os_environ_copy(void)
{
    pthread_mutex_lock(&env_lock);
    size_t n = 0;
    while (environ[n]) n++;
    char **copy = malloc((n + 1) * sizeof *copy);
    if (!copy) abort();
    for (size_t i = 0; i < n; i++) {
        copy[i] = strdup(environ[i]);
        if (!copy[i]) abort();
    }
    copy[n] = NULL;
    pthread_mutex_unlock(&env_lock);
    return copy;
}

static Term bytes_to_list(Process *p, const char *s, size_t n)
{
    return charlist_from(HAlloc(p, 2 * n), s, n);
}

/* A flat list of bytes 1..255 as a NUL-terminated string; NULL if it is
 * not one. The caller frees it. */
static char *list_to_cstring(Term t)
{
    SWord n = list_length(t);
    if (n < 0) return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s) return NULL;
    size_t i = 0;
    for (; term_is_list(t); t = list_tail(t)) {
        Term c = list_head(t);
        if (!term_is_small(c) || small_value(c) < 1 || small_value(c) > 255) { free(s); return NULL; }
        s[i++] = (char)small_value(c);
    }
    s[i] = '\0';
    return s;
}

Term bif_os_getenv_1(Process *p, Term *args)
{
    char *name = list_to_cstring(args[0]);
    if (!name) BIF_ERROR(p, EXC_BADARG);
    pthread_mutex_lock(&env_lock);
    const char *v = getenv(name);
    Term r = v ? bytes_to_list(p, v, strlen(v)) : am_false;
    pthread_mutex_unlock(&env_lock);
    free(name);
    return r;
}

/* os:env() -> [{Name, Value}] */
Term bif_os_env_0(Process *p, Term *args)
{
    (void)args;
    pthread_mutex_lock(&env_lock);
    Term list = NIL;
    for (char **e = environ; *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq) continue;
        Term name = bytes_to_list(p, *e, (size_t)(eq - *e));
        Term value = bytes_to_list(p, eq + 1, strlen(eq + 1));
        Term *hp = HAlloc(p, 5);
        list = cons(hp + 3, tuple2(hp, name, value), list);
    }
    pthread_mutex_unlock(&env_lock);
    return list;
}

Term bif_os_putenv_2(Process *p, Term *args)
{
    char *name = list_to_cstring(args[0]), *value = list_to_cstring(args[1]);
    bool ok = name && value && name[0] && !strchr(name, '=');
    if (ok) {
        pthread_mutex_lock(&env_lock);
        ok = setenv(name, value, 1) == 0;
        pthread_mutex_unlock(&env_lock);
    }
    free(name);
    free(value);
    if (!ok) BIF_ERROR(p, EXC_BADARG);
    return am_true;
}

Term bif_os_unsetenv_1(Process *p, Term *args)
{
    char *name = list_to_cstring(args[0]);
    if (!name) BIF_ERROR(p, EXC_BADARG);
    pthread_mutex_lock(&env_lock);
    unsetenv(name);
    pthread_mutex_unlock(&env_lock);
    free(name);
    return am_true;
}

Term bif_os_getpid_0(Process *p, Term *args)
{
    (void)args;
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld", (long)getpid());
    return bytes_to_list(p, buf, (size_t)n);
}

Term bif_erlang_system_time_0(Process *p, Term *args);
Term bif_erlang_system_time_1(Process *p, Term *args);
Term bif_erlang_timestamp_0(Process *p, Term *args);
Term bif_os_system_time_0(Process *p, Term *args) { return bif_erlang_system_time_0(p, args); }
Term bif_os_system_time_1(Process *p, Term *args) { return bif_erlang_system_time_1(p, args); }
Term bif_os_timestamp_0(Process *p, Term *args) { return bif_erlang_timestamp_0(p, args); }

Term bif_os_perf_counter_0(Process *p, Term *args)
{
    (void)p;
    (void)args;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return make_small((SWord)ts.tv_sec * 1000000000 + ts.tv_nsec);
}

/* file:native_name_encoding/0: utf8 when the locale's character set is
 * UTF-8, else latin1, as OTP decides at start-up (its default +fnu). The
 * locale is read once, without touching the process-wide one. */
Term bif_file_native_name_encoding_0(Process *p, Term *args)
{
    (void)p;
    (void)args;
    static _Atomic int cached;   /* 0 unknown, 1 latin1, 2 utf8 */
    int v = atomic_load(&cached);
    if (v == 0) {
        v = 1;
        locale_t loc = newlocale(LC_CTYPE_MASK, "", (locale_t)0);
        if (loc != (locale_t)0) {
            const char *cs = nl_langinfo_l(CODESET, loc);
            if (cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0)) v = 2;
            freelocale(loc);
        }
        atomic_store(&cached, v);
    }
    return v == 2 ? ATOM_NAMED("utf8") : ATOM_NAMED("latin1");
}
