/* `pipetrace dump`: every process of a trace directory, then every call of
 * all of them in time order. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "dump.h"
#include "open_trace.h"
#include "trace/dir.h"
#include "trace/merge.h"

const char cmd_dump_usage[] =
    "usage: pipetrace dump [--json] [DIR]\n"
    "\n"
    "Prints the trace in DIR (default ./" DEFAULT_TRACE_DIR "): one line per\n"
    "process image, then every recorded call of all processes in time order,\n"
    "strace-like, with times in seconds since the first process started.\n"
    "\n"
    "  --json   one JSON object per line instead; strings hold one byte per\n"
    "           code point, so captured data is exact\n";

struct dump_options {
    const char *dir;
    int json;
};

static int parse_dump_options(int argc, char **argv, struct dump_options *o) {
    *o = (struct dump_options){.dir = DEFAULT_TRACE_DIR};
    return cli_parse_json_dir("dump", cmd_dump_usage, argc, argv, &o->dir, &o->json);
}

static int print_trace(const struct pt_dir *d, int json) {
    uint64_t t0 = trace_t0(d);
    for (size_t i = 0; i < d->count; i++)
        (json ? dump_json_process : dump_text_process)(stdout, &d->files[i]);
    struct pt_merge merge;
    if (pt_merge_init(&merge, d->files, d->count) < 0) {
        cli_error("out of memory");
        return EXIT_BAD_INPUT;
    }
    struct pt_merged m;
    while (pt_merge_next(&merge, &m))
        (json ? dump_json_event : dump_text_event)(stdout, &m, t0);
    pt_merge_free(&merge);
    return 0;
}

int cmd_dump(int argc, char **argv) {
    struct dump_options o;
    int rc = parse_dump_options(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    struct pt_dir d;
    /* One warning per damaged file, before any output. */
    if ((rc = open_trace(o.dir, &d)) != 0)
        return rc;
    warn_damaged_files(&d); /* the process lines carry the counts */
    static char buf[1 << 16];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    rc = print_trace(&d, o.json);
    if (finish_stdout() != 0)
        rc = 1;
    pt_dir_close(&d);
    return rc;
}
