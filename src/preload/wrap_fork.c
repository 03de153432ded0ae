/* fork, _Fork and vfork: each child image gets a trace of its own.
 *
 * vfork is served by _Fork.  A wrapper cannot call the real vfork and return
 * (the child would return through the frame its suspended parent still
 * needs), and recording anything in a child that shares its parent's memory
 * would corrupt the parent's state.  A forked child with copied memory
 * behaves the same for every use of vfork that POSIX allows: the child calls
 * exec or _exit. */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fdcache.h"
#include "init.h"
#include "recorder.h"
#include "wrappers.h"

static pid_t traced_fork(uint8_t type, pid_t (*real)(void), int run_child_reset) {
    struct pt_call c;
    pt_enter(&c);
    pt_resolve_for_children();
    c.rec = pt_begin(type, -1, NULL, 0, 0);
    pid_t pid = PT_CALL(&c, real());
    if (pid == 0) {
        /* c.rec lies in the parent's trace, which the child no longer maps. */
        if (run_child_reset)
            pt_child_reset();
        return PT_LEAVE(&c, 0);
    }
    return PT_FINISH(&c, pid);
}

/* Only when even fork cannot be resolved yet (see real.h): the kernel's
 * fork, which runs no atfork handler, so the child is reset here. */
static pid_t raw_fork(void) {
    pid_t pid = (pid_t)syscall(SYS_fork);
    if (pid == 0)
        pt_child_reset();
    return pid;
}

PT_EXPORT pid_t fork(void) {
    __auto_type real = PT_REAL(fork);
    if (__builtin_expect(!real, 0))
        return raw_fork();
    /* glibc runs our atfork child handler inside fork. */
    return traced_fork(PT_EV_FORK, real, 0);
}

/* _Fork runs no atfork handlers: the child is reset by hand.  Where libc
 * has no _Fork, fork (with its handlers) stands in. */
static pid_t fork_without_handlers(uint8_t type) {
    pid_t (*real)(void) = PT_REAL(_Fork);
    if (real)
        return traced_fork(type, real, 1);
    real = PT_REAL(fork);
    if (real)
        return traced_fork(type, real, 0);
    return raw_fork();
}

PT_EXPORT pid_t _Fork(void) {
    return fork_without_handlers(PT_EV_FORK);
}

PT_EXPORT pid_t vfork(void) {
    return fork_without_handlers(PT_EV_VFORK);
}

/* daemon forks (our atfork handler starts the child's trace), then points
 * fds 0-2 at /dev/null with glibc-internal calls no wrapper sees: what the
 * cache knew about them is no longer true in the child. */
PT_EXPORT int daemon(int nochdir, int noclose) {
    __auto_type real = PT_REAL(daemon);
    if (__builtin_expect(!real, 0)) {
        errno = ENOSYS;
        return -1;
    }
    int r = real(nochdir, noclose);
    if (r == 0 && !noclose)
        pt_fdcache_forget_range(0, 2);
    return r;
}
