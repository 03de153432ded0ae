/* The output forms of `pipetrace export`. */
#ifndef PIPETRACE_TOOLS_EXPORT_H
#define PIPETRACE_TOOLS_EXPORT_H

#include <stdio.h>

#include "trace/dir.h"

/* Chrome Trace Event JSON (Perfetto, chrome://tracing).  0, or -1 when out
 * of memory. */
int export_chrome(FILE *out, const struct pt_dir *d);

/* One JSON object per line, as `pipetrace dump --json`.  0, or -1 when out
 * of memory. */
int export_jsonl(FILE *out, const struct pt_dir *d);

#endif /* PIPETRACE_TOOLS_EXPORT_H */
