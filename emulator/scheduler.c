/*
 * scheduler.c — run queues, waiting, receive timeouts, halting.
 *
 * Lock order: a process's inbox_lock may be held while taking a
 * scheduler's lock (send -> wake), never the other way round.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "scheduler.h"
#include "timer.h"

uint64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The schedulers, for statistics; set once at start-up. */
static Scheduler *all_schedulers[64];
static _Atomic unsigned scheduler_count;

size_t sched_run_queue_length(void)
{
    size_t total = 0;
    unsigned n = atomic_load(&scheduler_count);
    for (unsigned i = 0; i < n; i++) {
        pthread_mutex_lock(&all_schedulers[i]->lock);
        total += all_schedulers[i]->rq_len;
        pthread_mutex_unlock(&all_schedulers[i]->lock);
    }
    return total;
}

void sched_init(Scheduler *sd, int id)
{
    unsigned slot = atomic_fetch_add(&scheduler_count, 1);
    if (slot < 64) all_schedulers[slot] = sd;
    if (!vm.start_ms) vm.start_ms = monotonic_ms();
    sd->id = id;
    pthread_mutex_init(&sd->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);   /* timeouts use monotonic_ms */
    pthread_cond_init(&sd->wake, &attr);
    pthread_condattr_destroy(&attr);
}

static unsigned queue_of(const Process *p) { return p->priority == PRIO_LOW ? RUNQ_NORMAL : p->priority; }

/* Called with sd->lock held. */
static void append(Scheduler *sd, unsigned q, Process *p)
{
    p->run_next = NULL;
    if (sd->rq[q].tail) sd->rq[q].tail->run_next = p;
    else sd->rq[q].head = p;
    sd->rq[q].tail = p;
}

/* Called with sd->lock held. */
static void enqueue_locked(Scheduler *sd, Process *p)
{
    if (p->priority == PRIO_LOW) p->schedule_count = RESCHEDULE_LOW;
    append(sd, queue_of(p), p);
    sd->rq_len++;
}

/* The next process in priority order; NULL if every queue is empty.
 * Called with sd->lock held. */
static Process *dequeue_locked(Scheduler *sd)
{
    for (unsigned q = 0; q < RUNQ_COUNT; q++) {
        Process *p = sd->rq[q].head;
        if (!p) continue;
        /* A low process at the head steps back behind the others. */
        while (p->priority == PRIO_LOW && p->schedule_count > 0 && p->run_next) {
            p->schedule_count--;
            sd->rq[q].head = p->run_next;
            append(sd, q, p);
            p = sd->rq[q].head;
        }
        sd->rq[q].head = p->run_next;
        if (!sd->rq[q].head) sd->rq[q].tail = NULL;
        sd->rq_len--;
        return p;
    }
    return NULL;
}

void sched_enqueue(Scheduler *sd, Process *p)
{
    pthread_mutex_lock(&sd->lock);
    enqueue_locked(sd, p);
    pthread_cond_signal(&sd->wake);
    pthread_mutex_unlock(&sd->lock);
}

/* Called with sd->lock held. */
static void remove_sleeper(Scheduler *sd, Process *p)
{
    for (Process **pp = &sd->sleepers; *pp; pp = &(*pp)->sleep_next) {
        if (*pp == p) {
            *pp = p->sleep_next;
            p->sleep_next = NULL;
            return;
        }
    }
}

void sched_wake(Process *p)
{
    Scheduler *sd = p->sched;
    pthread_mutex_lock(&sd->lock);
    remove_sleeper(sd, p);
    enqueue_locked(sd, p);
    pthread_cond_signal(&sd->wake);
    pthread_mutex_unlock(&sd->lock);
}

void sched_wait(Scheduler *sd, Process *p, uint64_t deadline_ms)
{
    pthread_mutex_lock(&p->inbox_lock);
    bool has_mail = p->inbox != NULL || p->exit_pending;
    if (!has_mail) atomic_store(&p->state, PS_WAITING);
    if (!has_mail && deadline_ms) {
        pthread_mutex_lock(&sd->lock);
        p->sleep_next = sd->sleepers;
        sd->sleepers = p;
        pthread_mutex_unlock(&sd->lock);
    }
    pthread_mutex_unlock(&p->inbox_lock);
    if (has_mail) sched_enqueue(sd, p);
}

/* Wakes sleepers whose deadline has passed; returns the earliest deadline
 * still pending (0 if none). Called with sd->lock held. */
static uint64_t expire_sleepers(Scheduler *sd)
{
    uint64_t now = monotonic_ms(), next = 0;
    for (Process **pp = &sd->sleepers; *pp;) {
        Process *p = *pp;
        if (p->timeout_at <= now) {
            *pp = p->sleep_next;
            p->sleep_next = NULL;
            /* The state changes under the inbox lock, so that a concurrent
             * send does not enqueue it a second time. */
            pthread_mutex_lock(&p->inbox_lock);
            bool waiting = atomic_load(&p->state) == PS_WAITING;
            if (waiting) atomic_store(&p->state, PS_RUNNABLE);
            pthread_mutex_unlock(&p->inbox_lock);
            if (waiting) {
                p->timed_out = true;
                enqueue_locked(sd, p);
            }
            continue;
        }
        if (!next || p->timeout_at < next) next = p->timeout_at;
        pp = &p->sleep_next;
    }
    return next;
}

Process *sched_next(Scheduler *sd)
{
    pthread_mutex_lock(&sd->lock);
    for (;;) {
        if (atomic_load(&vm.halting)) {
            pthread_mutex_unlock(&sd->lock);
            return NULL;
        }
        /* Timers fire without the queue lock: delivering a message may
         * wake a process onto this very queue. */
        pthread_mutex_unlock(&sd->lock);
        uint64_t next_timer = timer_fire(monotonic_ms());
        pthread_mutex_lock(&sd->lock);
        uint64_t next_deadline = expire_sleepers(sd);
        if (next_timer && (!next_deadline || next_timer < next_deadline)) next_deadline = next_timer;
        Process *p = dequeue_locked(sd);
        if (p) {
            pthread_mutex_unlock(&sd->lock);
            if (p->exit_pending) {
                message *sig = p->exit_signal;
                p->exit_signal = NULL;
                p->exit_pending = false;
                /* The reason's fragment becomes part of the heap. */
                sig->frag->next = p->mbuf;
                p->mbuf = sig->frag;
                p->mbuf_words += sig->frag->used;
                Term reason = sig->term;
                free(sig);
                process_exit(sd, p, reason);
                pthread_mutex_lock(&sd->lock);
                continue;
            }
            return p;
        }
        if (next_deadline) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            uint64_t now = monotonic_ms();
            uint64_t wait = next_deadline > now ? next_deadline - now : 0;
            ts.tv_sec += (time_t)(wait / 1000);
            ts.tv_nsec += (long)(wait % 1000) * 1000000L;
            if (ts.tv_nsec >= 1000000000L) { ts.tv_sec++; ts.tv_nsec -= 1000000000L; }
            pthread_cond_timedwait(&sd->wake, &sd->lock, &ts);
        } else {
            pthread_cond_wait(&sd->wake, &sd->lock);
        }
    }
}

void vm_halt(int status)
{
    atomic_store(&vm.exit_status, status);
    atomic_store(&vm.halting, true);
}
