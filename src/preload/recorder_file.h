/* This image's trace file: created on the first recorded call, detached in
 * the child of a fork, finished at exit.  The recording hot path
 * (recorder.c) asks it for the writer. */
#ifndef PIPETRACE_PRELOAD_RECORDER_FILE_H
#define PIPETRACE_PRELOAD_RECORDER_FILE_H

#include "src/trace/writer.h"

/* The writer, creating the file first if this image has none yet; NULL
 * when nothing is recorded (disabled, stopped, or the file could not be
 * made). */
struct pt_writer *pt_file_writer(void);

/* The writer records go to now, or NULL; never creates anything. */
struct pt_writer *pt_file_current(void);

/* Whether this image gave up recording (its file could not be made). */
int pt_file_failed(void);

/* Says (only with PIPETRACE_VERBOSE=1) that tracing stopped, once. */
void pt_file_announce_stop(struct pt_writer *w);

/* The image ends: cut the file's unused end. */
void pt_file_finish(void);

#endif
