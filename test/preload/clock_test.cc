// The recorder's clock (src/preload/clock.h): CLOCK_MONOTONIC, read from
// the TSC between anchors.  Each time it gives must lie between the
// clock_gettime reads on either side of it (to within the anchor's error,
// far below a microsecond), in every thread, in a signal handler that cut
// into a read, and before and after the TSC's rate is known.
#include <gtest/gtest.h>

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>
#include <thread>
#include <vector>

extern "C" {
#include "src/preload/clock.h"
}

namespace {

// What an anchor may be off by: the rate's error over one span is
// nanoseconds; this also covers a time clamped to the thread's last.
constexpr uint64_t kSlackNs = 2000;

uint64_t Gettime() {
    return pt_clock_gettime_ns(CLOCK_MONOTONIC);
}

struct Bracket {
    uint64_t before, given, after;
};

Bracket ReadBracketed() {
    Bracket b;
    b.before = Gettime();
    b.given = pt_now_ns();
    b.after = Gettime();
    return b;
}

void SpinNs(uint64_t ns) {
    uint64_t end = Gettime() + ns;
    while (Gettime() < end) {
    }
}

// Reads for `ns` nanoseconds, with pauses of every length around the span
// and the rate's first measurement; returns how many reads were outside
// their bracket, and checks each thread's times never go back.
int BadReads(uint64_t ns, std::string *first_bad) {
    int bad = 0;
    uint64_t last = 0;
    uint64_t end = Gettime() + ns;
    for (unsigned i = 0; Gettime() < end; i++) {
        Bracket b = ReadBracketed();
        bool ok =
            b.given + kSlackNs >= b.before && b.given <= b.after + kSlackNs && b.given >= last;
        if (!ok && bad++ == 0)
            *first_bad = "read " + std::to_string(i) + ": " + std::to_string(b.before) +
                         " <= " + std::to_string(b.given) + " <= " + std::to_string(b.after) +
                         ", last " + std::to_string(last);
        last = b.given;
        SpinNs((i % 7) * (i % 11) * 1000); // 0 to 60 µs: within a span and past it
    }
    return bad;
}

TEST(Clock, EveryTimeLiesBetweenClockGettimesBeforeAndAfterTheRateIsKnown) {
    pt_clock_begin_image(0);
    std::string first_bad;
    EXPECT_EQ(BadReads(30 * 1000 * 1000, &first_bad), 0) << first_bad;
#if defined(__x86_64__)
    // Thirty milliseconds after the image began the rate is measured,
    // unless this machine's TSC was found unfit (then every read is
    // clock_gettime, and the brackets above held all the same).
    EXPECT_NE(pt_tsc_ns_per_tick, 0u) << "the TSC's rate was never learned";
#endif
}

TEST(Clock, MostReadsTakeNoAnchor) {
    // Not a timing test: it counts the anchors taken (the generation moves
    // by two for each), that is, the reads that went to clock_gettime.
#if defined(__x86_64__)
    pt_clock_begin_image(0);
    SpinNs(3 * 1000 * 1000);
    (void)pt_now_ns(); // learns the rate
    ASSERT_NE(pt_tsc_ns_per_tick, 0u);
    uint32_t gen_before = pt_tls_clock.gen;
    for (int i = 0; i < 1000; i++)
        (void)pt_now_ns();
    uint32_t anchors = (pt_tls_clock.gen - gen_before) / 2;
    // 1000 reads back to back take well under a millisecond: tens of spans
    // at most, however slow the machine, never one anchor per read.
    EXPECT_LT(anchors, 500u);
#else
    GTEST_SKIP() << "no TSC on this architecture";
#endif
}

TEST(Clock, ThreadsEachKeepTheirOwnAnchorAndStayInBrackets) {
    pt_clock_begin_image(0);
    std::vector<std::thread> threads;
    std::atomic<int> bad{0};
    for (int t = 0; t < 4; t++)
        threads.emplace_back([&bad] {
            std::string first_bad;
            int n = BadReads(20 * 1000 * 1000, &first_bad);
            if (n)
                ADD_FAILURE() << first_bad;
            bad += n;
        });
    for (auto &t : threads)
        t.join();
    EXPECT_EQ(bad.load(), 0);
}

std::atomic<int> handler_bad{0};
std::atomic<int> handler_runs{0};

void ReadInHandler(int) {
    int saved = errno;
    Bracket b = ReadBracketed();
    if (b.given + kSlackNs < b.before || b.given > b.after + kSlackNs)
        handler_bad++;
    handler_runs++;
    errno = saved;
}

TEST(Clock, AHandlerThatCutsIntoARead) {
    pt_clock_begin_image(0);
    struct sigaction sa = {};
    sa.sa_handler = ReadInHandler;
    ASSERT_EQ(sigaction(SIGALRM, &sa, nullptr), 0);
    struct itimerval every = {{0, 20}, {0, 20}}; // as often as the kernel will
    ASSERT_EQ(setitimer(ITIMER_REAL, &every, nullptr), 0);
    std::string first_bad;
    int bad = BadReads(100 * 1000 * 1000, &first_bad);
    struct itimerval off = {};
    setitimer(ITIMER_REAL, &off, nullptr);
    signal(SIGALRM, SIG_DFL);
    EXPECT_EQ(bad, 0) << first_bad;
    EXPECT_GT(handler_runs.load(), 10);
    EXPECT_EQ(handler_bad.load(), 0);
}

TEST(Clock, AfterUseGettimeEveryReadIsClockGettime) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        pt_clock_use_gettime();
        for (int i = 0; i < 100000; i++) {
            Bracket b = ReadBracketed();
            if (b.given < b.before || b.given > b.after)
                _exit(1); // exact: no anchor, no slack
        }
#if defined(__x86_64__)
        if (pt_tsc_ns_per_tick != 0)
            _exit(2);
#endif
        _exit(0);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

} // namespace
