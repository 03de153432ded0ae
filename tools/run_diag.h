/* `pipetrace run`'s live diagnosis: at a timeout or a Ctrl-C, what every
 * traced process is blocked in and what it waits for, from the trace as it
 * is being written. */
#ifndef PIPETRACE_TOOLS_RUN_DIAG_H
#define PIPETRACE_TOOLS_RUN_DIAG_H

#include <stdint.h>
#include <stdio.h>

/* Prints on out, after a first line "pipetrace: WHY: ...", each process
 * blocked in a traced call (the call, the fd and pipe, for how long, whom
 * it waits for), then check's hang problems (blocked-read, deadlocks).
 * cut: 0 to read the trace as it is now (the processes still run), else
 * the CLOCK_MONOTONIC time of a signal that may already have ended them:
 * the run as it stood then.  When nothing was blocked, prints one line
 * saying so if always, else nothing.
 * Returns the number of blocked processes, or -1 when the trace could not
 * be read (said on stderr). */
int run_diagnose(const char *dir, const char *why, uint64_t cut, int always, FILE *out);

#endif /* PIPETRACE_TOOLS_RUN_DIAG_H */
