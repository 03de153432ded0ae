/* Who read whose bytes: matching the writes and reads of every pipe.
 *
 * A pipe (or FIFO) is a FIFO byte stream.  Numbering the bytes written (by
 * write, writev and stdio flushes, in completion order) and the bytes read
 * (by read, readv, __read_chk and stdio refills, in completion order) and
 * matching the two ranges tells, for every byte, which call wrote it and
 * which call read it.  From that come, per writer -> reader pair, the bytes,
 * the calls and the latency from the end of the write to the end of the
 * read; with captured data, whether the captured bytes on both sides agree.
 *
 * The analysis streams over pt_merge's output: memory grows with the number
 * of pipes, pairs and calls in flight or not matched yet, not with the
 * number of events.  Usage:
 *
 *     flows_init(&fl, files, count, &hooks);
 *     while (pt_merge_next(&merge, &m)) flows_add(&fl, &m);
 *     flows_finish(&fl);
 *     ... fl.pipes[i] ...
 *     flows_free(&fl);
 *
 * Limits, stated rather than hidden:
 * - several readers whose reads overlap in time (or several writers whose
 *   writes do) make completion order differ from the kernel's order;
 *   such overlaps are counted (concurrent_reads/concurrent_writes) and the
 *   match is then a best guess;
 * - bytes with no traced counterpart (the other end is an untraced process)
 *   are matched to FLOWS_NO_FILE at the end, or earlier when more than
 *   FLOWS_PENDING_MAX calls of one side wait for a match (given_up). */
#ifndef PIPETRACE_ANALYSIS_FLOWS_H
#define PIPETRACE_ANALYSIS_FLOWS_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/flows_hist.h"
#include "analysis/flows_order.h"
#include "analysis/flows_queue.h"
#include "analysis/sockpeer.h"
#include "trace/merge.h"
#include "trace/objkey.h"
#include "trace/reader.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FLOWS_PENDING_MAX (1u << 20)

/* Bytes of one pipe read by one read from one write (or from/by an end
 * nobody traced: write or read is NULL). */
struct flows_segment {
    const struct flows_pipe *pipe;
    uint64_t offset, len; /* in the pipe's stream */
    const struct flows_call *write, *read;
};

/* Everything that went from one writer to one reader through one pipe.
 * writer/reader are file indexes (one process image each) or
 * FLOWS_NO_FILE. */
struct flows_pair {
    size_t writer, reader;
    uint64_t bytes;
    uint64_t writes, reads;         /* calls that took part */
    uint64_t inferred_writes;       /* of writes: inferred (flows_pipe) */
    struct flows_hist latency;      /* ns from write end to read end, per
                                       segment; 0 when the read ended first
                                       (a write that blocked until read) */
    uint64_t last_write, last_read; /* seq of the last call counted */
};

/* Bytes that entered a pipe from another fd inside the kernel (splice,
 * tee, sendfile, copy_file_range): where from, by which call. */
struct flows_feed {
    struct pt_objkey from;
    uint8_t kind; /* PT_OBJ_* of what they came from: a pipe, a file... */
    uint8_t type; /* PT_EV_* of the calls */
    uint64_t bytes, calls;
};

struct flows_last_call {
    int valid;
    uint64_t t_end;
    int32_t tid;
    size_t file;
};

struct flows_pipe {
    struct pt_objkey obj;  /* a socket channel's: its sending end (sockpeer.h) */
    uint8_t kind;          /* PT_OBJ_PIPE, PT_OBJ_FIFO or PT_OBJ_SOCKET */
    struct pt_objkey peer; /* a socket channel's receiving end; 0 otherwise */
    uint64_t bytes_written, bytes_read;
    uint64_t write_calls, read_calls;             /* that moved bytes */
    uint64_t eof_reads;                           /* reads that returned 0 */
    uint64_t unfinished_reads, unfinished_writes; /* still blocked at the end */
    uint64_t compared;                            /* captured bytes compared on both sides */
    uint64_t mismatches;                          /* segments whose captures differ */
    uint64_t first_mismatch;                      /* stream offset; UINT64_MAX if none */
    uint64_t concurrent_reads, concurrent_writes;
    uint64_t given_up; /* bytes matched to nobody early (overflow) */
    /* Writes that never returned (the writer killed right after the
     * call), counted as done because readers got more bytes than the
     * finished writes gave; in write_calls and bytes_written. */
    uint64_t inferred_writes, inferred_bytes;
    struct flows_begun *begun; /* writes that had not returned */
    size_t nbegun, cap_begun;
    struct flows_feed *feeds; /* what fed it from other fds, in order of
                                 first appearance */
    size_t nfeeds, cap_feeds;
    uint64_t last_read_end; /* t_end of the last read that got bytes */
    uint64_t settled;       /* stream offset below which all is matched */
    struct flows_pair *pairs;
    size_t pair_count, pair_cap;
    struct flows_queue writes, reads; /* not matched yet */
    struct flows_last_call last_write, last_read;
};

/* A write that had not returned when it was seen. */
struct flows_begun {
    size_t file;
    uint64_t offset, t_start, asked;
    int32_t tid;
};

/* Optional callbacks, for tools that want more than the totals. */
struct flows_hooks {
    void *ctx;
    /* A call that moved bytes, in completion order, with the stream offset
     * of its first byte. */
    void (*io)(void *ctx, const struct flows_pipe *p, const struct pt_merged *m, uint64_t offset,
               int is_write);
    /* Bytes matched from a write to a read. */
    void (*segment)(void *ctx, const struct flows_segment *s);
};

struct flows {
    const struct pt_file *files;
    size_t file_count;
    struct flows_hooks hooks;
    struct flows_order order;
    uint64_t calls_numbered;   /* the last flows_call.seq given */
    struct flows_pipe **pipes; /* in order of first appearance */
    size_t pipe_count, pipe_cap;
    size_t *table; /* hash on the pipe's key: index + 1, 0 free */
    size_t table_cap;
    struct pt_objkey *made; /* pipes made in the trace (pipe, pipe2, popen,
                               open of a FIFO), sorted at the end */
    size_t nmade, made_cap;
    struct pt_sockpeers peers; /* the socket pairs made in the trace */
};

/* hooks may be NULL.  Memory running out ends the viewer (trace/xalloc.h):
 * none of these fails. */
void flows_init(struct flows *fl, const struct pt_file *files, size_t count,
                const struct flows_hooks *hooks);

/* Feeds every record pt_merge hands out, in that order. */
void flows_add(struct flows *fl, const struct pt_merged *m);

/* Matches what is left; call once after the last flows_add. */
void flows_finish(struct flows *fl);

void flows_free(struct flows *fl);

/* Runs the whole analysis over files: merge, add, finish.  fl must be
 * freed with flows_free. */
void flows_run(struct flows *fl, const struct pt_file *files, size_t count,
               const struct flows_hooks *hooks);

/* True for a record of a call that moves bytes through a pipe or FIFO on
 * its own fd (a splice's, tee's, sendfile's: the fd its bytes leave, so a
 * read); *is_write says which way. */
int flows_is_pipe_io(const struct pt_record *r, int *is_write);

/* The latency median of a pair, in ns. */
uint64_t flows_pair_median(const struct flows_pair *pair);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_ANALYSIS_FLOWS_H */
