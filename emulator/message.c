/*
 * message.c — sending and receiving messages.
 *
 * A send copies the message into a fresh heap fragment owned by the
 * message, so the sender never waits for the receiver's heap; the message
 * is appended to the receiver's inbox under its inbox_lock (per pair of
 * processes the order of sends is kept, as OTP guarantees). The receiver
 * moves its inbox to its private queue (msgq) when receive runs out of
 * messages. When a message is removed, its fragment joins the receiver's
 * heap fragments and the next collection copies it into the heap.
 */
#include <stdio.h>
#include <stdlib.h>

#include "scheduler.h"

static message *message_new(Term msg)
{
    message *m = malloc(sizeof *m);
    if (!m) return NULL;
    m->next = NULL;
    if (term_is_immed(msg)) {
        m->term = msg;
        m->frag = NULL;
        return m;
    }
    size_t words = size_object(msg);
    heap_frag *f = malloc(sizeof *f + words * sizeof(Term));
    if (!f) {
        free(m);
        return NULL;
    }
    f->next = NULL;
    f->size = f->used = words;
    f->off_heap = (OffHeap){ NULL, 0 };
    Term *hp = f->mem;
    m->term = copy_object(msg, &hp, &f->off_heap);
    m->frag = f;
    return m;
}

bool send_message(Process *to, Term msg)
{
    message *m = message_new(msg);
    if (!m) {
        fputs("cbeam: out of memory sending a message\n", stderr);
        abort();
    }
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
    bool wake = atomic_load(&to->state) == PS_WAITING;
    if (wake) atomic_store(&to->state, PS_RUNNABLE);
    pthread_mutex_unlock(&to->inbox_lock);
    if (wake) sched_wake(to);
    return true;
}

bool receive_fetch(Process *p)
{
    pthread_mutex_lock(&p->inbox_lock);
    message *first = p->inbox;
    if (first) {
        *p->msgq_last = first;
        p->msgq_last = p->inbox_last;
        for (message *m = first; m; m = m->next) p->msgq_len++;
        p->inbox = NULL;
        p->inbox_last = &p->inbox;
    }
    pthread_mutex_unlock(&p->inbox_lock);
    return *p->save != NULL;
}

void receive_remove(Process *p)
{
    message *m = *p->save;
    *p->save = m->next;
    if (p->msgq_last == &m->next) p->msgq_last = p->save;
    p->msgq_len--;
    if (m->frag) {
        m->frag->next = p->mbuf;
        p->mbuf = m->frag;
        p->mbuf_words += m->frag->used;
    }
    free(m);
    p->save = &p->msgq;
    p->timed_out = false;
    p->timeout_at = 0;
}

void message_free_all(message *m)
{
    while (m) {
        message *next = m->next;
        if (m->frag) {
            offheap_release(&m->frag->off_heap);
            free(m->frag);
        }
        free(m);
        m = next;
    }
}
