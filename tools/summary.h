/* The two output forms of `pipetrace summary`. */
#ifndef PIPETRACE_TOOLS_SUMMARY_H
#define PIPETRACE_TOOLS_SUMMARY_H

#include <stdio.h>

#include "analysis_cli.h"

void summary_text(FILE *out, const struct analysis *a);
void summary_json(FILE *out, const struct analysis *a);

/* Calls worth a row in the per-process table (not the bookkeeping records
 * such as module or callsite). */
int summary_counted_call(unsigned type);

#endif /* PIPETRACE_TOOLS_SUMMARY_H */
