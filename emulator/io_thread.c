/*
 * io_thread.c — the console on its own thread with a libuv loop; see
 * io_thread.h for what it does and for the locking.
 *
 * The output path: io_write appends a chunk (fd, copied bytes, sequence
 * number) to io.head under the lock and wakes the loop with uv_async_send.
 * The IO thread takes the whole queue at once into io.pending (its own
 * list) and writes it in order, a run of consecutive chunks for the same fd
 * at a time: one uv_write with one buffer per chunk on a stream, or a
 * write(2) loop on a plain fd. Only one run is in flight, so fd 1 and fd 2
 * keep the order they were written in. When a run is out, `done` becomes
 * its last sequence number and io_flush's waiters are woken.
 *
 * The input path: requests (pid, encoding) queue under the lock; the IO
 * thread answers them in order from io.in_buf, reading more only while a
 * request is waiting for a line, so a VM nobody asks for input never reads
 * standard input.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "atom.h"
#include "io_thread.h"
#include "port_io.h"
#include "scheduler.h"
#include "term_build.h"
#include "utf8.h"

/* put_chars asks its caller to wait above the high mark and wakes it
 * below the low one, so a fast writer cannot queue without bound. */
#define IO_HIGH_WATER ((size_t)4 << 20)
#define IO_LOW_WATER ((size_t)1 << 20)
#define IO_READ_CHUNK 65536
#define IO_MAX_BUFS 256

typedef struct io_chunk {
    struct io_chunk *next;
    uint64_t seq;
    int fd;
    size_t len;
    char data[];
} io_chunk;

/* A process waiting: for a line (latin1 says how to decode it) or for the
 * output queue to drain. */
typedef struct io_waiter {
    struct io_waiter *next;
    Term pid;
    bool latin1;
    void (*drained)(void *arg);   /* a drain waiter in C (else pid is told) */
    void *arg;
} io_waiter;

typedef enum { DEV_NEW, DEV_STREAM, DEV_FD, DEV_NONE } dev_kind;

/* fd 0, 1 or 2 as the IO thread sees it. */
typedef struct io_dev {
    dev_kind kind;
    bool broken;                /* a write failed: drop what comes */
    union {
        uv_stream_t stream;
        uv_tty_t tty;
        uv_pipe_t pipe;
        uv_tcp_t tcp;
    } h;
} io_dev;

static struct {
    /* --- under lock ------------------------------------------------------ */
    pthread_mutex_t lock;
    pthread_cond_t progress;     /* `done` moved or the thread stopped */
    bool running;                /* io_write queues (else writes directly) */
    bool stopping;               /* io_stop asked the thread to finish */
    io_chunk *head, **tailp;     /* queued output, oldest first */
    uint64_t enqueued, done;     /* last sequence number queued / written */
    size_t queued_bytes;         /* queued or being written */
    bool broken[3];              /* fd 1/2 failed: io_write refuses */
    io_waiter *drain_waiters;
    io_waiter *requests, **requests_tail;
    io_task *tasks, **tasks_tail;  /* io_post's queue, oldest first */

    /* --- set by io_start before the thread exists, read-only after ------- */
    pthread_t thread;
    int saved_flags[3];          /* each fd's status flags at start-up */
    Term am_cbeam_io, am_eof, am_drained;

    /* --- the IO thread's own ------------------------------------------- */
    uv_loop_t loop;
    /* The IO thread takes part in reclamation only while it delivers a
     * message (process_lookup's pointer must stay valid); offline else. */
    reclaim_slot reclaim;
    uv_async_t async;
    io_dev dev[3];
    io_chunk *pending;           /* taken off the queue, not written yet */
    io_chunk *in_flight;         /* the run uv_write is writing */
    int in_flight_fd;
    uv_write_t wreq;
    uv_buf_t bufs[IO_MAX_BUFS];
    bool writing;
    char *in_buf;
    size_t in_len, in_cap;
    bool in_eof, reading;
} io = { .lock = PTHREAD_MUTEX_INITIALIZER, .progress = PTHREAD_COND_INITIALIZER };

/* Writes everything, waiting out EAGAIN on a non-blocking fd. False (with
 * errno) on an error. */
static bool write_all(int fd, const char *s, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, s, len);
        if (n > 0) {
            s += n;
            len -= (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = { .fd = fd, .events = POLLOUT };
            poll(&pfd, 1, -1);
        } else {
            return false;
        }
    }
    return true;
}

/* The one place where the IO thread reaches a process: look it up and send
 * (send_message copies msg). Process lookup is about to become reference
 * counted for several schedulers; until then a requester that exits right
 * now is the known gap of process.c (a process is freed when it exits). */
static bool io_deliver(Term pid, Term msg)
{
    reclaim_online(&io.reclaim);
    Process *p = process_lookup(pid);
    bool sent = p && send_message(p, msg);
    reclaim_offline(&io.reclaim);
    return sent;
}

static void deliver_atom(Term pid, Term a)
{
    Term hp[3];
    io_deliver(pid, tuple2(hp, io.am_cbeam_io, a));
}

static void free_waiters(io_waiter *w)
{
    while (w) {
        io_waiter *next = w->next;
        free(w);
        w = next;
    }
}

/* --- devices (IO thread) ---------------------------------------------------- */

static io_dev *dev_open(int fd)
{
    io_dev *d = &io.dev[fd];
    if (d->kind != DEV_NEW) return d;
    if (io.saved_flags[fd] == -1) {
        d->kind = DEV_NONE;   /* closed when cbeam started */
        return d;
    }
    d->kind = DEV_FD;
    switch (uv_guess_handle(fd)) {
    case UV_TTY:
        if (uv_tty_init(&io.loop, &d->h.tty, fd, fd == 0) == 0) d->kind = DEV_STREAM;
        break;
    case UV_NAMED_PIPE:
        if (uv_pipe_init(&io.loop, &d->h.pipe, 0) == 0) {
            if (uv_pipe_open(&d->h.pipe, fd) == 0) d->kind = DEV_STREAM;
            else uv_close((uv_handle_t *)&d->h.pipe, NULL);
        }
        break;
    case UV_TCP:
        if (uv_tcp_init(&io.loop, &d->h.tcp) == 0) {
            if (uv_tcp_open(&d->h.tcp, fd) == 0) d->kind = DEV_STREAM;
            else uv_close((uv_handle_t *)&d->h.tcp, NULL);
        }
        break;
    default:
        break;
    }
    return d;
}

/* --- output (IO thread) ----------------------------------------------------- */

/* Tells each drain waiter (a process, or C code) and frees the list. */
static void tell_drained(io_waiter *w)
{
    while (w) {
        io_waiter *next = w->next;
        if (w->drained) w->drained(w->arg);
        else deliver_atom(w->pid, io.am_drained);
        free(w);
        w = next;
    }
}

static void pump_output(void);
static void maybe_shutdown(void);

/* A run of chunks is written (or dropped): free it, move `done`, wake
 * io_flush, and tell the drain waiters once the queue is low. */
static void run_done(io_chunk *c)
{
    uint64_t last = 0;
    size_t bytes = 0;
    while (c) {
        io_chunk *next = c->next;
        last = c->seq;
        bytes += c->len;
        free(c);
        c = next;
    }
    io_waiter *wake = NULL;
    pthread_mutex_lock(&io.lock);
    io.done = last;
    io.queued_bytes -= bytes;
    if (io.queued_bytes <= IO_LOW_WATER) {
        wake = io.drain_waiters;
        io.drain_waiters = NULL;
    }
    pthread_cond_broadcast(&io.progress);
    pthread_mutex_unlock(&io.lock);
    tell_drained(wake);
}

static void mark_broken(int fd)
{
    io.dev[fd].broken = true;
    pthread_mutex_lock(&io.lock);
    io.broken[fd] = true;
    pthread_mutex_unlock(&io.lock);
}

static void on_written(uv_write_t *req, int status)
{
    (void)req;
    io.writing = false;
    if (status < 0) mark_broken(io.in_flight_fd);
    io_chunk *run = io.in_flight;
    io.in_flight = NULL;
    run_done(run);
    pump_output();
    maybe_shutdown();
}

static void pump_output(void)
{
    while (!io.writing) {
        if (!io.pending) {
            pthread_mutex_lock(&io.lock);
            io.pending = io.head;
            io.head = NULL;
            io.tailp = &io.head;
            pthread_mutex_unlock(&io.lock);
            if (!io.pending) return;
        }
        io_chunk *first = io.pending, *last = first;
        size_t n = 1;
        while (last->next && last->next->fd == first->fd && n < IO_MAX_BUFS) last = last->next, n++;
        io.pending = last->next;
        last->next = NULL;
        int fd = first->fd;
        io_dev *d = dev_open(fd);
        if (d->broken || d->kind == DEV_NONE) {
            run_done(first);
        } else if (d->kind == DEV_STREAM) {
            size_t i = 0;
            for (io_chunk *c = first; c; c = c->next) io.bufs[i++] = uv_buf_init(c->data, (unsigned)c->len);
            io.in_flight = first;
            io.in_flight_fd = fd;
            io.writing = true;
            if (uv_write(&io.wreq, &d->h.stream, io.bufs, (unsigned)n, on_written) < 0) {
                io.writing = false;
                io.in_flight = NULL;
                mark_broken(fd);
                run_done(first);
            }
        } else {
            for (io_chunk *c = first; c; c = c->next) {
                if (!write_all(fd, c->data, c->len)) {
                    mark_broken(fd);
                    break;
                }
            }
            run_done(first);
        }
    }
}

/* --- input (IO thread) ------------------------------------------------------ */

static void pump_input(void);
static void run_tasks(void);

static void in_reserve(size_t more)
{
    if (io.in_cap - io.in_len >= more) return;
    size_t cap = io.in_cap ? io.in_cap : IO_READ_CHUNK;
    while (cap - io.in_len < more) cap *= 2;
    char *b = realloc(io.in_buf, cap);
    if (!b) {
        fputs("cbeam: out of memory reading standard input\n", stderr);
        abort();
    }
    io.in_buf = b;
    io.in_cap = cap;
}

/* Sends pid {cbeam_io, Line}: the first n bytes of the buffer as code
 * points (UTF-8, an invalid byte as itself; or bytes for latin1). */
static void deliver_line(Term pid, bool latin1, size_t n)
{
    Term *mem = malloc((3 + 2 * n) * sizeof(Term));
    if (!mem) {
        fputs("cbeam: out of memory reading standard input\n", stderr);
        abort();
    }
    Term *hp = mem, list = NIL, *tail = &list;
    const char *s = io.in_buf;
    for (size_t i = 0; i < n;) {
        uint32_t cp = (unsigned char)s[i];
        size_t len = 1;
        if (!latin1) {
            len = utf8_decode(s + i, n - i, &cp);
            if (len == 0) cp = (unsigned char)s[i], len = 1;
        }
        *tail = cons(hp, make_small(cp), NIL);
        tail = &hp[1];
        hp += 2;
        i += len;
    }
    io_deliver(pid, tuple2(hp, io.am_cbeam_io, list));
    free(mem);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    in_reserve(suggested < IO_READ_CHUNK ? IO_READ_CHUNK : suggested);
    *buf = uv_buf_init(io.in_buf + io.in_len, (unsigned)(io.in_cap - io.in_len));
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    (void)buf;
    if (nread > 0) {
        io.in_len += (size_t)nread;
    } else if (nread < 0) {
        /* UV_EOF, or an error, which reads as the end of the input. */
        uv_read_stop(s);
        io.reading = false;
        io.in_eof = true;
    }
    pump_input();
}

/* Reads a plain fd (a regular file, /dev/null) on this thread. */
static void read_fd(void)
{
    in_reserve(IO_READ_CHUNK);
    for (;;) {
        ssize_t k = read(0, io.in_buf + io.in_len, io.in_cap - io.in_len);
        if (k > 0) {
            io.in_len += (size_t)k;
        } else if (k < 0 && errno == EINTR) {
            continue;
        } else if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = { .fd = 0, .events = POLLIN };
            poll(&pfd, 1, -1);
            continue;
        } else {
            io.in_eof = true;
        }
        return;
    }
}

static void pump_input(void)
{
    for (;;) {
        pthread_mutex_lock(&io.lock);
        io_waiter *r = io.requests;
        pthread_mutex_unlock(&io.lock);
        if (!r) {
            if (io.reading) {
                uv_read_stop(&io.dev[0].h.stream);
                io.reading = false;
            }
            return;
        }
        const char *nl = io.in_len ? memchr(io.in_buf, '\n', io.in_len) : NULL;
        if (nl || io.in_eof) {
            pthread_mutex_lock(&io.lock);
            io.requests = r->next;
            if (!io.requests) io.requests_tail = &io.requests;
            pthread_mutex_unlock(&io.lock);
            size_t n = nl ? (size_t)(nl - io.in_buf) + 1 : io.in_len;
            if (n == 0) {
                /* Reported once; a later request reads again (a terminal
                 * can give more after ^D). */
                io.in_eof = false;
                deliver_atom(r->pid, io.am_eof);
            } else {
                deliver_line(r->pid, r->latin1, n);
                memmove(io.in_buf, io.in_buf + n, io.in_len - n);
                io.in_len -= n;
            }
            free(r);
            continue;
        }
        io_dev *d = dev_open(0);
        if (d->kind == DEV_STREAM) {
            if (!io.reading) {
                if (uv_read_start(&d->h.stream, on_alloc, on_read) < 0) {
                    io.in_eof = true;
                    continue;
                }
                io.reading = true;
            }
            return;   /* on_read continues */
        }
        if (d->kind == DEV_NONE) io.in_eof = true;
        else read_fd();
    }
}

/* --- the loop --------------------------------------------------------------- */

/* Once io_stop asked and every queued byte is out: stop queueing, answer
 * nobody, close the handles (uv_run then returns). */
static void maybe_shutdown(void)
{
    if (io.writing || io.pending) return;
    pthread_mutex_lock(&io.lock);
    if (!io.stopping || io.head || !io.running) {
        pthread_mutex_unlock(&io.lock);
        return;
    }
    io.running = false;
    io_waiter *reqs = io.requests, *drains = io.drain_waiters;
    io.requests = NULL;
    io.requests_tail = &io.requests;
    io.drain_waiters = NULL;
    pthread_cond_broadcast(&io.progress);
    pthread_mutex_unlock(&io.lock);
    free_waiters(reqs);
    tell_drained(drains);   /* later writes go straight to the fd */
    run_tasks();          /* posted before `running` went false */
    port_io_shutdown();
    if (io.reading) uv_read_stop(&io.dev[0].h.stream);
    io.reading = false;
    for (int fd = 0; fd < 3; fd++) {
        /* libuv made the fd non-blocking (for the console or for an fd
         * port on a dup of it); the file description may be shared with
         * other processes (a pipe, the shell's terminal). */
        if (io.saved_flags[fd] != -1) fcntl(fd, F_SETFL, io.saved_flags[fd]);
        if (io.dev[fd].kind == DEV_STREAM) uv_close((uv_handle_t *)&io.dev[fd].h.stream, NULL);
    }
    uv_close((uv_handle_t *)&io.async, NULL);
}

static void run_tasks(void)
{
    pthread_mutex_lock(&io.lock);
    io_task *t = io.tasks;
    io.tasks = NULL;
    io.tasks_tail = &io.tasks;
    pthread_mutex_unlock(&io.lock);
    while (t) {
        io_task *next = t->next;
        t->run(t);
        t = next;
    }
}

static void on_async(uv_async_t *a)
{
    (void)a;
    run_tasks();
    pump_output();
    pump_input();
    maybe_shutdown();
}

static void *io_main(void *arg)
{
    (void)arg;
    uv_run(&io.loop, UV_RUN_DEFAULT);
    uv_loop_close(&io.loop);
    free(io.in_buf);
    io.in_buf = NULL;
    return NULL;
}

static Term intern(const char *s)
{
    Term a;
    if (atom_put(s, strlen(s), &a) != ATOM_OK) abort();
    return a;
}

bool io_start(void)
{
    signal(SIGPIPE, SIG_IGN);
    reclaim_register(&io.reclaim);
    reclaim_offline(&io.reclaim);
    io.am_cbeam_io = intern("cbeam_io");
    io.am_eof = intern("eof");
    io.am_drained = intern("drained");
    for (int fd = 0; fd < 3; fd++) {
        io.saved_flags[fd] = fcntl(fd, F_GETFL);
        io.dev[fd].kind = DEV_NEW;
        /* A closed fd 0-2 stays unused (dev_open makes it DEV_NONE), but
         * /dev/null holds its number, so that the loop's own descriptors
         * (epoll, eventfd) do not take it. */
        if (io.saved_flags[fd] == -1) {
            int null = open("/dev/null", O_RDWR);
            if (null >= 0 && null != fd) {
                dup2(null, fd);
                close(null);
            }
        }
    }
    io.tailp = &io.head;
    io.requests_tail = &io.requests;
    io.tasks_tail = &io.tasks;
    if (uv_loop_init(&io.loop) != 0) return false;
    if (uv_async_init(&io.loop, &io.async, on_async) != 0) {
        uv_loop_close(&io.loop);
        return false;
    }
    pthread_mutex_lock(&io.lock);
    io.running = true;
    pthread_mutex_unlock(&io.lock);
    if (pthread_create(&io.thread, NULL, io_main, NULL) != 0) {
        pthread_mutex_lock(&io.lock);
        io.running = false;
        pthread_mutex_unlock(&io.lock);
        uv_close((uv_handle_t *)&io.async, NULL);
        uv_run(&io.loop, UV_RUN_DEFAULT);
        uv_loop_close(&io.loop);
        return false;
    }
    return true;
}

void io_stop(void)
{
    pthread_mutex_lock(&io.lock);
    if (!io.running || io.stopping) {
        pthread_mutex_unlock(&io.lock);
        return;
    }
    io.stopping = true;
    uv_async_send(&io.async);
    pthread_mutex_unlock(&io.lock);
    pthread_join(io.thread, NULL);
}

/* --- any thread ------------------------------------------------------------- */

enum io_write_result io_write(int fd, const void *bytes, size_t len)
{
    if (fd != 1 && fd != 2) fd = 2;
    if (len == 0) return IO_WRITE_OK;
    io_chunk *c = malloc(sizeof *c + len);
    if (!c) {
        fputs("cbeam: out of memory writing output\n", stderr);
        abort();
    }
    memcpy(c->data, bytes, len);
    c->next = NULL;
    c->fd = fd;
    c->len = len;
    pthread_mutex_lock(&io.lock);
    if (!io.running) {
        pthread_mutex_unlock(&io.lock);
        free(c);
        return write_all(fd, bytes, len) || errno != EPIPE ? IO_WRITE_OK : IO_WRITE_BROKEN;
    }
    if (io.broken[fd]) {
        pthread_mutex_unlock(&io.lock);
        free(c);
        return IO_WRITE_BROKEN;
    }
    c->seq = ++io.enqueued;
    *io.tailp = c;
    io.tailp = &c->next;
    io.queued_bytes += len;
    bool full = io.queued_bytes > IO_HIGH_WATER;
    /* Under the lock: the IO thread closes the async handle only after it
     * cleared `running` under the same lock. */
    uv_async_send(&io.async);
    pthread_mutex_unlock(&io.lock);
    return full ? IO_WRITE_FULL : IO_WRITE_OK;
}

static void add_drain_waiter(io_waiter *w)
{
    pthread_mutex_lock(&io.lock);
    bool now = !io.running || io.queued_bytes <= IO_LOW_WATER;
    if (!now) {
        w->next = io.drain_waiters;
        io.drain_waiters = w;
    }
    pthread_mutex_unlock(&io.lock);
    if (now) {
        w->next = NULL;
        tell_drained(w);
    }
}

static io_waiter *new_waiter(void)
{
    io_waiter *w = calloc(1, sizeof *w);
    if (!w) {
        fputs("cbeam: out of memory writing output\n", stderr);
        abort();
    }
    return w;
}

void io_notify_drained(Term pid)
{
    io_waiter *w = new_waiter();
    w->pid = pid;
    add_drain_waiter(w);
}

void io_call_when_drained(void (*drained)(void *arg), void *arg)
{
    io_waiter *w = new_waiter();
    w->drained = drained;
    w->arg = arg;
    add_drain_waiter(w);
}

void io_flush(void)
{
    pthread_mutex_lock(&io.lock);
    uint64_t target = io.enqueued;
    while (io.running && io.done < target) pthread_cond_wait(&io.progress, &io.lock);
    pthread_mutex_unlock(&io.lock);
}

bool io_request_line(Term pid, bool latin1)
{
    io_waiter *r = malloc(sizeof *r);
    if (!r) {
        fputs("cbeam: out of memory reading standard input\n", stderr);
        abort();
    }
    r->next = NULL;
    r->pid = pid;
    r->latin1 = latin1;
    pthread_mutex_lock(&io.lock);
    if (!io.running || io.stopping) {
        pthread_mutex_unlock(&io.lock);
        free(r);
        return false;
    }
    *io.requests_tail = r;
    io.requests_tail = &r->next;
    uv_async_send(&io.async);
    pthread_mutex_unlock(&io.lock);
    return true;
}

bool io_post(io_task *t)
{
    t->next = NULL;
    pthread_mutex_lock(&io.lock);
    if (!io.running) {
        pthread_mutex_unlock(&io.lock);
        return false;
    }
    *io.tasks_tail = t;
    io.tasks_tail = &t->next;
    uv_async_send(&io.async);
    pthread_mutex_unlock(&io.lock);
    return true;
}

uv_loop_t *io_loop(void) { return &io.loop; }
void io_enter(void) { reclaim_online(&io.reclaim); }
void io_leave(void) { reclaim_offline(&io.reclaim); }
