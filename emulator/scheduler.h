/*
 * scheduler.h — schedulers, run queues, the process table, and the VM's
 * global state.
 *
 * A scheduler owns its x and float registers and its run queue. Any thread
 * may enqueue a process (sched_enqueue takes the queue lock); only the
 * owner dequeues. A process is in at most one run queue, and only while its
 * state is PS_RUNNABLE and it is not running.
 *
 * +S N starts N schedulers, one OS thread each. An idle scheduler steals
 * from the others before it sleeps; a periodic balancing pass (OTP 25's
 * check_balance, balance.h) sets migration paths per priority level from
 * overloaded to underloaded queues, which enqueues follow and along which
 * schedulers pull work, or compacts a light load onto fewer queues.
 * Lock order: a process's main lock, then its inbox_lock, then the
 * balancing lock, then a scheduler's lock; never two scheduler locks at
 * once (a thief only try-locks its victim, and holds no other).
 */
#ifndef CB_SCHEDULER_H
#define CB_SCHEDULER_H

#include <pthread.h>
#include <stdatomic.h>

#include "balance.h"
#include "process.h"
#include "prof.h"
#include "reclaim.h"

enum { RUNQ_MAX, RUNQ_HIGH, RUNQ_NORMAL, RUNQ_COUNT };
/* A low-priority process reaching the head of the normal queue goes back
 * to its tail this many times before it runs (OTP's RESCHEDULE_LOW). */
#define RESCHEDULE_LOW 8
#define MAX_SCHEDULERS BALANCE_MAX_QUEUES
/* The least a slice counts for balancing, however few reductions it
 * used: switching costs something (OTP's
 * ERTS_PROC_MIN_CONTEXT_SWITCH_REDS_COST). */
#define SWITCH_MIN_REDS (CONTEXT_REDS / 10)

/* Counters a scheduler keeps about itself: written by its own thread only
 * (relaxed atomics, so that statistics and reports may read them). */
typedef struct sched_stats {
    _Atomic uint64_t reductions;        /* of finished slices */
    _Atomic uint64_t context_switches;
    _Atomic uint64_t slices;            /* processes run */
    _Atomic uint64_t steals_in, steals_out;     /* processes taken by / from it */
    _Atomic uint64_t migrations_in, migrations_out;
    _Atomic uint64_t sleeps;
    _Atomic uint64_t busy_ns, total_ns; /* scheduler_wall_time, when enabled */
} sched_stats;

typedef struct Scheduler {
    int id;                     /* 1-based, as erlang:system_info reports */
    Term x[MAX_REG];
    double f[MAX_FREG];

    /* The run queue, under `lock`. Any thread may enqueue (sched_enqueue);
     * the owner dequeues, and an idle scheduler may steal. */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    /* OTP's priorities: max and high are strict queues; normal and low
     * share one, where a low process lets normal ones pass (see below). */
    struct { Process *head, *tail; } rq[RUNQ_COUNT];
    _Atomic size_t rq_len;      /* written under lock, read without */
    bool sleeping;              /* under lock: blocked in sched_next */
    bool watches_timers;        /* under lock: this sleeper waits for the
                                   earliest timer deadline */

    /* Balancing (scheduler.c, balance.h). Lengths per priority level
     * (PRIO_*; low is counted apart from normal although they share a
     * queue): written under `lock`, read without by enqueues testing a
     * migration path. The longest lengths since the last full pass are
     * under `lock` (the pass reads and resets them). */
    _Atomic uint32_t prio_len[PRIO_LEVELS];
    uint32_t prio_max_len[PRIO_LEVELS], max_len;
    /* Reductions executed per priority level, a slice counting at least
     * SWITCH_MIN_REDS: only grow, written by the owner (END_SLICE), read
     * by the pass. */
    _Atomic uint64_t prio_reds[PRIO_LEVELS];
    /* The migration paths of the last full pass, one word per priority
     * level (path_word in scheduler.c), and their summary (PATHS_*): which
     * levels emigrate or immigrate and whether the queue was made
     * inactive. Written by the pass under the balancing lock, read by
     * anyone. */
    _Atomic uint64_t path[PRIO_LEVELS];
    _Atomic uint32_t path_flags;
    /* Compaction: an inactive queue hands its processes to active ones
     * and its scheduler sleeps instead of stealing. Written under the
     * balancing lock (by the pass, or when a busy scheduler activates it
     * again); read by anyone. */
    _Atomic bool inactive;
    /* OUT_OF_WORK flags (scheduler.c): set by the owner when it runs out
     * of work, reset by the passes. `waiting`: the owner is out of work
     * now (looking or asleep); owner-written. */
    _Atomic uint32_t out_of_work;
    _Atomic bool waiting;
    int64_t balance_reds_left;  /* owner only: reductions to the next pass */
    unsigned balance_epoch;     /* owner only: the pass its count started at */
    /* Samples of the queue length, one each time the owner looks for
     * work: written by the owner, read by +sched_report. */
    _Atomic uint64_t len_sum, len_samples;
    size_t len_max;             /* owner only */
    uint64_t busy_since;        /* owner only: scheduler_wall_time, ns */
    uint64_t slice_start_ns;    /* owner only: when the running slice began */
    const BeamInstr *slice_in;  /* owner only: where it resumed */
    _Atomic bool running;       /* owner-written: a process is running on it */

    sched_stats stats;
    /* Profiling state (prof.h), owned by this scheduler's thread. `prof`
     * points to `prof_store` while anything records (+sched_trace,
     * +sched_report, microstate accounting), else is NULL: every hook
     * tests it (sched_prof). Set by sched_setup and system_flag. */
    prof_sched *_Atomic prof;
    prof_sched *prof_store;
    reclaim_slot reclaim;
    pthread_t thread;
} Scheduler;

static inline prof_sched *sched_prof(Scheduler *sd)
{
    return PROF_HOOKS ? atomic_load_explicit(&sd->prof, memory_order_relaxed) : NULL;
}

/* The end of a slice of `used` reductions at priority prio, for the
 * balancing pass (END_SLICE). Owner only: a plain add, no locked
 * instruction. */
static inline void sched_slice_reds(Scheduler *sd, unsigned prio, uint64_t used)
{
    uint64_t cost = used > SWITCH_MIN_REDS ? used : SWITCH_MIN_REDS;
    _Atomic uint64_t *reds = &sd->prio_reds[prio & (PRIO_LEVELS - 1)];
    atomic_store_explicit(reds, atomic_load_explicit(reds, memory_order_relaxed) + cost, memory_order_relaxed);
    sd->balance_reds_left -= (int64_t)cost;
}

typedef struct vm_state {
    _Atomic bool halting;
    _Atomic int exit_status;
    _Atomic uint32_t process_count;
    _Atomic bool wall_time_enabled;     /* system_flag(scheduler_wall_time) */
    _Atomic uint64_t wall_time_since_ns;/* when it was enabled */
    uint64_t start_ms;                  /* monotonic_ms() at start-up */
    Term init_pid;                      /* the first process: the VM halts
                                           if it exits */
    unsigned schedulers;                /* +S: threads started */
    _Atomic unsigned schedulers_online; /* 1..schedulers */
    Scheduler *sched[MAX_SCHEDULERS];   /* set before the threads start */
} vm_state;
extern vm_state vm;

/* Sets up n schedulers (before any process exists). */
void sched_setup(unsigned n);
/* Runs the schedulers: starts threads for 2..n, runs scheduler 1 on the
 * calling thread, returns when the VM halts and every thread stopped. */
void sched_run(void);
/* Processes waiting in run queues, over all schedulers / per scheduler. */
size_t sched_run_queue_length(void);
size_t sched_run_queue_length_of(unsigned index);
/* Processes in the queue plus the one running (statistics active_tasks). */
size_t sched_active_tasks_of(unsigned index);
size_t sched_active_tasks_total(void);
/* Sum of a counter over every scheduler. */
uint64_t sched_total_reductions(void);
uint64_t sched_total_context_switches(void);
/* Makes schedulers with an id above n sleep and hand over their work. */
void sched_set_online(unsigned n);
/* Puts a runnable process in a run queue (sd's, or where balancing sends
 * it). Any thread. */
void sched_enqueue(Scheduler *sd, Process *p);
/* The next process to run, with its main lock held; waits while there is
 * none. NULL once the VM is halting. Owner thread only. */
Process *sched_next(Scheduler *sd);
/* Called by the owner when the process it ran stops running (switched
 * out, waiting, exited): releases its main lock. */
void sched_release(Scheduler *sd, Process *p);
/* Puts p to sleep until a message or signal arrives or (if timeout_ref is
 * not 0) its receive timer fires. Called by the owner right after the
 * process stopped; releases the main lock. */
void sched_wait(Scheduler *sd, Process *p);
/* Makes a waiting process runnable. Called (after releasing
 * p->inbox_lock) by the one thread that moved it from PS_WAITING to
 * PS_RUNNABLE under that lock. */
void sched_wake(Process *p);
/* A timer that is earlier than every other pending one was started: the
 * scheduler that sleeps until the earliest deadline must look again. */
void sched_timers_changed(void);
void vm_halt(int status);

uint64_t monotonic_ms(void);
/* A monotonic clock in nanoseconds (scheduler_wall_time's unit). */
uint64_t sched_wall_time_ns(void);

/* A link list (a process's or a port's: pids and ports, in the order they
 * were linked): adds id once; removes it keeping the order. The caller
 * holds the owner's lock. */
void link_list_add(Term **items, size_t *n, size_t *cap, Term id);
void link_list_remove(Term *items, size_t *n, Term id);

/* --- the process table ------------------------------------------------- */
/* +P: erl's range; the limit is rounded up to a power of two, as erl does. */
#define PROCESS_LIMIT_MIN 1024
#define PROCESS_LIMIT_MAX 134217727
#define PROCESS_LIMIT_DEFAULT 262144
/* The limit erl uses for +P requested, or 0 if erl refuses the value. */
uint32_t process_limit_for(long requested);
/* Allocates the table; once, before the first process. */
void process_table_init(uint32_t limit);
uint32_t process_limit(void);
/* The live process with this pid, or NULL. The pointer stays valid until
 * the caller's next quiescent point (reclaim.h): use it at once, keep the
 * pid. */
Process *process_lookup(Term pid);
/* Creates a process for M:F(Args) (Args a proper list on the parent's
 * heap, or NIL) with the options (NULL: defaults). It is in the process
 * table but runs only after process_start, so that links and monitors
 * can be set up first. NULL when out of memory or at the process limit. */
Process *process_create(Process *parent, Term m, Term f, Term args, const spawn_opts *o);
/* Makes a created process runnable on sd. */
void process_start(Scheduler *sd, Process *p);
/* process_create + process_start. */
Process *process_spawn(Scheduler *sd, Process *parent, Term m, Term f, Term args);
/* Ends the process with the reason (on its heap), sending exit signals to
 * its links and monitors; its memory is freed once no thread can still
 * reach it (reclaim.h). Called by its own scheduler, main lock held. */
void process_exit(Scheduler *sd, Process *p, Term reason);
/* Links two processes (both must be alive). */
bool process_link(Process *a, Term b_pid);
void process_unlink(Process *a, Term b_pid);
/* One side of a link to a port (port.c keeps the other): adds/removes id
 * in p's links under p's inbox_lock. */
void process_add_link(Process *p, Term id);
void process_remove_link(Process *p, Term id);
/* Sends the 'DOWN' messages of a process that is exiting (erlang_misc.c). */
void monitors_on_exit(Process *p, Term reason);

/* --- messages (message.c) ---------------------------------------------- */
/* Copies msg into to's queue. Never blocks on a busy receiver. */
bool send_message(Process *to, Term msg);
/* send_message, but only if still_wanted(to, arg) holds, checked under
 * to's inbox_lock in the same step as the message joins the inbox (it may
 * take no other lock). A 'DOWN' uses it so that demonitor(Ref, [flush])
 * either sees the message or makes sure it is never sent. */
bool send_message_checked(Process *to, Term msg, bool (*still_wanted)(Process *to, void *arg), void *arg);
/* Moves what other threads delivered into the private queue, handling
 * signals in their order: an exit signal becomes an {'EXIT',..} message
 * when p traps exits, is dropped (normal), or kills p. Returns the reason
 * p must exit with, or THE_NON_VALUE. Owner only. */
Term receive_fetch(Process *p);
/* Removes the message at the save pointer; its fragment joins the heap;
 * a pending receive timeout is cancelled. */
void receive_remove(Process *p);
/* Receive markers (recv_marker_* instructions). reserve returns the
 * marker term (a small: the slot, -1 when all are in use). */
Term receive_marker_reserve(Process *p);
void receive_marker_bind(Process *p, Term marker, uint64_t ref);
void receive_marker_use(Process *p, uint64_t ref);
void receive_marker_clear(Process *p, uint64_t ref);
/* Moves the save pointer over marker nodes. */
void receive_skip_markers(Process *p);
/* Ends the current receive's timeout (its timer, timed_out). Owner only. */
void receive_timeout_clear(Process *p);
/* Queues an exit signal (see process_send_exit). */
bool send_exit_signal(Process *to, Term from, Term reason, bool link);
void message_free_all(message *m);
/* The process registered under name, or NULL. */
Process *process_whereis(Term name);
bool process_register(Term name, Process *p);
bool process_unregister(Term name);   /* a process's or a port's name */
/* Registered ports (register/2 with a port): the registry holds them
 * beside processes, under the same lock. add fails if the name is taken
 * or the port has a name; registry_port is the port a name stands for
 * (NIL if none), registry_port_name a port's name (NIL if none). */
bool registry_add_port(Term name, Term port);
Term registry_port(Term name);
Term registry_port_name(Term port);
void registry_drop_port(Term port);
/* Aliases (erlang:alias/0,1, monitor/3's alias option). */
void alias_add(uint64_t ref, Term pid);
bool alias_remove(uint64_t ref, Term owner);
Term alias_owner(uint64_t ref);   /* the owner's pid, or NIL if inactive */
/* Copies up to max live pids, in pid order; returns how many. */
size_t process_all_pids(Term *pids, size_t max);
/* Copies up to max registered names into names; returns how many. */
size_t process_registered_names(Term *names, size_t max);
/* Sends an exit signal from `from` (a pid) to p: from a broken link
 * (link = true) or from exit/2. Ordered with messages from the same
 * sender; p acts on it when it next handles its signals. */
void process_send_exit(Process *p, Term from, Term reason, bool link);
/* Tries to take another process's main lock, to read its private state
 * (process_info). False when it is running: the caller yields and retries
 * (BIF_YIELD_RETRY). */
bool process_try_inspect(Process *self, Process *q);
void process_end_inspect(Process *q);

/* --- copying terms between heaps (copy.c) ------------------------------ */
size_t size_object(Term t);
/* Copies t into hp (size_object(t) words), advancing *hp; ProcBins go to
 * oh with their Binary's count raised. */
Term copy_object(Term t, Term **hp, OffHeap *oh);

#endif
