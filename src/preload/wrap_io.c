/* read, write and their variants.
 *
 * Every wrapper has the same shape: identify the fd from the cache; if it is
 * not an object we trace, call through untouched; otherwise open a record,
 * make the real call with the caller's errno in place, complete the record
 * with the bytes moved, and hand back the call's own result and errno. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <sys/uio.h>
#include <unistd.h>

#include "call.h"
#include "recorder.h"
#include "safemem.h"
#include "src/writer/sys.h"
#include "state.h"
#include "wrappers.h"

#define EXPORT __attribute__((visibility("default")))

/* glibc's report of a buffer overflow caught by _FORTIFY_SOURCE. */
extern void __chk_fail(void) __attribute__((noreturn));

static uint64_t iov_total(const struct iovec *iov, int iovcnt) {
    uint64_t total = 0;
    for (int i = 0; i < iovcnt && iov; i++)
        total += iov[i].iov_len;
    return total;
}

static int64_t outcome(ssize_t n, int call_errno) {
    return n < 0 ? -call_errno : n;
}

EXPORT ssize_t read(int fd, void *buf, size_t count) {
    ssize_t (*real)(int, void *, size_t) = PT_REAL(read);
    if (__builtin_expect(!real, 0))
        return (ssize_t)syscall(SYS_read, fd, buf, count);
    int saved = errno;
    struct pt_fdinfo info;
    if (!pt_call_on_fd(fd, &info)) {
        errno = saved;
        return real(fd, buf, count);
    }
    struct pt_record *rec = pt_begin(PT_EV_READ, fd, &info, count, pt_capture_room(count));
    errno = saved;
    ssize_t n = real(fd, buf, count);
    int call_errno = errno;
    pt_end_io(rec, buf, outcome(n, call_errno));
    errno = call_errno;
    return n;
}

/* What __read_chk does before it reads, for when it has to be done here. */
static ssize_t raw_read_chk(int fd, void *buf, size_t count, size_t buflen) {
    if (count > buflen)
        __chk_fail();
    return (ssize_t)syscall(SYS_read, fd, buf, count);
}

EXPORT ssize_t __read_chk(int fd, void *buf, size_t count, size_t buflen) {
    ssize_t (*real)(int, void *, size_t, size_t) = PT_REAL(read_chk);
    if (__builtin_expect(!real, 0))
        return raw_read_chk(fd, buf, count, buflen);
    int saved = errno;
    struct pt_fdinfo info;
    if (!pt_call_on_fd(fd, &info)) {
        errno = saved;
        return real(fd, buf, count, buflen);
    }
    struct pt_record *rec = pt_begin(PT_EV_READ_CHK, fd, &info, count, pt_capture_room(count));
    errno = saved;
    ssize_t n = real(fd, buf, count, buflen);
    int call_errno = errno;
    pt_end_io(rec, buf, outcome(n, call_errno));
    errno = call_errno;
    return n;
}

EXPORT ssize_t write(int fd, const void *buf, size_t count) {
    ssize_t (*real)(int, const void *, size_t) = PT_REAL(write);
    if (__builtin_expect(!real, 0))
        return (ssize_t)syscall(SYS_write, fd, buf, count);
    int saved = errno;
    struct pt_fdinfo info;
    if (!pt_call_on_fd(fd, &info)) {
        errno = saved;
        return real(fd, buf, count);
    }
    struct pt_record *rec = pt_begin(PT_EV_WRITE, fd, &info, count, pt_capture_room(count));
    errno = saved;
    ssize_t n = real(fd, buf, count);
    int call_errno = errno;
    pt_end_io(rec, buf, outcome(n, call_errno));
    errno = call_errno;
    return n;
}

/* The iovec array is the caller's memory, and a bad one must fail with
 * EFAULT as it does untraced.  So it is read after a call that succeeded
 * (the kernel has read it then), and otherwise only where the kernel says
 * it can be.  Before the call that costs a system call, paid only when the
 * capture room depends on the total (a large PIPETRACE_DATA); else the
 * record says the bytes asked for once the call returned. */
#define BLIND_ROOM_MAX 4096

static int iov_readable(const struct iovec *iov, int iovcnt) {
    struct pt_memo memo = {{0}, 0, 0};
    return iovcnt >= 0 && iovcnt <= IOV_MAX &&
           pt_mem_readable(&memo, iov, (size_t)iovcnt * sizeof *iov);
}

static ssize_t vector_io(uint8_t type, ssize_t (*real)(int, const struct iovec *, int), int fd,
                         const struct iovec *iov, int iovcnt) {
    int saved = errno;
    struct pt_fdinfo info;
    if (!pt_call_on_fd(fd, &info)) {
        errno = saved;
        return real(fd, iov, iovcnt);
    }
    int asked_known = pt_config.data_limit > BLIND_ROOM_MAX && iov_readable(iov, iovcnt);
    uint64_t asked = asked_known ? iov_total(iov, iovcnt) : 0;
    struct pt_record *rec =
        pt_begin(type, fd, &info, asked, pt_capture_room(asked_known ? asked : UINT64_MAX));
    errno = saved;
    ssize_t n = real(fd, iov, iovcnt);
    int call_errno = errno;
    if (rec) {
        if (!asked_known && (n >= 0 || iov_readable(iov, iovcnt)))
            rec->arg = iov_total(iov, iovcnt);
        pt_capture_iov(rec, iov, iovcnt, n);
        pt_end_captured(rec, outcome(n, call_errno));
    }
    errno = call_errno;
    return n;
}

EXPORT ssize_t readv(int fd, const struct iovec *iov, int iovcnt) {
    ssize_t (*real)(int, const struct iovec *, int) = PT_REAL(readv);
    if (__builtin_expect(!real, 0))
        return (ssize_t)syscall(SYS_readv, fd, iov, iovcnt);
    return vector_io(PT_EV_READV, real, fd, iov, iovcnt);
}

EXPORT ssize_t writev(int fd, const struct iovec *iov, int iovcnt) {
    ssize_t (*real)(int, const struct iovec *, int) = PT_REAL(writev);
    if (__builtin_expect(!real, 0))
        return (ssize_t)syscall(SYS_writev, fd, iov, iovcnt);
    return vector_io(PT_EV_WRITEV, real, fd, iov, iovcnt);
}
