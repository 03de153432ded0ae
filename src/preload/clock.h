#ifndef PIPETRACE_PRELOAD_CLOCK_H
#define PIPETRACE_PRELOAD_CLOCK_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC through the vDSO: about 20 ns, no system call. */
static inline uint64_t pt_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t pt_now_real_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif /* PIPETRACE_PRELOAD_CLOCK_H */
