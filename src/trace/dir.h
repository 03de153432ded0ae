/* The trace directory: every "<pid>.<image>.ptr" file a traced run left. */
#ifndef PIPETRACE_TRACE_DIR_H
#define PIPETRACE_TRACE_DIR_H

#include <stddef.h>

#include "reader.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A file that has a trace file's name but could not be read as one (empty,
 * cut inside its header, not a trace, not a regular file): a gap in the
 * trace, which the viewer warns about and reports as such. */
struct pt_skipped {
    char *name;    /* base name, "4711.0.ptr" */
    char *message; /* one line, "pipetrace: DIR/4711.0.ptr: empty file (...)" */
};

struct pt_dir {
    struct pt_file *files; /* opened, in name order (pid, then image) */
    size_t count;
    struct pt_skipped *skipped; /* in name order */
    size_t nskipped, cap_skipped;
};

/* Opens every trace file in path.  A file that cannot be read costs only
 * itself: it is listed in d->skipped and the rest is read.  Fails (-1,
 * one-line message in err) if the directory is missing or unreadable,
 * holds no trace files, or none of them can be read; d->skipped is kept
 * even then, and d must be closed with pt_dir_close either way. */
int pt_dir_open(struct pt_dir *d, const char *path, char *err, size_t errlen);
void pt_dir_close(struct pt_dir *d);

/* Orders trace file names as numbers where they are numbers, so that
 * "99.0.ptr" comes before "100.0.ptr"; strcmp-like result. */
int pt_trace_name_cmp(const char *a, const char *b);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_TRACE_DIR_H */
