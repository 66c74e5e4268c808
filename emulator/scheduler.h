/*
 * scheduler.h — schedulers, run queues, the process table, and the VM's
 * global state.
 *
 * A scheduler owns its x and float registers and its run queue. Any thread
 * may enqueue a process (sched_enqueue takes the queue lock); only the
 * owner dequeues. A process is in at most one run queue, and only while its
 * state is PS_RUNNABLE and it is not running.
 *
 * For now the VM starts one scheduler (issue 4 starts +S N); nothing here
 * assumes there is only one.
 */
#ifndef CB_SCHEDULER_H
#define CB_SCHEDULER_H

#include <pthread.h>
#include <stdatomic.h>

#include "process.h"

enum { RUNQ_MAX, RUNQ_HIGH, RUNQ_NORMAL, RUNQ_COUNT };
/* A low-priority process reaching the head of the normal queue goes back
 * to its tail this many times before it runs (OTP's RESCHEDULE_LOW). */
#define RESCHEDULE_LOW 8

typedef struct Scheduler {
    int id;
    Term x[MAX_REG];
    double f[MAX_FREG];
    pthread_mutex_t lock;
    pthread_cond_t wake;
    /* OTP's priorities: max and high are strict queues; normal and low
     * share one, where a low process lets normal ones pass (see below). */
    struct { Process *head, *tail; } rq[RUNQ_COUNT];
    size_t rq_len;
    Process *sleepers;         /* waiting with a receive timeout; under lock */
    uint64_t context_switches;
} Scheduler;

typedef struct vm_state {
    _Atomic bool halting;
    _Atomic int exit_status;
    _Atomic uint32_t process_count;
    _Atomic uint64_t reductions;        /* of finished slices, all processes */
    _Atomic uint64_t context_switches;
    uint64_t start_ms;                  /* monotonic_ms() at start-up */
} vm_state;
extern vm_state vm;

void sched_init(Scheduler *sd, int id);
/* The number of processes waiting in every run queue. */
size_t sched_run_queue_length(void);
void sched_enqueue(Scheduler *sd, Process *p);
/* The next process to run, waking sleepers whose timeout has passed and
 * blocking while there is none. NULL once the VM is halting. */
Process *sched_next(Scheduler *sd);
/* Puts p to sleep until a message arrives or (if deadline_ms != 0) the
 * deadline passes. Called by the owner right after the process stopped. */
void sched_wait(Scheduler *sd, Process *p, uint64_t deadline_ms);
/* Makes a waiting process runnable (from any thread). */
void sched_wake(Process *p);
void vm_halt(int status);

uint64_t monotonic_ms(void);

/* --- the process table ------------------------------------------------- */
Process *process_lookup(Term pid);
/* Spawns M:F(Args) (Args a proper list on the parent's heap, or NIL). The
 * new process is runnable on sd. Returns NULL when out of memory or the
 * process limit is reached. */
Process *process_spawn(Scheduler *sd, Process *parent, Term m, Term f, Term args);
/* Ends the process with the reason (on its heap), sending exit signals to
 * its links; frees it. Called by its own scheduler. */
void process_exit(Scheduler *sd, Process *p, Term reason);
/* Links two processes (both must be alive). */
bool process_link(Process *a, Term b_pid);
void process_unlink(Process *a, Term b_pid);
/* Sends the 'DOWN' messages of a process that is exiting (erlang_misc.c). */
void monitors_on_exit(Process *p, Term reason);

/* --- messages (message.c) ---------------------------------------------- */
/* Copies msg into to's queue. Never blocks on a busy receiver. */
bool send_message(Process *to, Term msg);
/* Moves what other threads delivered into the private queue; true if the
 * save pointer now has a message. */
bool receive_fetch(Process *p);
/* Removes the message at the save pointer; its fragment joins the heap. */
void receive_remove(Process *p);
void message_free_all(message *m);
/* The process registered under name, or NULL. */
Process *process_whereis(Term name);
bool process_register(Term name, Process *p);
bool process_unregister(Term name);
/* Aliases (erlang:alias/0,1, monitor/3's alias option). */
void alias_add(uint64_t ref, Term pid);
bool alias_remove(uint64_t ref, Term owner);
Term alias_owner(uint64_t ref);   /* the owner's pid, or NIL if inactive */
/* Copies up to max live pids, in pid order; returns how many. */
size_t process_all_pids(Term *pids, size_t max);
/* Copies up to max registered names into names; returns how many. */
size_t process_registered_names(Term *names, size_t max);
/* Sends an exit signal from `from` (a pid) to p, as a link or exit/2 does. */
void process_send_exit(Process *p, Term from, Term reason);

/* --- copying terms between heaps (copy.c) ------------------------------ */
size_t size_object(Term t);
/* Copies t into hp (size_object(t) words), advancing *hp; ProcBins go to
 * oh with their Binary's count raised. */
Term copy_object(Term t, Term **hp, OffHeap *oh);

#endif
