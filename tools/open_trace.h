/* Opening a trace directory for a viewer subcommand. */
#ifndef PIPETRACE_TOOLS_OPEN_TRACE_H
#define PIPETRACE_TOOLS_OPEN_TRACE_H

#include <stdint.h>

#include "trace/dir.h"

/* Opens dir, with one warning line per trace file that cannot be read
 * (the rest is read; the analysis commands report the gap).  0, or
 * EXIT_BAD_INPUT after printing the error (d is then closed). */
int open_trace(const char *dir, struct pt_dir *d);

/* Prints one warning per damaged file.  Called after the command's pass
 * over the trace, which found the damage as it read (a file it did not read
 * whole is walked here). */
void warn_damaged_files(struct pt_dir *d);

/* The earliest image start: time zero of the outputs. */
uint64_t trace_t0(const struct pt_dir *d);

/* The latest time any record mentions (the end of the trace). */
uint64_t trace_t_last(const struct pt_dir *d);

/* Flushes stdout; 0, or 1 after reporting a write error. */
int finish_stdout(void);

#endif /* PIPETRACE_TOOLS_OPEN_TRACE_H */
