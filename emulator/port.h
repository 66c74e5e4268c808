/*
 * port.h — ports: the port table, port identity, owners and links, and
 * the hand-off of commands to the IO thread (the OS side is port_io.c).
 *
 * A port is OTP's: an immediate term (number << 4 | 0x7, printed
 * #Port<0.N>), a connected process (the owner, which gets every message
 * the port sends), a set of links (processes), and an OS side (a spawned
 * program's pipes, or file descriptors) served by the IO thread's libuv
 * loop, so that a scheduler never blocks on a port.
 *
 * Ownership and threads:
 *  - The table (number -> Port) is under its own mutex (port.c). A Port is
 *    reference counted: the table holds one reference while the port is
 *    open, the IO thread one while it has handles open, and port_lookup
 *    gives the caller one (port_put drops it). The last reference frees.
 *  - Immutable after port_create (set before the port is in the table):
 *    id, name, kind, the option flags, packet/line sizes, fds, busy
 *    limits.
 *  - Under `lock`: state, connected, links, monitors, os_pid, the
 *    outgoing queue, the busy state and waiting commands, the port data.
 *    Code holding it looks no process up and sends nothing (messages
 *    and exit signals go out after it is released) and takes no other
 *    lock but one: port_register adds the name to the registry (the
 *    process table's lock) under it, so lock order is port lock, then
 *    process table lock. The port table's lock is never nested with a
 *    port's.
 *  - The uv handles, the read buffer and the line/packet parser state
 *    belong to the IO thread (port_io.c) only.
 *  - input/output byte counters are atomics.
 *
 * Lifecycle: open (port_create, table + link with the owner) -> the IO
 * thread starts the OS side and answers the opener {Ref, Port} or
 * {Ref, Error} -> ... -> closed (port_terminate: out of the table, links
 * get exit signals, the IO thread closes the handles). A closed port is
 * never reopened; its number is not reused until the counter wraps.
 */
#ifndef CB_PORT_H
#define CB_PORT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "binary.h"
#include "term.h"

struct Process;

/* OTP's default port limit; also the size of the table. */
#define PORT_LIMIT 65536u

/* Option flags (immutable). */
#define PORT_F_IN          (1u << 0)  /* the port reads (sends data messages) */
#define PORT_F_OUT         (1u << 1)  /* the port writes (accepts commands) */
#define PORT_F_BINARY      (1u << 2)
#define PORT_F_EOF         (1u << 3)  /* {Port, eof} instead of closing */
#define PORT_F_EXIT_STATUS (1u << 4)
#define PORT_F_USE_STDIO   (1u << 5)
#define PORT_F_STDERR      (1u << 6)  /* stderr_to_stdout */
#define PORT_F_HIDE        (1u << 7)

/* PORT_FILE: OTP 25's "vanilla" driver, open_port(Name, _) with a bare
 * atom or string: the file Name opened as an fd port. */
typedef enum port_kind { PORT_SPAWN, PORT_FD, PORT_FILE } port_kind;
typedef enum port_state { PORT_OPEN, PORT_CLOSED } port_state;

/* A buffer of bytes to write, queued for the IO thread. */
typedef struct port_buf {
    struct port_buf *next;
    size_t len;
    uint8_t data[];
} port_buf;

/* What the IO thread needs to start a spawned program; freed by it. */
typedef struct port_spawn_spec {
    char *file;        /* the program (spawn: /bin/sh) */
    char **argv;       /* NULL-terminated */
    char **env;        /* NULL-terminated, the whole environment */
    char *cwd;         /* or NULL */
} port_spawn_spec;

struct port_io;

/* A port_command that found the port busy: its framed bytes wait here,
 * and the caller in a receive for {Ref, Result}, as OTP suspends a
 * process that writes to a busy port. */
typedef struct port_waiter {
    struct port_waiter *next;
    Term pid;
    uint64_t ref;
    size_t data_len;       /* without the packet header */
    port_buf *buf;
} port_waiter;

typedef struct port_monitor {
    uint64_t ref;
    Term pid;
    Term name;             /* monitored by registered name, else NIL */
} port_monitor;

typedef struct Port {
    /* --- immutable ----------------------------------------------------- */
    Term id;
    char *name;
    port_kind kind;
    uint32_t flags;        /* PORT_F_* */
    uint8_t packet;        /* 0, 1, 2 or 4 */
    uint32_t line;         /* line mode's maximum line length, 0: off */
    int in_fd, out_fd;     /* PORT_FD */
    size_t busy_high, busy_low;    /* busy limits in bytes; 0: never busy */

    _Atomic int refc;
    _Atomic uint64_t input, output;
    _Atomic bool kick_pending;     /* a TASK_KICK is posted and not run */

    /* --- under lock ------------------------------------------------------ */
    pthread_mutex_t lock;
    port_state state;
    Term connected;
    Term *links;
    size_t nlinks, caplinks;
    int64_t os_pid;        /* -1: none (yet) */
    port_buf *outq, **outq_tail;   /* written by the IO thread, in order */
    size_t outq_bytes;     /* queued or being written (queue_size) */
    bool busy;             /* above busy_high until below busy_low; a console
                              port: the console queue is over its mark */
    struct port_waiter *waiters, **waiters_tail;   /* suspended commands */
    struct port_monitor *monitors;   /* processes monitoring the port */
    size_t nmonitors, capmonitors;
    /* port_set_data: a copy of the term in its own block (with the
     * ProcBins it holds on data_oh), or am_undefined with no block. */
    Term data;
    Term *data_block;
    OffHeap data_oh;

    /* --- the IO thread's own (port_io.c) ------------------------------ */
    struct port_io *io;
} Port;

/* A port number's table index as OTP reports it (port_info id): OTP
 * spreads consecutive numbers over cache lines. */
uint32_t port_index(Term id);

/* What a port is opened with (the immutable part of Port). */
typedef struct port_params {
    port_kind kind;
    uint32_t flags;
    uint8_t packet;
    uint32_t line;
    int in_fd, out_fd;
    size_t busy_high, busy_low;
} port_params;

/* OTP's default busy limits for the spawn and fd drivers. */
#define PORT_BUSY_HIGH 8192
#define PORT_BUSY_LOW 4096

/* Creates an open port connected to (and linked with) owner; NULL when
 * the table is full (system_limit). Takes over name (malloc'd). The
 * caller holds one reference (port_put when done). */
Port *port_create(struct Process *owner, char *name, const port_params *params);
/* The open port with this id, with a reference, or NULL. */
Port *port_lookup(Term id);
void port_get(Port *p);
void port_put(Port *p);

/* Every open port's id, in number order; at most max. */
size_t port_all(Term *ids, size_t max);
size_t port_count(void);

/* Closes the port: out of the table, the OS side closed by the IO thread
 * (queued output is written first), every linked process gets an exit
 * signal with `reason` from the port (as in OTP, also for `normal`, which
 * only a trapping process sees, as {'EXIT', Port, normal}), then every
 * monitor fires. False if it was already closed. Any thread; no lock
 * held. */
bool port_terminate(Port *p, Term reason);

/* A port whose OS side could not start: closed without exit signals
 * (open_port raises instead), unlinked from its owner. */
void port_discard(Port *p);

/* Queues bytes (copied, after the {packet, N} header) for the port's OS
 * side. False if closed. */
bool port_write(Port *p, const uint8_t *bytes, size_t len);

/* port_command/2,3. OK: queued (true). CLOSED: badarg. BUSY: the port is
 * busy and nosuspend was given: nothing queued (false). WAIT: the port is
 * busy: the command waits in the port and the caller gets {Ref, true}
 * when it is queued, {Ref, badarg} if the port closes first. */
typedef enum { PORT_CMD_OK, PORT_CMD_CLOSED, PORT_CMD_BUSY, PORT_CMD_WAIT } port_cmd_result;
port_cmd_result port_command(Port *p, const uint8_t *bytes, size_t len, Term caller, bool nosuspend, uint64_t ref);
/* The IO thread wrote (or dropped) n bytes of the queue: below the low
 * mark the port stops being busy and waiting commands are queued. Call
 * between io_enter and io_leave (it answers the waiters). */
void port_output_done(Port *p, size_t n);

/* Links: process side is process.c's links list; these update the port
 * side. port_link fails (false) if the port is closed. */
bool port_link(Port *p, Term pid);
void port_unlink(Port *p, Term pid);
/* A linked process exited (process.c calls this for each port link). As
 * in OTP, the port closes when its connected process exits, whatever the
 * reason, and on any other link's non-normal exit. */
void port_linked_exit(Term port_id, Term pid, Term reason);

/* port_set_data/port_get_data: false if the port is closed. get copies
 * the term onto p's heap. */
bool port_data_set(Port *port, Term t);
bool port_data_get(Port *port, struct Process *p, Term *out);

/* register(Name, Port): false if the port is closed, already has a name
 * or the name is taken. The name goes when the port closes. */
bool port_register(Port *p, Term name);
/* The open port a port argument stands for (a port, or the registered
 * name of one), with a reference; NULL if none. */
Port *port_resolve(Term t);

/* Makes pid the connected process (and links it); false if the port is
 * closed or pid is not alive. */
bool port_connect(Port *p, Term pid);

/* monitor(port, Port): false if the port is closed (the caller sends
 * 'DOWN' with noproc). port_demonitor drops one (the process side is the
 * caller's). When the port closes, each monitor gets
 * {'DOWN', Ref, port, Port, Reason} after the links' exit signals. */
bool port_monitor_add(Port *p, uint64_t ref, Term pid, Term name);
void port_demonitor(Term port_id, uint64_t ref);

/* exit(Port, Reason) from pid: unlike a link's exit, any exit/2 signal
 * closes the port, even `normal` (OTP's port_sig_exit); kill closes it
 * with `killed`. */
void port_exit_signal(Term port_id, Term from, Term reason);

/* Sends msg to the port's connected process (any thread; lock not held). */
void port_deliver(Port *p, Term msg);

/* erlang:send to a port: {Pid, {command, D}}, {Pid, close},
 * {Pid, {connect, New}}. A badly formed message kills the port with
 * badsig, as OTP's. */
void port_send_message(struct Process *sender, Term port_id, Term msg);

/* Flattens an iolist into a malloc'd buffer; false if t is not one. */
bool port_iolist_bytes(Term t, uint8_t **out, size_t *len);

#endif
