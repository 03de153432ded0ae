/* read, write and their variants.
 *
 * Every wrapper has the same shape: identify the fd from the cache; if it is
 * not an object we trace, call through untouched; otherwise open a record,
 * make the real call with the caller's errno in place, complete the record
 * with the bytes moved, and hand back the call's own result and errno. */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/uio.h>
#include <unistd.h>

#include "real.h"
#include "recorder.h"
#include "src/trace/sys.h"
#include "state.h"

#define EXPORT __attribute__((visibility("default")))

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
    if (__builtin_expect(!pt_real.read, 0)) {
        pt_early_init();
        if (!pt_real.read)
            return (ssize_t)syscall(SYS_read, fd, buf, count);
    }
    int saved = errno;
    struct pt_fdinfo info;
    if (!pt_traced_fd(fd, &info)) {
        errno = saved;
        return pt_real.read(fd, buf, count);
    }
    struct pt_record *rec = pt_begin(PT_EV_READ, fd, &info, count, pt_capture_room(count));
    errno = saved;
    ssize_t n = pt_real.read(fd, buf, count);
    int call_errno = errno;
    pt_end_io(rec, buf, outcome(n, call_errno));
    errno = call_errno;
    return n;
}

EXPORT ssize_t __read_chk(int fd, void *buf, size_t count, size_t buflen) {
    if (__builtin_expect(!pt_real.read_chk, 0))
        pt_early_init();
    int saved = errno;
    struct pt_fdinfo info;
    if (!pt_traced_fd(fd, &info)) {
        errno = saved;
        return pt_real.read_chk(fd, buf, count, buflen);
    }
    struct pt_record *rec = pt_begin(PT_EV_READ_CHK, fd, &info, count, pt_capture_room(count));
    errno = saved;
    ssize_t n = pt_real.read_chk(fd, buf, count, buflen);
    int call_errno = errno;
    pt_end_io(rec, buf, outcome(n, call_errno));
    errno = call_errno;
    return n;
}

EXPORT ssize_t write(int fd, const void *buf, size_t count) {
    if (__builtin_expect(!pt_real.write, 0)) {
        pt_early_init();
        if (!pt_real.write)
            return (ssize_t)syscall(SYS_write, fd, buf, count);
    }
    int saved = errno;
    struct pt_fdinfo info;
    if (!pt_traced_fd(fd, &info)) {
        errno = saved;
        return pt_real.write(fd, buf, count);
    }
    struct pt_record *rec = pt_begin(PT_EV_WRITE, fd, &info, count, pt_capture_room(count));
    errno = saved;
    ssize_t n = pt_real.write(fd, buf, count);
    int call_errno = errno;
    pt_end_io(rec, buf, outcome(n, call_errno));
    errno = call_errno;
    return n;
}

static ssize_t vector_io(uint8_t type, ssize_t (*real)(int, const struct iovec *, int), int fd,
                         const struct iovec *iov, int iovcnt) {
    int saved = errno;
    struct pt_fdinfo info;
    if (!pt_traced_fd(fd, &info)) {
        errno = saved;
        return real(fd, iov, iovcnt);
    }
    uint64_t total = iov_total(iov, iovcnt);
    struct pt_record *rec = pt_begin(type, fd, &info, total, pt_capture_room(total));
    errno = saved;
    ssize_t n = real(fd, iov, iovcnt);
    int call_errno = errno;
    if (rec) {
        pt_capture_iov(rec, iov, iovcnt, n);
        pt_end_captured(rec, outcome(n, call_errno));
    }
    errno = call_errno;
    return n;
}

EXPORT ssize_t readv(int fd, const struct iovec *iov, int iovcnt) {
    if (__builtin_expect(!pt_real.readv, 0))
        pt_early_init();
    return vector_io(PT_EV_READV, pt_real.readv, fd, iov, iovcnt);
}

EXPORT ssize_t writev(int fd, const struct iovec *iov, int iovcnt) {
    if (__builtin_expect(!pt_real.writev, 0))
        pt_early_init();
    return vector_io(PT_EV_WRITEV, pt_real.writev, fd, iov, iovcnt);
}
