/* close, dup*, fcntl: keep the fd cache true, and record what they do to
 * the objects we trace (who let go of a pipe end, and when, is what explains
 * a missing EOF). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

#include "fdcache.h"
#include "real.h"
#include "recorder.h"
#include "src/trace/sys.h"
#include "state.h"

#define EXPORT __attribute__((visibility("default")))

static void ensure_real(void *fn) {
    if (__builtin_expect(!fn, 0))
        pt_early_init();
}

EXPORT int close(int fd) {
    ensure_real(pt_real.close);
    if (!pt_real.close)
        return (int)syscall(SYS_close, fd);
    int saved = errno;
    struct pt_fdinfo info;
    int traced = pt_traced_fd(fd, &info);
    struct pt_record *rec = traced ? pt_begin(PT_EV_CLOSE, fd, &info, 0, 0) : NULL;
    /* Linux releases the fd even when close reports an error. */
    pt_fd_forget(fd);
    errno = saved;
    int r = pt_real.close(fd);
    int call_errno = errno;
    pt_end(rec, r < 0 ? -call_errno : r);
    errno = call_errno;
    return r;
}

/* newfd now names what oldfd names, with close-on-exec as given. */
static void learn_duplicate(int newfd, const struct pt_fdinfo *old, int cloexec) {
    if (old->kind == PT_OBJ_UNKNOWN) {
        pt_fd_forget(newfd);
        return;
    }
    struct pt_fdinfo dup = *old;
    dup.flags = (uint8_t)((dup.flags & ~PT_FDF_CLOEXEC) | (cloexec ? PT_FDF_CLOEXEC : 0));
    pt_fd_learn(newfd, &dup);
}

/* The shared shape of dup, dup2, dup3 and F_DUPFD*: look the old fd up,
 * record, duplicate, then teach the cache the new number. */
struct dup_call {
    uint8_t type;
    int oldfd;
    uint64_t arg;
    int cloexec;
};

static struct pt_record *dup_begin(const struct dup_call *call, struct pt_fdinfo *old) {
    int traced = pt_traced_fd(call->oldfd, old);
    return traced ? pt_begin(call->type, call->oldfd, old, call->arg, 0) : NULL;
}

static void dup_end(struct pt_record *rec, const struct dup_call *call,
                    const struct pt_fdinfo *old, int newfd, int call_errno) {
    if (newfd >= 0 && newfd != call->oldfd)
        learn_duplicate(newfd, old, call->cloexec);
    pt_end(rec, newfd < 0 ? -call_errno : newfd);
}

EXPORT int dup(int oldfd) {
    ensure_real(pt_real.dup);
    int saved = errno;
    struct dup_call call = {PT_EV_DUP, oldfd, 0, 0};
    struct pt_fdinfo old;
    struct pt_record *rec = dup_begin(&call, &old);
    errno = saved;
    int r = pt_real.dup(oldfd);
    int call_errno = errno;
    dup_end(rec, &call, &old, r, call_errno);
    errno = call_errno;
    return r;
}

EXPORT int dup2(int oldfd, int newfd) {
    ensure_real(pt_real.dup2);
    int saved = errno;
    struct dup_call call = {PT_EV_DUP2, oldfd, (uint64_t)(unsigned)newfd, 0};
    struct pt_fdinfo old;
    struct pt_record *rec = dup_begin(&call, &old);
    errno = saved;
    int r = pt_real.dup2(oldfd, newfd);
    int call_errno = errno;
    dup_end(rec, &call, &old, r, call_errno);
    errno = call_errno;
    return r;
}

EXPORT int dup3(int oldfd, int newfd, int flags) {
    ensure_real(pt_real.dup3);
    int saved = errno;
    struct dup_call call = {PT_EV_DUP3, oldfd,
                            (uint64_t)(unsigned)newfd | (uint64_t)(unsigned)flags << 32,
                            (flags & O_CLOEXEC) != 0};
    struct pt_fdinfo old;
    struct pt_record *rec = dup_begin(&call, &old);
    errno = saved;
    int r = pt_real.dup3(oldfd, newfd, flags);
    int call_errno = errno;
    dup_end(rec, &call, &old, r, call_errno);
    errno = call_errno;
    return r;
}

static uint64_t fcntl_arg(int cmd, long value) {
    return (uint64_t)(unsigned)cmd | (uint64_t)(unsigned)value << 32;
}

/* F_SETFL and F_SETFD change flags the records report. */
static void note_flag_change(int fd, int cmd, long value) {
    if (cmd == F_SETFL)
        pt_fd_update_flags(fd, (value & O_NONBLOCK) ? PT_FDF_NONBLOCK : 0,
                           (value & O_NONBLOCK) ? 0 : PT_FDF_NONBLOCK);
    else if (cmd == F_SETFD)
        pt_fd_update_flags(fd, (value & FD_CLOEXEC) ? PT_FDF_CLOEXEC : 0,
                           (value & FD_CLOEXEC) ? 0 : PT_FDF_CLOEXEC);
}

static int is_dup_cmd(int cmd) { return cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC; }
static int is_flag_cmd(int cmd) { return cmd == F_SETFL || cmd == F_SETFD; }

static int traced_fcntl(int (*real)(int, int, ...), int fd, int cmd, void *argp) {
    long value = (long)argp;
    if (!is_dup_cmd(cmd) && !is_flag_cmd(cmd))
        return real(fd, cmd, argp);
    int saved = errno;
    struct dup_call call = {PT_EV_FCNTL, fd, fcntl_arg(cmd, value), cmd == F_DUPFD_CLOEXEC};
    struct pt_fdinfo old;
    struct pt_record *rec = dup_begin(&call, &old);
    errno = saved;
    int r = real(fd, cmd, argp);
    int call_errno = errno;
    if (is_dup_cmd(cmd)) {
        dup_end(rec, &call, &old, r, call_errno);
    } else {
        if (r >= 0)
            note_flag_change(fd, cmd, value);
        pt_end(rec, r < 0 ? -call_errno : r);
    }
    errno = call_errno;
    return r;
}

/* fcntl's third argument is an int or a pointer depending on cmd; passing it
 * on as a pointer-sized word is what glibc itself does. */
EXPORT int fcntl(int fd, int cmd, ...) {
    va_list ap;
    va_start(ap, cmd);
    void *argp = va_arg(ap, void *);
    va_end(ap);
    ensure_real(pt_real.fcntl);
    return traced_fcntl(pt_real.fcntl, fd, cmd, argp);
}

EXPORT int fcntl64(int fd, int cmd, ...) {
    va_list ap;
    va_start(ap, cmd);
    void *argp = va_arg(ap, void *);
    va_end(ap);
    ensure_real(pt_real.fcntl64);
    return traced_fcntl(pt_real.fcntl64, fd, cmd, argp);
}
