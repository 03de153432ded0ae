/* What the wait-for graph's own files share (not for its users). */
#ifndef PIPETRACE_ANALYSIS_WAITFOR_IMPL_H
#define PIPETRACE_ANALYSIS_WAITFOR_IMPL_H

#include "waitfor.h"

/* waitfor.c: edges from node `from` (waiting on its fd) to every node
 * holding the other end of obj: the write end for input, else the read
 * end. */
void pt_wf_to_holders(struct pt_waitfor *g, size_t from, int fd, struct pt_objkey obj, uint8_t kind,
                      int for_input);

/* waitfor_poll.c: the record at offset in f, as an event (payload
 * included); 0 when there is none there. */
int pt_wf_event_at(const struct pt_file *f, uint64_t offset, struct pt_event *ev);

/* waitfor_poll.c: the edges of a node blocked in a poll-class call whose
 * record is at offset in its image's file. */
void pt_wf_poll_edges(struct pt_waitfor *g, size_t from, uint64_t offset);

#endif /* PIPETRACE_ANALYSIS_WAITFOR_IMPL_H */
