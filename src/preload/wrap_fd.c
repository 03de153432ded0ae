/* close, dup*, fcntl: keep the fd cache true, and record what they do to
 * the objects we trace (who let go of a pipe end, and when, is what explains
 * a missing EOF). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "call.h"
#include "callsite.h"
#include "fdcache.h"
#include "recorder.h"
#include "safemem.h"
#include "src/writer/sys.h"
#include "state.h"
#include "wrappers.h"

#define EXPORT __attribute__((visibility("default")))

EXPORT int close(int fd) {
    int (*real)(int) = PT_REAL(close);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_close, fd);
    int saved = errno;
    struct pt_fdinfo info;
    int traced = pt_call_on_fd(fd, &info);
    struct pt_record *rec = traced ? pt_begin(PT_EV_CLOSE, fd, &info, 0, 0) : NULL;
    /* Linux releases the fd even when close reports an error. */
    pt_fd_forget(fd);
    errno = saved;
    int r = real(fd);
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
    const void *caller;
};

/* dup2 and dup3 onto an fd that names a traced object close that object
 * first: such a call is recorded even when the fd it copies is a file, or
 * the viewer would think the process still held, say, a pipe's write end. */
static int replaces_traced(const struct dup_call *call) {
    int target = -1;
    if (call->type == PT_EV_DUP2 || call->type == PT_EV_DUP3)
        target = (int)(uint32_t)call->arg;
    struct pt_fdinfo replaced;
    return target >= 0 && target != call->oldfd && pt_fd_cached(target, &replaced) &&
           pt_fd_is_traced_kind(replaced.kind);
}

static struct pt_record *dup_begin(const struct dup_call *call, struct pt_fdinfo *old) {
    int traced = pt_call_on_fd(call->oldfd, old);
    if (!traced && !replaces_traced(call))
        return NULL;
    return pt_begin(call->type, call->oldfd, old, call->arg, 0);
}

static void dup_end(struct pt_record *rec, const struct dup_call *call, const struct pt_fdinfo *old,
                    int newfd, int call_errno) {
    if (newfd >= 0 && newfd != call->oldfd)
        learn_duplicate(newfd, old, call->cloexec);
    pt_end(rec, newfd < 0 ? -call_errno : newfd);
    if (newfd >= 0)
        pt_note_callsite(rec, call->caller);
}

EXPORT int dup(int oldfd) {
    int (*real)(int) = PT_REAL(dup);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_dup, oldfd);
    int saved = errno;
    struct dup_call call = {PT_EV_DUP, oldfd, 0, 0, __builtin_return_address(0)};
    struct pt_fdinfo old;
    struct pt_record *rec = dup_begin(&call, &old);
    errno = saved;
    int r = real(oldfd);
    int call_errno = errno;
    dup_end(rec, &call, &old, r, call_errno);
    errno = call_errno;
    return r;
}

EXPORT int dup2(int oldfd, int newfd) {
    int (*real)(int, int) = PT_REAL(dup2);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_dup2, oldfd, newfd);
    int saved = errno;
    struct dup_call call = {PT_EV_DUP2, oldfd, (uint64_t)(unsigned)newfd, 0,
                            __builtin_return_address(0)};
    struct pt_fdinfo old;
    struct pt_record *rec = dup_begin(&call, &old);
    errno = saved;
    int r = real(oldfd, newfd);
    int call_errno = errno;
    dup_end(rec, &call, &old, r, call_errno);
    errno = call_errno;
    return r;
}

EXPORT int dup3(int oldfd, int newfd, int flags) {
    int (*real)(int, int, int) = PT_REAL(dup3);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_dup3, oldfd, newfd, flags);
    int saved = errno;
    struct dup_call call = {PT_EV_DUP3, oldfd,
                            (uint64_t)(unsigned)newfd | (uint64_t)(unsigned)flags << 32,
                            (flags & O_CLOEXEC) != 0, __builtin_return_address(0)};
    struct pt_fdinfo old;
    struct pt_record *rec = dup_begin(&call, &old);
    errno = saved;
    int r = real(oldfd, newfd, flags);
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

static int is_dup_cmd(int cmd) {
    return cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC;
}
static int is_flag_cmd(int cmd) {
    return cmd == F_SETFL || cmd == F_SETFD;
}

static int traced_fcntl(int (*real)(int, int, ...), int fd, int cmd, void *argp,
                        const void *caller) {
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_fcntl, fd, cmd, argp);
    long value = (long)argp;
    if (!is_dup_cmd(cmd) && !is_flag_cmd(cmd))
        return real(fd, cmd, argp);
    int saved = errno;
    struct dup_call call = {PT_EV_FCNTL, fd, fcntl_arg(cmd, value), cmd == F_DUPFD_CLOEXEC, caller};
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
    return traced_fcntl(PT_REAL(fcntl), fd, cmd, argp, __builtin_return_address(0));
}

EXPORT int fcntl64(int fd, int cmd, ...) {
    va_list ap;
    va_start(ap, cmd);
    void *argp = va_arg(ap, void *);
    va_end(ap);
    return traced_fcntl(PT_REAL(fcntl64), fd, cmd, argp, __builtin_return_address(0));
}

/* close_range with CLOSE_RANGE_CLOEXEC marks instead of closing.  One
 * record stands for the whole range; the cache learns what it did. */
EXPORT int close_range(unsigned first, unsigned last, int flags) {
    int (*real)(unsigned, unsigned, int) = PT_REAL(close_range);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_close_range, first, last, flags);
    int saved = errno;
    struct pt_record *rec = pt_begin(PT_EV_CLOSE_RANGE, (int)first, NULL,
                                     (uint64_t)last | (uint64_t)(unsigned)flags << 32, 0);
    errno = saved;
    int r = real(first, last, flags);
    int call_errno = errno;
    if (r == 0) {
        if (flags & CLOSE_RANGE_CLOEXEC)
            pt_fd_cloexec_range(first, last);
        else
            pt_fd_forget_range(first, last);
    }
    pt_end(rec, r < 0 ? -call_errno : r);
    errno = call_errno;
    return r;
}

/* glibc's closefrom calls its internal close_range, which we never see. */
EXPORT void closefrom(int lowfd) {
    void (*real)(int) = PT_REAL(closefrom);
    unsigned first = lowfd < 0 ? 0 : (unsigned)lowfd;
    if (__builtin_expect(!real, 0)) {
        int saved = errno;
        syscall(SYS_close_range, first, ~0u, 0);
        errno = saved;
        return;
    }
    int saved = errno;
    struct pt_record *rec = pt_begin(PT_EV_CLOSE_RANGE, (int)first, NULL, ~0u, 0);
    errno = saved;
    real(lowfd);
    int call_errno = errno;
    pt_fd_forget_range(first, ~0u);
    pt_end(rec, 0);
    errno = call_errno;
}

/* open and openat: the fstat that tells a FIFO also names the object, and
 * the open flags say the rest, so the cache learns every opened fd here and
 * its close costs nothing extra.  A FIFO is worth a record with its path. */
static void describe_opened(const struct stat *st, int fd, int flags, struct pt_fdinfo *info) {
    pt_fd_describe(st, fd, info);
    info->flags = pt_fd_flags_from(flags, (flags & O_CLOEXEC) != 0);
}

static int opened(int fd, const char *path, int flags, int call_errno, const void *caller) {
    if (fd < 0)
        return fd;
    struct stat st;
    if (PT_SYS3(SYS_fstat, fd, &st, 0) != 0) {
        pt_fd_forget(fd);
        return fd;
    }
    struct pt_fdinfo info;
    describe_opened(&st, fd, flags, &info);
    pt_fd_learn(fd, &info);
    if (info.kind != PT_OBJ_FIFO && info.kind != PT_OBJ_PIPE)
        return fd;
    struct pt_record *rec = pt_instant(PT_EV_OPEN, fd, &info, (uint64_t)(unsigned)flags, fd,
                                       pt_strings_room(path, NULL));
    pt_put_strings(rec, path, NULL);
    pt_commit(rec);
    pt_note_callsite(rec, caller);
    errno = call_errno;
    return fd;
}

/* The mode argument is there only with O_CREAT or O_TMPFILE; reading it
 * always, as a plain int, is harmless and what libc itself does. */
#define OPEN_MODE(flags, last)                                                                     \
    ({                                                                                             \
        va_list ap;                                                                                \
        va_start(ap, last);                                                                        \
        int m = va_arg(ap, int);                                                                   \
        va_end(ap);                                                                                \
        (void)(flags);                                                                             \
        m;                                                                                         \
    })

EXPORT int open(const char *path, int flags, ...) {
    int mode = OPEN_MODE(flags, flags);
    int (*real)(const char *, int, ...) = PT_REAL(open);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
    int fd = real(path, flags, mode);
    return opened(fd, path, flags, errno, __builtin_return_address(0));
}

EXPORT int open64(const char *path, int flags, ...) {
    int mode = OPEN_MODE(flags, flags);
    int (*real)(const char *, int, ...) = PT_REAL(open64);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
    int fd = real(path, flags, mode);
    return opened(fd, path, flags, errno, __builtin_return_address(0));
}

EXPORT int openat(int dirfd, const char *path, int flags, ...) {
    int mode = OPEN_MODE(flags, flags);
    int (*real)(int, const char *, int, ...) = PT_REAL(openat);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_openat, dirfd, path, flags, mode);
    int fd = real(dirfd, path, flags, mode);
    return opened(fd, path, flags, errno, __builtin_return_address(0));
}

EXPORT int openat64(int dirfd, const char *path, int flags, ...) {
    int mode = OPEN_MODE(flags, flags);
    int (*real)(int, const char *, int, ...) = PT_REAL(openat64);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_openat, dirfd, path, flags, mode);
    int fd = real(dirfd, path, flags, mode);
    return opened(fd, path, flags, errno, __builtin_return_address(0));
}

EXPORT int mkfifo(const char *path, mode_t mode) {
    int (*real)(const char *, mode_t) = PT_REAL(mkfifo);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_mknodat, AT_FDCWD, path, mode | S_IFIFO, 0);
    int saved = errno;
    struct pt_memo memo = {{0}, 0, 0};
    const char *shown = pt_str_readable(&memo, path) ? path : ""; /* else EFAULT follows */
    struct pt_record *rec = pt_begin(PT_EV_MKFIFO, -1, NULL, mode, pt_strings_room(shown, NULL));
    pt_put_strings(rec, shown, NULL);
    errno = saved;
    int r = real(path, mode);
    int call_errno = errno;
    pt_end(rec, r < 0 ? -call_errno : r);
    errno = call_errno;
    return r;
}
