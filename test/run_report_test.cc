// `pipetrace run` says where tracing stopped, on its own stderr and after
// the command ended (issue 9 item 6): one line per process whose tracing
// stopped (from the trace file headers) and per child whose own trace
// could not start (untraced-child records with reason PT_UNTRACED_FAILED).
#include <errno.h>
#include <string.h>

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pipetrace/format.h"
#include "test/flows_fixture.h"
#include "test/harness.h"
#include "test/trace_builder.h"

namespace {

using harness::Process;
using harness::RunResult;

// The lines of text after the first line equal to `marker`.
std::vector<std::string> LinesAfter(const std::string &text, const std::string &marker) {
    std::vector<std::string> lines = harness::Lines(text), out;
    bool seen = false;
    for (const std::string &line : lines) {
        if (seen && !line.empty())
            out.push_back(line);
        seen = seen || line == marker;
    }
    return out;
}

// A trace file as the library leaves it (test/tracebuild): header, exe and
// argv, then one record per entry of `records`.
struct Rec {
    uint8_t type;
    int64_t result;
    uint64_t arg;
    std::string payload;
};

std::string TraceFile(int32_t pid, const std::string &exe, uint32_t flags, int32_t stop_errno,
                      uint64_t dropped, const std::vector<Rec> &records) {
    tb::TraceBuilder b(pid, 1, 1000, {exe}, exe);
    b.header().flags |= flags;
    b.header().stop_errno = stop_errno;
    b.header().dropped = dropped;
    for (const Rec &r : records) {
        pt_record rec = tb::Rec(r.type, pid, -1, 2000, r.result, r.arg);
        rec.t_end = rec.t_start;
        b.Add(rec, tb::Text(r.payload));
    }
    tb::Bytes bytes = b.Build();
    return std::string(bytes.begin(), bytes.end());
}

// Tracing that hits RLIMIT_FSIZE stops in the processes that wrote most;
// run names each, with the errno and the drops the headers hold, after
// everything the command printed.
TEST(RunReport, StopsAreReportedAfterTheCommand) {
    std::string dir = harness::FreshDir("fsize");
    harness::RunOptions opts;
    opts.rlimit_fsize = 200 * 1024;
    opts.env.push_back({"PATH", "/usr/bin:/bin"});
    RunResult r = harness::Run({harness::CliPath(), "run", "-o", dir, "--data=full", "--", "sh",
                                "-c", "seq 1 300000 | cat >/dev/null; echo end >&2"},
                               opts);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    EXPECT_EQ(r.out, "");

    // What the trace says stopped: pid -> (exe, errno, dropped).
    harness::Trace t = harness::LoadTrace(dir);
    std::map<int, std::string> expected;
    std::map<int, int64_t> dropped;
    std::map<int, std::string> exe, why;
    for (const Process &p : t.processes) {
        if (p.stopped.empty())
            continue;
        dropped[p.pid] += p.dropped;
        if (!exe.count(p.pid)) {
            exe[p.pid] = p.exe.substr(p.exe.rfind('/') + 1);
            why[p.pid] = p.stopped;
        }
    }
    ASSERT_FALSE(dropped.empty()) << "nothing stopped under RLIMIT_FSIZE:\n" << t.Head();
    for (const auto &kv : dropped)
        expected[kv.first] = "pipetrace: tracing stopped in pid " + std::to_string(kv.first) +
                             " (" + exe[kv.first] + "): " + why[kv.first] + " (File too large), " +
                             std::to_string(kv.second) + " events dropped";
    // The command's stderr is its own: the report comes after it.
    EXPECT_EQ(r.err.rfind("end\n", 0), 0u) << r.err;
    std::vector<std::string> report = LinesAfter(r.err, "end");
    ASSERT_EQ(report.size(), expected.size()) << r.err;
    size_t i = 0;
    for (const auto &kv : expected)
        EXPECT_EQ(report[i++], kv.second);
}

// A child whose trace could not start (a sandbox refused its directory)
// leaves a record in its parent's file; run names it.  The files are made
// as the library makes them, and appear during the run.
TEST(RunReport, ChildrenThatCouldNotBeTracedAreReported) {
    std::string dir = harness::FreshDir("untraced");
    std::string staging = harness::FreshDir("staging");
    uint64_t failed = PT_UNTRACED_FAILED | (static_cast<uint64_t>(ENOSYS) << 32);
    harness::WriteFile(staging + "/4000000.0.ptr",
                       TraceFile(4000000, "/usr/bin/man", 0, 0, 0,
                                 {{PT_EV_FORK, 4000001, 0, ""},
                                  {PT_EV_UNTRACED_CHILD, 4000001, failed, "/usr/bin/groff"}}));
    harness::WriteFile(staging + "/4000002.0.ptr",
                       TraceFile(4000002, "/usr/bin/col", PT_HDR_STOPPED, ENOSPC, 7, {}));
    // An untraced child of another kind is not a failure: not reported.
    harness::WriteFile(staging + "/4000003.0.ptr",
                       TraceFile(4000003, "/bin/sh", 0, 0, 0,
                                 {{PT_EV_UNTRACED_CHILD, 4000004, PT_UNTRACED_STATIC, "/bin/x"}}));
    RunResult r = fixture::TraceCli({"sh", "-c", "mv " + staging + "/*.ptr " + dir + "/"}, dir);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    EXPECT_EQ(r.err, "pipetrace: pid 4000001 (groff) ran untraced: its trace could not start: "
                     "ENOSYS (Function not implemented)\n"
                     "pipetrace: tracing stopped in pid 4000002 (col): ENOSPC (No space left on "
                     "device), 7 events dropped\n");

    // --append: what an earlier run left is not reported again.
    RunResult again =
        harness::Run({harness::CliPath(), "run", "--append", "-o", dir, "--", "true"});
    ASSERT_TRUE(again.exited && again.exit_code == 0) << again.Describe();
    EXPECT_EQ(again.err, "");
}

// A program that sandboxes itself (seccomp, as man-db does) forks a child
// that cannot create its trace file.  The program's output and stderr are
// byte for byte what they are untraced; run says afterwards, on its own
// stderr, that the child ran untraced and why.
TEST(RunReport, SandboxedChildRunsUntracedAndIsNamed) {
    std::string prog = harness::ProgPath("rr_sandboxed_child");
    RunResult plain = harness::Run({prog});
    ASSERT_TRUE(plain.exited && plain.exit_code == 0) << plain.Describe();
    ASSERT_EQ(plain.out, "from the sandboxed child\n");
    ASSERT_EQ(plain.err, "parent done\n");

    std::string dir = harness::FreshDir("sandboxed");
    RunResult traced = harness::Run({harness::CliPath(), "run", "-o", dir, "--", prog});
    ASSERT_TRUE(traced.exited) << traced.Describe();
    EXPECT_EQ(traced.exit_code, plain.exit_code);
    EXPECT_EQ(traced.out, plain.out);
    // The program's own stderr first, untouched; then run's one line.
    ASSERT_EQ(traced.err.rfind(plain.err, 0), 0u) << traced.err;
    std::vector<std::string> report = harness::Lines(traced.err.substr(plain.err.size()));
    while (!report.empty() && report.back().empty())
        report.pop_back();
    ASSERT_EQ(report.size(), 1u) << traced.err;
    EXPECT_EQ(report[0].rfind("pipetrace: pid ", 0), 0u) << report[0];
    EXPECT_NE(report[0].find(" (rr_sandboxed_child) ran untraced: its trace could not start: "
                             "ENOSYS (Function not implemented)"),
              std::string::npos)
        << report[0];
}

} // namespace
