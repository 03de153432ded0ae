/* read, write and their variants: the bytes that cross a pipe.
 *
 * Each is the skeleton of call.h: an fd we do not trace passes straight
 * through; otherwise a record is begun, the call made, and the record
 * completed with the bytes moved (and the first of them captured). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "safemem.h"
#include "state.h"
#include "wrappers.h"

/* glibc's report of a buffer overflow caught by _FORTIFY_SOURCE. */
extern void __chk_fail(void) __attribute__((noreturn));

PT_EXPORT ssize_t read(int fd, void *buf, size_t count) {
    __auto_type real = PT_REAL(read);
    if (__builtin_expect(!real, 0))
        return (ssize_t)syscall(SYS_read, fd, buf, count);
    struct pt_call c;
    if (!pt_io_enter(&c, PT_EV_READ, fd, count))
        return PT_PASS(&c, real(fd, buf, count));
    return pt_io_leave(&c, buf, PT_IO_CALL(&c, PT_EV_READ, fd, count, 0, real(fd, buf, count)));
}

PT_EXPORT ssize_t write(int fd, const void *buf, size_t count) {
    __auto_type real = PT_REAL(write);
    if (__builtin_expect(!real, 0))
        return (ssize_t)syscall(SYS_write, fd, buf, count);
    struct pt_call c;
    if (!pt_io_enter(&c, PT_EV_WRITE, fd, count))
        return PT_PASS(&c, real(fd, buf, count));
    return pt_io_leave(&c, buf, PT_IO_CALL(&c, PT_EV_WRITE, fd, count, 0, real(fd, buf, count)));
}

/* What __read_chk does before it reads, for when it has to be done here. */
static ssize_t raw_read_chk(int fd, void *buf, size_t count, size_t buflen) {
    if (count > buflen)
        __chk_fail();
    return (ssize_t)syscall(SYS_read, fd, buf, count);
}

PT_EXPORT ssize_t __read_chk(int fd, void *buf, size_t count, size_t buflen) {
    __auto_type real = PT_REAL(__read_chk);
    if (__builtin_expect(!real, 0))
        return raw_read_chk(fd, buf, count, buflen);
    struct pt_call c;
    if (!pt_io_enter(&c, PT_EV_READ_CHK, fd, count))
        return PT_PASS(&c, real(fd, buf, count, buflen));
    return pt_io_leave(&c, buf,
                       PT_IO_CALL(&c, PT_EV_READ_CHK, fd, count, 0, real(fd, buf, count, buflen)));
}

/* The iovec array is the caller's memory, and a bad one must fail with
 * EFAULT as it does untraced.  So it is read after a call that succeeded
 * (the kernel has read it then), and otherwise only where the kernel says
 * it can be.  Before the call that costs a system call, paid only when the
 * capture room depends on the total (a large PIPETRACE_DATA); else the
 * record says the bytes asked for once the call returned. */
#define BLIND_ROOM_MAX 4096

static void vector_begin(struct pt_call *c, uint8_t type, int fd, const struct iovec *iov,
                         int iovcnt, int *asked_known) {
    *asked_known = pt_config.data_limit > BLIND_ROOM_MAX && pt_iov_readable(iov, iovcnt);
    uint64_t asked = *asked_known ? pt_iov_total(iov, iovcnt) : 0;
    c->rec =
        pt_begin_io(type, fd, &c->fd, asked, pt_capture_room(*asked_known ? asked : UINT64_MAX));
}

static ssize_t vector_leave(struct pt_call *c, const struct iovec *iov, int iovcnt, int asked_known,
                            ssize_t n) {
    if (c->rec) {
        if (!asked_known && (n >= 0 || pt_iov_readable(iov, iovcnt)))
            pt_set_arg(c->rec, pt_iov_total(iov, iovcnt));
        pt_capture_iov(c->rec, iov, iovcnt, n);
        pt_end_captured(c->rec, pt_outcome(c, n));
    }
    return PT_LEAVE(c, n);
}

/* The real vector call, or the fault injected into it. */
#define PT_VECTOR_CALL(c, type, fd, iov, iovcnt, cut, call)                                        \
    ((__builtin_expect(pt_inject_armed, 0) &&                                                      \
      pt_inject_iov((c), (type), (fd), &(iov), &(iovcnt), (cut), 0))                               \
         ? (ssize_t)pt_io_injected_failure(c)                                                      \
         : PT_CALL((c), call))

PT_EXPORT ssize_t readv(int fd, const struct iovec *iov, int iovcnt) {
    __auto_type real = PT_REAL(readv);
    if (__builtin_expect(!real, 0))
        return (ssize_t)syscall(SYS_readv, fd, iov, iovcnt);
    struct pt_call c;
    int asked_known;
    if (!pt_enter_fd(&c, fd))
        return PT_PASS(&c, real(fd, iov, iovcnt));
    vector_begin(&c, PT_EV_READV, fd, iov, iovcnt, &asked_known);
    struct iovec cut[PT_INJECT_CUT_MAX];
    const struct iovec *passed = iov;
    int passed_cnt = iovcnt;
    return vector_leave(
        &c, iov, iovcnt, asked_known,
        PT_VECTOR_CALL(&c, PT_EV_READV, fd, passed, passed_cnt, cut, real(fd, passed, passed_cnt)));
}

PT_EXPORT ssize_t writev(int fd, const struct iovec *iov, int iovcnt) {
    __auto_type real = PT_REAL(writev);
    if (__builtin_expect(!real, 0))
        return (ssize_t)syscall(SYS_writev, fd, iov, iovcnt);
    struct pt_call c;
    int asked_known;
    if (!pt_enter_fd(&c, fd))
        return PT_PASS(&c, real(fd, iov, iovcnt));
    vector_begin(&c, PT_EV_WRITEV, fd, iov, iovcnt, &asked_known);
    struct iovec cut[PT_INJECT_CUT_MAX];
    const struct iovec *passed = iov;
    int passed_cnt = iovcnt;
    return vector_leave(&c, iov, iovcnt, asked_known,
                        PT_VECTOR_CALL(&c, PT_EV_WRITEV, fd, passed, passed_cnt, cut,
                                       real(fd, passed, passed_cnt)));
}
