// Where the bytes went (issue 18): a failed stdio flush recorded with its
// errno; check's lost-data, stolen-input and shared-nonblock, each bug named
// by pid, fd and pipe and each correct twin silent.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/analysis_cli.h"
#include "test/harness.h"
#include "test/json.h"

namespace {

using analysis_cli::HasPid;
using analysis_cli::ProblemsOfKind;

std::string CorpusDir() {
    return harness::SourcePath("test/corpus");
}

std::string CorpusBin(const std::string &name) {
    return harness::ProgPath("corpus") + "/" + name;
}

harness::RunOptions TracedOptions(const std::string &dir) {
    harness::RunOptions opts;
    opts.env = harness::PreloadEnv(dir);
    opts.env.push_back({"PATH", "/usr/bin:/bin"});
    opts.env.push_back({"LC_ALL", "C"});
    opts.env.push_back({"CORPUS_DIR", CorpusDir()});
    opts.env.push_back({"CORPUS_BIN", harness::ProgPath("corpus")});
    return opts;
}

// --- a failed stdio flush keeps the kernel's answer --------------------------------

bool StdioWriteOn(const harness::Event &e, int fd) {
    return e.call == "write" && e.via == "stdio" && e.fd == fd && e.state == "done";
}

// fwrite of 100000 bytes into a non-blocking pipe that holds 65536: the
// bytes that went out, then the rest failing with EAGAIN.
TEST(StdioFlush, AShortFlushIsRecordedWithItsErrno) {
    std::string dir = harness::FreshDir("fwrite");
    harness::RunResult run = harness::Run({harness::ProgPath("lost_fwrite")}, TracedOptions(dir));
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    ASSERT_EQ("moved 65536 error 1\n", run.out);
    harness::Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    auto writes = t.Select([](const harness::Event &e) { return StdioWriteOn(e, 4); });
    ASSERT_EQ(2u, writes.size()) << t.Head(60);
    EXPECT_EQ(65536, writes[0]->result);
    EXPECT_EQ("", writes[0]->err);
    EXPECT_EQ("EAGAIN", writes[1]->err) << t.Head(60);
    EXPECT_EQ(writes[0]->arg - 65536, writes[1]->arg);
}

// printf to a non-blocking stdout: once the pipe is full every flush fails
// with EAGAIN, and the trace says so instead of "= 0".
TEST(StdioFlush, APrintfThatMetAFullPipeSaysEagain) {
    std::string dir = harness::FreshDir("stdio_flush");
    harness::RunResult run = harness::Run({CorpusBin("c_stdio_flush"), "bug"}, TracedOptions(dir));
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    harness::Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    auto failed =
        t.Select([](const harness::Event &e) { return StdioWriteOn(e, 1) && e.err == "EAGAIN"; });
    EXPECT_FALSE(failed.empty()) << t.Head(80);
    EXPECT_EQ(0u, t.Count([](const harness::Event &e) {
        return StdioWriteOn(e, 1) && e.has_result && e.result == 0;
    })) << t.Head(80);
}

} // namespace
