/*
 * vm_log.h — the emulator's own log events, sent as erts sends them.
 *
 * erts reports some events itself: a process that dies of an error or an
 * uncaught throw ("Error in process ~p with exit value:~n~p~n"), a process
 * past its max_heap_size. Each goes to the system logger
 * (erlang:system_flag(system_logger, _): the process registered as
 * `logger` by default, a pid, or `undefined` for nobody) as
 *
 *     {log, Level, Format, Args, #{error_logger => #{emulator => true,
 *                                   tag => Tag}, gl => GL, pid => Pid,
 *                                   time => SystemTimeMicroseconds}}
 *
 * which OTP's logger turns into an =ERROR REPORT====. When the logger is
 * `logger` and no process has that name (direct mode, early boot), the
 * event is printed on standard error as erts prints it then:
 * "=ERROR REPORT==== 7-Dec-2026::14:34:11.897461 ===\n", the format with
 * its ~p and ~n applied (terms as erlang:display prints them), "\n".
 *
 * Thread-safety: the system logger setting is one atomic word. A message
 * is built in a private literal area and copied by send_message, so any
 * thread may log; nothing here allocates on a process heap, GCs or raises.
 */
#ifndef CB_VM_LOG_H
#define CB_VM_LOG_H

#include "process.h"

/* system_flag(system_logger, ...): the current value (logger, undefined
 * or a pid); set returns the previous one. */
Term vm_log_system_logger(void);
Term vm_log_set_system_logger(Term logger);

/* Logs an error event about process p (its pid and group leader go into
 * the metadata). format uses only ~p and ~n; args is a list on any heap
 * that stays put during the call (it is copied). */
void vm_log_error(const Process *p, const char *format, Term args);

#endif
