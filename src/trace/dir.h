/* The trace directory: every "<pid>.<image>.ptr" file a traced run left. */
#ifndef PIPETRACE_TRACE_DIR_H
#define PIPETRACE_TRACE_DIR_H

#include <stddef.h>

#include "reader.h"

#ifdef __cplusplus
extern "C" {
#endif

struct pt_dir {
    struct pt_file *files; /* opened, in name order (pid, then image) */
    size_t count;
};

/* Opens every trace file in path.  Fails (-1, one-line message in err) if
 * the directory is missing or unreadable, holds no trace files, or any one
 * of them cannot be opened: a dump that silently left out a process would
 * mislead more than it helps. */
int pt_dir_open(struct pt_dir *d, const char *path, char *err, size_t errlen);
void pt_dir_close(struct pt_dir *d);

/* Orders trace file names as numbers where they are numbers, so that
 * "99.0.ptr" comes before "100.0.ptr"; strcmp-like result. */
int pt_trace_name_cmp(const char *a, const char *b);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_TRACE_DIR_H */
