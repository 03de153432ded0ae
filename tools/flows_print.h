/* The two output forms of `pipetrace flows`. */
#ifndef PIPETRACE_TOOLS_FLOWS_PRINT_H
#define PIPETRACE_TOOLS_FLOWS_PRINT_H

#include <stdio.h>

#include "analysis/coverage.h"
#include "analysis/flows.h"

/* Worth listing: the pipe saw calls that moved bytes, reached EOF or
 * blocked. */
int flows_pipe_shown(const struct flows_pipe *p);

/* cov, when not NULL, is what the trace could not see (the gaps the files
 * show): the text ends with a note, the JSON gets "complete" and
 * "coverage_gaps". */
void flows_print_text(FILE *out, const struct flows *fl, const struct pt_coverage *cov);
void flows_print_json(FILE *out, const struct flows *fl, const struct pt_coverage *cov);

#endif /* PIPETRACE_TOOLS_FLOWS_PRINT_H */
