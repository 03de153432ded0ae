/* The topology of a traced run for `pipetrace graph`: processes as nodes,
 * pipes as edges from writer to reader, built from the file headers, a few
 * kinds of records and the flows analysis.
 *
 * The holders of a blocked reader's write end and leaked fds come from the
 * process model; tools/graph_marks.c adds them. */
#ifndef PIPETRACE_ANALYSIS_FLOWS_GRAPH_H
#define PIPETRACE_ANALYSIS_FLOWS_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "trace/objkey.h"
#include "trace/reader.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GRAPH_OUTSIDE SIZE_MAX /* an edge end nobody traced */

enum graph_end {
    GRAPH_END_UNKNOWN, /* no exit seen: killed, or still running */
    GRAPH_END_EXIT,    /* code */
    GRAPH_END_SIGNAL,  /* signal, from the parent's wait */
};

/* How each process ended and what it ran last come from the process model
 * (tools/graph_marks.c sets them), so that graph and summary give one
 * answer. */
struct graph_node {
    int32_t pid, ppid;
    size_t first_file, last_file; /* its images; SIZE_MAX for untraced */
    enum graph_end end;
    int code;                 /* exit code or signal number */
    struct pt_objkey blocked; /* a pipe read never returned; ino 0 if none */
    uint8_t blocked_kind;
    char *untraced_path;      /* ran (or exec'd into) an untraced program */
    unsigned untraced_reason; /* PT_UNTRACED_* */
    char *last_program;       /* the command line of its last program when
                                 that left no trace file, or NULL */
};

struct graph_edge {
    size_t from, to; /* node indexes or GRAPH_OUTSIDE */
    struct pt_objkey obj;
    uint8_t kind; /* PT_OBJ_PIPE or PT_OBJ_FIFO */
    uint64_t bytes;
};

struct graph {
    struct graph_node *nodes; /* in order of pid first seen */
    size_t node_count, node_cap;
    struct graph_edge *edges;
    size_t edge_count, edge_cap;
};

/* g must be freed with graph_free. */
void graph_build(struct graph *g, const struct pt_file *files, size_t count);
void graph_free(struct graph *g);

/* The node of pid, or GRAPH_OUTSIDE. */
size_t graph_node_of(const struct graph *g, int32_t pid);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_ANALYSIS_FLOWS_GRAPH_H */
