// `pipetrace summary` on real runs: the seed scenario and a shell pipeline.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/analysis_cli.h"

namespace {

using analysis_cli::Output;

// The pipes created inside the trace (the test's own stdout pipe, made
// outside, is listed too when written to).
std::vector<json::Value> CreatedPipes(const json::Value &s) {
    std::vector<json::Value> out;
    for (const json::Value &p : s["pipes"].as_array())
        if (!p["created_by"].is_null())
            out.push_back(p);
    return out;
}

const json::Value *FindProcess(const json::Value &s, int pid) {
    for (const json::Value &p : s["processes"].as_array())
        if (p["pid"].as_int() == pid)
            return &p;
    return nullptr;
}

// examples/pipe2_fork.py: two processes, one pipe2(O_NONBLOCK) pipe, 19
// bytes written by the parent and read by the child.
TEST(Summary, SeedScenario) {
    std::string dir = harness::FreshDir("seed");
    harness::RunResult r = analysis_cli::RunTraced(
        {"/usr/bin/python3", harness::SourcePath("examples/pipe2_fork.py")}, dir);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    Output o = analysis_cli::Viewer("summary", dir);
    ASSERT_EQ(o.error, "");
    ASSERT_TRUE(o.run.exited && o.run.exit_code == 0) << o.run.Describe();
    const json::Value &s = o.json;
    ASSERT_EQ(2u, s["processes"].size()) << s.dump();
    int parent = static_cast<int>(s["processes"][0]["pid"].as_int());
    int child = static_cast<int>(s["processes"][1]["pid"].as_int());
    EXPECT_EQ(parent, s["processes"][1]["ppid"].as_int());
    EXPECT_EQ(0, s["processes"][0]["exit"]["code"].as_int());
    EXPECT_EQ(0, s["processes"][1]["exit"]["code"].as_int());
    EXPECT_EQ("examples/pipe2_fork.py", s["processes"][0]["argv"][1].as_string().substr(
                                            s["processes"][0]["argv"][1].as_string().size() - 22));

    auto pipes = CreatedPipes(s);
    ASSERT_EQ(1u, pipes.size()) << s.dump();
    const json::Value &p = pipes[0];
    EXPECT_EQ(parent, p["created_by"].as_int());
    EXPECT_EQ("pipe2", p["call"].as_string());
    ASSERT_EQ(1u, p["flags"].size());
    EXPECT_EQ("O_NONBLOCK", p["flags"][0].as_string());
    EXPECT_GT(p["inode"].as_int(), 0);
    EXPECT_EQ(19, p["bytes_written"].as_int());
    EXPECT_EQ(19, p["bytes_read"].as_int());
    ASSERT_EQ(1u, p["writers"].size());
    EXPECT_EQ(parent, p["writers"][0]["pid"].as_int());
    EXPECT_EQ(19, p["writers"][0]["bytes"].as_int());
    ASSERT_EQ(1u, p["readers"].size());
    EXPECT_EQ(child, p["readers"][0]["pid"].as_int());
    EXPECT_EQ(19, p["readers"][0]["bytes"].as_int());
    EXPECT_EQ(0, s["dropped_events"].as_int());

    // The text form fits 80 columns.
    harness::RunResult t = harness::Run({harness::CliPath(), "summary", dir});
    ASSERT_TRUE(t.exited) << t.Describe();
    for (const std::string &line : harness::Lines(t.out))
        EXPECT_LE(line.size(), 80u) << line;
}

// A shell pipeline: each process, the exec chain, two pipes in a row.
TEST(Summary, ShellPipeline) {
    std::string dir = harness::FreshDir("pipeline");
    harness::RunResult r =
        analysis_cli::RunTraced({"/bin/sh", "-c", "seq 1 1000 | sort -n | tail -n 1"}, dir);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    EXPECT_EQ("1000\n", r.out);
    Output o = analysis_cli::Viewer("summary", dir);
    ASSERT_EQ(o.error, "");
    const json::Value &s = o.json;
    ASSERT_EQ(4u, s["processes"].size()) << s.dump();
    auto pipes = CreatedPipes(s);
    ASSERT_EQ(2u, pipes.size()) << s.dump();
    const json::Value &a = pipes[0];
    const json::Value &b = pipes[1];
    ASSERT_EQ(1u, a["writers"].size());
    ASSERT_EQ(1u, a["readers"].size());
    EXPECT_EQ("/usr/bin/seq", a["writers"][0]["exe"].as_string());
    EXPECT_EQ("/usr/bin/sort", a["readers"][0]["exe"].as_string());
    EXPECT_TRUE(a["readers"][0]["eof"].as_bool());
    EXPECT_EQ("/usr/bin/sort", b["writers"][0]["exe"].as_string());
    EXPECT_EQ("/usr/bin/tail", b["readers"][0]["exe"].as_string());
    EXPECT_EQ(3893, a["bytes_written"].as_int());
    EXPECT_EQ(3893, b["bytes_read"].as_int());
    const json::Value *seq = FindProcess(s, static_cast<int>(a["writers"][0]["pid"].as_int()));
    ASSERT_NE(nullptr, seq);
    EXPECT_EQ(2u, (*seq)["images"].size()); // the forked shell, then seq
    EXPECT_EQ(0u, s["problems"].size()) << s.dump();
}

} // namespace
