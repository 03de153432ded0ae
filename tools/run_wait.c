/* `pipetrace run` while its command runs (run_wait.h).
 *
 * The command stays in run's process group and terminal foreground, as it
 * always did: what it sees does not change.  A Ctrl-C therefore reaches it
 * and run at the same moment, and it may be dead before run can read the
 * trace; so run notes the time and the diagnosis is of the trace cut at
 * that time (pt_model.cut), which the files keep after their writers die.
 * The diagnosis runs in a child of run, so that run goes on reaping and
 * watching signals meanwhile: a second Ctrl-C within a second (or while
 * it prints) ends it, and nothing is waited for.  At the timeout the
 * processes still run: the diagnosis reads the trace as it is, then the
 * tree gets the timeout signal, then SIGKILL after the grace period. */
#define _GNU_SOURCE
#include "run_wait.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_util.h"
#include "run_diag.h"
#include "run_kill.h"

#define NS_PER_S 1000000000ull
/* A second Ctrl-C this soon after the first does not wait for anything. */
#define SECOND_INTERRUPT_NS NS_PER_S
/* How often the tree is looked at while it is being ended: its members
 * that are not run's children die without a SIGCHLD to run. */
#define KILL_POLL_NS 20000000ull

enum phase {
    RUNNING,   /* the command runs, before any timeout */
    DIAGNOSE,  /* timed out: the diagnosis is being printed */
    SIGNALLED, /* timed out: the timeout signal was sent */
    KILLED,    /* timed out: SIGKILL was sent */
};

struct waiter {
    const struct run_limits *limits;
    const char *dir;
    pid_t child, diag;
    int child_done, status;
    enum phase phase;
    uint64_t deadline; /* of the current phase; 0: none */
    uint64_t last_interrupt;
};

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static uint64_t seconds_ns(double s) {
    return (uint64_t)(s * 1e9);
}

void run_wait_signals(const struct run_limits *l, sigset_t *set) {
    sigemptyset(set);
    sigaddset(set, SIGCHLD);
    if (l->watch_sigint)
        sigaddset(set, SIGINT);
}

static void write_all(int fd, const char *p, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        p += n;
        len -= (size_t)n;
    }
}

/* The diagnosis, printed by a child of run on run's stderr.  It dies of
 * the next Ctrl-C like any foreground process. */
static pid_t start_diagnosis(const struct waiter *w, const char *why, uint64_t cut) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid != 0)
        return pid < 0 ? 0 : pid;
    signal(SIGINT, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* Written at once, so that the lines the program prints as it dies
     * (a traceback) do not cut into it. */
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    run_diagnose(w->dir, why, cut, cut == 0,
                 mem != NULL ? mem : stderr); /* a timeout always says why */
    if (mem != NULL && fclose(mem) == 0)
        write_all(STDERR_FILENO, text, len);
    _exit(0);
}

static void timeout_text(const struct waiter *w, char *buf, size_t len) {
    snprintf(buf, len, "timed out after %gs", w->limits->timeout_s);
}

/* --- the phases of a timeout --------------------------------------------- */

static void send_timeout_signal(struct waiter *w) {
    run_signal_tree(w->limits->timeout_signal, w->diag);
    w->phase = SIGNALLED;
    w->deadline = now_ns() + seconds_ns(w->limits->kill_after_s);
}

static void on_deadline(struct waiter *w) {
    if (w->phase == RUNNING) {
        if (w->diag != 0) /* a Ctrl-C's, overtaken by the timeout */
            kill(w->diag, SIGKILL);
        char why[64];
        timeout_text(w, why, sizeof why);
        w->phase = DIAGNOSE;
        w->deadline = 0;
        w->diag = start_diagnosis(w, why, 0);
        if (w->diag == 0)
            send_timeout_signal(w);
    } else if (w->phase == SIGNALLED) {
        run_signal_tree(SIGKILL, w->diag);
        w->phase = KILLED;
        w->deadline = 0;
    }
}

/* --- signals ------------------------------------------------------------- */

static void on_interrupt(struct waiter *w) {
    uint64_t now = now_ns();
    int second = w->last_interrupt != 0 && now - w->last_interrupt < SECOND_INTERRUPT_NS;
    w->last_interrupt = now;
    if (w->diag != 0 || second) {
        if (w->diag != 0) /* reaped at once: nothing is waited for */
            kill(w->diag, SIGKILL);
        return;
    }
    if (!w->child_done && w->phase == RUNNING)
        w->diag = start_diagnosis(w, "interrupted", now);
}

/* Reaps every child that ended: the command, the diagnosis, and the
 * orphans run adopted. */
static int reap(struct waiter *w) {
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid == 0 || (pid < 0 && errno == ECHILD))
            return 0;
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            cli_error("waiting for the command: %s", strerror(errno));
            return -1;
        }
        if (pid == w->child) {
            w->child_done = 1;
            w->status = status;
        } else if (pid == w->diag) {
            w->diag = 0;
            if (w->phase == DIAGNOSE)
                send_timeout_signal(w);
        }
    }
}

/* Done when the command ended and nothing of ours is still printing;
 * after a timeout, also when nothing below run is left. */
static int finished(struct waiter *w) {
    if (!w->child_done || w->diag != 0)
        return 0;
    if (w->phase == RUNNING)
        return 1;
    if (w->phase == DIAGNOSE)
        send_timeout_signal(w);
    return run_signal_tree(0, 0) == 0;
}

/* How long to wait for the next signal; NULL for ever. */
static const struct timespec *wait_time(const struct waiter *w, struct timespec *ts) {
    uint64_t now = now_ns(), left;
    if (w->phase == SIGNALLED || w->phase == KILLED)
        left = KILL_POLL_NS;
    else if (w->deadline != 0)
        left = w->deadline > now ? w->deadline - now : 0;
    else
        return NULL;
    if (w->deadline != 0 && w->deadline > now && w->deadline - now < left)
        left = w->deadline - now;
    ts->tv_sec = (time_t)(left / NS_PER_S);
    ts->tv_nsec = (long)(left % NS_PER_S);
    return ts;
}

static int exit_status_of(int status) {
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

int run_wait(pid_t child, const struct run_limits *l, const sigset_t *set, const char *dir) {
    struct waiter w = {.limits = l, .dir = dir, .child = child, .phase = RUNNING};
    if (l->timeout_s > 0)
        w.deadline = now_ns() + seconds_ns(l->timeout_s);
    for (;;) {
        if (reap(&w) < 0)
            return EXIT_BAD_INPUT;
        if (finished(&w))
            break;
        struct timespec ts;
        const struct timespec *until = wait_time(&w, &ts);
        int sig = until ? sigtimedwait(set, NULL, until) : sigwaitinfo(set, NULL);
        if (sig == SIGINT)
            on_interrupt(&w);
        else if (sig < 0 && errno == EAGAIN && w.deadline != 0 && now_ns() >= w.deadline)
            on_deadline(&w);
    }
    return w.phase == RUNNING ? exit_status_of(w.status) : RUN_EXIT_TIMEDOUT;
}
