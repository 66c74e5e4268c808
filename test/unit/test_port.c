/*
 * The port layer without the IO thread: the port table (numbers, lookups,
 * OTP's port_info id), links on both sides, closing, output framing and
 * iolist flattening; and port terms in printing, order and hashing
 * (values captured from OTP 25).
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "atom.h"
#include "hash.h"
#include "port.h"
#include "scheduler.h"
#include "strbuf.h"
#include "term_build.h"
#include "term_order.h"
#include "term_print.h"

static void setup(void)
{
    atom_init(0);
    process_table_init(PROCESS_LIMIT_MIN);   /* closing looks linked pids up */
}
TestSuite(port, .init = setup);

/* An owner that is only what port.c touches: a pid, links, the lock. */
static Process *fake_owner(void)
{
    Process *p = calloc(1, sizeof *p);
    cr_assert(p);
    pthread_mutex_init(&p->inbox_lock, NULL);
    p->pid = ((Term)0x7FFFFu << 4) | TAG_IMMED1_PID;   /* in no table */
    return p;
}

static void free_owner(Process *p)
{
    free(p->links);
    pthread_mutex_destroy(&p->inbox_lock);
    free(p);
}

static Port *open_one(Process *owner, uint8_t packet)
{
    port_params params = { PORT_SPAWN, PORT_F_IN | PORT_F_OUT, packet, 0, -1, -1, 16, 8 };
    char *name = malloc(4);
    cr_assert(name);
    memcpy(name, "cat", 4);
    Port *p = port_create(owner, name, &params);
    cr_assert(p);
    return p;
}

static bool has_link(Process *p, Term id)
{
    for (size_t i = 0; i < p->nlinks; i++)
        if (p->links[i] == id) return true;
    return false;
}

static Term port_term(uint32_t n) { return ((Term)n << TAG_IMMED1_SIZE) | TAG_IMMED1_PORT; }

Test(port, index_is_otps)
{
    /* port_info(P, id) for #Port<0.0>, <0.3>, <0.4>, <0.10> in OTP 25. */
    cr_assert_eq(port_index(port_term(0)), 0);
    cr_assert_eq(port_index(port_term(3)), 24);
    cr_assert_eq(port_index(port_term(4)), 32);
    cr_assert_eq(port_index(port_term(10)), 80);
    /* 8 ids per cache line, wrapping onto the next column. */
    cr_assert_eq(port_index(port_term(8191)), 65528);
    cr_assert_eq(port_index(port_term(8192)), 1);
}

Test(port, table_create_lookup_close)
{
    Process *owner = fake_owner();
    size_t before = port_count();
    Port *a = open_one(owner, 0), *b = open_one(owner, 0);
    cr_assert(term_is_port(a->id) && term_is_port(b->id));
    cr_assert_eq(b->id >> 4, (a->id >> 4) + 1, "numbers count up");
    cr_assert_eq(port_count(), before + 2);
    cr_assert(has_link(owner, a->id) && has_link(owner, b->id));
    cr_assert_eq(a->nlinks, 1);
    cr_assert_eq(a->links[0], owner->pid);

    Port *found = port_lookup(a->id);
    cr_assert_eq(found, a);
    port_put(found);
    cr_assert_null(port_lookup(port_term(0xFFFFFFF)));
    cr_assert_null(port_lookup(owner->pid));

    Term ids[8];
    size_t n = port_all(ids, 8);
    cr_assert_geq(n, 2);
    for (size_t i = 1; i < n; i++) cr_assert_lt(ids[i - 1], ids[i], "sorted");

    cr_assert(port_terminate(a, am_normal));
    cr_assert_not(port_terminate(a, am_normal), "closed once");
    cr_assert_null(port_lookup(a->id));
    cr_assert_eq(a->nlinks, 0, "links go (a live owner loses its side too)");
    cr_assert_not(port_write(a, (const uint8_t *)"x", 1), "no output after close");
    cr_assert_not(port_link(a, owner->pid));
    cr_assert_eq(port_count(), before + 1);
    port_put(a);

    port_discard(b);
    cr_assert_null(port_lookup(b->id));
    cr_assert_eq(b->nlinks, 0);
    port_put(b);
    free_owner(owner);
}

Test(port, output_is_framed_and_counted)
{
    Process *owner = fake_owner();
    Port *p = open_one(owner, 2);
    cr_assert(port_write(p, (const uint8_t *)"hello", 5));
    cr_assert(port_write(p, (const uint8_t *)"", 0));
    port_buf *b = p->outq;
    cr_assert(b && b->len == 7 && b->data[0] == 0 && b->data[1] == 5 && memcmp(b->data + 2, "hello", 5) == 0);
    b = b->next;
    cr_assert(b && b->len == 2 && b->data[0] == 0 && b->data[1] == 0);
    cr_assert_null(b->next);
    cr_assert_eq(p->outq_bytes, 9);
    cr_assert_eq(atomic_load(&p->output), 5, "OTP counts the data, not the header");
    port_terminate(p, am_normal);
    port_put(p);
    free_owner(owner);
}

Test(port, iolists_flatten)
{
    Term mem[64] = { 0 };
    Term *hp = mem;
    /* [[1, [2]], 3 | <<4,5>>] with a heap binary tail */
    Term bin = make_boxed(hp);
    hp[0] = make_header(heap_bin_words(2) - 1, HDR_HEAP_BIN);
    hp[1] = 2;
    memcpy(hp + 2, "\x04\x05", 2);
    hp += heap_bin_words(2);
    Term inner2 = cons(hp, make_small(2), NIL);
    hp += 2;
    Term inner = cons(hp, make_small(1), cons(hp + 2, inner2, NIL));
    hp += 4;
    Term list = cons(hp, inner, cons(hp + 2, make_small(3), bin));
    hp += 4;
    uint8_t *out;
    size_t len;
    cr_assert(port_iolist_bytes(list, &out, &len));
    cr_assert_eq(len, 5);
    cr_assert(memcmp(out, "\x01\x02\x03\x04\x05", 5) == 0);
    free(out);
    cr_assert(port_iolist_bytes(NIL, &out, &len) && len == 0);
    free(out);
    Term bad = cons(hp, make_small(256), NIL);
    cr_assert_not(port_iolist_bytes(bad, &out, &len));
    cr_assert_not(port_iolist_bytes(cons(hp + 2, am_ok, NIL), &out, &len));
    cr_assert_not(port_iolist_bytes(make_small(1), &out, &len));
}

Test(port, terms_print_order_and_hash_as_otp)
{
    Term p7 = port_term(7);
    strbuf sb = STRBUF_INIT;
    term_print(&sb, p7);
    cr_assert_str_eq(sb_str(&sb), "#Port<0.7>");
    sb_free(&sb);
    Term pid = ((Term)5 << 4) | TAG_IMMED1_PID;
    cr_assert_lt(term_compare(p7, pid), 0, "port < pid");
    cr_assert_gt(term_compare(p7, am_ok), 0, "atom < port");
    cr_assert_lt(term_compare(port_term(7), port_term(8)), 0);
    /* erlang:phash2(list_to_port("#Port<0.7>")) in OTP 25 */
    cr_assert_eq(term_hash2(p7) & ((1u << 27) - 1), 101549390u);
}

Test(port, busy_port_suspends_commands)
{
    /* Limits 16/8 (open_one): above 16 queued bytes the port is busy. */
    Process *owner = fake_owner();
    Port *p = open_one(owner, 0);
    uint8_t data[20] = { 0 };
    cr_assert_eq(port_command(p, data, 20, owner->pid, false, 1), PORT_CMD_OK, "not busy before");
    cr_assert(p->busy);
    cr_assert_eq(port_command(p, data, 3, owner->pid, true, 2), PORT_CMD_BUSY, "nosuspend: refused");
    cr_assert_eq(port_command(p, data, 4, owner->pid, false, 3), PORT_CMD_WAIT);
    cr_assert_eq(port_command(p, data, 5, owner->pid, false, 4), PORT_CMD_WAIT, "behind the first waiter");
    cr_assert_eq(atomic_load(&p->output), 20);
    port_output_done(p, 10);
    cr_assert(p->busy, "10 left: above the low mark");
    cr_assert_not_null(p->waiters);
    port_output_done(p, 10);
    cr_assert_not(p->busy);
    cr_assert_null(p->waiters, "both queued once below the low mark");
    cr_assert_eq(p->outq_bytes, 9);
    cr_assert_eq(atomic_load(&p->output), 29);
    /* Busy again, with a waiter, then closed: the waiter is dropped. */
    cr_assert_eq(port_command(p, data, 20, owner->pid, false, 5), PORT_CMD_OK);
    cr_assert_eq(port_command(p, data, 1, owner->pid, false, 6), PORT_CMD_WAIT);
    port_terminate(p, am_normal);
    cr_assert_null(p->waiters);
    cr_assert_eq(port_command(p, data, 1, owner->pid, false, 7), PORT_CMD_CLOSED);
    port_put(p);
    free_owner(owner);
}

Test(port, registered_names_follow_the_port)
{
    Process *owner = fake_owner();
    Port *p = open_one(owner, 0), *q = open_one(owner, 0);
    Term name = make_atom(atom_index(am_ok)), other = am_error;
    cr_assert(port_register(p, name));
    cr_assert_not(port_register(q, name), "the name is taken");
    cr_assert_not(port_register(p, other), "the port has a name");
    cr_assert_eq(registry_port(name), p->id);
    cr_assert_eq(registry_port_name(p->id), name);
    Port *r = port_resolve(name);
    cr_assert_eq(r, p);
    port_put(r);
    port_terminate(p, am_normal);
    cr_assert_eq(registry_port(name), NIL, "the name goes with the port");
    cr_assert_null(port_resolve(name));
    cr_assert_not(port_register(p, other), "a closed port takes no name");
    cr_assert(port_register(q, name), "free again");
    cr_assert(process_unregister(name));
    cr_assert_eq(registry_port_name(q->id), NIL);
    port_terminate(q, am_normal);
    port_put(p);
    port_put(q);
    free_owner(owner);
}
