/*
 * sysmon.c — erlang:system_monitor/2's settings and messages (sysmon.h).
 */
#include "sysmon.h"

#include <pthread.h>
#include <time.h>

#include "atom.h"
#include "emu.h"
#include "scheduler.h"
#include "term_build.h"

_Atomic bool sysmon_active;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic Term monitor_pid = NIL;
static _Atomic uint32_t long_gc_ms, long_schedule_ms;
static _Atomic UWord large_heap_words;
static _Atomic bool busy_port, busy_dist_port;

void sysmon_get(sysmon_settings *out)
{
    pthread_mutex_lock(&lock);
    *out = (sysmon_settings){ atomic_load(&monitor_pid), atomic_load(&long_gc_ms), atomic_load(&long_schedule_ms),
                              atomic_load(&large_heap_words), atomic_load(&busy_port), atomic_load(&busy_dist_port) };
    pthread_mutex_unlock(&lock);
}

void sysmon_set(const sysmon_settings *s)
{
    pthread_mutex_lock(&lock);
    atomic_store(&sysmon_active, false);
    atomic_store(&monitor_pid, s->pid);
    atomic_store(&long_gc_ms, s->long_gc_ms);
    atomic_store(&long_schedule_ms, s->long_schedule_ms);
    atomic_store(&large_heap_words, s->large_heap_words);
    atomic_store(&busy_port, s->busy_port);
    atomic_store(&busy_dist_port, s->busy_dist_port);
    atomic_store(&sysmon_active, s->pid != NIL);
    pthread_mutex_unlock(&lock);
}

uint64_t sysmon_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* {monitor, Who, What, Info} to the monitor process, if it lives. */
static void notify(Term who, Term what, Term info)
{
    Process *to = process_lookup(atomic_load_explicit(&monitor_pid, memory_order_relaxed));
    if (!to) return;
    Term msg[5];
    send_message(to, tuple4(msg, ATOM_NAMED("monitor"), who, what, info));
}

/* Room for the longest info list: 7 {Tag, N} pairs. */
typedef struct info_buf {
    Term words[7 * (3 + 2)];
    size_t used;
    Term list;
} info_buf;

/* Appends {Tag, Value}; pairs are added last first. */
static void info_push(info_buf *b, Term tag, Term value)
{
    Term *t = b->words + b->used;
    b->used += 5;
    b->list = cons(t + 3, tuple2(t, tag, value), b->list);
}

/* OTP's heap description: the block and used sizes of both generations,
 * the fragments and the stack, in words. */
static void heap_info(info_buf *b, const Process *p)
{
    info_push(b, ATOM_NAMED("heap_size"), make_small((SWord)(p->htop - p->heap)));
    info_push(b, ATOM_NAMED("old_heap_size"), make_small((SWord)(p->old_htop - p->old_heap)));
    info_push(b, ATOM_NAMED("stack_size"), make_small((SWord)(p->hend - p->stop)));
    info_push(b, ATOM_NAMED("mbuf_size"), make_small((SWord)p->mbuf_words));
    info_push(b, ATOM_NAMED("heap_block_size"), make_small((SWord)p->heap_size));
    info_push(b, ATOM_NAMED("old_heap_block_size"), make_small((SWord)(p->old_hend - p->old_heap)));
}

void sysmon_after_gc(Process *p, uint64_t ns)
{
    uint32_t gc_ms = atomic_load_explicit(&long_gc_ms, memory_order_relaxed);
    UWord large = atomic_load_explicit(&large_heap_words, memory_order_relaxed);
    uint64_t ms = ns / 1000000;
    if (gc_ms && ms >= gc_ms) {
        info_buf b = { .list = NIL };
        heap_info(&b, p);
        info_push(&b, ATOM_NAMED("timeout"), make_small((SWord)ms));
        notify(p->pid, ATOM_NAMED("long_gc"), b.list);
    }
    if (large && p->heap_size + (UWord)(p->old_hend - p->old_heap) >= large) {
        info_buf b = { .list = NIL };
        heap_info(&b, p);
        notify(p->pid, ATOM_NAMED("large_heap"), b.list);
    }
}

/* {M, F, A} of the function holding `at`, on `hp`, or undefined. */
static Term location(Term *hp, const BeamInstr *at)
{
    const MFA *mfa = code_mfa_at(at);
    return mfa ? tuple3(hp, mfa->module, mfa->function, make_small(mfa->arity)) : ATOM_NAMED("undefined");
}

void sysmon_after_slice(Process *p, uint64_t ns, const BeamInstr *in, const BeamInstr *out)
{
    uint32_t limit = atomic_load_explicit(&long_schedule_ms, memory_order_relaxed);
    uint64_t ms = ns / 1000000;
    if (!limit || ms < limit) return;
    Term mfa[2][4], pair[3][3], cells[3][2];
    Term info = cons(cells[2], tuple2(pair[2], ATOM_NAMED("out"), location(mfa[1], out)), NIL);
    info = cons(cells[1], tuple2(pair[1], ATOM_NAMED("in"), location(mfa[0], in)), info);
    info = cons(cells[0], tuple2(pair[0], ATOM_NAMED("timeout"), make_small((SWord)ms)), info);
    notify(p->pid, ATOM_NAMED("long_schedule"), info);
}

void sysmon_busy_port(Process *p, Term port)
{
    if (atomic_load_explicit(&busy_port, memory_order_relaxed)) notify(p->pid, ATOM_NAMED("busy_port"), port);
}
