// Tests of `pipetrace graph`: the DOT and text forms on the pipeline, a
// blocked reader, and (when Graphviz is installed) that dot renders the
// output without a word on stderr.
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/flows_fixture.h"
#include "test/harness.h"

namespace {

using fixture::Cli;

size_t Count(const std::string &s, const std::string &needle) {
    size_t n = 0;
    for (size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1))
        n++;
    return n;
}

TEST(Graph, DotOfThePipeline) {
    ASSERT_NE(fixture::PipelineDir(), "");
    harness::RunResult r = Cli({"graph", fixture::PipelineDir()});
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    const std::string &dot = r.out;
    EXPECT_EQ(dot.rfind("digraph pipetrace {", 0), 0u) << dot;
    EXPECT_NE(dot.find(": seq 1 100000\\n"), std::string::npos) << dot;
    EXPECT_NE(dot.find(": sort -n\\n"), std::string::npos) << dot;
    EXPECT_NE(dot.find(": tail -n 1\\n"), std::string::npos) << dot;
    EXPECT_NE(dot.find(": sh -c "), std::string::npos) << dot;
    EXPECT_EQ(Count(dot, "\\n588895 bytes\", color="), 2u) << dot;
    EXPECT_EQ(Count(dot, "[style=dashed, color=gray60"), 3u) << dot; // sh's children
    EXPECT_NE(dot.find("(exec from sh)"), std::string::npos) << dot;
}

TEST(Graph, DotRendersWithoutWarnings) {
    if (access("/usr/bin/dot", X_OK) != 0)
        GTEST_SKIP() << "Graphviz is not installed";
    harness::RunResult r = Cli({"graph", "--format=dot", fixture::PipelineDir()});
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    std::string in = harness::FreshPath("pipeline.dot");
    harness::WriteFile(in, r.out);
    harness::RunResult svg = harness::Run({"/usr/bin/dot", "-Tsvg", in});
    EXPECT_TRUE(svg.exited && svg.exit_code == 0) << svg.Describe();
    EXPECT_EQ(svg.err, "");
    EXPECT_NE(svg.out.find("<svg"), std::string::npos);
    EXPECT_NE(svg.out.find("588895 bytes"), std::string::npos);
}

TEST(Graph, TextTree) {
    harness::RunResult r = Cli({"graph", "--format=text", fixture::PipelineDir()});
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    EXPECT_NE(r.out.find("|-- "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("`-- "), std::string::npos) << r.out;
    EXPECT_EQ(Count(r.out, ": 588895 bytes\n"), 2u) << r.out;
    EXPECT_NE(r.out.find("writes pipe:["), std::string::npos) << r.out;
}

TEST(Graph, BlockedReaderIsRedAndKilled) {
    std::string dir = harness::FreshDir("blocked");
    harness::RunResult r = fixture::TraceCli({harness::ProgPath("blocked_reader")}, dir);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    int child = 0;
    ASSERT_EQ(sscanf(r.out.c_str(), "child %d", &child), 1) << r.out;
    harness::RunResult dot = Cli({"graph", dir});
    ASSERT_TRUE(dot.exited && dot.exit_code == 0) << dot.Describe();
    std::string node = std::to_string(child) + ": blocked_reader\\nBLOCKED reading pipe:[";
    EXPECT_NE(dot.out.find(node), std::string::npos) << dot.out;
    EXPECT_NE(dot.out.find("killed by SIGKILL\", color=\"#c0392b\""), std::string::npos) << dot.out;
    harness::RunResult text = Cli({"graph", "--format=text", dir});
    EXPECT_NE(text.out.find("[killed by SIGKILL] [BLOCKED reading pipe:["), std::string::npos)
        << text.out;
    // The parent kept the write end open: it is what the reader waited on.
    EXPECT_EQ(Count(dot.out, "[label=\"holds write end of\\npipe:["), 1u) << dot.out;
    EXPECT_NE(text.out.find("HOLDS the write end of pipe:["), std::string::npos) << text.out;
    EXPECT_NE(
        text.out.find("that " + std::to_string(child) + " blocked_reader was blocked reading"),
        std::string::npos)
        << text.out;
}

// bug_leak: pipe() without O_CLOEXEC, fork, exec of a program that never
// touches the inherited read end.
TEST(Graph, LeakedFdIsMarked) {
    std::string dir = harness::FreshDir("leak");
    harness::RunResult r = fixture::TraceCli({harness::ProgPath("bug_leak")}, dir);
    ASSERT_TRUE(r.exited) << r.Describe();
    harness::RunResult dot = Cli({"graph", dir});
    ASSERT_TRUE(dot.exited && dot.exit_code == 0) << dot.Describe();
    EXPECT_NE(dot.out.find("\\nLEAKED fd 3: pipe:["), std::string::npos) << dot.out;
    EXPECT_NE(dot.out.find("color=\"#d35400\""), std::string::npos) << dot.out;
    harness::RunResult text = Cli({"graph", "--format=text", dir});
    EXPECT_NE(text.out.find("LEAKED fd 3: pipe:["), std::string::npos) << text.out;
}

TEST(Graph, UnknownFormat) {
    harness::RunResult r = Cli({"graph", "--format=png", fixture::SeedDir()});
    EXPECT_EQ(r.exit_code, 2);
}

} // namespace
