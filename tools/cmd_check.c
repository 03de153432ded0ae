/* `pipetrace check`: diagnoses IPC bugs; exit 1 when it finds an error
 * (or, with --warnings-as-errors, a warning), 0 when none, 2 on error, so
 * that it can gate a CI job. */
#include <stdio.h>
#include <string.h>

#include "analysis_cli.h"
#include "cli_util.h"
#include "commands.h"

const char cmd_check_usage[] =
    "usage: pipetrace check [--json] [-W|--warnings-as-errors] [DIR]\n"
    "\n"
    "Looks for IPC bugs in the trace in DIR (default ./" DEFAULT_TRACE_DIR "):\n"
    "  blocked-read       a read that never returned while a write end was held\n"
    "  pipe-deadlock      a cycle of processes blocked on pipes each other holds\n"
    "  wait-deadlock      a cycle through a wait for a child (Popen.wait() with a\n"
    "                     full stdout pipe)\n"
    "  epipe              a write after every read end was closed (EPIPE/SIGPIPE)\n"
    "                     that lost data: the writer or the reader failed\n"
    "  eagain-spin        EAGAIN retried in a busy loop, with no wait in between\n"
    "  interleaved-write  writes over PIPE_BUF to one pipe by several writers at\n"
    "                     the same time\n"
    "  ebadf              I/O on a closed fd, a close that hit a reused fd, a read\n"
    "                     on a write end\n"
    "  leaked-fd          an fd leaked across exec and never used (see leaks)\n"
    "Each problem is an error (the run lost data, hung, or closed an fd it did\n"
    "not own), a warning (wasteful or fragile, but the run did its job) or a\n"
    "note (harmless here).\n"
    "\n"
    "  -W, --warnings-as-errors   warnings fail too (exit status 1)\n"
    "  --json   {\"problems\": [...], \"complete\": B, \"coverage_gaps\": [...]}\n"
    "           (fields, and each kind's severity: docs/VIEWER.md)\n"
    "\n"
    "Exit status: 1 when an error was found (or a warning, with -W), 0 when\n"
    "none, 2 on error.  When the trace is incomplete (files not read or\n"
    "damaged, tracing stopped, children untraced), the output says so: finding\n"
    "nothing then proves less.\n";

static int is_warnings_option(const char *arg) {
    return strcmp(arg, "-W") == 0 || strcmp(arg, "--warnings-as-errors") == 0;
}

/* Takes -W out of argv (before any "--") and says whether it was there;
 * the rest is the analysis commands' own command line. */
static int take_warnings_option(int *argc, char **argv) {
    int found = 0, kept = 1;
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            while (i < *argc)
                argv[kept++] = argv[i++];
            break;
        }
        if (is_warnings_option(argv[i]))
            found = 1;
        else
            argv[kept++] = argv[i];
    }
    *argc = kept;
    argv[kept] = NULL;
    return found;
}

/* "1 error, 2 warnings, 1 note", for the end of the text. */
static void print_tally(const struct pt_problems *ps) {
    size_t n[3] = {0, 0, 0};
    for (size_t i = 0; i < ps->len; i++)
        n[ps->v[i].severity <= PT_SEV_NOTE ? ps->v[i].severity : PT_SEV_ERROR]++;
    printf("%zu error%s, %zu warning%s, %zu note%s\n", n[PT_SEV_ERROR],
           n[PT_SEV_ERROR] == 1 ? "" : "s", n[PT_SEV_WARNING], n[PT_SEV_WARNING] == 1 ? "" : "s",
           n[PT_SEV_NOTE], n[PT_SEV_NOTE] == 1 ? "" : "s");
}

static void print_text(const struct analysis *a, int complete, const char *missing) {
    if (a->problems.len == 0 && complete) {
        puts("no problems found");
    } else if (a->problems.len == 0) {
        /* Silence means nothing when part of the run was not seen. */
        printf("no problems found in what was recorded; the trace is incomplete: %s "
               "(see pipetrace summary)\n",
               missing);
    } else {
        analysis_text_problems(stdout, a);
        print_tally(&a->problems);
        if (!complete)
            printf("the trace is incomplete: %s; more problems may be missing "
                   "(see pipetrace summary)\n",
                   missing);
    }
}

int cmd_check(int argc, char **argv) {
    int warnings_fail = take_warnings_option(&argc, argv);
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
    } else {
        print_text(&a, complete, missing);
    }
    rc = analysis_flush(pt_problems_failing(&a.problems, warnings_fail) ? 1 : 0);
    analysis_free(&a);
    return rc;
}
