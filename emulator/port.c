/*
 * port.c — the port table, owners, links, closing, and commands queued
 * for the IO thread. See port.h for the ownership rules; the OS side of
 * a port (pipes, child processes, fds) is port_io.c, on the IO thread.
 *
 * Port numbers count up from 0 (OTP's ports are numbered the same way);
 * a number's table slot is number % PORT_LIMIT, and a number whose slot
 * is taken is skipped, so numbers stay unique until the 28-bit counter
 * wraps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atom.h"
#include "io_thread.h"
#include "port.h"
#include "port_io.h"
#include "scheduler.h"
#include "term_build.h"

#define PORT_NUMBER_BITS 28

static struct {
    pthread_mutex_t lock;
    Port *slots[PORT_LIMIT];
    uint32_t next;     /* the next number to try */
    size_t count;
} table = { .lock = PTHREAD_MUTEX_INITIALIZER };

static uint32_t port_number(Term id) { return (uint32_t)(id >> TAG_IMMED1_SIZE); }
static Term make_port_id(uint32_t n) { return ((Term)n << TAG_IMMED1_SIZE) | TAG_IMMED1_PORT; }

/* OTP's erts_ptab_data2pix for a 65536-entry table: 8 ids per cache line. */
uint32_t port_index(Term id)
{
    uint32_t n = port_number(id);
    const uint32_t cl_shift = 3, cli_shift = 13;   /* log2(8), log2(65536 / 8) */
    return ((n & ((1u << cli_shift) - 1)) << cl_shift) + ((n >> cli_shift) & ((1u << cl_shift) - 1));
}

/* --- references ------------------------------------------------------------ */

void port_get(Port *p) { atomic_fetch_add(&p->refc, 1); }

static void port_free(Port *p)
{
    for (port_buf *b = p->outq; b;) {
        port_buf *next = b->next;
        free(b);
        b = next;
    }
    for (port_waiter *w = p->waiters; w;) {
        port_waiter *next = w->next;
        free(w->buf);
        free(w);
        w = next;
    }
    offheap_release(&p->data_oh);
    free(p->data_block);
    free(p->links);
    free(p->monitors);
    free(p->name);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

void port_put(Port *p)
{
    if (atomic_fetch_sub(&p->refc, 1) == 1) port_free(p);
}

/* --- the table ---------------------------------------------------------- */

static bool table_insert(Port *p)
{
    pthread_mutex_lock(&table.lock);
    bool ok = false;
    for (uint32_t tries = 0; tries < PORT_LIMIT && !ok; tries++) {
        uint32_t n = table.next;
        table.next = (table.next + 1) & ((1u << PORT_NUMBER_BITS) - 1);
        Port **slot = &table.slots[n % PORT_LIMIT];
        if (*slot) continue;
        *slot = p;
        p->id = make_port_id(n);
        table.count++;
        ok = true;
    }
    pthread_mutex_unlock(&table.lock);
    return ok;
}

static void table_remove(Port *p)
{
    pthread_mutex_lock(&table.lock);
    Port **slot = &table.slots[port_number(p->id) % PORT_LIMIT];
    if (*slot == p) {
        *slot = NULL;
        table.count--;
    }
    pthread_mutex_unlock(&table.lock);
}

Port *port_lookup(Term id)
{
    if (!term_is_port(id)) return NULL;
    pthread_mutex_lock(&table.lock);
    Port *p = table.slots[port_number(id) % PORT_LIMIT];
    if (p && p->id == id) port_get(p);
    else p = NULL;
    pthread_mutex_unlock(&table.lock);
    return p;
}

static int compare_ids(const void *a, const void *b)
{
    Term x = *(const Term *)a, y = *(const Term *)b;
    return x < y ? -1 : x > y;
}

size_t port_all(Term *ids, size_t max)
{
    size_t n = 0;
    pthread_mutex_lock(&table.lock);
    for (uint32_t i = 0; i < PORT_LIMIT && n < max; i++)
        if (table.slots[i]) ids[n++] = table.slots[i]->id;
    pthread_mutex_unlock(&table.lock);
    qsort(ids, n, sizeof *ids, compare_ids);
    return n;
}

size_t port_count(void)
{
    pthread_mutex_lock(&table.lock);
    size_t n = table.count;
    pthread_mutex_unlock(&table.lock);
    return n;
}

/* --- links (port side, under p->lock) ------------------------------------ */

static void links_add(Port *p, Term id) { link_list_add(&p->links, &p->nlinks, &p->caplinks, id); }
static void links_remove(Port *p, Term id) { link_list_remove(p->links, &p->nlinks, id); }

bool port_link(Port *p, Term pid)
{
    pthread_mutex_lock(&p->lock);
    bool open = p->state == PORT_OPEN;
    if (open) links_add(p, pid);
    pthread_mutex_unlock(&p->lock);
    return open;
}

void port_unlink(Port *p, Term pid)
{
    pthread_mutex_lock(&p->lock);
    links_remove(p, pid);
    pthread_mutex_unlock(&p->lock);
}

/* --- creating and closing ----------------------------------------------- */

Port *port_create(Process *owner, char *name, const port_params *params)
{
    Port *p = calloc(1, sizeof *p);
    if (!p) {
        free(name);
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    p->name = name;
    p->kind = params->kind;
    p->flags = params->flags;
    p->packet = params->packet;
    p->line = params->line;
    p->in_fd = params->in_fd;
    p->out_fd = params->out_fd;
    p->busy_high = params->busy_high;
    p->busy_low = params->busy_low;
    p->waiters_tail = &p->waiters;
    p->state = PORT_OPEN;
    p->connected = owner->pid;
    p->os_pid = -1;
    p->data = am_undefined;
    p->outq_tail = &p->outq;
    atomic_store(&p->refc, 2);   /* the table's and the caller's */
    links_add(p, owner->pid);
    if (!table_insert(p)) {
        port_free(p);
        return NULL;
    }
    process_add_link(owner, p->id);
    return p;
}

/* Sends pid {Ref, Result}. */
static void reply_ref(Term pid, uint64_t ref, Term result)
{
    Process *q = process_lookup(pid);
    if (!q) return;
    Term hp[2 + 3];
    hp[0] = make_header(1, HDR_REF);
    hp[1] = ref;
    send_message(q, tuple2(hp + 2, make_boxed(hp), result));
}

/* The watcher's side of a monitor that fired: gone for demonitor. */
static void forget_monitor(Process *q, uint64_t ref)
{
    pthread_mutex_lock(&q->inbox_lock);
    for (size_t i = 0; i < q->nmonitors; i++) {
        if (q->monitors[i].ref == ref) {
            q->monitors[i] = q->monitors[--q->nmonitors];
            break;
        }
    }
    pthread_mutex_unlock(&q->inbox_lock);
}

/* A monitor taken by name reports {Name, Node}, as for processes. */
static void send_port_down(const port_monitor *m, Term id, Term reason)
{
    Process *q = process_lookup(m->pid);
    if (!q) return;
    forget_monitor(q, m->ref);
    Term hp[2 + 6 + 3];
    hp[0] = make_header(1, HDR_REF);
    hp[1] = m->ref;
    if (m->name != NIL) id = tuple2(hp + 8, m->name, am_nonode_at_nohost);
    Term msg = tuple_from(hp + 2, (Term[]){ ATOM_NAMED("DOWN"), make_boxed(hp), ATOM_NAMED("port"), id, reason }, 5);
    send_message(q, msg);
}

bool port_monitor_add(Port *p, uint64_t ref, Term pid, Term name)
{
    pthread_mutex_lock(&p->lock);
    bool open = p->state == PORT_OPEN;
    if (open) {
        if (p->nmonitors == p->capmonitors) {
            p->capmonitors = p->capmonitors ? 2 * p->capmonitors : 4;
            p->monitors = realloc(p->monitors, p->capmonitors * sizeof *p->monitors);
            if (!p->monitors) abort();
        }
        p->monitors[p->nmonitors++] = (port_monitor){ ref, pid, name };
    }
    pthread_mutex_unlock(&p->lock);
    return open;
}

void port_demonitor(Term port_id, uint64_t ref)
{
    Port *p = port_lookup(port_id);
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    for (size_t i = 0; i < p->nmonitors; i++) {
        if (p->monitors[i].ref == ref) {
            p->monitors[i] = p->monitors[--p->nmonitors];
            break;
        }
    }
    pthread_mutex_unlock(&p->lock);
    port_put(p);
}

bool port_terminate(Port *p, Term reason)
{
    pthread_mutex_lock(&p->lock);
    if (p->state == PORT_CLOSED) {
        pthread_mutex_unlock(&p->lock);
        return false;
    }
    p->state = PORT_CLOSED;
    Term *links = p->links;
    size_t nlinks = p->nlinks;
    port_monitor *mons = p->monitors;
    size_t nmons = p->nmonitors;
    p->links = NULL;
    p->nlinks = p->caplinks = 0;
    p->monitors = NULL;
    p->nmonitors = p->capmonitors = 0;
    port_waiter *waiters = p->waiters;
    p->waiters = NULL;
    p->waiters_tail = &p->waiters;
    pthread_mutex_unlock(&p->lock);
    table_remove(p);
    registry_drop_port(p->id);
    port_io_close(p);
    for (size_t i = 0; i < nlinks; i++) {
        Process *q = process_lookup(links[i]);
        if (!q) continue;
        process_remove_link(q, p->id);
        send_exit_signal(q, p->id, reason, true);
    }
    free(links);
    /* Suspended commands fail, as in OTP; after the exit signals, so that
     * what a failed writer tells the owner comes after the owner's
     * {'EXIT', Port, _}. */
    while (waiters) {
        port_waiter *next = waiters->next;
        reply_ref(waiters->pid, waiters->ref, am_badarg);
        free(waiters->buf);
        free(waiters);
        waiters = next;
    }
    for (size_t i = 0; i < nmons; i++) send_port_down(&mons[i], p->id, reason);
    free(mons);
    port_put(p);   /* the table's reference */
    return true;
}

bool port_register(Port *p, Term name)
{
    /* Under the port's lock, so that a port closing now (state first,
     * then registry_drop_port) cannot leave its name behind. */
    pthread_mutex_lock(&p->lock);
    bool ok = p->state == PORT_OPEN && registry_add_port(name, p->id);
    pthread_mutex_unlock(&p->lock);
    return ok;
}

Port *port_resolve(Term t)
{
    if (term_is_atom(t)) t = registry_port(t);
    return term_is_port(t) ? port_lookup(t) : NULL;
}

void port_discard(Port *p)
{
    pthread_mutex_lock(&p->lock);
    bool was_open = p->state == PORT_OPEN;
    p->state = PORT_CLOSED;
    Term owner = p->connected;
    p->nlinks = 0;
    pthread_mutex_unlock(&p->lock);
    if (!was_open) return;
    table_remove(p);
    Process *q = process_lookup(owner);
    if (q) process_remove_link(q, p->id);
    port_put(p);   /* the table's reference */
}

void port_linked_exit(Term port_id, Term pid, Term reason)
{
    Port *p = port_lookup(port_id);
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    links_remove(p, pid);
    bool close = p->connected == pid || reason != am_normal;
    pthread_mutex_unlock(&p->lock);
    /* A `kill` from a link arrives as `killed`, as with processes. */
    if (close) port_terminate(p, reason == am_kill ? am_killed : reason);
    port_put(p);
}

void port_exit_signal(Term port_id, Term from, Term reason)
{
    (void)from;
    Port *p = port_lookup(port_id);
    if (!p) return;
    port_terminate(p, reason == am_kill ? am_killed : reason);
    port_put(p);
}

/* --- port data ------------------------------------------------------------------ */

bool port_data_set(Port *port, Term t)
{
    Term *block = NULL;
    OffHeap oh = { 0 };
    Term copy = t;
    if (!term_is_immed(t)) {
        size_t words = size_object(t);
        block = malloc(words * sizeof(Term));
        if (!block) abort();
        Term *hp = block;
        copy = copy_object(t, &hp, &oh);
    }
    pthread_mutex_lock(&port->lock);
    bool open = port->state == PORT_OPEN;
    Term *old_block = NULL;
    OffHeap old_oh = { 0 };
    if (open) {
        old_block = port->data_block;
        old_oh = port->data_oh;
        port->data = copy;
        port->data_block = block;
        port->data_oh = oh;
    } else {
        old_block = block;
        old_oh = oh;
    }
    pthread_mutex_unlock(&port->lock);
    offheap_release(&old_oh);
    free(old_block);
    return open;
}

bool port_data_get(Port *port, Process *p, Term *out)
{
    pthread_mutex_lock(&port->lock);
    bool open = port->state == PORT_OPEN;
    if (open) {
        /* Copied under the lock: a concurrent set frees the old block. */
        Term t = port->data;
        if (term_is_immed(t)) {
            *out = t;
        } else {
            Term *hp = HAlloc(p, size_object(t));
            if (!hp) abort();
            *out = copy_object(t, &hp, &p->off_heap);
        }
    }
    pthread_mutex_unlock(&port->lock);
    return open;
}

/* --- messages to the owner -------------------------------------------------- */

void port_deliver(Port *p, Term msg)
{
    pthread_mutex_lock(&p->lock);
    Term to = p->state == PORT_OPEN ? p->connected : NIL;
    pthread_mutex_unlock(&p->lock);
    if (to == NIL) return;
    Process *q = process_lookup(to);
    if (q) send_message(q, msg);
}

/* --- output ------------------------------------------------------------------ */

/* The bytes with their {packet, N} header, in a new buffer. */
static port_buf *frame(Port *p, const uint8_t *bytes, size_t len)
{
    unsigned hdr = p->packet;
    port_buf *b = malloc(sizeof *b + hdr + len);
    if (!b) {
        fputs("cbeam: out of memory writing to a port\n", stderr);
        abort();
    }
    b->next = NULL;
    b->len = hdr + len;
    for (unsigned i = 0; i < hdr; i++) b->data[i] = (uint8_t)(len >> (8 * (hdr - 1 - i)));
    memcpy(b->data + hdr, bytes, len);
    return b;
}

/* Appends b to the queue; under p->lock. */
static void enqueue(Port *p, port_buf *b)
{
    *p->outq_tail = b;
    p->outq_tail = &b->next;
    p->outq_bytes += b->len;
    if (p->busy_high && p->outq_bytes >= p->busy_high) p->busy = true;
}

/* A command too long for its length header: taken, then the port dies
 * with einval, as OTP's spawn and fd drivers do. */
static bool too_long(Port *p, size_t len)
{
    unsigned hdr = p->packet;
    if (!hdr || hdr >= 4 || !(len >> (8 * hdr))) return false;
    port_terminate(p, ATOM_NAMED("einval"));
    return true;
}

static bool is_console(const Port *p)
{
    return p->kind == PORT_FD && (p->out_fd == 1 || p->out_fd == 2) && (p->flags & PORT_F_OUT);
}

/* --- console ports ---------------------------------------------------------
 * An fd port on fd 1 or 2 writes into the console queue at once, from the
 * caller's thread (io_write never blocks), so that its output keeps its
 * place among io:format's, as OTP's port_command does. Past the queue's
 * high-water mark the port turns busy, as OTP's fd driver does past its
 * own, so that port_command suspends the writer (user.erl) instead of the
 * queue growing without bound; the IO thread clears it once the queue is
 * low (console_drained) and writes what the suspended callers gave. When
 * the reader has gone the port fails with epipe, as OTP's fd driver does
 * (user.erl, linked to it, then exits).
 * Lock order: p->lock, then the console's lock (in io_write). The drain
 * callback is asked for with p->lock released (console_after_put), since
 * it may run at once and takes p->lock. */

/* What a write under p->lock leaves to do once the lock is released. */
typedef struct console_outcome {
    bool wait_for_drain;   /* the port turned busy: ask for console_drained */
    bool broken;           /* the reader has gone: fail the port */
} console_outcome;

static void console_drained(void *arg);

/* Writes bytes; under p->lock, the port open. */
static void console_put(Port *p, const uint8_t *bytes, size_t len, console_outcome *out)
{
    enum io_write_result r = io_write(p->out_fd, bytes, len);
    if (r == IO_WRITE_BROKEN) {
        out->broken = true;
    } else if (r == IO_WRITE_FULL && !p->busy) {
        p->busy = true;
        port_get(p);   /* held by the pending console_drained */
        out->wait_for_drain = true;
    }
}

static void console_put_framed(Port *p, const uint8_t *bytes, size_t len, console_outcome *out)
{
    unsigned hdr = p->packet;
    uint8_t head[4];
    for (unsigned i = 0; i < hdr; i++) head[i] = (uint8_t)(len >> (8 * (hdr - 1 - i)));
    if (hdr) console_put(p, head, hdr, out);
    console_put(p, bytes, len, out);
}

/* With p->lock released. */
static void console_after_put(Port *p, const console_outcome *out)
{
    if (out->wait_for_drain) io_call_when_drained(console_drained, p);
    if (out->broken) port_terminate(p, ATOM_NAMED("epipe"));
}

/* Moves the first suspended command onto the released list at *tail (its
 * bytes still to be written by the caller); under p->lock. */
static port_waiter *take_waiter(Port *p, port_waiter ***tail)
{
    port_waiter *w = p->waiters;
    p->waiters = w->next;
    if (!p->waiters) p->waiters_tail = &p->waiters;
    w->next = NULL;
    **tail = w;
    *tail = &w->next;
    return w;
}

/* The released commands are written: answer their callers (port_command
 * returns true) and free them; with p->lock released. */
static void answer_released(Port *p, port_waiter *released)
{
    while (released) {
        port_waiter *next = released->next;
        atomic_fetch_add(&p->output, released->data_len);
        if (released->pid != NIL) reply_ref(released->pid, released->ref, am_true);
        free(released);
        released = next;
    }
}

/* A caller waiting for the busy port to take bytes; under p->lock. */
static void add_waiter(Port *p, Term caller, uint64_t ref, const uint8_t *bytes, size_t len)
{
    port_waiter *w = malloc(sizeof *w);
    if (!w) abort();
    *w = (port_waiter){ NULL, caller, ref, len, frame(p, bytes, len) };
    *p->waiters_tail = w;
    p->waiters_tail = &w->next;
}

static void console_drained(void *arg)
{
    Port *p = arg;
    console_outcome out = { false, false };
    port_waiter *released = NULL, **tail = &released;
    pthread_mutex_lock(&p->lock);
    p->busy = false;
    while (!p->busy && p->waiters && p->state == PORT_OPEN) {
        port_waiter *w = take_waiter(p, &tail);
        console_put(p, w->buf->data, w->buf->len, &out);   /* framed already */
        free(w->buf);
        w->buf = NULL;
    }
    pthread_mutex_unlock(&p->lock);
    answer_released(p, released);
    console_after_put(p, &out);
    port_put(p);
}

static port_cmd_result console_command(Port *p, const uint8_t *bytes, size_t len, Term caller, bool nosuspend,
                                       uint64_t ref)
{
    console_outcome out = { false, false };
    port_cmd_result r = PORT_CMD_OK;
    pthread_mutex_lock(&p->lock);
    if (p->state != PORT_OPEN) {
        r = PORT_CMD_CLOSED;
    } else if (p->busy || p->waiters) {
        r = nosuspend ? PORT_CMD_BUSY : PORT_CMD_WAIT;
        if (r == PORT_CMD_WAIT) add_waiter(p, caller, ref, bytes, len);
    } else {
        console_put_framed(p, bytes, len, &out);
    }
    pthread_mutex_unlock(&p->lock);
    if (r == PORT_CMD_OK) atomic_fetch_add(&p->output, len);
    console_after_put(p, &out);
    return r;
}

/* Port ! {Pid, {command, Data}}: taken even when busy (cbeam does not
 * suspend a sender), in order behind what suspended callers gave. */
static bool console_write(Port *p, const uint8_t *bytes, size_t len)
{
    console_outcome out = { false, false };
    pthread_mutex_lock(&p->lock);
    bool open = p->state == PORT_OPEN, direct = open && !p->waiters;
    if (direct) console_put_framed(p, bytes, len, &out);
    else if (open) add_waiter(p, NIL, 0, bytes, len);   /* no one to answer */
    pthread_mutex_unlock(&p->lock);
    if (direct) atomic_fetch_add(&p->output, len);
    console_after_put(p, &out);
    return open;
}

bool port_write(Port *p, const uint8_t *bytes, size_t len)
{
    if (too_long(p, len)) return true;
    if (is_console(p)) return console_write(p, bytes, len);
    port_buf *b = frame(p, bytes, len);
    pthread_mutex_lock(&p->lock);
    bool open = p->state == PORT_OPEN;
    if (open) enqueue(p, b);
    pthread_mutex_unlock(&p->lock);
    if (!open) {
        free(b);
        return false;
    }
    atomic_fetch_add(&p->output, len);   /* OTP counts no packet header */
    port_io_kick(p);
    return true;
}

port_cmd_result port_command(Port *p, const uint8_t *bytes, size_t len, Term caller, bool nosuspend, uint64_t ref)
{
    if (too_long(p, len)) return PORT_CMD_OK;
    if (is_console(p)) return console_command(p, bytes, len, caller, nosuspend, ref);
    port_buf *b = frame(p, bytes, len);
    port_waiter *w = NULL;
    pthread_mutex_lock(&p->lock);
    port_cmd_result r = PORT_CMD_OK;
    if (p->state != PORT_OPEN) {
        r = PORT_CMD_CLOSED;
    } else if (p->busy || p->waiters) {
        r = nosuspend ? PORT_CMD_BUSY : PORT_CMD_WAIT;
    } else {
        enqueue(p, b);
    }
    if (r == PORT_CMD_WAIT) {
        w = malloc(sizeof *w);
        if (!w) abort();
        *w = (port_waiter){ NULL, caller, ref, len, b };
        *p->waiters_tail = w;
        p->waiters_tail = &w->next;
    }
    pthread_mutex_unlock(&p->lock);
    if (r == PORT_CMD_CLOSED || r == PORT_CMD_BUSY) free(b);
    if (r == PORT_CMD_OK) {
        atomic_fetch_add(&p->output, len);
        port_io_kick(p);
    }
    return r;
}

void port_output_done(Port *p, size_t n)
{
    port_waiter *released = NULL, **tail = &released;
    pthread_mutex_lock(&p->lock);
    p->outq_bytes -= n;
    if (p->busy && p->outq_bytes <= p->busy_low) p->busy = false;
    while (!p->busy && p->waiters && p->state == PORT_OPEN) {
        port_waiter *w = take_waiter(p, &tail);
        enqueue(p, w->buf);
        w->buf = NULL;
    }
    pthread_mutex_unlock(&p->lock);
    answer_released(p, released);
}

/* --- iolists ------------------------------------------------------------------ */

typedef struct iol_stack {
    Term *items;
    size_t n, cap;
} iol_stack;

static void iol_push(iol_stack *s, Term t)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 32;
        s->items = realloc(s->items, s->cap * sizeof *s->items);
        if (!s->items) abort();
    }
    s->items[s->n++] = t;
}

/* Walks t; with out == NULL only counts. False if t is not an iolist. */
static bool iol_walk(Term t, uint8_t *out, size_t *len)
{
    iol_stack st = { NULL, 0, 0 };
    size_t n = 0;
    bool ok = true;
    iol_push(&st, t);
    while (ok && st.n) {
        Term v = st.items[--st.n];
        while (ok && term_is_list(v)) {
            Term h = list_head(v);
            const uint8_t *bytes;
            size_t size;
            if (term_is_small(h) && small_value(h) >= 0 && small_value(h) <= 255) {
                if (out) out[n] = (uint8_t)small_value(h);
                n++;
            } else if (term_is_list(h)) {
                iol_push(&st, list_tail(v));
                v = h;
                continue;
            } else if (term_is_binary_like(h) && binary_bytes(h, &bytes, &size)) {
                if (out) memcpy(out + n, bytes, size);
                n += size;
            } else if (!term_is_nil(h)) {
                ok = false;
            }
            v = list_tail(v);
        }
        if (!ok || term_is_nil(v)) continue;
        const uint8_t *bytes;
        size_t size;
        if (term_is_binary_like(v) && binary_bytes(v, &bytes, &size)) {
            if (out) memcpy(out + n, bytes, size);
            n += size;
        } else {
            ok = false;
        }
    }
    free(st.items);
    *len = n;
    return ok;
}

bool port_iolist_bytes(Term t, uint8_t **out, size_t *len)
{
    size_t n;
    if (!iol_walk(t, NULL, &n)) return false;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) abort();
    iol_walk(t, buf, &n);
    *out = buf;
    *len = n;
    return true;
}

/* --- erlang:send to a port -------------------------------------------------- */

static bool port_set_connected(Port *p, Term pid);

/* OTP checks the sender is the connected process for every command form;
 * anything else is a bad signal, which kills the port. */
void port_send_message(Process *sender, Term port_id, Term msg)
{
    (void)sender;
    Port *p = port_lookup(port_id);
    if (!p) return;   /* a message to a closed port is dropped */
    pthread_mutex_lock(&p->lock);
    Term connected = p->connected;
    pthread_mutex_unlock(&p->lock);
    bool bad = true;
    if (term_is_tuple(msg) && tuple_arity(msg) == 2 && tuple_elements(msg)[0] == connected) {
        Term cmd = tuple_elements(msg)[1];
        if (cmd == ATOM_NAMED("close")) {
            if (port_terminate(p, am_normal)) {
                Term hp[3];
                Process *q = process_lookup(connected);
                if (q) send_message(q, tuple2(hp, port_id, ATOM_NAMED("closed")));
            }
            bad = false;
        } else if (term_is_tuple(cmd) && tuple_arity(cmd) == 2) {
            Term tag = tuple_elements(cmd)[0], arg = tuple_elements(cmd)[1];
            if (tag == ATOM_NAMED("command")) {
                uint8_t *bytes;
                size_t len;
                if (port_iolist_bytes(arg, &bytes, &len)) {
                    bad = !port_write(p, bytes, len);
                    free(bytes);
                }
            } else if (tag == ATOM_NAMED("connect") && term_is_pid(arg)) {
                /* Unlike port_connect/2, the message does not link. */
                bad = !port_set_connected(p, arg);
                if (!bad) {
                    Term hp[3];
                    Process *q = process_lookup(connected);
                    if (q) send_message(q, tuple2(hp, port_id, ATOM_NAMED("connected")));
                }
            }
        }
    }
    if (bad) port_terminate(p, ATOM_NAMED("badsig"));
    port_put(p);
}

/* {Pid, {connect, New}}: OTP does not check that New is alive. */
static bool port_set_connected(Port *p, Term pid)
{
    pthread_mutex_lock(&p->lock);
    bool open = p->state == PORT_OPEN;
    if (open) p->connected = pid;
    pthread_mutex_unlock(&p->lock);
    return open;
}

bool port_connect(Port *p, Term pid)
{
    Process *q = process_lookup(pid);
    if (!q) return false;
    pthread_mutex_lock(&p->lock);
    bool open = p->state == PORT_OPEN;
    if (open) {
        p->connected = pid;
        links_add(p, pid);
    }
    pthread_mutex_unlock(&p->lock);
    if (open) process_add_link(q, p->id);
    return open;
}
