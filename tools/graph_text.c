/* `pipetrace graph --format=text`: the process tree, indented, with the
 * pipes each process wrote into (and read from processes nobody traced)
 * under it. */
#include <inttypes.h>
#include <string.h>

#include "analysis/flows_label.h"
#include "analysis_cli.h"
#include "graph_print.h"

static void print_other(FILE *out, const struct graph *g, const struct pt_file *files, size_t node,
                        int writer) {
    char argv[64];
    if (node == GRAPH_OUTSIDE) {
        fputs(writer ? "(no traced writer)" : "(no traced reader)", out);
        return;
    }
    graph_node_argv(g, files, node, argv, sizeof argv);
    fprintf(out, "%" PRId32 " %s", g->nodes[node].pid, argv);
}

static void print_edges(FILE *out, const struct graph *g, const struct pt_file *files, size_t node,
                        const char *indent) {
    char obj[48];
    for (size_t i = 0; i < g->edge_count; i++) {
        const struct graph_edge *e = &g->edges[i];
        int writes = e->from == node, reads = e->to == node && e->from == GRAPH_OUTSIDE;
        if (!writes && !reads)
            continue;
        flows_object_name(e->kind, e->obj.ino, obj, sizeof obj);
        fprintf(out, "%s    %s %s %s ", indent, writes ? "writes" : "reads", obj,
                writes ? "->" : "<-");
        print_other(out, g, files, writes ? e->to : e->from, !writes);
        fprintf(out, ": %" PRIu64 " bytes\n", e->bytes);
    }
}

static void print_node_line(FILE *out, const struct graph *g, const struct pt_file *files,
                            size_t i) {
    const struct graph_node *n = &g->nodes[i];
    char argv[64], before[64], end[48], untraced[48], obj[48];
    graph_node_argv(g, files, i, argv, sizeof argv);
    graph_node_before(g, files, i, before, sizeof before);
    graph_node_end(n, end, sizeof end);
    graph_node_untraced(n, untraced, sizeof untraced);
    fprintf(out, "%" PRId32 " %s", n->pid, argv);
    if (before[0] != '\0')
        fprintf(out, " (exec from %s)", before);
    if (untraced[0] != '\0')
        fprintf(out, " [%s]", untraced);
    if (end[0] != '\0')
        fprintf(out, " [%s]", end);
    if (n->blocked.ino != 0) {
        flows_object_name(n->blocked_kind, n->blocked.ino, obj, sizeof obj);
        fprintf(out, " [BLOCKED reading %s]", obj);
    }
    putc('\n', out);
}

/* Under a node: the blocked readers it kept waiting, and its leaked fds. */
static void print_marks(FILE *out, const struct graph *g, const struct graph_marks *m,
                        const struct pt_file *files, size_t node, const char *indent) {
    char obj[48];
    for (size_t i = 0; i < m->nholds; i++) {
        const struct graph_hold *h = &m->holds[i];
        if (h->holder != node)
            continue;
        flows_object_name(h->kind, h->obj.ino, obj, sizeof obj);
        fprintf(out, "%s    HOLDS the write end of %s that ", indent, obj);
        print_other(out, g, files, h->reader, 0);
        fputs(" was blocked reading\n", out);
    }
    for (size_t i = 0; i < m->nleaks; i++) {
        const struct graph_leak *l = &m->leaks[i];
        if (l->node != node)
            continue;
        flows_object_name(l->kind, l->obj.ino, obj, sizeof obj);
        fprintf(out, "%s    LEAKED fd %d: %s%s, inherited across exec and never used\n", indent,
                l->fd, obj, l->write_end ? " (write end)" : "");
    }
}

static int is_root(const struct graph *g, size_t i) {
    size_t parent = graph_node_of(g, g->nodes[i].ppid);
    return parent == GRAPH_OUTSIDE || parent == i;
}

static void print_subtree(FILE *out, const struct graph *g, const struct graph_marks *m,
                          const struct pt_file *files, size_t i, char *indent, size_t depth) {
    print_node_line(out, g, files, i);
    print_edges(out, g, files, i, indent);
    print_marks(out, g, m, files, i, indent);
    size_t last = GRAPH_OUTSIDE, len = strlen(indent);
    for (size_t c = 0; c < g->node_count; c++)
        if (c != i && g->nodes[c].ppid == g->nodes[i].pid)
            last = c;
    for (size_t c = 0; c < g->node_count && depth < 64; c++) {
        if (c == i || g->nodes[c].ppid != g->nodes[i].pid)
            continue;
        fprintf(out, "%s%s", indent, c == last ? "`-- " : "|-- ");
        strcpy(indent + len, c == last ? "    " : "|   ");
        print_subtree(out, g, m, files, c, indent, depth + 1);
        indent[len] = '\0';
    }
}

void graph_print_text(FILE *out, const struct graph *g, const struct graph_marks *m,
                      const struct pt_file *files) {
    char indent[4 * 66 + 1] = "";
    for (size_t i = 0; i < g->node_count; i++)
        if (is_root(g, i))
            print_subtree(out, g, m, files, i, indent, 0);
    coverage_text_note(out, &m->coverage, "what is missing is not drawn");
}
