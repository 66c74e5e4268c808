/*
 * port_io.h — the OS side of ports, on the IO thread's libuv loop.
 *
 * Every function here may be called from any thread: it posts a task to
 * the IO thread (io_post, FIFO) holding a reference to the port, and
 * returns at once. Only the IO thread touches a port's uv handles, read
 * buffer and parser state (Port.io). What a port reads goes to its
 * connected process as OTP's messages: {Port, {data, D}} (a list or a
 * binary; {eol, L}/{noeol, L} in line mode; one packet each with
 * {packet, N}), {Port, {exit_status, N}}, {Port, eof}.
 */
#ifndef CB_PORT_IO_H
#define CB_PORT_IO_H

#include <stdint.h>

#include "port.h"

/* Starts the OS side of a new port (spec: a spawned program, NULL for a
 * {fd, In, Out} port) and answers opener {Ref, Port} or {Ref, Posix}
 * (the port is then discarded). Takes over spec. False if the IO thread
 * is not running (the caller discards the port). */
bool port_io_open(Port *p, port_spawn_spec *spec, Term opener, uint64_t ref);
/* Output was queued on p->outq. */
void port_io_kick(Port *p);
/* The port was closed: write what is queued, then close the handles. */
void port_io_close(Port *p);
/* IO thread, at shutdown: closes every port's handles now. */
void port_io_shutdown(void);

void port_spawn_spec_free(port_spawn_spec *s);

#endif
