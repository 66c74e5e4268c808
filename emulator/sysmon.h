/*
 * sysmon.h — erlang:system_monitor/2: one monitor process for the whole
 * VM, told about collections that take long (long_gc), slices that run
 * long (long_schedule), heaps that grow large (large_heap) and processes
 * that wait on a busy port (busy_port).
 *
 * The settings are written under sysmon.c's mutex by the BIF and read
 * with relaxed atomic loads by the schedulers: when `sysmon_active` is
 * false every hook is one predictable branch. A reader may see a setting
 * change half-way (one message more or less at that moment), never a
 * torn value. The messages are built on the C stack and copied by
 * send_message, so a hook allocates only the message it sends.
 */
#ifndef CB_SYSMON_H
#define CB_SYSMON_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "process.h"

/* What system_monitor/2 sets; pid NIL: off. */
typedef struct sysmon_settings {
    Term pid;
    uint32_t long_gc_ms, long_schedule_ms;  /* 0: not watched */
    UWord large_heap_words;                 /* 0: not watched */
    bool busy_port, busy_dist_port;
} sysmon_settings;

extern _Atomic bool sysmon_active;

void sysmon_get(sysmon_settings *out);
void sysmon_set(const sysmon_settings *s);

static inline bool sysmon_on(void) { return atomic_load_explicit(&sysmon_active, memory_order_relaxed); }

/* Nanoseconds on CLOCK_MONOTONIC, for timing a collection or a slice. */
uint64_t sysmon_clock_ns(void);

/* After p's collection (which took `ns`): long_gc and large_heap. */
void sysmon_after_gc(Process *p, uint64_t ns);
/* After p's slice from `in` to `out` (its resume points) took `ns`. */
void sysmon_after_slice(Process *p, uint64_t ns, const BeamInstr *in, const BeamInstr *out);
/* p waits because `port` is busy. */
void sysmon_busy_port(Process *p, Term port);

#endif
