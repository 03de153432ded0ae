/* openpty, login_tty and forkpty: terminals made and put on fds 0-2 by
 * glibc-internal calls no wrapper sees.
 *
 * login_tty dup2()s the terminal onto 0, 1 and 2 behind our back; without
 * this file the fd cache kept saying fd 1 was the parent's stdout pipe, and
 * a forkpty child's writes to its terminal were recorded as writes to that
 * pipe.  openpty's fds are new numbers the cache may still hold stale
 * entries for.  forkpty is glibc's own sequence (openpty, fork, close,
 * login_tty, _exit(1) on failure) made through the wrappers, so that the
 * fork and the fds it changes are recorded like any other. */
#define _GNU_SOURCE
#include <errno.h>
#include <pty.h>
#include <unistd.h>
#include <utmp.h>

#include "fdcache.h"
#include "recorder.h"
#include "wrappers.h"

PT_EXPORT int openpty(int *amaster, int *aslave, char *name, const struct termios *termp,
                      const struct winsize *winp) {
    __auto_type real = PT_REAL(openpty);
    if (__builtin_expect(!real, 0)) {
        errno = ENOSYS;
        return -1;
    }
    int r = real(amaster, aslave, name, termp, winp);
    if (r == 0) {
        pt_fdcache_forget(*amaster);
        pt_fdcache_forget(*aslave);
    }
    return r;
}

/* What login_tty did: dup2(fd, n) for n = 0, 1, 2, then close(fd) when it
 * was above 2.  Recorded as those calls wherever the dup2 and close
 * wrappers would have recorded them (a traced object replaced or involved),
 * and taught to the cache. */
static void terminal_became_stdio(int fd) {
    struct pt_fdinfo term;
    pt_fdcache_identify(0, &term);
    for (int n = 0; n <= 2; n++) {
        if (n == fd)
            continue;
        struct pt_fdinfo old;
        int replaced = pt_fdcache_cached(n, &old) && pt_fdcache_is_traced_kind(old.kind);
        if (replaced || pt_fdcache_is_traced_kind(term.kind))
            pt_commit(pt_instant(PT_EV_DUP2, fd, &term, (uint64_t)n, n, 0));
        if (term.kind != PT_OBJ_UNKNOWN)
            pt_fdcache_learn(n, &term);
        else
            pt_fdcache_forget(n);
    }
    if (fd > 2) {
        if (pt_fdcache_is_traced_kind(term.kind))
            pt_commit(pt_instant(PT_EV_CLOSE, fd, &term, 0, 0, 0));
        pt_fdcache_forget(fd);
    }
}

PT_EXPORT int login_tty(int fd) {
    __auto_type real = PT_REAL(login_tty);
    if (__builtin_expect(!real, 0)) {
        errno = ENOSYS;
        return -1;
    }
    int r = real(fd);
    if (r == 0) {
        int call_errno = errno;
        terminal_became_stdio(fd);
        errno = call_errno;
    }
    return r;
}

PT_EXPORT pid_t forkpty(int *amaster, char *name, const struct termios *termp,
                        const struct winsize *winp) {
    int master, slave;
    if (openpty(&master, &slave, name, termp, winp) == -1)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        int fork_errno = errno;
        close(master);
        close(slave);
        errno = fork_errno;
        return -1;
    }
    if (pid == 0) {
        close(master);
        if (login_tty(slave) != 0)
            _exit(1);
        return 0;
    }
    int saved = errno;
    close(slave);
    errno = saved;
    *amaster = master;
    return pid;
}
