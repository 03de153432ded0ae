/* ioctl: only the three requests that change what fcntl changes are
 * recorded, FIONBIO (O_NONBLOCK: Python's os.set_blocking, many libraries)
 * and FIOCLEX / FIONCLEX (FD_CLOEXEC: Python's pass_fds).  ioctl is hot for
 * terminals (every isatty, every window-size query): any other request goes
 * straight to libc after three comparisons, nothing looked up, nothing
 * recorded. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "call.h"
#include "fdcache.h"
#include "recorder.h"
#include "wrappers.h"

static int changes_fd_flags(unsigned long request) {
    return request == FIONBIO || request == FIOCLEX || request == FIONCLEX;
}

/* What the call did to the fd's flags, for the cache the records read. */
static void note_flags(int fd, unsigned long request, int nonblock) {
    if (request == FIONBIO)
        pt_fdcache_update_flags(fd, nonblock ? PT_FDF_NONBLOCK : 0, nonblock ? 0 : PT_FDF_NONBLOCK);
    else if (request == FIOCLEX)
        pt_fdcache_update_flags(fd, PT_FDF_CLOEXEC, 0);
    else
        pt_fdcache_update_flags(fd, 0, PT_FDF_CLOEXEC);
}

static int traced_ioctl(int (*real)(int, unsigned long, ...), int fd, unsigned long request,
                        void *argp) {
    struct pt_call c;
    if (!pt_enter_fd(&c, fd)) {
        int r = PT_CALL(&c, real(fd, request, argp));
        if (r == 0)
            note_flags(fd, request, request == FIONBIO && *(const int *)argp != 0);
        return PT_LEAVE(&c, r);
    }
    c.rec = pt_begin(PT_EV_IOCTL, fd, &c.fd, (uint32_t)request, 0);
    int r = PT_CALL(&c, real(fd, request, argp));
    if (r == 0) {
        /* The kernel read FIONBIO's int: it can be read now without a fault. */
        int nonblock = request == FIONBIO && *(const int *)argp != 0;
        note_flags(fd, request, nonblock);
        if (c.rec != NULL)
            c.rec->arg = (uint32_t)request | (uint64_t)(unsigned)nonblock << 32;
    }
    return PT_FINISH(&c, r);
}

/* The third argument, where there is one, is a pointer-sized word (what
 * glibc itself passes on). */
PT_EXPORT int ioctl(int fd, unsigned long request, ...) {
    va_list ap;
    va_start(ap, request);
    void *argp = va_arg(ap, void *);
    va_end(ap);
    __auto_type real = PT_REAL(ioctl);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_ioctl, fd, request, argp);
    if (__builtin_expect(!changes_fd_flags(request), 1))
        return real(fd, request, argp);
    return traced_ioctl(real, fd, request, argp);
}
