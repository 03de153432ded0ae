// The wrappers' edge cases: a program that does something odd must behave
// exactly as it does without pipetrace (same output, exit status, errno),
// and what is recorded must be true.  Each test runs a program from
// test/progs/ (or a real one) untraced and traced and compares.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <set>
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
    o.timeout_s = 30;
    return o;
}

// Runs argv with the library tracing into dir; `also_preload` is appended
// to LD_PRELOAD after the library.
RunResult RunTraced(const std::vector<std::string> &argv, const std::string &dir,
                    RunOptions opts = Opts(), const std::string &also_preload = "") {
    auto env = harness::PreloadEnv(dir);
    for (auto &kv : env)
        if (kv.first == "LD_PRELOAD" && !also_preload.empty())
            kv.second += ":" + also_preload;
    opts.env.insert(opts.env.begin(), env.begin(), env.end());
    return harness::Run(argv, opts);
}

RunResult RunPlain(const std::vector<std::string> &argv, RunOptions opts = Opts(),
                   const std::string &preload = "") {
    if (!preload.empty())
        opts.env.push_back({"LD_PRELOAD", preload});
    return harness::Run(argv, opts);
}

// Same exit, same signal, same stdout and stderr.
void ExpectSameBehaviour(const RunResult &plain, const RunResult &traced) {
    EXPECT_FALSE(traced.timed_out) << traced.Describe();
    EXPECT_EQ(plain.exited, traced.exited) << traced.Describe();
    EXPECT_EQ(plain.exit_code, traced.exit_code) << traced.Describe();
    EXPECT_EQ(plain.term_signal, traced.term_signal) << traced.Describe();
    EXPECT_EQ(plain.out, traced.out);
    EXPECT_EQ(plain.err, traced.err);
}

#define ASSERT_TRACE_OK(t) ASSERT_TRUE((t).ok) << (t).error << "\n" << (t).text.substr(0, 3000)

// --- issue 9 item 8: wrappers entered before the real functions are known ---

// A preloaded library that interposes dlsym and calls wrappers from it:
// while libpipetrace.so resolves its real functions, each wrapper is entered
// with nothing resolved yet.  Every one must still do what libc does.
TEST(EarlyWrappers, CalledFromAnInterposedDlsymWhileResolving) {
    std::string hook = harness::SourcePath("test/libwe_dlsym_hook.so");
    RunResult plain = RunPlain({ProgPath("we_early")}, Opts(), hook);
    ASSERT_TRUE(plain.exited && plain.exit_code == 0) << plain.Describe();
    ASSERT_NE(plain.out.find("readv=-1/9\n"), std::string::npos) << plain.out;
    ASSERT_NE(plain.out.find("fork+waitpid=1/1792\n"), std::string::npos) << plain.out;

    std::string dir = FreshDir("early");
    RunResult traced = RunTraced({ProgPath("we_early")}, dir, Opts(), hook);
    ExpectSameBehaviour(plain, traced);
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
}

// --- issue 17 item 2: memory the kernel answers EFAULT for -------------------

class BadPointer : public ::testing::TestWithParam<const char *> {};

TEST_P(BadPointer, FailsAsUntraced) {
    std::string mode = GetParam();
    RunResult plain = RunPlain({ProgPath("we_badptr"), mode});
    ASSERT_TRUE(plain.exited && plain.exit_code == 0) << plain.Describe();
    std::string dir = FreshDir("badptr");
    RunResult traced = RunTraced({ProgPath("we_badptr"), mode}, dir);
    ExpectSameBehaviour(plain, traced);
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
}

INSTANTIATE_TEST_SUITE_P(Calls, BadPointer,
                         ::testing::Values("writev", "readv", "waitpid", "wait", "wait4",
                                           "execve-argv", "execve-arg", "execve-envp",
                                           "execve-path", "execvp-argv", "posix_spawn-envp",
                                           "mkfifo", "system", "mkfifo-null", "execve-null-path",
                                           "execve-low-argv", "popen-low", "readv-low",
                                           "writev-low"),
                         [](const ::testing::TestParamInfo<const char *> &info) {
                             std::string name = info.param;
                             for (char &c : name)
                                 if (c == '-')
                                     c = '_';
                             return name;
                         });

// --- issue 17 item 3: exec of a FIFO ------------------------------------------

// The exec inspection must not open what it looks at when that can block:
// an executable FIFO fails with EACCES at once, traced as untraced.
TEST(ExecTarget, ExecutableFifoFailsWithoutHanging) {
    RunOptions opts = Opts();
    opts.timeout_s = 10;
    RunResult plain = RunPlain({ProgPath("we_exec"), "fifo", FreshDir("fifo-plain")}, opts);
    ASSERT_TRUE(plain.exited && plain.exit_code == 0) << plain.Describe();
    ASSERT_EQ(plain.out, "execve: -1 Permission denied\nexecvp: -1 Permission denied\n"
                         "posix_spawn: Permission denied\n");
    std::string dir = FreshDir("fifo");
    RunResult traced = RunTraced({ProgPath("we_exec"), "fifo", FreshDir("fifo-traced")}, dir, opts);
    ExpectSameBehaviour(plain, traced);
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    EXPECT_EQ(t.Count([](const Event &e) { return e.call == "untraced_child"; }), 0u) << t.Head(60);
}

// An exec that fails runs no child: a target that would have run untraced
// (here a text file without "#!", which the kernel refuses with ENOEXEC)
// must not leave an untraced process behind in the answers (it showed as a
// phantom process whose parent was itself).
TEST(ExecTarget, FailedExecLeavesNoUntracedChild) {
    const std::string script = harness::FreshPath("no-shebang");
    harness::WriteFile(script, "echo hi\n");
    ASSERT_EQ(chmod(script.c_str(), 0755), 0);
    std::string dir = FreshDir("failed-exec");
    RunResult r = RunTraced({ProgPath("lc_runchild"), "fork", script}, dir);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    ASSERT_NE(r.out.find("status 32512"), std::string::npos) << r.out;
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    auto execs = t.Select([](const Event &e) { return e.call == "execve"; });
    ASSERT_EQ(execs.size(), 1u) << t.Head(60);
    EXPECT_EQ(execs[0]->err, "ENOEXEC") << execs[0]->raw.dump();
    RunResult summary = harness::Run({harness::CliPath(), "summary", "--json", dir}, Opts());
    ASSERT_TRUE(summary.exited && summary.exit_code == 0) << summary.Describe();
    json::Value v = json::parse(summary.out);
    const auto &processes = v["processes"].as_array();
    EXPECT_EQ(processes.size(), 2u) << summary.out.substr(0, 3000);
    for (const json::Value &p : processes)
        EXPECT_EQ(p["untraced_children"].as_array().size(), 0u) << p.dump();
}

// --- issue 16 item 4: file capabilities run by root ----------------------------

// A program with file capabilities run by root is not in secure mode (the
// kernel grants root nothing new), so the loader preloads it: it must not
// be labelled "untraced: setid" while its own trace is there too.
TEST(ExecTarget, FileCapsRunByRootAreTraced) {
    if (getuid() != 0)
        GTEST_SKIP() << "needs root";
    const std::string copy = harness::FreshPath("we-exec-caps");
    ASSERT_TRUE(harness::Run({"cp", ProgPath("we_exec"), copy}, Opts()).exit_code == 0);
    RunResult setcap = harness::Run({"/usr/sbin/setcap", "cap_net_bind_service+ep", copy}, Opts());
    if (!setcap.exited || setcap.exit_code != 0)
        GTEST_SKIP() << "cannot set file capabilities here: " << setcap.Describe();
    RunResult plain = RunPlain({ProgPath("lc_runchild"), "fork", copy, "atsecure"});
    ASSERT_TRUE(plain.exited && plain.exit_code == 0) << plain.Describe();
    ASSERT_EQ(plain.out.rfind("at_secure 0\n", 0), 0u) << plain.out;

    std::string dir = FreshDir("caps");
    RunResult traced = RunTraced({ProgPath("lc_runchild"), "fork", copy, "atsecure"}, dir);
    ASSERT_TRUE(traced.exited && traced.exit_code == 0) << traced.Describe();
    ASSERT_EQ(traced.out.rfind("at_secure 0\npreloaded 1\n", 0), 0u) << traced.out;
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    EXPECT_EQ(t.Count([](const Event &e) { return e.call == "untraced_child"; }), 0u) << t.Head(60);
}

// --- issue 17 item 4: call sites in a module the program made PROT_NONE ------

// pipe() from an executable whose ELF headers and symbol table are
// PROT_NONE: the call-site record must be made without touching them.
TEST(CallSite, ModuleWithProtNoneHeaders) {
    RunResult plain = RunPlain({ProgPath("we_protnone")});
    ASSERT_TRUE(plain.exited && plain.exit_code == 0) << plain.Describe();
    ASSERT_EQ(plain.out, "pipe 0\nread 4 ping\n");
    std::string dir = FreshDir("protnone");
    RunResult traced = RunTraced({ProgPath("we_protnone")}, dir);
    ExpectSameBehaviour(plain, traced);
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    auto pipes = t.Select([](const Event &e) { return e.call == "pipe"; });
    ASSERT_EQ(pipes.size(), 1u) << t.Head(60);
    // The site still names its module (found in the loader's own table),
    // without a build id (its notes are unreadable).
    auto sites = t.Select([](const Event &e) { return e.call == "callsite"; });
    ASSERT_EQ(sites.size(), 1u) << t.Head(60);
    auto modules = t.Select([](const Event &e) { return e.call == "module"; });
    ASSERT_EQ(modules.size(), 1u) << t.Head(60);
    EXPECT_NE(modules[0]->raw.dump().find("we_protnone"), std::string::npos)
        << modules[0]->raw.dump();
}

// The normal case keeps what the viewer shows: the module's path (the
// executable's absolute path for the main program) and its build id.
TEST(CallSite, ModuleNamedWithBuildId) {
    std::string dir = FreshDir("callsite");
    RunResult r = RunTraced({ProgPath("we_badptr"), "writev"}, dir);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    auto modules = t.Select([](const Event &e) { return e.call == "module"; });
    ASSERT_GE(modules.size(), 1u) << t.Head(60);
    std::string m = modules[0]->raw.dump();
    EXPECT_NE(m.find("/we_badptr\""), std::string::npos) << m;
    EXPECT_NE(m.find("build_id"), std::string::npos) << m;
}

// --- issue 17 item 9: every inherited fd, however many -------------------------

// A process born with 300 leaked pipe ends: each is an inherited fd in its
// trace, and the leak audit names all 300.
TEST(Inherited, ThreeHundredLeakedFdsAreAllNamed) {
    std::string dir = FreshDir("manyfds");
    RunResult r = RunTraced({ProgPath("we_manyfds"), "300", "/bin/true"}, dir);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    std::set<int> inherited;
    for (const Event &e : t.events)
        if (e.call == "inherited_fd" && e.fd > 2 && e.kind == "pipe")
            inherited.insert(e.fd);
    EXPECT_EQ(inherited.size(), 300u);

    RunResult leaks = harness::Run({harness::CliPath(), "leaks", "--json", dir}, Opts());
    ASSERT_TRUE(leaks.exited) << leaks.Describe();
    json::Value v = json::parse(leaks.out);
    ASSERT_TRUE(v.has("leaks")) << leaks.out.substr(0, 2000);
    std::set<int> named;
    for (const json::Value &l : v["leaks"].as_array())
        if (l["exe"].as_string() == "/usr/bin/true")
            named.insert((int)l["fd"].as_int());
    EXPECT_EQ(named.size(), 300u);
}

// --- issue 17 item 8: fds glibc changes behind the wrappers ------------------

// forkpty's child gets the terminal on fds 0-2 through glibc-internal dup2
// calls, and so does a child that calls login_tty itself after openpty and
// fork.  Its write to the terminal must not be recorded as a write to the
// parent's stdout pipe (the fd cache must learn the change).
class Pty : public ::testing::TestWithParam<const char *> {};

TEST_P(Pty, ChildWritesAreOnTheTerminalNotThePipe) {
    const std::vector<std::string> argv = {ProgPath("we_forkpty"), GetParam()};
    RunResult plain = RunPlain(argv);
    if (plain.exited && plain.exit_code == 77)
        GTEST_SKIP() << plain.out;
    ASSERT_TRUE(plain.exited && plain.exit_code == 0) << plain.Describe();
    ASSERT_EQ(plain.out, "got: child on pty\\r\\n\nstatus 768\n");

    for (bool all_fds : {false, true}) {
        SCOPED_TRACE(all_fds ? "PIPETRACE_ALL_FDS=1" : "default");
        std::string dir = FreshDir("forkpty");
        RunOptions opts = Opts();
        if (all_fds)
            opts.env.push_back({"PIPETRACE_ALL_FDS", "1"});
        RunResult traced = RunTraced(argv, dir, opts);
        ExpectSameBehaviour(plain, traced);
        Trace t = harness::LoadTrace(dir);
        ASSERT_TRACE_OK(t);
        int child = 0;
        for (const Process &p : t.processes)
            if (p.ppid == traced.pid && p.fork_child)
                child = p.pid;
        ASSERT_NE(child, 0) << t.Head(60);
        // The parent's stdout is the harness's pipe: only the parent writes it.
        auto pipe_writes =
            t.Select([&](const Event &e) { return e.IsWrite() && e.kind == "pipe" && e.fd == 1; });
        for (const Event *w : pipe_writes)
            EXPECT_EQ(w->pid, traced.pid) << w->raw.dump();
        auto child_writes = t.Select([&](const Event &e) { return e.pid == child && e.IsWrite(); });
        if (all_fds) {
            ASSERT_EQ(child_writes.size(), 1u) << t.Head(80);
            EXPECT_EQ(child_writes[0]->kind, "tty") << child_writes[0]->raw.dump();
            EXPECT_EQ(child_writes[0]->data, "child on pty\n");
        } else {
            EXPECT_EQ(child_writes.size(), 0u) << t.Head(80);
        }
        // forkpty's fork is recorded like any other.
        auto forks =
            t.Select([&](const Event &e) { return e.pid == traced.pid && e.call == "fork"; });
        ASSERT_EQ(forks.size(), 1u) << t.Head(60);
        EXPECT_EQ(forks[0]->child, child);
    }
}

INSTANTIATE_TEST_SUITE_P(Ways, Pty, ::testing::Values("forkpty", "login_tty"));

// --- issue 9 item 7: popen, pclose and devices --------------------------------

// pclose is a wait for the popen child: recorded as pclose with the child's
// pid and status, not as a close that never finished.  The popen record
// says what the parent's end was left with: O_CLOEXEC only for mode "e"
// (glibc clears it otherwise; the child's end never has it).
class Popen : public ::testing::TestWithParam<const char *> {};

TEST_P(Popen, PcloseIsAWaitForTheChild) {
    const std::string mode = GetParam();
    RunResult plain = RunPlain({ProgPath("we_popen"), mode});
    ASSERT_TRUE(plain.exited && plain.exit_code == 0) << plain.Describe();
    ASSERT_EQ(plain.out, "to the child\npclose 1280\n");
    std::string dir = FreshDir("popen");
    RunResult traced = RunTraced({ProgPath("we_popen"), mode}, dir);
    ExpectSameBehaviour(plain, traced);
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);

    auto popens =
        t.Select([&](const Event &e) { return e.pid == traced.pid && e.call == "popen"; });
    ASSERT_EQ(popens.size(), 1u) << t.Head(60);
    const Event &popen = *popens[0];
    const bool cloexec = mode == "we";
    EXPECT_EQ(popen.HasFdFlag("O_CLOEXEC"), cloexec) << popen.raw.dump();
    EXPECT_EQ(popen.arg, cloexec ? O_CLOEXEC : 0) << popen.raw.dump();

    auto pcloses =
        t.Select([&](const Event &e) { return e.pid == traced.pid && e.call == "pclose"; });
    ASSERT_EQ(pcloses.size(), 1u) << t.Head(60);
    const Event &pclose = *pcloses[0];
    EXPECT_EQ(pclose.state, "done");
    EXPECT_EQ(pclose.fd, popen.fd);
    EXPECT_EQ(pclose.result, 1280);
    const Process *child = t.FindProcess((int)pclose.arg);
    ASSERT_NE(child, nullptr) << pclose.raw.dump() << "\n" << t.Head(60);
    EXPECT_EQ(child->ppid, traced.pid);
    EXPECT_EQ(child->exe, "/usr/bin/dash");
    EXPECT_EQ(t.Count([&](const Event &e) { return e.pid == traced.pid && e.call == "close"; }), 0u)
        << t.Head(60);
    // The viewer takes the pclose as the end of the parent's end.
    RunResult leaks = harness::Run({harness::CliPath(), "leaks", "--json", dir}, Opts());
    ASSERT_TRUE(leaks.exited && leaks.exit_code == 0) << leaks.Describe();
    EXPECT_EQ(json::parse(leaks.out)["open_at_exit"].as_array().size(), 0u) << leaks.out;
}

INSTANTIATE_TEST_SUITE_P(Modes, Popen, ::testing::Values("w", "we"));

// /dev/null is a device, not a terminal: kind "device", named by its own
// device number (1,3); a terminal stays "tty" (see Pty above).  Like files,
// devices are traced only with PIPETRACE_ALL_FDS=1.
TEST(Devices, DevNullIsADeviceNotATty) {
    for (bool all_fds : {false, true}) {
        SCOPED_TRACE(all_fds ? "PIPETRACE_ALL_FDS=1" : "default");
        std::string dir = FreshDir("devnull");
        RunOptions opts = Opts();
        if (all_fds)
            opts.env.push_back({"PIPETRACE_ALL_FDS", "1"});
        RunResult r = RunTraced({"/bin/sh", "-c", "echo hi >/dev/null"}, dir, opts);
        ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
        Trace t = harness::LoadTrace(dir);
        ASSERT_TRACE_OK(t);
        auto writes = t.Select([&](const Event &e) { return e.IsWrite() && e.data == "hi\n"; });
        if (!all_fds) {
            EXPECT_EQ(writes.size(), 0u) << t.Head(60);
            continue;
        }
        ASSERT_EQ(writes.size(), 1u) << t.Head(60);
        EXPECT_EQ(writes[0]->kind, "device") << writes[0]->raw.dump();
        EXPECT_EQ(writes[0]->dev, makedev(1, 3)) << writes[0]->raw.dump();
    }
}

} // namespace
