/* What every wrap_*.c file needs: the exported functions' declarations,
 * from the one list (wrappers.inc), the real functions, and the call
 * skeleton (call.h). */
#ifndef PIPETRACE_PRELOAD_WRAPPERS_H
#define PIPETRACE_PRELOAD_WRAPPERS_H

#include "call.h"
#include "real.h"

/* A function programs see; the version script (exports.map, made from
 * wrappers.inc) exports exactly these. */
#define PT_EXPORT __attribute__((visibility("default")))

/* Each wrapper, declared from its row: a definition that differs from the
 * row (or from libc's own declaration, which real.h includes) does not
 * compile. */
#define PT_WRAP(ret, name, params) PT_EXPORT ret name params;
#define PT_WRAP_ONLY(ret, name, params) PT_EXPORT ret name params;
#include "wrappers.inc"

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
