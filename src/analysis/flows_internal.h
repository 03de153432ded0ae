/* What the parts of the flows analysis share (not for users). */
#ifndef PIPETRACE_ANALYSIS_FLOWS_INTERNAL_H
#define PIPETRACE_ANALYSIS_FLOWS_INTERNAL_H

#include "analysis/flows.h"

/* flows_pipes.c: the pipe of a record, created on first sight. */
struct flows_pipe *flows_pipe_get(struct flows *fl, struct pt_objkey obj, uint8_t kind);
void flows_pipes_free(struct flows *fl);

/* flows_infer.c: notes the pipes a record made (pipe, pipe2, popen, open). */
void flows_note_made(struct flows *fl, const struct pt_merged *m);

/* flows_infer.c: counts as done, at the end, the writes that never
 * returned whose bytes readers got. */
void flows_infer_writes(struct flows *fl);

/* flows_match.c: matches what both queues of p hold; with `final`, also
 * matches whatever is left to nobody. */
void flows_match(struct flows *fl, struct flows_pipe *p, int final);

#endif /* PIPETRACE_ANALYSIS_FLOWS_INTERNAL_H */
