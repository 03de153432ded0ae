/* The slow half of pt_now_ns (clock.h): a time read with clock_gettime,
 * which also takes the thread's next anchor, measures the TSC's rate, and
 * watches for a TSC that cannot be trusted. */
#include "clock.h"

#if defined(__x86_64__)

__thread struct pt_clock_anchor pt_tls_clock __attribute__((tls_model("initial-exec")));
uint64_t pt_tsc_ns_per_tick;

/* The TSC read on either side of clock_gettime at most this far apart
 * (about 0.2 µs; the pair takes 40 ns when nothing intervenes): a pair
 * split by an interrupt or a preemption would put an anchor off by as
 * much, so it only gives the time. */
#define PAIR_TICKS_MAX 512u

/* The rate is first measured over a millisecond (a pair's 0.2 µs makes
 * that 2e-4 at worst: 10 ns over a span), then again each time the image
 * has lived twice as long, as precisely as its age allows. */
#define RATE_SPAN_FIRST_NS 1000000u

/* A TSC that runs backwards by more than this from one read to the next,
 * or an anchor that predicts clock_gettime this badly a few spans later:
 * CPUs whose TSCs are not in step, or a TSC that jumped (a migrated VM).
 * Then every read is clock_gettime. */
#define BACK_TICKS_MAX (1u << 14)
#define MISS_NS_MAX 5000u

/* Nanoseconds per tick between 0.1 (a 10 GHz TSC) and 10 (100 MHz), in
 * 32.32 fixed point. */
#define RATE_MIN ((1ull << 32) / 10)
#define RATE_MAX ((1ull << 32) * 10)

static int tsc_unfit;
static uint64_t base_tsc, base_ns; /* this image's first pair */
static uint64_t rate_span_ns;      /* what the rate was measured over */

/* The middle of a TSC pair read around clock_gettime, or 0 when the pair
 * was split (see PAIR_TICKS_MAX). */
static uint64_t pair_middle(uint64_t before, uint64_t after) {
    if (after < before || after - before > PAIR_TICKS_MAX)
        return 0;
    return before + (after - before) / 2;
}

static void give_up_tsc(void) {
    __atomic_store_n(&tsc_unfit, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&pt_tsc_ns_per_tick, 0, __ATOMIC_RELAXED);
}

/* The pair (tsc, ns) against the rate: learn it, refine it, or find the
 * TSC unfit. */
static void learn_rate(uint64_t tsc, uint64_t ns) {
    if (!base_tsc || tsc <= base_tsc || ns <= base_ns)
        return;
    uint64_t span_ns = ns - base_ns;
    uint64_t known = __atomic_load_n(&rate_span_ns, __ATOMIC_RELAXED);
    if (span_ns < RATE_SPAN_FIRST_NS || span_ns < 2 * known)
        return;
    uint64_t ticks = tsc - base_tsc;
    uint64_t ns_part = span_ns;
    while (ns_part >= (1ull << 31)) { /* ns_part << 32 must fit */
        ns_part >>= 1;
        ticks >>= 1;
    }
    uint64_t rate = ticks ? (ns_part << 32) / ticks : 0;
    if (rate < RATE_MIN || rate > RATE_MAX) {
        give_up_tsc();
        return;
    }
    __atomic_store_n(&rate_span_ns, span_ns, __ATOMIC_RELAXED);
    __atomic_store_n(&pt_tsc_ns_per_tick, rate, __ATOMIC_RELAXED);
}

/* The thread's anchor, a few spans old at most, against the new pair. */
static int anchor_mispredicts(const struct pt_clock_anchor *a, uint64_t tsc, uint64_t ns) {
    uint64_t rate = __atomic_load_n(&pt_tsc_ns_per_tick, __ATOMIC_RELAXED);
    if (!a->tsc || !rate)
        return 0;
    if (tsc < a->tsc)
        return a->tsc - tsc > BACK_TICKS_MAX;
    uint64_t since = tsc - a->tsc;
    if (since >= 4ull * PT_TSC_SPAN)
        return 0; /* long ago: NTP's slewing alone may be microseconds */
    uint64_t predicted = a->ns + ((since * rate) >> 32);
    uint64_t miss = predicted > ns ? predicted - ns : ns - predicted;
    return miss > MISS_NS_MAX;
}

static void take_anchor(struct pt_clock_anchor *a, uint64_t tsc, uint64_t ns) {
    uint32_t gen = a->gen;
    a->gen = gen + 1;
    __atomic_signal_fence(__ATOMIC_RELEASE);
    a->tsc = tsc;
    a->ns = ns;
    __atomic_signal_fence(__ATOMIC_RELEASE);
    a->gen = gen + 2;
}

uint64_t pt_clock_slow(uint64_t tsc) {
    uint64_t ns = pt_clock_gettime_ns(CLOCK_MONOTONIC);
    uint64_t after = pt_rdtsc();
    struct pt_clock_anchor *a = &pt_tls_clock;
    uint64_t mid = pair_middle(tsc, after);
    if (mid && !(a->gen & 1) && !__atomic_load_n(&tsc_unfit, __ATOMIC_RELAXED)) {
        if (anchor_mispredicts(a, mid, ns)) {
            give_up_tsc();
        } else {
            learn_rate(mid, ns);
            take_anchor(a, mid, ns);
        }
    }
    /* Never behind what the thread was given (an anchor's small error),
     * but never held back long by a bad one. */
    if (ns < a->last && a->last - ns < MISS_NS_MAX)
        ns = a->last;
    a->last = ns;
    return ns;
}

void pt_clock_begin_image(int fork_child) {
    if (fork_child)
        return; /* the parent's rate, base and anchors are good here too */
    for (int tries = 0; tries < 3; tries++) {
        uint64_t tsc = pt_rdtsc();
        uint64_t ns = pt_clock_gettime_ns(CLOCK_MONOTONIC);
        uint64_t mid = pair_middle(tsc, pt_rdtsc());
        if (mid) {
            base_tsc = mid;
            base_ns = ns;
            return;
        }
    }
}

void pt_clock_use_gettime(void) {
    give_up_tsc();
}

#else

void pt_clock_begin_image(int fork_child) {
    (void)fork_child;
}

void pt_clock_use_gettime(void) {}

#endif
