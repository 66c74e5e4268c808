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
#include "strbuf.h"

prof_config prof_cfg;
_Thread_local prof_sched *prof_self __attribute__((tls_model("initial-exec")));

/* The clock: CLOCK_MONOTONIC, in nanoseconds since `origin_ns` (set in
 * prof_sched_new, before any scheduler thread starts). The scheduler reads
 * it once per pass of its loop anyway (for timers) and hands the reading
 * to prof_at, so a slice costs no reading of its own. */
static uint64_t origin_ns;
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

/* Reads the clock for an event of ps's thread and remembers it: a slice
 * starts at the last reading (see prof_slice_begin). */
static inline uint64_t ps_clock(prof_sched *ps) { return ps->last_t = prof_now(); }

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

/* Out of line: the ring has no room for the next event. The flush is
 * recorded (an instant at the time of that event, with its duration), so
 * a pause it causes is visible in the timeline. */
static void __attribute__((noinline)) ring_flush(prof_sched *ps, uint64_t t)
{
    uint64_t start = prof_now();
    write_all(ps->spill, ps->recs, ps->n * sizeof *ps->recs);
    ps->n = 0;
    ps->recs[ps->n++] = (prof_rec){ t << 8 | REC_FLUSH, prof_now() - start };
}

/* Room for n records (an event and its continuations). Owner only. */
static inline prof_rec *ring_reserve(prof_sched *ps, uint64_t t, unsigned n)
{
    if (__builtin_expect(ps->n + n > PROF_RING_RECORDS, 0)) ring_flush(ps, t);
    prof_rec *r = &ps->recs[ps->n];
    ps->n += n;
    return r;
}

static inline void ring_put(prof_sched *ps, uint64_t t, unsigned kind, uint64_t data)
{
    *ring_reserve(ps, t, 1) = (prof_rec){ t << 8 | kind, data };
}

static inline uint64_t pid_num(Term pid) { return pid >> 4; }

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
    ps->last_len = UINT64_MAX;
    return ps;
}

void prof_thread_start(Scheduler *sd)
{
    prof_self = sd->prof_store;
    sd->prof_store->thread_start = sd->prof_store->last_t = prof_now();
}

prof_sched *prof_active_self(void)
{
    prof_sched *ps = prof_self;
    return ps && sched_prof(ps->sd) ? ps : NULL;
}


/* --- hooks ------------------------------------------------------------------------ */

/* A process new to the trace, or renamed: its name goes before its slice,
 * once. Out of line, so the common path stays short. */
static void __attribute__((noinline, cold)) record_name(prof_sched *ps, Process *p, Term reg, uint64_t t)
{
    prof_rec *r = ring_reserve(ps, t, 3);
    r[0] = (prof_rec){ t << 8 | REC_NAME, pid_num(p->pid) };
    r[1] = (prof_rec){ t << 8 | REC_NAME2,
                       atom_index(p->initial_call.module) | (uint64_t)atom_index(p->initial_call.function) << 32 };
    r[2] = (prof_rec){ t << 8 | REC_NAME3,
                       (p->initial_call.arity & 0xFF) | (reg == NIL ? 0 : (uint64_t)atom_index(reg) + 1) << 8 };
    p->prof_named = reg;
}

/* The clock is not read here: a slice starts at the last reading on this
 * thread (the end of the previous slice, a wake-up, a steal), so that a
 * slice costs one reading, not two. The scheduling work in between (a
 * fraction of a microsecond) counts as part of the slice. */
/* A slice's start records the run-queue length when it changed, at most
 * once in this long: with slices of a fraction of a microsecond (a ring of
 * processes passing one message) a sample per slice would be a third of
 * the records and most of the cost of tracing. */
#define PROF_RUNQ_EVERY_NS 20000u

static void __attribute__((noinline)) slice_begin_slow(prof_sched *ps, Process *p, uint64_t len, uint64_t t)
{
    if (prof_msacc_on()) prof_msacc_switch(ps, MSACC_OTHER, MSACC_EMULATOR, t);
    if (!ps->recs) return;
    if (len != ps->last_len && t >= ps->runq_next_t) {
        prof_runq(ps, len);
        ps->runq_next_t = t + PROF_RUNQ_EVERY_NS;
    }
    Term reg = atomic_load_explicit(&p->registered_name, memory_order_relaxed);
    if (p->prof_named != reg) record_name(ps, p, reg, t);
    ring_put(ps, t, REC_BEGIN, pid_num(p->pid));
}

void prof_slice_begin(prof_sched *ps, Process *p, uint64_t len)
{
    uint64_t t = ps->last_t;
    ps->slice_start = t;
    ps->slice_reds = p->reductions;
    ps->in_slice = true;
    ps->hint = PROF_END_REDS;
    /* The common case, a leaf: tracing, the queue length and the name as
     * last recorded, room in the ring. */
    if (__builtin_expect(prof_msacc_on() || !ps->recs || (len != ps->last_len && t >= ps->runq_next_t) ||
                             ps->n == PROF_RING_RECORDS ||
                             p->prof_named != atomic_load_explicit(&p->registered_name, memory_order_relaxed), 0)) {
        slice_begin_slow(ps, p, len, t);
        return;
    }
    ps->recs[ps->n++] = (prof_rec){ t << 8 | REC_BEGIN, pid_num(p->pid) };
}

void prof_hint(enum prof_why why)
{
    prof_sched *ps = prof_active_self();
    if (ps && (ps->hint == PROF_END_REDS || why == PROF_END_HIBERNATE)) ps->hint = why;
}

/* The slice's end is recorded at the scheduler's next clock reading,
 * prof_at, at the top of its loop: the release and enqueue in between (a
 * fraction of a microsecond) count as part of the slice. */
void prof_slice_end(prof_sched *ps, const Process *p, enum prof_why why)
{
    if (!ps->in_slice) return;
    ps->in_slice = false;
    if (ps->hint == PROF_END_HIBERNATE || (why == PROF_END_REDS && ps->hint != PROF_END_REDS)) why = ps->hint;
    ps->end_pid = p->pid;
    ps->end_data = (p->reductions - ps->slice_reds) << 8 | why;
    ps->end_pending = true;
}

/* The rarer cases of a slice's end: microstate accounting, the report
 * without a ring, a full ring. */
static void __attribute__((noinline)) slice_ended_slow(prof_sched *ps, uint64_t t)
{
    if (prof_msacc_on()) prof_msacc_switch(ps, MSACC_EMULATOR, MSACC_OTHER, t);
    if (ps->recs) ring_put(ps, t, REC_END, ps->end_data);
}

void prof_at(prof_sched *ps, uint64_t monotonic_ns)
{
    uint64_t t = monotonic_ns - origin_ns;
    ps->last_t = t;
    if (!ps->end_pending) return;
    uint64_t d = t - ps->slice_start;
    ps->end_pending = false;
    ps->busy_ns += d;
    if (d > ps->longest_ns) ps->longest_ns = d, ps->longest_pid = ps->end_pid;
    if (__builtin_expect(prof_msacc_on() || !ps->recs || ps->n == PROF_RING_RECORDS, 0)) {
        slice_ended_slow(ps, t);
        return;
    }
    ps->recs[ps->n++] = (prof_rec){ t << 8 | REC_END, ps->end_data };
}

static void put_migration(prof_sched *ps, const Process *p, int from, int to, enum prof_migrate_why why)
{
    ring_put(ps, ps_clock(ps), REC_MIGRATE,
             pid_num(p->pid) | (uint64_t)from << 40 | (uint64_t)to << 48 | (uint64_t)why << 56);
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
    if (!ps->recs || len == ps->last_len) return;
    ps->last_len = len;
    ring_put(ps, ps->last_t, REC_RUNQ, len);
}

void prof_sleep(prof_sched *ps)
{
    ps->sleep_start = ps_clock(ps);
    if (prof_msacc_on()) prof_msacc_switch(ps, MSACC_OTHER, MSACC_SLEEP, ps->sleep_start);
    if (ps->recs) ring_put(ps, ps->sleep_start, REC_SLEEP, 0);
}

void prof_wake(prof_sched *ps)
{
    uint64_t t = ps_clock(ps);
    ps->asleep_ns += t - ps->sleep_start;
    if (prof_msacc_on()) prof_msacc_switch(ps, MSACC_SLEEP, MSACC_OTHER, t);
    if (ps->recs) ring_put(ps, t, REC_WAKE, 0);
}

static uint64_t sat32(uint64_t v) { return v > UINT32_MAX ? UINT32_MAX : v; }

void prof_gc(prof_sched *ps, const Process *p, uint64_t start, bool major, uint64_t words_before,
             uint64_t words_after)
{
    ps->gcs++;
    uint64_t end = ps_clock(ps), dur = end - start;
    if (prof_msacc_on()) {
        prof_msacc_switch(ps, MSACC_EMULATOR, MSACC_GC, start);
        prof_msacc_switch(ps, MSACC_GC, MSACC_EMULATOR, end);
    }
    if (!ps->recs) return;
    /* Stamped with its start: nothing else was recorded on this thread
     * while it ran, so the ring stays in time order. */
    prof_rec *r = ring_reserve(ps, start, 3);
    r[0] = (prof_rec){ start << 8 | REC_GC, pid_num(p->pid) | (uint64_t)major << 63 };
    r[1] = (prof_rec){ start << 8 | REC_GC2, sat32(words_before) | sat32(words_after) << 32 };
    r[2] = (prof_rec){ start << 8 | REC_GC3, dur };
}

void prof_balance(prof_sched *ps, unsigned paths)
{
    ps->balances++;
    if (ps->recs) ring_put(ps, ps_clock(ps), REC_BALANCE, paths);
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

/* Per pid number: its name ("<0.N.0> M:F/A" or "<0.N.0> Name") and the
 * flow (migration arrow) waiting for its end, 0 if none. An open hash
 * table, grown as needed (this runs at halt, not on a hot path). */
typedef struct pid_info {
    uint64_t pid;   /* a pid number */
    uint64_t flow;
    char *name;
    bool used;
} pid_info;

typedef struct pid_table {
    pid_info *slot;
    size_t cap, used;
} pid_table;

static size_t pid_slot(const pid_table *t, uint64_t pid)
{
    size_t i = (size_t)(pid * 0x9E3779B97F4A7C15u) & (t->cap - 1);
    while (t->slot[i].used && t->slot[i].pid != pid) i = (i + 1) & (t->cap - 1);
    return i;
}

static pid_info *pid_get(pid_table *t, uint64_t pid)
{
    if (2 * (t->used + 1) > t->cap) {
        pid_table old = *t;
        t->cap = old.cap ? old.cap * 2 : 1024;
        t->slot = calloc(t->cap, sizeof *t->slot);
        if (!t->slot) abort();
        for (size_t i = 0; i < old.cap; i++)
            if (old.slot[i].used) t->slot[pid_slot(t, old.slot[i].pid)] = old.slot[i];
        free(old.slot);
    }
    pid_info *e = &t->slot[pid_slot(t, pid)];
    if (!e->used) {
        *e = (pid_info){ .pid = pid, .used = true };
        t->used++;
    }
    return e;
}

static void pid_table_free(pid_table *t)
{
    for (size_t i = 0; i < t->cap; i++) free(t->slot[i].name);
    free(t->slot);
}

typedef struct json_out {
    FILE *f;
    bool first;
    pid_table pids;
    uint64_t next_flow;
    prof_counts counts;
} json_out;

/* JSON string contents (no quotes). */
static void json_str(strbuf *sb, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') sb_printf(sb, "\\%c", c);
        else if (c < 0x20) sb_printf(sb, "\\u%04x", c);
        else sb_putc(sb, (char)c);
    }
}

/* Nanoseconds as microseconds with three decimals. */
static void json_ts(FILE *f, uint64_t ns)
{
    fprintf(f, "%" PRIu64 ".%03u", ns / 1000, (unsigned)(ns % 1000));
}

/* Starts an event: {"ph":PH,"pid":1,"tid":TID,"ts":T */
static void ev_start(json_out *o, const char *ph, int tid, uint64_t t)
{
    fprintf(o->f, "%s\n{\"ph\":\"%s\",\"pid\":1,\"tid\":%d,\"ts\":", o->first ? "" : ",", ph, tid);
    o->first = false;
    json_ts(o->f, t);
}

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

/* NAME, NAME2, NAME3: the slice name of a pid from now on. */
static void take_name(json_out *o, const prof_rec *r, const prof_rec *r2, const prof_rec *r3)
{
    strbuf sb = STRBUF_INIT;
    sb_printf(&sb, "<0.%" PRIu64 ".0> ", r->data);
    uint64_t reg = r3->data >> 8;
    if (reg) {
        json_str(&sb, atom_text(make_atom((uint32_t)(reg - 1))));
    } else {
        json_str(&sb, atom_text(make_atom((uint32_t)r2->data)));
        sb_putc(&sb, ':');
        json_str(&sb, atom_text(make_atom((uint32_t)(r2->data >> 32))));
        sb_printf(&sb, "/%u", (unsigned)(r3->data & 0xFF));
    }
    pid_info *e = pid_get(&o->pids, r->data);
    free(e->name);
    e->name = strdup(sb_str(&sb));
    sb_free(&sb);
}

static void emit_begin(json_out *o, const prof_rec *r, int tid)
{
    uint64_t t = rec_t(r);
    pid_info *e = pid_get(&o->pids, r->data);
    ev_start(o, "B", tid, t);
    if (e->name) fprintf(o->f, ",\"cat\":\"process\",\"name\":\"%s\"", e->name);
    else fprintf(o->f, ",\"cat\":\"process\",\"name\":\"<0.%" PRIu64 ".0>\"", r->data);
    fprintf(o->f, ",\"args\":{\"pid\":\"<0.%" PRIu64 ".0>\"}}", r->data);
    if (e->flow) flow_end(o, e->flow, tid, t);
    e->flow = 0;
    o->counts.slices[tid]++;
}

static void emit_end(json_out *o, const prof_rec *r, int tid)
{
    unsigned why = (unsigned)(r->data & 0xFF);
    ev_start(o, "E", tid, rec_t(r));
    fprintf(o->f, ",\"args\":{\"reductions\":%" PRIu64 ",\"why\":\"%s\"}}", r->data >> 8, why_text(why));
    if (why != PROF_END_EXIT) o->counts.switches[tid]++;
}

static void emit_migrate(json_out *o, const prof_rec *r)
{
    uint64_t pid = r->data & 0xFFFFFFFFFFu, t = rec_t(r);
    int from = (int)(r->data >> 40 & 0xFF), to = (int)(r->data >> 48 & 0xFF);
    unsigned why = (unsigned)(r->data >> 56);
    ev_start(o, "X", from, t);
    fprintf(o->f, ",\"dur\":0,\"cat\":\"migrate\",\"name\":\"migrate <0.%" PRIu64 ".0>\",\"args\":{\"pid\":\"<0.%" PRIu64
                  ".0>\",\"from\":%d,\"to\":%d,\"why\":\"%s\"}}",
            pid, pid, from, to, migrate_text(why));
    /* Moved again before it ran: the previous arrow ends here. */
    pid_info *e = pid_get(&o->pids, pid);
    if (e->flow) flow_end(o, e->flow, from, t);
    e->flow = ++o->next_flow;
    ev_start(o, "s", from, t);
    fprintf(o->f, ",\"cat\":\"migrate\",\"name\":\"migrate\",\"id\":%" PRIu64 "}", e->flow);
    if (why == PROF_MIG_STEAL) o->counts.steals_in[to]++, o->counts.steals_out[from]++;
    else o->counts.migrations_in[to]++, o->counts.migrations_out[from]++;
}

static void emit_gc(json_out *o, const prof_rec *r, const prof_rec *r2, const prof_rec *r3, int tid)
{
    uint64_t pid = r->data & ~(1ull << 63);
    ev_start(o, "X", tid, rec_t(r));
    fprintf(o->f, ",\"dur\":");
    json_ts(o->f, r3->data);
    fprintf(o->f, ",\"cat\":\"gc\",\"name\":\"gc %s\",\"args\":{\"pid\":\"<0.%" PRIu64 ".0>\",\"words_before\":%" PRIu64
                  ",\"words_after\":%" PRIu64 "}}",
            r->data >> 63 ? "major" : "minor", pid, r2->data & 0xFFFFFFFFu, r2->data >> 32);
}

static void emit_simple(json_out *o, const prof_rec *r, int tid)
{
    uint64_t t = rec_t(r);
    switch (rec_kind(r)) {
    case REC_RUNQ:
        fprintf(o->f, ",\n{\"ph\":\"C\",\"pid\":1,\"name\":\"run queue S%d\",\"ts\":", tid);
        json_ts(o->f, t);
        fprintf(o->f, ",\"args\":{\"length\":%" PRIu64 "}}", r->data);
        break;
    case REC_SLEEP:
        ev_start(o, "B", tid, t);
        fputs(",\"cat\":\"sleep\",\"name\":\"sleep\"}", o->f);
        break;
    case REC_WAKE: ev_start(o, "E", tid, t); fputs("}", o->f); break;
    case REC_BALANCE:
        ev_start(o, "i", tid, t);
        fprintf(o->f, ",\"s\":\"t\",\"cat\":\"balance\",\"name\":\"balance\",\"args\":{\"paths\":%" PRIu64 "}}", r->data);
        break;
    case REC_FLUSH:
        ev_start(o, "i", tid, t);
        fputs(",\"s\":\"t\",\"cat\":\"trace\",\"name\":\"trace flush\",\"args\":{\"us\":", o->f);
        json_ts(o->f, r->data);
        fputs("}}", o->f);
        break;
    }
}

/* Writes the reader's current event (taking its continuation records)
 * and moves on. */
static void emit(json_out *o, reader *rd)
{
    int tid = rd->ps->id;
    prof_rec r = *rd->cur, r2, r3;
    switch (rec_kind(&r)) {
    case REC_NAME:
    case REC_GC:
        reader_next(rd);
        r2 = *rd->cur;
        reader_next(rd);
        r3 = *rd->cur;
        if (rec_kind(&r) == REC_NAME) take_name(o, &r, &r2, &r3);
        else emit_gc(o, &r, &r2, &r3, tid);
        break;
    case REC_BEGIN: emit_begin(o, &r, tid); break;
    case REC_END: emit_end(o, &r, tid); break;
    case REC_MIGRATE: emit_migrate(o, &r); break;
    default: emit_simple(o, &r, tid); break;
    }
    reader_next(rd);
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
            if (rd[i].ps && rd[i].cur && (!best || rec_t(rd[i].cur) < rec_t(best->cur))) best = &rd[i];
        if (!best) break;
        emit(o, best);
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
    pid_table_free(&o.pids);
    *counts = o.counts;
    if (fclose(o.f) != 0) {
        fprintf(stderr, "cbeam: +sched_trace: cannot write %s: %s\n", path, strerror(errno));
        return false;
    }
    return true;
}
