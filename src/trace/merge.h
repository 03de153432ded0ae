/* Interleaving the records of many trace files into one time line. */
#ifndef PIPETRACE_TRACE_MERGE_H
#define PIPETRACE_TRACE_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "reader.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A merged event: the record and the file it came from. */
struct pt_merged {
    struct pt_event ev;
    const struct pt_file *file;
    size_t file_index; /* into the array given to pt_merge_init */
};

/* How many records of one file may wait to be put in order.  A file's
 * records are in reservation order, which is t_start order except where a
 * signal handler or another thread got in between a call reserving its
 * record and reading the clock (the recorder reads it after reserving):
 * such a record lands a few places early.  A
 * record more than PT_MERGE_WINDOW places out of order comes out late. */
#define PT_MERGE_WINDOW PT_FIRST_RECORDS

/* A pending record of one file: enough to order it and find it again. */
struct pt_merge_slot {
    uint64_t t_start;
    uint64_t offset;
};

/* One file being read: a cursor and the reorder window, a ring of at most
 * PT_MERGE_WINDOW next records kept in order.  The window is allocated when
 * the merge reaches the file's first record and freed when the file is
 * done, so that a trace of many short-lived processes holds windows only
 * for the files that overlap in time. */
struct pt_merge_source {
    struct pt_cursor cursor;
    struct pt_merge_slot *window;
    size_t window_head, window_len;
    uint64_t released; /* mapping handed back before this */
    int32_t pid;       /* the file's, a tie-breaker in the heap */
};

/* A k-way merge with a binary heap over the files, keyed by the earliest
 * record of each file's window (t_start, pid, file offset, file index).
 * Memory grows with the number of files, never with the number of events:
 * a few words per file, and PT_MERGE_WINDOW slots per file being merged.
 * Records are found again by offset (pt_file_bytes), so files that are not
 * being read may lose their mappings in between. */
/* A file in the heap, with the key of its earliest pending record copied
 * in, so that ordering the heap touches nothing else. */
struct pt_merge_key {
    uint64_t t_start;
    uint64_t offset;
    int32_t pid;
    uint32_t source;
};

struct pt_merge {
    struct pt_merge_source *sources; /* one per file */
    size_t source_count;
    struct pt_merge_key *heap; /* files the merge has reached */
    size_t heap_len;
    struct pt_merge_key *waiting; /* files not reached yet, by first key */
    size_t waiting_len, waiting_next;
};

void pt_merge_init(struct pt_merge *m, const struct pt_file *files, size_t count);

/* The earliest pending record; 0 when every file is exhausted.  The
 * record's pointers stay valid until the next call at least (see
 * pt_file_bytes). */
int pt_merge_next(struct pt_merge *m, struct pt_merged *out);

void pt_merge_free(struct pt_merge *m);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_TRACE_MERGE_H */
