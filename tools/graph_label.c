/* The words `pipetrace graph` uses for a process. */
#include <inttypes.h>
#include <string.h>

#include "analysis/flows_label.h"
#include "graph_print.h"
#include "trace/names.h"

void graph_node_argv(const struct graph *g, const struct pt_file *files, size_t node, char *buf,
                     size_t len) {
    const struct graph_node *n = &g->nodes[node];
    if (n->last_program != NULL)
        snprintf(buf, len, "%s", n->last_program);
    else if (n->untraced_path != NULL && n->last_file == SIZE_MAX)
        snprintf(buf, len, "%s", n->untraced_path);
    else if (n->last_file != SIZE_MAX)
        flows_short_argv(&files[n->last_file], 40, buf, len);
    else
        snprintf(buf, len, "?");
}

void graph_node_before(const struct graph *g, const struct pt_file *files, size_t node, char *buf,
                       size_t len) {
    const struct graph_node *n = &g->nodes[node];
    char last[64];
    buf[0] = '\0';
    if (n->first_file == SIZE_MAX || (n->first_file == n->last_file && n->last_program == NULL))
        return;
    /* Only the program: the command line before an exec is often long. */
    size_t before = n->last_program != NULL ? n->last_file : n->last_file - 1;
    flows_short_argv(&files[before], 24, buf, len);
    if (n->last_program != NULL)
        snprintf(last, sizeof last, "%s", n->last_program);
    else
        flows_short_argv(&files[n->last_file], 40, last, sizeof last);
    buf[strcspn(buf, " ")] = '\0';
    if (strncmp(buf, last, strcspn(last, " ")) == 0 && strlen(buf) == strcspn(last, " "))
        buf[0] = '\0';
}

void graph_node_end(const struct graph_node *n, char *buf, size_t len) {
    const char *sig = pt_signal_name(n->code);
    switch (n->end) {
    case GRAPH_END_EXIT:
        snprintf(buf, len, "exit %d", n->code);
        break;
    case GRAPH_END_SIGNAL:
        if (sig != NULL)
            snprintf(buf, len, "killed by %s", sig);
        else
            snprintf(buf, len, "killed by signal %d", n->code);
        break;
    default:
        snprintf(buf, len, "%s", n->last_file == SIZE_MAX ? "" : "no exit seen");
        break;
    }
}

void graph_node_untraced(const struct graph_node *n, char *buf, size_t len) {
    const char *why = n->untraced_reason == PT_UNTRACED_SILENT
                          ? "no traced call"
                          : pt_untraced_reason_name(n->untraced_reason);
    buf[0] = '\0';
    if (n->untraced_path != NULL)
        snprintf(buf, len, "untraced (%s)", why != NULL ? why : "?");
}
