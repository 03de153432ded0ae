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

// A short process's records fit the page its file starts with: the file is
// one page, and needs no cut at exit (a reopen and an ftruncate, 40-60 us
// of a spawn on the machines of issue 12) nor a growth before it (a module
// record reserved room for the longest path).
TEST(Startup, ShortProcessMakesOnePageFileWithoutGrowthOrCut) {
    std::string dir = harness::FreshDir("startup_short");
    std::string calls =
        StraceLastImage(Preloaded(dir, {harness::ProgPath("ten_calls")}), "openat,open,ftruncate");
    if (calls.empty())
        GTEST_SKIP() << "strace cannot trace here";
    EXPECT_EQ(calls.find("ftruncate("), std::string::npos) << calls;
    size_t opens = 0; // its creation, then any reopen to grow or cut it
    for (size_t at = calls.find(".ptr\""); at != std::string::npos;
         at = calls.find(".ptr\"", at + 1))
        opens++;
    EXPECT_EQ(opens, 1u) << calls;
    harness::Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    ASSERT_EQ(t.processes.size(), 1u);
    EXPECT_EQ(t.processes[0].argv, std::vector<std::string>{harness::ProgPath("ten_calls")});
    std::vector<std::string> files = harness::TraceFileNames(dir);
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(harness::ReadFile(dir + "/" + files[0]).size(), 4096u);
}

// An image inherits fds and writes nothing itself, so its constructor makes
// its file: the command line is copied from where the kernel laid it out.
TEST(Startup, FileMadeAtStartReadsNoProcCmdline) {
    std::string dir = harness::FreshDir("startup_cmdline");
    std::string calls = StraceLastImage(
        Preloaded(dir, {"/bin/sh", "-c", "exec 7</dev/null; exec /bin/true one two"}),
        "openat,open");
    if (calls.empty())
        GTEST_SKIP() << "strace cannot trace here";
    ASSERT_NE(calls.find("execve(\"/bin/true\""), std::string::npos) << calls;
    EXPECT_NE(calls.find(".ptr\""), std::string::npos) << "no trace file made:\n" << calls;
    EXPECT_EQ(calls.find("/proc/self/cmdline"), std::string::npos) << calls;
    harness::Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    bool found = false;
    for (const harness::Process &p : t.processes)
        if (p.exe == "/usr/bin/true" || p.exe == "/bin/true") {
            found = true;
            EXPECT_EQ(p.argv, (std::vector<std::string>{"/bin/true", "one", "two"}));
        }
    EXPECT_TRUE(found) << t.Head();
}

// The library's small writable variables, those every process touches at
// start, share one page: the arrays over 1000 bytes are in .lbss behind
// them (src/preload/BUILD), each first touch of a page being a fault.
TEST(Startup, SmallWritableDataFitsOnePage) {
    RunResult r = harness::Run({"readelf", "-SW", harness::LibPath()});
    if (!r.exited || r.exit_code != 0)
        GTEST_SKIP() << "readelf cannot run here";
    std::map<std::string, unsigned long> sizes;
    std::istringstream lines(r.out);
    std::string line;
    while (std::getline(lines, line)) {
        size_t bracket = line.find("] .");
        if (bracket == std::string::npos)
            continue;
        std::istringstream words(line.substr(bracket + 2));
        std::string name, type, addr, off, size;
        if (words >> name >> type >> addr >> off >> size &&
            size.find_first_not_of("0123456789abcdef") == std::string::npos)
            sizes[name] = std::stoul(size, nullptr, 16);
    }
    ASSERT_TRUE(sizes.count(".lbss")) << "no large-data section:\n" << r.out;
    EXPECT_GT(sizes[".lbss"], 64u * 1024) << "the large arrays are not in .lbss";
    EXPECT_LT(sizes[".data"] + sizes[".bss"], 4096u) << r.out;
}

} // namespace
