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
    json::Value check, summary, leaks;
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
    // The pipe pid created last (an interpreter may make pipes of its own
    // before the script's).
    int64_t LastPipeMadeBy(int pid) const {
        int64_t inode = -1;
        double at = -1;
        for (const json::Value &p : summary["pipes"].as_array())
            if (!p["created_by"].is_null() && p["created_by"].as_int() == pid &&
                p["created_at"].as_double() > at) {
                at = p["created_at"].as_double();
                inode = p["inode"].as_int();
            }
        return inode;
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
    t.leaks = json::parse(harness::Run({harness::CliPath(), "leaks", "--json", t.dir}).out);
    t.check_text = harness::Run({harness::CliPath(), "check", t.dir}).out;
    return t;
}

// Silence that a CI gate can rely on: no error, exit status 0.
void ExpectSilent(const Traced &t) {
    EXPECT_EQ(0, t.check_exit) << t.check_text;
    EXPECT_TRUE(t.Errors().empty()) << t.check_text;
}

bool Installed(const std::string &program) {
    for (const char *dir : {"/usr/bin/", "/bin/"})
        if (access((dir + program).c_str(), X_OK) == 0)
            return true;
    return false;
}

// --- real programs nobody here wrote: check exits 0 --------------------------------

// make -j2 with a recursive make that gets the jobserver pipe on purpose.
TEST(RealPrograms, MakeJ2IsSilent) {
    if (!Installed("make"))
        GTEST_SKIP() << "make is not installed";
    Traced t = Trace("make_j2", {"make", "-s", "-j2", "-f", CorpusDir() + "/make_j2.mk"});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    ExpectSilent(t);
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

// --- ebadf: harmless closes and probes, dangerous reuse -------------------------

const char kSevenStages[] = "seq 1 20000 | cat | sort -rn | uniq | tr 0-9 a-j | cut -c1-3 | wc -l";

// bash closes some pipe ends twice; nothing reused the numbers in between.
TEST(Ebadf, SevenStageBashAndDashPipelinesAreSilent) {
    for (const char *shell : {"bash", "dash"}) {
        if (!Installed(shell))
            continue;
        Traced t = Trace(std::string("seven_") + shell, {shell, "-c", kSevenStages});
        ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << shell << " " << t.run.Describe();
        EXPECT_EQ("20000\n", t.run.out) << shell;
        ExpectSilent(t);
        EXPECT_TRUE(ProblemsOfKind(t.check, "ebadf").empty()) << shell << "\n" << t.check_text;
    }
}

// Asking whether fds are open (F_GETFD, and node's F_SETFD sweep over fds
// 3-16), and a second close of a number nobody reused: nothing at risk.
TEST(Ebadf, ProbesAndAHarmlessSecondCloseAreSilent) {
    const char *prog = "import fcntl, os\n"
                       "for fd in range(3, 17):\n"
                       "    for cmd, arg in ((fcntl.F_GETFD, 0), (fcntl.F_SETFD, 1)):\n"
                       "        try:\n"
                       "            fcntl.fcntl(fd, cmd, arg)\n"
                       "        except OSError:\n"
                       "            pass\n"
                       "r, w = os.pipe()\n"
                       "os.write(w, b'x')\n"
                       "os.read(r, 1)\n"
                       "os.close(r)\n"
                       "os.close(w)\n"
                       "try:\n"
                       "    os.close(w)\n"
                       "except OSError:\n"
                       "    pass\n";
    Traced t = Trace("probes", {"python3", "-c", prog});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    ExpectSilent(t);
    EXPECT_TRUE(ProblemsOfKind(t.check, "ebadf").empty()) << t.check_text;
}

TEST(Ebadf, NodeStartUpIsSilent) {
    if (!Installed("node"))
        GTEST_SKIP() << "node is not installed";
    Traced t = Trace("node", {"node", "-e", "console.log('ok')"});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    ExpectSilent(t);
}

// A close that hit a number reused by a new pipe, then a write on that
// pipe's fd: the error names the process, fd 4 and the last pipe it made
// (the one the stale close closed), with both closes as evidence.  It
// says "double close", and is an error, only when the trace shows one
// (one thread closed the number twice and another made the pipe in
// between); in one thread the same calls may be one close on purpose and a
// stale handle: a warning.
void ExpectStaleClose(const std::string &tag, const std::vector<std::string> &bug,
                      const std::vector<std::string> &fixed, const std::string &name,
                      bool across_threads) {
    Traced t = Trace(tag, bug);
    auto found = ProblemsOfKind(t.check, "ebadf");
    ASSERT_EQ(1u, found.size()) << t.check_text;
    const json::Value &p = found[0];
    int pid = t.Pid(name);
    EXPECT_EQ(across_threads ? "error" : "warning", p["severity"].as_string());
    EXPECT_EQ(pid, p["pids"][0].as_int()) << p.dump();
    EXPECT_EQ(4, p["fds"][0].as_int()) << p.dump();
    ASSERT_FALSE(p["object"].is_null()) << p.dump();
    EXPECT_EQ(t.LastPipeMadeBy(pid), p["object"]["inode"].as_int()) << p.dump();
    const std::string message = p["message"].as_string();
    EXPECT_EQ(across_threads, message.find("double close") != std::string::npos) << message;
    EXPECT_EQ(!across_threads, message.find("stale copy of the number") != std::string::npos)
        << message;
    EXPECT_NE(std::string::npos, message.find("pipe:[" + std::to_string(t.LastPipeMadeBy(pid))))
        << message;
    ASSERT_EQ(3u, p["evidence"].size()) << p.dump();
    EXPECT_EQ("write", p["evidence"][0]["call"].as_string());
    EXPECT_EQ("close", p["evidence"][1]["call"].as_string());
    EXPECT_EQ("close", p["evidence"][2]["call"].as_string());
    EXPECT_EQ(across_threads ? 1 : 0, t.check_exit);

    Traced ok = Trace(tag + "_fixed", fixed);
    ASSERT_TRUE(ok.run.exited && ok.run.exit_code == 0) << ok.run.Describe();
    ExpectSilent(ok);
}

TEST(Ebadf, ADoubleCloseAcrossThreadsNamesTheReusedPipe) {
    std::string prog = harness::ProgPath("corpus/c_thread_double_close");
    ExpectStaleClose("thread_double_close", {prog, "bug"}, {prog, "fixed"}, "c_thread_double_close",
                     true);
}

TEST(Ebadf, AStaleCloseNamesTheReusedPipe) {
    std::string prog = harness::ProgPath("corpus/c_stale_close");
    ExpectStaleClose("stale_close", {prog, "bug"}, {prog, "fixed"}, "c_stale_close", false);
}

TEST(Ebadf, AFileObjectThatOutlivedItsFdNamesTheReusedPipe) {
    std::string script = CorpusDir() + "/py_stale_close.py";
    ExpectStaleClose("py_stale_close", {"python3", script, "bug"}, {"python3", script, "fixed"},
                     "python3 py_stale_close.py", false);
}

// CPython's test_subprocess closes a Popen's stdin fd under its file object
// on purpose (os.close(p.stdin.fileno())) and lets the file object's flush
// fail with EBADF.  On one thread that cannot be told from a stale close, so
// it is a warning: check exits 0, and -W makes it count.
TEST(Ebadf, AFdClosedOnPurposeUnderItsFileObjectIsAWarning) {
    const char *prog =
        "import os, subprocess, sys\n"
        "p = subprocess.Popen([sys.executable, '-c', 'import sys; sys.stdin.read()'],\n"
        "                     stdin=subprocess.PIPE, bufsize=1)\n"
        "p.stdin.write(b'line')\n"
        "os.close(p.stdin.fileno())\n"
        "try:\n"
        "    p.stdin.close()\n"
        "except OSError:\n"
        "    pass\n"
        "p.stdin = None\n"
        "sys.exit(p.wait())\n";
    Traced t = Trace("closed_on_purpose", {"python3", "-c", prog});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    auto found = ProblemsOfKind(t.check, "ebadf");
    ASSERT_EQ(1u, found.size()) << t.check_text;
    EXPECT_EQ("warning", found[0]["severity"].as_string()) << found[0].dump();
    EXPECT_EQ(std::string::npos, found[0]["message"].as_string().find("double close"));
    EXPECT_EQ(0, t.check_exit) << t.check_text;
}

// --- eagain-spin: a busy loop, not the read -> EAGAIN -> poll -> read pattern ------

// The pid that created the first pipe in the trace.
int PipeCreator(const Traced &t) {
    for (const json::Value &p : t.summary["pipes"].as_array())
        if (!p["created_by"].is_null())
            return static_cast<int>(p["created_by"].as_int());
    return -1;
}

TEST(EagainSpin, ABusyLoopGivesItsRealCountAndTime) {
    Traced t = Trace("spin", {harness::ProgPath("corpus/c_eagain_spin"), "bug"});
    auto found = ProblemsOfKind(t.check, "eagain-spin");
    ASSERT_EQ(1u, found.size()) << t.check_text;
    const json::Value &p = found[0];
    EXPECT_EQ("warning", p["severity"].as_string());
    EXPECT_EQ(PipeCreator(t), p["pids"][0].as_int()) << p.dump();
    EXPECT_EQ(3, p["fds"][0].as_int()) << p.dump();
    // "N EAGAINs in M ms": the whole loop, not the third try (it spins for
    // 300 ms: far more than a hundred tries on any machine).
    const std::string &msg = p["message"].as_string();
    size_t at = msg.find(" EAGAINs in ");
    ASSERT_NE(std::string::npos, at) << msg;
    size_t start = msg.rfind(' ', at - 1) + 1;
    EXPECT_GE(std::stoll(msg.substr(start, at - start)), 100) << msg;
    EXPECT_NE(std::string::npos, msg.find(" ms", at + 12)) << msg;
    // A warning: the run did its job; -W makes it fail.
    EXPECT_EQ(0, t.check_exit) << t.check_text;
}

TEST(EagainSpin, ReadEagainPollReadIsSilent) {
    Traced t = Trace("spin_fixed", {harness::ProgPath("corpus/c_eagain_spin"), "fixed"});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    EXPECT_TRUE(t.check["problems"].as_array().empty()) << t.check_text;
}

// poll() between the EAGAINs: with a timeout it is the wait that makes the
// loop correct; with timeout 0 it only asks, and the loop is still busy.
const char kPollLoop[] = "import os, select, sys, time\n"
                         "r, w = os.pipe()\n"
                         "os.set_blocking(r, False)\n"
                         "if os.fork() == 0:\n"
                         "    os.close(r)\n"
                         "    time.sleep(0.2)\n"
                         "    os.write(w, b'x')\n"
                         "    os._exit(0)\n"
                         "os.close(w)\n"
                         "p = select.poll()\n"
                         "p.register(r, select.POLLIN)\n"
                         "while True:\n"
                         "    try:\n"
                         "        os.read(r, 1)\n"
                         "        break\n"
                         "    except BlockingIOError:\n"
                         "        p.poll(int(sys.argv[1]))\n"
                         "os.wait()\n";

TEST(EagainSpin, APollWithATimeoutIsAWait) {
    Traced t = Trace("poll_wait", {"python3", "-c", kPollLoop, "5000"});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    EXPECT_TRUE(ProblemsOfKind(t.check, "eagain-spin").empty()) << t.check_text;
}

TEST(EagainSpin, APollThatNeverWaitsIsStillABusyLoop) {
    Traced t = Trace("poll_busy", {"python3", "-c", kPollLoop, "0"});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    auto found = ProblemsOfKind(t.check, "eagain-spin");
    ASSERT_EQ(1u, found.size()) << t.check_text;
    EXPECT_EQ("read", found[0]["evidence"][0]["call"].as_string());
}

// Two readers poll one non-blocking pipe; a byte wakes both, one reads it,
// the other gets EAGAIN and polls again.  Each EAGAIN follows a poll with a
// timeout: a wait, not a busy loop.  (A guard for the correct pattern with
// poll records: the polls here also block long enough to count as waits
// by their duration alone.)
TEST(EagainSpin, ReadersRacingAfterAPollAreSilent) {
    const char *prog = "import os, select, time\n"
                       "r, w = os.pipe()\n"
                       "os.set_blocking(r, False)\n"
                       "if os.fork() == 0:\n"
                       "    os.close(r)\n"
                       "    for i in range(3000):\n"
                       "        os.write(w, b'x')\n"
                       "        if i % 100 == 0:\n"
                       "            time.sleep(0.001)\n"
                       "    os._exit(0)\n"
                       "os.close(w)\n"
                       "reader = os.fork()\n"
                       "p = select.poll()\n"
                       "p.register(r, select.POLLIN)\n"
                       "while True:\n"
                       "    p.poll(5000)\n"
                       "    try:\n"
                       "        if not os.read(r, 1):\n"
                       "            break\n"
                       "    except BlockingIOError:\n"
                       "        pass\n"
                       "if reader == 0:\n"
                       "    os._exit(0)\n"
                       "os.wait()\n"
                       "os.wait()\n";
    Traced t = Trace("poll_race", {"python3", "-c", prog});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    EXPECT_TRUE(ProblemsOfKind(t.check, "eagain-spin").empty()) << t.check_text;
}

TEST(EagainSpin, ASelfPipeDrainIsSilent) {
    Traced t = Trace("selfpipe", {harness::ProgPath("corpus/c_selfpipe")});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    EXPECT_TRUE(t.check["problems"].as_array().empty()) << t.check_text;
}

TEST(EagainSpin, XzWithTwoThreadsIsSilent) {
    if (!Installed("xz"))
        GTEST_SKIP() << "xz is not installed";
    Traced t = Trace(
        "xz", {"sh", "-c", "seq 1 300000 | xz -1 -T2 --block-size=262144 -c | xz -T2 -d | wc -c"});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    EXPECT_EQ("1988895\n", t.run.out);
    EXPECT_TRUE(t.check["problems"].as_array().empty()) << t.check_text;
}

// --- interleaved-write: at the same time, not one after the other -----------------

// bug_interleave reads only once both writers are blocked in write(), so
// their writes overlap in every run (c_interleave's may not).
TEST(InterleavedWrite, TwoWritersAtOnceAreNamed) {
    Traced t = Trace("interleave", {harness::ProgPath("bug_interleave")});
    auto found = ProblemsOfKind(t.check, "interleaved-write");
    ASSERT_EQ(1u, found.size()) << t.check_text;
    const json::Value &p = found[0];
    EXPECT_EQ("error", p["severity"].as_string());
    int parent = PipeCreator(t);
    EXPECT_EQ(t.LastPipeMadeBy(parent), p["object"]["inode"].as_int()) << p.dump();
    // Both writers, the children of the reader that made the pipe.
    ASSERT_EQ(2u, p["pids"].size()) << p.dump();
    for (const json::Value &pid : p["pids"].as_array()) {
        EXPECT_NE(parent, pid.as_int()) << p.dump();
        EXPECT_NE(-1, t.PipeOf(static_cast<int>(pid.as_int()), 4)) << p.dump();
    }
}

TEST(InterleavedWrite, WritersOneAfterTheOtherAreSilent) {
    Traced fixed = Trace("interleave_fixed", {harness::ProgPath("corpus/c_interleave"), "fixed"});
    ASSERT_TRUE(fixed.run.exited && fixed.run.exit_code == 0) << fixed.run.Describe();
    ExpectSilent(fixed);
    Traced t =
        Trace("sequential",
              {"sh", "-c", "{ head -c 100000 /dev/zero; head -c 100000 /dev/zero; } | wc -c"});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    EXPECT_EQ("200000\n", t.run.out);
    ExpectSilent(t);
    EXPECT_TRUE(ProblemsOfKind(t.check, "interleaved-write").empty()) << t.check_text;
}

// --- leaks: /dev/fd/N is a use; an fd handed over on purpose is passed -------------

// The entries of leaks --json's list `list` for pid.
std::vector<json::Value> LeaksOf(const Traced &t, const std::string &list, int pid) {
    std::vector<json::Value> out;
    for (const json::Value &l : t.leaks[list].as_array())
        if (l["pid"].as_int() == pid)
            out.push_back(l);
    return out;
}

TEST(Leaks, AProcessSubstitutionReadThroughDevFdIsUsed) {
    Traced t = Trace("paste", {"bash", "-c", "paste <(seq 3) <(seq 4 6)"});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    EXPECT_EQ("1\t4\n2\t5\n3\t6\n", t.run.out);
    int paste = t.Pid("paste");
    EXPECT_TRUE(LeaksOf(t, "leaks", paste).empty()) << t.leaks.dump();
    for (const json::Value &p : ProblemsOfKind(t.check, "leaked-fd"))
        EXPECT_NE(paste, p["pids"][0].as_int()) << p.dump();
    ExpectSilent(t);
}

const char kHandOver[] = "import fcntl, os, subprocess, sys\n"
                         "r, w = os.pipe()\n"
                         "if sys.argv[1] == 'pass_fds':\n"
                         "    subprocess.run(['sleep', '0'], pass_fds=(w,))\n"
                         "else:\n"
                         "    d = fcntl.fcntl(w, fcntl.F_DUPFD, 20)\n"
                         "    if sys.argv[1] == 'cleared':\n"
                         "        fcntl.fcntl(d, fcntl.F_SETFD, 0)\n"
                         "    subprocess.run(['sleep', '0'], close_fds=False)\n";

// pass_fds clears FD_CLOEXEC (ioctl FIONCLEX, not seen) of a pipe made with
// O_CLOEXEC: handed over on purpose, not leaked, and never "create it with
// O_CLOEXEC".
TEST(Leaks, AnFdGivenWithPassFdsIsPassedNotLeaked) {
    Traced t = Trace("pass_fds", {"python3", "-c", kHandOver, "pass_fds"});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    int sleep = t.Pid("sleep");
    EXPECT_TRUE(LeaksOf(t, "leaks", sleep).empty()) << t.leaks.dump();
    ASSERT_EQ(1u, LeaksOf(t, "passed", sleep).size()) << t.leaks.dump();
    EXPECT_TRUE(ProblemsOfKind(t.check, "leaked-fd").empty()) << t.check_text;
    ExpectSilent(t);
}

// FD_CLOEXEC cleared with fcntl(F_SETFD, 0), as make does for its jobserver.
TEST(Leaks, AnFdWhoseCloexecWasClearedIsPassed) {
    Traced t = Trace("cleared", {"python3", "-c", kHandOver, "cleared"});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    int sleep = t.Pid("sleep");
    EXPECT_TRUE(LeaksOf(t, "leaks", sleep).empty()) << t.leaks.dump();
    auto passed = LeaksOf(t, "passed", sleep);
    ASSERT_EQ(1u, passed.size()) << t.leaks.dump();
    EXPECT_EQ(20, passed[0]["fd"].as_int());
    EXPECT_TRUE(ProblemsOfKind(t.check, "leaked-fd").empty()) << t.check_text;
}

// The same copy without the clear is a leak; the fix is about the dup that
// dropped O_CLOEXEC, not "create it with O_CLOEXEC": it was.
TEST(Leaks, ACopyThatDroppedCloexecIsALeakWithTheRightFix) {
    Traced t = Trace("dup_leak", {"python3", "-c", kHandOver, "leaked"});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    int sleep = t.Pid("sleep");
    ASSERT_EQ(1u, LeaksOf(t, "leaks", sleep).size()) << t.leaks.dump();
    auto found = ProblemsOfKind(t.check, "leaked-fd");
    ASSERT_EQ(1u, found.size()) << t.check_text;
    EXPECT_EQ("warning", found[0]["severity"].as_string());
    EXPECT_EQ(20, found[0]["fds"][0].as_int());
    const std::string &fix = found[0]["fix"].as_string();
    EXPECT_NE(std::string::npos, fix.find("dup3")) << fix;
    EXPECT_EQ(std::string::npos, fix.find("Create the fd with O_CLOEXEC")) << fix;
}

} // namespace
