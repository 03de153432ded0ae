/* The fd leak audit (`pipetrace leaks`): fds an image inherited across
 * exec and never used, fds handed over on purpose and never used, and fds
 * a process created and still held at exit. */
#ifndef PIPETRACE_ANALYSIS_LEAKS_H
#define PIPETRACE_ANALYSIS_LEAKS_H

#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

struct pt_leak {
    size_t image;
    struct pt_fdent fd;      /* the entry as the image last held it */
    int rank;                /* 0: write end of a pipe someone reads;
                                1: other write ends; 2: the rest */
    int dup_dropped_cloexec; /* created with O_CLOEXEC; a dup without it
                                made the copy that leaked */
};

struct pt_leaks {
    struct pt_leak *leaks; /* ranked, then by pid and fd */
    size_t nleaks;
    /* Inherited across exec and never used, but handed over on purpose:
     * made with O_CLOEXEC, which only a deliberate clear (fcntl F_SETFD,
     * ioctl FIONCLEX: Python's pass_fds) takes away, or seen cleared with
     * fcntl(F_SETFD) (make's jobserver).  Not leaks. */
    struct pt_leak *passed; /* by pid and fd */
    size_t npassed;
    struct pt_leak *open_at_exit; /* by pid and fd */
    size_t nopen;
};

void pt_leaks_find(const struct pt_model *m, struct pt_leaks *out);
void pt_leaks_free(struct pt_leaks *l);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_ANALYSIS_LEAKS_H */
