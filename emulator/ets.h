/*
 * ets.h — ETS tables: storage, the table registry, ownership.
 *
 * Storage. Every object is a tuple copied (copy_object) into its own
 * malloc'd EtsObj, outside every process heap; refc binaries inside it are
 * kept alive by the object's own OffHeap list and released when the object
 * is freed. Readers copy objects out onto their heap (HAlloc, no GC).
 *  - set, bag, duplicate_bag: a chained hash table keyed by term_hash2 of
 *    the key, keys equal by =:= (term_eq_exact). Objects with one key are
 *    adjacent in their chain, in insertion order. The bucket array doubles
 *    when the table holds more than 2 objects per bucket and halves below
 *    1/4, but never while the table is fixed (safe_fixtable), so a fixed
 *    table's slot order is stable.
 *    Deleting from a fixed table only marks the object dead; dead objects
 *    are purged when the last fixation goes.
 *  - ordered_set: an AVL tree in standard term order (keys equal by ==).
 *
 * Locking. The registry (table id -> table, name -> table, and how many
 * tables or fixations each process holds) is under one mutex, registry
 * lock. Each table has a pthread rwlock: readers (lookup, match, select,
 * info) share it, writers (insert, delete, update) hold it alone. Lock
 * order: a table lock before the registry lock (deleting, renaming and
 * giving away a table update the registry while holding the table's write
 * lock); the registry lock is never held while a table lock is taken.
 * Nothing else is locked while either is held, except HAlloc on the
 * calling process's own heap and process_lookup (the process table's lock,
 * a leaf); messages are sent only after the table lock has been dropped. A table found in the
 * registry is pinned with a reference count (ets_table_get/put), so it
 * outlives a concurrent ets:delete; every operation checks `deleted`
 * after taking the table lock.
 *
 * Ownership. The process that created a table owns it; a table dies with
 * its owner unless it has a heir that is alive, which then owns it and
 * gets {'ETS-TRANSFER', Tab, FromPid, HeirData}. ets_on_owner_exit() is
 * called from process_exit for every exiting process.
 */
#ifndef CB_ETS_H
#define CB_ETS_H

#include <pthread.h>
#include <stdatomic.h>

#include "binary.h"
#include "process.h"
#include "term.h"

typedef enum ets_type { ETS_SET, ETS_ORDERED_SET, ETS_BAG, ETS_DUPLICATE_BAG } ets_type;
typedef enum ets_protection { ETS_PRIVATE, ETS_PROTECTED, ETS_PUBLIC } ets_protection;

/* One stored object: the tuple `obj` lives in mem[]. */
typedef struct EtsObj {
    struct EtsObj *next;            /* hash chain */
    struct EtsObj *left, *right;    /* AVL children */
    int height;                     /* AVL */
    bool dead;                      /* deleted while the table was fixed */
    uint32_t hash;                  /* hash of the key (hash tables) */
    size_t words;                   /* size of mem[] */
    OffHeap off_heap;
    Term obj;
    Term mem[];
} EtsObj;

/* A stored copy of any term (heir data). */
typedef struct EtsTerm {
    OffHeap off_heap;
    Term term;
    Term mem[];
} EtsTerm;

typedef struct ets_fix {
    Term pid;
    uint64_t count;
} ets_fix;

typedef struct EtsTable {
    pthread_rwlock_t lock;
    _Atomic long refc;              /* registry's + pinned users */
    uint64_t id;                    /* the reference number of its id */
    Term name;                      /* atom */
    bool named;                     /* accessible by name */
    ets_type type;
    ets_protection protection;
    unsigned keypos;                /* 1-based */
    bool read_concurrency, write_concurrency, write_concurrency_auto, decentralized_counters, compressed;
    /* The fields below are under `lock`. */
    bool deleted;
    Term owner;                     /* pid */
    Term heir;                      /* pid, or am_none */
    EtsTerm *heir_data;
    size_t count;                   /* live objects */
    size_t words;                   /* words in live and dead objects */
    /* hash tables */
    EtsObj **buckets;
    size_t nbuckets;
    size_t ndead;
    /* ordered_set */
    EtsObj *root;
    /* safe_fixtable and iteration fixes */
    ets_fix *fixes;
    size_t nfixes, capfixes;
    uint64_t fix_wall_us;           /* first fixation: wall clock, us */
    uint64_t fix_mono_ns;           /* and monotonic time (native unit) */
} EtsTable;

/* --- objects --------------------------------------------------------- */
EtsObj *ets_obj_new(Term tuple);
void ets_obj_free(EtsObj *o);
static inline Term ets_obj_key(const EtsTable *t, const EtsObj *o) { return tuple_elements(o->obj)[t->keypos - 1]; }
EtsTerm *ets_term_new(Term t);
void ets_term_free(EtsTerm *t);

/* --- storage: the caller holds the table lock (write lock to modify) --- */
EtsTable *ets_table_alloc(ets_type type, unsigned keypos);
/* Frees every object (the table must be unreachable or deleted). */
void ets_store_clear(EtsTable *t);
/* Inserts o (taking it over) with the type's semantics: a set replaces,
 * a bag ignores an identical object, a duplicate_bag always adds. */
void ets_store_insert(EtsTable *t, EtsObj *o);
bool ets_store_has_key(EtsTable *t, Term key);
/* Calls fn for each live object with that key, in order; stops when fn
 * returns false. */
typedef bool (*ets_visit_fn)(EtsObj *o, void *arg);
void ets_store_lookup(EtsTable *t, Term key, ets_visit_fn fn, void *arg);
/* The first live object with that key (a set has at most one). */
EtsObj *ets_store_get(EtsTable *t, Term key);
/* Deletes every object with the key; returns how many. */
size_t ets_store_delete_key(EtsTable *t, Term key);
/* Deletes the objects exactly equal to tuple. */
size_t ets_store_delete_object(EtsTable *t, Term tuple);
/* Removes one object (found by ets_store_get or iteration). */
void ets_store_remove(EtsTable *t, EtsObj *o);
/* Replaces old with the new object (same key), in place. */
void ets_store_replace(EtsTable *t, EtsObj *old, EtsObj *o);
size_t ets_store_delete_all(EtsTable *t);

/* Traversal by key. Each returns THE_NON_VALUE at the end; next/prev
 * return THE_NON_VALUE with *missing set if a hash table lacks the key. */
Term ets_store_first(EtsTable *t);
Term ets_store_last(EtsTable *t);
Term ets_store_next(EtsTable *t, Term key, bool *missing);
Term ets_store_prev(EtsTable *t, Term key, bool *missing);

/* Traversal by position, for select and its continuations. A position is
 * a bucket index (hash) or the key after/before which to go on
 * (ordered_set; THE_NON_VALUE to start at an end). visit is called for
 * each live object; the walk stops after the bucket (hash) or object
 * (tree) where visit returned false. Returns true when the walk reached
 * the end; *next_bucket / *last_key say where to go on. */
bool ets_store_walk_hash(EtsTable *t, size_t from_bucket, ets_visit_fn visit, void *arg, size_t *next_bucket);
bool ets_store_walk_tree(EtsTable *t, Term after, bool reverse, ets_visit_fn visit, void *arg, EtsObj **last);
/* Every object of bucket i (hash) or the i'th object (ordered_set). */
void ets_store_slot(EtsTable *t, size_t i, ets_visit_fn visit, void *arg);
size_t ets_store_slots(EtsTable *t);
/* The objects are fixed while the table is fixed: no rehash, deletions
 * leave dead objects behind. */
bool ets_table_is_fixed(EtsTable *t);
/* Called with the write lock when the table stops being fixed. */
void ets_store_unfixed(EtsTable *t);

/* --- the registry ------------------------------------------------------ */
/* Registers t (owned by owner) under its id and, if named, its name.
 * False if the name is taken. The registry holds one reference. */
bool ets_register(EtsTable *t, Term owner);
/* Finds a table by id term (an atom or an ets ref) and pins it, or NULL. */
EtsTable *ets_table_get(Term id);
void ets_table_put(EtsTable *t);
/* Takes t out of the registry and frees its objects (t->lock is held
 * for writing by the caller, who then unlocks and puts its reference). */
void ets_table_delete_locked(EtsTable *t);
/* Renames a named table; false if the new name is taken. */
bool ets_rename(EtsTable *t, Term name);
/* The table's id term: its name if named, else a reference (REF words at hp). */
#define ETS_REF_WORDS 2
Term ets_table_id_term(const EtsTable *t, Term *hp);
Term ets_table_ref_term(const EtsTable *t, Term *hp);
/* Ids of every table, newest first; returns how many (fills at most max). */
size_t ets_all_ids(Process *p, Term *out_list);
/* Which tables each process owns or fixes (to make exits cheap). */
void ets_owner_changed(Term from, Term to);
void ets_fix_added(EtsTable *t, Term pid);
void ets_fix_removed(EtsTable *t, Term pid);

/* The process-exit hook: deletes or hands over p's tables, drops its
 * fixations. */
void ets_on_owner_exit(Process *p);
/* Tables that exist (for tests); number of live EtsObj blocks. */
size_t ets_table_count(void);
size_t ets_live_objects(void);

/* --- match specifications (ets_match.c) ------------------------------- */
typedef struct EtsMatchSpec EtsMatchSpec;
/* Compiles a match specification (a term on any heap); NULL if invalid. */
EtsMatchSpec *ms_compile(Term ms);
void ms_free(EtsMatchSpec *ms);
/* Runs ms against t: THE_NON_VALUE if no clause matched, else the
 * result, built on p's heap but possibly sharing parts of t (copy it
 * before the object can go away). A body that raises gives 'EXIT'. */
Term ms_run(EtsMatchSpec *ms, Process *p, Term t);
/* True if every clause's result keeps the key at keypos (select_replace). */
bool ms_keeps_key(const EtsMatchSpec *ms, unsigned keypos);
/* The key, if every clause's head is a tuple whose key element is the
 * same term without variables (then only that key can match). */
bool ms_bound_key(const EtsMatchSpec *ms, unsigned keypos, Term *key);
/* True if the match spec is the plain [{'_', [], ['$_']}] or similar, for
 * which every object matches as itself. */
bool ms_is_all_objects(const EtsMatchSpec *ms);
/* A compiled match spec as a term (a magic binary that frees it when the
 * last reference goes) and back; ms_from_term is NULL for other terms. */
Term ms_to_term(Process *p, EtsMatchSpec *ms);
EtsMatchSpec *ms_from_term(Term t);

/* A new reference number (shared with make_ref, bifs/erlang_misc.c). */
uint64_t ref_next_id(void);

#endif
