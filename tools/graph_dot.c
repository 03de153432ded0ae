/* `pipetrace graph --format=dot`: Graphviz input.  Processes are boxes,
 * pipes are blue edges from writer to reader labelled with the bytes,
 * dashed gray lines join parents to children, untraced programs are
 * dashed boxes, a process blocked reading a pipe when the trace ended is
 * red, with red dashed arrows from the processes that still held the write
 * end, and a process with leaked fds is orange. */
#include <inttypes.h>

#include "analysis/flows_label.h"
#include "graph_print.h"

/* A DOT string body: quotes and backslashes escaped. */
static void dot_str(FILE *out, const char *s) {
    for (; *s != '\0'; s++) {
        if (*s == '"' || *s == '\\')
            putc('\\', out);
        putc(*s, out);
    }
}

static void leak_lines(FILE *out, const struct graph_marks *m, size_t node) {
    char obj[48];
    for (size_t i = 0; i < m->nleaks; i++) {
        const struct graph_leak *l = &m->leaks[i];
        if (l->node != node)
            continue;
        flows_object_name(l->kind, l->obj.ino, obj, sizeof obj);
        fprintf(out, "\\nLEAKED fd %d: %s%s", l->fd, obj, l->write_end ? " (write end)" : "");
    }
}

static void node_label(FILE *out, const struct graph *g, const struct graph_marks *m,
                       const struct pt_file *files, size_t i) {
    const struct graph_node *n = &g->nodes[i];
    char argv[64], before[64], end[48], untraced[48], obj[48];
    graph_node_argv(g, files, i, argv, sizeof argv);
    graph_node_before(g, files, i, before, sizeof before);
    graph_node_end(n, end, sizeof end);
    graph_node_untraced(n, untraced, sizeof untraced);
    fprintf(out, "%" PRId32 ": ", n->pid);
    dot_str(out, argv);
    if (before[0] != '\0') {
        fputs("\\n(exec from ", out);
        dot_str(out, before);
        putc(')', out);
    }
    if (untraced[0] != '\0')
        fprintf(out, "\\n%s", untraced);
    if (n->blocked.ino != 0) {
        flows_object_name(n->blocked_kind, n->blocked.ino, obj, sizeof obj);
        fprintf(out, "\\nBLOCKED reading %s at the end", obj);
    }
    leak_lines(out, m, i);
    if (end[0] != '\0')
        fprintf(out, "\\n%s", end);
}

static void print_node(FILE *out, const struct graph *g, const struct graph_marks *m,
                       const struct pt_file *files, size_t i) {
    const struct graph_node *n = &g->nodes[i];
    fprintf(out, "  p%zu [label=\"", i);
    node_label(out, g, m, files, i);
    putc('"', out);
    if (n->blocked.ino != 0)
        fputs(", color=\"#c0392b\", fillcolor=\"#fdecea\", penwidth=2", out);
    else if (graph_marks_holder(m, i))
        fputs(", color=\"#c0392b\", penwidth=2", out);
    else if (graph_marks_leaker(m, i))
        fputs(", color=\"#d35400\", fillcolor=\"#fdf2e9\", penwidth=2", out);
    if (n->last_file == SIZE_MAX)
        fputs(", style=\"rounded,dashed\", fillcolor=white", out);
    fputs("];\n", out);
}

static void print_tree_edge(FILE *out, const struct graph *g, size_t i) {
    size_t parent = graph_node_of(g, g->nodes[i].ppid);
    if (parent != GRAPH_OUTSIDE && parent != i)
        fprintf(out,
                "  p%zu -> p%zu [style=dashed, color=gray60, arrowhead=none, "
                "constraint=false];\n",
                parent, i);
}

/* An end nobody traced gets a node of its own per edge. */
static void edge_end(FILE *out, size_t node, size_t edge, const char *side) {
    if (node == GRAPH_OUTSIDE)
        fprintf(out, "x%s%zu", side, edge);
    else
        fprintf(out, "p%zu", node);
}

static void print_pipe_edge(FILE *out, const struct graph *g, size_t i) {
    const struct graph_edge *e = &g->edges[i];
    char obj[48];
    flows_object_name(e->kind, e->obj.ino, obj, sizeof obj);
    if (e->from == GRAPH_OUTSIDE)
        fprintf(out, "  xw%zu [label=\"no traced writer\", shape=plaintext];\n", i);
    if (e->to == GRAPH_OUTSIDE)
        fprintf(out, "  xr%zu [label=\"no traced reader\", shape=plaintext];\n", i);
    fputs("  ", out);
    edge_end(out, e->from, i, "w");
    fputs(" -> ", out);
    edge_end(out, e->to, i, "r");
    fprintf(out, " [label=\"%s\\n%" PRIu64 " bytes\", color=\"#1f5fbf\", penwidth=2];\n", obj,
            e->bytes);
}

/* The holder keeps the reader waiting: a red dashed arrow to it. */
static void print_hold_edge(FILE *out, const struct graph_hold *h) {
    char obj[48];
    flows_object_name(h->kind, h->obj.ino, obj, sizeof obj);
    fprintf(out,
            "  p%zu -> p%zu [label=\"holds write end of\\n%s\", color=\"#c0392b\", "
            "fontcolor=\"#c0392b\", style=dashed, penwidth=2];\n",
            h->holder, h->reader, obj);
}

void graph_print_dot(FILE *out, const struct graph *g, const struct graph_marks *m,
                     const struct pt_file *files) {
    fputs("digraph pipetrace {\n"
          "  rankdir=LR;\n"
          "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", "
          "fontsize=11];\n"
          "  edge [fontsize=10];\n",
          out);
    for (size_t i = 0; i < g->node_count; i++)
        print_node(out, g, m, files, i);
    for (size_t i = 0; i < g->node_count; i++)
        print_tree_edge(out, g, i);
    for (size_t i = 0; i < g->edge_count; i++)
        print_pipe_edge(out, g, i);
    for (size_t i = 0; i < m->nholds; i++)
        print_hold_edge(out, &m->holds[i]);
    if (!pt_coverage_complete(&m->coverage)) {
        char phrase[512];
        pt_coverage_phrase(&m->coverage, phrase, sizeof phrase);
        fputs("  labelloc=b;\n  label=\"incomplete trace: ", out);
        dot_str(out, phrase);
        fputs("\";\n", out);
    }
    fputs("}\n", out);
}
