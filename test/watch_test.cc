// `pipetrace watch` (issue 13): the live view of a running
// `seq 1 2000000 | sort | tail -n 1` shows its three processes and the
// bytes through each pipe rising, and ends when they have ended.
#include <signal.h>

#include <map>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/harness.h"
#include "test/live_job.h"

namespace {

using live_job::GroupMembers;
using live_job::Job;

// The member of group pgid whose /proc/PID/comm is name, or 0.
int Member(int pgid, const std::string &name) {
    for (int pid : GroupMembers(pgid)) {
        try {
            if (harness::ReadFile("/proc/" + std::to_string(pid) + "/comm") == name + "\n")
                return pid;
        } catch (const std::exception &) {
        }
    }
    return 0;
}

// Bytes of `seq 1 N`'s output.
uint64_t SeqBytes(uint64_t n) {
    uint64_t total = 0;
    for (uint64_t i = 1; i <= n; i++)
        total += std::to_string(i).size() + 1;
    return total;
}

// The pipeline runs traced; sort is stopped as soon as it exists, so that
// seq blocks on its full stdout pipe: watch starts then and its first
// refresh sees part of seq's bytes; sort goes on once watch has shown
// them, and watch must show the count rise to all of them.  Ordered by
// states (a stopped reader, a blocked write, a line printed), not by time.
TEST(Watch, ShowsTheThreeProcessesAndRisingBytesThenEnds) {
    const uint64_t total = SeqBytes(2000000);
    for (int attempt = 0; attempt < 3; attempt++) {
        std::string dir = harness::FreshDir("watch");
        Job run({harness::CliPath(), "run", "-o", dir, "--", "sh", "-c",
                 "seq 1 2000000 | sort | tail -n 1"},
                "watch_run");
        int sort = 0;
        ASSERT_TRUE(run.WaitUntil([&] { return (sort = Member(run.pid(), "sort")) != 0; }));
        kill(sort, SIGSTOP);
        // seq blocked writing into the pipe sort no longer reads (or, on a
        // machine that ran seq to its end first, gone: try again).
        bool blocked = run.WaitUntil([&] {
            return harness::BlockedCalls(dir, "write") >= 1 || Member(run.pid(), "seq") == 0;
        }) && harness::BlockedCalls(dir, "write") >= 1;
        if (!blocked) {
            kill(sort, SIGCONT);
            continue;
        }
        Job watch({harness::CliPath(), "watch", "--interval=0.05", dir}, "watch");
        EXPECT_TRUE(watch.WaitUntil([&] {
            return watch.Stdout().find(" written ") != std::string::npos;
        })) << watch.Stdout()
            << watch.Stderr();
        kill(sort, SIGCONT);
        int run_status = run.Wait();
        int watch_status = watch.Wait();
        ASSERT_TRUE(WIFEXITED(run_status) && WEXITSTATUS(run_status) == 0) << run_status;
        ASSERT_TRUE(WIFEXITED(watch_status) && WEXITSTATUS(watch_status) == 0)
            << watch_status << watch.Stderr();
        std::string out = watch.Stdout();

        // The three processes, by their command lines.
        std::map<std::string, int> pid_of;
        std::regex proc_line(R"(\] pid ([0-9]+) ppid [0-9]+ (running|blocked): ([^:;]+))");
        for (std::sregex_iterator it(out.begin(), out.end(), proc_line), end; it != end; ++it)
            pid_of[(*it)[3]] = std::stoi((*it)[1]);
        ASSERT_TRUE(pid_of.count("seq 1 2000000") && pid_of.count("sort") &&
                    pid_of.count("tail -n 1"))
            << out;
        // seq's current call while sort was stopped.
        EXPECT_TRUE(out.find(": seq 1 2000000: write(fd 1, pipe:[") != std::string::npos) << out;

        // seq's pipe: the bytes written, refresh after refresh.
        std::regex pipe_line(
            R"(\] pipe:\[[0-9]+\] ([0-9]+) -> ([0-9]+): written ([0-9]+) read ([0-9]+) buffered ([0-9]+))");
        std::vector<uint64_t> written;
        for (std::sregex_iterator it(out.begin(), out.end(), pipe_line), end; it != end; ++it) {
            if (std::stoi((*it)[1]) != pid_of["seq 1 2000000"])
                continue;
            // The reader is known from its first read (0 before that).
            int reader = std::stoi((*it)[2]);
            EXPECT_TRUE(reader == pid_of["sort"] || (reader == 0 && written.empty())) << (*it)[0];
            uint64_t w = std::stoull((*it)[3]), r = std::stoull((*it)[4]);
            // A write counts once it returns: a reader may have taken part
            // of a large one before that, so read may be ahead for a while.
            EXPECT_EQ(w > r ? w - r : 0, std::stoull((*it)[5])) << (*it)[0];
            written.push_back(w);
        }
        ASSERT_GE(written.size(), 2u) << out;
        EXPECT_LT(written.front(), total) << out;
        EXPECT_EQ(total, written.back()) << out;
        for (size_t i = 1; i < written.size(); i++)
            EXPECT_LE(written[i - 1], written[i]) << out;
        EXPECT_NE(std::string::npos, out.find("pipetrace watch: all 4 traced processes have ended"))
            << out;
        return;
    }
    FAIL() << "seq never blocked on its pipe with sort stopped";
}

// A finished trace: one refresh, then it says every process has ended.
TEST(Watch, AFinishedTraceIsShownOnceAndWatchEnds) {
    std::string dir = harness::FreshDir("watch_done");
    harness::RunOptions opts;
    opts.env.push_back({"PIPETRACE_LIB", harness::LibPath()});
    harness::RunResult r = harness::Run(
        {harness::CliPath(), "run", "-o", dir, "--", "sh", "-c", "seq 1000 | wc -l"}, opts);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    harness::RunResult w = harness::Run({harness::CliPath(), "watch", dir});
    ASSERT_TRUE(w.exited && w.exit_code == 0) << w.Describe();
    EXPECT_NE(std::string::npos, w.out.find(": written 3893 read 3893 buffered 0 ")) << w.out;
    EXPECT_NE(std::string::npos, w.out.find("have ended")) << w.out;
}

// On a terminal: the screen drawn in place with ANSI codes, the tree with
// the shell's children indented under it, ended processes dim.
TEST(Watch, OnATerminalTheScreenIsRedrawnWithAnsiCodes) {
    std::string dir = harness::FreshDir("watch_tty");
    harness::RunOptions opts;
    opts.env.push_back({"PIPETRACE_LIB", harness::LibPath()});
    harness::RunResult r = harness::Run(
        {harness::CliPath(), "run", "-o", dir, "--", "sh", "-c", "seq 1000 | wc -l"}, opts);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    live_job::PtyJob watch({harness::CliPath(), "watch", dir});
    int status = watch.Wait();
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    const std::string &screen = watch.Screen();
    EXPECT_NE(std::string::npos, screen.find("\033[2J\033[H")) << screen;
    EXPECT_NE(std::string::npos, screen.find("COMMAND")) << screen;
    EXPECT_NE(std::string::npos, screen.find("\033[2m")) << screen;      // ended: dim
    EXPECT_NE(std::string::npos, screen.find("    seq 1000")) << screen; // under sh
    EXPECT_NE(std::string::npos, screen.find("3.8 KiB")) << screen;      // 3893 bytes
    EXPECT_NE(std::string::npos, screen.find("all 3 traced processes have ended")) << screen;
}

TEST(Watch, AMissingDirectoryIsOneLineAndStatus2) {
    harness::RunResult w = harness::Run({harness::CliPath(), "watch", harness::FreshPath("none")});
    EXPECT_TRUE(w.exited && w.exit_code == 2) << w.Describe();
    EXPECT_EQ(1u, harness::Lines(w.err).size()) << w.err;
}

} // namespace
