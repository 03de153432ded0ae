/* The fd leak audit (`pipetrace leaks`): fds an image inherited across
 * exec and never used, and fds a process created and still held at exit. */
#ifndef PIPETRACE_ANALYSIS_LEAKS_H
#define PIPETRACE_ANALYSIS_LEAKS_H

#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

struct pt_leak {
    size_t image;
    struct pt_fdent fd; /* the entry as the image last held it */
    int rank;           /* 0: write end of a pipe someone reads;
                           1: other write ends; 2: the rest */
};

struct pt_leaks {
    struct pt_leak *leaks; /* ranked, then by pid and fd */
    size_t nleaks;
    struct pt_leak *open_at_exit; /* by pid and fd */
    size_t nopen;
};

/* 0, or -1 when out of memory. */
int pt_leaks_find(const struct pt_model *m, struct pt_leaks *out);
void pt_leaks_free(struct pt_leaks *l);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_ANALYSIS_LEAKS_H */
