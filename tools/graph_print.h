/* The two output forms of `pipetrace graph`, and the words they share. */
#ifndef PIPETRACE_TOOLS_GRAPH_PRINT_H
#define PIPETRACE_TOOLS_GRAPH_PRINT_H

#include <stddef.h>
#include <stdio.h>

#include "analysis/flows_graph.h"
#include "graph_marks.h"
#include "trace/reader.h"

/* The command line of a node's last image ("seq 1 100000"), or the path
 * of the untraced program it ran. */
void graph_node_argv(const struct graph *g, const struct pt_file *files, size_t node, char *buf,
                     size_t len);

/* The command line of the image before the last one, when the process
 * exec'd ("sh"); empty otherwise. */
void graph_node_before(const struct graph *g, const struct pt_file *files, size_t node, char *buf,
                       size_t len);

/* How it ended: "exit 0", "killed by SIGPIPE", "no exit seen". */
void graph_node_end(const struct graph_node *n, char *buf, size_t len);

/* "untraced (static)" or empty. */
void graph_node_untraced(const struct graph_node *n, char *buf, size_t len);

void graph_print_dot(FILE *out, const struct graph *g, const struct graph_marks *m,
                     const struct pt_file *files);
void graph_print_text(FILE *out, const struct graph *g, const struct graph_marks *m,
                      const struct pt_file *files);

#endif /* PIPETRACE_TOOLS_GRAPH_PRINT_H */
