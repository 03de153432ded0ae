/* The trace directory of `pipetrace run`. */
#ifndef PIPETRACE_TOOLS_RUN_DIR_H
#define PIPETRACE_TOOLS_RUN_DIR_H

#include <stddef.h>

/* Creates dir (0700) if missing, refuses a symbolic link at its name, a
 * directory owned by another user and one writable by its group or others,
 * and (unless append) removes the trace files an earlier run left in it:
 * regular files with a trace file's name whose header has the trace magic
 * (or that are empty).  Stores the directory's absolute path in abs.  0, or
 * -1 after printing one line. */
int run_dir_prepare(const char *dir, int append, char *abs, size_t len);

/* True for "<pid>.<image>.ptr", the names the library gives trace files. */
int run_is_trace_name(const char *name);

#endif /* PIPETRACE_TOOLS_RUN_DIR_H */
