// The recorder against what traced programs do to it (issues 9, 16, 17):
// rewritten argv, sandboxes, signal-handler forks, address-space limits,
// runaway capture, hostile trace directories and set-id programs.  Where an
// item is about harm, the test compares the traced run with the untraced
// one.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/harness.h"

namespace {

using harness::Event;
using harness::FreshDir;
using harness::Process;
using harness::ProgPath;
using harness::RunOptions;
using harness::RunResult;
using harness::Trace;

const char kSystemPath[] = "/usr/bin:/bin";

RunOptions Opts() {
    RunOptions o;
    o.env.push_back({"PATH", kSystemPath});
    return o;
}

RunResult RunTraced(const std::vector<std::string> &argv, const std::string &dir,
                    RunOptions opts = Opts()) {
    auto env = harness::PreloadEnv(dir);
    opts.env.insert(opts.env.begin(), env.begin(), env.end());
    return harness::Run(argv, opts);
}

RunResult RunPlain(const std::vector<std::string> &argv, RunOptions opts = Opts()) {
    return harness::Run(argv, opts);
}

// Same exit, same stdout, same stderr.
void ExpectSameBehaviour(const RunResult &plain, const RunResult &traced) {
    EXPECT_EQ(traced.exited, plain.exited) << traced.Describe();
    EXPECT_EQ(traced.exit_code, plain.exit_code) << traced.Describe();
    EXPECT_EQ(traced.term_signal, plain.term_signal) << traced.Describe();
    EXPECT_EQ(traced.out, plain.out);
    EXPECT_EQ(traced.err, plain.err);
}

[[maybe_unused]] std::vector<std::string> DirEntries(const std::string &dir) {
    std::vector<std::string> out;
    DIR *d = opendir(dir.c_str());
    if (d == nullptr)
        return out;
    while (struct dirent *e = readdir(d)) {
        std::string name = e->d_name;
        if (name != "." && name != "..")
            out.push_back(name);
    }
    closedir(d);
    return out;
}

#define ASSERT_TRACE_OK(t) ASSERT_TRUE((t).ok) << (t).error << "\n" << (t).text.substr(0, 3000)

// --- issue 9 item 1: argv the program rewrote --------------------------------

TEST(RewrittenArgv, ForkChildOfAProgramThatCompactedArgvIsUnharmed) {
    std::vector<std::string> argv = {ProgPath("rs_argv_fork"), "--one", "two"};
    RunResult plain = RunPlain(argv);
    ASSERT_TRUE(plain.exited && plain.exit_code == 0) << plain.Describe();
    ASSERT_EQ(plain.out, "read 10: from child\nchild exit 0\n");
    std::string dir = FreshDir("argv");
    RunResult traced = RunTraced(argv, dir);
    ExpectSameBehaviour(plain, traced);

    // The child's header has the command line as it was started, not the
    // array the program rewrote.
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    int children = 0;
    for (const Process &p : t.processes) {
        EXPECT_EQ(p.argv, argv) << "process " << p.pid;
        children += p.fork_child;
    }
    EXPECT_EQ(children, 1) << t.Head();
    EXPECT_EQ(t.Count([](const Event &e) { return e.call == "write" && e.result == 10; }), 1u)
        << t.Head();
}

} // namespace
