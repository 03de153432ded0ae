/* A FIFO of calls whose bytes are not matched yet (one per pipe side). */
#ifndef PIPETRACE_ANALYSIS_FLOWS_QUEUE_H
#define PIPETRACE_ANALYSIS_FLOWS_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "pipetrace/format.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "No traced process": the file index of an end nobody traced. */
#define FLOWS_NO_FILE SIZE_MAX

/* One call's share of a pipe's byte stream.  What the matching needs of
 * the record is copied: a call may wait for its match long after its file
 * was last read (and unmapped); the capture is found again by offset. */
struct flows_call {
    size_t file;         /* index into the trace's files */
    uint64_t rec_offset; /* of the call's record in its file */
    uint64_t seq;        /* 1, 2, ... in the order the calls were numbered */
    uint64_t t_start, t_end;
    int32_t tid;
    uint32_t data_len;   /* bytes captured: the payload, from `start` on */
    uint64_t start, end; /* [start, end): the call's bytes in the stream */
    uint64_t pos;        /* matched up to here */
    int inferred;        /* a write that never returned, counted as done
                            because a reader got its bytes (t_end unknown) */
};

struct flows_queue {
    struct flows_call *items; /* a ring */
    size_t head, len, cap;
};

void flows_queue_free(struct flows_queue *q);

void flows_queue_push(struct flows_queue *q, const struct flows_call *c);

/* The oldest call, or NULL when empty. */
struct flows_call *flows_queue_front(struct flows_queue *q);

void flows_queue_pop(struct flows_queue *q);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_ANALYSIS_FLOWS_QUEUE_H */
