/*
 * atom.c — the global atom table (see atom.h for the concurrency contract).
 *
 * Entries live in segments of ATOM_SEGMENT_SIZE that are allocated once and
 * never move; a reader that holds an atom index obtained from a published
 * term may read its entry without a lock. The hash index (open addressing on
 * xxh3 of the text) is protected by `lock`.
 */
#include "atom.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <xxhash.h>

#include "utf8.h"

#define ATOM_SEGMENT_BITS 12
#define ATOM_SEGMENT_SIZE (1u << ATOM_SEGMENT_BITS)
#define ATOM_MAX_SEGMENTS ((1u << 27) / ATOM_SEGMENT_SIZE)

typedef struct atom_entry {
    uint32_t len;
    uint32_t hash;
    const char *text;
} atom_entry;

static struct {
    pthread_mutex_t lock;
    uint32_t limit;
    _Atomic uint32_t count;
    atom_entry *_Atomic segments[ATOM_MAX_SEGMENTS];
    uint32_t *slots;     /* hash index: atom index + 1, 0 = empty */
    uint32_t slot_mask;
} table = { .lock = PTHREAD_MUTEX_INITIALIZER };

static const char *const predefined[AM__COUNT] = {
#define ATOM(id, text) text,
#include "atoms.tab"
#undef ATOM
};

static atom_entry *entry_at(uint32_t index)
{
    atom_entry *seg = atomic_load_explicit(&table.segments[index >> ATOM_SEGMENT_BITS],
                                           memory_order_acquire);
    return &seg[index & (ATOM_SEGMENT_SIZE - 1)];
}

static void out_of_memory(void)
{
    fputs("cbeam: out of memory in the atom table\n", stderr);
    abort();
}

_Noreturn void atom_table_full_exit(void)
{
    fprintf(stderr, "no more index entries in atom_tab (max=%u)\n", table.limit);
    fflush(stderr);
    _exit(1);
}

static void grow_index(void)
{
    uint32_t new_size = (table.slot_mask + 1) * 2;
    uint32_t *slots = calloc(new_size, sizeof *slots);
    if (!slots) out_of_memory();
    uint32_t n = atomic_load_explicit(&table.count, memory_order_relaxed);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t s = entry_at(i)->hash & (new_size - 1);
        while (slots[s]) s = (s + 1) & (new_size - 1);
        slots[s] = i + 1;
    }
    free(table.slots);
    table.slots = slots;
    table.slot_mask = new_size - 1;
}

/* Called with the lock held. Returns the slot holding the atom, or the
 * empty slot where it belongs. */
static uint32_t *probe(const char *text, size_t len, uint32_t hash)
{
    uint32_t s = hash & table.slot_mask;
    for (;;) {
        uint32_t *slot = &table.slots[s];
        if (*slot == 0) return slot;
        atom_entry *e = entry_at(*slot - 1);
        if (e->hash == hash && e->len == len && memcmp(e->text, text, len) == 0) return slot;
        s = (s + 1) & table.slot_mask;
    }
}

static uint32_t hash_text(const char *text, size_t len) { return (uint32_t)XXH3_64bits(text, len); }

void atom_init(uint32_t limit)
{
    table.limit = limit ? limit : ATOM_DEFAULT_LIMIT;
    if (table.limit > ATOM_MAX_SEGMENTS * ATOM_SEGMENT_SIZE) table.limit = ATOM_MAX_SEGMENTS * ATOM_SEGMENT_SIZE;
    table.slot_mask = 8191;
    table.slots = calloc(table.slot_mask + 1, sizeof *table.slots);
    if (!table.slots) out_of_memory();
    for (int i = 0; i < AM__COUNT; i++) {
        Term t;
        if (atom_put(predefined[i], strlen(predefined[i]), &t) != ATOM_OK || atom_index(t) != (uint32_t)i) {
            fputs("cbeam: predefined atoms are inconsistent\n", stderr);
            abort();
        }
    }
}

atom_status atom_put(const char *text, size_t len, Term *out)
{
    size_t chars;
    if (!utf8_count(text, len, &chars)) return ATOM_BAD_UTF8;
    if (chars > ATOM_MAX_CHARS) return ATOM_TOO_LONG;
    uint32_t hash = hash_text(text, len);
    pthread_mutex_lock(&table.lock);
    uint32_t *slot = probe(text, len, hash);
    if (*slot) {
        *out = make_atom(*slot - 1);
        pthread_mutex_unlock(&table.lock);
        return ATOM_OK;
    }
    uint32_t index = atomic_load_explicit(&table.count, memory_order_relaxed);
    if (index >= table.limit) {
        pthread_mutex_unlock(&table.lock);
        return ATOM_TABLE_FULL;
    }
    uint32_t seg = index >> ATOM_SEGMENT_BITS;
    atom_entry *segment = atomic_load_explicit(&table.segments[seg], memory_order_relaxed);
    if (!segment) {
        segment = calloc(ATOM_SEGMENT_SIZE, sizeof *segment);
        if (!segment) out_of_memory();
        atomic_store_explicit(&table.segments[seg], segment, memory_order_release);
    }
    char *copy = malloc(len + 1);
    if (!copy) out_of_memory();
    memcpy(copy, text, len);
    copy[len] = '\0';
    segment[index & (ATOM_SEGMENT_SIZE - 1)] = (atom_entry){ (uint32_t)len, hash, copy };
    *slot = index + 1;
    atomic_store_explicit(&table.count, index + 1, memory_order_release);
    if ((index + 1) * 2 > table.slot_mask) grow_index();
    pthread_mutex_unlock(&table.lock);
    *out = make_atom(index);
    return ATOM_OK;
}

atom_status atom_put_latin1(const char *text, size_t len, Term *out)
{
    if (len > ATOM_MAX_CHARS) return ATOM_TOO_LONG;
    char buf[2 * ATOM_MAX_CHARS];
    size_t n = 0;
    for (size_t i = 0; i < len; i++) n += utf8_encode((unsigned char)text[i], buf + n);
    return atom_put(buf, n, out);
}

bool atom_lookup(const char *text, size_t len, Term *out)
{
    uint32_t hash = hash_text(text, len);
    pthread_mutex_lock(&table.lock);
    uint32_t *slot = probe(text, len, hash);
    bool found = *slot != 0;
    if (found) *out = make_atom(*slot - 1);
    pthread_mutex_unlock(&table.lock);
    return found;
}

const char *atom_text(Term atom) { return entry_at(atom_index(atom))->text; }
size_t atom_len(Term atom) { return entry_at(atom_index(atom))->len; }
uint32_t atom_count(void) { return atomic_load_explicit(&table.count, memory_order_acquire); }
uint32_t atom_limit(void) { return table.limit; }
