/*
 * port_io.c — spawned programs and fd ports on the IO thread's libuv
 * loop; see port_io.h. Everything below the "IO thread" line runs only
 * there, so a port_io needs no lock; it reaches the Port's shared part
 * (outq, os_pid, connected) under Port.lock, and processes only inside
 * io_enter/io_leave (reclamation, see io_thread.h).
 *
 * A spawned program gets pipes made here (uv_pipe, close-on-exec) whose
 * child ends libuv dup2s into place: stdin/stdout (use_stdio) or fds 3/4
 * (nouse_stdio), and stdout again as stderr with stderr_to_stdout. As in
 * OTP, {spawn, Cmd} runs `/bin/sh -c "exec Cmd"`.
 *
 * End of a program: without exit_status the port closes (or sends eof
 * with `eof`) when its output ends; with exit_status it waits for both the
 * end of output and the exit, then sends {exit_status, N} (128 + signal
 * for a killed program) before eof or closing, in OTP's order.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uv.h>

#include "atom.h"
#include "binary.h"
#include "io_thread.h"
#include "port_io.h"
#include "scheduler.h"
#include "term_build.h"

#define PIO_MAX_BUFS 64

typedef union pio_stream {
    uv_stream_t s;
    uv_pipe_t pipe;
    uv_tty_t tty;
} pio_stream;

typedef struct port_io {
    struct port_io *next, *prev;   /* every live port_io (IO thread) */
    Port *port;                    /* holds one reference */
    uv_process_t proc;
    pio_stream w, r;               /* to the program / from it */
    bool proc_open, w_open, r_open;
    int w_console;                 /* fd port writing fd 1 or 2: io_write; else 0 */
    int w_file, r_file;            /* a plain fd written/read with write/read, else -1 */
    int handles;                   /* open uv handles */
    int w_error, r_error;          /* fd port: the fd could not be opened
                                      (uv error); the port dies with it
                                      on first use, as OTP's fd driver */
    bool exited, eof, closing, finished;
    int64_t status;
    bool writing;
    port_buf *in_flight;
    uv_write_t wreq;
    uv_buf_t bufs[PIO_MAX_BUFS];
    uint8_t *buf;                  /* read, not delivered yet */
    size_t len, cap;
} port_io;

typedef enum { TASK_OPEN, TASK_KICK, TASK_CLOSE } task_op;

typedef struct port_task {
    io_task base;
    task_op op;
    Port *port;
    port_spawn_spec *spec;
    Term opener;
    uint64_t ref;
} port_task;

static port_io *live;   /* IO thread */
/* The VM is stopping (port_io_shutdown ran): the schedulers are gone, so
 * nothing is sent to processes any more; output is still flushed. */
static bool stopping;

void port_spawn_spec_free(port_spawn_spec *s)
{
    if (!s) return;
    for (char **a = s->argv; a && *a; a++) free(*a);
    for (char **e = s->env; e && *e; e++) free(*e);
    free(s->argv);
    free(s->env);
    free(s->file);
    free(s->cwd);
    free(s);
}

/* ---------------------------------------------------------------- any thread */

static void run_task(io_task *t);

static bool post(Port *p, task_op op, port_spawn_spec *spec, Term opener, uint64_t ref)
{
    port_task *t = calloc(1, sizeof *t);
    if (!t) abort();
    t->base.run = run_task;
    t->op = op;
    t->port = p;
    t->spec = spec;
    t->opener = opener;
    t->ref = ref;
    port_get(p);
    if (io_post(&t->base)) return true;
    port_put(p);
    free(t);
    return false;
}

bool port_io_open(Port *p, port_spawn_spec *spec, Term opener, uint64_t ref)
{
    if (post(p, TASK_OPEN, spec, opener, ref)) return true;
    port_spawn_spec_free(spec);
    return false;
}

/* One kick at a time: commands queued before the IO thread runs it are
 * written by it, so a burst of small commands costs one task. */
void port_io_kick(Port *p)
{
    if (atomic_exchange(&p->kick_pending, true)) return;
    if (!post(p, TASK_KICK, NULL, NIL, 0)) atomic_store(&p->kick_pending, false);
}
void port_io_close(Port *p) { post(p, TASK_CLOSE, NULL, NIL, 0); }

/* ----------------------------------------------------------------- IO thread */

/* Sends the port's connected process msg (built on the caller's memory). */
static void pio_send(Port *p, Term msg)
{
    if (stopping) return;
    io_enter();
    port_deliver(p, msg);
    io_leave();
}

static void pio_terminate(Port *p, Term reason)
{
    if (stopping) return;
    io_enter();
    port_terminate(p, reason);
    io_leave();
}

static Term posix_atom(int uv_err)
{
    char name[64];
    const char *s = uv_err_name(uv_err);
    size_t n = 0;
    for (; s[n] && n < sizeof name - 1; n++) name[n] = (char)(s[n] >= 'A' && s[n] <= 'Z' ? s[n] + 32 : s[n]);
    Term a;
    if (atom_put(name, n, &a) != ATOM_OK) a = ATOM_NAMED("einval");
    return a;
}

static void reply(Term opener, uint64_t ref, Term result)
{
    Term hp[2 + 3];
    hp[0] = make_header(1, HDR_REF);
    hp[1] = ref;
    Term msg = tuple2(hp + 2, make_boxed(hp), result);
    if (stopping) return;
    io_enter();
    Process *q = process_lookup(opener);
    if (q) send_message(q, msg);
    io_leave();
}

/* --- delivering data -------------------------------------------------------- */

/* {Port, {data, D}} or {Port, {data, {Tag, D}}} with D the n bytes at s,
 * as a list or a binary. */
static void deliver_data(Port *p, Term tag, const uint8_t *s, size_t n)
{
    bool binary = p->flags & PORT_F_BINARY;
    size_t words = 3 + 3 + 3 + (binary ? (n <= HEAP_BIN_LIMIT ? heap_bin_words(n) : PROC_BIN_WORDS) : 2 * n);
    Term *mem = malloc(words * sizeof(Term)), *hp = mem;
    if (!mem) abort();
    OffHeap oh = { 0 };
    Term d;
    if (binary && n <= HEAP_BIN_LIMIT) {
        hp[0] = make_header(heap_bin_words(n) - 1, HDR_HEAP_BIN);
        hp[1] = n;
        memcpy(hp + 2, s, n);
        d = make_boxed(hp);
        hp += heap_bin_words(n);
    } else if (binary) {
        Binary *b = binary_alloc(n);
        if (!b) abort();
        memcpy(b->bytes, s, n);
        d = procbin_make(hp, b, &oh);
        hp += PROC_BIN_WORDS;
    } else {
        d = NIL;
        for (size_t i = n; i-- > 0;) d = cons(hp + 2 * i, make_small(s[i]), d);
        hp += 2 * n;
    }
    if (tag != NIL) {
        d = tuple2(hp, tag, d);
        hp += 3;
    }
    Term data = tuple2(hp, ATOM_NAMED("data"), d);
    pio_send(p, tuple2(hp + 3, p->id, data));
    offheap_release(&oh);
    free(mem);
}

static void consume(port_io *io, size_t n)
{
    memmove(io->buf, io->buf + n, io->len - n);
    io->len -= n;
}

/* Line mode as OTP's line buffer reads it: a line ends at "\n" or
 * "\r\n" (neither is delivered); a line of up to L characters is
 * {eol, Line}; a longer one goes out in {noeol, Part} pieces of L, but
 * only once the character after the piece is known not to end the line,
 * so where reads split the data does not change the messages. At the end
 * of the input what is left is {noeol, Rest}. */
static void parse_lines(port_io *io, bool at_eof)
{
    Port *p = io->port;
    size_t L = p->line;
    for (;;) {
        uint8_t *nl = io->len ? memchr(io->buf, '\n', io->len) : NULL;
        size_t end = nl ? (size_t)(nl - io->buf) : io->len;
        size_t content = nl && end > 0 && io->buf[end - 1] == '\r' ? end - 1 : end;
        if (nl && content <= L) {
            deliver_data(p, ATOM_NAMED("eol"), io->buf, content);
            consume(io, end + 1);
            continue;
        }
        bool longer = nl || (io->len > L && (io->buf[L] != '\r' || io->len > L + 1));
        if (longer) {
            deliver_data(p, ATOM_NAMED("noeol"), io->buf, L);
            consume(io, L);
            continue;
        }
        if (at_eof && io->len) {
            deliver_data(p, ATOM_NAMED("noeol"), io->buf, io->len);
            io->len = 0;
        }
        return;
    }
}

/* Delivers what the buffer holds in the port's framing; at_eof flushes a
 * partial line. */
static void parse_input(port_io *io, bool at_eof)
{
    Port *p = io->port;
    if (p->packet) {
        while (io->len >= p->packet) {
            size_t size = 0;
            for (unsigned i = 0; i < p->packet; i++) size = size << 8 | io->buf[i];
            if (io->len - p->packet < size) break;
            deliver_data(p, NIL, io->buf + p->packet, size);
            consume(io, p->packet + size);
        }
    } else if (p->line) {
        parse_lines(io, at_eof);
    } else if (io->len) {
        deliver_data(p, NIL, io->buf, io->len);
        io->len = 0;
    }
}

/* --- the end of a port's OS side ------------------------------------------ */

/* Frees io once the port is closed and its last handle is. */
static void pio_release_if_done(port_io *io)
{
    if (!io->closing || io->handles > 0) return;
    if (io->prev) io->prev->next = io->next;
    else live = io->next;
    if (io->next) io->next->prev = io->prev;
    Port *p = io->port;
    p->io = NULL;
    free(io->buf);
    free(io);
    port_put(p);
}

static void on_handle_closed(uv_handle_t *h)
{
    port_io *io = h->data;
    io->handles--;
    pio_release_if_done(io);
}

static void close_handle(port_io *io, uv_handle_t *h, bool *open)
{
    (void)io;   /* h->data is io */
    if (!*open) return;
    *open = false;
    uv_close(h, on_handle_closed);
}

/* Output ended (and, with exit_status, the program exited): tell the
 * owner as OTP does, then close or keep the port for eof. */
static void maybe_finish(port_io *io)
{
    Port *p = io->port;
    if (io->finished || io->closing || !io->eof) return;
    if ((p->flags & PORT_F_EXIT_STATUS) && !io->exited) return;
    /* Without a reader only an exit status ends the port. */
    if (!(p->flags & PORT_F_IN) && !(p->flags & PORT_F_EXIT_STATUS)) return;
    io->finished = true;
    if (p->flags & PORT_F_EXIT_STATUS) {
        Term hp[6];
        Term st = tuple2(hp, ATOM_NAMED("exit_status"), make_small(io->status));
        pio_send(p, tuple2(hp + 3, p->id, st));
    }
    if (p->flags & PORT_F_EOF) {
        Term hp[3];
        pio_send(p, tuple2(hp, p->id, ATOM_NAMED("eof")));
    } else {
        pio_terminate(p, am_normal);
    }
}

static void on_program_exit(uv_process_t *proc, int64_t status, int signal)
{
    port_io *io = proc->data;
    io->exited = true;
    io->status = signal ? 128 + signal : status;
    close_handle(io, (uv_handle_t *)&io->proc, &io->proc_open);
    maybe_finish(io);
}

/* --- reading ---------------------------------------------------------------- */

static void reserve(port_io *io, size_t more)
{
    if (io->cap - io->len >= more) return;
    size_t cap = io->cap ? io->cap : 65536;
    while (cap - io->len < more) cap *= 2;
    io->buf = realloc(io->buf, cap);
    if (!io->buf) abort();
    io->cap = cap;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    port_io *io = h->data;
    reserve(io, suggested < 65536 ? 65536 : suggested);
    *b = uv_buf_init((char *)io->buf + io->len, (unsigned)(io->cap - io->len));
}

static void input_ended(port_io *io)
{
    parse_input(io, true);
    io->eof = true;
    maybe_finish(io);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    (void)b;
    port_io *io = s->data;
    if (io->closing) return;
    if (n > 0) {
        io->len += (size_t)n;
        atomic_fetch_add(&io->port->input, (uint64_t)n);
        parse_input(io, false);
    } else if (n < 0) {
        uv_read_stop(s);
        close_handle(io, (uv_handle_t *)&io->r, &io->r_open);
        input_ended(io);
    }
}

/* A regular file as an fd port's input: read to the end here. */
static void read_file(port_io *io)
{
    for (;;) {
        reserve(io, 65536);
        ssize_t k = read(io->r_file, io->buf + io->len, io->cap - io->len);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        io->len += (size_t)k;
        atomic_fetch_add(&io->port->input, (uint64_t)k);
        parse_input(io, false);
        if (io->closing) return;
    }
    close(io->r_file);
    io->r_file = -1;
    input_ended(io);
}

/* --- writing ---------------------------------------------------------------- */

static void pump_write(port_io *io);

/* Frees a run of buffers that is out (or dropped) and tells the port, so
 * that it can stop being busy. */
static void written(port_io *io, port_buf *b)
{
    size_t n = 0;
    while (b) {
        port_buf *next = b->next;
        n += b->len;
        free(b);
        b = next;
    }
    if (stopping) return;
    io_enter();
    port_output_done(io->port, n);
    io_leave();
}

static void on_written(uv_write_t *req, int status)
{
    port_io *io = req->data;
    io->writing = false;
    port_buf *run = io->in_flight;
    io->in_flight = NULL;
    written(io, run);
    if (status < 0 && !io->closing) {
        close_handle(io, (uv_handle_t *)&io->w, &io->w_open);
        pio_terminate(io->port, posix_atom(status));
        return;
    }
    pump_write(io);
}

static port_buf *take_output(Port *p)
{
    pthread_mutex_lock(&p->lock);
    port_buf *b = p->outq;
    p->outq = NULL;
    p->outq_tail = &p->outq;
    pthread_mutex_unlock(&p->lock);
    return b;
}

static void write_file(int fd, port_buf *b)
{
    for (port_buf *c = b; c; c = c->next) {
        size_t off = 0;
        while (off < c->len) {
            ssize_t k = write(fd, c->data + off, c->len - off);
            if (k < 0 && errno == EINTR) continue;
            if (k <= 0) break;
            off += (size_t)k;
        }
    }
}

/* Starts one uv_write of up to PIO_MAX_BUFS buffers of b; the rest goes
 * back to the front of the port's queue. */
static void start_uv_write(port_io *io, port_buf *b)
{
    unsigned n = 0;
    port_buf *last = b;
    for (port_buf *c = b; c && n < PIO_MAX_BUFS; c = c->next) {
        io->bufs[n++] = uv_buf_init((char *)c->data, (unsigned)c->len);
        last = c;
    }
    port_buf *rest = last->next;
    last->next = NULL;
    if (rest) {
        Port *p = io->port;
        pthread_mutex_lock(&p->lock);
        port_buf **tail = &rest;
        while (*tail) tail = &(*tail)->next;
        *tail = p->outq;
        if (!p->outq) p->outq_tail = tail;
        p->outq = rest;
        pthread_mutex_unlock(&p->lock);
    }
    io->in_flight = b;
    io->writing = true;
    io->wreq.data = io;
    if (uv_write(&io->wreq, &io->w.s, io->bufs, n, on_written) < 0) {
        io->writing = false;
        io->in_flight = NULL;
        written(io, b);
    }
}

/* Writes what the port has queued: through uv_write on a stream (one run
 * in flight), directly on a plain file or the console. Loops because
 * finishing a write can let suspended commands into the queue. */
static void pump_write(port_io *io)
{
    while (!io->writing) {
        port_buf *b = take_output(io->port);
        if (!b) break;
        if (io->w_error) {
            written(io, b);
            pio_terminate(io->port, posix_atom(io->w_error));
            return;
        }
        if (io->w_console) {
            for (port_buf *c = b; c; c = c->next) io_write(io->w_console, c->data, c->len);
        } else if (io->w_file >= 0) {
            write_file(io->w_file, b);
        } else if (io->w_open) {
            start_uv_write(io, b);
            return;
        }
        written(io, b);
    }
    if (io->closing && !io->writing) close_handle(io, (uv_handle_t *)&io->w, &io->w_open);
}

/* --- opening ------------------------------------------------------------------ */

static port_io *pio_new(Port *p)
{
    port_io *io = calloc(1, sizeof *io);
    if (!io) abort();
    io->port = p;
    io->w_file = io->r_file = -1;
    port_get(p);
    p->io = io;
    io->next = live;
    if (live) live->prev = io;
    live = io;
    return io;
}

/* Opens fd (ours) as a stream handle: a pipe, socket or terminal. */
static bool stream_open(port_io *io, pio_stream *s, int fd, bool readable)
{
    uv_loop_t *loop = io_loop();
    bool ok;
    if (uv_guess_handle(fd) == UV_TTY) {
        ok = uv_tty_init(loop, &s->tty, fd, readable) == 0;
    } else {
        ok = uv_pipe_init(loop, &s->pipe, 0) == 0;
        if (ok && uv_pipe_open(&s->pipe, fd) != 0) {
            uv_close((uv_handle_t *)&s->pipe, NULL);
            ok = false;
        }
    }
    if (ok) {
        s->s.data = io;
        io->handles++;
    }
    return ok;
}

static void start_reading(port_io *io)
{
    if (io->r_error) {
        pio_terminate(io->port, posix_atom(io->r_error));
    } else if (io->r_open) {
        if (uv_read_start(&io->r.s, on_alloc, on_read) != 0) input_ended(io);
    } else if (io->r_file >= 0) {
        read_file(io);
    } else {
        io->eof = true;   /* nothing to read */
    }
}

static uv_stdio_container_t child_fd(int fd)
{
    return fd >= 0 ? (uv_stdio_container_t){ .flags = UV_INHERIT_FD, .data.fd = fd }
                   : (uv_stdio_container_t){ .flags = UV_IGNORE };
}

/* The child's descriptors: its ends of the pipes as stdin/stdout (or fds
 * 3 and 4 with nouse_stdio, the VM's 0-2 then inherited), stdout again
 * as stderr with stderr_to_stdout; a direction the port does not use is
 * /dev/null. Returns how many stdio slots are used. */
static int child_stdio(uint32_t flags, int child_in, int child_out, uv_stdio_container_t stdio[5])
{
    for (int i = 0; i < 5; i++) stdio[i] = child_fd(i);
    bool use_stdio = flags & PORT_F_USE_STDIO;
    stdio[use_stdio ? 0 : 3] = child_fd(child_in);
    stdio[use_stdio ? 1 : 4] = child_fd(child_out);
    if ((flags & PORT_F_STDERR) && child_out >= 0) stdio[2] = child_fd(child_out);
    return use_stdio ? 3 : 5;
}

static int spawn_program(port_io *io, port_spawn_spec *spec)
{
    Port *p = io->port;
    int to_child[2] = { -1, -1 }, from_child[2] = { -1, -1 };
    int err = 0;
    if ((p->flags & PORT_F_OUT) && (err = uv_pipe(to_child, 0, 0)) != 0) return err;
    if ((p->flags & PORT_F_IN) && (err = uv_pipe(from_child, 0, 0)) != 0) {
        if (to_child[0] >= 0) close(to_child[0]), close(to_child[1]);
        return err;
    }
    uv_stdio_container_t stdio[5];
    int count = child_stdio(p->flags, to_child[0], from_child[1], stdio);
    uv_process_options_t o = {
        .exit_cb = on_program_exit,
        .file = spec->file,
        .args = spec->argv,
        .env = spec->env,
        .cwd = spec->cwd,
        .stdio_count = count,
        .stdio = stdio,
    };
    io->proc.data = io;
    err = uv_spawn(io_loop(), &io->proc, &o);
    if (to_child[0] >= 0) close(to_child[0]);
    if (from_child[1] >= 0) close(from_child[1]);
    if (err != 0) {
        /* libuv initialised the handle; it must still be closed. */
        io->handles++;
        io->proc_open = true;
        close_handle(io, (uv_handle_t *)&io->proc, &io->proc_open);
        if (to_child[1] >= 0) close(to_child[1]);
        if (from_child[0] >= 0) close(from_child[0]);
        return err;
    }
    io->handles++;
    io->proc_open = true;
    pthread_mutex_lock(&p->lock);
    p->os_pid = io->proc.pid;
    pthread_mutex_unlock(&p->lock);
    if (to_child[1] >= 0) io->w_open = stream_open(io, &io->w, to_child[1], false);
    if (from_child[0] >= 0) io->r_open = stream_open(io, &io->r, from_child[0], true);
    return 0;
}

/* {fd, In, Out}: fds 1 and 2 go through the console queue, so that what
 * the port writes keeps its order with io:format's output. */
/* Takes fd over as the port's write (out) or read side: a pipe, socket
 * or terminal becomes a uv stream, anything else (a regular file) is
 * read or written directly on this thread. A negative fd is the error
 * (uv) the port dies with on first use. */
static void attach_fd(port_io *io, int fd, bool out)
{
    if (fd < 0) {
        *(out ? &io->w_error : &io->r_error) = uv_translate_sys_error(errno);
    } else if (out) {
        if (uv_guess_handle(fd) == UV_FILE || !(io->w_open = stream_open(io, &io->w, fd, false))) io->w_file = fd;
    } else {
        if (uv_guess_handle(fd) == UV_FILE || !(io->r_open = stream_open(io, &io->r, fd, true))) io->r_file = fd;
    }
}

static int open_fds(port_io *io)
{
    Port *p = io->port;
    if (p->flags & PORT_F_OUT) {
        if (p->out_fd == 1 || p->out_fd == 2) io->w_console = p->out_fd;
        else attach_fd(io, dup(p->out_fd), true);
    }
    if (p->flags & PORT_F_IN) attach_fd(io, dup(p->in_fd), false);
    return 0;
}

/* The vanilla driver: the file opened for the port's directions (created
 * for writing, truncated when write-only), as OTP 25; non-blocking, so a
 * FIFO cannot stop the loop. Any failure is einval, as in OTP. */
static int open_file(port_io *io)
{
    Port *p = io->port;
    bool in = p->flags & PORT_F_IN, out = p->flags & PORT_F_OUT;
    int flags = in && out ? O_RDWR | O_CREAT : out ? O_WRONLY | O_CREAT | O_TRUNC : O_RDONLY;
    int fd = open(p->name, flags | O_CLOEXEC | O_NONBLOCK, 0666);
    if (fd < 0) return UV_EINVAL;
    if (out) attach_fd(io, in ? dup(fd) : fd, true);
    if (in) attach_fd(io, fd, false);
    return 0;
}

/* Why the child could not chdir to dir (an errno), or 0. */
static int cwd_error(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0) return errno;
    if (!S_ISDIR(st.st_mode)) return ENOTDIR;
    if (access(dir, X_OK) != 0) return errno;
    return 0;
}

/* OTP's child reports a working directory it cannot enter on stderr and
 * exits with the errno as its status; the port opens and then sees that
 * exit. Here no child is started, with the same messages. */
static void cwd_failed(port_io *io, const char *dir, int err)
{
    char msg[4096];
    int n = snprintf(msg, sizeof msg, "spawn: Could not cd to %s\r\n", dir);
    io_write(2, msg, n < 0 ? 0 : (size_t)n >= sizeof msg ? sizeof msg - 1 : (size_t)n);
    io->exited = true;
    io->status = err;
    io->w_error = UV_EPIPE;
}

static void task_open(port_task *t)
{
    Port *p = t->port;
    port_io *io = pio_new(p);
    pthread_mutex_lock(&p->lock);
    bool closed = p->state == PORT_CLOSED;
    pthread_mutex_unlock(&p->lock);
    if (closed) {
        /* Closed before its OS side started (its owner died, say): start
         * nothing; the opener, if any, gets the dead port. */
        reply(t->opener, t->ref, p->id);
        io->closing = true;
        pio_release_if_done(io);
        return;
    }
    /* Without `out` there is nothing to write to: a command ends the port. */
    if (!(p->flags & PORT_F_OUT)) io->w_error = UV_EBADF;
    int cwd_err = t->spec && t->spec->cwd ? cwd_error(t->spec->cwd) : 0;
    if (cwd_err) cwd_failed(io, t->spec->cwd, cwd_err);
    int err = cwd_err ? 0 : t->spec ? spawn_program(io, t->spec) : p->kind == PORT_FILE ? open_file(io) : open_fds(io);
    port_spawn_spec_free(t->spec);
    t->spec = NULL;
    if (err != 0) {
        reply(t->opener, t->ref, posix_atom(err));
        io_enter();
        port_discard(p);
        io_leave();
        io->closing = true;
        close_handle(io, (uv_handle_t *)&io->w, &io->w_open);
        close_handle(io, (uv_handle_t *)&io->r, &io->r_open);
        if (io->r_file >= 0) close(io->r_file), io->r_file = -1;
        if (io->w_file >= 0) close(io->w_file), io->w_file = -1;
        pio_release_if_done(io);
        return;
    }
    reply(t->opener, t->ref, p->id);
    start_reading(io);
    if (cwd_err) maybe_finish(io);
    pump_write(io);
}

/* The port is closed: stop reading, write what is queued, close. */
static void task_close(port_task *t)
{
    port_io *io = t->port->io;
    if (!io || io->closing) return;
    io->closing = true;
    if (io->r_open) uv_read_stop(&io->r.s);
    close_handle(io, (uv_handle_t *)&io->r, &io->r_open);
    if (io->r_file >= 0) close(io->r_file), io->r_file = -1;
    pump_write(io);
    if (io->w_file >= 0) close(io->w_file), io->w_file = -1;
    /* The process handle stays until the program exits (on_program_exit). */
    pio_release_if_done(io);
}

static void run_task(io_task *base)
{
    port_task *t = (port_task *)base;
    switch (t->op) {
    case TASK_OPEN: task_open(t); break;
    case TASK_KICK:
        /* Cleared before the queue is taken: what is queued later kicks again. */
        atomic_store(&t->port->kick_pending, false);
        if (t->port->io && !t->port->io->closing) pump_write(t->port->io);
        break;
    case TASK_CLOSE: task_close(t); break;
    }
    port_spawn_spec_free(t->spec);
    port_put(t->port);
    free(t);
}

/* As OTP's halt: what is queued for a port is written out before the VM
 * exits (the loop runs until every write is done or has failed, however
 * long the program takes to read it); reading stops at once and the
 * programs are left running. */
void port_io_shutdown(void)
{
    stopping = true;
    for (port_io *io = live; io; io = io->next) {
        io->closing = true;
        if (io->r_open) uv_read_stop(&io->r.s);
        close_handle(io, (uv_handle_t *)&io->r, &io->r_open);
        if (io->r_file >= 0) close(io->r_file), io->r_file = -1;
        close_handle(io, (uv_handle_t *)&io->proc, &io->proc_open);
        pump_write(io);   /* closes the write side once the queue is out */
        if (io->w_file >= 0) close(io->w_file), io->w_file = -1;
    }
}
