/*
 * prof_trace.c — recording scheduler events (prof.h) and writing them as
 * Chrome trace-event JSON at halt.
 *
 * Recording: each prof_sched owns a ring of PROF_RING_RECORDS fixed-size
 * records, written only by its thread; when full, the owner hands the
 * buffer to the spill writer thread, which appends it to the ring's spill
 * file, and goes on in the ring's next buffer (see prof.h: nothing is
 * dropped). The shared ring of non-scheduler threads is the same under
 * `ext_lock`. A slice is one record, written at its end (prof_internal.h).
 *
 * Writing: every ring's events come back in time order (one writer each,
 * a monotonic clock, and a record is written when its event ends with the
 * event's start as its time; what happens inside a slice is recorded
 * before the slice's record, flagged, and held back by the reader until
 * that record gives the slice's start). prof_finish merges the rings by
 * time, so the JSON is in time order and each track's timestamps never
 * decrease. Slices are B/E pairs; a migration is a zero-length "migrate"
 * slice on the scheduler it left with a flow start ("s"), whose end ("f",
 * bound to the enclosing slice) is at the process's next slice, or at its
 * next migration.
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

/* The clock: CLOCK_MONOTONIC, in nanoseconds since `prof_origin_ns` (set in
 * prof_sched_new, before any scheduler thread starts). The scheduler reads
 * it once per pass of its loop anyway (for timers) and hands the reading
 * to prof_at, so a slice costs no reading of its own. */
uint64_t prof_origin_ns;
static prof_sched ext_ring;  /* non-scheduler threads, under ext_lock */
static pthread_mutex_t ext_lock = PTHREAD_MUTEX_INITIALIZER;
static bool ext_ready;

static uint64_t clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t prof_now(void) { return clock_ns() - prof_origin_ns; }

/* Reads the clock for an event of ps's thread and remembers it: a slice
 * starts at the last reading (see prof_slice_begin). */
static inline uint64_t ps_clock(prof_sched *ps) { return ps->last_t = prof_now(); }

/* --- rings --------------------------------------------------------------------- */

/* The spill writer: a thread that writes full rings to their spill
 * files, so that a scheduler whose ring fills only moves on to its next
 * buffer. (Writing 128 KB and the page cache's new pages took about 70 us
 * on the development machine, 3% of the ring benchmark's time when the
 * scheduler wrote them itself; waking a sleeping thread took 10-40 us.)
 * Each ring has PROF_RING_BUFFERS buffers used in turn: its owner hands a
 * full one over by advancing `handed`, the writer writes it and advances
 * `written`; the owner waits only if every other buffer is still unwritten.
 * Nothing wakes the writer while it is busy: it looks every
 * WRITER_POLL_NS, and after WRITER_IDLE_POLLS looks that found nothing it
 * sleeps until an owner signals it (the first hand-over after a quiet
 * spell). A ring fills in 2.5 ms at the fastest (0.3 us slices), so the
 * other buffers last 7.5 ms: the look need not be more frequent, and each
 * costs a wake-up on a CPU the schedulers may want. Started at the first
 * hand-over; prof_finish stops it once it has written everything. */
#define WRITER_POLL_NS 2000000L
#define WRITER_IDLE_POLLS 50

static pthread_mutex_t writer_lock = PTHREAD_MUTEX_INITIALIZER;   /* start, sleep, stop */
static pthread_cond_t writer_wake = PTHREAD_COND_INITIALIZER;
static prof_sched *writer_rings[MAX_SCHEDULERS + 1];
static _Atomic unsigned writer_nrings;
static _Atomic bool writer_started;
static _Atomic bool writer_asleep, writer_stop;
static pthread_t writer_thread;

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

/* Writes the buffers ring ps handed over; whether there were any. */
static bool writer_drain(prof_sched *ps)
{
    unsigned handed = atomic_load(&ps->handed);
    unsigned w = atomic_load_explicit(&ps->written, memory_order_relaxed);
    if (w == handed) return false;
    for (; w != handed; w++) {
        unsigned b = w % PROF_RING_BUFFERS;
        write_all(ps->spill, ps->bufs[b], ps->buf_n[b] * sizeof(prof_rec));
        atomic_store_explicit(&ps->written, w + 1, memory_order_release);
    }
    return true;
}

static bool writer_drain_all(void)
{
    bool any = false;
    unsigned n = atomic_load(&writer_nrings);
    for (unsigned i = 0; i < n; i++) any |= writer_drain(writer_rings[i]);
    return any;
}

/* Nothing handed over for a while: sleep until an owner signals. The
 * flag is set before the last look, and an owner sets `handed` before it
 * reads the flag (both sequentially consistent), so one of the two sees
 * the other. */
static void writer_sleep(void)
{
    pthread_mutex_lock(&writer_lock);
    atomic_store(&writer_asleep, true);
    if (!writer_drain_all() && !atomic_load(&writer_stop)) pthread_cond_wait(&writer_wake, &writer_lock);
    atomic_store(&writer_asleep, false);
    pthread_mutex_unlock(&writer_lock);
}

static void *writer_main(void *arg)
{
    (void)arg;
    unsigned idle = 0;
    for (;;) {
        bool stop = atomic_load(&writer_stop);   /* read before the last drain */
        if (writer_drain_all()) {
            idle = 0;
        } else if (stop) {
            return NULL;
        } else if (++idle < WRITER_IDLE_POLLS) {
            nanosleep(&(struct timespec){ 0, WRITER_POLL_NS }, NULL);
        } else {
            writer_sleep();
            idle = 0;
        }
    }
}

/* Waits until the writer has written every buffer handed to it, and ends
 * it (prof_finish, once the schedulers are gone). */
static void writer_finish(void)
{
    pthread_mutex_lock(&writer_lock);
    bool started = writer_started;
    atomic_store(&writer_stop, true);
    pthread_cond_signal(&writer_wake);
    pthread_mutex_unlock(&writer_lock);
    if (started) pthread_join(writer_thread, NULL);
}

static void writer_start(void)
{
    pthread_mutex_lock(&writer_lock);
    if (!writer_started) {
        if (pthread_create(&writer_thread, NULL, writer_main, NULL) != 0) {
            fputs("cbeam: +sched_trace: cannot start the spill writer\n", stderr);
            abort();
        }
        writer_started = true;
    }
    pthread_mutex_unlock(&writer_lock);
}

static bool ring_init(prof_sched *ps, int id)
{
    ps->id = id;
    ps->spill = -1;
    if (!prof_cfg.trace_file) {   /* report only: no ring, never room */
        ps->n = PROF_RING_RECORDS;
        return true;
    }
    for (unsigned b = 0; b < PROF_RING_BUFFERS; b++)
        if (!(ps->bufs[b] = malloc(PROF_RING_RECORDS * sizeof(prof_rec)))) return false;
    ps->recs = ps->bufs[0];
    FILE *f = tmpfile();   /* unlinked: it goes away with the process */
    if (!f) return false;
    ps->spill = dup(fileno(f));
    fclose(f);
    if (ps->spill < 0) return false;
    writer_rings[atomic_load(&writer_nrings)] = ps;   /* sched_setup: one thread */
    atomic_fetch_add(&writer_nrings, 1);
    return true;
}

/* REC_INSIDE while ps's thread is inside a slice (see prof_internal.h). */
static inline unsigned rec_inside(const prof_sched *ps) { return ps->slice != SLICE_NONE ? REC_INSIDE : 0; }

/* Out of line: the ring has no room for the next event. Its buffer goes to
 * the writer, and the ring goes on in the next one, once written (it is,
 * unless the disk is slower than the scheduler). The flush is recorded,
 * an instant at the time of that event with the time the hand-over took,
 * so that a pause it causes is visible in the timeline. */
static void __attribute__((noinline)) ring_flush(prof_sched *ps, uint64_t t)
{
    uint64_t start = prof_now();
    if (!writer_started) writer_start();   /* the first hand-over */
    unsigned handed = atomic_load_explicit(&ps->handed, memory_order_relaxed);
    ps->buf_n[handed % PROF_RING_BUFFERS] = ps->n;
    atomic_store(&ps->handed, handed + 1);
    if (atomic_load(&writer_asleep)) {
        pthread_mutex_lock(&writer_lock);
        pthread_cond_signal(&writer_wake);
        pthread_mutex_unlock(&writer_lock);
    }
    /* The next buffer is free once `written` has passed it. */
    while (handed + 1 - atomic_load_explicit(&ps->written, memory_order_acquire) >= PROF_RING_BUFFERS)
        nanosleep(&(struct timespec){ 0, 20000 }, NULL);
    ps->recs = ps->bufs[(handed + 1) % PROF_RING_BUFFERS];
    ps->n = 0;
    ps->recs[ps->n++] = (prof_rec){ t << 8 | REC_FLUSH | rec_inside(ps), prof_now() - start };
}

/* Room for n records (an event and its continuations). Owner only. */
static inline prof_rec *ring_reserve(prof_sched *ps, uint64_t t, unsigned n)
{
    if (__builtin_expect(ps->n + n > PROF_RING_RECORDS, 0)) ring_flush(ps, t);
    prof_rec *r = &ps->recs[ps->n];
    ps->n += n;
    return r;
}

/* One record of an event that is not a slice: flagged REC_INSIDE if a
 * slice is running (or ended, not yet written), as its record will come
 * after this one. */
static inline void ring_put(prof_sched *ps, uint64_t t, unsigned kind, uint64_t data)
{
    *ring_reserve(ps, t, 1) = (prof_rec){ t << 8 | kind | rec_inside(ps), data };
}


prof_sched *prof_sched_new(Scheduler *sd)
{
    if (!prof_origin_ns) prof_origin_ns = clock_ns();   /* sched_setup: one thread */
    if (!ext_ready && prof_cfg.trace_file) ext_ready = ring_init(&ext_ring, 0);
    /* Cache lines of its own, as its owner writes it once per slice:
     * the allocator puts it next to the Scheduler, which other threads
     * read and write (reclaim_poll reads every scheduler's slot, stealers
     * take its lock). */
    prof_sched *ps = aligned_alloc(PROF_LINE, sizeof *ps);
    if (ps) memset(ps, 0, sizeof *ps);
    if (!ps || !ring_init(ps, sd->id)) {
        fputs("cbeam: cannot set up +sched_trace/+sched_report\n", stderr);
        exit(1);
    }
    ps->sd = sd;
    ps->last_len = UINT64_MAX;
    if (!ps->recs) ps->runq_next_t = UINT64_MAX;   /* no ring: no samples */
    return ps;
}

void prof_thread_start(Scheduler *sd)
{
    prof_self = sd->prof_store;
    sd->prof_store->thread_start = sd->prof_store->last_t = prof_now();
}

#if PROF_HOOKS
prof_sched *prof_active_self(void)
{
    prof_sched *ps = prof_self;
    return ps && sched_prof(ps->sd) ? ps : NULL;
}
#endif


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

/* The rarer cases of a slice's start: accounting, a run-queue sample
 * due, a process to name, the report without a ring. Its records go
 * before the slice's and are stamped with its start. */
void __attribute__((noinline)) prof_slice_begin_slow(prof_sched *ps, Process *p, uint64_t len, uint64_t t)
{
    if (prof_msacc_on()) prof_msacc_switch(ps, MSACC_OTHER, MSACC_EMULATOR, t);
    Term reg = atomic_load_explicit(&p->registered_name, memory_order_relaxed);
    if (!ps->recs) {
        p->prof_named = reg;   /* nothing to name: off the slow path */
        return;
    }
    ps->slice = SLICE_NONE;    /* these records come before the slice's */
    if (len != ps->last_len && t >= ps->runq_next_t) {
        prof_runq(ps, len);
        ps->runq_next_t = t + PROF_RUNQ_EVERY_NS;
    }
    if (p->prof_named != reg) record_name(ps, p, reg, t);
    ps->slice = SLICE_RUNNING;
}

#if PROF_HOOKS
void prof_hint(enum prof_why why)
{
    prof_sched *ps = prof_active_self();
    if (ps && (ps->hint == PROF_END_REDS || why == PROF_END_HIBERNATE)) ps->hint = why;
}
#endif

/* The rarer cases of a slice's end: accounting, the report without a
 * ring, a full ring, a slice too long for one record. */
void __attribute__((noinline)) prof_slice_ended_slow(prof_sched *ps, uint64_t t)
{
    uint64_t dur = t - ps->slice_start;
    if (prof_msacc_on()) prof_msacc_switch(ps, MSACC_EMULATOR, MSACC_OTHER, t);
    if (!ps->recs) {
        ps->busy_ns += dur;
        if (dur > ps->longest_ns) ps->longest_ns = dur, ps->longest_pid = ps->end_pid;
    } else if (slice_fits(ps->end_reds, dur)) {
        *ring_reserve(ps, t, 1) = slice_rec(ps, dur);
    } else {
        prof_rec *r = ring_reserve(ps, t, 2);
        r[0] = (prof_rec){ ps->slice_start << 8 | REC_SLICE_LONG | ps->end_why, pid_num(ps->end_pid) };
        r[1] = (prof_rec){ dur, ps->end_reds };
    }
    ps->slice = SLICE_NONE;
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
    r[0] = (prof_rec){ start << 8 | REC_GC | rec_inside(ps), pid_num(p->pid) | (uint64_t)major << 63 };
    r[1] = (prof_rec){ start << 8 | REC_GC2, sat32(words_before) | sat32(words_after) << 32 };
    r[2] = (prof_rec){ start << 8 | REC_GC3, dur };
}

void prof_balance(prof_sched *ps, unsigned paths)
{
    ps->balances++;
    if (ps->recs) ring_put(ps, ps_clock(ps), REC_BALANCE, paths);
}

/* --- writing the JSON ------------------------------------------------------------------ */

/* An event read back: its record and continuation records. */
typedef struct rec_group {
    prof_rec r[3];
} rec_group;

typedef struct group_vec {
    rec_group *v;
    size_t n, cap;
} group_vec;

static rec_group *vec_push(group_vec *gv)
{
    if (gv->n == gv->cap) {
        gv->cap = gv->cap ? gv->cap * 2 : 64;
        gv->v = realloc(gv->v, gv->cap * sizeof *gv->v);
        if (!gv->v) abort();
    }
    return &gv->v[gv->n++];
}

/* Events of a ring read back in time order: its spill file, then what is
 * still in memory, with each slice record turned into a BEGIN at its
 * start and an END at its end around what was recorded inside it. */
typedef struct reader {
    prof_sched *ps;
    const prof_rec *src;   /* buf, or the ring itself at the end */
    size_t n, i;
    bool from_memory;
    prof_rec buf[1024];
    group_vec out;         /* events ready, out.v[out_i] next */
    size_t out_i;
    group_vec inner;       /* held back until their slice's record */
    const rec_group *cur;  /* NULL at the end */
} reader;

/* The next record of the ring, NULL at its end. */
static const prof_rec *raw_next(reader *rd)
{
    for (;;) {
        if (rd->i < rd->n) return &rd->src[rd->i++];
        if (rd->from_memory) return NULL;
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

static bool is_slice(unsigned kind) { return kind >= REC_SLICE && kind < REC_SLICE_LONG + 8; }

static unsigned continuations(unsigned kind)
{
    if (kind == REC_NAME || kind == REC_GC) return 2;
    return kind >= REC_SLICE_LONG && is_slice(kind) ? 1 : 0;
}

/* The next event with its continuations; false at the ring's end. */
static bool read_group(reader *rd, rec_group *g)
{
    const prof_rec *r = raw_next(rd);
    if (!r) return false;
    g->r[0] = *r;
    for (unsigned i = 1, n = continuations(rec_kind(r)); i <= n; i++) {
        r = raw_next(rd);
        if (!r) abort();   /* written together: the ring cannot end between */
        g->r[i] = *r;
    }
    return true;
}

static void out_rec(reader *rd, prof_rec r) { vec_push(&rd->out)->r[0] = r; }

/* A slice record: BEGIN at its start, what was held back, END at its
 * end. Also sums the report's busy time and longest slice. */
static void expand_slice(reader *rd, const rec_group *g)
{
    unsigned kind = rec_kind(&g->r[0]), why = kind & 7;
    uint64_t start = rec_t(&g->r[0]), pid, reds, dur;
    if (kind >= REC_SLICE_LONG) {
        pid = g->r[0].data, dur = g->r[1].tk, reds = g->r[1].data;
    } else {
        uint64_t d = g->r[0].data;
        pid = d & ((1ull << SLICE_PID_BITS) - 1);
        reds = d >> SLICE_PID_BITS & ((1ull << SLICE_REDS_BITS) - 1);
        dur = d >> (SLICE_PID_BITS + SLICE_REDS_BITS);
    }
    prof_sched *ps = rd->ps;
    ps->busy_ns += dur;
    if (dur > ps->longest_ns) ps->longest_ns = dur, ps->longest_pid = pid << TAG_IMMED1_SIZE | TAG_IMMED1_PID;
    out_rec(rd, (prof_rec){ start << 8 | REC_BEGIN, pid });
    for (size_t i = 0; i < rd->inner.n; i++) *vec_push(&rd->out) = rd->inner.v[i];
    rd->inner.n = 0;
    out_rec(rd, (prof_rec){ (start + dur) << 8 | REC_END, reds << 8 | why });
}

/* Reads on to the next events that can go out: an event outside any
 * slice, or a slice with what happened inside it. */
static void reader_fill(reader *rd)
{
    rd->out.n = rd->out_i = 0;
    rec_group g;
    while (read_group(rd, &g)) {
        unsigned kind = rec_kind(&g.r[0]);
        if (g.r[0].tk & REC_INSIDE) {
            g.r[0].tk &= ~(uint64_t)REC_INSIDE;
            *vec_push(&rd->inner) = g;
        } else if (is_slice(kind)) {
            expand_slice(rd, &g);
            return;
        } else {
            *vec_push(&rd->out) = g;
            return;
        }
    }
    /* The end, with events of a slice that was never written (none, as
     * every slice ends through prof_at): out as they are. */
    for (size_t i = 0; i < rd->inner.n; i++) *vec_push(&rd->out) = rd->inner.v[i];
    rd->inner.n = 0;
}

static void reader_next(reader *rd)
{
    if (rd->out_i == rd->out.n) reader_fill(rd);
    rd->cur = rd->out_i < rd->out.n ? &rd->out.v[rd->out_i++] : NULL;
}

static void reader_open(reader *rd, prof_sched *ps)
{
    rd->ps = ps;
    rd->from_memory = false;
    rd->n = rd->i = 0;
    lseek(ps->spill, 0, SEEK_SET);
    reader_next(rd);
}

static void reader_close(reader *rd)
{
    free(rd->out.v);
    free(rd->inner.v);
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

/* Writes the reader's current event and moves on. */
static void emit(json_out *o, reader *rd)
{
    int tid = rd->ps->id;
    const prof_rec *r = rd->cur->r;
    switch (rec_kind(r)) {
    case REC_NAME: take_name(o, &r[0], &r[1], &r[2]); break;
    case REC_GC: emit_gc(o, &r[0], &r[1], &r[2], tid); break;
    case REC_BEGIN: emit_begin(o, r, tid); break;
    case REC_END: emit_end(o, r, tid); break;
    case REC_MIGRATE: emit_migrate(o, r); break;
    default: emit_simple(o, r, tid); break;
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
            if (rd[i].ps && rd[i].cur && (!best || rec_t(rd[i].cur->r) < rec_t(best->cur->r))) best = &rd[i];
        if (!best) break;
        emit(o, best);
    }
    for (unsigned i = 0; i < nr; i++) reader_close(&rd[i]);
    free(rd);
}

bool prof_trace_write(const char *path, prof_counts *counts)
{
    writer_finish();   /* the spill files are complete */
    json_out o = { .first = true };
    o.f = fopen(path, "w");
    if (!o.f) {
        fprintf(stderr, "cbeam: +sched_trace: cannot write %s: %s\n", path, strerror(errno));
        /* The report's busy time and longest slice are summed from the
         * slices as they are read: read them all the same. */
        if (prof_cfg.report && (o.f = fopen("/dev/null", "w"))) {
            merge_rings(&o);
            fclose(o.f);
        }
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
