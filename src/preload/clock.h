/* The time of a record: CLOCK_MONOTONIC in nanoseconds.
 *
 * clock_gettime through the vDSO costs about 21 ns here and every traced
 * call reads the time twice.  On x86-64 the time is instead extended from
 * the TSC (9 ns): each thread keeps an anchor, a (TSC, CLOCK_MONOTONIC)
 * pair read together, and a read less than PT_TSC_SPAN ticks after it is
 * the anchor's time plus the ticks since, at the rate this image measured
 * between two anchors at least a millisecond apart.  Later reads take a new
 * anchor, so the time given never strays from clock_gettime's by more than
 * the rate's error over one span (nanoseconds), NTP's slewing included.
 * Until the rate is known, when the TSC misbehaves, and on other machines,
 * every read is clock_gettime (clock.c).
 *
 * Signal-safe: a handler that reads the time while its thread was taking an
 * anchor sees the generation odd, or changed, and reads clock_gettime. */
#ifndef PIPETRACE_PRELOAD_CLOCK_H
#define PIPETRACE_PRELOAD_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t pt_clock_gettime_ns(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t pt_now_real_ns(void) {
    return pt_clock_gettime_ns(CLOCK_REALTIME);
}

#if defined(__x86_64__)

/* About 50 µs at 2.6 GHz: long enough that a thread making calls takes a
 * new anchor once in tens of calls, short enough that the rate's error over
 * it stays far below the microseconds between a write and the read it
 * wakes in another process. */
#define PT_TSC_SPAN (1u << 17)

struct pt_clock_anchor {
    uint64_t tsc;  /* when the anchor was taken */
    uint64_t ns;   /* CLOCK_MONOTONIC then */
    uint64_t last; /* the latest time given to this thread: never less */
    uint32_t gen;  /* odd while the anchor is being replaced */
};

extern __thread struct pt_clock_anchor pt_tls_clock __attribute__((tls_model("initial-exec")));

/* Nanoseconds per TSC tick in 32.32 fixed point; 0 while not known, and
 * for good once the TSC is found unfit (clock.c). */
extern uint64_t pt_tsc_ns_per_tick;

uint64_t pt_clock_slow(uint64_t tsc);

static inline uint64_t pt_rdtsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static inline uint64_t pt_now_ns(void) {
    struct pt_clock_anchor *a = &pt_tls_clock;
    uint64_t rate = __atomic_load_n(&pt_tsc_ns_per_tick, __ATOMIC_RELAXED);
    uint32_t gen = a->gen;
    __atomic_signal_fence(__ATOMIC_ACQUIRE);
    uint64_t tsc = pt_rdtsc();
    uint64_t since = tsc - a->tsc; /* a TSC behind the anchor: huge */
    uint64_t ns = a->ns + ((since * rate) >> 32);
    uint64_t last = a->last;
    __atomic_signal_fence(__ATOMIC_ACQUIRE);
    if (__builtin_expect(rate == 0 || since >= PT_TSC_SPAN || (gen & 1) || a->gen != gen, 0))
        return pt_clock_slow(tsc);
    if (ns < last)
        ns = last;
    a->last = ns;
    return ns;
}

#else

static inline uint64_t pt_now_ns(void) {
    return pt_clock_gettime_ns(CLOCK_MONOTONIC);
}

#endif

/* Start of an image (its first anchor and the rate's first end), or of a
 * fork child (the parent's rate stays good); see clock.c. */
void pt_clock_begin_image(int fork_child);

/* Every read through clock_gettime from now on (tests that hook it). */
void pt_clock_use_gettime(void);

#endif /* PIPETRACE_PRELOAD_CLOCK_H */
