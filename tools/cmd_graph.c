/* `pipetrace graph`: who is connected to whom through which pipe. */
#include <stdio.h>
#include <string.h>

#include "analysis/flows_graph.h"
#include "cli_util.h"
#include "commands.h"
#include "graph_print.h"
#include "open_trace.h"

const char cmd_graph_usage[] =
    "usage: pipetrace graph [--format=dot|text] [DIR]\n"
    "\n"
    "Draws the trace in DIR (default ./" DEFAULT_TRACE_DIR "): processes (pid,\n"
    "command line, how it ended) and the pipes between them, from writer to\n"
    "reader, labelled with the bytes that went through.  Untraced programs and\n"
    "ends of pipes nobody traced are marked, a process blocked reading a pipe\n"
    "when the trace ended is drawn in red, with a red dashed arrow from each\n"
    "process that still held the write end, and a process that inherited an\n"
    "fd across exec and never used it (a leak) is drawn in orange.\n"
    "\n"
    "  --format=dot    Graphviz input (the default):\n"
    "                  pipetrace graph | dot -Tsvg > pipeline.svg\n"
    "  --format=text   the process tree, indented, for the terminal\n";

struct graph_options {
    const char *dir;
    int text;
};

static int parse_format(struct graph_options *o, const char *format) {
    if (strcmp(format, "dot") == 0)
        o->text = 0;
    else if (strcmp(format, "text") == 0)
        o->text = 1;
    else
        return cli_usage_error("graph", "unknown format '%s' (dot or text)", format);
    return 0;
}

static int parse_graph_options(int argc, char **argv, struct graph_options *o) {
    *o = (struct graph_options){.dir = DEFAULT_TRACE_DIR};
    const char *format = "dot";
    int rc = cli_parse_viewer_args("graph", cmd_graph_usage, argc, argv, &o->dir, NULL, &format);
    return rc != 0 ? rc : parse_format(o, format);
}

int cmd_graph(int argc, char **argv) {
    struct graph_options o;
    int rc = parse_graph_options(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    struct pt_dir d;
    if ((rc = open_trace(o.dir, &d)) != 0)
        return rc;
    struct graph g;
    struct graph_marks marks;
    graph_build(&g, d.files, d.count);
    if (graph_marks_build(&marks, &g, &d) < 0) {
        cli_error("out of memory");
        rc = EXIT_BAD_INPUT;
    } else {
        (o.text ? graph_print_text : graph_print_dot)(stdout, &g, &marks, d.files);
        rc = finish_stdout();
        warn_damaged_files(&d);
    }
    graph_marks_free(&marks);
    graph_free(&g);
    pt_dir_close(&d);
    return rc;
}
