/* `pipetrace summary`: the processes, the pipes, the calls per process and
 * the problems of a trace, on one screen (or as one JSON object). */
#include <stdio.h>

#include "analysis_cli.h"
#include "cli_util.h"
#include "commands.h"
#include "summary.h"

const char cmd_summary_usage[] =
    "usage: pipetrace summary [--json] [DIR]\n"
    "\n"
    "Summarizes the trace in DIR (default ./" DEFAULT_TRACE_DIR "): the process\n"
    "tree and how each process ended, every pipe (creator, flags, who held,\n"
    "wrote and read it), a strace -c like table of calls per process, the\n"
    "problems `pipetrace check` finds, and what the trace could not see\n"
    "(untraced children, dropped events, stdio not hooked).\n"
    "\n"
    "  --json   one JSON object instead (fields: docs/VIEWER.md)\n";

int cmd_summary(int argc, char **argv) {
    struct analysis_options o;
    int rc = analysis_parse("summary", cmd_summary_usage, argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    struct analysis a;
    rc = analysis_load(&a, o.dir);
    if (rc != 0)
        return rc;
    static char buf[1 << 16];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    (o.json ? summary_json : summary_text)(stdout, &a);
    rc = analysis_flush(0);
    analysis_free(&a);
    return rc;
}
