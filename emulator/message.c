/*
 * message.c — sending and receiving messages.
 *
 * A send copies the message straight onto the receiver's heap when the
 * receiver is not running (its main lock taken with a trylock) and the
 * heap has room, else into a fresh heap fragment owned by the message, so
 * the sender never waits for the receiver; the message is appended to the receiver's inbox under its inbox_lock (per pair of
 * processes the order of sends is kept, as OTP guarantees). The receiver
 * moves its inbox to its private queue (msgq) when receive runs out of
 * messages. When a message is removed, its fragment joins the receiver's
 * heap fragments and the next collection copies it into the heap.
 *
 * Exit signals travel in the same queue (kind SIG_EXIT/SIG_EXIT_LINK), so
 * that a message and a later exit signal from one sender arrive in order;
 * the receiver acts on them in receive_fetch, where only it reads its own
 * trap_exit flag.
 */
#include <stdio.h>
#include <stdlib.h>

#include "atom.h"
#include "scheduler.h"
#include "term_build.h"
#include "timer.h"

/* OTP's on_heap delivery: while the receiver is not running (its main
 * lock is free) a message that fits is copied straight onto its heap, so
 * it needs no fragment and no later copy. Never waits for the lock. */
static bool copy_onto_heap(Process *to, Term msg, size_t words, message *m)
{
    if (pthread_mutex_trylock(&to->main_lock) != 0) return false;
    bool ok = !to->message_queue_off_heap && atomic_load(&to->state) != PS_EXITED
              && (size_t)(to->stop - to->htop) >= words;
    if (ok && to->nheap_msgs == to->capheap_msgs) {
        uint32_t cap = to->capheap_msgs ? 2 * to->capheap_msgs : 16;
        message **grown = realloc(to->heap_msgs, cap * sizeof *grown);
        if (grown) {
            to->heap_msgs = grown;
            to->capheap_msgs = cap;
        } else ok = false;
    }
    if (ok) {
        Term *hp = to->htop;
        to->htop += words;
        m->term = copy_object(msg, &hp, &to->off_heap);
        m->frag = NULL;
        m->heap_slot = to->nheap_msgs;
        to->heap_msgs[to->nheap_msgs++] = m;
    }
    pthread_mutex_unlock(&to->main_lock);
    return ok;
}

static message *message_new(Process *to, Term msg)
{
    message *m = malloc(sizeof *m);
    if (!m) return NULL;
    m->next = NULL;
    m->kind = SIG_MESSAGE;
    m->from = NIL;
    m->heap_slot = NOT_ON_HEAP;
    m->frag = NULL;
    if (term_is_immed(msg)) {
        m->term = msg;
        return m;
    }
    size_t words = size_object(msg);
    if (copy_onto_heap(to, msg, words, m)) return m;
    heap_frag *f = malloc(sizeof *f + words * sizeof(Term));
    if (!f) {
        free(m);
        return NULL;
    }
    f->next = NULL;
    f->size = f->used = words;
    f->off_heap = (OffHeap){ 0 };
    Term *hp = f->mem;
    m->term = copy_object(msg, &hp, &f->off_heap);
    m->frag = f;
    return m;
}

/* Appends a signal to the inbox, waking the receiver if it waits; false
 * (and m freed) if it has exited. */
static bool deliver(Process *to, message *m)
{
    pthread_mutex_lock(&to->inbox_lock);
    if (atomic_load(&to->state) == PS_EXITED) {
        pthread_mutex_unlock(&to->inbox_lock);
        if (m->frag) {
            offheap_release(&m->frag->off_heap);
            free(m->frag);
        }
        free(m);
        return false;
    }
    *to->inbox_last = m;
    to->inbox_last = &m->next;
    if (m->kind != SIG_MESSAGE) atomic_fetch_add_explicit(&to->signals, 1, memory_order_release);
    bool wake = atomic_load(&to->state) == PS_WAITING;
    if (wake) atomic_store(&to->state, PS_RUNNABLE);
    pthread_mutex_unlock(&to->inbox_lock);
    if (wake) sched_wake(to);
    return true;
}

bool send_message(Process *to, Term msg)
{
    message *m = message_new(to, msg);
    if (!m) {
        fputs("cbeam: out of memory sending a message\n", stderr);
        abort();
    }
    return deliver(to, m);
}

bool send_message_checked(Process *to, Term msg, bool (*still_wanted)(Process *to, void *arg), void *arg)
{
    /* Always in a fragment of its own, so that a refused message is just
     * freed (one on the receiver's heap would be listed in heap_msgs). */
    message *m = malloc(sizeof *m);
    size_t words = size_object(msg);
    heap_frag *f = malloc(sizeof *f + (words ? words : 1) * sizeof(Term));
    if (!m || !f) {
        fputs("cbeam: out of memory sending a message\n", stderr);
        abort();
    }
    f->next = NULL;
    f->size = f->used = words;
    f->off_heap = (OffHeap){ 0 };
    Term *hp = f->mem;
    m->next = NULL;
    m->term = copy_object(msg, &hp, &f->off_heap);
    m->frag = f;
    m->from = NIL;
    m->kind = SIG_MESSAGE;
    m->heap_slot = NOT_ON_HEAP;
    pthread_mutex_lock(&to->inbox_lock);
    if (atomic_load(&to->state) == PS_EXITED || !still_wanted(to, arg)) {
        pthread_mutex_unlock(&to->inbox_lock);
        offheap_release(&f->off_heap);
        free(f);
        free(m);
        return false;
    }
    *to->inbox_last = m;
    to->inbox_last = &m->next;
    bool wake = atomic_load(&to->state) == PS_WAITING;
    if (wake) atomic_store(&to->state, PS_RUNNABLE);
    pthread_mutex_unlock(&to->inbox_lock);
    if (wake) sched_wake(to);
    return true;
}

/* Room for {'EXIT', From, Reason} after the reason, so that a trapped
 * signal becomes a message without another allocation. */
#define EXIT_TUPLE_WORDS 4

bool send_exit_signal(Process *to, Term from, Term reason, bool link)
{
    message *m = malloc(sizeof *m);
    size_t words = size_object(reason);
    heap_frag *f = malloc(sizeof *f + (words + EXIT_TUPLE_WORDS) * sizeof(Term));
    if (!m || !f) {
        fputs("cbeam: out of memory sending an exit signal\n", stderr);
        abort();
    }
    f->next = NULL;
    f->size = words + EXIT_TUPLE_WORDS;
    f->used = words;
    f->off_heap = (OffHeap){ 0 };
    Term *hp = f->mem;
    m->next = NULL;
    m->term = copy_object(reason, &hp, &f->off_heap);
    m->frag = f;
    m->from = from;
    m->kind = link ? SIG_EXIT_LINK : SIG_EXIT;
    m->heap_slot = NOT_ON_HEAP;
    return deliver(to, m);
}

/* What an exit signal does to its receiver p: THE_NON_VALUE if it becomes
 * a message or is ignored (then *keep says whether m is now a message),
 * else the reason p exits with. */
static Term exit_signal_effect(Process *p, message *m, bool *keep)
{
    Term reason = m->term;
    *keep = false;
    /* exit(Pid, kill) cannot be trapped, even sent to oneself; a link's
     * kill can. */
    if (m->kind == SIG_EXIT && reason == am_kill) return am_killed;
    if (p->flags & PF_TRAP_EXIT) {
        heap_frag *f = m->frag;
        m->term = tuple3(f->mem + f->used, am_EXIT, m->from, reason);
        f->used += EXIT_TUPLE_WORDS;
        m->kind = SIG_MESSAGE;
        *keep = true;
        return THE_NON_VALUE;
    }
    if (reason == am_normal && m->from != p->pid) return THE_NON_VALUE;
    return reason;
}

Term receive_fetch(Process *p)
{
    pthread_mutex_lock(&p->inbox_lock);
    message *first = p->inbox;
    p->inbox = NULL;
    p->inbox_last = &p->inbox;
    /* The count drops only once these signals have been acted on, and not
     * at all when one ends p: is_process_alive relies on that. */
    uint32_t signals = atomic_load_explicit(&p->signals, memory_order_acquire);
    pthread_mutex_unlock(&p->inbox_lock);
    if (!signals) {
        if (first) {
            *p->msgq_last = first;
            for (message *m = first; m; m = m->next) {
                p->msgq_len++;
                p->msgq_last = &m->next;
            }
        }
        return THE_NON_VALUE;
    }
    for (message *m = first, *next; m; m = next) {
        next = m->next;
        m->next = NULL;
        bool keep = true;
        if (m->kind != SIG_MESSAGE) {
            Term why = exit_signal_effect(p, m, &keep);
            if (why != THE_NON_VALUE) {
                /* The reason's fragment joins the heap; the rest dies with p. */
                heap_join_fragment(p, m->frag);
                free(m);
                message_free_all(next);
                p->nheap_msgs = 0;   /* p exits: its queue is dead */
                return why;
            }
        }
        if (!keep) {
            message_free_all(m);
            continue;
        }
        *p->msgq_last = m;
        p->msgq_last = &m->next;
        p->msgq_len++;
    }
    atomic_fetch_sub_explicit(&p->signals, signals, memory_order_release);
    return THE_NON_VALUE;
}

/* --- receive markers ------------------------------------------------------ */

/* Moves the inbox to the received queue if it holds only messages. */
static void fetch_messages_only(Process *p)
{
    pthread_mutex_lock(&p->inbox_lock);
    message *first = p->inbox;
    if (first && atomic_load_explicit(&p->signals, memory_order_relaxed) == 0) {
        *p->msgq_last = first;
        p->msgq_last = p->inbox_last;
        for (message *m = first; m; m = m->next) p->msgq_len++;
        p->inbox = NULL;
        p->inbox_last = &p->inbox;
    }
    pthread_mutex_unlock(&p->inbox_lock);
}

static unsigned marker_index(const Process *p, const message *m) { return (unsigned)(m - p->markers->node); }

Term receive_marker_reserve(Process *p)
{
    unsigned i = 0;
    while (i < RECV_MARKERS && (p->markers_used & (1u << i))) i++;
    if (!p->markers) p->markers = malloc(sizeof *p->markers);
    /* Without a marker receive starts at the head: slower, still right. */
    if (i == RECV_MARKERS || !p->markers) return make_small(-1);
    /* Messages already sent precede the marker: fetch them first, unless
     * an exit signal is pending (the process acts on that in receive). */
    fetch_messages_only(p);
    message *m = &p->markers->node[i];
    *m = (message){ .next = NULL, .term = make_small(0), .frag = NULL, .from = NIL, .kind = SIG_MARKER,
                    .heap_slot = NOT_ON_HEAP };
    p->markers->link[i] = p->msgq_last;
    p->markers->ref[i] = 0;
    *p->msgq_last = m;
    p->msgq_last = &m->next;
    p->markers_used |= (uint8_t)(1u << i);
    return make_small(i);
}

void receive_marker_bind(Process *p, Term marker, uint64_t ref)
{
    if (!term_is_small(marker) || small_value(marker) < 0 || small_value(marker) >= RECV_MARKERS) return;
    p->markers->ref[small_value(marker)] = ref;
}

static int marker_of(const Process *p, uint64_t ref)
{
    for (int i = 0; i < RECV_MARKERS; i++)
        if ((p->markers_used & (1u << i)) && p->markers->ref[i] == ref) return i;
    return -1;
}

void receive_marker_use(Process *p, uint64_t ref)
{
    int i = marker_of(p, ref);
    if (i >= 0) p->save = &p->markers->node[i].next;
}

void receive_marker_clear(Process *p, uint64_t ref)
{
    int i = marker_of(p, ref);
    if (i < 0) return;
    message *m = &p->markers->node[i], **link = p->markers->link[i];
    *link = m->next;
    if (m->next && m->next->kind == SIG_MARKER) p->markers->link[marker_index(p, m->next)] = link;
    if (p->msgq_last == &m->next) p->msgq_last = link;
    if (p->save == &m->next) p->save = link;
    p->markers_used &= (uint8_t)~(1u << i);
}

void receive_skip_markers(Process *p)
{
    while (*p->save && (*p->save)->kind == SIG_MARKER) p->save = &(*p->save)->next;
}

void receive_remove(Process *p)
{
    message *m = *p->save;
    *p->save = m->next;
    if (m->next && m->next->kind == SIG_MARKER) p->markers->link[marker_index(p, m->next)] = p->save;
    if (p->msgq_last == &m->next) p->msgq_last = p->save;
    p->msgq_len--;
    if (m->frag) {
        heap_join_fragment(p, m->frag);
    } else if (m->heap_slot != NOT_ON_HEAP) {
        message *last = p->heap_msgs[--p->nheap_msgs];
        p->heap_msgs[m->heap_slot] = last;
        last->heap_slot = m->heap_slot;
    }
    free(m);
    p->save = &p->msgq;
    if (p->timeout_at) receive_timeout_clear(p);
}

void receive_timeout_clear(Process *p)
{
    pthread_mutex_lock(&p->inbox_lock);
    uint64_t ref = p->timeout_ref;
    p->timeout_ref = 0;
    atomic_store(&p->timed_out, false);
    pthread_mutex_unlock(&p->inbox_lock);
    p->timeout_at = 0;
    uint64_t left;
    if (ref) timer_cancel(ref, &left);
}

void message_free_all(message *m)
{
    while (m) {
        message *next = m->next;
        if (m->kind == SIG_MARKER) {   /* lives in its process's markers */
            m = next;
            continue;
        }
        if (m->frag) {
            offheap_release(&m->frag->off_heap);
            free(m->frag);
        }
        free(m);
        m = next;
    }
}
