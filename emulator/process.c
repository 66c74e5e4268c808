/*
 * process.c — creating and ending processes, the process table, links,
 * exit signals, and the name registry.
 *
 * The table maps a pid to its Process: lock-free lookups, inserts and
 * removals under `table.lock`, which also guards the registry. A pid is an
 * immediate: data << 4 | 0x3.
 *
 * An exited process leaves the table at once and is freed through
 * reclaim.h, so a pointer another thread just looked up stays valid.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atom.h"
#include "emu.h"
#include "ets.h"
#include "exception.h"
#include "export.h"
#include "gc.h"
#include "map.h"
#include "port.h"
#include "prim_file.h"
#include "prof_internal.h"   /* prof_slice_end, inline */
#include "scheduler.h"
#include "term_build.h"
#include "trace.h"
#include "term_print.h"
#include "strbuf.h"

/* A registered name: a process (p), or a port (p NULL, port its id). */
typedef struct reg_entry {
    Term name;
    Process *p;
    Term port;
} reg_entry;

/* A pid's 28 data bits (OTP: 15 bits of number, 13 of serial) run through
 * every value before one repeats, so a stale pid finds no process for a
 * long time; the slot is the data's low bits. Slots are read without a
 * lock: a Process pointer stays valid until the reader's next quiescent
 * point (reclaim.h), and the pid check rejects a recycled slot. Inserting
 * and removing take `lock`, which also guards the registry. */
#define PID_DATA_BITS 28
#define PID_DATA_MASK ((UINT32_C(1) << PID_DATA_BITS) - 1)

static struct {
    pthread_mutex_t lock;
    _Atomic(Process *) *slots;  /* size slot_mask + 1, a power of two */
    uint32_t slot_mask;
    uint32_t limit;             /* erlang:system_info(process_limit) */
    uint32_t live;              /* processes in the table */
    uint32_t next;              /* the next pid data to try */
    reg_entry *names;
    size_t nnames, capnames;
} table = { .lock = PTHREAD_MUTEX_INITIALIZER };

static uint32_t pid_data(Term pid) { return (uint32_t)(pid >> TAG_IMMED1_SIZE); }
static Term make_pid(uint32_t n) { return ((Term)n << TAG_IMMED1_SIZE) | TAG_IMMED1_PID; }

uint32_t process_limit_for(long requested)
{
    if (requested < PROCESS_LIMIT_MIN || requested > PROCESS_LIMIT_MAX) return 0;
    uint32_t n = PROCESS_LIMIT_MIN;
    while (n < (uint32_t)requested && n <= PROCESS_LIMIT_MAX / 2) n *= 2;
    return n < (uint32_t)requested ? PROCESS_LIMIT_MAX : n;
}

void process_table_init(uint32_t limit)
{
    uint32_t size = PROCESS_LIMIT_MIN;
    while (size < limit) size *= 2;
    table.slots = calloc(size, sizeof *table.slots);
    if (!table.slots) {
        fprintf(stderr, "cbeam: cannot allocate a process table for %u processes\n", limit);
        exit(1);
    }
    table.slot_mask = size - 1;
    table.limit = limit;
}

uint32_t process_limit(void) { return table.limit; }

Process *process_lookup(Term pid)
{
    if (!term_is_pid(pid)) return NULL;
    Process *p = atomic_load_explicit(&table.slots[pid_data(pid) & table.slot_mask], memory_order_acquire);
    return p && p->pid == pid ? p : NULL;
}

static bool table_insert(Process *p)
{
    pthread_mutex_lock(&table.lock);
    if (table.live == table.limit) {
        pthread_mutex_unlock(&table.lock);
        return false;
    }
    /* Fewer live processes than slots: a free slot is found. */
    uint32_t n = table.next;
    while (atomic_load_explicit(&table.slots[n & table.slot_mask], memory_order_relaxed))
        n = (n + 1) & PID_DATA_MASK;
    table.next = (n + 1) & PID_DATA_MASK;
    table.live++;
    p->pid = make_pid(n);
    atomic_store_explicit(&table.slots[n & table.slot_mask], p, memory_order_release);
    pthread_mutex_unlock(&table.lock);
    return true;
}

static void table_remove(Process *p)
{
    pthread_mutex_lock(&table.lock);
    atomic_store_explicit(&table.slots[pid_data(p->pid) & table.slot_mask], NULL, memory_order_relaxed);
    table.live--;
    pthread_mutex_unlock(&table.lock);
}

/* --- spawning ------------------------------------------------------------ */

const spawn_opts spawn_opts_default = {
    .priority = PRIO_NORMAL,
    .min_heap_size = H_DEFAULT_SIZE,
    .min_bin_vheap_size = 46422,
    .max_heap_size = 0,
    .max_heap_kill = true,
    .max_heap_log = true,
    .fullsweep_after = 65535,
};

Process *process_create(Process *parent, Term m, Term f, Term args, const spawn_opts *o)
{
    if (!o) o = &spawn_opts_default;
    SWord arity = list_length(args);
    if (arity < 0 || arity > 255) return NULL;
    Process *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    if (!heap_init(p, o->min_heap_size)) {
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->inbox_lock, NULL);
    pthread_mutex_init(&p->main_lock, NULL);
    p->msgq_last = &p->msgq;
    p->save = &p->msgq;
    p->inbox_last = &p->inbox;
    p->dictionary = NIL;
    p->registered_name = NIL;
    p->top_frame = NIL;
    p->top_frame_info = NIL;
    p->fvalue = NIL;
    p->ftrace = NIL;
    p->error_cause = NIL;
    p->error_handler = am_error_handler;
    p->max_gen_gcs = o->fullsweep_after;
    p->priority = o->priority;
    p->max_heap_size = o->max_heap_size;
    p->max_heap_kill = o->max_heap_kill;
    p->max_heap_log = o->max_heap_log;
    p->message_queue_off_heap = o->message_queue_off_heap;
    p->min_bin_vheap_size = o->min_bin_vheap_size;
    p->off_heap.vheap_limit = o->min_bin_vheap_size;
    p->initial_call = (MFA){ m, f, (uint32_t)arity };
    /* Held until the process is set up: once in the table, a sender may
     * find it (processes/0) and would copy onto its heap while the
     * arguments are being copied there. */
    pthread_mutex_lock(&p->main_lock);
    if (!table_insert(p)) {
        pthread_mutex_unlock(&p->main_lock);
        heap_destroy(p);
        free(p);
        return NULL;
    }
    p->group_leader = parent ? parent->group_leader : p->pid;
    p->tracer = NIL;
    /* The arguments are copied onto the new heap, then into registers. */
    Term *hp = HAlloc(p, size_object(args));
    Term copy = copy_object(args, &hp, &p->off_heap);
    Term regs[256];
    unsigned n = 0;
    for (; term_is_list(copy); copy = list_tail(copy)) regs[n++] = list_head(copy);
    p->arity = n;
    if (n <= 8) memcpy(p->arg_reg, regs, n * sizeof(Term));
    else {
        p->arg_big = malloc(n * sizeof(Term));
        memcpy(p->arg_big, regs, n * sizeof(Term));
    }
    Export *e = export_put(m, f, n);
    p->i = export_address(e);
    *p->stop = (Term)(uintptr_t)emu_normal_exit();
    atomic_store(&p->state, PS_RUNNABLE);
    atomic_fetch_add(&vm.process_count, 1);
    pthread_mutex_unlock(&p->main_lock);
    return p;
}

void process_start(Scheduler *sd, Process *p)
{
    atomic_store(&p->sched, sd);
    sched_enqueue(sd, p);
}

Process *process_spawn(Scheduler *sd, Process *parent, Term m, Term f, Term args)
{
    Process *p = process_create(parent, m, f, args, NULL);
    if (p) process_start(sd, p);
    return p;
}

/* --- links and exit signals ------------------------------------------------- */

void link_list_add(Term **items, size_t *n, size_t *cap, Term id)
{
    for (size_t i = 0; i < *n; i++)
        if ((*items)[i] == id) return;
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        *items = realloc(*items, *cap * sizeof **items);
        if (!*items) abort();
    }
    (*items)[(*n)++] = id;
}

void link_list_remove(Term *items, size_t *n, Term id)
{
    for (size_t i = 0; i < *n; i++) {
        if (items[i] == id) {
            memmove(items + i, items + i + 1, (*n - i - 1) * sizeof *items);
            (*n)--;
            return;
        }
    }
}

static void links_add(Process *p, Term id) { link_list_add(&p->links, &p->nlinks, &p->caplinks, id); }
static void links_remove(Process *p, Term id) { link_list_remove(p->links, &p->nlinks, id); }

bool process_link(Process *a, Term b_pid)
{
    Process *b = process_lookup(b_pid);
    if (!b) return false;
    pthread_mutex_lock(&a->inbox_lock);
    links_add(a, b_pid);
    pthread_mutex_unlock(&a->inbox_lock);
    if (b != a) {
        pthread_mutex_lock(&b->inbox_lock);
        links_add(b, a->pid);
        pthread_mutex_unlock(&b->inbox_lock);
    }
    return true;
}

void process_unlink(Process *a, Term b_pid)
{
    pthread_mutex_lock(&a->inbox_lock);
    links_remove(a, b_pid);
    pthread_mutex_unlock(&a->inbox_lock);
    Process *b = process_lookup(b_pid);
    if (b && b != a) {
        pthread_mutex_lock(&b->inbox_lock);
        links_remove(b, a->pid);
        pthread_mutex_unlock(&b->inbox_lock);
    }
}

void process_add_link(Process *p, Term id)
{
    pthread_mutex_lock(&p->inbox_lock);
    if (atomic_load(&p->state) != PS_EXITED) links_add(p, id);
    pthread_mutex_unlock(&p->inbox_lock);
}

void process_remove_link(Process *p, Term id)
{
    pthread_mutex_lock(&p->inbox_lock);
    links_remove(p, id);
    pthread_mutex_unlock(&p->inbox_lock);
}

void process_send_exit(Process *p, Term from, Term reason, bool link)
{
    send_exit_signal(p, from, reason, link);
}

bool process_try_inspect(Process *self, Process *q)
{
    if (q == self) return true;
    if (pthread_mutex_trylock(&q->main_lock) != 0) return false;
    return true;
}

void process_end_inspect(Process *q) { pthread_mutex_unlock(&q->main_lock); }

/* --- the registry ----------------------------------------------------------- */

/* The registry entry named `name`, or NULL; under table.lock. */
static reg_entry *names_find(Term name)
{
    for (size_t i = 0; i < table.nnames; i++)
        if (table.names[i].name == name) return &table.names[i];
    return NULL;
}

/* Appends e; under table.lock. */
static void names_push(reg_entry e)
{
    if (table.nnames == table.capnames) {
        table.capnames = table.capnames ? table.capnames * 2 : 64;
        table.names = realloc(table.names, table.capnames * sizeof *table.names);
        if (!table.names) abort();
    }
    table.names[table.nnames++] = e;
}

Process *process_whereis(Term name)
{
    pthread_mutex_lock(&table.lock);
    reg_entry *e = names_find(name);
    Process *p = e ? e->p : NULL;
    pthread_mutex_unlock(&table.lock);
    return p;
}

bool process_register(Term name, Process *p)
{
    pthread_mutex_lock(&table.lock);
    bool ok = p->registered_name == NIL && !names_find(name);
    if (ok) {
        names_push((reg_entry){ name, p, NIL });
        p->registered_name = name;
    }
    pthread_mutex_unlock(&table.lock);
    return ok;
}

bool process_unregister(Term name)
{
    pthread_mutex_lock(&table.lock);
    reg_entry *e = names_find(name);
    if (e) {
        if (e->p) e->p->registered_name = NIL;
        *e = table.names[--table.nnames];
    }
    pthread_mutex_unlock(&table.lock);
    return e != NULL;
}

/* --- registered ports (port.c keeps them consistent with the port's life) */

bool registry_add_port(Term name, Term port)
{
    pthread_mutex_lock(&table.lock);
    bool ok = !names_find(name);
    for (size_t i = 0; ok && i < table.nnames; i++)
        if (table.names[i].port == port) ok = false;
    if (ok) names_push((reg_entry){ name, NULL, port });
    pthread_mutex_unlock(&table.lock);
    return ok;
}

Term registry_port(Term name)
{
    pthread_mutex_lock(&table.lock);
    reg_entry *e = names_find(name);
    Term port = e ? e->port : NIL;
    pthread_mutex_unlock(&table.lock);
    return port;
}

Term registry_port_name(Term port)
{
    Term name = NIL;
    pthread_mutex_lock(&table.lock);
    for (size_t i = 0; i < table.nnames; i++)
        if (table.names[i].port == port) name = table.names[i].name;
    pthread_mutex_unlock(&table.lock);
    return name;
}

void registry_drop_port(Term port)
{
    pthread_mutex_lock(&table.lock);
    for (size_t i = 0; i < table.nnames; i++) {
        if (table.names[i].port == port) {
            table.names[i] = table.names[--table.nnames];
            break;
        }
    }
    pthread_mutex_unlock(&table.lock);
}

size_t process_all_pids(Term *pids, size_t max)
{
    size_t n = 0;
    pthread_mutex_lock(&table.lock);
    for (uint32_t i = 0; i <= table.slot_mask && n < max; i++) {
        Process *p = atomic_load_explicit(&table.slots[i], memory_order_relaxed);
        if (p) pids[n++] = p->pid;
    }
    pthread_mutex_unlock(&table.lock);
    return n;
}

size_t process_registered_names(Term *names, size_t max)
{
    pthread_mutex_lock(&table.lock);
    size_t n = table.nnames < max ? table.nnames : max;
    for (size_t i = 0; i < n; i++) names[i] = table.names[i].name;
    pthread_mutex_unlock(&table.lock);
    return n;
}

/* --- aliases: references that name a process as a send target -------------
 * Owned by the table lock; an alias dies when its owner deactivates it or
 * exits. A message sent to a dead alias is dropped, as in OTP. */

typedef struct alias_entry {
    uint64_t ref;
    Term pid;
} alias_entry;

static struct {
    alias_entry *items;
    size_t n, cap;
} aliases;

void alias_add(uint64_t ref, Term pid)
{
    pthread_mutex_lock(&table.lock);
    if (aliases.n == aliases.cap) {
        aliases.cap = aliases.cap ? aliases.cap * 2 : 64;
        aliases.items = realloc(aliases.items, aliases.cap * sizeof *aliases.items);
        if (!aliases.items) abort();
    }
    aliases.items[aliases.n++] = (alias_entry){ ref, pid };
    pthread_mutex_unlock(&table.lock);
}

bool alias_remove(uint64_t ref, Term owner)
{
    bool found = false;
    pthread_mutex_lock(&table.lock);
    for (size_t i = 0; i < aliases.n; i++) {
        if (aliases.items[i].ref == ref && aliases.items[i].pid == owner) {
            aliases.items[i] = aliases.items[--aliases.n];
            found = true;
            break;
        }
    }
    pthread_mutex_unlock(&table.lock);
    return found;
}

Term alias_owner(uint64_t ref)
{
    Term pid = NIL;
    pthread_mutex_lock(&table.lock);
    for (size_t i = 0; i < aliases.n; i++)
        if (aliases.items[i].ref == ref) pid = aliases.items[i].pid;
    pthread_mutex_unlock(&table.lock);
    return pid;
}

static void aliases_drop_owner(Term pid)
{
    pthread_mutex_lock(&table.lock);
    for (size_t i = 0; i < aliases.n;) {
        if (aliases.items[i].pid == pid) aliases.items[i] = aliases.items[--aliases.n];
        else i++;
    }
    pthread_mutex_unlock(&table.lock);
}

/* --- exiting ------------------------------------------------------------------ */

static void process_free(void *obj)
{
    Process *p = obj;
    message_free_all(p->inbox);
    pthread_mutex_destroy(&p->inbox_lock);
    pthread_mutex_destroy(&p->main_lock);
    free(p);
}

void process_exit(Scheduler *sd, Process *p, Term reason)
{
    prof_sched *ps = sched_prof(sd);
    if (__builtin_expect(ps != NULL, 0)) prof_slice_end(ps, p, PROF_END_EXIT);
    if (__builtin_expect(trace_flags_of(p) != 0, 0)) trace_exit(p, reason);
    /* Without init nothing can run or halt the VM: halt, as OTP does when
     * init dies ("Kernel pid terminated"). init halts the VM itself when
     * it ends normally, so this is an error. */
    if (p->pid == vm.init_pid && !atomic_load(&vm.halting)) {
        strbuf sb = STRBUF_INIT;
        term_print(&sb, reason);
        fprintf(stderr, "cbeam: the init process exited: %s\n", sb_str(&sb));
        sb_free(&sb);
        vm_halt(1);
    }
    if (p->timeout_at) receive_timeout_clear(p);
    Term name = p->registered_name;
    if (name != NIL) process_unregister(name);
    ets_on_owner_exit(p);   /* before any exit signal or 'DOWN' can be seen */
    prim_file_on_owner_exit(p);   /* its open files, as OTP's monitor does */
    pthread_mutex_lock(&p->inbox_lock);
    atomic_store(&p->state, PS_EXITED);
    Term *links = p->links;
    size_t nlinks = p->nlinks;
    p->links = NULL;
    p->nlinks = 0;
    pthread_mutex_unlock(&p->inbox_lock);
    for (size_t i = 0; i < nlinks; i++) {
        if (term_is_port(links[i])) {
            port_linked_exit(links[i], p->pid, reason);
            continue;
        }
        Process *q = process_lookup(links[i]);
        if (!q) continue;
        pthread_mutex_lock(&q->inbox_lock);
        links_remove(q, p->pid);
        pthread_mutex_unlock(&q->inbox_lock);
        process_send_exit(q, p->pid, reason, true);
    }
    free(links);
    monitors_on_exit(p, reason);
    aliases_drop_owner(p->pid);
    table_remove(p);
    message_free_all(p->msgq);
    p->msgq = NULL;
    free(p->heap_msgs);
    p->heap_msgs = NULL;
    p->nheap_msgs = p->capheap_msgs = 0;
    free(p->markers);
    free(p->node_monitors);
    p->markers = NULL;
    heap_destroy(p);
    free(p->arg_big);
    p->arg_big = NULL;
    atomic_fetch_sub(&vm.process_count, 1);
    /* Senders may still hold p (they find it PS_EXITED and drop what they
     * send; the inbox is freed with p). */
    pthread_mutex_unlock(&p->main_lock);
    reclaim_defer(process_free, p);
}
