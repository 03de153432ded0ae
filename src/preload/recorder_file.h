/* This image's trace file: created on the first recorded call, detached in
 * the child of a fork, finished at exit.  The recording hot path
 * (recorder.c) asks it for the writer. */
#ifndef PIPETRACE_PRELOAD_RECORDER_FILE_H
#define PIPETRACE_PRELOAD_RECORDER_FILE_H

#include <stddef.h>

#include "src/writer/writer.h"

/* The writer records go to now: non-NULL only while this image's file is
 * ready (set with release order once it is, cleared in a fork child). */
extern struct pt_writer *pt_live_writer;

static inline struct pt_writer *pt_file_current(void) {
    return __atomic_load_n(&pt_live_writer, __ATOMIC_ACQUIRE);
}

/* The writer, creating the file first if this image has none yet; NULL
 * when nothing is recorded (disabled, stopped, or the file could not be
 * made). */
struct pt_writer *pt_file_writer_slow(void);

static inline struct pt_writer *pt_file_writer(void) {
    struct pt_writer *w = pt_file_current();
    return __builtin_expect(w != NULL, 1) ? w : pt_file_writer_slow();
}

/* Whether this image gave up recording (its file could not be made). */
int pt_file_failed(void);

/* Says (only with PIPETRACE_VERBOSE=1) that tracing stopped, once. */
void pt_file_announce_stop(struct pt_writer *w);

/* The image ends: cut the file's unused end. */
void pt_file_finish(void);

#endif
