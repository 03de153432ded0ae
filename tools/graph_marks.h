/* What `pipetrace graph` draws on top of the topology: the processes that
 * held the write end of a pipe somebody was blocked reading (the
 * blocked-read diagnosis of `check`), and the fds the leak audit found. */
#ifndef PIPETRACE_TOOLS_GRAPH_MARKS_H
#define PIPETRACE_TOOLS_GRAPH_MARKS_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/coverage.h"
#include "analysis/flows_graph.h"
#include "trace/dir.h"

/* A holder of the write end of a pipe a reader was blocked on. */
struct graph_hold {
    size_t holder, reader; /* node indexes */
    uint8_t kind;
    struct pt_objkey obj;
};

/* An fd inherited across exec and never used. */
struct graph_leak {
    size_t node;
    int fd;
    uint8_t kind;
    struct pt_objkey obj;
    int write_end;
};

struct graph_marks {
    struct graph_hold *holds;
    size_t nholds, cap_holds;
    struct graph_leak *leaks;
    size_t nleaks;
    struct pt_coverage coverage; /* what the trace could not see */
};

/* Builds the process model and takes from it how every process ended and
 * what it ran last (into g's nodes: one answer with summary), the holds and
 * the leaks.  0, or -1 when out of memory.  m must be freed either way. */
int graph_marks_build(struct graph_marks *m, struct graph *g, const struct pt_dir *d);
void graph_marks_free(struct graph_marks *m);

/* Whether node holds a blocked reader's write end / leaked an fd. */
int graph_marks_holder(const struct graph_marks *m, size_t node);
int graph_marks_leaker(const struct graph_marks *m, size_t node);

#endif /* PIPETRACE_TOOLS_GRAPH_MARKS_H */
