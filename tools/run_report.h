/* After `pipetrace run`'s command ended: stops and untraceable children,
 * reported on run's own stderr. */
#ifndef PIPETRACE_TOOLS_RUN_REPORT_H
#define PIPETRACE_TOOLS_RUN_REPORT_H

#include <stddef.h>

/* The trace files already in the directory before the run (--append), so
 * that an earlier run's stops are not reported again. */
struct run_report_state {
    char **before; /* sorted */
    size_t nbefore;
};

/* Before the command starts.  0, or -1 when out of memory. */
int run_report_begin(struct run_report_state *s, const char *dir);

/* After it ended: one line on stderr per process whose tracing stopped
 * ("pipetrace: tracing stopped in pid N (exe): ENOSPC (...), M events
 * dropped") and per child whose trace could not start, at most ten and a
 * count of the rest. */
void run_report_end(const struct run_report_state *s, const char *dir);

void run_report_free(struct run_report_state *s);

#endif /* PIPETRACE_TOOLS_RUN_REPORT_H */
