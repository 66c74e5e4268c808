/*
 * timer.h — the VM's timer service: erlang:send_after/start_timer and
 * their cancel/read. One min-heap of deadlines (O(log n) start, cancel,
 * expiry; a million pending timers cost a million small entries) with an
 * index from reference number to heap slot, under one mutex. Schedulers
 * fire expired timers when they look for work and sleep no longer than
 * the earliest deadline (scheduler.c). Receive timeouts (`after T`) are
 * timers of the same heap that make a waiting process runnable.
 */
#ifndef CB_TIMER_H
#define CB_TIMER_H

#include "process.h"

/* Starts a timer that sends msg (copied now) to target (a pid, or a
 * registered name resolved when it fires) at deadline_ms (monotonic). With
 * timeout_tuple the message is {timeout, Ref, Msg}. */
void timer_start(uint64_t ref, uint64_t deadline_ms, Term target, Term msg, bool timeout_tuple);
/* Cancels; true with the milliseconds that were left, false if no such
 * timer is pending. */
bool timer_cancel(uint64_t ref, uint64_t *left_ms);
bool timer_read(uint64_t ref, uint64_t *left_ms);
/* Sends the messages of every timer due at now_ms; returns the next
 * deadline (0 if none is pending). Cheap (no lock) when nothing is due. */
uint64_t timer_fire(uint64_t now_ms);
/* The earliest pending deadline, 0 if none. */
uint64_t timer_next_deadline(void);
/* A fresh reference number for a receive timeout (a namespace apart from
 * make_ref's). */
uint64_t timer_new_ref(void);
/* At deadline_ms, the process `pid`, if it still waits with this timeout
 * (p->timeout_ref == ref), times out. Cancel with timer_cancel(ref). */
void timer_start_receive_timeout(uint64_t ref, uint64_t deadline_ms, Term pid);

#endif
