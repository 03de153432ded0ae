/* A fixed-size histogram of nanosecond latencies for medians in bounded
 * memory: exact below 32 ns, then 16 buckets per power of two (a median
 * within about 3% of the true one). */
#ifndef PIPETRACE_ANALYSIS_FLOWS_HIST_H
#define PIPETRACE_ANALYSIS_FLOWS_HIST_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FLOWS_HIST_SUB 16
#define FLOWS_HIST_BUCKETS (2 * FLOWS_HIST_SUB + 59 * FLOWS_HIST_SUB)

struct flows_hist {
    uint64_t count;
    uint64_t first; /* the first value added */
    uint64_t min, max;
    uint32_t bucket[FLOWS_HIST_BUCKETS];
};

void flows_hist_add(struct flows_hist *h, uint64_t v);

/* The middle value (the lower median), as the midpoint of its bucket but
 * never outside the values seen (so one value is its own median); 0 when
 * empty. */
uint64_t flows_hist_median(const struct flows_hist *h);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_ANALYSIS_FLOWS_HIST_H */
