/* What a wrapper asks before it records a call. */
#ifndef PIPETRACE_PRELOAD_CALL_H
#define PIPETRACE_PRELOAD_CALL_H

#include "fdcache.h"
#include "pipetrace/format.h"
#include "recorder.h"

/* Whether a call on fd is recorded: recording is on and fd names an object
 * we trace.  *info says what fd names, or PT_OBJ_UNKNOWN when recording is
 * off (then nothing is looked up). */
static inline int pt_call_on_fd(int fd, struct pt_fdinfo *info) {
    if (!pt_recording_on()) {
        info->kind = PT_OBJ_UNKNOWN;
        return 0;
    }
    return pt_fd_traced(fd, info);
}

#endif /* PIPETRACE_PRELOAD_CALL_H */
