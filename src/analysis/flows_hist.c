/* Log-linear latency buckets. */
#include "flows_hist.h"

/* Values below 2 * SUB have a bucket each; above, a power of two 2^e is
 * split into SUB buckets. */
static unsigned bucket_of(uint64_t v) {
    if (v < 2 * FLOWS_HIST_SUB)
        return (unsigned)v;
    unsigned e = 63 - (unsigned)__builtin_clzll(v); /* 2^e <= v, e >= 5 */
    unsigned sub = (unsigned)(v >> (e - 4)) & (FLOWS_HIST_SUB - 1);
    return 2 * FLOWS_HIST_SUB + (e - 5) * FLOWS_HIST_SUB + sub;
}

static uint64_t bucket_low(unsigned b) {
    if (b < 2 * FLOWS_HIST_SUB)
        return b;
    unsigned e = (b - 2 * FLOWS_HIST_SUB) / FLOWS_HIST_SUB + 5;
    uint64_t sub = (b - 2 * FLOWS_HIST_SUB) % FLOWS_HIST_SUB;
    return (1ull << e) + (sub << (e - 4));
}

static uint64_t bucket_width(unsigned b) {
    if (b < 2 * FLOWS_HIST_SUB)
        return 1;
    unsigned e = (b - 2 * FLOWS_HIST_SUB) / FLOWS_HIST_SUB + 5;
    return 1ull << (e - 4);
}

void flows_hist_add(struct flows_hist *h, uint64_t v) {
    if (h->count == 0)
        h->first = h->min = v;
    if (v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
    h->count++;
    uint32_t *b = &h->bucket[bucket_of(v)];
    if (*b < UINT32_MAX)
        (*b)++;
}

uint64_t flows_hist_median(const struct flows_hist *h) {
    if (h->count == 0)
        return 0;
    uint64_t want = (h->count + 1) / 2, seen = 0;
    for (unsigned b = 0; b < FLOWS_HIST_BUCKETS; b++) {
        seen += h->bucket[b];
        if (seen >= want) {
            uint64_t mid = bucket_low(b) + bucket_width(b) / 2;
            return mid > h->max ? h->max : mid < h->min ? h->min : mid;
        }
    }
    return h->max;
}
