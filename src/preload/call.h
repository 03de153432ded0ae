/* The shape every wrapper shares, so that each says only what is its own.
 *
 *     struct pt_call c;
 *     if (!pt_enter_fd(&c, fd))                   (pt_enter for calls on no fd)
 *         return PT_PASS(&c, real(fd, ...));      not traced: the call untouched
 *     c.rec = pt_begin(PT_EV_X, fd, &c.fd, ...);  the record, before the call
 *     int r = PT_CALL(&c, real(fd, ...));         the call itself
 *     return PT_FINISH(&c, r);                    the record completed
 *
 * The caller's errno is what the real call starts with, and the real call's
 * errno is what the caller gets back, whatever recording did in between.  A
 * call that fails with -1 and errno is recorded as -errno (pt_outcome).
 * Wrappers of calls that move bytes on an fd are two lines over
 * pt_io_enter and pt_io_leave, with the real call made by PT_IO_CALL: that
 * is where an injected fault (inject.h) takes effect. */
#ifndef PIPETRACE_PRELOAD_CALL_H
#define PIPETRACE_PRELOAD_CALL_H

#include <errno.h>
#include <stdint.h>
#include <sys/types.h>

#include "fdcache.h"
#include "inject.h"
#include "pipetrace/format.h"
#include "recorder.h"

struct pt_call {
    int errno_in;          /* the caller's errno */
    int errno_out;         /* the real call's */
    struct pt_record *rec; /* NULL while nothing is recorded */
    struct pt_fdinfo fd;   /* what the call's fd names (pt_enter_fd) */
    int fault;             /* PT_FAULT_* injected (set only when injection is on) */
    int msg_flags;         /* MSG_* of a socket call, for the fault */
};

static inline void pt_enter(struct pt_call *c) {
    c->errno_in = errno;
    c->errno_out = c->errno_in;
    c->rec = NULL;
}

/* Whether a call on fd is recorded: recording is on and fd names an
 * object we trace.  c->fd says what fd names, or PT_OBJ_UNKNOWN when
 * recording is off (then nothing is looked up). */
static inline int pt_traced(struct pt_call *c, int fd) {
    if (!pt_recording_on()) {
        c->fd.kind = PT_OBJ_UNKNOWN;
        return 0;
    }
    return pt_fdcache_traced(fd, &c->fd);
}

/* pt_enter, then pt_traced. */
static inline int pt_enter_fd(struct pt_call *c, int fd) {
    pt_enter(c);
    return pt_traced(c, fd);
}

/* The call, untouched, with the caller's errno; a tail call. */
#define PT_PASS(c, call) ((errno = (c)->errno_in), (call))

/* The real call, with the caller's errno in place; its own errno is kept
 * in c->errno_out.  Yields the call's result. */
#define PT_CALL(c, call)                                                                           \
    ({                                                                                             \
        errno = (c)->errno_in;                                                                     \
        __typeof__(call) pt_result_ = (call);                                                      \
        (c)->errno_out = errno;                                                                    \
        pt_result_;                                                                                \
    })

/* The same for a call that returns nothing. */
#define PT_CALL_VOID(c, call)                                                                      \
    do {                                                                                           \
        errno = (c)->errno_in;                                                                     \
        (call);                                                                                    \
        (c)->errno_out = errno;                                                                    \
    } while (0)

/* What the record says a call returned: r, or -errno when it failed. */
static inline int64_t pt_outcome(const struct pt_call *c, int64_t r) {
    return r < 0 ? -(int64_t)c->errno_out : r;
}

/* Hands the real call's errno back; yields value. */
#define PT_LEAVE(c, value) ((errno = (c)->errno_out), (value))

/* Completes the record with the outcome of r and leaves; yields r. */
#define PT_FINISH(c, r)                                                                            \
    ({                                                                                             \
        __typeof__(r) pt_finished_ = (r);                                                          \
        pt_end((c)->rec, pt_outcome((c), pt_finished_));                                           \
        PT_LEAVE((c), pt_finished_);                                                               \
    })

/* Chooses the fault of a recorded I/O call whose record is begun
 * (inject.c): marks the record injected before the call is made, and for a
 * short transfer lowers *count to what the real call is asked for.
 * Returns 1 when the call is to fail instead of being made. */
int pt_io_inject_chosen(struct pt_call *c, uint8_t type, int fd, size_t *count, int msg_flags);

/* An injected failure in place of the real call: -1 with the errno the
 * fault says.  Before an EPIPE's SIGPIPE, which may end the process, the
 * record is completed with -EPIPE and c->rec cleared (inject.c). */
long pt_io_injected_failure(struct pt_call *c);

/* pt_io_inject_chosen by value: the count to pass the real call (lowered
 * for a short transfer), or PT_INJECT_FAILS when the call is to fail. */
#define PT_INJECT_FAILS ((size_t)-1)
size_t pt_io_inject_count(struct pt_call *c, uint8_t type, int fd, size_t count, int msg_flags);

/* The real call, or the fault injected into it.  `count` (an lvalue of
 * type size_t that `call` passes) may be lowered first for a short
 * transfer.  With no injection asked, one predictable branch on a static
 * flag, then PT_CALL.  The injection path works on a copy of the call's
 * state, copied back after: neither the call's state nor count has its
 * address taken, so the compiler keeps them in registers on the path
 * taken when nothing is injected. */
#define PT_IO_CALL(c, type, fd, count, msg_flags, call)                                            \
    ({                                                                                             \
        __typeof__(call) pt_io_result_;                                                            \
        if (__builtin_expect(pt_inject_armed, 0)) {                                                \
            struct pt_call pt_slow_ = *(c);                                                        \
            size_t pt_asked_ = pt_io_inject_count(&pt_slow_, (type), (fd), (count), (msg_flags));  \
            if (pt_asked_ == PT_INJECT_FAILS) {                                                    \
                pt_io_result_ = (__typeof__(call))pt_io_injected_failure(&pt_slow_);               \
            } else {                                                                               \
                (count) = pt_asked_;                                                               \
                pt_io_result_ = PT_CALL(&pt_slow_, call);                                          \
            }                                                                                      \
            *(c) = pt_slow_;                                                                       \
        } else {                                                                                   \
            pt_io_result_ = PT_CALL((c), call);                                                    \
        }                                                                                          \
        pt_io_result_;                                                                             \
    })

/* A call moving up to `count` bytes on fd (read, write, stdio's refills
 * and flushes): 1 when it is recorded, its record begun. */
static inline int pt_io_enter(struct pt_call *c, uint8_t type, int fd, uint64_t count) {
    if (!pt_enter_fd(c, fd))
        return 0;
    c->rec = pt_begin_io(type, fd, &c->fd, count, pt_capture_room(count));
    return 1;
}

/* Completes such a call, capturing the first bytes it moved from buf, and
 * leaves; yields n. */
static inline ssize_t pt_io_leave(struct pt_call *c, const void *buf, ssize_t n) {
    pt_end_io(c->rec, buf, pt_outcome(c, n));
    return PT_LEAVE(c, n);
}

#endif /* PIPETRACE_PRELOAD_CALL_H */
