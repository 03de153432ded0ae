/* `pipetrace run`: run a command with the preload library in its
 * environment, and pass its exit status on. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_util.h"
#include "commands.h"
#include "find_lib.h"
#include "run_dir.h"
#include "run_kill.h"
#include "run_report.h"
#include "run_wait.h"
#include "src/preload/inject_spec.h"
#include "trace/names.h"

const char cmd_run_usage[] =
    "usage: pipetrace run [-o DIR] [--append] [--data=N|full|0] [--all-fds]\n"
    "                     [--timeout=DURATION [--timeout-signal=SIG] [--kill-after=DURATION]]\n"
    "                     [--inject=SPEC[,SPEC...] [--seed=S]] -- CMD [ARGS...]\n"
    "\n"
    "Runs CMD with pipetrace's preload library and writes one trace file per\n"
    "process image into DIR.  Exits with CMD's exit status (128+N if a signal\n"
    "N killed it, 127 if CMD was not found).  When CMD has ended, names on\n"
    "stderr each process whose tracing stopped early (a full disk...) and each\n"
    "child that could not be traced.  Refuses (exit 2) a DIR that is a\n"
    "symbolic link, another user's, or writable by its group or others.\n"
    "\n"
    "  -o, --output=DIR  trace directory (default ./" DEFAULT_TRACE_DIR ", created 0700);\n"
    "                    the trace files of an earlier run in it are removed first\n"
    "  --append          keep them: add this run to the trace already in DIR\n"
    "  --data=N          capture the first N bytes of each read/write (default 64)\n"
    "  --data=full       capture everything;  --data=0  capture nothing\n"
    "  --all-fds         trace regular files and ttys too, not only pipes,\n"
    "                    FIFOs and sockets\n"
    "  --timeout=DURATION  when CMD still runs after DURATION (5, 1.5s, 2m, 1h),\n"
    "                    print on stderr what every traced process is blocked in\n"
    "                    and waits for, then end every process CMD started and\n"
    "                    exit 124, as timeout(1) does\n"
    "  --timeout-signal=SIG  the signal sent at the timeout (default TERM)\n"
    "  --kill-after=DURATION  then SIGKILL to what is left (default 2s)\n"
    "  --inject=SPEC[,SPEC...]  inject faults into pipe, FIFO and socket I/O:\n"
    "                    SPEC = short|eintr|eagain|epipe|delay=10ms\n"
    "                    [:calls=read+write...]\n"
    "                    [:fds=pipe+fifo+socket][:ino=N][:pid=N][:exe=NAME]\n"
    "                    [:argv=WORD]\n"
    "                    [:every=N|:nth=N|:p=0.1] (default: calls 1, 3, 5...);\n"
    "                    see pipetrace(1).  Injected calls are marked in the trace\n"
    "  --seed=S          seed of p= draws (default 0): the same seed, the same\n"
    "                    faults on the same calls\n"
    "\n"
    "Ctrl-C while traced processes are blocked prints the same diagnosis, of\n"
    "the moment it was pressed; CMD gets the SIGINT as it would untraced.  A\n"
    "second Ctrl-C within a second does not wait for it.\n"
    "\n"
    "Environment: PIPETRACE_LIB overrides where libpipetrace.so is looked for.\n";

struct run_options {
    const char *dir;
    const char *data; /* NULL: leave the library's default */
    int all_fds;
    int append;
    const char *inject; /* NULL: no fault injection */
    const char *seed;
    struct run_limits limits;
    char **command;
};

/* "5", "1.5s", "2m", "1h", "1d" as timeout(1) reads them; -1 when bad. */
static double parse_duration(const char *s) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno != 0 || !(v >= 0) || v > 1e9)
        return -1;
    static const struct {
        char unit;
        double scale;
    } units[] = {{'\0', 1}, {'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (*end == units[i].unit && (*end == '\0' || end[1] == '\0'))
            return v * units[i].scale;
    return -1;
}

/* "TERM", "SIGTERM", "term" or a number; -1 when none. */
static int parse_signal(const char *s) {
    if (strspn(s, "0123456789") == strlen(s) && *s != '\0' && strlen(s) < 4) {
        int n = atoi(s);
        return n > 0 && n < NSIG ? n : -1;
    }
    const char *bare = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
    for (int sig = 1; sig < NSIG; sig++) {
        const char *name = pt_signal_name(sig);
        if (name != NULL && strcasecmp(name + 3, bare) == 0)
            return sig;
    }
    return -1;
}

static int parse_limit_option(int c, const char *value, struct run_limits *l) {
    if (c == 'T' && (l->timeout_s = parse_duration(value)) < 0)
        return cli_usage_error("run", "--timeout wants a duration (5, 1.5s, 2m, 1h), not '%s'",
                               value);
    if (c == 'S' && (l->timeout_signal = parse_signal(value)) < 0)
        return cli_usage_error("run", "--timeout-signal wants a signal (TERM, INT, 9), not '%s'",
                               value);
    if (c == 'K' && (l->kill_after_s = parse_duration(value)) < 0)
        return cli_usage_error("run", "--kill-after wants a duration (5, 1.5s, 2m), not '%s'",
                               value);
    return 0;
}

static int valid_data_limit(const char *s) {
    if (strcmp(s, "full") == 0)
        return 1;
    if (*s == '\0' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 10)
        return 0;
    return strtoull(s, NULL, 10) < UINT32_MAX; /* UINT32_MAX means "full" */
}

/* A spec the library would not understand is refused here: inside the
 * traced program a bad one only disables injection, silently. */
static int check_inject(const struct run_options *o) {
    uint64_t seed;
    if (o->seed != NULL && !pt_inject_parse_seed(o->seed, &seed))
        return cli_usage_error("run", "--seed wants a number, not '%s'", o->seed);
    if (o->inject == NULL)
        return 0;
    struct pt_inject_spec specs[PT_INJECT_SPECS_MAX];
    const char *error;
    int where;
    if (pt_inject_parse(o->inject, specs, PT_INJECT_SPECS_MAX, &error, &where) < 0)
        return cli_usage_error("run", "--inject: %s, at '%s'", error, o->inject + where);
    return 0;
}

static int parse_run_options(int argc, char **argv, struct run_options *o) {
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"data", required_argument, NULL, 'd'},
        {"all-fds", no_argument, NULL, 'a'},
        {"append", no_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},
        {"timeout", required_argument, NULL, 'T'},
        {"timeout-signal", required_argument, NULL, 'S'},
        {"kill-after", required_argument, NULL, 'K'},
        {"inject", required_argument, NULL, 'I'},
        {"seed", required_argument, NULL, 'E'},
        {NULL, 0, NULL, 0},
    };
    *o = (struct run_options){
        .dir = DEFAULT_TRACE_DIR,
        .limits = {.timeout_signal = SIGTERM, .kill_after_s = 2},
    };
    opterr = 0;
    optind = 1;
    int c;
    /* '+': the first word that is not an option starts CMD, whose own
     * options are left alone. */
    while ((c = getopt_long(argc, argv, "+:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->dir = optarg;
            break;
        case 'd':
            o->data = optarg;
            break;
        case 'a':
            o->all_fds = 1;
            break;
        case 'A':
            o->append = 1;
            break;
        case 'I':
            o->inject = optarg;
            break;
        case 'E':
            o->seed = optarg;
            break;
        case 'T':
        case 'S':
        case 'K':
            if (parse_limit_option(c, optarg, &o->limits) != 0)
                return EXIT_BAD_INPUT;
            break;
        case 'h':
            fputs(cmd_run_usage, stdout);
            exit(0);
        case ':':
            return cli_usage_error("run", "%s needs a value", argv[optind - 1]);
        default:
            return cli_usage_error("run", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (o->data != NULL && !valid_data_limit(o->data))
        return cli_usage_error("run", "--data wants a byte count, 'full' or 0, not '%s'", o->data);
    if (check_inject(o) != 0)
        return EXIT_BAD_INPUT;
    if (optind >= argc)
        return cli_usage_error("run", "no command to run");
    o->command = argv + optind;
    return 0;
}

/* Our library first so it is interposed before anything the user preloads. */
static int set_preload(const char *lib) {
    const char *old = getenv("LD_PRELOAD");
    if (old == NULL || *old == '\0')
        return setenv("LD_PRELOAD", lib, 1);
    char *both;
    if (asprintf(&both, "%s:%s", lib, old) < 0)
        return -1;
    int rc = setenv("LD_PRELOAD", both, 1);
    free(both);
    return rc;
}

static int set_environment(const struct run_options *o, const char *lib, const char *dir) {
    if (set_preload(lib) < 0 || setenv("PIPETRACE_DIR", dir, 1) < 0 ||
        (o->data != NULL && setenv("PIPETRACE_DATA", o->data, 1) < 0) ||
        (o->all_fds && setenv("PIPETRACE_ALL_FDS", "1", 1) < 0) ||
        (o->inject != NULL && setenv("PIPETRACE_INJECT", o->inject, 1) < 0) ||
        (o->seed != NULL && setenv("PIPETRACE_INJECT_SEED", o->seed, 1) < 0)) {
        cli_error("cannot set the environment: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* Runs in the child: never returns.  It gets the signal mask and the
 * SIGINT and SIGQUIT handling run was started with. */
static void exec_command(char **command, const struct sigaction old_actions[3],
                         const sigset_t *old_mask) {
    sigaction(SIGINT, &old_actions[0], NULL);
    sigaction(SIGQUIT, &old_actions[1], NULL);
    sigaction(SIGCHLD, &old_actions[2], NULL);
    sigprocmask(SIG_SETMASK, old_mask, NULL);
    execvp(command[0], command);
    int err = errno;
    if (err == ENOENT)
        cli_error("%s: command not found", command[0]);
    else
        cli_error("%s: %s", command[0], strerror(err));
    _exit(err == ENOENT ? 127 : 126);
}

/* Like a shell, the parent ignores ^\ while it waits: it reaches the whole
 * foreground group, and the child decides what it means.  ^C is taken by
 * run_wait (for the diagnosis) unless run was started with it ignored, and
 * otherwise left to the child in the same way. */
static int spawn_and_wait(char **command, struct run_limits *limits, const char *dir) {
    struct sigaction ignore = {.sa_handler = SIG_IGN}, dfl = {.sa_handler = SIG_DFL};
    struct sigaction old[3]; /* SIGINT, SIGQUIT, SIGCHLD as run got them */
    sigemptyset(&ignore.sa_mask);
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGQUIT, &ignore, &old[1]);
    sigaction(SIGINT, NULL, &old[0]);
    sigaction(SIGCHLD, NULL, &old[2]);
    limits->watch_sigint = old[0].sa_handler != SIG_IGN;
    /* Taken by sigwaitinfo, so blocked and not ignored (an ignored signal
     * is dropped before anyone can wait for it). */
    sigaction(SIGINT, limits->watch_sigint ? &dfl : &ignore, NULL);
    sigaction(SIGCHLD, &dfl, NULL);
    sigset_t wanted, old_mask;
    run_wait_signals(limits, &wanted);
    sigprocmask(SIG_BLOCK, &wanted, &old_mask);
    if (limits->timeout_s > 0 && run_adopt_orphans() < 0)
        cli_error("warning: processes that leave their parent will not be ended at the "
                  "timeout: %s",
                  strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        cli_error("cannot fork: %s", strerror(errno));
        return EXIT_BAD_INPUT;
    }
    if (pid == 0)
        exec_command(command, old, &old_mask);
    return run_wait(pid, limits, &wanted, dir);
}

int cmd_run(int argc, char **argv) {
    struct run_options o;
    int rc = parse_run_options(argc, argv, &o);
    if (rc != 0)
        return rc;
    char lib[PATH_MAX], dir[PATH_MAX];
    struct run_report_state report;
    if (find_preload_lib(lib, sizeof lib) < 0 ||
        run_dir_prepare(o.dir, o.append, dir, sizeof dir) < 0 || set_environment(&o, lib, dir) < 0)
        return EXIT_BAD_INPUT;
    if (run_report_begin(&report, dir) < 0) {
        cli_error("out of memory");
        return EXIT_BAD_INPUT;
    }
    rc = spawn_and_wait(o.command, &o.limits, dir);
    run_report_end(&report, dir);
    run_report_free(&report);
    return rc;
}
