// `pipetrace check`: every detector fires on its bug program (test/progs/
// bug_*.c) and stays silent on the correct twin (ok_*.c).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/analysis_cli.h"

namespace {

using analysis_cli::Output;
using analysis_cli::ProblemsOfKind;

struct Case {
    const char *prog;     // without bug_/ok_
    const char *kind;     // the problem the bug program must show
    const char *severity; // and how bad it is
    const char *hangs_in; // hangs on purpose: killed once the trace shows
    int hung;             // this many of these calls blocked
};

const Case kCases[] = {
    {"hung_pipeline", "blocked-read", "error", "read", 1},
    {"deadlock", "pipe-deadlock", "error", "write", 2},
    {"epipe", "epipe", "error", nullptr, 0},
    {"eagain_spin", "eagain-spin", "warning", nullptr, 0},
    {"interleave", "interleaved-write", "error", nullptr, 0},
    {"ebadf", "ebadf", "error", nullptr, 0},
    {"leak", "leaked-fd", "note", nullptr, 0}, // a read end: it keeps no reader from EOF
};

// `pipetrace check [extra...] --json dir`.
Output CheckWith(const std::vector<std::string> &extra, const std::string &dir) {
    Output o;
    std::vector<std::string> argv = {harness::CliPath(), "check"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("--json");
    argv.push_back(dir);
    o.run = harness::Run(argv);
    try {
        o.json = json::parse(o.run.out);
    } catch (const std::exception &e) {
        o.error = std::string(e.what()) + "\n" + o.run.Describe();
    }
    return o;
}

class Detector : public ::testing::TestWithParam<Case> {};

// Exit status 1 for an error; a warning fails only with -W (either
// spelling), as a compiler's -Werror makes it; a note never.
TEST_P(Detector, BugIsFoundWithItsSeverityAndExitStatus) {
    const Case &c = GetParam();
    std::string dir = harness::FreshDir(std::string("bug_") + c.prog);
    std::vector<std::string> argv = {harness::ProgPath(std::string("bug_") + c.prog)};
    if (c.hangs_in != nullptr)
        analysis_cli::RunTracedUntilBlocked(argv, dir, c.hangs_in, static_cast<size_t>(c.hung));
    else
        analysis_cli::RunTraced(argv, dir);
    Output o = analysis_cli::Viewer("check", dir);
    ASSERT_EQ(o.error, "");
    bool error = std::string(c.severity) == "error";
    EXPECT_TRUE(o.run.exited && o.run.exit_code == (error ? 1 : 0)) << o.run.Describe();
    bool note = std::string(c.severity) == "note";
    for (const char *option : {"-W", "--warnings-as-errors"}) {
        Output w = CheckWith({option}, dir);
        EXPECT_TRUE(w.run.exited && w.run.exit_code == (note ? 0 : 1))
            << option << " " << w.run.Describe();
    }
    auto found = ProblemsOfKind(o.json, c.kind);
    ASSERT_FALSE(found.empty()) << o.json.dump();
    // The first finding is the bug's; later ones may be milder (bug_ebadf's
    // write after its own close is a warning beside the read on a write end).
    EXPECT_EQ(c.severity, found[0]["severity"].as_string()) << found[0].dump();
    for (const json::Value &p : found) {
        std::string severity = p["severity"].as_string();
        EXPECT_TRUE(severity == "error" || severity == "warning" || severity == "note") << p.dump();
        EXPECT_FALSE(p["message"].as_string().empty());
        EXPECT_FALSE(p["pids"].as_array().empty());
        EXPECT_FALSE(p["fds"].as_array().empty());
        EXPECT_TRUE(p.has("evidence") && p.has("object") && p.has("fix"));
    }
}

TEST_P(Detector, TwinHasNoFindingAndExitStatusIsZero) {
    const Case &c = GetParam();
    std::string dir = harness::FreshDir(std::string("ok_") + c.prog);
    harness::RunResult r =
        analysis_cli::RunTraced({harness::ProgPath(std::string("ok_") + c.prog)}, dir);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    Output o = CheckWith({"-W"}, dir);
    ASSERT_EQ(o.error, "");
    EXPECT_TRUE(o.run.exited && o.run.exit_code == 0) << o.run.Describe();
    EXPECT_EQ(0u, o.json["problems"].size()) << o.json.dump();
}

INSTANTIATE_TEST_SUITE_P(AllDetectors, Detector, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case> &i) {
                             return std::string(i.param.prog);
                         });

// The hung pipeline names the parent, which forgot its write end, as the
// holder, and says how it got it.
TEST(Check, BlockedReadNamesTheParentAsHolder) {
    std::string dir = harness::FreshDir("hung");
    harness::RunResult r = analysis_cli::RunTracedUntilBlocked(
        {harness::ProgPath("bug_hung_pipeline")}, dir, "read", 1);
    Output o = analysis_cli::Viewer("check", dir);
    ASSERT_EQ(o.error, "");
    auto found = ProblemsOfKind(o.json, "blocked-read");
    ASSERT_EQ(1u, found.size()) << o.json.dump() << "\n"
                                << harness::Run({harness::CliPath(), "dump", dir}).out;
    // The traced program is the child of timeout: the parent is the process
    // whose pipe() created the pipe; the blocked reader is its child.
    const json::Value &p = found[0];
    ASSERT_GE(p["pids"].size(), 2u);
    int reader = static_cast<int>(p["pids"][0].as_int());
    int holder = static_cast<int>(p["pids"][1].as_int());
    EXPECT_NE(reader, holder);
    const std::string &msg = p["message"].as_string();
    EXPECT_NE(std::string::npos, msg.find("held by pid " + std::to_string(holder))) << msg;
    EXPECT_NE(std::string::npos,
              msg.find("created by pid " + std::to_string(holder) + " with pipe()"))
        << msg;
    // Unfinished, or (when the kill reached the holder first) a read that
    // returned EOF only then.
    const json::Value &ev = p["evidence"][0];
    EXPECT_TRUE(ev["state"].as_string() == "unfinished" || ev["result"].as_int() == 0) << ev.dump();
    EXPECT_EQ("read", p["evidence"][0]["call"].as_string());

    // summary --json carries the same list.
    Output s = analysis_cli::Viewer("summary", dir);
    ASSERT_EQ(s.error, "");
    EXPECT_EQ(1u, ProblemsOfKind(s.json, "blocked-read").size());
}

// The text names each problem's severity first, as a compiler does, and
// ends with the tally.
TEST(Check, TextShowsSeverityAndTally) {
    std::string dir = harness::FreshDir("spin_text");
    analysis_cli::RunTraced({harness::ProgPath("bug_eagain_spin")}, dir);
    harness::RunResult r = harness::Run({harness::CliPath(), "check", dir});
    EXPECT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    EXPECT_NE(std::string::npos, r.out.find("warning: eagain-spin: ")) << r.out;
    EXPECT_NE(std::string::npos, r.out.find("0 errors, 1 warning, 0 notes")) << r.out;
    // -W after the directory counts as well; "--" ends the options.
    r = harness::Run({harness::CliPath(), "check", dir, "-W"});
    EXPECT_TRUE(r.exited && r.exit_code == 1) << r.Describe();
    r = harness::Run({harness::CliPath(), "check", "--", dir});
    EXPECT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
}

TEST(Check, MissingDirectoryIsExitTwoWithOneLine) {
    harness::RunResult r =
        harness::Run({harness::CliPath(), "check", harness::FreshPath("missing")});
    EXPECT_TRUE(r.exited && r.exit_code == 2) << r.Describe();
    EXPECT_EQ(1u, harness::Lines(r.err).size()) << r.err;
}

} // namespace
