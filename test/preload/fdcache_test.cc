// The fd cache (src/preload/fdcache.c) on real fds: what it says each kind
// of fd is, what it keeps, and what it forgets.  It is told about changes by
// the wrappers; here the test tells it, as they would.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <string>

extern "C" {
#include "src/preload/fdcache.h"
#include "src/preload/state.h"
}

namespace {

// Closes fd and makes the cache forget it, as the close wrapper does.
void Close(int fd) {
    close(fd);
    pt_fdcache_forget(fd);
}

struct stat Stat(int fd) {
    struct stat st {};
    EXPECT_EQ(fstat(fd, &st), 0);
    return st;
}

std::string TmpPath(const std::string &name) {
    const char *tmp = getenv("TEST_TMPDIR");
    return std::string(tmp ? tmp : "/tmp") + "/fdcache_" + name;
}

class FdCache : public ::testing::Test {
  protected:
    void SetUp() override { pt_config.all_fds = 0; }
};

TEST_F(FdCache, PipeEndsAreOnePipeInodeWithTheirOwnDirectionAndFlags) {
    int fds[2];
    ASSERT_EQ(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
    pt_fdinfo r{}, w{};
    pt_fdcache_lookup(fds[0], &r);
    pt_fdcache_lookup(fds[1], &w);
    struct stat st = Stat(fds[0]);
    EXPECT_EQ(r.kind, PT_OBJ_PIPE);
    EXPECT_EQ(w.kind, PT_OBJ_PIPE);
    EXPECT_EQ(r.ino, st.st_ino);
    EXPECT_EQ(w.ino, st.st_ino);
    EXPECT_EQ(r.dev, static_cast<uint32_t>(st.st_dev));
    EXPECT_EQ(r.flags, PT_FDF_KNOWN | PT_FDF_RDONLY | PT_FDF_NONBLOCK | PT_FDF_CLOEXEC);
    EXPECT_EQ(w.flags, PT_FDF_KNOWN | PT_FDF_WRONLY | PT_FDF_NONBLOCK | PT_FDF_CLOEXEC);
    Close(fds[0]);
    Close(fds[1]);
}

// A FIFO looks like a pipe to fstat (S_IFIFO); only its file system tells
// them apart, also once the pipe file system's device is known.
TEST_F(FdCache, FifoIsNotAPipe) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pt_fdinfo info{};
    pt_fdcache_lookup(fds[0], &info);
    ASSERT_EQ(info.kind, PT_OBJ_PIPE);
    std::string path = TmpPath("fifo");
    unlink(path.c_str());
    ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
    int fifo = open(path.c_str(), O_RDWR | O_NONBLOCK);
    ASSERT_GE(fifo, 0);
    pt_fdcache_lookup(fifo, &info);
    EXPECT_EQ(info.kind, PT_OBJ_FIFO);
    EXPECT_EQ(info.ino, Stat(fifo).st_ino);
    EXPECT_EQ(info.flags, PT_FDF_KNOWN | PT_FDF_NONBLOCK);
    Close(fifo);
    Close(fds[0]);
    Close(fds[1]);
}

TEST_F(FdCache, DevNullIsADeviceNamedByItsOwnNumber) {
    int fd = open("/dev/null", O_WRONLY);
    ASSERT_GE(fd, 0);
    pt_fdinfo info{};
    pt_fdcache_lookup(fd, &info);
    EXPECT_EQ(info.kind, PT_OBJ_DEVICE);
    EXPECT_EQ(info.dev, static_cast<uint32_t>(makedev(1, 3)));
    EXPECT_FALSE(pt_fdcache_traced(fd, &info));
    Close(fd);
}

TEST_F(FdCache, TerminalIsATty) {
    int fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (fd < 0)
        GTEST_SKIP() << "no pseudo-terminal here";
    pt_fdinfo info{};
    pt_fdcache_lookup(fd, &info);
    EXPECT_EQ(info.kind, PT_OBJ_TTY);
    Close(fd);
}

TEST_F(FdCache, PipesFifosAndSocketsAreTracedFilesOnlyWhenAsked) {
    int fds[2], pair[2];
    ASSERT_EQ(pipe(fds), 0);
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
    std::string path = TmpPath("file");
    int file = open(path.c_str(), O_CREAT | O_RDWR | O_TRUNC, 0600);
    ASSERT_GE(file, 0);
    pt_fdinfo info{};
    EXPECT_TRUE(pt_fdcache_traced(fds[1], &info));
    EXPECT_TRUE(pt_fdcache_traced(pair[0], &info));
    EXPECT_EQ(info.kind, PT_OBJ_SOCKET);
    EXPECT_FALSE(pt_fdcache_traced(file, &info));
    EXPECT_EQ(info.kind, PT_OBJ_FILE);
    EXPECT_EQ(info.flags, PT_FDF_KNOWN);
    pt_config.all_fds = 1;
    EXPECT_TRUE(pt_fdcache_traced(file, &info));
    pt_config.all_fds = 0;
    Close(file);
    Close(pair[0]);
    Close(pair[1]);
    Close(fds[0]);
    Close(fds[1]);
}

// A call on an fd that is not open is worth seeing (EBADF is a finding),
// and the miss is not kept: the number may be opened next.
TEST_F(FdCache, ClosedFdIsTracedUnknownAndNotCached) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    Close(fds[0]);
    Close(fds[1]);
    pt_fdinfo info{};
    EXPECT_TRUE(pt_fdcache_traced(fds[0], &info));
    EXPECT_EQ(info.kind, PT_OBJ_UNKNOWN);
    EXPECT_FALSE(pt_fdcache_cached(fds[0], &info));
}

// The cache trusts what it was told until told otherwise: the wrappers of
// every call that closes or reuses an fd keep it true.
TEST_F(FdCache, EntryHoldsUntilForgotten) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pt_fdinfo info{};
    pt_fdcache_lookup(fds[1], &info);
    ASSERT_EQ(info.kind, PT_OBJ_PIPE);
    int file = open(TmpPath("reused").c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
    ASSERT_GE(file, 0);
    ASSERT_EQ(dup2(file, fds[1]), fds[1]); // behind the cache's back
    close(file);
    pt_fdcache_lookup(fds[1], &info);
    EXPECT_EQ(info.kind, PT_OBJ_PIPE);
    pt_fdcache_forget(fds[1]);
    pt_fdcache_lookup(fds[1], &info);
    EXPECT_EQ(info.kind, PT_OBJ_FILE);
    Close(fds[0]);
    Close(fds[1]);
}

TEST_F(FdCache, FlagUpdatesChangeOnlyCachedEntries) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pt_fdinfo info{};
    pt_fdcache_lookup(fds[0], &info);
    pt_fdcache_update_flags(fds[0], PT_FDF_NONBLOCK | PT_FDF_CLOEXEC, 0);
    ASSERT_TRUE(pt_fdcache_cached(fds[0], &info));
    EXPECT_EQ(info.flags, PT_FDF_KNOWN | PT_FDF_RDONLY | PT_FDF_NONBLOCK | PT_FDF_CLOEXEC);
    pt_fdcache_update_flags(fds[0], 0, PT_FDF_NONBLOCK);
    ASSERT_TRUE(pt_fdcache_cached(fds[0], &info));
    EXPECT_EQ(info.flags, PT_FDF_KNOWN | PT_FDF_RDONLY | PT_FDF_CLOEXEC);
    EXPECT_EQ(info.kind, PT_OBJ_PIPE);
    pt_fdcache_update_flags(fds[1], PT_FDF_CLOEXEC, 0); // never looked up: stays a miss
    EXPECT_FALSE(pt_fdcache_cached(fds[1], &info));
    Close(fds[0]);
    Close(fds[1]);
}

TEST_F(FdCache, NumbersOutsideTheCacheAreMissesNotFaults) {
    pt_fdinfo info{PT_OBJ_PIPE, 1, PT_OBJ_PIPE, 0};
    pt_fdcache_learn(-1, &info);
    pt_fdcache_learn(1 << 20, &info);
    EXPECT_FALSE(pt_fdcache_cached(-1, &info));
    EXPECT_FALSE(pt_fdcache_cached(1 << 20, &info));
    pt_fdcache_forget(-5);
    pt_fdcache_forget(1 << 30);
}

// fds above the first 1024 live on pages mapped when first needed; a range
// operation reaches them and skips what was never mapped.
TEST_F(FdCache, HighFdsAndRanges) {
    struct rlimit lim {};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &lim), 0);
    const int high = 5000;
    if (lim.rlim_cur <= static_cast<rlim_t>(high)) {
        lim.rlim_cur = lim.rlim_max;
        if (lim.rlim_max <= static_cast<rlim_t>(high) || setrlimit(RLIMIT_NOFILE, &lim) != 0)
            GTEST_SKIP() << "cannot open fd " << high;
    }
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    ASSERT_EQ(dup2(fds[1], high), high);
    pt_fdinfo info{};
    pt_fdcache_lookup(high, &info);
    EXPECT_EQ(info.kind, PT_OBJ_PIPE);
    pt_fdcache_lookup(fds[0], &info);
    pt_fdcache_lookup(fds[1], &info);

    pt_fdcache_cloexec_range(static_cast<unsigned>(fds[1]), ~0u);
    ASSERT_TRUE(pt_fdcache_cached(high, &info));
    EXPECT_TRUE(info.flags & PT_FDF_CLOEXEC);
    ASSERT_TRUE(pt_fdcache_cached(fds[1], &info));
    EXPECT_TRUE(info.flags & PT_FDF_CLOEXEC);
    ASSERT_TRUE(pt_fdcache_cached(fds[0], &info));
    EXPECT_FALSE(info.flags & PT_FDF_CLOEXEC) << "below the range";

    pt_fdcache_forget_range(static_cast<unsigned>(fds[1]), ~0u);
    EXPECT_FALSE(pt_fdcache_cached(high, &info));
    EXPECT_FALSE(pt_fdcache_cached(fds[1], &info));
    EXPECT_TRUE(pt_fdcache_cached(fds[0], &info));
    Close(high);
    Close(fds[0]);
    Close(fds[1]);
}

TEST(FdFlags, FromOpenFlags) {
    EXPECT_EQ(pt_fdcache_flags_from(O_RDONLY, 0), PT_FDF_KNOWN | PT_FDF_RDONLY);
    EXPECT_EQ(pt_fdcache_flags_from(O_WRONLY | O_NONBLOCK, 1),
              PT_FDF_KNOWN | PT_FDF_WRONLY | PT_FDF_NONBLOCK | PT_FDF_CLOEXEC);
    EXPECT_EQ(pt_fdcache_flags_from(O_RDWR | O_APPEND, 0), PT_FDF_KNOWN);
}

} // namespace
