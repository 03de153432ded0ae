/* The libc functions the wrappers stand in front of (one slot per row of
 * wrappers.inc), what dlsym(RTLD_NEXT) gives, each resolved when a wrapper
 * first needs it (real.c says how), even before the constructor has run
 * (another library's constructor, a thread racing ours).
 *
 * Every wrapper takes its function through PT_REAL (wrappers.h) and has a
 * path for NULL, which happens only when dlsym is needed and this thread
 * is inside dlsym already (a dlsym the program interposed that calls back
 * into a wrapper: resolving again would recurse forever): the raw system
 * call where there is one, else a failure with ENOSYS (popen, system,
 * posix_spawn, daemon, pclose, openpty, login_tty). */
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

/* Start-up: prepares the lookup on first use (and falls back on filling
 * every slot now when it cannot be trusted). */
void pt_prepare_real(void);

/* Fills every slot of pt_real now; safe to call more than once. */
void pt_resolve_real(void);

/* Any other symbol as dlsym(RTLD_NEXT) finds it, by the cheaper lookup
 * where it can; start-up only (it may call dlsym). */
void *pt_real_symbol(const char *name);

/* Before a fork: resolves the functions a child calls before its exec
 * (once per image; as safe as the lookup on first use). */
void pt_resolve_for_children(void);

/* Resolves one slot of pt_real now, if no resolution by this thread is
 * under way (see above); returns it, maybe NULL. */
void *pt_resolve_slot(void **slot);

#endif /* PIPETRACE_PRELOAD_REAL_H */
