/*
 * process.h — an Erlang process: its heap and stack, its saved registers,
 * its exception state, its message queue.
 *
 * Memory layout (as OTP): heap and stack share one block of heap_size
 * words. The heap grows up from `heap` to `htop`; the stack grows down from
 * `hend` to `stop`; a collection is needed when htop + need > stop. The old
 * generation lives in a separate block [old_heap, old_hend). Data that did
 * not fit (BIF results, messages) sits in heap fragments on `mbuf`, which
 * count as young heap and are merged by the next collection.
 *
 * Ownership: a process is owned by the scheduler running it, which holds
 * its `main_lock` for the whole slice; only that thread touches the heap,
 * the stack, the registers or the dictionary. Another thread may read
 * that private state only while it holds the main lock itself (a
 * process_info of another process, process_try_inspect). Other threads
 * otherwise reach a process only through its signal queue (`inbox`,
 * guarded by `inbox_lock`), its atomic state word and the atomic fields
 * marked so below. A Process is freed through reclaim.h, never directly,
 * so a pointer from process_lookup stays valid until a quiescent point.
 *
 * May GC: only the functions marked CB_MAY_GC in gc.h. HAlloc never
 * collects: when the heap is full it allocates a fragment.
 */
#ifndef CB_PROCESS_H
#define CB_PROCESS_H

#include <pthread.h>
#include <stdatomic.h>

#include "binary.h"
#include "term.h"

typedef uintptr_t BeamInstr;
struct Scheduler;
struct Export;

#define MAX_REG 1024
#define MAX_FREG 1024
#define CONTEXT_REDS 4000
#define H_DEFAULT_SIZE 233

/* --- heap fragments ------------------------------------------------------ */
typedef struct heap_frag {
    struct heap_frag *next;
    size_t used;      /* words in use */
    size_t size;      /* words allocated */
    OffHeap off_heap; /* ProcBins built in this fragment */
    Term mem[];
} heap_frag;

/* --- messages ------------------------------------------------------------- */
/* The signal queue holds messages and, in their order, exit signals:
 * per pair of processes OTP keeps signals in the order they were sent. */
typedef enum signal_kind { SIG_MESSAGE, SIG_EXIT, SIG_EXIT_LINK, SIG_MARKER } signal_kind;

typedef struct message {
    struct message *next;
    Term term;             /* the message or exit reason: an immediate, on
                              `frag`, or on the receiver's heap */
    heap_frag *frag;       /* NULL for an immediate or a term on the heap */
    Term from;             /* exit signals: the sender's pid */
    uint8_t kind;          /* signal_kind */
    uint32_t heap_slot;    /* term on the heap: its index in heap_msgs,
                              else NOT_ON_HEAP */
} message;
#define NOT_ON_HEAP UINT32_MAX

/* --- exceptions ------------------------------------------------------------
 * p->freason packs the class and, for the errors erts raises itself, the
 * primary reason; p->fvalue holds the value that goes with it (the reason
 * term for EXCP_USER, the V of {badmatch,V}, ...). See exception.h. */

typedef struct monitor_link {
    uint64_t ref;              /* the monitor's reference number */
    Term pid;                  /* the other process */
    Term name;                 /* monitored by registered name: the atom, else NIL */
} monitor_link;

typedef struct MFA {
    Term module, function;
    uint32_t arity;
} MFA;

/* Process flags. */
#define PF_TRAP_EXIT     (1u << 0)
#define PF_EXITING       (1u << 1)

typedef enum process_priority { PRIO_MAX, PRIO_HIGH, PRIO_NORMAL, PRIO_LOW } process_priority;

/* What spawn_opt and process_flag set (defaults: spawn_opts_default). */
typedef struct spawn_opts {
    uint8_t priority;
    size_t min_heap_size;          /* words */
    size_t min_bin_vheap_size;     /* words */
    size_t max_heap_size;          /* words; 0 = no limit */
    bool max_heap_kill, max_heap_log;
    uint32_t fullsweep_after;
    bool message_queue_off_heap;
} spawn_opts;
extern const spawn_opts spawn_opts_default;

typedef enum process_state {
    PS_RUNNABLE,   /* in a run queue, or running */
    PS_WAITING,    /* in receive: not in any queue */
    PS_EXITED,
} process_state;

/* The receive markers of one process: link[i] is the link that
 * points at node[i] while bit i of Process.markers_used is set. */
#define RECV_MARKERS 4
struct recv_markers {
    message node[RECV_MARKERS];
    message **link[RECV_MARKERS];
    uint64_t ref[RECV_MARKERS];   /* bound reference number, 0 none */
};

typedef struct Process {
    /* Heap and stack (owned by the running scheduler). */
    Term *heap, *htop, *stop, *hend;
    Term *high_water;          /* data below it survived a collection */
    Term *old_heap, *old_htop, *old_hend;
    heap_frag *mbuf;
    size_t mbuf_words;
    size_t heap_size;          /* words in [heap, hend) */
    Term *spare_heap;          /* the block a minor collection copied out of,
                                  kept for the next one of the same size */
    size_t spare_size;
    size_t min_heap_size;
    uint32_t gen_gcs, max_gen_gcs; /* max_gen_gcs: fullsweep_after */
    /* max_heap_size: when a collection leaves more than this many words
     * (0: no limit), the process kills itself if max_heap_kill. */
    size_t max_heap_size;
    bool max_heap_kill, max_heap_log;
    bool message_queue_off_heap;   /* message_queue_data (reported only:
                                      messages always arrive in fragments) */
    size_t min_bin_vheap_size;
    /* off_heap.vheap_limit is the virtual binary heap (OTP's): a collection
     * is due when the off-heap binaries the heap references exceed it; it
     * grows and shrinks after each collection (gc.c). */
    OffHeap off_heap;

    /* Saved execution state (valid while the process is not running). */
    const BeamInstr *i;
    uint32_t arity;            /* live x registers saved in arg_reg */
    Term arg_reg[8];           /* small save area; more spill to arg_big */
    Term *arg_big;
    int fcalls;                /* reductions left in this slice */
    uint64_t reductions;

    /* Exceptions. */
    uint32_t freason;
    Term fvalue;
    Term ftrace;               /* raw stack trace of the current exception */
    Term top_frame;            /* a frame to put first in the trace, or NIL */
    bool top_frame_replaces;   /* it stands for the faulting function itself */
    Term top_frame_info;       /* items to add to the faulting function's
                                  location list ([] or [{error_info, M}]):
                                  with top_frame_replaces, or from a failed
                                  bs_create_bin */
    uint32_t catches;          /* catch frames on the stack */
    Term error_cause;          /* BIF_ERROR_CAUSE's cause until the frame is
                                  built, else NIL */

    /* Identity and bookkeeping. */
    Term pid;
    _Atomic Term group_leader; /* group_leader/2 sets it from any process */
    _Atomic uint32_t trace_flags; /* erlang:trace/3 (trace.h) sets them from any process */
    _Atomic Term tracer;       /* where trace messages go, or NIL */
    _Atomic Term registered_name; /* an atom, or NIL; written under the registry lock */
    MFA initial_call;
    Term prof_named;           /* +sched_trace: the registered name last
                                  recorded with its pid (0: none yet);
                                  the running scheduler's */
    const MFA *current;        /* function being executed, for traces */
    Term error_handler;        /* module atom */
    Term dictionary;           /* the process dictionary: list of {K,V} */
    uint32_t flags;            /* PF_* */
    uint8_t priority;          /* PRIO_* */
    uint8_t schedule_count;    /* low priority: passes left (RESCHEDULE_LOW) */
    uint32_t *node_monitors;   /* process_flag(monitor_nodes | {monitor_nodes,
                                  Opts}, true) subscriptions per option set
                                  (erlang_misc.c), allocated on first use; no
                                  distribution, so they never fire */

    /* Messages: the part only the owner touches. `msgq` is the received
     * queue; `save` points at the link to the next message receive looks
     * at. A queued message's term is an immediate, lies wholly in the
     * message's own fragment, or was copied onto this heap by a sender
     * that held main_lock (message.c). heap_msgs lists the last kind, in
     * msgq or the inbox, so that the GC updates them without walking the
     * queue, which may be millions long. heap_msgs is under main_lock. */
    message *msgq, **msgq_last, **save;
    uint32_t msgq_len;
    uint32_t nheap_msgs, capheap_msgs;
    message **heap_msgs;
    /* Receive markers (OTP 24+): nodes of msgq that receive skips, so
     * that `receive {Ref, _}` after Ref = make_ref() starts after the
     * messages that were there before (message.c). Allocated on first use:
     * most processes never make a marker. */
    struct recv_markers *markers;
    uint8_t markers_used;      /* bit i: markers->node[i] is linked */
    uint64_t timeout_at;       /* wait_timeout deadline, in ms; 0 = none,
                                  UINT64_MAX = infinity */
    uint64_t timeout_ref;      /* its timer (timer.h), 0 if none; under inbox_lock */
    _Atomic bool timed_out;    /* set by the timer under inbox_lock; the
                                  owner clears it under inbox_lock */

    /* Held by the scheduler running the process (see above). */
    pthread_mutex_t main_lock;

    /* The part any thread may touch, under inbox_lock. */
    pthread_mutex_t inbox_lock;
    message *inbox, **inbox_last;
    _Atomic int state;         /* process_state */
    _Atomic uint32_t signals;  /* exit signals not yet acted on: handled when
                                  the process is next scheduled in; stays
                                  nonzero once one has ended it */

    /* Links (pids) and monitors: under inbox_lock. */
    Term *links;
    size_t nlinks, caplinks;
    struct monitor_link *monitors;      /* processes this one monitors */
    size_t nmonitors, capmonitors;
    struct monitor_link *monitored_by;  /* processes monitoring this one */
    size_t nmonitored_by, capmonitored_by;

    /* The scheduler whose queue it is in or last ran on: changes only while
     * the process is in no queue and not running (spawn, steal under the
     * victim's lock, migration on enqueue). */
    struct Scheduler *_Atomic sched;
    struct Process *run_next;  /* run-queue link, under the queue's lock */
} Process;

/* A term_sink that allocates on a process heap (HAlloc), for code that
 * builds terms of unknown size (maps, decoded terms). */
#include "term_sink.h"
typedef struct proc_sink {
    term_sink base;
    Process *p;
} proc_sink;
void proc_sink_init(proc_sink *s, Process *p);
/* map_from_pairs on the process heap. */
Term map_from_pairs_on_heap(Process *p, const Term *keys, const Term *values, size_t n);

/* Allocates `need` words for a term the caller is building. Never
 * collects: uses the free space above htop, else a heap fragment. Returns
 * NULL only when memory is exhausted. */
Term *heap_alloc_slow(Process *p, size_t need);
static inline Term *HAlloc(Process *p, size_t need)
{
    if ((size_t)(p->stop - p->htop) >= need) {
        Term *hp = p->htop;
        p->htop += need;
        return hp;
    }
    return heap_alloc_slow(p, need);
}

/* Makes f (a received message's or exit reason's fragment) part of p's
 * heap fragments, collected with them. */
void heap_join_fragment(Process *p, heap_frag *f);

/* Gives back words at the end of the most recent allocation. */
void heap_release(Process *p, Term *from, size_t words);

#endif
