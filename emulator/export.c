#include "export.h"

#include <pthread.h>
#include <stdlib.h>
#include <xxhash.h>

void (*export_init_hook)(Export *e);

static struct {
    pthread_mutex_t lock;
    Export **slots;
    size_t mask, count;
} table = { .lock = PTHREAD_MUTEX_INITIALIZER };

static size_t hash_mfa(Term m, Term f, uint32_t a)
{
    Term key[3] = { m, f, a };
    return (size_t)XXH3_64bits(key, sizeof key);
}

/* Called with the lock held. */
static Export **probe(Term m, Term f, uint32_t a)
{
    size_t i = hash_mfa(m, f, a) & table.mask;
    for (;;) {
        Export *e = table.slots[i];
        if (!e || (e->module == m && e->function == f && e->arity == a)) return &table.slots[i];
        i = (i + 1) & table.mask;
    }
}

static bool grow(void)
{
    size_t size = table.slots ? (table.mask + 1) * 2 : 4096;
    Export **slots = calloc(size, sizeof *slots);
    if (!slots) return false;
    Export **old = table.slots;
    size_t old_size = old ? table.mask + 1 : 0;
    table.slots = slots;
    table.mask = size - 1;
    for (size_t i = 0; i < old_size; i++)
        if (old[i]) *probe(old[i]->module, old[i]->function, old[i]->arity) = old[i];
    free(old);
    return true;
}

Export *export_put(Term m, Term f, uint32_t a)
{
    pthread_mutex_lock(&table.lock);
    Export *e = NULL;
    if ((table.count + 1) * 2 > (table.slots ? table.mask + 1 : 0) && !grow()) goto out;
    Export **slot = probe(m, f, a);
    if (!*slot) {
        e = calloc(1, sizeof *e);
        if (!e) goto out;
        e->module = m;
        e->function = f;
        e->arity = a;
        if (export_init_hook) export_init_hook(e);
        atomic_store_explicit(&e->address, e->trampoline, memory_order_release);
        *slot = e;
        table.count++;
    }
    e = *slot;
out:
    pthread_mutex_unlock(&table.lock);
    return e;
}

Export *export_get(Term m, Term f, uint32_t a)
{
    pthread_mutex_lock(&table.lock);
    Export *e = table.slots ? *probe(m, f, a) : NULL;
    pthread_mutex_unlock(&table.lock);
    return e;
}
