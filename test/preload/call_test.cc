// The call skeleton every wrapper is built on (src/preload/call.h): the
// program's errno is what the real call starts with, the real call's errno
// is what the program gets back, and a failure is recorded as -errno.
#include <gtest/gtest.h>

#include <errno.h>
#include <unistd.h>

extern "C" {
#include "src/preload/call.h"
#include "src/preload/state.h"
}

namespace {

int errno_at_entry;

// Stand-ins for a real function: one fails with EPIPE, one succeeds
// without touching errno, as libc's do.
int FailsWithEpipe() {
    errno_at_entry = errno;
    errno = EPIPE;
    return -1;
}

ssize_t Succeeds() {
    errno_at_entry = errno;
    return 5;
}

TEST(CallSkeleton, RealCallStartsWithTheCallersErrnoAndItsOwnIsHandedBack) {
    struct pt_call c;
    errno = EAGAIN;
    pt_enter(&c);
    errno = ENOENT; // what recording might leave behind
    int r = PT_CALL(&c, FailsWithEpipe());
    errno = EBADF; // recording after the call
    EXPECT_EQ(errno_at_entry, EAGAIN);
    EXPECT_EQ(pt_outcome(&c, r), -EPIPE);
    EXPECT_EQ(PT_FINISH(&c, r), -1);
    EXPECT_EQ(errno, EPIPE);
}

TEST(CallSkeleton, SuccessLeavesTheCallersErrnoAlone) {
    struct pt_call c;
    errno = EINTR;
    pt_enter(&c);
    errno = ENOENT;
    ssize_t n = PT_CALL(&c, Succeeds());
    errno = EBADF;
    EXPECT_EQ(errno_at_entry, EINTR);
    EXPECT_EQ(pt_outcome(&c, n), 5);
    EXPECT_EQ(PT_LEAVE(&c, n), 5);
    EXPECT_EQ(errno, EINTR);
}

TEST(CallSkeleton, PassThroughGivesTheCallersErrno) {
    struct pt_call c;
    errno = ERANGE;
    pt_enter(&c);
    errno = ENOENT;
    EXPECT_EQ(PT_PASS(&c, Succeeds()), 5);
    EXPECT_EQ(errno_at_entry, ERANGE);
    EXPECT_EQ(errno, ERANGE);
}

// With recording off nothing is looked up, and the fd reads as unknown:
// what the dup wrappers then teach the cache (forget the new number).
TEST(CallSkeleton, NoFdIsTracedWhileRecordingIsOff) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    struct pt_call c;
    pt_config.disabled = 1;
    EXPECT_FALSE(pt_enter_fd(&c, fds[0]));
    EXPECT_EQ(c.fd.kind, PT_OBJ_UNKNOWN);
    EXPECT_FALSE(pt_fdcache_cached(fds[0], &c.fd));
    pt_config.disabled = 0;
    EXPECT_TRUE(pt_enter_fd(&c, fds[0]));
    EXPECT_EQ(c.fd.kind, PT_OBJ_PIPE);
    EXPECT_EQ(c.rec, nullptr);
    close(fds[0]);
    close(fds[1]);
    pt_fdcache_forget(fds[0]);
    pt_fdcache_forget(fds[1]);
}

} // namespace
