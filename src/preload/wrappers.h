/* What every wrap_*.c file needs: the real functions and how to get one. */
#ifndef PIPETRACE_PRELOAD_WRAPPERS_H
#define PIPETRACE_PRELOAD_WRAPPERS_H

#include "real.h"

/* Resolves one slot of pt_real on demand, running the library's start-up
 * first if it has not run (init.c); returns it, maybe NULL. */
void *pt_real_late(void **slot);

/* The real function for pt_real.fn, or NULL when it cannot be had yet. */
#define PT_REAL(fn)                                                                                \
    ({                                                                                             \
        __typeof__(pt_real.fn) real_fn_ = __atomic_load_n(&pt_real.fn, __ATOMIC_RELAXED);          \
        __builtin_expect(real_fn_ != NULL, 1)                                                      \
            ? real_fn_                                                                             \
            : (__typeof__(pt_real.fn))pt_real_late((void **)&pt_real.fn);                          \
    })

#endif /* PIPETRACE_PRELOAD_WRAPPERS_H */
