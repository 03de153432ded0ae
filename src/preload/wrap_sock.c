/* send, recv and their variants: the bytes that cross a socket.
 *
 * The skeleton of read and write (call.h), with the call's MSG_* flags and
 * variant packed into arg beside the bytes asked for (format.h,
 * PT_SOCKIO_*).  A socket the fd cache does not trace (there is none by
 * default: sockets are traced) passes straight through. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "safemem.h"
#include "unix_peer.h"
#include "wrappers.h"

/* glibc's report of a buffer overflow caught by _FORTIFY_SOURCE. */
extern void __chk_fail(void) __attribute__((noreturn));

/* pt_io_enter with the packed arg: 1 when the call is recorded. */
static inline int sock_enter(struct pt_call *c, uint8_t type, int fd, size_t len, int flags,
                             int variant) {
    if (!pt_enter_fd(c, fd))
        return 0;
    c->rec = pt_begin(type, fd, &c->fd, PT_SOCKIO_ARG(len, flags, variant), pt_capture_room(len));
    return 1;
}

/* A datagram longer than the buffer comes back whole in the result under
 * MSG_TRUNC: only the buffer's bytes are captured. */
static ssize_t recv_leave(struct pt_call *c, const void *buf, size_t len, ssize_t n) {
    if (__builtin_expect(n > 0 && (size_t)n > len, 0)) {
        if (c->rec) {
            pt_capture(c->rec, buf, (int64_t)len);
            pt_end_captured(c->rec, n);
        }
        return PT_LEAVE(c, n);
    }
    return pt_io_leave(c, buf, n);
}

PT_EXPORT ssize_t send(int fd, const void *buf, size_t len, int flags) {
    __auto_type real = PT_REAL(send);
    if (__builtin_expect(!real, 0))
        return (ssize_t)syscall(SYS_sendto, fd, buf, len, flags, NULL, 0);
    struct pt_call c;
    if (!sock_enter(&c, PT_EV_SEND, fd, len, flags, 0))
        return PT_PASS(&c, real(fd, buf, len, flags));
    return pt_io_leave(&c, buf,
                       PT_IO_CALL(&c, PT_EV_SEND, fd, len, flags, real(fd, buf, len, flags)));
}

PT_EXPORT ssize_t sendto(int fd, const void *buf, size_t len, int flags,
                         const struct sockaddr *addr, socklen_t addrlen) {
    __auto_type real = PT_REAL(sendto);
    if (__builtin_expect(!real, 0))
        return (ssize_t)syscall(SYS_sendto, fd, buf, len, flags, addr, addrlen);
    struct pt_call c;
    if (!sock_enter(&c, PT_EV_SEND, fd, len, flags, 1))
        return PT_PASS(&c, real(fd, buf, len, flags, addr, addrlen));
    return pt_io_leave(
        &c, buf,
        PT_IO_CALL(&c, PT_EV_SEND, fd, len, flags, real(fd, buf, len, flags, addr, addrlen)));
}

PT_EXPORT ssize_t recv(int fd, void *buf, size_t len, int flags) {
    __auto_type real = PT_REAL(recv);
    if (__builtin_expect(!real, 0))
        return (ssize_t)syscall(SYS_recvfrom, fd, buf, len, flags, NULL, NULL);
    struct pt_call c;
    if (!sock_enter(&c, PT_EV_RECV, fd, len, flags, 0))
        return PT_PASS(&c, real(fd, buf, len, flags));
    return recv_leave(&c, buf, len,
                      PT_IO_CALL(&c, PT_EV_RECV, fd, len, flags, real(fd, buf, len, flags)));
}

PT_EXPORT ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *addr,
                           socklen_t *addrlen) {
    __auto_type real = PT_REAL(recvfrom);
    if (__builtin_expect(!real, 0))
        return (ssize_t)syscall(SYS_recvfrom, fd, buf, len, flags, addr, addrlen);
    struct pt_call c;
    if (!sock_enter(&c, PT_EV_RECV, fd, len, flags, 1))
        return PT_PASS(&c, real(fd, buf, len, flags, addr, addrlen));
    return recv_leave(
        &c, buf, len,
        PT_IO_CALL(&c, PT_EV_RECV, fd, len, flags, real(fd, buf, len, flags, addr, addrlen)));
}

/* What __recv_chk and __recvfrom_chk do before they receive, for when it
 * has to be done here. */
static ssize_t raw_recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
                                struct sockaddr *addr, socklen_t *addrlen) {
    if (len > buflen)
        __chk_fail();
    return (ssize_t)syscall(SYS_recvfrom, fd, buf, len, flags, addr, addrlen);
}

PT_EXPORT ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags) {
    __auto_type real = PT_REAL(__recv_chk);
    if (__builtin_expect(!real, 0))
        return raw_recvfrom_chk(fd, buf, len, buflen, flags, NULL, NULL);
    struct pt_call c;
    if (!sock_enter(&c, PT_EV_RECV, fd, len, flags, 0))
        return PT_PASS(&c, real(fd, buf, len, buflen, flags));
    return recv_leave(
        &c, buf, len,
        PT_IO_CALL(&c, PT_EV_RECV, fd, len, flags, real(fd, buf, len, buflen, flags)));
}

PT_EXPORT ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
                                 struct sockaddr *addr, socklen_t *addrlen) {
    __auto_type real = PT_REAL(__recvfrom_chk);
    if (__builtin_expect(!real, 0))
        return raw_recvfrom_chk(fd, buf, len, buflen, flags, addr, addrlen);
    struct pt_call c;
    if (!sock_enter(&c, PT_EV_RECV, fd, len, flags, 1))
        return PT_PASS(&c, real(fd, buf, len, buflen, flags, addr, addrlen));
    return recv_leave(&c, buf, len,
                      PT_IO_CALL(&c, PT_EV_RECV, fd, len, flags,
                                 real(fd, buf, len, buflen, flags, addr, addrlen)));
}

/* sendmsg and recvmsg: the msghdr and its iovec array are the caller's
 * memory, read only once the kernel has (after a call that succeeded) or
 * said it can be (after one that failed), as readv's are (wrap_io.c).  The
 * record is begun with the bytes asked unknown (0) and room for the
 * capture the data limit allows. */
static int msg_readable(const struct msghdr *msg) {
    struct pt_memo memo = {{0}, 0, 0};
    return pt_mem_readable(&memo, msg, sizeof *msg) && msg->msg_iovlen <= IOV_MAX &&
           pt_iov_readable(msg->msg_iov, (int)msg->msg_iovlen);
}

static void msg_begin(struct pt_call *c, uint8_t type, int fd, int flags) {
    c->rec = pt_begin(type, fd, &c->fd, PT_SOCKIO_ARG(0, flags, 0), pt_capture_room(UINT64_MAX));
}

/* --- fds passed (SCM_RIGHTS) ------------------------------------------------
 *
 * After a sendmsg or recvmsg that succeeded, its control data is the
 * kernel's word (it read the sender's, it wrote the receiver's): the fds of
 * its SCM_RIGHTS messages are noted in a PT_EV_FDPASS record after the
 * call's, each with the object it names.  A receiver's new fds are learned
 * afresh by the fd cache (their numbers may have been other objects'). */

/* Calls f(fd, ctx) for each SCM_RIGHTS fd of msg; returns how many. */
static uint32_t each_passed_fd(struct msghdr *msg, void (*f)(int fd, void *ctx), void *ctx) {
    uint32_t count = 0;
    if (msg->msg_control == NULL || msg->msg_controllen < sizeof(struct cmsghdr))
        return 0;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
            cm->cmsg_len < CMSG_LEN(0))
            continue;
        size_t nfds = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < nfds; i++, count++) {
            int fd;
            memcpy(&fd, CMSG_DATA(cm) + i * sizeof fd, sizeof fd);
            if (f != NULL)
                f(fd, ctx);
        }
    }
    return count;
}

struct passed {
    struct pt_fdpass_payload *head;
    struct pt_fdpass_fd *v;
    int received;
};

static void note_one(int fd, void *ctx) {
    struct passed *p = ctx;
    struct pt_fdinfo info;
    if (p->received)
        pt_fdcache_forget(fd); /* a new fd: what the cache knew of its number is gone */
    pt_fdcache_lookup(fd, &info);
    if (p->head == NULL || p->head->stored >= PT_FDPASS_STORED_MAX)
        return;
    p->v[p->head->stored++] = (struct pt_fdpass_fd){
        .fd = fd, .kind = info.kind, .fd_flags = info.flags, .ino = info.ino, .dev = info.dev};
}

static void note_passed_fds(struct pt_call *c, int fd, struct msghdr *msg, int received) {
    uint32_t count = each_passed_fd(msg, NULL, NULL);
    if (count == 0)
        return;
    uint32_t stored = count < PT_FDPASS_STORED_MAX ? count : PT_FDPASS_STORED_MAX;
    struct pt_record *rec =
        c->rec ? pt_instant(PT_EV_FDPASS, fd, &c->fd, pt_record_offset(c->rec), count,
                            (uint32_t)(sizeof(struct pt_fdpass_payload) +
                                       stored * sizeof(struct pt_fdpass_fd)))
               : NULL;
    struct passed p = {NULL, NULL, received};
    if (rec != NULL) {
        p.head = (struct pt_fdpass_payload *)(rec + 1);
        *p.head = (struct pt_fdpass_payload){.count = count, .received = (uint8_t)received};
        if (received && (msg->msg_flags & MSG_CTRUNC))
            p.head->flags |= PT_FDPASSF_CTRUNC;
        p.v = (struct pt_fdpass_fd *)(p.head + 1);
    }
    each_passed_fd(msg, note_one, &p);
    if (rec != NULL) {
        rec->data_len =
            (uint32_t)(sizeof *p.head + (size_t)p.head->stored * sizeof(struct pt_fdpass_fd));
        pt_commit_captured(rec);
    }
}

static ssize_t msg_leave(struct pt_call *c, int fd, struct msghdr *msg, int flags, ssize_t n,
                         int received) {
    if (c->rec) {
        if (n >= 0 || msg_readable(msg)) {
            int iovcnt = (int)msg->msg_iovlen;
            c->rec->arg = PT_SOCKIO_ARG(pt_iov_total(msg->msg_iov, iovcnt), flags, 0);
            pt_capture_iov(c->rec, msg->msg_iov, iovcnt, n);
        }
        pt_end_captured(c->rec, pt_outcome(c, n));
    }
    if (n >= 0)
        note_passed_fds(c, fd, msg, received);
    return PT_LEAVE(c, n);
}

/* The fault of a sendmsg or recvmsg (asked only with injection on), over
 * its iovec array as readv's and writev's (inject.h).  Under a short
 * transfer *msg is pointed at copy, the caller's header with the cut array:
 * the name and control buffers stay the caller's.  1 when the call is to
 * fail instead of being made. */
static int msg_inject(struct pt_call *c, uint8_t type, int fd, struct msghdr **msg,
                      struct msghdr *copy, struct iovec *cut, int flags) {
    if (!msg_readable(*msg))
        return 0;
    const struct iovec *iov = (*msg)->msg_iov;
    int iovcnt = (int)(*msg)->msg_iovlen;
    if (pt_inject_iov(c, type, fd, &iov, &iovcnt, cut, flags))
        return 1;
    if (iov != (*msg)->msg_iov) {
        *copy = **msg;
        copy->msg_iov = (struct iovec *)iov;
        copy->msg_iovlen = (size_t)iovcnt;
        *msg = copy;
    }
    return 0;
}

/* What the kernel wrote into the header a short recvmsg was given, handed
 * to the caller's. */
static void msg_returned(struct msghdr *msg, const struct msghdr *passed) {
    if (passed == msg)
        return;
    msg->msg_namelen = passed->msg_namelen;
    msg->msg_controllen = passed->msg_controllen;
    msg->msg_flags = passed->msg_flags;
}

/* The real sendmsg or recvmsg on `passed` (a struct msghdr * variable), or
 * the fault injected into it. */
#define PT_MSG_CALL(c, type, fd, passed, copy, cut, flags, call)                                   \
    ((__builtin_expect(pt_inject_armed, 0) &&                                                      \
      msg_inject((c), (type), (fd), &(passed), &(copy), (cut), (flags)))                           \
         ? (ssize_t)pt_io_injected_failure(c)                                                      \
         : PT_CALL((c), call))

PT_EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags) {
    __auto_type real = PT_REAL(sendmsg);
    if (__builtin_expect(!real, 0))
        return (ssize_t)syscall(SYS_sendmsg, fd, msg, flags);
    struct pt_call c;
    if (!pt_enter_fd(&c, fd))
        return PT_PASS(&c, real(fd, msg, flags));
    msg_begin(&c, PT_EV_SENDMSG, fd, flags);
    /* The kernel only reads it: the cast lets one walker serve both. */
    struct msghdr *passed = (struct msghdr *)msg, copy;
    struct iovec cut[PT_INJECT_CUT_MAX];
    ssize_t n =
        PT_MSG_CALL(&c, PT_EV_SENDMSG, fd, passed, copy, cut, flags, real(fd, passed, flags));
    return msg_leave(&c, fd, (struct msghdr *)msg, flags, n, 0);
}

PT_EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags) {
    __auto_type real = PT_REAL(recvmsg);
    if (__builtin_expect(!real, 0))
        return (ssize_t)syscall(SYS_recvmsg, fd, msg, flags);
    struct pt_call c;
    if (!pt_enter_fd(&c, fd))
        return PT_PASS(&c, real(fd, msg, flags));
    msg_begin(&c, PT_EV_RECVMSG, fd, flags);
    struct msghdr *passed = msg, copy;
    struct iovec cut[PT_INJECT_CUT_MAX];
    ssize_t n =
        PT_MSG_CALL(&c, PT_EV_RECVMSG, fd, passed, copy, cut, flags, real(fd, passed, flags));
    msg_returned(msg, passed);
    return msg_leave(&c, fd, msg, flags, n, 1);
}

/* --- sendmmsg and recvmmsg ----------------------------------------------------
 *
 * One sendmsg or recvmsg record per message moved, with the variant bit
 * (PT_SOCKIO_VARIANT) saying it came from the vector call: the first is
 * begun before the call (a recvmmsg that waits shows unfinished), the
 * others are written once it returned, each with its own msg_len.  fds
 * passed in them are not noted. */
static void mmsg_one(struct pt_record *rec, struct mmsghdr *m, int flags, int first) {
    int iovcnt = (int)m->msg_hdr.msg_iovlen;
    rec->arg = PT_SOCKIO_ARG(pt_iov_total(m->msg_hdr.msg_iov, iovcnt), flags, 1);
    pt_capture_iov(rec, m->msg_hdr.msg_iov, iovcnt, (int64_t)m->msg_len);
    if (first) {
        pt_end_captured(rec, (int64_t)m->msg_len);
    } else {
        rec->result = (int64_t)m->msg_len;
        pt_commit_captured(rec);
    }
}

static int mmsg_leave(struct pt_call *c, uint8_t type, int fd, struct mmsghdr *v, int flags,
                      int r) {
    if (c->rec != NULL && r <= 0)
        pt_end_captured(c->rec, r < 0 ? pt_outcome(c, r) : 0);
    for (int i = 0; c->rec != NULL && i < r; i++) {
        struct pt_record *rec =
            i == 0 ? c->rec : pt_instant(type, fd, &c->fd, 0, 0, pt_capture_room(UINT64_MAX));
        if (rec != NULL)
            mmsg_one(rec, &v[i], flags, i == 0);
    }
    return PT_LEAVE(c, r);
}

/* The fault of a sendmmsg or recvmmsg (asked only with injection on),
 * drawn over its first message: a failure before any message moves, or a
 * short transfer of the first message alone (what the kernel returns when
 * a signal ends the call after part of it moved): *v and *n are pointed at
 * one, the first message with its array cut.  1 when the call is to fail. */
static int mmsg_inject(struct pt_call *c, uint8_t type, int fd, struct mmsghdr **v, unsigned int *n,
                       struct mmsghdr *one, struct iovec *cut, int flags) {
    struct pt_memo memo = {{0}, 0, 0};
    if (*n == 0 || !pt_mem_readable(&memo, *v, sizeof **v))
        return 0;
    struct msghdr *hdr = &(*v)->msg_hdr;
    if (msg_inject(c, type, fd, &hdr, &one->msg_hdr, cut, flags))
        return 1;
    if (hdr != &(*v)->msg_hdr) {
        one->msg_len = 0;
        *v = one;
        *n = 1;
    }
    return 0;
}

/* What the kernel wrote into the one message a short call was given,
 * handed to the caller's first. */
static void mmsg_returned(struct mmsghdr *v, const struct mmsghdr *passed) {
    if (passed == v)
        return;
    v->msg_len = passed->msg_len;
    msg_returned(&v->msg_hdr, &passed->msg_hdr);
}

/* The real sendmmsg or recvmmsg on `passed` and `count` (variables), or
 * the fault injected into it. */
#define PT_MMSG_CALL(c, type, fd, passed, count, one, cut, flags, call)                            \
    ((__builtin_expect(pt_inject_armed, 0) &&                                                      \
      mmsg_inject((c), (type), (fd), &(passed), &(count), &(one), (cut), (flags)))                 \
         ? (int)pt_io_injected_failure(c)                                                          \
         : PT_CALL((c), call))

PT_EXPORT int sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags) {
    __auto_type real = PT_REAL(sendmmsg);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_sendmmsg, fd, v, n, flags);
    struct pt_call c;
    if (!pt_enter_fd(&c, fd))
        return PT_PASS(&c, real(fd, v, n, flags));
    c.rec =
        pt_begin(PT_EV_SENDMSG, fd, &c.fd, PT_SOCKIO_ARG(0, flags, 1), pt_capture_room(UINT64_MAX));
    struct mmsghdr *passed = v, one;
    unsigned int count = n;
    struct iovec cut[PT_INJECT_CUT_MAX];
    int r = PT_MMSG_CALL(&c, PT_EV_SENDMSG, fd, passed, count, one, cut, flags,
                         real(fd, passed, count, flags));
    mmsg_returned(v, passed);
    return mmsg_leave(&c, PT_EV_SENDMSG, fd, v, flags, r);
}

PT_EXPORT int recvmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags,
                       struct timespec *timeout) {
    __auto_type real = PT_REAL(recvmmsg);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_recvmmsg, fd, v, n, flags, timeout);
    struct pt_call c;
    if (!pt_enter_fd(&c, fd))
        return PT_PASS(&c, real(fd, v, n, flags, timeout));
    c.rec =
        pt_begin(PT_EV_RECVMSG, fd, &c.fd, PT_SOCKIO_ARG(0, flags, 1), pt_capture_room(UINT64_MAX));
    struct mmsghdr *passed = v, one;
    unsigned int count = n;
    struct iovec cut[PT_INJECT_CUT_MAX];
    int r = PT_MMSG_CALL(&c, PT_EV_RECVMSG, fd, passed, count, one, cut, flags,
                         real(fd, passed, count, flags, timeout));
    mmsg_returned(v, passed);
    return mmsg_leave(&c, PT_EV_RECVMSG, fd, v, flags, r);
}

/* --- Unix connections made ------------------------------------------------------
 *
 * connect and accept are recorded begun (an accept that waits for a client
 * shows unfinished), and once they made a connection the record says the
 * connected socket and its peer's inode, from the kernel (unix_peer.h), so
 * the viewer can pair the two ends as it pairs a socketpair's. */

static void note_connected(struct pt_record *rec, int fd) {
    if (rec == NULL)
        return;
    struct pt_fdinfo info;
    pt_fdcache_lookup(fd, &info);
    struct pt_sockpeer_payload *p = (struct pt_sockpeer_payload *)(rec + 1);
    *p = (struct pt_sockpeer_payload){.fd = fd, .ino = info.kind == PT_OBJ_SOCKET ? info.ino : 0};
    p->peer_ino = pt_unix_peer(p->ino);
    rec->data_len = sizeof *p;
}

PT_EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len) {
    __auto_type real = PT_REAL(connect);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_connect, fd, addr, len);
    struct pt_call c;
    if (!pt_enter_fd(&c, fd))
        return PT_PASS(&c, real(fd, addr, len));
    c.rec = pt_begin(PT_EV_CONNECT, fd, &c.fd, 0, sizeof(struct pt_sockpeer_payload));
    int r = PT_CALL(&c, real(fd, addr, len));
    if (r == 0 && addr->sa_family == AF_UNIX) /* the kernel read addr */
        note_connected(c.rec, fd);
    return PT_FINISH(&c, r);
}

/* accept and accept4: the new fd is forgotten by the cache first (glibc
 * may have closed that number behind our back: syslog's socket, NSS). */
static int accepted(struct pt_call *c, int fd) {
    if (fd >= 0) {
        pt_fdcache_forget(fd);
        note_connected(c->rec, fd);
    }
    return PT_FINISH(c, fd);
}

PT_EXPORT int accept(int fd, struct sockaddr *addr, socklen_t *len) {
    __auto_type real = PT_REAL(accept);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_accept, fd, addr, len);
    struct pt_call c;
    if (!pt_enter_fd(&c, fd)) {
        int r = PT_CALL(&c, real(fd, addr, len));
        if (r >= 0)
            pt_fdcache_forget(r);
        return PT_LEAVE(&c, r);
    }
    c.rec = pt_begin(PT_EV_ACCEPT, fd, &c.fd, 0, sizeof(struct pt_sockpeer_payload));
    return accepted(&c, PT_CALL(&c, real(fd, addr, len)));
}

PT_EXPORT int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    __auto_type real = PT_REAL(accept4);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_accept4, fd, addr, len, flags);
    struct pt_call c;
    if (!pt_enter_fd(&c, fd)) {
        int r = PT_CALL(&c, real(fd, addr, len, flags));
        if (r >= 0)
            pt_fdcache_forget(r);
        return PT_LEAVE(&c, r);
    }
    c.rec = pt_begin(PT_EV_ACCEPT, fd, &c.fd, (uint64_t)(unsigned)flags,
                     sizeof(struct pt_sockpeer_payload));
    return accepted(&c, PT_CALL(&c, real(fd, addr, len, flags)));
}
