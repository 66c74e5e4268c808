/*
 * vm_log.c — the emulator's own log events (see vm_log.h).
 */
#include "vm_log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atom.h"
#include "io_thread.h"
#include "literal.h"
#include "map.h"
#include "scheduler.h"
#include "strbuf.h"
#include "term_build.h"
#include "term_print.h"

/* 0 until set: the default, `logger`. A pid is an immediate, so one word. */
static _Atomic Term system_logger;

Term vm_log_system_logger(void)
{
    Term t = atomic_load(&system_logger);
    return t ? t : ATOM_NAMED("logger");
}

Term vm_log_set_system_logger(Term logger)
{
    Term old = atomic_exchange(&system_logger, logger);
    return old ? old : ATOM_NAMED("logger");
}

static uint64_t system_time_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static Term *must_alloc(literal_area *la, size_t words)
{
    Term *hp = sink_alloc(&la->sink, words);
    if (!hp) {
        fputs("cbeam: out of memory building a log event\n", stderr);
        abort();
    }
    return hp;
}

static Term charlist(literal_area *la, const char *s)
{
    size_t n = strlen(s);
    return charlist_from(must_alloc(la, 2 * n), s, n);
}

/* #{error_logger => #{emulator => true, tag => Tag}, gl => GL, pid => Pid,
 * time => Time}, keys in term order as map_from_pairs wants them. */
static Term metadata(literal_area *la, const Process *p, Term tag, uint64_t time_us)
{
    Term inner_keys[2] = { ATOM_NAMED("emulator"), ATOM_NAMED("tag") };
    Term inner_values[2] = { am_true, tag };
    Term inner = map_from_pairs(&la->sink, inner_keys, inner_values, 2);
    Term keys[4] = { ATOM_NAMED("error_logger"), ATOM_NAMED("gl"), ATOM_NAMED("pid"), ATOM_NAMED("time") };
    Term values[4] = { inner, p->group_leader, p->pid, make_small((SWord)time_us) };
    return map_from_pairs(&la->sink, keys, values, 4);
}

/* What erts prints when there is no logger to send to. */
static void print_fallback(const char *format, Term args, uint64_t time_us)
{
    static const char *const months[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    time_t secs = (time_t)(time_us / 1000000u);
    struct tm tm;
    localtime_r(&secs, &tm);
    strbuf sb = STRBUF_INIT;
    sb_printf(&sb, "=ERROR REPORT==== %d-%s-%d::%02d:%02d:%02d.%06u ===\n", tm.tm_mday, months[tm.tm_mon],
              tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)(time_us % 1000000u));
    for (const char *f = format; *f; f++) {
        if (f[0] == '~' && f[1] == 'n') {
            sb_putc(&sb, '\n');
            f++;
        } else if (f[0] == '~' && f[1] == 'p' && term_is_list(args)) {
            term_print_display(&sb, list_head(args));
            args = list_tail(args);
            f++;
        } else {
            sb_putc(&sb, *f);
        }
    }
    sb_putc(&sb, '\n');
    io_write(2, sb_str(&sb), sb.len);
    sb_free(&sb);
}

void vm_log_error(const Process *p, const char *format, Term args)
{
    Term logger = vm_log_system_logger();
    if (logger == am_undefined) return;
    uint64_t now = system_time_us();
    Process *to = term_is_pid(logger) ? process_lookup(logger) : process_whereis(logger);
    if (!to) {
        print_fallback(format, args, now);
        return;
    }
    literal_area la;
    literal_area_init(&la);
    Term meta = metadata(&la, p, am_error, now);
    Term msg = tuple5(must_alloc(&la, 6), ATOM_NAMED("log"), am_error, charlist(&la, format), args, meta);
    send_message(to, msg);
    literal_area_free(&la);
}
