/* splice, tee, vmsplice, sendfile and copy_file_range: bytes that move
 * between fds inside the kernel, never through the caller's memory (but
 * vmsplice's).
 *
 * Each of the two-fd calls is one record (call.h's skeleton): the header
 * names the fd the bytes leave, the payload (struct pt_xfer_payload) the
 * fd they enter, so that the viewer counts a read of the one and a write
 * of the other.  The payload is in place before the record reads as
 * begun: a splice blocked on a full or empty pipe shows both ends.  The
 * call is recorded when either fd is one we trace (sendfile from a file
 * into a pipe), and passes straight through otherwise.  There is nothing
 * to capture: the bytes were never in the process.
 *
 * The offsets are the caller's memory: read only after a call that
 * succeeded (the kernel has read and written them then). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wrappers.h"

/* Whether a call from fd_in to fd_out is recorded: recording is on and
 * either fd names an object we trace.  c->fd and *out say what each is. */
static inline __attribute__((always_inline)) int xfer_enter(struct pt_call *c, int fd_in,
                                                            int fd_out, struct pt_fdinfo *out) {
    pt_enter(c);
    if (!pt_recording_on()) {
        c->fd.kind = PT_OBJ_UNKNOWN;
        return 0;
    }
    int in_traced = pt_fdcache_traced(fd_in, &c->fd);
    int out_traced = pt_fdcache_traced(fd_out, out);
    return in_traced || out_traced;
}

static int64_t offset_before(const void *off) {
    return off ? PT_XFER_OFF_UNKNOWN : PT_XFER_OFF_NONE;
}

static inline __attribute__((always_inline)) void
xfer_begin(struct pt_call *c, uint8_t type, int fd_in, int fd_out, const struct pt_fdinfo *out,
           uint64_t len, unsigned flags, const void *off_in, const void *off_out) {
    c->rec = pt_begin_unpublished(type, fd_in, &c->fd, len, sizeof(struct pt_xfer_payload));
    if (!c->rec)
        return;
    *(struct pt_xfer_payload *)(c->rec + 1) = (struct pt_xfer_payload){
        .fd_out = fd_out,
        .kind_out = out->kind,
        .fd_flags_out = out->flags,
        .ino_out = out->ino,
        .dev_out = out->dev,
        .flags = flags,
        .off_in = offset_before(off_in),
        .off_out = offset_before(off_out),
    };
    c->rec->data_len = sizeof(struct pt_xfer_payload);
    pt_publish_begun(c->rec);
}

/* The offsets the call left, once it succeeded; yields n.  Inlined, so
 * that a call given no offsets (the common pipe-to-pipe splice, tee) ends
 * as write's does, with one pt_end and no array of offsets built. */
static inline __attribute__((always_inline)) ssize_t
xfer_leave(struct pt_call *c, ssize_t n, const int64_t *off_in, const int64_t *off_out) {
    if (!off_in && !off_out) /* the payload already says NONE for both */
        return PT_FINISH(c, n);
    int64_t offs[2] = {PT_XFER_OFF_NONE, PT_XFER_OFF_NONE};
    if (off_in)
        offs[0] = n >= 0 ? *off_in : PT_XFER_OFF_UNKNOWN;
    if (off_out)
        offs[1] = n >= 0 ? *off_out : PT_XFER_OFF_UNKNOWN;
    pt_end_payload(c->rec, pt_outcome(c, n), offsetof(struct pt_xfer_payload, off_in), offs,
                   sizeof offs);
    return PT_LEAVE(c, n);
}

PT_EXPORT ssize_t splice(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out, size_t len,
                         unsigned int flags) {
    __auto_type real = PT_REAL(splice);
    if (__builtin_expect(!real, 0))
        return (ssize_t)syscall(SYS_splice, fd_in, off_in, fd_out, off_out, len, flags);
    struct pt_call c;
    struct pt_fdinfo out;
    if (!xfer_enter(&c, fd_in, fd_out, &out))
        return PT_PASS(&c, real(fd_in, off_in, fd_out, off_out, len, flags));
    xfer_begin(&c, PT_EV_SPLICE, fd_in, fd_out, &out, len, flags, off_in, off_out);
    ssize_t n = PT_CALL(&c, real(fd_in, off_in, fd_out, off_out, len, flags));
    return xfer_leave(&c, n, off_in, off_out);
}

PT_EXPORT ssize_t tee(int fd_in, int fd_out, size_t len, unsigned int flags) {
    __auto_type real = PT_REAL(tee);
    if (__builtin_expect(!real, 0))
        return (ssize_t)syscall(SYS_tee, fd_in, fd_out, len, flags);
    struct pt_call c;
    struct pt_fdinfo out;
    if (!xfer_enter(&c, fd_in, fd_out, &out))
        return PT_PASS(&c, real(fd_in, fd_out, len, flags));
    xfer_begin(&c, PT_EV_TEE, fd_in, fd_out, &out, len, flags, NULL, NULL);
    return xfer_leave(&c, PT_CALL(&c, real(fd_in, fd_out, len, flags)), NULL, NULL);
}

/* sendfile's offset is the in fd's. */
static ssize_t sendfile_traced(ssize_t (*real)(int, int, off_t *, size_t), int out_fd, int in_fd,
                               off_t *offset, size_t count) {
    struct pt_call c;
    struct pt_fdinfo out;
    if (!xfer_enter(&c, in_fd, out_fd, &out))
        return PT_PASS(&c, real(out_fd, in_fd, offset, count));
    xfer_begin(&c, PT_EV_SENDFILE, in_fd, out_fd, &out, count, 0, offset, NULL);
    ssize_t n = PT_CALL(&c, real(out_fd, in_fd, offset, count));
    return xfer_leave(&c, n, (const int64_t *)offset, NULL);
}

PT_EXPORT ssize_t sendfile(int out_fd, int in_fd, off_t *offset, size_t count) {
    __auto_type real = PT_REAL(sendfile);
    if (__builtin_expect(!real, 0))
        return (ssize_t)syscall(SYS_sendfile, out_fd, in_fd, offset, count);
    return sendfile_traced(real, out_fd, in_fd, offset, count);
}

/* What programs built with _FILE_OFFSET_BITS=64 call (python3 does); one
 * function with sendfile on 64-bit Linux, where off_t is 64 bits. */
PT_EXPORT ssize_t sendfile64(int out_fd, int in_fd, off64_t *offset, size_t count) {
    __auto_type real = PT_REAL(sendfile64);
    if (__builtin_expect(!real, 0))
        return (ssize_t)syscall(SYS_sendfile, out_fd, in_fd, offset, count);
    _Static_assert(sizeof(off_t) == sizeof(off64_t), "sendfile64 is sendfile");
    return sendfile_traced((ssize_t(*)(int, int, off_t *, size_t))real, out_fd, in_fd,
                           (off_t *)offset, count);
}

PT_EXPORT ssize_t copy_file_range(int fd_in, off64_t *off_in, int fd_out, off64_t *off_out,
                                  size_t len, unsigned int flags) {
    __auto_type real = PT_REAL(copy_file_range);
    if (__builtin_expect(!real, 0))
        return (ssize_t)syscall(SYS_copy_file_range, fd_in, off_in, fd_out, off_out, len, flags);
    struct pt_call c;
    struct pt_fdinfo out;
    if (!xfer_enter(&c, fd_in, fd_out, &out))
        return PT_PASS(&c, real(fd_in, off_in, fd_out, off_out, len, flags));
    xfer_begin(&c, PT_EV_COPY_FILE_RANGE, fd_in, fd_out, &out, len, flags, off_in, off_out);
    ssize_t n = PT_CALL(&c, real(fd_in, off_in, fd_out, off_out, len, flags));
    return xfer_leave(&c, n, off_in, off_out);
}

/* --- vmsplice: memory into a pipe (or, on its read end, out of it) -------- */

static uint64_t iov_total(const struct iovec *iov, size_t n) {
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += iov[i].iov_len;
    return total;
}

/* arg: the bytes asked for (up to 4 GiB) and the SPLICE_F_* flags above. */
static uint64_t vmsplice_arg(uint64_t asked, unsigned flags) {
    return (asked < UINT32_MAX ? asked : UINT32_MAX) | (uint64_t)flags << 32;
}

/* The iovec array is read only after a call that succeeded (the kernel
 * read it then): a bad one fails with EFAULT, as untraced.  The record
 * says the bytes asked for from then on, as writev's does without a
 * large PIPETRACE_DATA. */
PT_EXPORT ssize_t vmsplice(int fd, const struct iovec *iov, size_t nr_segs, unsigned int flags) {
    __auto_type real = PT_REAL(vmsplice);
    if (__builtin_expect(!real, 0))
        return (ssize_t)syscall(SYS_vmsplice, fd, iov, nr_segs, flags);
    struct pt_call c;
    if (!pt_enter_fd(&c, fd))
        return PT_PASS(&c, real(fd, iov, nr_segs, flags));
    c.rec =
        pt_begin(PT_EV_VMSPLICE, fd, &c.fd, vmsplice_arg(0, flags), pt_capture_room(UINT64_MAX));
    ssize_t n = PT_CALL(&c, real(fd, iov, nr_segs, flags));
    if (c.rec) {
        if (n >= 0) {
            c.rec->arg = vmsplice_arg(iov_total(iov, nr_segs), flags);
            pt_capture_iov(c.rec, iov, (int)nr_segs, n);
        }
        pt_end_captured(c.rec, pt_outcome(&c, n));
    }
    return PT_LEAVE(&c, n);
}
