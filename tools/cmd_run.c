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
#include "run_report.h"

const char cmd_run_usage[] =
    "usage: pipetrace run [-o DIR] [--append] [--data=N|full|0] [--all-fds] -- CMD [ARGS...]\n"
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
    "\n"
    "Environment: PIPETRACE_LIB overrides where libpipetrace.so is looked for.\n";

struct run_options {
    const char *dir;
    const char *data; /* NULL: leave the library's default */
    int all_fds;
    int append;
    char **command;
};

static int valid_data_limit(const char *s) {
    if (strcmp(s, "full") == 0)
        return 1;
    if (*s == '\0' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 10)
        return 0;
    return strtoull(s, NULL, 10) < UINT32_MAX; /* UINT32_MAX means "full" */
}

static int parse_run_options(int argc, char **argv, struct run_options *o) {
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"data", required_argument, NULL, 'd'},
        {"all-fds", no_argument, NULL, 'a'},      {"append", no_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    *o = (struct run_options){.dir = DEFAULT_TRACE_DIR};
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
        (o->all_fds && setenv("PIPETRACE_ALL_FDS", "1", 1) < 0)) {
        cli_error("cannot set the environment: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* Runs in the child: never returns. */
static void exec_command(char **command, const struct sigaction *old_int,
                         const struct sigaction *old_quit) {
    sigaction(SIGINT, old_int, NULL);
    sigaction(SIGQUIT, old_quit, NULL);
    execvp(command[0], command);
    int err = errno;
    if (err == ENOENT)
        cli_error("%s: command not found", command[0]);
    else
        cli_error("%s: %s", command[0], strerror(err));
    _exit(err == ENOENT ? 127 : 126);
}

static int exit_status_of(int status) {
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

/* Like a shell, the parent ignores ^C and ^\ while it waits: they reach the
 * whole foreground group, and the child decides what they mean. */
static int spawn_and_wait(char **command) {
    struct sigaction ignore = {.sa_handler = SIG_IGN}, old_int, old_quit;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGINT, &ignore, &old_int);
    sigaction(SIGQUIT, &ignore, &old_quit);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        cli_error("cannot fork: %s", strerror(errno));
        return EXIT_BAD_INPUT;
    }
    if (pid == 0)
        exec_command(command, &old_int, &old_quit);
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            cli_error("waiting for %s: %s", command[0], strerror(errno));
            return EXIT_BAD_INPUT;
        }
    }
    return exit_status_of(status);
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
    rc = spawn_and_wait(o.command);
    run_report_end(&report, dir);
    run_report_free(&report);
    return rc;
}
