/* The functions the wrappers stand in front of, resolved with
 * dlsym(RTLD_NEXT) once, in the constructor (or on first use when another
 * library's constructor calls a wrapper before ours ran). */
#ifndef PIPETRACE_PRELOAD_REAL_H
#define PIPETRACE_PRELOAD_REAL_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

struct pt_real_fns {
    ssize_t (*read)(int, void *, size_t);
    ssize_t (*write)(int, const void *, size_t);
    ssize_t (*readv)(int, const struct iovec *, int);
    ssize_t (*writev)(int, const struct iovec *, int);
    ssize_t (*read_chk)(int, void *, size_t, size_t);
    int (*pipe)(int[2]);
    int (*pipe2)(int[2], int);
    pid_t (*fork)(void);
    pid_t (*fork_nohandlers)(void); /* _Fork: fork without atfork handlers */
    int (*close)(int);
    int (*dup)(int);
    int (*dup2)(int, int);
    int (*dup3)(int, int, int);
    int (*fcntl)(int, int, ...);
    int (*fcntl64)(int, int, ...);
};

extern struct pt_real_fns pt_real;

/* Fills pt_real; safe to call more than once. */
void pt_resolve_real(void);

#endif /* PIPETRACE_PRELOAD_REAL_H */
