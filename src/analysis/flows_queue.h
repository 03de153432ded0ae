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

/* One call's share of a pipe's byte stream. */
struct flows_call {
    size_t file;                 /* index into the trace's files, or FLOWS_NO_FILE */
    const struct pt_record *rec; /* NULL for an end nobody traced */
    const uint8_t *data;         /* the capture: rec->data_len bytes from `start` */
    uint64_t start, end;         /* [start, end): the call's bytes in the stream */
    uint64_t pos;                /* matched up to here */
};

struct flows_queue {
    struct flows_call *items; /* a ring */
    size_t head, len, cap;
};

void flows_queue_free(struct flows_queue *q);

/* 0, or -1 when out of memory. */
int flows_queue_push(struct flows_queue *q, const struct flows_call *c);

/* The oldest call, or NULL when empty. */
struct flows_call *flows_queue_front(struct flows_queue *q);

void flows_queue_pop(struct flows_queue *q);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_ANALYSIS_FLOWS_QUEUE_H */
