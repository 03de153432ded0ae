/* open, close, dup*, fcntl: keep the fd cache true, and record what they do
 * to the objects we trace (who let go of a pipe end, and when, is what
 * explains a missing EOF). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "callsite.h"
#include "fdcache.h"
#include "recorder.h"
#include "safemem.h"
#include "src/writer/sys.h"
#include "wrappers.h"

PT_EXPORT int close(int fd) {
    __auto_type real = PT_REAL(close);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_close, fd);
    struct pt_call c;
    if (pt_enter_fd(&c, fd))
        c.rec = pt_begin(PT_EV_CLOSE, fd, &c.fd, 0, 0);
    /* Linux releases the fd even when close reports an error. */
    pt_fdcache_forget(fd);
    return PT_FINISH(&c, PT_CALL(&c, real(fd)));
}

/* newfd now names what oldfd names, with close-on-exec as given. */
static void learn_duplicate(int newfd, const struct pt_fdinfo *old, int cloexec) {
    if (old->kind == PT_OBJ_UNKNOWN) {
        pt_fdcache_forget(newfd);
        return;
    }
    struct pt_fdinfo dup = *old;
    dup.flags = (uint8_t)((dup.flags & ~PT_FDF_CLOEXEC) | (cloexec ? PT_FDF_CLOEXEC : 0));
    pt_fdcache_learn(newfd, &dup);
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
    return target >= 0 && target != call->oldfd && pt_fdcache_cached(target, &replaced) &&
           pt_fdcache_is_traced_kind(replaced.kind);
}

static void dup_enter(struct pt_call *c, const struct dup_call *call) {
    int traced = pt_enter_fd(c, call->oldfd);
    if (traced || replaces_traced(call))
        c->rec = pt_begin(call->type, call->oldfd, &c->fd, call->arg, 0);
}

static int dup_leave(struct pt_call *c, const struct dup_call *call, int newfd) {
    if (newfd >= 0 && newfd != call->oldfd)
        learn_duplicate(newfd, &c->fd, call->cloexec);
    pt_end(c->rec, pt_outcome(c, newfd));
    if (newfd >= 0)
        pt_note_callsite(c->rec, call->caller);
    return PT_LEAVE(c, newfd);
}

PT_EXPORT int dup(int oldfd) {
    __auto_type real = PT_REAL(dup);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_dup, oldfd);
    struct dup_call call = {PT_EV_DUP, oldfd, 0, 0, __builtin_return_address(0)};
    struct pt_call c;
    dup_enter(&c, &call);
    return dup_leave(&c, &call, PT_CALL(&c, real(oldfd)));
}

PT_EXPORT int dup2(int oldfd, int newfd) {
    __auto_type real = PT_REAL(dup2);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_dup2, oldfd, newfd);
    struct dup_call call = {PT_EV_DUP2, oldfd, (uint64_t)(unsigned)newfd, 0,
                            __builtin_return_address(0)};
    struct pt_call c;
    dup_enter(&c, &call);
    return dup_leave(&c, &call, PT_CALL(&c, real(oldfd, newfd)));
}

PT_EXPORT int dup3(int oldfd, int newfd, int flags) {
    __auto_type real = PT_REAL(dup3);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_dup3, oldfd, newfd, flags);
    struct dup_call call = {PT_EV_DUP3, oldfd,
                            (uint64_t)(unsigned)newfd | (uint64_t)(unsigned)flags << 32,
                            (flags & O_CLOEXEC) != 0, __builtin_return_address(0)};
    struct pt_call c;
    dup_enter(&c, &call);
    return dup_leave(&c, &call, PT_CALL(&c, real(oldfd, newfd, flags)));
}

static uint64_t fcntl_arg(int cmd, long value) {
    return (uint64_t)(unsigned)cmd | (uint64_t)(unsigned)value << 32;
}

/* F_SETFL and F_SETFD change flags the records report. */
static void note_flag_change(int fd, int cmd, long value) {
    if (cmd == F_SETFL)
        pt_fdcache_update_flags(fd, (value & O_NONBLOCK) ? PT_FDF_NONBLOCK : 0,
                                (value & O_NONBLOCK) ? 0 : PT_FDF_NONBLOCK);
    else if (cmd == F_SETFD)
        pt_fdcache_update_flags(fd, (value & FD_CLOEXEC) ? PT_FDF_CLOEXEC : 0,
                                (value & FD_CLOEXEC) ? 0 : PT_FDF_CLOEXEC);
}

static int is_dup_cmd(int cmd) {
    return cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC;
}
static int is_flag_cmd(int cmd) {
    return cmd == F_SETFL || cmd == F_SETFD;
}

/* Only the commands that duplicate or change flags are recorded. */
static int traced_fcntl(int (*real)(int, int, ...), int fd, int cmd, void *argp,
                        const void *caller) {
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_fcntl, fd, cmd, argp);
    if (!is_dup_cmd(cmd) && !is_flag_cmd(cmd))
        return real(fd, cmd, argp);
    long value = (long)argp;
    struct dup_call call = {PT_EV_FCNTL, fd, fcntl_arg(cmd, value), cmd == F_DUPFD_CLOEXEC, caller};
    struct pt_call c;
    dup_enter(&c, &call);
    int r = PT_CALL(&c, real(fd, cmd, argp));
    if (is_dup_cmd(cmd))
        return dup_leave(&c, &call, r);
    if (r >= 0)
        note_flag_change(fd, cmd, value);
    return PT_FINISH(&c, r);
}

/* fcntl's third argument is an int or a pointer depending on cmd; passing it
 * on as a pointer-sized word is what glibc itself does. */
#define FCNTL_ARG(last)                                                                            \
    ({                                                                                             \
        va_list ap;                                                                                \
        va_start(ap, last);                                                                        \
        void *arg = va_arg(ap, void *);                                                            \
        va_end(ap);                                                                                \
        arg;                                                                                       \
    })

PT_EXPORT int fcntl(int fd, int cmd, ...) {
    return traced_fcntl(PT_REAL(fcntl), fd, cmd, FCNTL_ARG(cmd), __builtin_return_address(0));
}

PT_EXPORT int fcntl64(int fd, int cmd, ...) {
    return traced_fcntl(PT_REAL(fcntl64), fd, cmd, FCNTL_ARG(cmd), __builtin_return_address(0));
}

/* close_range with CLOSE_RANGE_CLOEXEC marks instead of closing.  One
 * record stands for the whole range; the cache learns what it did. */
PT_EXPORT int close_range(unsigned first, unsigned last, int flags) {
    __auto_type real = PT_REAL(close_range);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_close_range, first, last, flags);
    struct pt_call c;
    pt_enter(&c);
    c.rec = pt_begin(PT_EV_CLOSE_RANGE, (int)first, NULL,
                     (uint64_t)last | (uint64_t)(unsigned)flags << 32, 0);
    int r = PT_CALL(&c, real(first, last, flags));
    if (r == 0 && (flags & CLOSE_RANGE_CLOEXEC))
        pt_fdcache_cloexec_range(first, last);
    else if (r == 0)
        pt_fdcache_forget_range(first, last);
    return PT_FINISH(&c, r);
}

/* glibc's closefrom calls its internal close_range, which we never see.
 * It reports nothing, errno included. */
PT_EXPORT void closefrom(int lowfd) {
    __auto_type real = PT_REAL(closefrom);
    unsigned first = lowfd < 0 ? 0 : (unsigned)lowfd;
    struct pt_call c;
    pt_enter(&c);
    if (__builtin_expect(!real, 0)) {
        syscall(SYS_close_range, first, ~0u, 0);
        errno = c.errno_in;
        return;
    }
    c.rec = pt_begin(PT_EV_CLOSE_RANGE, (int)first, NULL, ~0u, 0);
    PT_CALL_VOID(&c, real(lowfd));
    pt_fdcache_forget_range(first, ~0u);
    pt_end(c.rec, 0);
    errno = c.errno_out;
}

/* open and openat: the fstat that tells a FIFO also names the object, and
 * the open flags say the rest, so the cache learns every opened fd here and
 * its close costs nothing extra.  A FIFO is worth a record with its path. */
static void describe_opened(const struct stat *st, int fd, int flags, struct pt_fdinfo *info) {
    pt_fdcache_describe(st, fd, info);
    info->flags = pt_fdcache_flags_from(flags, (flags & O_CLOEXEC) != 0);
}

static int opened(struct pt_call *c, int fd, const char *path, int flags, const void *caller) {
    struct stat st;
    if (fd < 0)
        return PT_LEAVE(c, fd);
    if (PT_SYS3(SYS_fstat, fd, &st, 0) != 0) {
        pt_fdcache_forget(fd);
        return PT_LEAVE(c, fd);
    }
    describe_opened(&st, fd, flags, &c->fd);
    pt_fdcache_learn(fd, &c->fd);
    if (c->fd.kind == PT_OBJ_FIFO || c->fd.kind == PT_OBJ_PIPE) {
        c->rec = pt_instant(PT_EV_OPEN, fd, &c->fd, (uint64_t)(unsigned)flags, fd,
                            pt_strings_room(path, NULL));
        pt_put_strings(c->rec, path, NULL);
        pt_commit(c->rec);
        pt_note_callsite(c->rec, caller);
    }
    return PT_LEAVE(c, fd);
}

/* The mode argument is there only with O_CREAT or O_TMPFILE; reading it
 * always, as a plain int, is harmless and what libc itself does. */
#define OPEN_MODE(last)                                                                            \
    ({                                                                                             \
        va_list ap;                                                                                \
        va_start(ap, last);                                                                        \
        int mode = va_arg(ap, int);                                                                \
        va_end(ap);                                                                                \
        mode;                                                                                      \
    })

PT_EXPORT int open(const char *path, int flags, ...) {
    int mode = OPEN_MODE(flags);
    __auto_type real = PT_REAL(open);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
    struct pt_call c;
    pt_enter(&c);
    return opened(&c, PT_CALL(&c, real(path, flags, mode)), path, flags,
                  __builtin_return_address(0));
}

PT_EXPORT int open64(const char *path, int flags, ...) {
    int mode = OPEN_MODE(flags);
    __auto_type real = PT_REAL(open64);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
    struct pt_call c;
    pt_enter(&c);
    return opened(&c, PT_CALL(&c, real(path, flags, mode)), path, flags,
                  __builtin_return_address(0));
}

PT_EXPORT int openat(int dirfd, const char *path, int flags, ...) {
    int mode = OPEN_MODE(flags);
    __auto_type real = PT_REAL(openat);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_openat, dirfd, path, flags, mode);
    struct pt_call c;
    pt_enter(&c);
    return opened(&c, PT_CALL(&c, real(dirfd, path, flags, mode)), path, flags,
                  __builtin_return_address(0));
}

PT_EXPORT int openat64(int dirfd, const char *path, int flags, ...) {
    int mode = OPEN_MODE(flags);
    __auto_type real = PT_REAL(openat64);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_openat, dirfd, path, flags, mode);
    struct pt_call c;
    pt_enter(&c);
    return opened(&c, PT_CALL(&c, real(dirfd, path, flags, mode)), path, flags,
                  __builtin_return_address(0));
}

PT_EXPORT int mkfifo(const char *path, mode_t mode) {
    __auto_type real = PT_REAL(mkfifo);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_mknodat, AT_FDCWD, path, mode | S_IFIFO, 0);
    struct pt_call c;
    pt_enter(&c);
    struct pt_memo memo = {{0}, 0, 0};
    const char *shown = pt_str_readable(&memo, path) ? path : ""; /* else EFAULT follows */
    c.rec = pt_begin(PT_EV_MKFIFO, -1, NULL, mode, pt_strings_room(shown, NULL));
    pt_put_strings(c.rec, shown, NULL);
    return PT_FINISH(&c, PT_CALL(&c, real(path, mode)));
}
