/* The libc functions the wrappers stand in front of (one slot per row of
 * wrappers.inc), resolved with dlsym(RTLD_NEXT) once, in the constructor,
 * or on first use when a wrapper runs before the constructor got to them:
 * another library's constructor, a thread racing ours, or a dlsym the
 * program interposed that calls back into a wrapper while we resolve.
 *
 * Every wrapper takes its function through PT_REAL (wrappers.h) and has a
 * path for NULL, which happens only in that last case (resolving again
 * would recurse forever): the raw system call where there is one, else a
 * failure with ENOSYS (popen, system, posix_spawn, daemon, pclose,
 * openpty, login_tty). */
#ifndef PIPETRACE_PRELOAD_REAL_H
#define PIPETRACE_PRELOAD_REAL_H

/* libc's own declarations of every row's function and the types they
 * name: a row that needs another header gets it here. */
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utmp.h>

struct pt_real_fns {
#define PT_WRAP(ret, name, params) ret(*name) params;
#define PT_WRAP_ONLY(ret, name, params)
#include "wrappers.inc"
};

extern struct pt_real_fns pt_real;

/* Fills pt_real; safe to call more than once. */
void pt_resolve_real(void);

/* Resolves one slot of pt_real now, if no resolution by this thread is
 * under way (see above); returns it, maybe NULL. */
void *pt_resolve_slot(void **slot);

#endif /* PIPETRACE_PRELOAD_REAL_H */
