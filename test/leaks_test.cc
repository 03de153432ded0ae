// `pipetrace leaks`: the leak scenario of issue 3.
#include <string>

#include <gtest/gtest.h>

#include "test/analysis_cli.h"

namespace {

using analysis_cli::Output;

TEST(Leaks, PipeWithoutCloexecLeaksIntoTheExecdProgram) {
    std::string dir = harness::FreshDir("leak");
    harness::RunResult r = analysis_cli::RunTraced({harness::ProgPath("bug_leak")}, dir);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    Output o = analysis_cli::Viewer("leaks", dir);
    ASSERT_EQ(o.error, "");
    ASSERT_EQ(1u, o.json["leaks"].size()) << o.json.dump();
    const json::Value &l = o.json["leaks"][0];
    EXPECT_EQ("/usr/bin/sleep", l["exe"].as_string());
    EXPECT_EQ(3, l["fd"].as_int());
    EXPECT_EQ("pipe", l["object"]["kind"].as_string());
    EXPECT_EQ("read", l["object"]["end"].as_string());
    EXPECT_EQ("pipe", l["call"].as_string());
    EXPECT_NE(l["created_by"].as_int(), l["pid"].as_int());
    EXPECT_NE(std::string::npos, l["site"].as_string().find("bug_leak+0x"))
        << l["site"].as_string();
    // created -> fork -> exec
    const json::Value &chain = l["chain"];
    ASSERT_EQ(3u, chain.size()) << chain.dump();
    EXPECT_EQ("created", chain[0]["step"].as_string());
    EXPECT_EQ(l["created_by"].as_int(), chain[0]["pid"].as_int());
    EXPECT_EQ("fork", chain[1]["step"].as_string());
    EXPECT_EQ(l["pid"].as_int(), chain[1]["pid"].as_int());
    EXPECT_EQ("exec", chain[2]["step"].as_string());
    EXPECT_EQ("/usr/bin/sleep", chain[2]["exe"].as_string());
    const std::string &d = l["description"].as_string();
    EXPECT_NE(std::string::npos, d.find("with pipe() (no O_CLOEXEC)")) << d;
    EXPECT_NE(std::string::npos, d.find("carried across exec into /usr/bin/sleep")) << d;
}

TEST(Leaks, Pipe2WithCloexecLeaksNothing) {
    std::string dir = harness::FreshDir("noleak");
    harness::RunResult r = analysis_cli::RunTraced({harness::ProgPath("ok_leak")}, dir);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    Output o = analysis_cli::Viewer("leaks", dir);
    ASSERT_EQ(o.error, "");
    EXPECT_EQ(0u, o.json["leaks"].size()) << o.json.dump();
}

// A program that closes every fd it made leaves nothing open at exit.
TEST(Leaks, NothingOpenAtExitWhenEverythingIsClosed) {
    std::string dir = harness::FreshDir("atexit");
    harness::RunResult r = analysis_cli::RunTraced({harness::ProgPath("ok_epipe")}, dir);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    Output o = analysis_cli::Viewer("leaks", dir);
    ASSERT_EQ(o.error, "");
    EXPECT_EQ(0u, o.json["open_at_exit"].size()) << o.json.dump();
}

// dup2 of /dev/null over a pipe's write end lets go of the pipe as close()
// would; the process must not be counted as holding it at exit.
TEST(Leaks, Dup2OverAPipeEndReleasesIt) {
    std::string dir = harness::FreshDir("dup2drop");
    harness::RunResult r = analysis_cli::RunTraced({harness::ProgPath("lc_dup2_drop")}, dir);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    Output o = analysis_cli::Viewer("leaks", dir);
    ASSERT_EQ(o.error, "");
    for (size_t i = 0; i < o.json["open_at_exit"].size(); i++)
        EXPECT_NE("pipe", o.json["open_at_exit"][i]["object"]["kind"].as_string()) << o.json.dump();
}

// system() and popen() start their child inside libc: no fork record says
// its pid, yet the pipe's ends it got are the program's leak all the same.
class LibcChild : public ::testing::TestWithParam<const char *> {};

TEST_P(LibcChild, PipeWithoutCloexecLeaksIntoTheChildLibcStarted) {
    std::string mode = GetParam();
    std::string dir = harness::FreshDir("libc_child_" + mode);
    harness::RunResult r = analysis_cli::RunTraced({harness::ProgPath("lc_libc_child"), mode}, dir);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    Output o = analysis_cli::Viewer("leaks", dir);
    ASSERT_EQ(o.error, "");
    int sleep_ends = 0;
    for (size_t i = 0; i < o.json["leaks"].size(); i++) {
        const json::Value &l = o.json["leaks"][i];
        if (l["exe"].as_string() != "/usr/bin/sleep")
            continue;
        sleep_ends++;
        EXPECT_EQ("pipe", l["call"].as_string()) << l.dump();
        EXPECT_NE(std::string::npos, l["site"].as_string().find("lc_libc_child+0x")) << l.dump();
        EXPECT_EQ("created", l["chain"][0]["step"].as_string()) << l.dump();
    }
    EXPECT_EQ(2, sleep_ends) << o.json.dump();
}

INSTANTIATE_TEST_SUITE_P(SystemAndPopen, LibcChild, ::testing::Values("system", "popen"));

} // namespace
