// When a traced run hangs (issue 13): `pipetrace run --timeout` and Ctrl-C
// print what every process is blocked in and waits for, the timeout ends
// the whole tree with timeout(1)'s status, a Ctrl-C reaches the program as
// it would untraced; `check` on a live trace tells running processes from
// processes killed before they could record their end.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "test/analysis_cli.h"
#include "test/harness.h"
#include "test/json.h"
#include "test/live_job.h"

namespace {

using analysis_cli::ProblemsOfKind;
using live_job::Alive;
using live_job::ChildOf;
using live_job::GroupMembers;
using live_job::InSyscall;
using live_job::Job;
using live_job::ProcStat;

std::string Cli() {
    return harness::CliPath();
}

std::string Example(const std::string &name) {
    return harness::SourcePath("examples/" + name);
}

// check's text is wrapped at 80 columns: its lines joined again.
std::string Unwrapped(const std::string &text) {
    std::string out;
    for (size_t i = 0; i < text.size(); i++) {
        if (text.compare(i, 5, "\n    ") == 0) {
            out += ' ';
            i += 4;
            while (i + 1 < text.size() && text[i + 1] == ' ')
                i++;
        } else {
            out += text[i];
        }
    }
    return out;
}

bool Has(const std::string &text, const std::string &part) {
    return Unwrapped(text).find(part) != std::string::npos;
}

// --- --timeout --------------------------------------------------------------

// bug_hung_pipeline: the parent waits for its child, which reads a pipe
// whose write end the parent kept.  At the timeout run names both, with
// the reader's blocked-read, and ends them: 124, nothing of the job left.
// The trace must show the hang when the timeout comes; on a machine too
// loaded for that in 1 s the run is repeated with a longer one.
TEST(RunTimeout, PrintsTheCulpritThenEndsTheTreeWith124) {
    std::string tried;
    for (const char *timeout : {"1s", "5s", "30s"}) {
        std::string dir = harness::FreshDir("timeout");
        harness::RunOptions opts;
        opts.env.push_back({"PIPETRACE_LIB", harness::LibPath()});
        harness::RunResult r =
            harness::Run({Cli(), "run", "-o", dir, std::string("--timeout=") + timeout, "--",
                          harness::ProgPath("bug_hung_pipeline")},
                         opts);
        ASSERT_TRUE(r.exited) << r.Describe();
        ASSERT_EQ(124, r.exit_code) << r.Describe();
        EXPECT_TRUE(GroupMembers(r.pid).empty()) << "left running after the timeout";
        harness::Trace t = harness::LoadTrace(dir);
        ASSERT_TRUE(t.ok) << t.error;
        auto reads = t.Select([](const harness::Event &e) {
            return e.IsRead() && e.state == "unfinished" && e.kind == "pipe";
        });
        if (reads.empty()) { // the timeout came before the hang
            tried += std::string("--- ") + timeout + ":\n" + r.Describe() + t.Head() + "\n";
            continue;
        }
        int reader = reads[0]->pid;
        const harness::Process *p = t.FindProcess(reader);
        ASSERT_NE(nullptr, p);
        int parent = p->ppid;
        for (int pid : {reader, parent})
            EXPECT_FALSE(Alive(pid)) << pid;
        const std::string &err = r.err;
        EXPECT_TRUE(Has(err, std::string("pipetrace: timed out after ") +
                                 std::string(timeout).substr(0, std::string(timeout).size() - 1) +
                                 "s: 2 of 2 running traced processes blocked"))
            << err;
        std::string pipe = "pipe:[" + std::to_string(reads[0]->ino) + "]";
        EXPECT_TRUE(Has(err, "pid " + std::to_string(reader) +
                                 " (bug_hung_pipeline) blocked in read(fd " +
                                 std::to_string(reads[0]->fd) + ", " + pipe + ") for "))
            << err;
        EXPECT_TRUE(Has(err, "waits for data or EOF from the write end held by pid " +
                                 std::to_string(parent) + " (bug_hung_pipeline) fd "))
            << err;
        EXPECT_TRUE(Has(err, "pid " + std::to_string(parent) +
                                 " (bug_hung_pipeline) blocked in wait() for "))
            << err;
        EXPECT_TRUE(Has(err, "error: blocked-read: pid " + std::to_string(reader))) << err;
        return;
    }
    FAIL() << "the hang never showed in the trace before the timeout:\n" << tried;
}

// A pipeline that works but is slow: at the timeout, tail waits for sort,
// which is busy; that is no hang, so no check verdict is printed, only
// what each process is doing.  Every process of it is ended.
TEST(RunTimeout, ABusyPipelineIsNoHang) {
    std::string dir = harness::FreshDir("timeout_busy");
    harness::RunOptions opts;
    opts.env.push_back({"PIPETRACE_LIB", harness::LibPath()});
    harness::RunResult r = harness::Run({Cli(), "run", "-o", dir, "--timeout=0.5", "--", "sh", "-c",
                                         "seq 1 1000000000 | sort | tail -n 1"},
                                        opts);
    ASSERT_TRUE(r.exited) << r.Describe();
    EXPECT_EQ(124, r.exit_code) << r.Describe();
    EXPECT_TRUE(Has(r.err, "pipetrace: timed out after 0.5s: ")) << r.err;
    EXPECT_FALSE(Has(r.err, "error: ")) << r.err;
    EXPECT_TRUE(GroupMembers(r.pid).empty());
}

// A program that ends before the timeout: its own status, nothing said.
TEST(RunTimeout, AProgramThatEndsInTimeKeepsItsStatus) {
    std::string dir = harness::FreshDir("timeout_ok");
    harness::RunOptions opts;
    opts.env.push_back({"PIPETRACE_LIB", harness::LibPath()});
    harness::RunResult r = harness::Run(
        {Cli(), "run", "-o", dir, "--timeout=10m", "--", "sh", "-c", "seq 3 | sort -r; exit 3"},
        opts);
    ASSERT_TRUE(r.exited) << r.Describe();
    EXPECT_EQ(3, r.exit_code);
    EXPECT_EQ("3\n2\n1\n", r.out);
    EXPECT_EQ("", r.err);
}

TEST(RunTimeout, BadValuesAreRefused) {
    for (const char *bad : {"--timeout=soon", "--timeout=-1", "--timeout=2x",
                            "--timeout-signal=NOPE", "--kill-after=1y"}) {
        harness::RunResult r = harness::Run({Cli(), "run", bad, "--", "true"});
        EXPECT_TRUE(r.exited && r.exit_code == 2) << bad << ": " << r.Describe();
        EXPECT_TRUE(Has(r.err, "pipetrace run: ")) << r.err;
    }
}

// A program that ignores the timeout signal gets SIGKILL after the grace
// period: the tree is gone all the same.
TEST(RunTimeout, WhatIgnoresTheSignalIsKilled) {
    std::string dir = harness::FreshDir("timeout_kill");
    harness::RunOptions opts;
    opts.env.push_back({"PIPETRACE_LIB", harness::LibPath()});
    harness::RunResult r =
        harness::Run({Cli(), "run", "-o", dir, "--timeout=0.2", "--timeout-signal=USR1",
                      "--kill-after=0.1", "--", "sh", "-c", "trap '' USR1; sleep 600 | cat"},
                     opts);
    ASSERT_TRUE(r.exited) << r.Describe();
    EXPECT_EQ(124, r.exit_code) << r.Describe();
    EXPECT_TRUE(GroupMembers(r.pid).empty());
}

// The signals the command starts with (blocked, ignored, caught) are the
// ones run was started with, with or without --timeout, including SIGINT
// and SIGCHLD ignored and a signal blocked, which run itself handles
// differently while it waits.
TEST(RunTimeout, TheCommandStartsWithRunsSignalState) {
    const std::string starter = "import os, signal, sys\n"
                                "signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR2])\n"
                                "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                "signal.signal(signal.SIGCHLD, signal.SIG_IGN)\n"
                                "os.execvp(sys.argv[1], sys.argv[1:])\n";
    const std::vector<std::string> show = {"grep", "-E", "^Sig(Blk|Ign|Cgt)", "/proc/self/status"};
    std::vector<std::string> plain = {"python3", "-c", starter};
    plain.insert(plain.end(), show.begin(), show.end());
    harness::RunResult untraced = harness::Run(plain);
    ASSERT_TRUE(untraced.exited && untraced.exit_code == 0) << untraced.Describe();
    // The starter's state took: SIGUSR2 blocked, SIGINT and SIGCHLD ignored.
    ASSERT_NE(std::string::npos, untraced.out.find("SigBlk:\t0000000000000800")) << untraced.out;
    size_t ign = untraced.out.find("SigIgn:\t");
    ASSERT_NE(std::string::npos, ign) << untraced.out;
    ASSERT_EQ(0x10002u, std::stoull(untraced.out.substr(ign + 8, 16), nullptr, 16) & 0x10002u)
        << untraced.out;
    for (const char *timeout : {"", "--timeout=10m"}) {
        std::vector<std::string> argv = {
            "python3", "-c", starter, Cli(), "run", "-o", harness::FreshDir("sigstate")};
        if (*timeout)
            argv.push_back(timeout);
        argv.push_back("--");
        argv.insert(argv.end(), show.begin(), show.end());
        harness::RunOptions opts;
        opts.env.push_back({"PIPETRACE_LIB", harness::LibPath()});
        harness::RunResult traced = harness::Run(argv, opts);
        ASSERT_TRUE(traced.exited && traced.exit_code == 0) << traced.Describe();
        EXPECT_EQ(untraced.out, traced.out) << timeout;
    }
}

// --- Ctrl-C -----------------------------------------------------------------

// The untraced reference: SIGINT to the group of examples/hung_pipeline.py
// while it hangs (parent in wait4, child in read).
int UntracedInterruptStatus(std::string *err) {
    Job job({"python3", Example("hung_pipeline.py")}, "sigint_untraced");
    int child = 0;
    EXPECT_TRUE(job.WaitUntil([&] {
        child = ChildOf(job.pid());
        return child != 0 && InSyscall(job.pid(), SYS_wait4) && InSyscall(child, SYS_read);
    }));
    kill(-job.pid(), SIGINT);
    int status = job.Wait();
    *err = job.Stderr();
    return status;
}

// Ctrl-C (SIGINT to the foreground group) while the pipeline hangs: run
// prints both blocked processes and the blocked-read as they were at the
// signal; python3 raises KeyboardInterrupt in both, prints its traceback
// and dies of SIGINT as untraced, which run passes on as 130, the status
// a shell gives the untraced run.
TEST(RunInterrupt, PrintsTheDiagnosisAndThePythonProgramStillSeesKeyboardInterrupt) {
    std::string untraced_err;
    int untraced = UntracedInterruptStatus(&untraced_err);
    ASSERT_TRUE(WIFSIGNALED(untraced) && WTERMSIG(untraced) == SIGINT) << untraced;
    EXPECT_TRUE(Has(untraced_err, "KeyboardInterrupt")) << untraced_err;

    std::string dir = harness::FreshDir("sigint");
    Job job({Cli(), "run", "-o", dir, "--", "python3", Example("hung_pipeline.py")}, "sigint");
    ASSERT_TRUE(job.WaitUntil([&] {
        return harness::BlockedCalls(dir, "read") >= 1 && harness::BlockedCalls(dir, "wait") >= 1;
    })) << job.Stderr();
    kill(-job.pid(), SIGINT);
    int status = job.Wait();
    ASSERT_TRUE(WIFEXITED(status)) << status;
    EXPECT_EQ(128 + SIGINT, WEXITSTATUS(status));
    std::string err = job.Stderr();
    // Both processes' tracebacks, as untraced.
    size_t first = err.find("KeyboardInterrupt");
    ASSERT_NE(std::string::npos, first) << err;
    EXPECT_NE(std::string::npos, err.find("KeyboardInterrupt", first + 1)) << err;
    EXPECT_NE(std::string::npos, err.find("Traceback (most recent call last)")) << err;
    EXPECT_TRUE(Has(err, "pipetrace: interrupted: 2 of 2 running traced processes blocked")) << err;
    EXPECT_TRUE(Has(err, "blocked in read(fd ")) << err;
    EXPECT_TRUE(Has(err, "blocked in wait() for ")) << err;
    EXPECT_TRUE(Has(err, "error: blocked-read: ")) << err;
    EXPECT_TRUE(Has(err, "was still blocked at the interrupt reading fd ")) << err;
    EXPECT_TRUE(GroupMembers(job.pid()).empty());
}

// The same through a terminal: the program is the terminal's foreground
// process group and its stdout a tty, traced as untraced (run changes
// neither); Ctrl-C typed on the terminal interrupts it the same way, and
// run adds its diagnosis.
const char kForegroundHang[] = R"(
import os, sys
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(w)
    while os.read(r, 100):
        pass
    os._exit(0)
print("foreground=%d tty=%d" % (os.tcgetpgrp(0) == os.getpgrp(), os.isatty(1)), flush=True)
os.waitpid(pid, 0)
)";

TEST(RunInterrupt, CtrlCOnATerminalReachesTheProgramAsUntraced) {
    live_job::PtyJob untraced({"python3", "-c", kForegroundHang});
    ASSERT_TRUE(untraced.WaitUntil([&] {
        int child = ChildOf(untraced.pid());
        return Has(untraced.Screen(), "foreground=") && child != 0 &&
               InSyscall(untraced.pid(), SYS_wait4) && InSyscall(child, SYS_read);
    })) << untraced.Screen();
    untraced.Type("\x03");
    int untraced_status = untraced.Wait();
    ASSERT_TRUE(WIFSIGNALED(untraced_status) && WTERMSIG(untraced_status) == SIGINT)
        << untraced_status << untraced.Screen();

    std::string dir = harness::FreshDir("sigint_pty");
    live_job::PtyJob traced({Cli(), "run", "-o", dir, "--", "python3", "-c", kForegroundHang});
    ASSERT_TRUE(traced.WaitUntil([&] {
        return Has(traced.Screen(), "foreground=") && harness::BlockedCalls(dir, "read") >= 1 &&
               harness::BlockedCalls(dir, "wait") >= 1;
    })) << traced.Screen();
    traced.Type("\x03");
    int status = traced.Wait();
    ASSERT_TRUE(WIFEXITED(status)) << status << traced.Screen();
    EXPECT_EQ(128 + SIGINT, WEXITSTATUS(status)) << traced.Screen();

    const std::string seen = untraced.Screen(), traced_seen = traced.Screen();
    EXPECT_TRUE(Has(seen, "foreground=1 tty=1")) << seen;
    EXPECT_TRUE(Has(traced.Screen(), "foreground=1 tty=1")) << traced.Screen();
    // The session ends with the process it started, and the terminal with
    // it: the forked child's traceback may come after that and be lost,
    // traced or not; the parent's is there.
    for (const std::string *screen : {&seen, &traced_seen})
        EXPECT_TRUE(Has(*screen, "KeyboardInterrupt")) << *screen;
    EXPECT_TRUE(Has(traced.Screen(), "pipetrace: interrupted: 2 of 2 running traced processes "
                                     "blocked"))
        << traced.Screen();
}

// A second Ctrl-C does not wait for the diagnosis.  run's stderr is a
// pipe nobody reads, filled by the program before it hangs, so that the
// diagnosis the first Ctrl-C starts blocks writing it (a diagnosis that
// takes long, made certain): run, its program gone, waits for it.  The
// second Ctrl-C ends it, and run exits at once with the program's status.
TEST(RunInterrupt, ASecondCtrlCDoesNotWaitForTheDiagnosis) {
    std::string dir = harness::FreshDir("sigint_twice");
    int err[2];
    ASSERT_EQ(0, pipe2(err, O_CLOEXEC));
    std::string script =
        "head -c 65536 /dev/zero >&2; exec " + harness::ProgPath("bug_hung_pipeline");
    std::vector<std::string> argv = {Cli(), "run", "-o", dir, "--", "sh", "-c", script};
    pid_t run = fork();
    if (run == 0) {
        setpgid(0, 0);
        setenv("PIPETRACE_LIB", harness::LibPath().c_str(), 1);
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(err[1], 2);
        std::vector<char *> args;
        for (const std::string &a : argv)
            args.push_back(const_cast<char *>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    setpgid(run, run);
    close(err[1]);
    auto wait_for = [](const std::function<bool()> &pred) {
        for (int i = 0; i < 1200; i++, std::this_thread::sleep_for(std::chrono::milliseconds(50)))
            if (pred())
                return true;
        return false;
    };
    EXPECT_TRUE(wait_for([&] {
        return harness::BlockedCalls(dir, "read") >= 1 && harness::BlockedCalls(dir, "wait") >= 1;
    }));
    kill(-run, SIGINT);
    // The program dies of it; run's one child left is the diagnosis,
    // blocked writing into the full pipe.
    int diag = 0;
    EXPECT_TRUE(wait_for([&] {
        diag = ChildOf(run);
        std::string children;
        try {
            children = harness::ReadFile("/proc/" + std::to_string(run) + "/task/" +
                                         std::to_string(run) + "/children");
        } catch (const std::exception &) {
        }
        return diag != 0 && children.find(' ') == children.size() - 1 && InSyscall(diag, SYS_write);
    }));
    EXPECT_TRUE(Alive(run)); // waiting for it
    kill(-run, SIGINT);
    int status = -1;
    EXPECT_TRUE(wait_for([&] { return waitpid(run, &status, WNOHANG) == run; }));
    if (!WIFEXITED(status) && !WIFSIGNALED(status)) {
        kill(-run, SIGKILL);
        waitpid(run, &status, 0);
    }
    close(err[0]);
    ASSERT_TRUE(WIFEXITED(status)) << status;
    EXPECT_EQ(128 + SIGINT, WEXITSTATUS(status));
    EXPECT_FALSE(Alive(diag));
}

// --- check on a live trace ----------------------------------------------------

// A reader blocked on a pipe whose write end is held by its parent (in
// waitpid for it) and by a sibling that wrote, then sleeps: the sibling is SIGKILLed and
// stays a zombie (nobody waits for it).  check, with the reader still
// running, says so ("still blocked (pid N is running)") and names the
// sibling as gone, killed before it could record its end.
TEST(LiveCheck, RunningAndKilledProcessesAreToldApart) {
    const char *script = R"(
import os, sys, time
r, w = os.pipe()
reader = os.fork()
if reader == 0:
    os.close(w)
    while os.read(r, 100):
        pass
    os._exit(0)
sleeper = os.fork()
if sleeper == 0:
    os.write(w, b"y")
    time.sleep(600)
    os._exit(0)
sys.stderr.write("sleeper=%d\n" % sleeper)
sys.stderr.flush()
os.write(w, b"x")
os.waitpid(reader, 0)
)";
    std::string dir = harness::FreshDir("live_check");
    Job job({Cli(), "run", "-o", dir, "--", "python3", "-c", script}, "live_check");
    int sleeper = 0;
    ASSERT_TRUE(job.WaitUntil([&] {
        std::string err = job.Stderr();
        size_t at = err.find("sleeper=");
        if (at != std::string::npos)
            sleeper = atoi(err.c_str() + at + 8);
        if (sleeper == 0 || harness::BlockedCalls(dir, "read") < 1 ||
            harness::BlockedCalls(dir, "wait") < 1)
            return false;
        // The sleeper's write is in: it holds the write end in its own
        // trace file (a fork child killed before any traced call would be
        // known from its parent's fork only, without the O_CLOEXEC pipe).
        harness::Trace t = harness::LoadTrace(dir);
        return t.Count([&](const harness::Event &e) {
            return e.pid == sleeper && e.IsWrite() && e.state == "done";
        }) > 0;
    })) << job.Stderr();
    kill(sleeper, SIGKILL);
    char state = 0;
    int pgrp = 0;
    ASSERT_TRUE(job.WaitUntil([&] { return ProcStat(sleeper, &state, &pgrp) && state == 'Z'; }));

    analysis_cli::Output o = analysis_cli::Viewer("check", dir);
    auto found = ProblemsOfKind(o.json, "blocked-read");
    ASSERT_EQ(1u, found.size()) << o.json.dump();
    int reader = static_cast<int>(found[0]["pids"][0].as_int());
    const std::string &msg = found[0]["message"].as_string();
    EXPECT_TRUE(Has(msg, "pid " + std::to_string(reader) + " (python3 -c")) << msg;
    EXPECT_TRUE(
        Has(msg, ") is still blocked (pid " + std::to_string(reader) + " is running) reading fd"))
        << msg;
    EXPECT_TRUE(Has(msg, "; pid " + std::to_string(sleeper) + " (python3 -c")) << msg;
    EXPECT_TRUE(Has(msg, "gone, killed before it could record its end")) << msg;
}

// check on the live trace of a healthy pipeline: the reader waits for a
// writer that can still go on.  No verdict yet, so no error: a shell that
// wrote a line and now waits for its sleep, and a stage that has not
// written its first line yet (python in time.sleep, holding the pipe as its
// stdout).  A running holder that never wrote where another process did is
// still reported (WaitFor.SubstitutionBackgroundServerIsTheHolder).
void ExpectLiveReaderNotReported(const std::string &tag, const std::string &pipeline,
                                 size_t writes_before) {
    std::string dir = harness::FreshDir(tag);
    Job job({Cli(), "run", "-o", dir, "--", "sh", "-c", pipeline}, tag);
    ASSERT_TRUE(job.WaitUntil([&] {
        if (harness::BlockedCalls(dir, "read") < 1)
            return false;
        harness::Trace t = harness::LoadTrace(dir);
        return t.ok && t.Count([](const harness::Event &e) {
            return e.IsWrite() && e.state == "done" && e.kind == "pipe";
        }) >= writes_before;
    })) << job.Stderr();
    analysis_cli::Output o = analysis_cli::Viewer("check", dir);
    EXPECT_TRUE(ProblemsOfKind(o.json, "blocked-read").empty()) << o.json.dump();
    EXPECT_EQ(0, o.run.exit_code) << o.json.dump();
}

TEST(LiveCheck, AReaderWaitingForAWriterThatWroteAndGoesOnIsNoError) {
    ExpectLiveReaderNotReported("live_wrote", "(echo a; sleep 600; echo b) | cat", 1);
}

TEST(LiveCheck, AReaderWaitingForAStageBeforeItsFirstLineIsNoError) {
    ExpectLiveReaderNotReported("live_first",
                                "python3 -c 'import time; time.sleep(600); print(1)' | cat", 0);
}

} // namespace
