/*
 * prof_trace.c — recording scheduler events (prof.h) and writing them as
 * Chrome trace-event JSON at halt.
 *
 * Recording: each prof_sched owns a ring of PROF_RING_RECORDS fixed-size
 * records, written only by its thread; when full, the owner writes it to
 * its spill file and starts again (see prof.h: nothing is dropped). The
 * shared ring of non-scheduler threads is the same under `ext_lock`.
 *
 * Writing: every ring's records are in time order (one writer each, a
 * monotonic clock, and a record is written when its event ends with the
 * event's start as its time: nothing else happens on that thread in
 * between). prof_finish merges the rings by time, so the JSON is in time
 * order and each track's timestamps never decrease. Slices are B/E pairs;
 * a migration is a zero-length "migrate" slice on the scheduler it left
 * with a flow start ("s"), whose end ("f", bound to the enclosing slice)
 * is at the process's next slice, or at its next migration.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atom.h"
#include "prof.h"
#include "prof_internal.h"
#include "scheduler.h"

prof_config prof_cfg;
_Thread_local prof_sched *prof_self;

static uint64_t origin_ns;   /* set before any scheduler thread starts */
static prof_sched ext_ring;  /* non-scheduler threads, under ext_lock */
static pthread_mutex_t ext_lock = PTHREAD_MUTEX_INITIALIZER;
static bool ext_ready;

static uint64_t clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t prof_now(void) { return clock_ns() - origin_ns; }

/* --- rings --------------------------------------------------------------------- */

static bool ring_init(prof_sched *ps, int id)
{
    ps->id = id;
    ps->spill = -1;
    if (!prof_cfg.trace_file) return true;   /* report only: no ring */
    ps->recs = malloc(PROF_RING_RECORDS * sizeof *ps->recs);
    FILE *f = tmpfile();   /* unlinked: it goes away with the process */
    if (!ps->recs || !f) return false;
    ps->spill = dup(fileno(f));
    fclose(f);
    return ps->spill >= 0;
}

static void write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            fprintf(stderr, "cbeam: +sched_trace: cannot write the spill file: %s\n", strerror(errno));
            abort();
        }
        p += n;
        len -= (size_t)n;
    }
}

/* Out of line: the ring is full. The flush is recorded as a slice of its
 * own, so a pause it causes is visible in the timeline. */
static void __attribute__((noinline)) ring_flush(prof_sched *ps)
{
    uint64_t start = prof_now();
    write_all(ps->spill, ps->recs, ps->n * sizeof *ps->recs);
    ps->n = 0;
    ps->recs[ps->n++] = (prof_rec){ .t = start, .kind = REC_FLUSH, .a = prof_now() - start };
}

/* The next free record (the caller fills it). Owner thread only. */
static inline prof_rec *ring_put(prof_sched *ps, uint64_t t, unsigned kind)
{
    if (__builtin_expect(ps->n == PROF_RING_RECORDS, 0)) ring_flush(ps);
    prof_rec *r = &ps->recs[ps->n++];
    *r = (prof_rec){ .t = t, .kind = (uint8_t)kind };
    return r;
}

prof_sched *prof_sched_new(Scheduler *sd)
{
    if (!origin_ns) origin_ns = clock_ns();   /* sched_setup: one thread */
    if (!ext_ready && prof_cfg.trace_file) ext_ready = ring_init(&ext_ring, 0);
    prof_sched *ps = calloc(1, sizeof *ps);
    if (!ps || !ring_init(ps, sd->id)) {
        fputs("cbeam: cannot set up +sched_trace/+sched_report\n", stderr);
        exit(1);
    }
    ps->sd = sd;
    return ps;
}

void prof_thread_start(Scheduler *sd)
{
    prof_self = sd->prof;
    if (sd->prof) sd->prof->thread_start = prof_now();
}

/* --- hooks ------------------------------------------------------------------------ */

void prof_slice_begin(prof_sched *ps, const Process *p)
{
    uint64_t t = prof_now();
    ps->slice_start = t;
    ps->hint = PROF_END_REDS;
    if (!ps->recs) return;
    prof_rec *r = ring_put(ps, t, REC_BEGIN);
    r->pid = p->pid;
    r->a = atomic_load_explicit(&p->registered_name, memory_order_relaxed);
    r->b = p->initial_call.module;
    r->c = atom_index(p->initial_call.function);
    r->other = (uint16_t)p->initial_call.arity;
}

void prof_slice_hint(prof_sched *ps, enum prof_why why) { ps->hint = why; }

void prof_slice_end(prof_sched *ps, const Process *p, uint64_t reds, enum prof_why why)
{
    uint64_t t = prof_now(), d = t - ps->slice_start;
    if (why == PROF_END_REDS) why = ps->hint;
    ps->busy_ns += d;
    if (d > ps->longest_ns) ps->longest_ns = d, ps->longest_pid = p->pid;
    if (!ps->recs) return;
    prof_rec *r = ring_put(ps, t, REC_END);
    r->pid = p->pid;
    r->a = reds;
    r->why = (uint8_t)why;
}

static void put_migration(prof_sched *ps, const Process *p, int from, int to, enum prof_migrate_why why)
{
    prof_rec *r = ring_put(ps, prof_now(), REC_MIGRATE);
    r->pid = p->pid;
    r->c = (uint32_t)from;
    r->other = (uint16_t)to;
    r->why = (uint8_t)why;
}

void prof_migrate(const Process *p, int from, int to, enum prof_migrate_why why)
{
    prof_sched *ps = prof_self;
    if (ps) {
        if (ps->recs) put_migration(ps, p, from, to, why);
        return;
    }
    if (!ext_ready) return;
    pthread_mutex_lock(&ext_lock);
    put_migration(&ext_ring, p, from, to, why);
    pthread_mutex_unlock(&ext_lock);
}

void prof_runq(prof_sched *ps, uint64_t len)
{
    /* Only changes: the counter is a step function. */
    if (!ps->recs || (len == ps->last_len && ps->len_recorded)) return;
    ps->last_len = len;
    ps->len_recorded = true;
    ring_put(ps, prof_now(), REC_RUNQ)->a = len;
}

void prof_sleep(prof_sched *ps)
{
    ps->sleep_start = prof_now();
    if (ps->recs) ring_put(ps, ps->sleep_start, REC_SLEEP);
}

void prof_wake(prof_sched *ps)
{
    uint64_t t = prof_now();
    ps->asleep_ns += t - ps->sleep_start;
    if (ps->recs) ring_put(ps, t, REC_WAKE);
}

void prof_gc(prof_sched *ps, const Process *p, uint64_t start_ns, bool major, uint64_t words_before,
             uint64_t words_after)
{
    ps->gcs++;
    if (!ps->recs) return;
    /* Stamped with its start: nothing else was recorded on this thread
     * while it ran, so the ring stays in time order. */
    prof_rec *r = ring_put(ps, start_ns, REC_GC);
    r->pid = p->pid;
    r->a = prof_now() - start_ns;
    r->b = words_before;
    r->c = words_after > UINT32_MAX ? UINT32_MAX : (uint32_t)words_after;
    r->why = major;
}

void prof_balance(prof_sched *ps, unsigned paths)
{
    ps->balances++;
    if (ps->recs) ring_put(ps, prof_now(), REC_BALANCE)->a = paths;
}

/* --- writing the JSON ------------------------------------------------------------------ */

/* A ring read back: its spill file, then what is still in memory. */
typedef struct reader {
    prof_sched *ps;
    const prof_rec *src;   /* buf, or the ring itself at the end */
    size_t n, i;
    bool from_memory;
    const prof_rec *cur;   /* NULL at the end */
    prof_rec buf[1024];
} reader;

static void reader_next(reader *rd)
{
    for (;;) {
        if (rd->i < rd->n) {
            rd->cur = &rd->src[rd->i++];
            return;
        }
        if (rd->from_memory) {
            rd->cur = NULL;
            return;
        }
        ssize_t got = read(rd->ps->spill, rd->buf, sizeof rd->buf);
        rd->i = 0;
        if (got >= (ssize_t)sizeof(prof_rec)) {
            rd->src = rd->buf;
            rd->n = (size_t)got / sizeof(prof_rec);
        } else {
            rd->from_memory = true;
            rd->src = rd->ps->recs;
            rd->n = rd->ps->n;
        }
    }
}

static void reader_open(reader *rd, prof_sched *ps)
{
    rd->ps = ps;
    rd->from_memory = false;
    rd->n = rd->i = 0;
    lseek(ps->spill, 0, SEEK_SET);
    reader_next(rd);
}

/* Per pid: the flow (migration) waiting for its end, 0 if none. An open
 * hash table, grown as needed (this runs at halt, not on a hot path). */
typedef struct flow_table {
    struct { uint64_t pid, flow; } *slot;
    size_t cap, used;
} flow_table;

static size_t flow_find(const flow_table *ft, uint64_t pid)
{
    size_t i = (size_t)(pid * 0x9E3779B97F4A7C15u) & (ft->cap - 1);
    while (ft->slot[i].pid && ft->slot[i].pid != pid) i = (i + 1) & (ft->cap - 1);
    return i;
}

static void flow_grow(flow_table *ft)
{
    flow_table old = *ft;
    ft->cap = old.cap ? old.cap * 2 : 1024;
    ft->slot = calloc(ft->cap, sizeof *ft->slot);
    if (!ft->slot) abort();
    ft->used = 0;
    for (size_t i = 0; i < old.cap; i++) {
        if (!old.slot[i].pid) continue;
        ft->slot[flow_find(ft, old.slot[i].pid)] = old.slot[i];
        ft->used++;
    }
    free(old.slot);
}

/* Swaps in `flow` as pid's pending flow; returns the previous one. */
static uint64_t flow_swap(flow_table *ft, uint64_t pid, uint64_t flow)
{
    if (2 * (ft->used + 1) > ft->cap) flow_grow(ft);
    size_t i = flow_find(ft, pid);
    if (!ft->slot[i].pid) {
        if (!flow) return 0;
        ft->slot[i].pid = pid;
        ft->used++;
    }
    uint64_t prev = ft->slot[i].flow;
    ft->slot[i].flow = flow;
    return prev;
}

typedef struct json_out {
    FILE *f;
    bool first;
    flow_table flows;
    uint64_t next_flow;
    prof_counts counts;
} json_out;

static void json_str(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
}

static void json_ts(FILE *f, uint64_t ns) { fprintf(f, "%" PRIu64 ".%03u", ns / 1000, (unsigned)(ns % 1000)); }

/* Starts an event: {"ph":PH,"pid":1,"tid":TID,"ts":T */
static void ev_start(json_out *o, const char *ph, int tid, uint64_t t)
{
    fprintf(o->f, "%s\n{\"ph\":\"%s\",\"pid\":1,\"tid\":%d,\"ts\":", o->first ? "" : ",", ph, tid);
    o->first = false;
    json_ts(o->f, t);
}

static void pid_text(char *buf, size_t size, uint64_t pid) { snprintf(buf, size, "<0.%" PRIu64 ".0>", pid >> 4); }

static const char *why_text(unsigned why)
{
    static const char *const names[] = { "reductions", "receive", "exit", "yield", "gc", "hibernate" };
    return why < sizeof names / sizeof *names ? names[why] : "?";
}

static const char *migrate_text(unsigned why)
{
    static const char *const names[] = { "balance", "steal", "offline" };
    return why < sizeof names / sizeof *names ? names[why] : "?";
}

static void flow_end(json_out *o, uint64_t flow, int tid, uint64_t t)
{
    ev_start(o, "f", tid, t);
    fprintf(o->f, ",\"bp\":\"e\",\"cat\":\"migrate\",\"name\":\"migrate\",\"id\":%" PRIu64 "}", flow);
}

static void emit_begin(json_out *o, const prof_rec *r, int tid)
{
    char pid[32];
    pid_text(pid, sizeof pid, r->pid);
    ev_start(o, "B", tid, r->t);
    fprintf(o->f, ",\"cat\":\"process\",\"name\":\"%s ", pid);
    if (r->a != NIL) {
        json_str(o->f, atom_text(r->a));
    } else {
        json_str(o->f, atom_text(r->b));
        fputc(':', o->f);
        json_str(o->f, atom_text(make_atom(r->c)));
        fprintf(o->f, "/%u", r->other);
    }
    fprintf(o->f, "\",\"args\":{\"pid\":\"%s\"}}", pid);
    uint64_t flow = flow_swap(&o->flows, r->pid, 0);
    if (flow) flow_end(o, flow, tid, r->t);
    o->counts.slices[tid]++;
}

static void emit_end(json_out *o, const prof_rec *r, int tid)
{
    ev_start(o, "E", tid, r->t);
    fprintf(o->f, ",\"args\":{\"reductions\":%" PRIu64 ",\"why\":\"%s\"}}", r->a, why_text(r->why));
    if (r->why != PROF_END_EXIT) o->counts.switches[tid]++;
}

static void emit_migrate(json_out *o, const prof_rec *r)
{
    char pid[32];
    pid_text(pid, sizeof pid, r->pid);
    int from = (int)r->c, to = r->other;
    ev_start(o, "X", from, r->t);
    fprintf(o->f, ",\"dur\":0,\"cat\":\"migrate\",\"name\":\"migrate %s\",\"args\":{\"pid\":\"%s\",\"from\":%d,\"to\":%d,\"why\":\"%s\"}}",
            pid, pid, from, to, migrate_text(r->why));
    /* Moved again before it ran: the previous arrow ends here. */
    uint64_t flow = ++o->next_flow, prev = flow_swap(&o->flows, r->pid, flow);
    if (prev) flow_end(o, prev, from, r->t);
    ev_start(o, "s", from, r->t);
    fprintf(o->f, ",\"cat\":\"migrate\",\"name\":\"migrate\",\"id\":%" PRIu64 "}", flow);
    if (r->why == PROF_MIG_STEAL) o->counts.steals_in[to]++, o->counts.steals_out[from]++;
    else o->counts.migrations_in[to]++, o->counts.migrations_out[from]++;
}

static void emit_gc(json_out *o, const prof_rec *r, int tid)
{
    char pid[32];
    pid_text(pid, sizeof pid, r->pid);
    ev_start(o, "X", tid, r->t);
    fprintf(o->f, ",\"dur\":");
    json_ts(o->f, r->a);
    fprintf(o->f, ",\"cat\":\"gc\",\"name\":\"gc %s\",\"args\":{\"pid\":\"%s\",\"words_before\":%" PRIu64 ",\"words_after\":%u}}",
            r->why ? "major" : "minor", pid, r->b, r->c);
}

static void emit(json_out *o, const prof_rec *r, int tid)
{
    switch (r->kind) {
    case REC_BEGIN: emit_begin(o, r, tid); break;
    case REC_END: emit_end(o, r, tid); break;
    case REC_MIGRATE: emit_migrate(o, r); break;
    case REC_GC: emit_gc(o, r, tid); break;
    case REC_RUNQ:
        fprintf(o->f, ",\n{\"ph\":\"C\",\"pid\":1,\"name\":\"run queue S%d\",\"ts\":", tid);
        json_ts(o->f, r->t);
        fprintf(o->f, ",\"args\":{\"length\":%" PRIu64 "}}", r->a);
        break;
    case REC_SLEEP:
        ev_start(o, "B", tid, r->t);
        fputs(",\"cat\":\"sleep\",\"name\":\"sleep\"}", o->f);
        break;
    case REC_WAKE: ev_start(o, "E", tid, r->t); fputs("}", o->f); break;
    case REC_BALANCE:
        ev_start(o, "i", tid, r->t);
        fprintf(o->f, ",\"s\":\"t\",\"cat\":\"balance\",\"name\":\"balance\",\"args\":{\"paths\":%" PRIu64 "}}", r->a);
        break;
    case REC_FLUSH:
        ev_start(o, "X", tid, r->t);
        fputs(",\"dur\":", o->f);
        json_ts(o->f, r->a);
        fputs(",\"cat\":\"trace\",\"name\":\"trace flush\"}", o->f);
        break;
    }
}

static void emit_metadata(json_out *o)
{
    fputs("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"producer\":\"cbeam +sched_trace\",", o->f);
    fprintf(o->f, "\"schedulers\":%u},\n\"traceEvents\":[", vm.schedulers);
    fputs("\n{\"ph\":\"M\",\"pid\":1,\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":\"cbeam\"}}", o->f);
    for (unsigned i = 0; i < vm.schedulers; i++) {
        int id = vm.sched[i]->id;
        fprintf(o->f, ",\n{\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"name\":\"thread_name\",\"args\":{\"name\":\"scheduler %d\"}}", id, id);
        fprintf(o->f, ",\n{\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":%d}}", id, id);
    }
}

/* Merges the rings in time order into o. */
static void merge_rings(json_out *o)
{
    unsigned n = vm.schedulers;
    reader *rd = calloc(n + 1, sizeof *rd);
    if (!rd) abort();
    for (unsigned i = 0; i < n; i++) reader_open(&rd[i], vm.sched[i]->prof);
    if (ext_ready) reader_open(&rd[n], &ext_ring);
    unsigned nr = ext_ready ? n + 1 : n;
    for (;;) {
        reader *best = NULL;
        for (unsigned i = 0; i < nr; i++)
            if (rd[i].ps && rd[i].cur && (!best || rd[i].cur->t < best->cur->t)) best = &rd[i];
        if (!best) break;
        emit(o, best->cur, best->ps->id);
        reader_next(best);
    }
    free(rd);
}

bool prof_trace_write(const char *path, prof_counts *counts)
{
    json_out o = { .first = true };
    o.f = fopen(path, "w");
    if (!o.f) {
        fprintf(stderr, "cbeam: +sched_trace: cannot write %s: %s\n", path, strerror(errno));
        return false;
    }
    emit_metadata(&o);
    o.first = false;
    merge_rings(&o);
    fputs("\n]}\n", o.f);
    free(o.flows.slot);
    *counts = o.counts;
    if (fclose(o.f) != 0) {
        fprintf(stderr, "cbeam: +sched_trace: cannot write %s: %s\n", path, strerror(errno));
        return false;
    }
    return true;
}
