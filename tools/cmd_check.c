/* `pipetrace check`: diagnoses IPC bugs; exit 1 when it finds one, 0 when
 * none, 2 on error, so that it can gate a CI job. */
#include <stdio.h>

#include "analysis_cli.h"
#include "cli_util.h"
#include "commands.h"

const char cmd_check_usage[] =
    "usage: pipetrace check [--json] [DIR]\n"
    "\n"
    "Looks for IPC bugs in the trace in DIR (default ./" DEFAULT_TRACE_DIR "):\n"
    "  blocked-read       a read that never returned while a write end was held\n"
    "  pipe-deadlock      two processes blocked writing full pipes to each other\n"
    "  epipe              a write after every read end was closed (EPIPE/SIGPIPE)\n"
    "  eagain-spin        EAGAIN retried in a busy loop; a non-blocking read that\n"
    "                     ran before the writer\n"
    "  interleaved-write  writes over PIPE_BUF by several writers to one pipe\n"
    "  ebadf              a closed fd used, a double close, a read on a write end\n"
    "  leaked-fd          an fd leaked across exec and never used (see leaks)\n"
    "Exit status: 1 when a problem was found, 0 when none, 2 on error.  When\n"
    "the trace is incomplete (files not read or damaged, tracing stopped,\n"
    "children untraced), the output says so: finding nothing then proves less.\n"
    "\n"
    "  --json   {\"problems\": [...], \"complete\": B, \"coverage_gaps\": [...]}\n"
    "           (fields: docs/VIEWER.md)\n";

int cmd_check(int argc, char **argv) {
    struct analysis_options o;
    int rc = analysis_parse("check", cmd_check_usage, argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    struct analysis a;
    rc = analysis_load(&a, o.dir);
    if (rc != 0)
        return rc;
    int complete = pt_coverage_complete(&a.coverage);
    char missing[512];
    pt_coverage_phrase(&a.coverage, missing, sizeof missing);
    if (o.json) {
        fputs("{\"problems\":", stdout);
        analysis_json_problems(stdout, &a);
        printf(",\n\"complete\":%s,\"coverage_gaps\":", complete ? "true" : "false");
        analysis_json_gaps(stdout, &a);
        fputs("}\n", stdout);
    } else if (a.problems.len == 0 && complete) {
        puts("no problems found");
    } else if (a.problems.len == 0) {
        /* Silence means nothing when part of the run was not seen. */
        printf("no problems found in what was recorded; the trace is incomplete: %s "
               "(see pipetrace summary)\n",
               missing);
    } else {
        analysis_text_problems(stdout, &a);
        if (!complete)
            printf("the trace is incomplete: %s; more problems may be missing "
                   "(see pipetrace summary)\n",
                   missing);
    }
    rc = analysis_flush(a.problems.len ? 1 : 0);
    analysis_free(&a);
    return rc;
}
