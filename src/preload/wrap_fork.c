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
#include <unistd.h>

#include "fdcache.h"
#include "real.h"
#include "recorder.h"
#include "src/trace/sys.h"
#include "state.h"

#define EXPORT __attribute__((visibility("default")))

static pid_t traced_fork(uint8_t type, pid_t (*real)(void), int run_child_reset) {
    int saved = errno;
    struct pt_record *rec = pt_begin(type, -1, NULL, 0, 0);
    errno = saved;
    pid_t pid = real();
    int call_errno = errno;
    if (pid == 0) {
        /* rec lies in the parent's trace, which the child no longer maps. */
        if (run_child_reset)
            pt_child_reset();
        errno = call_errno;
        return 0;
    }
    pt_end(rec, pid < 0 ? -call_errno : pid);
    errno = call_errno;
    return pid;
}

EXPORT pid_t fork(void) {
    if (__builtin_expect(!pt_real.fork, 0))
        pt_early_init();
    /* glibc runs our atfork child handler inside fork. */
    return traced_fork(PT_EV_FORK, pt_real.fork, 0);
}

EXPORT pid_t _Fork(void) {
    if (__builtin_expect(!pt_real.fork_nohandlers, 0))
        pt_early_init();
    if (!pt_real.fork_nohandlers)
        return traced_fork(PT_EV_FORK, pt_real.fork, 0);
    return traced_fork(PT_EV_FORK, pt_real.fork_nohandlers, 1);
}

EXPORT pid_t vfork(void) {
    if (__builtin_expect(!pt_real.fork, 0))
        pt_early_init();
    if (!pt_real.fork_nohandlers)
        return traced_fork(PT_EV_VFORK, pt_real.fork, 0);
    return traced_fork(PT_EV_VFORK, pt_real.fork_nohandlers, 1);
}

/* daemon forks (our atfork handler starts the child's trace), then points
 * fds 0-2 at /dev/null with glibc-internal calls no wrapper sees: what the
 * cache knew about them is no longer true in the child. */
EXPORT int daemon(int nochdir, int noclose) {
    if (__builtin_expect(!pt_real.daemon, 0))
        pt_early_init();
    int r = pt_real.daemon(nochdir, noclose);
    if (r == 0 && !noclose)
        pt_fd_forget_range(0, 2);
    return r;
}
