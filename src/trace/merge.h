/* Interleaving the records of many trace files into one time line. */
#ifndef PIPETRACE_TRACE_MERGE_H
#define PIPETRACE_TRACE_MERGE_H

#include <stddef.h>

#include "reader.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A merged event: the record and the file it came from. */
struct pt_merged {
    struct pt_event ev;
    const struct pt_file *file;
    size_t file_index;            /* into the array given to pt_merge_init */
};

/* A k-way merge over sorted runs, with a binary heap keyed by (t_start,
 * pid, file offset, file index).
 *
 * A file's records are in reservation order, which is t_start order except
 * where a signal handler or another thread got in between a call reading
 * the clock and reserving its record.  pt_merge_init therefore splits each
 * file into runs of non-decreasing t_start and merges the runs, so the
 * output is in time order whatever the files hold.  Memory grows with the
 * number of files and of such back-steps, never with the number of events
 * as such: one pending record per run. */
struct pt_merge_entry;             /* a run's pending record (merge.c) */

struct pt_merge {
    struct pt_cursor *runs;       /* one cursor per run */
    size_t *run_file;             /* the file index of each run */
    size_t run_count, run_cap;
    struct pt_merge_entry *heap;  /* the pending record of each live run */
    size_t heap_len;
};

/* 0, or -1 when out of memory. */
int pt_merge_init(struct pt_merge *m, const struct pt_file *files, size_t count);

/* The earliest pending record; 0 when every file is exhausted. */
int pt_merge_next(struct pt_merge *m, struct pt_merged *out);

void pt_merge_free(struct pt_merge *m);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_TRACE_MERGE_H */
