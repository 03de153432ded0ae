/* `pipetrace run` while its command runs: waiting for it, the timeout, and
 * Ctrl-C, with the live diagnosis at either. */
#ifndef PIPETRACE_TOOLS_RUN_WAIT_H
#define PIPETRACE_TOOLS_RUN_WAIT_H

#include <signal.h>
#include <sys/types.h>

/* Exit status of `timeout(1)` when the command timed out. */
#define RUN_EXIT_TIMEDOUT 124

struct run_limits {
    double timeout_s;    /* 0: none */
    int timeout_signal;  /* sent to the tree at the timeout */
    double kill_after_s; /* then SIGKILL to what is left */
    int watch_sigint;    /* SIGINT was not ignored when run started */
};

/* The signals the waiting loop takes (SIGCHLD, and SIGINT when watched):
 * blocked before the command is forked, so that none is lost. */
void run_wait_signals(const struct run_limits *l, sigset_t *set);

/* Waits for child (forked with the signals of run_wait_signals blocked),
 * printing the diagnosis of the trace in dir at a Ctrl-C while processes
 * are blocked and at the timeout, then ending the tree at the timeout.
 * Returns run's exit status: the child's (128+N when signal N killed it),
 * RUN_EXIT_TIMEDOUT after a timeout, or EXIT_BAD_INPUT when waiting
 * failed. */
int run_wait(pid_t child, const struct run_limits *l, const sigset_t *set, const char *dir);

#endif /* PIPETRACE_TOOLS_RUN_WAIT_H */
