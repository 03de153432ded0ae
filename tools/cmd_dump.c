/* `pipetrace dump`: every process of a trace directory, then every call of
 * all of them in time order, as strace would print it; filtered as strace
 * users expect (by process, pipe, call name, program). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "dump.h"
#include "dump_filter.h"
#include "open_trace.h"
#include "trace/dir.h"
#include "trace/merge.h"

const char cmd_dump_usage[] =
    "usage: pipetrace dump [--json] [-v] [-p PID] [--tree=PID] [--pipe=PIPE]\n"
    "                      [-e LIST] [--exe=WORD] [DIR]\n"
    "\n"
    "Prints the trace in DIR (default ./" DEFAULT_TRACE_DIR "): one line per\n"
    "process image, then every recorded call of all processes in time order,\n"
    "strace-like, with times in seconds since the first process started.  A\n"
    "call that had not returned when the trace ended ends in\n"
    "'<unfinished ...>) = ?', as in strace.\n"
    "\n"
    "The text leaves out the recorder's bookkeeping: module and callsite\n"
    "records, and inherited fds that are what the process already had before\n"
    "its exec or fork (the first traced process's are shown).\n"
    "\n"
    "  --json        one JSON object per line instead, bookkeeping included;\n"
    "                strings hold one byte per code point, so captured data is\n"
    "                exact\n"
    "  -v, --all     show the bookkeeping records in the text too\n"
    "  -p, --pid=PID[,PID...]\n"
    "                only these processes (every image of each pid)\n"
    "  --tree=PID[,PID...]\n"
    "                these processes and every process they started\n"
    "                (--pid and --tree add up)\n"
    "  --pipe=PIPE[,PIPE...]\n"
    "                only calls on these pipes: an inode, pipe:[INODE] or\n"
    "                fifo:[INODE] (as dump prints fds: that kind only) or #ID\n"
    "                (as summary numbers pipes)\n"
    "  -e [trace=][!]LIST\n"
    "                only these calls, comma-separated: call\n" DUMP_FILTER_CALLS_HELP
    "                those; naming a bookkeeping record shows it\n"
    "  --exe=WORD    only process images whose program or any command-line\n"
    "                word is WORD or ends in /WORD (python3 matches\n"
    "                /usr/bin/python3, and wrappers whose command line names it)\n"
    "\n"
    "Filters of different kinds must all match; the values of one option (and\n"
    "of the option given twice) are alternatives.  With a filter, only the\n"
    "process lines of images that have a call shown are printed.\n";

struct dump_options {
    const char *dir;
    int json;
    struct dump_filter filter;
};

enum { OPT_TREE = 256, OPT_PIPE, OPT_EXE, OPT_JSON };

static int dump_option(struct dump_options *o, int c, const char *arg) {
    switch (c) {
    case OPT_JSON:
        o->json = 1;
        return 0;
    case 'v':
        o->filter.all = 1;
        return 0;
    case 'p':
        return dump_filter_add_pids(&o->filter, arg, 0);
    case OPT_TREE:
        return dump_filter_add_pids(&o->filter, arg, 1);
    case OPT_PIPE:
        return dump_filter_add_pipes(&o->filter, arg);
    case 'e':
        return dump_filter_add_calls(&o->filter, arg);
    case OPT_EXE:
        return dump_filter_add_exe(&o->filter, arg);
    }
    return -1;
}

/* 0 parsed, -1 after --help (exit 0), else the status of a usage error. */
static int parse_dump_options(int argc, char **argv, struct dump_options *o) {
    static const struct option longopts[] = {
        {"json", no_argument, NULL, OPT_JSON},
        {"all", no_argument, NULL, 'v'},
        {"pid", required_argument, NULL, 'p'},
        {"tree", required_argument, NULL, OPT_TREE},
        {"pipe", required_argument, NULL, OPT_PIPE},
        {"exe", required_argument, NULL, OPT_EXE},
        {"trace", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *o = (struct dump_options){.dir = DEFAULT_TRACE_DIR};
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":hvp:e:", longopts, NULL)) != -1) {
        if (c == 'h') {
            fputs(cmd_dump_usage, stdout);
            return -1;
        }
        if (c == ':')
            return cli_usage_error("dump", "%s needs a value", argv[optind - 1]);
        if (c == '?')
            return cli_usage_error("dump", "unknown option '%s'", argv[optind - 1]);
        if (dump_option(o, c, optarg) < 0)
            return EXIT_BAD_INPUT;
    }
    if (optind < argc)
        o->dir = argv[optind++];
    if (optind < argc)
        return cli_usage_error("dump", "one trace directory at a time ('%s')", argv[optind]);
    return 0;
}

/* One pass over the events in time order; prints the shown ones when out
 * is not NULL. */
static int pass(const struct pt_dir *d, struct dump_select *s, FILE *out, int json, uint64_t t0) {
    struct pt_merge merge;
    pt_merge_init(&merge, d->files, d->count);
    struct pt_merged m;
    while (pt_merge_next(&merge, &m))
        if (dump_select_event(s, &m) && out != NULL)
            (json ? dump_json_event : dump_text_event)(out, &m, t0);
    pt_merge_free(&merge);
    return 0;
}

static int print_trace(const struct pt_dir *d, const struct dump_options *o) {
    uint64_t t0 = trace_t0(d);
    struct dump_select s;
    if (dump_select_init(&s, &o->filter, d, o->json) < 0) {
        cli_error("out of memory");
        return EXIT_BAD_INPUT;
    }
    int rc = 0;
    /* Which process lines to print is known only after a pass over the
     * events, when they are filtered. */
    if (dump_filter_active(&o->filter)) {
        rc = pass(d, &s, NULL, o->json, t0);
        dump_select_rewind(&s);
    }
    for (size_t i = 0; rc == 0 && i < d->count; i++)
        if (dump_select_image(&s, i))
            (o->json ? dump_json_process : dump_text_process)(stdout, &d->files[i]);
    if (rc == 0)
        rc = pass(d, &s, stdout, o->json, t0);
    dump_select_free(&s);
    if (rc < 0) {
        cli_error("out of memory");
        return EXIT_BAD_INPUT;
    }
    return 0;
}

int cmd_dump(int argc, char **argv) {
    struct dump_options o;
    int rc = parse_dump_options(argc, argv, &o);
    if (rc != 0) {
        dump_filter_free(&o.filter);
        return rc < 0 ? 0 : rc;
    }
    struct pt_dir d;
    if ((rc = open_trace(o.dir, &d)) != 0) {
        dump_filter_free(&o.filter);
        return rc;
    }
    /* One warning per damaged file, before any output. */
    warn_damaged_files(&d); /* the process lines carry the counts */
    rc = dump_filter_resolve_pipes(&o.filter, &d);
    if (rc == 0) {
        static char buf[1 << 16];
        setvbuf(stdout, buf, _IOFBF, sizeof buf);
        rc = print_trace(&d, &o);
        if (finish_stdout() != 0)
            rc = 1;
    }
    pt_dir_close(&d);
    dump_filter_free(&o.filter);
    return rc;
}
