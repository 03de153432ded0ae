// What the library does when a process starts (issue 12, spawn cost): a
// process that inherits only the usual few fds is not made to list
// /proc/self/fd, and the inherited fds it records are the same whichever
// way they were found.

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "test/harness.h"

namespace {

using harness::RunOptions;
using harness::RunResult;

// The system calls of the last image of a process under strace (strace
// follows execve within the process); empty when strace cannot run here.
std::string StraceLastImage(const std::vector<std::string> &argv, const std::string &calls) {
    std::string out = harness::FreshPath("strace_out");
    std::vector<std::string> full = {"strace", "-qq", "-e", "trace=execve," + calls, "-o", out};
    full.insert(full.end(), argv.begin(), argv.end());
    RunResult r = harness::Run(full);
    if (!r.exited || r.exit_code != 0)
        return "";
    std::string text = harness::ReadFile(out);
    size_t last_exec = text.rfind("execve(");
    return last_exec == std::string::npos ? "" : text.substr(last_exec);
}

std::vector<std::string> Preloaded(const std::string &dir, const std::vector<std::string> &argv) {
    std::vector<std::string> full = {"env", "LD_PRELOAD=" + harness::LibPath(),
                                     "PIPETRACE_DIR=" + dir};
    full.insert(full.end(), argv.begin(), argv.end());
    return full;
}

TEST(Startup, QuietProcessListsNothingUnderProc) {
    std::string dir = harness::FreshDir("startup_quiet");
    std::string calls = StraceLastImage(Preloaded(dir, {"/bin/true"}), "openat,open,getdents64");
    if (calls.empty())
        GTEST_SKIP() << "strace cannot trace here";
    ASSERT_NE(calls.find("execve(\"/bin/true\""), std::string::npos) << calls;
    EXPECT_EQ(calls.find("/proc/self/fd"), std::string::npos)
        << "/bin/true inherited only fds 0-2, yet the library listed /proc/self/fd:\n"
        << calls;
}

// The inherited_fd records of the image running `exe`, fd -> kind.
std::map<int, std::string> InheritedOf(const harness::Trace &t, const std::string &exe) {
    std::set<std::string> images;
    for (const harness::Process &p : t.processes)
        if (p.exe == exe)
            images.insert(p.image);
    std::map<int, std::string> out;
    for (const harness::Event &e : t.events)
        if (images.count(e.image) && e.call == "inherited_fd")
            out[e.fd] = e.kind;
    return out;
}

// fds 3 and 40 fit the kernel's first fd table (the poll path); 70 does not
// (bash's table grew for it, and /proc is listed).  Either way every fd the
// program was born with is recorded, and nothing else.
void ExpectInheritedRecorded(const std::string &redirections, const std::set<int> &extra) {
    std::string dir = harness::FreshDir("startup_inherit");
    RunOptions opts;
    opts.env = harness::PreloadEnv(dir);
    RunResult r =
        harness::Run({"/bin/bash", "-c", "exec " + redirections + "; exec /bin/true"}, opts);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    harness::Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.error.empty()) << t.error;
    std::map<int, std::string> fds = InheritedOf(t, "/usr/bin/true");
    std::set<int> numbers;
    for (const auto &fd : fds)
        numbers.insert(fd.first);
    std::set<int> expected = {0, 1, 2};
    expected.insert(extra.begin(), extra.end());
    EXPECT_EQ(numbers, expected) << t.Head(40);
    for (int fd : extra)
        EXPECT_EQ(fds[fd], "device") << "fd " << fd << " is /dev/null\n" << t.Head(40);
}

TEST(Startup, InheritedFdsBelow64AllRecorded) {
    ExpectInheritedRecorded("3</dev/null 40</dev/null", {3, 40});
}

TEST(Startup, InheritedFdsAbove64AllRecorded) {
    ExpectInheritedRecorded("3</dev/null 40</dev/null 70</dev/null", {3, 40, 70});
}

} // namespace
