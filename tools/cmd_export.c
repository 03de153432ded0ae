/* `pipetrace export`: the trace in formats other tools open. */
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "export.h"
#include "open_trace.h"

const char cmd_export_usage[] =
    "usage: pipetrace export --format=chrome|jsonl [DIR] > FILE\n"
    "\n"
    "Writes the trace in DIR (default ./" DEFAULT_TRACE_DIR ") to stdout as\n"
    "\n"
    "  --format=chrome  Chrome Trace Event JSON: open it in ui.perfetto.dev or\n"
    "                   chrome://tracing.  One track per process and thread,\n"
    "                   every call a slice with fd, object, bytes, result and\n"
    "                   errno, an arrow from each write to the reads that took\n"
    "                   its bytes, fork/exec/exit as instant events\n"
    "  --format=jsonl   one JSON object per line, the same as dump --json\n";

struct export_options {
    const char *dir;
    int (*write)(FILE *out, const struct pt_dir *d);
};

static int parse_format(struct export_options *o, const char *format) {
    if (strcmp(format, "chrome") == 0 || strcmp(format, "json") == 0)
        o->write = export_chrome;
    else if (strcmp(format, "jsonl") == 0)
        o->write = export_jsonl;
    else
        return cli_usage_error("export", "unknown format '%s' (chrome or jsonl)", format);
    return 0;
}

static int parse_export_options(int argc, char **argv, struct export_options *o) {
    *o = (struct export_options){.dir = DEFAULT_TRACE_DIR};
    int have_dir = 0, options_done = 0, rc = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        const char *arg = argv[i];
        if (!options_done && strcmp(arg, "--") == 0) {
            options_done = 1;
        } else if (!options_done && strncmp(arg, "--format=", 9) == 0) {
            rc = parse_format(o, arg + 9);
        } else if (!options_done && strcmp(arg, "--format") == 0 && i + 1 < argc) {
            rc = parse_format(o, argv[++i]);
        } else if (!options_done && cli_is_help(arg)) {
            fputs(cmd_export_usage, stdout);
            return -1;
        } else if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            return cli_usage_error("export", "unknown option '%s'", arg);
        } else if (have_dir) {
            return cli_usage_error("export", "one trace directory at a time ('%s')", arg);
        } else {
            o->dir = arg;
            have_dir = 1;
        }
    }
    if (rc == 0 && o->write == NULL)
        return cli_usage_error("export", "which format? --format=chrome or --format=jsonl");
    return rc;
}

int cmd_export(int argc, char **argv) {
    struct export_options o;
    int rc = parse_export_options(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    struct pt_dir d;
    if ((rc = open_trace(o.dir, &d)) != 0)
        return rc;
    static char buf[1 << 16];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    if (o.write(stdout, &d) < 0) {
        cli_error("out of memory");
        rc = EXIT_BAD_INPUT;
    } else {
        rc = finish_stdout();
    }
    pt_dir_close(&d);
    return rc;
}
