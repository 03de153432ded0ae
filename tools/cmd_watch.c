/* `pipetrace watch`: the run as it runs, refreshed a few times a second
 * from its live trace (watch.h), until every traced process has ended. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_util.h"
#include "commands.h"
#include "watch.h"

const char cmd_watch_usage[] =
    "usage: pipetrace watch [--interval=SECONDS] [--stats] [DIR]\n"
    "\n"
    "Shows the run being traced into DIR (default ./" DEFAULT_TRACE_DIR ") while it\n"
    "runs: the process tree, each process's current call and for how long it\n"
    "has been in it (blocked ones highlighted: in a read or write on a pipe, a\n"
    "wait or a poll for 0.2 s or more), bytes in and out, and per pipe the\n"
    "bytes written, read, still buffered (written minus read) and the rate.\n"
    "On a terminal the screen is redrawn in place; otherwise a block of plain\n"
    "lines is printed per refresh.  Exits when every traced process has ended\n"
    "(at once on a finished trace).  Reads only what the trace gained since\n"
    "the last refresh; the traced program does not notice.\n"
    "\n"
    "  --interval=SECONDS  time between refreshes (default 0.25)\n"
    "  --stats             at the end, on stderr: refreshes, their time and\n"
    "                      bytes read\n";

struct watch_options {
    const char *dir;
    double interval;
    int stats;
};

static int parse_watch_options(int argc, char **argv, struct watch_options *o) {
    static const struct option longopts[] = {
        {"interval", required_argument, NULL, 'i'},
        {"stats", no_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *o = (struct watch_options){.dir = DEFAULT_TRACE_DIR, .interval = 0.25};
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'i':
            o->interval = strtod(optarg, &end);
            if (end == optarg || *end != '\0' || !(o->interval >= 0.01) || o->interval > 3600)
                return cli_usage_error("watch", "--interval wants seconds (0.01 to 3600), not '%s'",
                                       optarg);
            break;
        case 's':
            o->stats = 1;
            break;
        case 'h':
            fputs(cmd_watch_usage, stdout);
            return -1;
        case ':':
            return cli_usage_error("watch", "%s needs a value", argv[optind - 1]);
        default:
            return cli_usage_error("watch", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        o->dir = argv[optind++];
    if (optind < argc)
        return cli_usage_error("watch", "one trace directory only ('%s' is extra)", argv[optind]);
    return 0;
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_s(double s) {
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL); /* a signal ends it early: fine */
}

/* What --stats prints: the first refresh reads the trace so far, the
 * others only what it gained. */
struct refresh_stats {
    uint64_t count, first_ns, first_bytes, rest_ns, rest_bytes, max_ns, max_bytes;
};

static void note_refresh(struct refresh_stats *s, uint64_t ns, uint64_t bytes) {
    if (s->count++ == 0) {
        s->first_ns = ns;
        s->first_bytes = bytes;
        return;
    }
    s->rest_ns += ns;
    s->rest_bytes += bytes;
    if (ns > s->max_ns)
        s->max_ns = ns;
    if (bytes > s->max_bytes)
        s->max_bytes = bytes;
}

static void print_stats(const struct refresh_stats *s) {
    fprintf(stderr, "pipetrace watch: %llu refreshes; first %.3f ms, %llu bytes read",
            (unsigned long long)s->count, (double)s->first_ns / 1e6,
            (unsigned long long)s->first_bytes);
    if (s->count > 1)
        fprintf(stderr,
                "; then per refresh %.3f ms and %.0f bytes on average, at most %.3f ms "
                "and %llu bytes",
                (double)s->rest_ns / 1e6 / (double)(s->count - 1),
                (double)s->rest_bytes / (double)(s->count - 1), (double)s->max_ns / 1e6,
                (unsigned long long)s->max_bytes);
    fputc('\n', stderr);
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig) {
    (void)sig;
    interrupted = 1;
}

int cmd_watch(int argc, char **argv) {
    struct watch_options o;
    int rc = parse_watch_options(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    struct watch w;
    if (watch_open(&w, o.dir) < 0)
        return EXIT_BAD_INPUT;
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    struct watch_view v = {.out = stdout, .ansi = isatty(STDOUT_FILENO)};
    if (v.ansi)
        fputs("\033[2J", stdout);
    struct refresh_stats stats = {0};
    for (;;) {
        uint64_t t0 = now_ns(), bytes0 = w.bytes_read;
        watch_refresh(&w);
        uint64_t t1 = now_ns();
        note_refresh(&stats, t1 - t0, w.bytes_read - bytes0);
        watch_draw(&v, &w, t1);
        if ((w.nprocs > 0 && watch_running(&w) == 0) || interrupted)
            break;
        sleep_s(o.interval);
    }
    if (w.nprocs > 0 && watch_running(&w) == 0)
        printf("pipetrace watch: all %zu traced processes have ended\n", w.nprocs);
    if (o.stats)
        print_stats(&stats);
    watch_close(&w);
    return fflush(stdout) == 0 ? 0 : 1;
}
