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

static int parse_flows_options(int argc, char **argv, struct flows_options *o)
{
    *o = (struct flows_options){.dir = DEFAULT_TRACE_DIR};
    int have_dir = 0, options_done = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_done && strcmp(arg, "--") == 0) {
            options_done = 1;
        } else if (!options_done && strcmp(arg, "--json") == 0) {
            o->json = 1;
        } else if (!options_done && cli_is_help(arg)) {
            fputs(cmd_flows_usage, stdout);
            return -1;
        } else if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            return cli_usage_error("flows", "unknown option '%s'", arg);
        } else if (have_dir) {
            return cli_usage_error("flows", "one trace directory at a time ('%s')", arg);
        } else {
            o->dir = arg;
            have_dir = 1;
        }
    }
    return 0;
}

int cmd_flows(int argc, char **argv)
{
    struct flows_options o;
    int rc = parse_flows_options(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    struct pt_dir d;
    if ((rc = open_trace(o.dir, &d)) != 0)
        return rc;
    struct flows fl;
    if (flows_run(&fl, d.files, d.count, NULL) < 0) {
        cli_error("out of memory");
        rc = EXIT_BAD_INPUT;
    } else {
        (o.json ? flows_print_json : flows_print_text)(stdout, &fl);
        rc = finish_stdout();
    }
    flows_free(&fl);
    pt_dir_close(&d);
    return rc;
}
