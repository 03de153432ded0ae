/* Where an fd was created: the caller's return address and the module it
 * lies in (recorded once per module and trace file, with its path and build
 * id, from which the viewer can find the function).  fd-creating calls are
 * rare, so the time goes here rather than on read and write. */
#ifndef PIPETRACE_PRELOAD_CALLSITE_H
#define PIPETRACE_PRELOAD_CALLSITE_H

#include "pipetrace/format.h"

/* Finds the loader's module lookup; at start-up, before any record. */
void pt_callsite_init(void);

/* Records a PT_EV_CALLSITE for rec (which must be in this image's file). */
void pt_note_callsite(const struct pt_record *rec, const void *return_address);

/* A new trace file knows no modules yet. */
void pt_callsite_forget_modules(void);

#endif
