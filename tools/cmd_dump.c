/* `pipetrace dump`: every process of a trace directory, then every call of
 * all of them in time order. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "dump.h"
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

static int parse_dump_options(int argc, char **argv, struct dump_options *o)
{
    *o = (struct dump_options){.dir = DEFAULT_TRACE_DIR};
    int have_dir = 0, options_done = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_done && strcmp(arg, "--") == 0) {
            options_done = 1;
        } else if (!options_done && strcmp(arg, "--json") == 0) {
            o->json = 1;
        } else if (!options_done && cli_is_help(arg)) {
            fputs(cmd_dump_usage, stdout);
            return -1;
        } else if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            return cli_usage_error("dump", "unknown option '%s'", arg);
        } else if (have_dir) {
            return cli_usage_error("dump", "one trace directory at a time ('%s')", arg);
        } else {
            o->dir = arg;
            have_dir = 1;
        }
    }
    return 0;
}

/* Counts damage up front so each damaged file gets one warning, before
 * any output, and the JSON process lines can carry the counts. */
static void scan_and_warn(struct pt_dir *d)
{
    for (size_t i = 0; i < d->count; i++) {
        struct pt_file *f = &d->files[i];
        pt_file_scan(f);
        if (pt_damage_any(&f->damage)) {
            char line[512];
            pt_damage_describe(f, &f->damage, line, sizeof line);
            fprintf(stderr, "pipetrace: warning: %s\n", line);
        }
    }
}

static uint64_t earliest_start(const struct pt_dir *d)
{
    uint64_t t0 = UINT64_MAX;
    for (size_t i = 0; i < d->count; i++)
        if (d->files[i].hdr->start_mono_ns < t0)
            t0 = d->files[i].hdr->start_mono_ns;
    return t0;
}

static int print_trace(const struct pt_dir *d, int json)
{
    uint64_t t0 = earliest_start(d);
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

int cmd_dump(int argc, char **argv)
{
    struct dump_options o;
    int rc = parse_dump_options(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    struct pt_dir d;
    char err[1024];
    if (pt_dir_open(&d, o.dir, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return EXIT_BAD_INPUT;
    }
    static char buf[1 << 16];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    scan_and_warn(&d);
    rc = print_trace(&d, o.json);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("writing the dump: %s", strerror(errno));
        rc = 1;
    }
    pt_dir_close(&d);
    return rc;
}
