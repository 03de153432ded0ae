/* Puts the calls of a merged trace back into completion order.
 *
 * pt_merge hands out records in t_start order; the bytes of a pipe are
 * numbered in the order the calls completed (t_end).  A record whose t_end
 * is at or before the t_start of the record the merge hands out now can no
 * longer be overtaken: every later record starts, and so ends, no earlier.
 * The buffer therefore holds only calls in flight at the current time. */
#ifndef PIPETRACE_ANALYSIS_FLOWS_ORDER_H
#define PIPETRACE_ANALYSIS_FLOWS_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "trace/merge.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A held call: its keys and where its record is (the file may be unmapped
 * while the call is held). */
struct flows_held {
    uint64_t t_end, t_start, offset;
    uint32_t file_index;
    int side; /* which of the record's sides (pt_event_sides) */
};

struct flows_order {
    struct flows_held *heap; /* min-heap on (t_end, t_start, file_index, offset) */
    size_t len, cap;
};

void flows_order_init(struct flows_order *o);
void flows_order_free(struct flows_order *o);

/* Holds one side of m (pt_event_sides: a splice is two) until it is safe
 * to release. */
void flows_order_push(struct flows_order *o, const struct pt_merged *m, int side);

/* The earliest-ending held record if it ended at or before `now` (pass
 * UINT64_MAX at the end of the trace to drain); 0 if there is none. */
int flows_order_pop(struct flows_order *o, uint64_t now, struct flows_held *out);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_ANALYSIS_FLOWS_ORDER_H */
