// `pipetrace check` is silent on correct programs and names the culprit of
// a real bug (issue 10): each false alarm the corpus (test/corpus/) found,
// traced for real, with its bug twin checked by pid, fd and pipe.
#include <unistd.h>

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

struct Traced {
    std::string dir;
    harness::RunResult run;
    json::Value check, summary;
    int check_exit = -1;
    std::string check_text; // for failure messages

    // The pids of processes whose summary name is `name`.
    std::vector<int> Pids(const std::string &name) const {
        std::vector<int> out;
        for (const json::Value &p : summary["processes"].as_array())
            if (p["name"].as_string() == name)
                out.push_back(static_cast<int>(p["pid"].as_int()));
        return out;
    }
    int Pid(const std::string &name) const {
        std::vector<int> v = Pids(name);
        EXPECT_EQ(1u, v.size()) << name << " in\n" << summary["processes"].dump();
        return v.empty() ? -1 : v[0];
    }
    // The inode of the pipe `pid` held as `fd`.
    int64_t PipeOf(int pid, int fd) const {
        for (const json::Value &p : summary["pipes"].as_array())
            for (const json::Value &h : p["holders"].as_array())
                if (h["pid"].as_int() == pid && h["fd"].as_int() == fd)
                    return p["inode"].as_int();
        return -1;
    }
    // The n-th pipe pid created (in creation order).
    int64_t PipeMadeBy(int pid, size_t n) const {
        size_t seen = 0;
        for (const json::Value &p : summary["pipes"].as_array())
            if (!p["created_by"].is_null() && p["created_by"].as_int() == pid && seen++ == n)
                return p["inode"].as_int();
        return -1;
    }
    // The problems check reports as errors.
    std::vector<json::Value> Errors() const {
        std::vector<json::Value> out;
        for (const json::Value &p : check["problems"].as_array())
            if (p["severity"].as_string() == "error")
                out.push_back(p);
        return out;
    }
};

// Runs argv traced (killed after kill_after_s when > 0), then check and
// summary on the trace.
Traced Trace(const std::string &tag, const std::vector<std::string> &argv, int kill_after_s = 0) {
    Traced t;
    t.dir = harness::FreshDir(tag);
    harness::RunOptions opts;
    opts.env = harness::PreloadEnv(t.dir);
    opts.env.push_back({"PATH", "/usr/bin:/bin"});
    opts.env.push_back({"LC_ALL", "C"});
    opts.env.push_back({"CORPUS_DIR", CorpusDir()});
    opts.env.push_back({"CORPUS_BIN", harness::ProgPath("corpus")});
    opts.timeout_s = 60;
    std::vector<std::string> full;
    if (kill_after_s > 0)
        full = {"/usr/bin/timeout", "-s", "KILL", std::to_string(kill_after_s)};
    full.insert(full.end(), argv.begin(), argv.end());
    t.run = harness::Run(full, opts);
    harness::RunResult c = harness::Run({harness::CliPath(), "check", "--json", t.dir});
    t.check_exit = c.exited ? c.exit_code : -1;
    t.check = json::parse(c.out);
    t.summary = json::parse(harness::Run({harness::CliPath(), "summary", "--json", t.dir}).out);
    t.check_text = harness::Run({harness::CliPath(), "check", t.dir}).out;
    return t;
}

// Silence that a CI gate can rely on: no error, exit status 0.
void ExpectSilent(const Traced &t) {
    EXPECT_EQ(0, t.check_exit) << t.check_text;
    EXPECT_TRUE(t.Errors().empty()) << t.check_text;
}

// --- epipe: the normal end of a pipeline is not a problem --------------------------

TEST(Epipe, YesIntoHeadIsTheNormalEnd) {
    Traced t = Trace("yes_head", {"sh", "-c", "yes | head -n 1"});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    ExpectSilent(t);
    EXPECT_TRUE(ProblemsOfKind(t.check, "epipe").empty()) << t.check_text;
}

TEST(Epipe, GrepThatStopsAtTheFirstMatchIsTheNormalEnd) {
    Traced t = Trace("seq_grep", {"sh", "-c", "seq 1 100000 | grep -m1 -q 5"});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    ExpectSilent(t);
    EXPECT_TRUE(ProblemsOfKind(t.check, "epipe").empty()) << t.check_text;
}

TEST(Epipe, PythonThatHandlesBrokenPipeErrorIsTheNormalEnd) {
    Traced t = Trace("py_brokenpipe",
                     {"sh", "-c", "python3 \"$CORPUS_DIR\"/py_brokenpipe_gen.py | head -n 1"});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    ExpectSilent(t);
    EXPECT_TRUE(ProblemsOfKind(t.check, "epipe").empty()) << t.check_text;
}

// The reader dies by mistake (exit 1), seq dies of SIGPIPE: the error names
// seq and the reader that went away, not the shell nor seq's own earlier
// close of the read end it inherited.
TEST(Epipe, AReaderThatFailedIsBlamedByPid) {
    Traced t = Trace("epipe_crash", {"sh", CorpusDir() + "/sh_epipe_crash.sh", "bug"});
    auto found = ProblemsOfKind(t.check, "epipe");
    ASSERT_EQ(1u, found.size()) << t.check_text;
    const json::Value &p = found[0];
    EXPECT_EQ("error", p["severity"].as_string());
    int seq = t.Pid("seq"), reader = t.Pid("python3 parse_numbers.py");
    int sh = t.Pid("sh sh_epipe_crash.sh");
    EXPECT_EQ(seq, p["pids"][0].as_int()) << p.dump();
    EXPECT_TRUE(HasPid(p, reader)) << p.dump();
    EXPECT_FALSE(HasPid(p, sh)) << p.dump();
    EXPECT_EQ(t.PipeOf(seq, 1), p["object"]["inode"].as_int()) << p.dump();
    const std::string &msg = p["message"].as_string();
    EXPECT_NE(std::string::npos,
              msg.find("pid " + std::to_string(reader) + " (python3 parse_numbers.py)"))
        << msg;
    EXPECT_NE(std::string::npos, msg.find("exited with status 1")) << msg;
    EXPECT_EQ("python3 parse_numbers.py", p["processes"][1]["name"].as_string()) << p.dump();
    EXPECT_EQ(1, t.check_exit);
}

TEST(Epipe, TheFixedReaderIsSilent) {
    Traced t = Trace("epipe_crash_fixed", {"sh", CorpusDir() + "/sh_epipe_crash.sh", "fixed"});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    ExpectSilent(t);
}

// A writer that handles EPIPE but says so on its stderr (here a traced
// pipe) failed: its output was lost, and it knows.
TEST(Epipe, AWriterThatReportsTheErrorIsAnError) {
    const char *prog = "import os, sys\n"
                       "try:\n"
                       "    for i in range(1000000):\n"
                       "        sys.stdout.write('%d\\n' % i)\n"
                       "    sys.stdout.flush()\n"
                       "except BrokenPipeError:\n"
                       "    sys.stderr.write('output lost\\n')\n"
                       "    sys.stderr.flush()\n"
                       "    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)\n";
    Traced t =
        Trace("epipe_stderr", {"sh", "-c", "(python3 -c \"$0\" | head -n 1) 2>&1 | cat", prog});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    auto found = ProblemsOfKind(t.check, "epipe");
    ASSERT_EQ(1u, found.size()) << t.check_text;
    EXPECT_EQ("error", found[0]["severity"].as_string());
    EXPECT_NE(std::string::npos, found[0]["message"].as_string().find("stderr")) << found[0].dump();
    EXPECT_TRUE(HasPid(found[0], t.Pid("head"))) << found[0].dump();
}

} // namespace
