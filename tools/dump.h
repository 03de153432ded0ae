/* The two output forms of `pipetrace dump`, and what they share. */
#ifndef PIPETRACE_TOOLS_DUMP_H
#define PIPETRACE_TOOLS_DUMP_H

#include <stdint.h>
#include <stdio.h>

#include "trace/merge.h"
#include "trace/reader.h"

/* strace-like lines. */
void dump_text_process(FILE *out, const struct pt_file *f);
void dump_text_event(FILE *out, const struct pt_merged *m, uint64_t t0);

/* One JSON object per line. */
void dump_json_process(FILE *out, const struct pt_file *f);
void dump_json_event(FILE *out, const struct pt_merged *m, uint64_t t0);

/* --- shared by both forms ---------------------------------------------- */

/* Writes t - t0 in seconds with the given number of decimals (6 or 9). */
void dump_rel_time(FILE *out, uint64_t t, uint64_t t0, int decimals);

#endif /* PIPETRACE_TOOLS_DUMP_H */
