// Where the bytes went (issue 18): a failed stdio flush recorded with its
// errno; check's lost-data, stolen-input and shared-nonblock, each bug named
// by pid, fd and pipe and each correct twin silent.
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

// --- lost-data ------------------------------------------------------------------

struct Checked {
    std::string dir;
    harness::RunResult run;
    json::Value check, summary;
    std::string check_text; // for failure messages

    // "corpus: NAME=PID" on the program's stderr.
    int Announced(const std::string &name) const {
        std::string key = "corpus: " + name + "=";
        size_t at = run.err.find(key);
        return at == std::string::npos ? -1 : std::stoi(run.err.substr(at + key.size()));
    }
    // The pids of processes whose summary name is `name`.
    std::vector<int> Pids(const std::string &name) const {
        std::vector<int> out;
        for (const json::Value &p : summary["processes"].as_array())
            if (p["name"].as_string() == name)
                out.push_back(static_cast<int>(p["pid"].as_int()));
        return out;
    }
    int Ppid(int pid) const {
        for (const json::Value &p : summary["processes"].as_array())
            if (p["pid"].as_int() == pid)
                return static_cast<int>(p["ppid"].as_int());
        return -1;
    }
    int Pid(const std::string &name) const {
        std::vector<int> v = Pids(name);
        EXPECT_EQ(1u, v.size()) << name << " in\n" << summary["processes"].dump();
        return v.empty() ? -1 : v[0];
    }
    // Whether `pid` held pipe `inode` as `fd`.
    bool Held(int pid, int fd, int64_t inode) const {
        for (const json::Value &p : summary["pipes"].as_array())
            for (const json::Value &h : p["holders"].as_array())
                if (p["inode"].as_int() == inode && h["pid"].as_int() == pid &&
                    h["fd"].as_int() == fd)
                    return true;
        return false;
    }
    const json::Value *Pipe(int64_t inode) const {
        for (const json::Value &p : summary["pipes"].as_array())
            if (p["inode"].as_int() == inode)
                return &p;
        return nullptr;
    }
    std::vector<json::Value> Errors() const {
        std::vector<json::Value> out;
        for (const json::Value &p : check["problems"].as_array())
            if (p["severity"].as_string() == "error")
                out.push_back(p);
        return out;
    }
};

Checked RunChecked(const std::string &tag, const std::vector<std::string> &argv) {
    Checked t;
    t.dir = harness::FreshDir(tag);
    harness::RunOptions opts = TracedOptions(t.dir);
    opts.timeout_s = 60;
    t.run = harness::Run(argv, opts);
    t.check = json::parse(harness::Run({harness::CliPath(), "check", "--json", t.dir}).out);
    t.summary = json::parse(harness::Run({harness::CliPath(), "summary", "--json", t.dir}).out);
    t.check_text = harness::Run({harness::CliPath(), "check", t.dir}).out;
    return t;
}

bool HasFd(const json::Value &problem, int fd) {
    for (const json::Value &f : problem["fds"].as_array())
        if (f.as_int() == fd)
            return true;
    return false;
}

// The one problem of `kind`, checked: culprit first, its fd, the pipe.
void ExpectCulprit(const Checked &t, const std::string &kind, int pid, int fd) {
    auto found = ProblemsOfKind(t.check, kind);
    ASSERT_EQ(1u, found.size()) << t.check_text;
    const json::Value &p = found[0];
    EXPECT_EQ("error", p["severity"].as_string());
    EXPECT_EQ(pid, p["pids"][0].as_int()) << p.dump();
    EXPECT_TRUE(HasFd(p, fd)) << p.dump();
    EXPECT_TRUE(t.Held(pid, fd, p["object"]["inode"].as_int())) << p.dump();
}

void ExpectSilent(const Checked &t) {
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    EXPECT_TRUE(t.Errors().empty()) << t.check_text;
}

std::string Message(const Checked &t, const std::string &kind) {
    auto found = ProblemsOfKind(t.check, kind);
    return found.empty() ? "" : found[0]["message"].as_string();
}

// A non-blocking write of 200 KiB moves 64 KiB; the rest is never written.
TEST(LostData, AShortWriteWhoseRestWasDroppedNamesTheWriter) {
    Checked t = RunChecked("short_write", {CorpusBin("c_short_write"), "bug"});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    int writer = t.Announced("parent"), reader = t.Announced("reader");
    ASSERT_NO_FATAL_FAILURE(ExpectCulprit(t, "lost-data", writer, 4));
    EXPECT_TRUE(HasPid(ProblemsOfKind(t.check, "lost-data")[0], reader)) << t.check_text;
    EXPECT_NE(std::string::npos, Message(t, "lost-data").find("dropped 139264 bytes"))
        << t.check_text;
}

TEST(LostData, AWriterThatWritesTheRestIsSilent) {
    ExpectSilent(RunChecked("short_write_fixed", {CorpusBin("c_short_write"), "fixed"}));
}

// Python drops each 4 KiB record that meets a full pipe: 84 of 100.
TEST(LostData, PythonRecordsDroppedOnEagainAreCounted) {
    Checked t =
        RunChecked("eagain_drop", {"/usr/bin/python3", CorpusDir() + "/py_eagain_drop.py", "bug"});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    int writer = t.Announced("parent");
    auto found = ProblemsOfKind(t.check, "lost-data");
    ASSERT_EQ(1u, found.size()) << t.check_text;
    int fd = static_cast<int>(found[0]["fds"][0].as_int());
    ASSERT_NO_FATAL_FAILURE(ExpectCulprit(t, "lost-data", writer, fd));
    // 409600 bytes meant, what the reader got is the rest.
    const json::Value *pipe = t.Pipe(found[0]["object"]["inode"].as_int());
    ASSERT_NE(nullptr, pipe);
    int64_t got = (*pipe)["bytes_read"].as_int();
    EXPECT_LT(0, got);
    EXPECT_NE(std::string::npos,
              Message(t, "lost-data").find("dropped " + std::to_string(409600 - got) + " bytes"))
        << t.check_text;
}

TEST(LostData, PythonThatWaitsAndWritesTheRestIsSilent) {
    ExpectSilent(RunChecked("eagain_drop_fixed",
                            {"/usr/bin/python3", CorpusDir() + "/py_eagain_drop.py", "fixed"}));
}

// A read loop ended by EINTR: the 5000 bytes sent after it stay in the pipe.
TEST(LostData, AReaderThatStoppedOnEintrIsNamed) {
    Checked t = RunChecked("eintr_reader", {CorpusBin("c_eintr_reader"), "bug"});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    int reader = t.Announced("parent"), writer = t.Announced("writer");
    ASSERT_NO_FATAL_FAILURE(ExpectCulprit(t, "lost-data", reader, 3));
    EXPECT_TRUE(HasPid(ProblemsOfKind(t.check, "lost-data")[0], writer)) << t.check_text;
    EXPECT_NE(std::string::npos, Message(t, "lost-data").find("EINTR")) << t.check_text;
    EXPECT_NE(std::string::npos, Message(t, "lost-data").find("5000 were still unread"))
        << t.check_text;
}

TEST(LostData, AReaderThatRetriesEintrIsSilent) {
    ExpectSilent(RunChecked("eintr_reader_fixed", {CorpusBin("c_eintr_reader"), "fixed"}));
}

// printf into a non-blocking stdout: stdio's flushes fail with EAGAIN.
TEST(LostData, AFailedStdioFlushNamesThePrinter) {
    Checked t = RunChecked("stdio_flush", {CorpusBin("c_stdio_flush"), "bug"});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    ASSERT_NO_FATAL_FAILURE(ExpectCulprit(t, "lost-data", t.Announced("reporter"), 1));
    EXPECT_NE(std::string::npos, Message(t, "lost-data").find("stdio")) << t.check_text;
}

TEST(LostData, ABlockingStdoutIsSilent) {
    ExpectSilent(RunChecked("stdio_flush_fixed", {CorpusBin("c_stdio_flush"), "fixed"}));
}

// The normal ends of pipelines lose nothing check should report.
TEST(LostData, PipelinesThatStopEarlyAreSilent) {
    for (const char *sh : {"bash", "dash"}) {
        Checked t = RunChecked(std::string("pipelines_") + sh,
                               {sh, "-c",
                                "yes | head -n 1; seq 1 200000 | head -c 10 >/dev/null; "
                                "python3 -c 'import os,sys; os.write(1, b\"x\" * 300000)' | "
                                "head -c 5 >/dev/null; true"});
        ExpectSilent(t);
        EXPECT_TRUE(ProblemsOfKind(t.check, "lost-data").empty()) << t.check_text;
    }
}

// --- stolen-input -----------------------------------------------------------------

// The culprit child first, its fd 0, the pipe seq writes, the parent named.
void ExpectStolen(const Checked &t, int child, int parent) {
    auto found = ProblemsOfKind(t.check, "stolen-input");
    ASSERT_EQ(1u, found.size()) << t.check_text;
    const json::Value &p = found[0];
    EXPECT_EQ("error", p["severity"].as_string());
    EXPECT_EQ(child, p["pids"][0].as_int()) << p.dump();
    EXPECT_TRUE(HasPid(p, parent)) << p.dump();
    EXPECT_TRUE(HasFd(p, 0)) << p.dump();
    EXPECT_TRUE(t.Held(t.Pid("seq"), 1, p["object"]["inode"].as_int())) << p.dump();
    EXPECT_NE(std::string::npos, p["fix"].as_string().find("/dev/null")) << p.dump();
}

// bash: `seq 1 5 | while read -r item; do python3 remote_cmd.py ...; done`.
TEST(StolenInput, ACommandInABashReadLoopIsNamed) {
    Checked t = RunChecked("sh_stolen", {"bash", CorpusDir() + "/sh_stolen_input.sh", "bug"});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    // The loop is a subshell of the script's bash: the command's parent.
    int child = t.Pid("python3 remote_cmd.py");
    ASSERT_NO_FATAL_FAILURE(ExpectStolen(t, child, t.Ppid(child)));
    EXPECT_EQ(2u, t.Pids("bash sh_stolen_input.sh").size());
    EXPECT_NE(std::string::npos, Message(t, "stolen-input").find("took 8 of the 10 bytes"))
        << t.check_text;
}

TEST(StolenInput, ACommandReadingDevNullIsSilent) {
    Checked t =
        RunChecked("sh_stolen_fixed", {"bash", CorpusDir() + "/sh_stolen_input.sh", "fixed"});
    ExpectSilent(t);
    EXPECT_EQ(5u, t.Pids("python3 remote_cmd.py").size()) << t.summary["processes"].dump();
}

// C: read(2) per line, system("wc -l") per item: wc swallows the rest.
TEST(StolenInput, ACommandRunBySystemIsNamed) {
    Checked t =
        RunChecked("c_stolen", {"sh", "-c", "seq 1 20 | \"$CORPUS_BIN\"/c_stolen_input bug"});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    ASSERT_NO_FATAL_FAILURE(ExpectStolen(t, t.Pid("wc"), t.Pid("c_stolen_input")));
}

TEST(StolenInput, SystemWithDevNullIsSilent) {
    ExpectSilent(RunChecked("c_stolen_fixed",
                            {"sh", "-c", "seq 1 20 | \"$CORPUS_BIN\"/c_stolen_input fixed"}));
}

TEST(StolenInput, CatInADashReadLoopIsNamed) {
    Checked t = RunChecked("dash_stolen",
                           {"dash", "-c", "seq 1 5 | while read i; do cat >/dev/null; done"});
    ASSERT_TRUE(t.run.exited && t.run.exit_code == 0) << t.run.Describe();
    int cat = t.Pid("cat");
    ASSERT_NO_FATAL_FAILURE(ExpectStolen(t, cat, t.Ppid(cat)));
}

// Handing stdin on and stopping, children that read nothing, xargs.
TEST(StolenInput, CorrectShellPatternsAreSilent) {
    const char *patterns[] = {
        "seq 1 5 | while read i; do echo $i | cat >/dev/null; done",
        "seq 1 10 | xargs -n 2 echo >/dev/null",
        "seq 1 5 | { read a; cat; } >/dev/null",
        "seq 5 | (head -n1; cat) >/dev/null",
        "seq 1 5 | while read i; do python3 -c pass; done",
        "seq 1 5 | while read i; do cat </dev/null; done",
        "printf 'a\\nb\\n' | { read x; sort; }",
        "seq 1 100 | { while read l; do [ $l = 3 ] && break; done; cat >/dev/null; }",
    };
    for (const char *sh : {"bash", "dash"})
        for (const char *pattern : patterns) {
            Checked t = RunChecked(std::string("stolen_ok_") + sh, {sh, "-c", pattern});
            ExpectSilent(t);
            EXPECT_TRUE(ProblemsOfKind(t.check, "stolen-input").empty())
                << sh << ": " << pattern << "\n"
                << t.check_text;
        }
}

// --- ioctl and shared-nonblock ----------------------------------------------------

// `{ WRITER; seq 1 100000; } | (sleep 0.5; wc -c)`: the status printer and
// seq share the pipe's write end.
std::vector<std::string> SharedStdout(const std::string &writer) {
    return {"sh", "-c", "{ " + writer + " \"$1\"; seq 1 100000; } | (sleep 0.5; wc -c)", "sh"};
}

// The printer first, its fd 1 on the shared pipe, seq as the one that failed.
void ExpectSharedNonblock(const Checked &t, const std::string &printer) {
    auto found = ProblemsOfKind(t.check, "shared-nonblock");
    ASSERT_EQ(1u, found.size()) << t.check_text;
    const json::Value &p = found[0];
    int culprit = t.Pid(printer), seq = t.Pid("seq");
    EXPECT_EQ("error", p["severity"].as_string());
    EXPECT_EQ(culprit, p["pids"][0].as_int()) << p.dump();
    EXPECT_TRUE(HasPid(p, seq)) << p.dump();
    EXPECT_EQ(1, p["fds"][0].as_int()) << p.dump();
    EXPECT_TRUE(t.Held(culprit, 1, p["object"]["inode"].as_int())) << p.dump();
    EXPECT_TRUE(t.Held(seq, 1, p["object"]["inode"].as_int())) << p.dump();
}

std::vector<std::string> WithMode(std::vector<std::string> argv, const std::string &mode) {
    argv.push_back(mode);
    return argv;
}

TEST(SharedNonblock, PythonSetBlockingOnAnInheritedStdoutIsNamed) {
    auto argv = SharedStdout("python3 \"$CORPUS_DIR\"/py_set_blocking.py");
    Checked t = RunChecked("py_set_blocking", WithMode(argv, "bug"));
    ASSERT_TRUE(t.run.exited) << t.run.Describe();
    ASSERT_NO_FATAL_FAILURE(ExpectSharedNonblock(t, "python3 py_set_blocking.py"));
    EXPECT_NE(std::string::npos, Message(t, "shared-nonblock").find("ioctl(FIONBIO)"))
        << t.check_text;
    // seq's lost output blames the one that set the flag, not seq.
    for (const json::Value &p : ProblemsOfKind(t.check, "lost-data"))
        EXPECT_NE(std::string::npos, p["fix"].as_string().find("Another process")) << p.dump();
}

TEST(SharedNonblock, PythonThatRestoresTheFlagIsSilent) {
    auto argv = SharedStdout("python3 \"$CORPUS_DIR\"/py_set_blocking.py");
    ExpectSilent(RunChecked("py_set_blocking_fixed", WithMode(argv, "fixed")));
}

TEST(SharedNonblock, CIoctlFionbioIsNamed) {
    auto argv = SharedStdout("\"$CORPUS_BIN\"/c_fionbio_shared");
    Checked t = RunChecked("fionbio", WithMode(argv, "bug"));
    ASSERT_NO_FATAL_FAILURE(ExpectSharedNonblock(t, "c_fionbio_shared"));
}

TEST(SharedNonblock, CIoctlThatRestoresTheFlagIsSilent) {
    auto argv = SharedStdout("\"$CORPUS_BIN\"/c_fionbio_shared");
    ExpectSilent(RunChecked("fionbio_fixed", WithMode(argv, "fixed")));
}

TEST(SharedNonblock, CFcntlSetflIsNamed) {
    auto argv = SharedStdout("\"" + harness::ProgPath("lost_setfl") + "\"");
    Checked t = RunChecked("setfl", WithMode(argv, "bug"));
    ASSERT_NO_FATAL_FAILURE(ExpectSharedNonblock(t, "lost_setfl"));
    EXPECT_NE(std::string::npos, Message(t, "shared-nonblock").find("fcntl(F_SETFL"))
        << t.check_text;
}

TEST(SharedNonblock, CFcntlThatRestoresTheFlagIsSilent) {
    auto argv = SharedStdout("\"" + harness::ProgPath("lost_setfl") + "\"");
    ExpectSilent(RunChecked("setfl_fixed", WithMode(argv, "fixed")));
}

// node turns its stdout non-blocking with ioctl(FIONBIO) at start and
// restores it with fcntl(F_SETFL) at exit: seq, next in the pipe, is fine.
TEST(SharedNonblock, NodeThatRestoresItsStdoutIsSilent) {
    if (access("/usr/bin/node", X_OK) != 0)
        GTEST_SKIP() << "node is not installed";
    Checked t = RunChecked("node_stdout", WithMode(SharedStdout("node -e 'console.log(1)'"), ""));
    ExpectSilent(t);
    EXPECT_TRUE(ProblemsOfKind(t.check, "shared-nonblock").empty()) << t.check_text;
}

// ioctl(FIONBIO) is recorded like fcntl and later records carry the flag;
// requests that change no flag are not recorded at all.
TEST(Ioctl, FionbioIsRecordedAndOtherRequestsAreNot) {
    std::string dir = harness::FreshDir("ioctl");
    harness::RunResult run =
        harness::Run({"sh", "-c", "\"$CORPUS_BIN\"/c_fionbio_shared bug | cat; \"$0\" | cat",
                      harness::ProgPath("lost_setfl")},
                     TracedOptions(dir));
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    harness::Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    auto ioctls = t.Select([](const harness::Event &e) { return e.call == "ioctl"; });
    ASSERT_EQ(1u, ioctls.size()) << t.Head(80);
    EXPECT_EQ(1, ioctls[0]->fd);
    EXPECT_EQ("FIONBIO", ioctls[0]->raw["request"].as_string()) << ioctls[0]->raw.dump();
    EXPECT_EQ(1, ioctls[0]->raw["value"].as_int()) << ioctls[0]->raw.dump();
    int printer = ioctls[0]->pid;
    auto writes = t.Select(
        [&](const harness::Event &e) { return e.pid == printer && e.IsWrite() && e.fd == 1; });
    ASSERT_EQ(1u, writes.size()) << t.Head(80);
    EXPECT_TRUE(writes[0]->HasFdFlag("O_NONBLOCK")) << writes[0]->raw.dump();
}

// --- fix text that fits the evidence: output still buffered ----------------------

// The parent waits for the filter's answer with the filter's input still
// open; the filter read its line and wrote nothing: its answer sits in its
// stdio buffer.  The blocked-read says so instead of blaming a leak.
void ExpectBuffered(const std::vector<std::string> &argv, const std::string &tag,
                    const std::string &filter) {
    std::string dir = harness::FreshDir(tag);
    harness::RunOptions opts = TracedOptions(dir);
    opts.kill_when = [&] { return harness::BlockedCalls(dir, "read") >= 2; };
    harness::Run(argv, opts);
    Checked t;
    t.check = json::parse(harness::Run({harness::CliPath(), "check", "--json", dir}).out);
    t.summary = json::parse(harness::Run({harness::CliPath(), "summary", "--json", dir}).out);
    t.check_text = harness::Run({harness::CliPath(), "check", dir}).out;
    auto found = ProblemsOfKind(t.check, "blocked-read");
    ASSERT_FALSE(found.empty()) << t.check_text;
    int pid = t.Pid(filter);
    const json::Value &p = found[0];
    EXPECT_TRUE(HasPid(p, pid)) << p.dump();
    EXPECT_NE(std::string::npos,
              p["message"].as_string().find("output still buffered in pid " + std::to_string(pid)))
        << t.check_text;
    EXPECT_NE(std::string::npos, p["fix"].as_string().find("stdio buffer")) << p.dump();
    EXPECT_EQ(std::string::npos, p["fix"].as_string().find("Close the write end")) << p.dump();
}

TEST(BufferedOutput, PythonWaitingForTrsAnswerSaysItIsBuffered) {
    ExpectBuffered({"/usr/bin/python3", CorpusDir() + "/py_buffered_tr.py", "bug"}, "buffered_tr",
                   "tr");
}

TEST(BufferedOutput, BashCoprocWaitingForSedsAnswerSaysItIsBuffered) {
    ExpectBuffered({"bash", "-c",
                    "coproc sed s/a/b/; echo abc >&${COPROC[1]}; "
                    "read -r answer <&${COPROC[0]}; echo \"$answer\""},
                   "buffered_sed", "sed");
}

// A writer that leaked nothing but never wrote is still told to close.
TEST(BufferedOutput, AHolderThatReadNothingKeepsTheLeakFix) {
    std::string dir = harness::FreshDir("sleep_holder");
    harness::RunOptions opts = TracedOptions(dir);
    opts.kill_when = [&] { return harness::BlockedCalls(dir, "read") >= 1; };
    harness::Run({"bash", "-c", "{ sleep 30 & } | cat"}, opts);
    json::Value check = json::parse(harness::Run({harness::CliPath(), "check", "--json", dir}).out);
    auto found = ProblemsOfKind(check, "blocked-read");
    ASSERT_FALSE(found.empty()) << check.dump();
    EXPECT_EQ(std::string::npos, found[0]["message"].as_string().find("buffered")) << check.dump();
    EXPECT_NE(std::string::npos, found[0]["fix"].as_string().find("Close the write end"))
        << check.dump();
}

// --- processes known only from a fork record (ghosts.c, issue 18) -------------------

// The helper forks and execs a static program the library cannot enter: it
// leaves no trace file, yet it holds the write end the reader waits on, and
// the blocked-read names it by pid and fd.  (The child that blocks without
// exec'ing is waitfor_test's ASilentForkChildIsAHolder.)
TEST(ForkRecordOnly, AChildThatExecdAStaticProgramIsAHolder) {
    std::string dir = harness::FreshDir("static_holder");
    harness::RunOptions opts = TracedOptions(dir);
    opts.kill_when = [&] {
        return harness::BlockedCalls(dir, "read") >= 1 && harness::BlockedCalls(dir, "wait") >= 1;
    };
    Checked t;
    t.run = harness::Run({CorpusBin("c_fork_static_holder"), "bug"}, opts);
    ASSERT_TRUE(t.run.killed_on_purpose) << t.run.Describe();
    t.check = json::parse(harness::Run({harness::CliPath(), "check", "--json", dir}).out);
    t.summary = json::parse(harness::Run({harness::CliPath(), "summary", "--json", dir}).out);
    int reader = t.Announced("reader"), helper = t.Announced("helper");
    int parent = t.Announced("parent");
    auto found = ProblemsOfKind(t.check, "blocked-read");
    ASSERT_EQ(1u, found.size()) << t.check.dump();
    const json::Value &p = found[0];
    EXPECT_EQ(reader, p["pids"][0].as_int()) << p.dump();
    EXPECT_TRUE(HasPid(p, helper)) << p.dump();
    // The helper's fd is the parent's write end, inherited through fork.
    const json::Value *pipe = t.Pipe(p["object"]["inode"].as_int());
    ASSERT_NE(nullptr, pipe) << p.dump();
    int write_end = -1;
    for (const json::Value &h : (*pipe)["holders"].as_array())
        if (h["pid"].as_int() == parent && h["end"].as_string() == "write")
            write_end = static_cast<int>(h["fd"].as_int());
    ASSERT_NE(-1, write_end) << pipe->dump();
    EXPECT_TRUE(t.Held(helper, write_end, p["object"]["inode"].as_int())) << pipe->dump();
    EXPECT_TRUE(HasFd(p, write_end)) << p.dump();
}

} // namespace
