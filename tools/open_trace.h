/* Opening a trace directory for a viewer subcommand. */
#ifndef PIPETRACE_TOOLS_OPEN_TRACE_H
#define PIPETRACE_TOOLS_OPEN_TRACE_H

#include <stdint.h>

#include "trace/dir.h"

/* Opens dir, prints one warning per damaged file.  0, or EXIT_BAD_INPUT
 * after printing the error. */
int open_trace(const char *dir, struct pt_dir *d);

/* The earliest image start: time zero of the outputs. */
uint64_t trace_t0(const struct pt_dir *d);

/* The latest time any record mentions (the end of the trace). */
uint64_t trace_t_last(const struct pt_dir *d);

/* Flushes stdout; 0, or 1 after reporting a write error. */
int finish_stdout(void);

#endif /* PIPETRACE_TOOLS_OPEN_TRACE_H */
