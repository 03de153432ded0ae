// The recorder against what traced programs do to it (issues 9, 16, 17):
// rewritten argv, sandboxes, signal-handler forks, address-space limits,
// runaway capture, hostile trace directories and set-id programs.  Where an
// item is about harm, the test compares the traced run with the untraced
// one.
#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
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
    return o;
}

RunResult RunTraced(const std::vector<std::string> &argv, const std::string &dir,
                    RunOptions opts = Opts()) {
    auto env = harness::PreloadEnv(dir);
    opts.env.insert(opts.env.begin(), env.begin(), env.end());
    return harness::Run(argv, opts);
}

RunResult RunPlain(const std::vector<std::string> &argv, RunOptions opts = Opts()) {
    return harness::Run(argv, opts);
}

// Same exit, same stdout, same stderr.
void ExpectSameBehaviour(const RunResult &plain, const RunResult &traced) {
    EXPECT_EQ(traced.exited, plain.exited) << traced.Describe();
    EXPECT_EQ(traced.exit_code, plain.exit_code) << traced.Describe();
    EXPECT_EQ(traced.term_signal, plain.term_signal) << traced.Describe();
    EXPECT_EQ(traced.out, plain.out);
    EXPECT_EQ(traced.err, plain.err);
}

[[maybe_unused]] std::vector<std::string> DirEntries(const std::string &dir) {
    std::vector<std::string> out;
    DIR *d = opendir(dir.c_str());
    if (d == nullptr)
        return out;
    while (struct dirent *e = readdir(d)) {
        std::string name = e->d_name;
        if (name != "." && name != "..")
            out.push_back(name);
    }
    closedir(d);
    return out;
}

#define ASSERT_TRACE_OK(t) ASSERT_TRUE((t).ok) << (t).error << "\n" << (t).text.substr(0, 3000)

// --- issue 9 item 1: argv the program rewrote --------------------------------

TEST(RewrittenArgv, ForkChildOfAProgramThatCompactedArgvIsUnharmed) {
    std::vector<std::string> argv = {ProgPath("rs_argv_fork"), "--one", "two"};
    RunResult plain = RunPlain(argv);
    ASSERT_TRUE(plain.exited && plain.exit_code == 0) << plain.Describe();
    ASSERT_EQ(plain.out, "read 10: from child\nchild exit 0\n");
    std::string dir = FreshDir("argv");
    RunResult traced = RunTraced(argv, dir);
    ExpectSameBehaviour(plain, traced);

    // The child's header has the command line as it was started, not the
    // array the program rewrote.
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    int children = 0;
    for (const Process &p : t.processes) {
        EXPECT_EQ(p.argv, argv) << "process " << p.pid;
        children += p.fork_child;
    }
    EXPECT_EQ(children, 1) << t.Head();
    EXPECT_EQ(t.Count([](const Event &e) { return e.call == "write" && e.result == 10; }), 1u)
        << t.Head();
}

// --- issue 17 item 1: fork in a signal handler --------------------------------

TEST(HandlerFork, ChildOfAForkInASignalHandlerReturnsFromItAndExits) {
    std::vector<std::string> argv = {ProgPath("rs_handler_fork")};
    RunResult plain = RunPlain(argv);
    ASSERT_TRUE(plain.exited && plain.exit_code == 0) << plain.Describe();
    std::string dir = FreshDir("handler_fork");
    RunResult traced = RunTraced(argv, dir);
    ExpectSameBehaviour(plain, traced);
    for (int round = 0; round < 10; round++)
        EXPECT_NE(traced.out.find("round " + std::to_string(round) + ": child exit 0"),
                  std::string::npos)
            << traced.out;

    // Each child recorded its own report into a file of its own, and nothing
    // of the child's went into the parent's interrupted read.
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    EXPECT_EQ(t.processes.size(), 11u) << t.Head();
    size_t child_reports = t.Count([](const Event &e) {
        return e.call == "write" && e.data.rfind("child: read -1 EINTR", 0) == 0;
    });
    EXPECT_EQ(child_reports, 10u) << t.Head(80);
    for (const Event &e : t.events) {
        if (e.IsRead() && e.state == "done" && e.result < 0) {
            EXPECT_EQ(e.err, "EINTR") << "pid " << e.pid;
        }
    }
}

// --- issue 9 item 6, issue 17 item 7: nothing on the program's fds --------------

TEST(Sandbox, ChildThatCannotMakeItsFileLeavesStderrAloneAndTellsItsParent) {
    std::vector<std::string> argv = {ProgPath("rs_sandbox_child")};
    RunResult plain = RunPlain(argv);
    ASSERT_TRUE(plain.exited && plain.exit_code == 0) << plain.Describe();
    ASSERT_EQ(plain.err, "child: in the sandbox\n");
    std::string dir = FreshDir("sandbox");
    RunResult traced = RunTraced(argv, dir);
    ExpectSameBehaviour(plain, traced);

    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    auto forks = t.Select([](const Event &e) { return e.call == "fork" && e.result > 0; });
    ASSERT_EQ(forks.size(), 1u) << t.Head();
    int child = static_cast<int>(forks[0]->result);
    EXPECT_EQ(t.FindProcess(child), nullptr) << "the child could not have a file";
    auto failed = t.Select([&](const Event &e) {
        return e.call == "untraced_child" && e.pid == forks[0]->pid && e.result == child;
    });
    ASSERT_EQ(failed.size(), 1u) << t.Head();
    EXPECT_EQ(failed[0]->raw["reason"].as_string(), "failed");
    EXPECT_EQ(failed[0]->state, "done");
}

TEST(Sandbox, VerboseKeepsTheOneLineOnStderr) {
    std::vector<std::string> argv = {ProgPath("rs_sandbox_child")};
    std::string dir = FreshDir("sandbox_verbose");
    RunOptions opts = Opts();
    opts.env.push_back({"PIPETRACE_VERBOSE", "1"});
    RunResult traced = RunTraced(argv, dir, opts);
    ASSERT_TRUE(traced.exited && traced.exit_code == 0) << traced.Describe();
    EXPECT_NE(traced.err.find("pipetrace: tracing stopped in pid "), std::string::npos)
        << traced.err;
    EXPECT_NE(traced.err.find("Function not implemented"), std::string::npos) << traced.err;
}

// With fds 0-2 one end of a socket (inetd, socket activation), whatever the
// library said would reach the client before the program's own bytes.
// Runs a shell pipeline with `env` added, its stdio the socket; returns what
// the client received, then the exit status.
std::string ThroughASocket(const std::vector<std::pair<std::string, std::string>> &env) {
    std::vector<std::string> vars = {std::string("PATH=") + kSystemPath};
    for (const auto &kv : env)
        vars.push_back(kv.first + "=" + kv.second);
    std::vector<char *> envp;
    for (std::string &v : vars)
        envp.push_back(&v[0]);
    envp.push_back(nullptr);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return std::string("socketpair: ") + strerror(errno);
    pid_t pid = fork();
    if (pid == 0) {
        for (int fd = 0; fd <= 2; fd++)
            dup2(sv[1], fd);
        const char *argv[] = {"sh", "-c", "echo x | cat; echo data; echo err >&2", nullptr};
        execve("/bin/sh", const_cast<char **>(argv), envp.data());
        _exit(127);
    }
    close(sv[1]);
    struct timeval limit = {30, 0}; // a hung child fails the test, not the run
    setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    std::string got;
    char buf[4096];
    ssize_t n;
    while ((n = read(sv[0], buf, sizeof buf)) > 0)
        got.append(buf, static_cast<size_t>(n));
    close(sv[0]);
    int status = -1;
    waitpid(pid, &status, 0);
    return got + "status " + std::to_string(status);
}

TEST(SocketStdio, TheClientGetsTheProgramsBytesAndNothingElse) {
    std::string plain = ThroughASocket({});
    ASSERT_EQ(plain, "x\ndata\nerr\nstatus 0");
    // Tracing cannot start (the directory would be under a regular file):
    // every process stops tracing, and says so nowhere but in the trace.
    std::string file = harness::FreshPath("not_a_directory");
    harness::WriteFile(file, "");
    EXPECT_EQ(ThroughASocket(harness::PreloadEnv(file + "/trace")), plain);
    // Tracing works: the same bytes.
    EXPECT_EQ(ThroughASocket(harness::PreloadEnv(FreshDir("socket_stdio"))), plain);
}

// --- issue 16 items 1, 2: the trace directory must be ours alone --------------

// A traced program whose trace must not reach `dir`: it behaves as
// untraced, and nothing appears at `watched`.
void ExpectRefusedDirectory(const std::string &dir, const std::string &watched) {
    std::vector<std::string> argv = {ProgPath("rs_argv_fork"), "a", "b"};
    RunResult plain = RunPlain(argv);
    RunResult traced = RunTraced(argv, dir);
    ExpectSameBehaviour(plain, traced);
    EXPECT_EQ(DirEntries(watched), std::vector<std::string>{}) << "in " << watched;
}

TEST(TraceDirectory, SymlinkIsNotFollowed) {
    std::string target = FreshDir("symlink_target");
    std::string link = harness::FreshPath("symlink");
    ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
    ExpectRefusedDirectory(link, target);
    ExpectRefusedDirectory(link + "/", target);
    ExpectRefusedDirectory(link + "/.", target);
}

TEST(TraceDirectory, GroupOrOtherWritableIsRefused) {
    for (mode_t mode : {0770, 0707, 0777}) {
        std::string dir = FreshDir("writable");
        ASSERT_EQ(chmod(dir.c_str(), mode), 0);
        ExpectRefusedDirectory(dir, dir);
    }
}

TEST(TraceDirectory, OwnDirectoryStillWorks) {
    std::string dir = FreshDir("own");
    std::vector<std::string> argv = {ProgPath("rs_argv_fork"), "a", "b"};
    RunResult traced = RunTraced(argv, dir);
    ASSERT_TRUE(traced.exited && traced.exit_code == 0) << traced.Describe();
    EXPECT_EQ(DirEntries(dir).size(), 2u);
}

// Another process replaces the trace file while the program runs: the
// writer must notice when it grows the file, and stop, never touching
// memory the file no longer backs (SIGBUS).
TEST(TraceDirectory, FileReplacedUnderTheWriterStopsTracingWithoutHarm) {
    std::vector<std::string> argv = {ProgPath("rs_replace_trace")};
    std::string dir = FreshDir("replaced");
    RunOptions opts = Opts();
    opts.env.push_back({"PIPETRACE_DIR", dir}); // the program replaces its file itself
    RunResult plain = RunPlain(argv, opts);
    ASSERT_TRUE(plain.exited && plain.exit_code == 0) << plain.Describe();
    std::string traced_dir = FreshDir("replaced_traced");
    RunResult traced = RunTraced(argv, traced_dir);
    ExpectSameBehaviour(plain, traced);
}

// --- issue 17 item 5: ulimit -v ----------------------------------------------------

TEST(AddressLimit, LargeMallocUnderRlimitAsWorksTracedAsUntraced) {
    for (auto limit_alloc :
         std::vector<std::pair<std::string, std::string>>{{"600", "400"}, {"2000", "1500"}}) {
        std::vector<std::string> argv = {ProgPath("rs_as_limit"), limit_alloc.first,
                                         limit_alloc.second};
        RunResult plain = RunPlain(argv);
        ASSERT_TRUE(plain.exited && plain.exit_code == 0) << plain.Describe();
        ASSERT_NE(plain.out.find(": ok"), std::string::npos) << plain.out;
        for (const char *data : {"64", "full"}) {
            std::string dir = FreshDir("as_limit");
            RunOptions opts = Opts();
            opts.env.push_back({"PIPETRACE_DATA", data});
            RunResult traced = RunTraced(argv, dir, opts);
            ExpectSameBehaviour(plain, traced);
            // The trace is whole: every byte the reader got is in it.
            Trace t = harness::LoadTrace(dir);
            ASSERT_TRACE_OK(t);
            for (const Process &p : t.processes)
                EXPECT_EQ(p.stopped, "") << "pid " << p.pid << " with data " << data;
            EXPECT_EQ(t.SumResult([](const Event &e) { return e.IsRead(); }),
                      (1 << 20) + (4 << 20));
        }
    }
}

// The limit set after the trace began: a traced shell running `ulimit -v`.
TEST(AddressLimit, LimitLoweredAfterTheTraceBeganStillLeavesTheProgramItsMemory) {
    std::vector<std::string> argv = {ProgPath("rs_as_limit"), "600", "400", "late"};
    RunResult plain = RunPlain(argv);
    ASSERT_TRUE(plain.exited && plain.exit_code == 0) << plain.Describe();
    ASSERT_NE(plain.out.find(": ok"), std::string::npos) << plain.out;
    std::string dir = FreshDir("as_late");
    ExpectSameBehaviour(plain, RunTraced(argv, dir));

    std::vector<std::string> shell = {
        "bash", "-c",
        "echo x | cat; ulimit -v 600000; "
        "for i in $(seq 1 20000); do printf -v 'a[i]' '%0100d' $i; done; echo ${#a[@]}"};
    RunResult plain_shell = RunPlain(shell);
    ASSERT_TRUE(plain_shell.exited && plain_shell.exit_code == 0) << plain_shell.Describe();
    ExpectSameBehaviour(plain_shell, RunTraced(shell, FreshDir("as_late_bash")));
}

// --- issue 17 item 6: full capture bounded by the bytes moved ----------------------

bool IsRootUser() {
    return geteuid() == 0;
}

uint64_t DirBytes(const std::string &dir) {
    uint64_t total = 0;
    for (const std::string &name : DirEntries(dir)) {
        struct stat st;
        if (stat((dir + "/" + name).c_str(), &st) == 0)
            total += static_cast<uint64_t>(st.st_size);
    }
    return total;
}

TEST(FullCapture, TwoReaderThreadsCostWhatMovedNotWhatTheyAskedFor) {
    std::vector<std::string> argv = {ProgPath("rs_two_readers")};
    RunResult plain = RunPlain(argv);
    ASSERT_TRUE(plain.exited && plain.exit_code == 0) << plain.Describe();
    std::string dir = FreshDir("two_readers");
    RunOptions opts = Opts();
    opts.env.push_back({"PIPETRACE_DATA", "full"});
    RunResult traced = RunTraced(argv, dir, opts);
    ExpectSameBehaviour(plain, traced);
    // At most 4,002 records (2,000 writes, 2,002 reads) of 64 bytes, each
    // read with up to 1 KiB of capture room it could not give back, and
    // less than a page of slack at the file's end.
    EXPECT_LT(DirBytes(dir), 4002u * 64 + 2002u * 1024 + 4096) << "trace bytes";
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    EXPECT_EQ(t.SumResult([](const Event &e) { return e.IsRead(); }), 2000);
    EXPECT_EQ(t.Data([](const Event &e) { return e.IsWrite() && e.fd > 2; }),
              std::string(2000, 'x'));
}

TEST(FullCapture, LargeTransfersAreCapturedWhole) {
    std::vector<std::string> argv = {ProgPath("rs_as_limit"), "0", "1"};
    std::string dir = FreshDir("full_whole");
    RunOptions opts = Opts();
    opts.env.push_back({"PIPETRACE_DATA", "full"});
    RunResult traced = RunTraced(argv, dir, opts);
    ASSERT_TRUE(traced.exited && traced.exit_code == 0) << traced.Describe();
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    std::string read = t.Data([](const Event &e) { return e.IsRead(); });
    std::string written = t.Data([](const Event &e) { return e.IsWrite() && e.fd > 2; });
    EXPECT_EQ(read.size(), static_cast<size_t>((1 << 20) + (4 << 20)));
    EXPECT_EQ(written.size(), read.size());
    for (const Event *e : t.Select([](const Event &e) { return e.data_cut; }))
        ADD_FAILURE() << "cut: pid " << e->pid << " " << e->call << " fd " << e->fd << " result "
                      << e->result << " captured " << e->data.size();
}

// The stream rs_full_pattern writes: each byte depends on its position.
uint8_t PatternByte(uint64_t at) {
    return static_cast<uint8_t>(at * 131 + (at >> 8) * 7 + (at >> 16) * 3);
}

std::string Pattern(size_t len) {
    std::string s(len, '\0');
    for (size_t i = 0; i < len; i++)
        s[i] = static_cast<char>(PatternByte(i));
    return s;
}

// Chunk sizes around each size where the capture path may change (a page,
// the file's growth steps of 32 KiB to 256 KiB, a write's 64 KiB of room
// reserved before the call; 64 bytes less for the record's header), so
// that captures cross the file's growth step at every alignment.
const std::vector<std::string> kChunkSizes = {"1",      "4032",   "4096",  "32704",  "32768",
                                              "65472",  "65536",  "65537", "131072", "262080",
                                              "262144", "262209", "300001"};

// Every byte of a stream of several MiB is in the trace, once on the
// writer's side and once on the reader's, in order, none cut, every record
// done: a capture path that lost, doubled, shifted or left a byte zero
// fails here.
TEST(FullCapture, EveryByteOfALargeStreamIsInTheTraceExactly) {
    const size_t total = 8u << 20;
    const std::string expected = Pattern(total);
    for (const char *read_size : {"4096", "65536", "1048576"}) {
        std::vector<std::string> argv = {ProgPath("rs_full_pattern"), std::to_string(total),
                                         read_size};
        argv.insert(argv.end(), kChunkSizes.begin(), kChunkSizes.end());
        std::string dir = FreshDir("full_pattern");
        RunOptions opts = Opts();
        opts.env.push_back({"PIPETRACE_DATA", "full"});
        RunResult traced = RunTraced(argv, dir, opts);
        ASSERT_TRUE(traced.exited && traced.exit_code == 0) << traced.Describe();
        ASSERT_EQ(traced.out, "read " + std::to_string(total) + " ok\n");
        Trace t = harness::LoadTrace(dir);
        ASSERT_TRACE_OK(t);
        auto on_pipe = [](const Event &e) { return e.kind == "pipe" && e.fd > 2; };
        std::string written = t.Data([&](const Event &e) { return on_pipe(e) && e.IsWrite(); });
        std::string read = t.Data([&](const Event &e) { return on_pipe(e) && e.IsRead(); });
        EXPECT_EQ(written.size(), total) << "read size " << read_size;
        EXPECT_EQ(read.size(), total) << "read size " << read_size;
        EXPECT_TRUE(written == expected) << "the writer's capture differs, read size " << read_size;
        EXPECT_TRUE(read == expected) << "the reader's capture differs, read size " << read_size;
        for (const Event *e : t.Select([&](const Event &e) { return on_pipe(e); })) {
            EXPECT_EQ(e->state, "done") << e->call << " result " << e->result;
            EXPECT_FALSE(e->data_cut) << e->call << " result " << e->result;
            EXPECT_EQ(e->data_len, e->result) << e->call;
        }
    }
}

// A file system that fills up while full captures are written into it: the
// program behaves as untraced (same output, status, nothing on stderr), and
// its trace says tracing stopped with ENOSPC.  A 1 MiB tmpfs in a private
// mount namespace, so nothing outside the test is touched.
TEST(FullCapture, FullDiskStopsTracingQuietly) {
    if (!IsRootUser())
        GTEST_SKIP() << "needs root to mount a small file system";
    if (RunPlain({"unshare", "-m", "true"}).exit_code != 0)
        GTEST_SKIP() << "no private mount namespace here (unshare -m)";
    std::vector<std::string> argv = {ProgPath("rs_full_pattern"), std::to_string(4u << 20),
                                     "65536"};
    argv.insert(argv.end(), kChunkSizes.begin(), kChunkSizes.end());
    RunResult plain = RunPlain(argv);
    ASSERT_TRUE(plain.exited && plain.exit_code == 0) << plain.Describe();
    std::string work = FreshDir("full_disk"), copy = FreshDir("full_disk_copy");
    // The paths hold no quote.
    std::string script = "set -e; mkdir '" + work + "/small'; mount -t tmpfs -o size=1m none '" +
                         work + "/small'; mkdir -m 0700 '" + work +
                         "/small/trace'; status=0; LD_PRELOAD='" + harness::LibPath() +
                         "' PIPETRACE_DIR='" + work +
                         "/small/trace' PIPETRACE_DATA=full \"$@\" || status=$?; cp '" + work +
                         "'/small/trace/* '" + copy + "'/; exit $status";
    std::vector<std::string> cmd = {"unshare", "-m", "--propagation", "private",
                                    "sh",      "-c", script,          "sh"};
    cmd.insert(cmd.end(), argv.begin(), argv.end());
    RunResult traced = RunPlain(cmd);
    ExpectSameBehaviour(plain, traced);
    Trace t = harness::LoadTrace(copy);
    ASSERT_TRACE_OK(t);
    int stopped = 0;
    for (const Process &p : t.processes) {
        if (p.stopped.empty())
            continue;
        EXPECT_EQ(p.stopped, "ENOSPC") << "pid " << p.pid;
        stopped++;
    }
    EXPECT_GE(stopped, 1) << "no process says its tracing stopped";
}

TEST(FullCapture, FilesEndWithLessThanAPageUnused) {
    std::string dir = FreshDir("trimmed");
    RunResult traced = RunTraced({ProgPath("rs_as_limit"), "0", "1"}, dir);
    ASSERT_TRUE(traced.exited && traced.exit_code == 0) << traced.Describe();
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ASSERT_GE(DirEntries(dir).size(), 3u);
    for (const std::string &name : DirEntries(dir)) {
        std::string data = harness::ReadFile(dir + "/" + name);
        ASSERT_GE(data.size(), 32u);
        uint64_t tail;
        memcpy(&tail, data.data() + 24, sizeof tail);
        EXPECT_LE(data.size(), tail + 4095) << name << ": unused end of the file";
        EXPECT_GE(data.size(), tail) << name;
    }
}

// --- issue 9 item 4: a write is complete once it returned ----------------------------

// The child is killed a few thousand instructions after its 1 MiB write
// returned (ptrace makes that exact): the record must say the write was
// done, with its capture cut if the copy had not finished.
TEST(KilledAfterWrite, WriteThatReturnedIsRecordedDone) {
    std::string dir = FreshDir("killed_after_write");
    RunOptions opts = Opts();
    opts.env.push_back({"PIPETRACE_DATA", "full"});
    RunResult traced = RunTraced({ProgPath("rs_kill_after_write"), "2000"}, dir, opts);
    ASSERT_TRUE(traced.exited && traced.exit_code == 0) << traced.Describe();
    ASSERT_EQ(traced.out, "reader got 1048576, child killed: 1\n");
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    auto writes = t.Select([](const Event &e) { return e.call == "write" && e.fd > 2; });
    ASSERT_EQ(writes.size(), 1u) << t.Head();
    EXPECT_EQ(writes[0]->state, "done");
    EXPECT_EQ(writes[0]->result, 1 << 20);
}

// --- issue 16 items 2, 4: as root -------------------------------------------------

bool IsRoot() {
    return geteuid() == 0;
}

TEST(Privileged, DirectoryOwnedByAnotherUserIsRefused) {
    if (!IsRoot())
        GTEST_SKIP() << "needs root to give a directory to another user";
    std::string dir = FreshDir("other_user");
    ASSERT_EQ(chown(dir.c_str(), 65534, 65534), 0) << "chown to nobody";
    ExpectRefusedDirectory(dir, dir);
    struct stat st;
    ASSERT_EQ(stat(dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 65534u);
}

// A set-user-ID root helper run by `nobody`, with the library loaded the
// way /etc/ld.so.preload loads it (a file bound over it in a private mount
// namespace: the machine's own /etc is never touched) and PIPETRACE_DIR
// pointing into a directory only root may write: it must record nothing
// and create nothing.
TEST(Privileged, SetuidProgramRecordsAndCreatesNothing) {
    if (!IsRoot())
        GTEST_SKIP() << "needs root for a set-user-ID helper and a mount namespace";
    if (RunPlain({"unshare", "-m", "true"}).exit_code != 0)
        GTEST_SKIP() << "no private mount namespace here (unshare -m)";
    char tmpl[] = "/tmp/pipetrace-setuid-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    std::string work = tmpl;
    ASSERT_EQ(chmod(work.c_str(), 0755), 0);
    std::string helper = work + "/helper", lib = work + "/libpipetrace.so";
    std::string rootonly = work + "/rootonly", victim = rootonly + "/trace";
    // Everything quoted once here; the paths hold no quote.
    std::string script = "set -e; W='" + work + "'; cp '" + ProgPath("rs_setuid_helper") +
                         "' $W/helper; cp '" + harness::LibPath() +
                         "' $W/libpipetrace.so; chmod 4755 $W/helper; mkdir -m 0700 $W/rootonly; "
                         "mkdir $W/realetc; mount --bind /etc $W/realetc; "
                         "mount -t tmpfs -o mode=0755 none /etc; "
                         "for e in $W/realetc/* $W/realetc/.[!.]*; do "
                         "  if [ -e \"$e\" ]; then ln -s \"$e\" /etc/; fi; done; "
                         "rm -f /etc/ld.so.preload; echo $W/libpipetrace.so > /etc/ld.so.preload; "
                         "export PIPETRACE_DISABLE=1; " // for everything but the helper
                         "cd $W; setpriv --reuid=65534 --regid=65534 --clear-groups "
                         "env -u PIPETRACE_DISABLE PIPETRACE_DIR=" +
                         victim +
                         " PIPETRACE_VERBOSE=1 $W/helper; "
                         "echo \"rootonly: $(ls -A $W/rootonly)\"; "
                         "echo \"work: $(ls -A $W | tr '\\n' ' ')\"";
    RunResult r = RunPlain({"unshare", "-m", "--propagation", "private", "sh", "-c", script});
    RunPlain({"rm", "-rf", work});
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    if (r.out.find("secure=1 euid=0 uid=65534") == std::string::npos)
        GTEST_SKIP() << "set-user-ID did not take effect here: " << r.out;
    ASSERT_NE(r.out.find("preloaded=1"), std::string::npos)
        << "the loader did not preload the library: " << r.out;
    EXPECT_NE(r.out.find("read 6, child status 0"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("rootonly: \n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("work: helper libpipetrace.so realetc rootonly \n"), std::string::npos)
        << r.out;
    EXPECT_EQ(r.err, "");
}

} // namespace
