/*
 * io_thread.h — console IO (standard input and output) on its own thread.
 *
 * One OS thread runs a libuv loop (epoll on Linux, kqueue on BSD and
 * macOS), so that a scheduler never blocks on the console; later issues
 * hang sockets and files on the same loop.
 *
 * Output: io_write copies the bytes into one queue shared by fd 1 and 2,
 * so what a program writes to stdout and stderr comes out in the order it
 * was written. The IO thread writes the queue in order: with uv_write on a
 * uv_tty_t or uv_pipe_t when the fd is a terminal or a pipe/socket, with a
 * blocking write(2) loop (on the IO thread) for regular files and other
 * devices. A write that fails with EPIPE (the reader went away) marks the
 * fd broken: what is queued for it and what comes later is dropped.
 * io_flush blocks its caller until everything queued before it is out (or
 * dropped); erlang:halt and the normal exit call it.
 *
 * Input: io_request_line asks for one line of standard input for a
 * process. The IO thread reads (uv_read_start on a terminal or pipe, a
 * blocking read(2) on the IO thread for regular files and /dev/null), keeps
 * whatever follows the line for the next request, and sends the process
 * {cbeam_io, Line} (Line a list of code points: UTF-8 decoded, or bytes
 * for latin1; the last line may lack its newline) or {cbeam_io, eof}.
 * The handles for fd 0, 1 and 2 are opened lazily, on first use, and get
 * their original file status flags (O_NONBLOCK) back at exit. A fd that
 * was closed at start-up reads as eof and swallows what is written.
 *
 * Locking and ownership:
 *  - One mutex (io.lock in io_thread.c) protects the output queue, the
 *    sequence counters io_flush waits on (with a condition variable), the
 *    queued byte count, the list of processes waiting for the queue to
 *    drain, the input requests, the broken flags and the running/stopping
 *    state. Critical sections only link or unlink list nodes, update
 *    counters and call uv_async_send (so that the IO thread cannot close
 *    the async handle in between: it clears `running` under the lock
 *    first); nothing blocks with the lock held and no other lock is taken
 *    inside it.
 *  - The uv loop and every uv handle (the async handle, the stdin/stdout/
 *    stderr streams, write requests) are touched only by the IO thread,
 *    after io_start created it. Other threads only call uv_async_send.
 *  - Messages to processes go out from the IO thread through one function
 *    (io_deliver), with the lock not held.
 */
#ifndef CB_IO_THREAD_H
#define CB_IO_THREAD_H

#include <stdbool.h>
#include <stddef.h>

#include "term.h"

/* Starts the IO thread (once, before the first process). Ignores SIGPIPE,
 * as erl does: a closed pipe shows as EPIPE. False if it cannot start; the
 * io_ functions then write directly. */
bool io_start(void);
/* Flushes, closes the handles (restoring the fds' flags) and joins the
 * thread. Later writes go directly to the fd. */
void io_stop(void);

enum io_write_result {
    IO_WRITE_OK,       /* queued */
    IO_WRITE_FULL,     /* queued, but the queue is over its high-water mark */
    IO_WRITE_BROKEN,   /* the fd's reader has gone (EPIPE): dropped */
};
/* Queues len bytes (copied) for fd 1 or 2. Any thread; never blocks on the
 * console. Without the IO thread (cbeam check, before io_start, after
 * io_stop) it writes directly. */
enum io_write_result io_write(int fd, const void *bytes, size_t len);
/* After IO_WRITE_FULL: sends pid {cbeam_io, drained} once the queue is back
 * under its low-water mark (at once if it already is). */
void io_notify_drained(Term pid);
/* The same for C code (a console port): drained(arg) runs on the IO
 * thread once the queue is low, on the caller's thread at once if it
 * already is, and at shutdown. */
void io_call_when_drained(void (*drained)(void *arg), void *arg);
/* Blocks until everything queued before the call is written or dropped. */
void io_flush(void);

/* Asks for the next line of standard input for pid (see above). False if
 * the IO thread is not running. */
bool io_request_line(Term pid, bool latin1);

/* --- for ports (port_io.c) and later IO users ---------------------------
 * A task runs on the IO thread, in the order posted. io_post returns false
 * (and does not take the task) when the IO thread is not running. */
typedef struct io_task {
    struct io_task *next;
    void (*run)(struct io_task *);
} io_task;
bool io_post(io_task *t);
/* The loop; IO thread only. */
struct uv_loop_s *io_loop(void);
/* Around code on the IO thread that looks processes up or sends: the IO
 * thread takes part in reclamation only in between (see io_deliver). */
void io_enter(void);
void io_leave(void);

#endif
