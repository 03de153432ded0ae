/* A live process as /proc/PID/stat tells it: what `run --timeout` needs to
 * find and stop the tree it started, and what `check` on a live trace needs
 * to tell a running process from one that is gone. */
#ifndef PIPETRACE_ANALYSIS_PROCSTAT_H
#define PIPETRACE_ANALYSIS_PROCSTAT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pt_procstat {
    char state; /* R, S, D, T/t (stopped), Z (zombie), X (dead), ... */
    int32_t ppid;
    uint64_t start_ns; /* when it started, in ns since boot */
};

/* 0, or -1 when pid is gone (or its stat cannot be read). */
int pt_procstat_read(int32_t pid, struct pt_procstat *out);

/* Not a zombie, not dead. */
int pt_procstat_live(const struct pt_procstat *p);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_ANALYSIS_PROCSTAT_H */
