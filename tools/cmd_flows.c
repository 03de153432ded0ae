/* `pipetrace flows`: per pipe, which process's bytes were read by which. */
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "flows_print.h"
#include "open_trace.h"

const char cmd_flows_usage[] =
    "usage: pipetrace flows [--json] [DIR]\n"
    "\n"
    "For every pipe and FIFO of the trace in DIR (default ./" DEFAULT_TRACE_DIR "):\n"
    "the bytes written and read, and per writer -> reader pair the bytes, the\n"
    "calls and the latency from the end of a write to the end of the read that\n"
    "took its bytes (first, median, max).  Bytes are numbered in the order the\n"
    "calls completed on each side and matched.  With captured data, the bytes\n"
    "captured on both sides are compared.  Overlapping reads by several\n"
    "processes (or writes) make the match a best guess; flows says so.\n"
    "\n"
    "  --json   the same as one JSON object (see pipetrace(1))\n";

struct flows_options {
    const char *dir;
    int json;
};

static int parse_flows_options(int argc, char **argv, struct flows_options *o) {
    *o = (struct flows_options){.dir = DEFAULT_TRACE_DIR};
    return cli_parse_json_dir("flows", cmd_flows_usage, argc, argv, &o->dir, &o->json);
}

int cmd_flows(int argc, char **argv) {
    struct flows_options o;
    int rc = parse_flows_options(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    struct pt_dir d;
    if ((rc = open_trace(o.dir, &d)) != 0)
        return rc;
    struct flows fl;
    struct pt_coverage cov = {0};
    flows_run(&fl, d.files, d.count, NULL);
    warn_damaged_files(&d); /* the damage is a gap the output names */
    pt_coverage_of_files(&cov, &d);
    (o.json ? flows_print_json : flows_print_text)(stdout, &fl, &cov);
    rc = finish_stdout();
    pt_coverage_free(&cov);
    flows_free(&fl);
    pt_dir_close(&d);
    return rc;
}
