/* The two output forms of `pipetrace flows`. */
#ifndef PIPETRACE_TOOLS_FLOWS_PRINT_H
#define PIPETRACE_TOOLS_FLOWS_PRINT_H

#include <stdio.h>

#include "analysis/flows.h"

/* Worth listing: the pipe saw calls that moved bytes, reached EOF or
 * blocked. */
int flows_pipe_shown(const struct flows_pipe *p);

void flows_print_text(FILE *out, const struct flows *fl);
void flows_print_json(FILE *out, const struct flows *fl);

#endif /* PIPETRACE_TOOLS_FLOWS_PRINT_H */
