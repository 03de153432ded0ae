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
    const char *format = NULL;
    int rc = cli_parse_viewer_args("export", cmd_export_usage, argc, argv, &o->dir, NULL, &format);
    if (rc != 0)
        return rc;
    if (format == NULL)
        return cli_usage_error("export", "which format? --format=chrome or --format=jsonl");
    return parse_format(o, format);
}

int cmd_export(int argc, char **argv) {
    struct export_options o;
    int rc = parse_export_options(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    struct pt_dir d;
    if ((rc = open_trace(o.dir, &d)) != 0)
        return rc;
    /* JSON lines are dump --json, whose process lines carry the damage
     * counts: those must be known before the first line. */
    int warned_first = o.write == export_jsonl;
    if (warned_first)
        warn_damaged_files(&d);
    static char buf[1 << 16];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    if (o.write(stdout, &d) < 0) {
        cli_error("out of memory");
        rc = EXIT_BAD_INPUT;
    } else {
        rc = finish_stdout();
        if (!warned_first)
            warn_damaged_files(&d);
    }
    pt_dir_close(&d);
    return rc;
}
