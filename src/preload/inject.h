/* Fault injection inside the traced process (PIPETRACE_INJECT).
 *
 * The configuration is parsed once, at start-up, into a static table
 * (inject_spec.h).  When no spec applies to this image, pt_inject_armed is
 * 0 and the I/O skeleton (call.h) pays one predictable branch on it.
 * Decisions are per process and deterministic: a counter of matching calls
 * per spec and a hash of (seed, spec, counter), nothing time-dependent, so a
 * single-threaded program replays the same faults on the same calls. */
#ifndef PIPETRACE_PRELOAD_INJECT_H
#define PIPETRACE_PRELOAD_INJECT_H

#include <stdint.h>

#include "fdcache.h"
#include "inject_spec.h"

/* 1 when some spec may hit a call of this image. */
extern int pt_inject_armed;

/* Reads PIPETRACE_INJECT and PIPETRACE_INJECT_SEED (text may be NULL).
 * A spec that does not parse disables injection: the program is run as
 * untraced programs are (pipetrace run refuses such a spec up front). */
void pt_inject_configure(const char *text, const char *seed_text);

/* Which specs apply to this image (pid=, exe=, argv=) and fresh counters:
 * at start-up and in each fork child.  args: the image's argument strings
 * one after the other, each ending in NUL, args_len bytes in all, as the
 * kernel laid them out at exec (NULL: unknown). */
void pt_inject_bind_process(int pid, const char *args, uint32_t args_len);

/* The fault for a call of `type` on fd (what the fd cache says of it)
 * asking for `count` bytes, with MSG_* `msg_flags` (0 for read and write):
 * PT_FAULT_NONE, or the fault, with *amount the count to pass for
 * PT_FAULT_SHORT, the nanoseconds to sleep for PT_FAULT_DELAY.  A short transfer is made only on a
 * byte stream (a pipe, FIFO or stream socket): a datagram cut short would lose its tail. */
int pt_inject_pick(uint8_t type, int fdnum, const struct pt_fdinfo *fd, uint64_t count,
                   int msg_flags, uint64_t *amount);

/* The most iovec entries a short transfer over an array is cut within: the
 * cut copy lives on the caller's stack. */
#define PT_INJECT_CUT_MAX 16

struct pt_call;
struct iovec;

/* The fault of a call over the iovec array *iov of *iovcnt entries
 * (readv, writev, sendmsg, recvmsg), its record begun; asked only with
 * injection on.  An array the kernel could not read gets none (the call
 * fails as it would untraced).  Under a short transfer *iov and *iovcnt
 * are pointed at a copy of the array's head in cut[PT_INJECT_CUT_MAX], cut
 * to the short count (drawn within the first PT_INJECT_CUT_MAX entries);
 * the record and capture still go by the caller's array.  1 when the call
 * is to fail instead of being made. */
int pt_inject_iov(struct pt_call *c, uint8_t type, int fd, const struct iovec **iov, int *iovcnt,
                  struct iovec *cut, int msg_flags);

/* The errno an injected failure (EINTR, EAGAIN, EPIPE) fails with. */
int pt_inject_fail_errno(int fault);

/* Makes an injected failure happen: for EPIPE, raises a real SIGPIPE at
 * the calling thread unless MSG_NOSIGNAL was asked, as the kernel would;
 * the program's disposition decides what follows. */
void pt_inject_fail(int fault, int msg_flags);

#endif /* PIPETRACE_PRELOAD_INJECT_H */
