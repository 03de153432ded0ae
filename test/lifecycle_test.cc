// Process and fd lifecycle tests (issue 3): shells, Python's subprocess,
// posix_spawn, popen/system, cleared environments, fd-closing programs,
// children that cannot be traced, daemon(), the exec family, errno and
// vfork.  Each runs a real program under libpipetrace.so and checks what
// `pipetrace dump --json` reports.
#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
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

// The Debian tools, not whatever the caller's PATH finds first.
const char kSystemPath[] = "/usr/bin:/bin";

RunOptions Opts() {
    RunOptions o;
    o.env.push_back({"PATH", kSystemPath});
    return o;
}

// Runs argv with the preload library tracing into dir.
RunResult RunTraced(const std::vector<std::string> &argv, const std::string &dir,
                    RunOptions opts = Opts()) {
    auto env = harness::PreloadEnv(dir);
    opts.env.insert(opts.env.begin(), env.begin(), env.end());
    return harness::Run(argv, opts);
}

RunResult RunPlain(const std::vector<std::string> &argv, RunOptions opts = Opts()) {
    return harness::Run(argv, opts);
}

#define ASSERT_RAN_OK(r) ASSERT_TRUE((r).exited && (r).exit_code == 0) << (r).Describe()
#define ASSERT_TRACE_OK(t)                                                                         \
    ASSERT_TRUE((t).ok) << (t).error << "\n" << (t).text.substr(0, 3000);                          \
    EXPECT_EQ((t).order_error, "") << "events not in time order"

void ExpectNoLoss(const Trace &t) {
    for (const Process &p : t.processes) {
        EXPECT_EQ(p.torn, 0) << "process " << p.pid;
        EXPECT_EQ(p.dropped, 0) << "process " << p.pid;
        EXPECT_EQ(p.stopped, "") << "process " << p.pid;
    }
}

// Process lines whose executable (/proc/self/exe) is exe.
std::vector<const Process *> ByExe(const Trace &t, const std::string &exe) {
    std::vector<const Process *> out;
    for (const Process &p : t.processes)
        if (p.exe == exe)
            out.push_back(&p);
    return out;
}

// The one process line with that executable (fails the test otherwise).
const Process *OneByExe(const Trace &t, const std::string &exe) {
    auto v = ByExe(t, exe);
    EXPECT_EQ(v.size(), 1u) << "process lines for " << exe << ":\n" << t.Head(60);
    return v.size() == 1 ? v[0] : nullptr;
}

// The inherited_fd events of one process image, by fd number.
std::map<int, const Event *> Inherited(const Trace &t, const Process &p) {
    std::map<int, const Event *> out;
    for (const Event &e : t.events)
        if (e.image == p.image && e.call == "inherited_fd")
            out[e.fd] = &e;
    return out;
}

std::string Str(const json::Value &v) {
    return v.is_string() ? v.as_string() : std::string();
}

std::vector<std::string> StrList(const json::Value &v) {
    std::vector<std::string> out;
    if (v.is_array())
        for (const json::Value &s : v.as_array())
            out.push_back(s.as_string());
    return out;
}

std::vector<std::string> ArgvOf(const Event &e) {
    return e.raw.has("argv") ? StrList(e.raw["argv"]) : std::vector<std::string>{};
}

// The names in a directory (without . and ..).
std::vector<std::string> DirEntries(const std::string &dir) {
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

std::string Realpath(const std::string &path) {
    char buf[4096];
    if (realpath(path.c_str(), buf) == nullptr)
        return path;
    return buf;
}

// --- shell pipelines: seq 1 1000 | sort -n | tail -n 1 ------------------------

const char kShortPipeline[] = "seq 1 1000 | sort -n | tail -n 1";
const int64_t kSeq1000Bytes = 3893; // 9*2 + 90*3 + 900*4 + 5

struct PipelinePids {
    int seq = 0, sort = 0, tail = 0;
};

// Every process of the pipeline traced, children of the shell, and the bytes
// through both pipes accounted for from both ends.
void CheckShortPipeline(const Trace &t, const RunResult &r, const std::string &shell_exe,
                        PipelinePids *pids) {
    const Process *shell = nullptr;
    for (const Process &p : t.processes)
        if (p.pid == r.pid && p.exe == shell_exe)
            shell = &p;
    ASSERT_NE(shell, nullptr) << "no process line for the shell\n" << t.Head(60);
    EXPECT_FALSE(shell->fork_child);

    const Process *seq = OneByExe(t, "/usr/bin/seq");
    const Process *sort = OneByExe(t, "/usr/bin/sort");
    const Process *tail = OneByExe(t, "/usr/bin/tail");
    ASSERT_TRUE(seq && sort && tail) << t.Head(60);
    EXPECT_EQ(seq->argv, (std::vector<std::string>{"seq", "1", "1000"}));
    EXPECT_EQ(sort->argv, (std::vector<std::string>{"sort", "-n"}));
    EXPECT_EQ(tail->argv, (std::vector<std::string>{"tail", "-n", "1"}));
    std::set<int> kids;
    for (const Process *p : {seq, sort, tail}) {
        SCOPED_TRACE(p->exe);
        EXPECT_EQ(p->ppid, r.pid);
        EXPECT_FALSE(p->fork_child);
        EXPECT_NE(p->pid, r.pid);
        EXPECT_EQ(p->stdio, "hooked");
        kids.insert(p->pid);
        // The shell's fork child of that pid, before its exec.
        for (const Process &q : t.processes) {
            if (q.pid == p->pid && q.image != p->image) {
                EXPECT_TRUE(q.fork_child) << q.raw.dump();
                EXPECT_EQ(q.exe, shell_exe);
                EXPECT_EQ(q.ppid, r.pid);
            }
        }
    }
    EXPECT_EQ(kids.size(), 3u);
    pids->seq = seq->pid;
    pids->sort = sort->pid;
    pids->tail = tail->pid;

    // The shell started each of them.
    std::set<int> forked;
    for (const Event *e : t.Select([&](const Event &e) {
             return e.pid == r.pid && e.image == shell->image &&
                    (e.call == "fork" || e.call == "vfork");
         }))
        forked.insert(e->child);
    for (int kid : kids)
        EXPECT_EQ(forked.count(kid), 1u) << "pid " << kid << "\n" << t.Head(60);

    // The two pipes the shell made.
    auto pipes = t.Select([&](const Event &e) {
        return e.pid == r.pid && e.image == shell->image && (e.call == "pipe" || e.call == "pipe2");
    });
    ASSERT_EQ(pipes.size(), 2u) << t.Head(60);
    const uint64_t a = pipes[0]->ino, b = pipes[1]->ino;
    EXPECT_NE(a, 0u);
    EXPECT_NE(a, b);

    // What each program found open when it started.
    auto seq_fds = Inherited(t, *seq);
    auto sort_fds = Inherited(t, *sort);
    auto tail_fds = Inherited(t, *tail);
    ASSERT_TRUE(seq_fds.count(1) && sort_fds.count(0) && sort_fds.count(1) && tail_fds.count(0))
        << t.Head(80);
    EXPECT_EQ(seq_fds[1]->ino, a);
    EXPECT_EQ(seq_fds[1]->kind, "pipe");
    EXPECT_TRUE(seq_fds[1]->HasFdFlag("O_WRONLY")) << seq_fds[1]->raw.dump();
    EXPECT_EQ(sort_fds[0]->ino, a);
    EXPECT_TRUE(sort_fds[0]->HasFdFlag("O_RDONLY")) << sort_fds[0]->raw.dump();
    EXPECT_EQ(sort_fds[1]->ino, b);
    EXPECT_TRUE(sort_fds[1]->HasFdFlag("O_WRONLY")) << sort_fds[1]->raw.dump();
    EXPECT_EQ(tail_fds[0]->ino, b);
    EXPECT_TRUE(tail_fds[0]->HasFdFlag("O_RDONLY")) << tail_fds[0]->raw.dump();

    // Bytes: seq -> A -> sort -> B -> tail -> stdout.
    auto moved = [&](int pid, uint64_t ino, bool write) {
        return t.SumResult([&](const Event &e) {
            return e.pid == pid && e.ino == ino && (write ? e.IsWrite() : e.IsRead());
        });
    };
    EXPECT_EQ(moved(seq->pid, a, true), kSeq1000Bytes);
    EXPECT_EQ(moved(sort->pid, a, false), kSeq1000Bytes);
    EXPECT_EQ(moved(sort->pid, b, true), kSeq1000Bytes);
    EXPECT_EQ(moved(tail->pid, b, false), kSeq1000Bytes);
    // Nobody else wrote into or read from either pipe.
    EXPECT_EQ(t.Count([&](const Event &e) {
        return (e.ino == a || e.ino == b) && (e.IsRead() || e.IsWrite()) &&
               !((e.pid == seq->pid && e.ino == a && e.IsWrite()) ||
                 (e.pid == sort->pid && e.ino == a && e.IsRead()) ||
                 (e.pid == sort->pid && e.ino == b && e.IsWrite()) ||
                 (e.pid == tail->pid && e.ino == b && e.IsRead()));
    }),
              0u)
        << t.Head(60);
    std::string first =
        t.Data([&](const Event &e) { return e.pid == seq->pid && e.ino == a && e.IsWrite(); });
    EXPECT_EQ(first.substr(0, 8), "1\n2\n3\n4\n");
    EXPECT_EQ(
        t.Data([&](const Event &e) { return e.pid == tail->pid && e.fd == 1 && e.IsWrite(); }),
        "1000\n");
}

void RunShortPipeline(const std::string &shell, const std::string &shell_exe) {
    RunResult plain = RunPlain({shell, "-c", kShortPipeline});
    ASSERT_RAN_OK(plain);
    ASSERT_EQ(plain.out, "1000\n");
    std::string dir = FreshDir("pipeline");
    RunResult r = RunTraced({shell, "-c", kShortPipeline}, dir);
    ASSERT_RAN_OK(r);
    EXPECT_EQ(r.out, plain.out);
    EXPECT_EQ(r.err, "");
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ExpectNoLoss(t);
    PipelinePids pids;
    CheckShortPipeline(t, r, shell_exe, &pids);
}

TEST(Shell, DashPipelineEveryProcessTraced) {
    RunShortPipeline("/bin/dash", "/usr/bin/dash");
}

TEST(Shell, BashPipelineEveryProcessTraced) {
    RunShortPipeline("/bin/bash", "/usr/bin/bash");
}

// The shell reaps seq, sort and tail: the trace says how each ended.  dash
// reaps with wait3(), bash with waitpid().
void CheckPipelineReaped(const std::string &shell, const std::string &shell_exe) {
    std::string dir = FreshDir("reaped");
    RunResult r = RunTraced({shell, "-c", kShortPipeline}, dir);
    ASSERT_RAN_OK(r);
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    PipelinePids pids;
    CheckShortPipeline(t, r, shell_exe, &pids);
    std::map<int, int64_t> reaped; // pid -> wait status
    for (const Event *e : t.Select([&](const Event &e) {
             return e.pid == r.pid && e.call == "wait" && e.has_result && e.result > 0;
         }))
        reaped[static_cast<int>(e->result)] = e->raw["status"].as_int();
    for (int kid : {pids.seq, pids.sort, pids.tail}) {
        ASSERT_EQ(reaped.count(kid), 1u)
            << "no wait record of pid " << kid << " in the shell (pid " << r.pid << ")\n"
            << t.Head(80);
        EXPECT_EQ(reaped[kid], 0) << "pid " << kid;
    }
}

TEST(Shell, DashPipelineChildrenReapedInTrace) {
    CheckPipelineReaped("/bin/dash", "/usr/bin/dash");
}

TEST(Shell, BashPipelineChildrenReapedInTrace) {
    CheckPipelineReaped("/bin/bash", "/usr/bin/bash");
}

// --- env -i sh -c 'seq 3 | cat' ------------------------------------------------

TEST(ClearedEnv, EnvDashIStillTraced) {
    std::string dir = FreshDir("env_i");
    RunResult r = RunTraced({"env", "-i", "sh", "-c", "seq 3 | cat"}, dir);
    ASSERT_RAN_OK(r);
    EXPECT_EQ(r.out, "1\n2\n3\n");
    EXPECT_EQ(r.err, "");
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ExpectNoLoss(t);

    // sh is env's pid after the exec (its fork children are dash images too).
    // env itself makes no traced call: whether its image has a file is not
    // this test's business.
    const Process *sh = nullptr;
    for (const Process &p : t.processes)
        if (p.exe == "/usr/bin/dash" && !p.fork_child) {
            EXPECT_EQ(sh, nullptr) << "two exec'd shells\n" << t.Head(60);
            sh = &p;
        }
    const Process *seq = OneByExe(t, "/usr/bin/seq");
    const Process *cat = OneByExe(t, "/usr/bin/cat");
    ASSERT_TRUE(sh && seq && cat) << t.Head(60);
    EXPECT_EQ(sh->pid, r.pid); // env execs sh
    EXPECT_EQ(sh->argv, (std::vector<std::string>{"sh", "-c", "seq 3 | cat"}));
    EXPECT_EQ(seq->ppid, r.pid);
    EXPECT_EQ(cat->ppid, r.pid);

    auto pipes = t.Select([&](const Event &e) {
        return e.image == sh->image && (e.call == "pipe" || e.call == "pipe2");
    });
    ASSERT_EQ(pipes.size(), 1u) << t.Head(60);
    const uint64_t ino = pipes[0]->ino;
    auto seq_fds = Inherited(t, *seq);
    auto cat_fds = Inherited(t, *cat);
    ASSERT_TRUE(seq_fds.count(1) && cat_fds.count(0)) << t.Head(60);
    EXPECT_EQ(seq_fds[1]->ino, ino);
    EXPECT_EQ(cat_fds[0]->ino, ino);
    EXPECT_EQ(
        t.Data([&](const Event &e) { return e.pid == seq->pid && e.ino == ino && e.IsWrite(); }),
        "1\n2\n3\n");
    EXPECT_EQ(
        t.Data([&](const Event &e) { return e.pid == cat->pid && e.ino == ino && e.IsRead(); }),
        "1\n2\n3\n");
    EXPECT_EQ(t.Data([&](const Event &e) { return e.pid == cat->pid && e.fd == 1 && e.IsWrite(); }),
              "1\n2\n3\n");
}

// PIPETRACE_FOLLOW=0: children that lose LD_PRELOAD stay untraced.
TEST(ClearedEnv, FollowOffLeavesEnvDashIChildUntraced) {
    std::string dir = FreshDir("follow_off");
    RunOptions opts = Opts();
    opts.env.push_back({"PIPETRACE_FOLLOW", "0"});
    RunResult r = RunTraced({"env", "-i", "sh", "-c", "seq 3 | cat"}, dir, opts);
    ASSERT_RAN_OK(r);
    EXPECT_EQ(r.out, "1\n2\n3\n");
    // seq writes into a pipe and cat reads it: traced, they would leave files.
    // env (preloaded directly) may leave one; nothing else may.
    if (DirEntries(dir).empty())
        return;
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ASSERT_EQ(t.processes.size(), 1u) << t.Head(60);
    EXPECT_EQ(t.processes[0].exe, "/usr/bin/env");
    EXPECT_EQ(t.processes[0].pid, r.pid);
    for (const char *exe : {"/usr/bin/dash", "/usr/bin/seq", "/usr/bin/cat"})
        EXPECT_EQ(ByExe(t, exe).size(), 0u) << exe;
    EXPECT_EQ(t.Count([&](const Event &e) { return e.pid != r.pid; }), 0u);
}

// The format reserves untraced-child reason 5 ("disabled") for this case:
// the viewer should be able to name the process it cannot see into.
TEST(ClearedEnv, FollowOffRecordsUntracedChildDisabled) {
    std::string dir = FreshDir("follow_off_rec");
    RunOptions opts = Opts();
    opts.env.push_back({"PIPETRACE_FOLLOW", "0"});
    RunResult r = RunTraced({"env", "-i", "sh", "-c", "seq 3 | cat"}, dir, opts);
    ASSERT_RAN_OK(r);
    ASSERT_FALSE(DirEntries(dir).empty())
        << "no trace file at all: no untraced_child record for the exec of sh";
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    auto untraced =
        t.Select([&](const Event &e) { return e.pid == r.pid && e.call == "untraced_child"; });
    ASSERT_EQ(untraced.size(), 1u)
        << "env -i with PIPETRACE_FOLLOW=0 execs sh without the preload; "
           "expected one untraced_child record with reason \"disabled\"\n"
        << t.Head(60);
    EXPECT_EQ(Str(untraced[0]->raw["reason"]), "disabled");
    const std::string path = Str(untraced[0]->raw["path"]);
    EXPECT_TRUE(path == "/usr/bin/sh" || path == "/bin/sh" || path == "sh") << path;
}

// --- Python's subprocess --------------------------------------------------------

const char kPyRun[] = "import subprocess, sys\n"
                      "env = {} if sys.argv[1] == 'empty' else None\n"
                      "r = subprocess.run(['/bin/echo', 'from child'], env=env, "
                      "capture_output=True)\n"
                      "sys.stdout.write('child said: ' + r.stdout.decode())\n"
                      "print('rc', r.returncode)\n";

class PythonRun : public ::testing::TestWithParam<std::string> {};

TEST_P(PythonRun, ChildIsTraced) {
    std::string dir = FreshDir("pyrun");
    RunResult r = RunTraced({"/usr/bin/python3", "-c", kPyRun, GetParam()}, dir);
    ASSERT_RAN_OK(r);
    EXPECT_EQ(r.out, "child said: from child\nrc 0\n");
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ExpectNoLoss(t);
    const Process *py = t.FindProcess(r.pid);
    ASSERT_NE(py, nullptr) << t.Head(60);
    EXPECT_EQ(py->exe.rfind("/usr/bin/python3", 0), 0u) << py->exe;

    const Process *echo = OneByExe(t, "/usr/bin/echo");
    ASSERT_NE(echo, nullptr);
    EXPECT_EQ(echo->argv, (std::vector<std::string>{"/bin/echo", "from child"}));
    EXPECT_EQ(echo->ppid, r.pid);
    EXPECT_FALSE(echo->fork_child);
    auto started = t.Select([&](const Event &e) {
        return e.pid == r.pid && (e.call == "fork" || e.call == "vfork" || e.call == "posix_spawn");
    });
    ASSERT_EQ(started.size(), 1u) << t.Head(60);
    EXPECT_EQ(started[0]->child, echo->pid);

    // The child's stdout is the pipe Python made, and its write is recorded.
    auto fds = Inherited(t, *echo);
    ASSERT_TRUE(fds.count(1)) << t.Head(60);
    const uint64_t ino = fds[1]->ino;
    EXPECT_EQ(fds[1]->kind, "pipe");
    EXPECT_EQ(t.Count([&](const Event &e) {
        return e.pid == r.pid && e.call == "pipe2" && e.ino == ino;
    }),
              1u)
        << "the child's fd 1 is not one of Python's pipes\n"
        << t.Head(60);
    EXPECT_EQ(
        t.Data([&](const Event &e) { return e.pid == echo->pid && e.fd == 1 && e.IsWrite(); }),
        "from child\n");
    EXPECT_EQ(t.Data([&](const Event &e) { return e.pid == r.pid && e.ino == ino && e.IsRead(); }),
              "from child\n");
}

INSTANTIATE_TEST_SUITE_P(Env, PythonRun, ::testing::Values("inherit", "empty"),
                         [](const ::testing::TestParamInfo<std::string> &i) { return i.param; });

// close_fds=True: _posixsubprocess closes the child's fds with close_range.
// Under the preload the children see exactly what they see untraced.
const char kPyCloseFds[] =
    "import os, subprocess\n"
    "r, w = os.pipe()\n"
    "os.write(w, b'through pass_fds\\n'); os.close(w)\n"
    // An inheritable fd that close_fds must close all the same.
    "extra = os.open('/dev/null', os.O_RDONLY)\n"
    "os.set_inheritable(extra, True)\n"
    "p = subprocess.run(['/bin/sh', '-c', 'cat <&%d; ls /proc/self/fd; exit 3' "
    "% r], pass_fds=(r,), close_fds=True, capture_output=True)\n"
    "print('rc', p.returncode, 'r', r, 'extra', extra)\n"
    "print(p.stdout.decode(), end='')\n"
    "print('err:', p.stderr.decode(), end='')\n"
    "q = subprocess.run(['/bin/ls', '/proc/self/fd'], close_fds=True, "
    "stdout=subprocess.PIPE)\n"
    "print('rc', q.returncode)\n"
    "print(q.stdout.decode(), end='')\n";

TEST(Python, CloseFdsChildrenBehaveAsUntraced) {
    RunResult plain = RunPlain({"/usr/bin/python3", "-c", kPyCloseFds});
    ASSERT_RAN_OK(plain);
    ASSERT_NE(plain.out.find("rc 3 "), std::string::npos) << plain.out;
    ASSERT_NE(plain.out.find("through pass_fds\n"), std::string::npos) << plain.out;

    std::string dir = FreshDir("py_closefds");
    RunResult r = RunTraced({"/usr/bin/python3", "-c", kPyCloseFds}, dir);
    ASSERT_RAN_OK(r);
    EXPECT_EQ(r.out, plain.out);
    EXPECT_EQ(r.err, plain.err);

    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ExpectNoLoss(t);
    // The children closed fds with close_range (with pass_fds, Python 3.11
    // starts with close_range(3, 2), which fails with EINVAL, and then closes
    // what /proc/self/fd lists), and that is recorded in them.
    std::vector<int> children; // in the order they were started
    for (const Event *e : t.Select([&](const Event &e) {
             return e.pid == r.pid && (e.call == "fork" || e.call == "vfork");
         }))
        children.push_back(e->child);
    ASSERT_EQ(children.size(), 2u) << t.Head(60);
    // Without pass_fds: close_range(3, errpipe - 1) and close_range(errpipe +
    // 1, max) succeed.
    EXPECT_GE(t.Count([&](const Event &e) {
        return e.pid == children[1] && e.call == "close_range" && e.result == 0;
    }),
              1u)
        << t.Head(80);
    for (int child : children) {
        EXPECT_GE(t.Count([&](const Event &e) {
            return e.pid == child && e.call == "close_range" && e.state == "done";
        }),
                  1u)
            << "child " << child << "\n"
            << t.Head(80);
    }
    // Both children were traced after their exec.
    EXPECT_GE(ByExe(t, "/usr/bin/dash").size(), 1u) << t.Head(60);
    EXPECT_GE(ByExe(t, "/usr/bin/ls").size(), 2u) << t.Head(60);
}

// --- posix_spawn with file actions ------------------------------------------------

TEST(Spawn, FileActionsShapeTheChildsFds) {
    std::string dir = FreshDir("spawn");
    RunResult r = RunTraced({ProgPath("lc_spawn")}, dir);
    ASSERT_RAN_OK(r);
    int p0, p1, q0, q1, c1, s1, c2, s2;
    ASSERT_EQ(sscanf(r.out.c_str(), "pipes %d %d %d %d\nchild1 %d status %d\nchild2 %d status %d",
                     &p0, &p1, &q0, &q1, &c1, &s1, &c2, &s2),
              8)
        << r.out;
    EXPECT_EQ(s1, 0);
    EXPECT_EQ(s2, 0);
    EXPECT_NE(r.out.find("read: spawned\nspawnp\n"), std::string::npos) << r.out;

    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ExpectNoLoss(t);
    auto pipes = t.Select([&](const Event &e) { return e.pid == r.pid && e.call == "pipe"; });
    ASSERT_EQ(pipes.size(), 2u) << t.Head(60);
    EXPECT_EQ(pipes[0]->fds, (std::vector<int>{p0, p1}));
    EXPECT_EQ(pipes[1]->fds, (std::vector<int>{q0, q1}));
    const uint64_t pino = pipes[0]->ino, qino = pipes[1]->ino;

    auto spawns =
        t.Select([&](const Event &e) { return e.pid == r.pid && e.call == "posix_spawn"; });
    ASSERT_EQ(spawns.size(), 2u) << t.Head(60);
    EXPECT_EQ(spawns[0]->child, c1);
    EXPECT_EQ(spawns[0]->result, c1);
    EXPECT_EQ(Str(spawns[0]->raw["path"]), "/bin/echo");
    EXPECT_EQ(ArgvOf(*spawns[0]), (std::vector<std::string>{"/bin/echo", "spawned"}));
    EXPECT_EQ(spawns[1]->child, c2);
    EXPECT_EQ(Str(spawns[1]->raw["path"]), "echo");
    EXPECT_EQ(ArgvOf(*spawns[1]), (std::vector<std::string>{"echo", "spawnp"}));

    struct Child {
        int pid;
        std::vector<std::string> argv;
        std::string said;
    };
    for (const Child &c : {Child{c1, {"/bin/echo", "spawned"}, "spawned\n"},
                           Child{c2, {"echo", "spawnp"}, "spawnp\n"}}) {
        SCOPED_TRACE(c.said);
        const Process *p = t.FindProcess(c.pid);
        ASSERT_NE(p, nullptr) << "spawned child not traced\n" << t.Head(60);
        EXPECT_EQ(p->exe, "/usr/bin/echo");
        EXPECT_EQ(p->argv, c.argv);
        EXPECT_EQ(p->ppid, r.pid);
        EXPECT_FALSE(p->fork_child);
        auto fds = Inherited(t, *p);
        // adddup2(P[1], 1)
        ASSERT_TRUE(fds.count(1)) << t.Head(80);
        EXPECT_EQ(fds[1]->kind, "pipe");
        EXPECT_EQ(fds[1]->ino, pino);
        EXPECT_TRUE(fds[1]->HasFdFlag("O_WRONLY")) << fds[1]->raw.dump();
        // addclose(P[0]), addclose(P[1]), addclose(Q[1])
        EXPECT_EQ(fds.count(p0), 0u);
        EXPECT_EQ(fds.count(p1), 0u);
        EXPECT_EQ(fds.count(q1), 0u);
        // Q[0]: no action, no O_CLOEXEC: inherited.
        ASSERT_TRUE(fds.count(q0)) << t.Head(80);
        EXPECT_EQ(fds[q0]->ino, qino);
        EXPECT_TRUE(fds[q0]->HasFdFlag("O_RDONLY")) << fds[q0]->raw.dump();
        for (const auto &kv : fds) {
            if (kv.first != 1) {
                EXPECT_NE(kv.second->ino, pino) << "fd " << kv.first;
            }
            if (kv.first != q0) {
                EXPECT_NE(kv.second->ino, qino) << "fd " << kv.first;
            }
        }
        EXPECT_EQ(t.Data([&](const Event &e) {
            return e.pid == c.pid && e.fd == 1 && e.ino == pino && e.IsWrite();
        }),
                  c.said);
    }
    EXPECT_EQ(
        t.SumResult([&](const Event &e) { return e.pid == r.pid && e.ino == pino && e.IsRead(); }),
        15);
}

// --- popen and system -----------------------------------------------------------

TEST(Popen, CatConsumerConnectedToParent) {
    std::string dir = FreshDir("popen");
    RunResult r = RunTraced({ProgPath("lc_popen"), "popen"}, dir);
    ASSERT_RAN_OK(r);
    EXPECT_EQ(r.out, "hello popen\npclose 0\n");
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ExpectNoLoss(t);

    auto popens = t.Select([&](const Event &e) { return e.pid == r.pid && e.call == "popen"; });
    ASSERT_EQ(popens.size(), 1u) << t.Head(60);
    const Event &po = *popens[0];
    EXPECT_EQ(Str(po.raw["command"]), "cat");
    EXPECT_EQ(po.result, 0);
    EXPECT_EQ(po.kind, "pipe");
    EXPECT_TRUE(po.HasFdFlag("O_WRONLY")) << po.raw.dump();
    const uint64_t ino = po.ino;
    ASSERT_NE(ino, 0u);

    // The parent's fputs reached the pipe through stdio.
    auto writes =
        t.Select([&](const Event &e) { return e.pid == r.pid && e.ino == ino && e.IsWrite(); });
    ASSERT_EQ(writes.size(), 1u) << t.Head(60);
    EXPECT_EQ(writes[0]->via, "stdio");
    EXPECT_EQ(writes[0]->fd, po.fd);
    EXPECT_EQ(writes[0]->data, "hello popen\n");

    // sh -c cat, then cat: both traced, stdin is the parent's pipe.
    const Process *cat = OneByExe(t, "/usr/bin/cat");
    ASSERT_NE(cat, nullptr);
    EXPECT_EQ(cat->argv, std::vector<std::string>{"cat"});
    EXPECT_NE(cat->pid, r.pid);
    // popen's "sh -c cat" in between (dash may exec cat or start it): its
    // image has a file only if it made a traced call.
    const Process *sh = nullptr;
    for (const Process &p : t.processes)
        if (p.exe == "/usr/bin/dash" && !p.fork_child)
            sh = &p;
    std::vector<const Process *> ends = {cat};
    if (sh != nullptr) {
        EXPECT_EQ(sh->ppid, r.pid);
        EXPECT_EQ(sh->argv, (std::vector<std::string>{"sh", "-c", "cat"}));
        EXPECT_TRUE(cat->pid == sh->pid || cat->ppid == sh->pid) << cat->raw.dump();
        ends.push_back(sh);
    }
    for (const Process *p : ends) {
        auto fds = Inherited(t, *p);
        ASSERT_TRUE(fds.count(0)) << p->exe << "\n" << t.Head(60);
        EXPECT_EQ(fds[0]->kind, "pipe") << p->exe;
        EXPECT_EQ(fds[0]->ino, ino) << p->exe;
        EXPECT_TRUE(fds[0]->HasFdFlag("O_RDONLY")) << fds[0]->raw.dump();
    }
    EXPECT_EQ(
        t.Data([&](const Event &e) { return e.pid == cat->pid && e.ino == ino && e.IsRead(); }),
        "hello popen\n");
    EXPECT_EQ(t.Data([&](const Event &e) { return e.pid == cat->pid && e.fd == 1 && e.IsWrite(); }),
              "hello popen\n");
}

TEST(Popen, SystemPipelineProducerAndConsumerConnected) {
    std::string dir = FreshDir("system");
    RunResult r = RunTraced({ProgPath("lc_popen"), "system"}, dir);
    ASSERT_RAN_OK(r);
    EXPECT_EQ(r.out, "2\nsystem 0\n");
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ExpectNoLoss(t);

    auto systems = t.Select([&](const Event &e) { return e.pid == r.pid && e.call == "system"; });
    ASSERT_EQ(systems.size(), 1u) << t.Head(60);
    EXPECT_EQ(Str(systems[0]->raw["command"]), "echo x | wc -c");
    EXPECT_EQ(systems[0]->result, 0);
    EXPECT_EQ(systems[0]->state, "done");

    // The shell system() started.
    const Process *sh = nullptr;
    for (const Process &p : t.processes)
        if (p.exe == "/usr/bin/dash" && p.ppid == r.pid && !p.fork_child)
            sh = &p;
    ASSERT_NE(sh, nullptr) << "system's shell not traced\n" << t.Head(60);
    EXPECT_EQ(sh->argv, (std::vector<std::string>{"sh", "-c", "echo x | wc -c"}));
    auto pipes = t.Select([&](const Event &e) {
        return e.pid == sh->pid && (e.call == "pipe" || e.call == "pipe2");
    });
    ASSERT_EQ(pipes.size(), 1u) << t.Head(60);
    const uint64_t ino = pipes[0]->ino;

    // Consumer: wc, stdin on that pipe.
    const Process *wc = OneByExe(t, "/usr/bin/wc");
    ASSERT_NE(wc, nullptr);
    EXPECT_EQ(wc->ppid, sh->pid);
    auto wc_fds = Inherited(t, *wc);
    ASSERT_TRUE(wc_fds.count(0)) << t.Head(60);
    EXPECT_EQ(wc_fds[0]->ino, ino);
    EXPECT_EQ(
        t.Data([&](const Event &e) { return e.pid == wc->pid && e.ino == ino && e.IsRead(); }),
        "x\n");
    EXPECT_EQ(t.Data([&](const Event &e) { return e.pid == wc->pid && e.fd == 1 && e.IsWrite(); }),
              "2\n");
    // Producer: the shell's child running the echo builtin.
    auto produced = t.Select([&](const Event &e) { return e.ino == ino && e.IsWrite(); });
    ASSERT_EQ(produced.size(), 1u) << t.Head(60);
    EXPECT_EQ(produced[0]->data, "x\n");
    EXPECT_EQ(produced[0]->fd, 1);
    const Process *producer = t.FindProcess(produced[0]->pid);
    ASSERT_NE(producer, nullptr);
    EXPECT_NE(producer->pid, wc->pid);
    EXPECT_NE(producer->pid, sh->pid);
    EXPECT_EQ(producer->ppid, sh->pid);
    EXPECT_TRUE(producer->fork_child);
}

// --- programs that close every fd -------------------------------------------

TEST(FdClosing, CloseLoopClosefromCloseRangeAllRecorded) {
    std::string plain_file = harness::FreshPath("closeall_plain");
    RunResult plain = RunPlain({ProgPath("lc_closeall"), plain_file});
    ASSERT_RAN_OK(plain);
    ASSERT_EQ(harness::ReadFile(plain_file), "before\nafter\n");

    std::string dir = FreshDir("closeall");
    std::string file = harness::FreshPath("closeall_traced");
    RunResult r = RunTraced({ProgPath("lc_closeall"), file}, dir);
    ASSERT_RAN_OK(r);
    EXPECT_EQ(r.out, plain.out);
    EXPECT_EQ(r.err, "");
    // No trace bytes in the program's file.
    EXPECT_EQ(harness::ReadFile(file), "before\nafter\n");
    int a0, a1, closed, b0, b1;
    ASSERT_EQ(sscanf(r.out.c_str(), "A %d %d\nclosed %d\nB %d %d", &a0, &a1, &closed, &b0, &b1), 5)
        << r.out;
    EXPECT_NE(r.out.find("read: after close\n"), std::string::npos) << r.out;

    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ExpectNoLoss(t);
    const Process *p = t.FindProcess(r.pid);
    ASSERT_NE(p, nullptr) << t.Head(60);
    ASSERT_EQ(t.processes.size(), 1u) << t.Head(60);

    // The close loop: every fd number from 3 to 1023 that is not a file or a
    // tty (those are traced only with PIPETRACE_ALL_FDS) has a close record.
    std::set<int> untraced_kinds; // file fds: our FILE and any inherited ones
    for (const auto &kv : Inherited(t, *p))
        if (kv.second->kind == "file" || kv.second->kind == "tty")
            untraced_kinds.insert(kv.first);
    auto closes = t.Select([&](const Event &e) { return e.pid == r.pid && e.call == "close"; });
    std::map<int, const Event *> closed_fds;
    for (const Event *e : closes) {
        EXPECT_EQ(closed_fds.count(e->fd), 0u) << "fd closed twice: " << e->raw.dump();
        closed_fds[e->fd] = e;
    }
    int missing = 0;
    for (int fd = 3; fd <= 1023; fd++) {
        if (fd == 3 || untraced_kinds.count(fd))
            continue; // 3 is the FILE
        if (!closed_fds.count(fd) && ++missing <= 5)
            ADD_FAILURE() << "no close record for fd " << fd;
    }
    EXPECT_EQ(missing, 0);
    ASSERT_TRUE(closed_fds.count(a0) && closed_fds.count(a1)) << t.Head(60);
    EXPECT_EQ(closed_fds[a0]->kind, "pipe");
    EXPECT_EQ(closed_fds[a0]->result, 0);
    EXPECT_EQ(closed_fds[a1]->kind, "pipe");
    EXPECT_EQ(closed_fds[a1]->result, 0);
    ASSERT_TRUE(closed_fds.count(1000) && closed_fds.count(1023)) << t.Head(60);
    EXPECT_EQ(closed_fds[1000]->err, "EBADF");
    const Event *last_close = closed_fds[1023];

    // closefrom(3) and close_range(3, ~0U, CLOSE_RANGE_CLOEXEC), in that order,
    // after the loop.
    auto ranges =
        t.Select([&](const Event &e) { return e.pid == r.pid && e.call == "close_range"; });
    ASSERT_EQ(ranges.size(), 2u) << t.Head(60);
    for (const Event *e : ranges) {
        EXPECT_EQ(e->fd, 3);
        EXPECT_EQ(e->raw["last"].as_int(), 4294967295LL) << e->raw.dump();
        EXPECT_EQ(e->result, 0);
        EXPECT_EQ(e->state, "done");
        EXPECT_GT(e->t_start_ns, last_close->t_start_ns);
    }
    EXPECT_EQ(ranges[0]->raw["range_flags"].as_int(), 0);
    EXPECT_EQ(ranges[1]->raw["range_flags"].as_int(), 4); // CLOSE_RANGE_CLOEXEC

    // Recording goes on: pipe B and its bytes.
    auto pipes = t.Select([&](const Event &e) { return e.pid == r.pid && e.call == "pipe"; });
    ASSERT_EQ(pipes.size(), 2u) << t.Head(60);
    EXPECT_EQ(pipes[0]->fds, (std::vector<int>{a0, a1}));
    EXPECT_EQ(pipes[1]->fds, (std::vector<int>{b0, b1}));
    EXPECT_GT(pipes[1]->t_start_ns, ranges[1]->t_start_ns);
    const uint64_t bino = pipes[1]->ino;
    auto bw = t.Select(
        [&](const Event &e) { return e.pid == r.pid && e.ino == bino && e.call == "write"; });
    ASSERT_EQ(bw.size(), 1u) << t.Head(60);
    EXPECT_EQ(bw[0]->fd, b1);
    EXPECT_EQ(bw[0]->data, "after close\n");
    auto br = t.Select(
        [&](const Event &e) { return e.pid == r.pid && e.ino == bino && e.call == "read"; });
    ASSERT_EQ(br.size(), 1u) << t.Head(60);
    EXPECT_EQ(br[0]->fd, b0);
    EXPECT_EQ(br[0]->data, "after close\n");
    // And stdout, at exit.
    EXPECT_EQ(t.Data([&](const Event &e) { return e.pid == r.pid && e.fd == 1 && e.IsWrite(); }),
              r.out);
}

TEST(FdClosing, Dup2OntoEveryFdNumber) {
    RunResult plain = RunPlain({ProgPath("lc_dup2all")});
    ASSERT_RAN_OK(plain);
    ASSERT_EQ(plain.out.substr(0, 22), "dup2 ok 1021\nvia 1000\n") << plain.out;

    std::string dir = FreshDir("dup2all");
    RunResult r = RunTraced({ProgPath("lc_dup2all")}, dir);
    EXPECT_TRUE(r.exited && r.exit_code == plain.exit_code) << r.Describe();
    EXPECT_EQ(r.out, plain.out);
    EXPECT_EQ(r.err, plain.err);
    int p0, p1;
    ASSERT_EQ(sscanf(r.out.c_str(), "dup2 ok 1021\nvia 1000\npipe %d %d", &p0, &p1), 2) << r.out;

    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ExpectNoLoss(t);
    auto dups = t.Select([&](const Event &e) { return e.pid == r.pid && e.call == "dup2"; });
    ASSERT_EQ(dups.size(), 1021u) << t.Head(60);
    for (size_t i = 0; i < dups.size(); i++) {
        const int n = 3 + static_cast<int>(i);
        EXPECT_EQ(dups[i]->fd, 1);
        EXPECT_EQ(dups[i]->raw["newfd"].as_int(), n);
        EXPECT_EQ(dups[i]->result, n);
        EXPECT_EQ(dups[i]->kind, "pipe");
    }
    const uint64_t out_ino = dups[0]->ino;
    auto via = t.Select(
        [&](const Event &e) { return e.pid == r.pid && e.fd == 1000 && e.call == "write"; });
    ASSERT_EQ(via.size(), 1u) << t.Head(60);
    EXPECT_EQ(via[0]->data, "via 1000\n");
    EXPECT_EQ(via[0]->ino, out_ino);
    EXPECT_EQ(via[0]->kind, "pipe");
    EXPECT_EQ(t.Count([&](const Event &e) {
        return e.pid == r.pid && e.call == "close" && e.fd >= 3 && e.fd <= 1023 && e.result == 0 &&
               e.ino == out_ino;
    }),
              1021u);
    // Later calls are still recorded.
    auto pipes = t.Select([&](const Event &e) { return e.pid == r.pid && e.call == "pipe"; });
    ASSERT_EQ(pipes.size(), 1u) << t.Head(60);
    EXPECT_EQ(pipes[0]->fds, (std::vector<int>{p0, p1}));
    EXPECT_EQ(t.Data([&](const Event &e) {
        return e.pid == r.pid && e.ino == pipes[0]->ino && e.call == "write";
    }),
              "after dup2\n");
    EXPECT_EQ(t.Data([&](const Event &e) {
        return e.pid == r.pid && e.ino == pipes[0]->ino && e.call == "read";
    }),
              "after dup2\n");
}

TEST(FdClosing, StartedWithStdoutClosed) {
    const std::string prog = ProgPath("lc_nostdout");
    std::string plain_file = harness::FreshPath("nostdout_plain");
    RunResult plain = RunPlain({"/bin/sh", "-c", "exec \"$0\" \"$1\" >&-", prog, plain_file});
    ASSERT_TRUE(plain.exited && plain.exit_code == 7) << plain.Describe();
    ASSERT_EQ(plain.err, "stdout closed: yes\npipe 1 3\nread: through the pipe\nfile fd 4\n");
    ASSERT_EQ(harness::ReadFile(plain_file), "file data\n");

    std::string dir = FreshDir("nostdout");
    std::string file = harness::FreshPath("nostdout_traced");
    RunResult r = RunTraced({"/bin/sh", "-c", "exec \"$0\" \"$1\" >&-", prog, file}, dir);
    EXPECT_TRUE(r.exited && r.exit_code == 7) << r.Describe();
    EXPECT_EQ(r.err, plain.err);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(harness::ReadFile(file), "file data\n");

    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ExpectNoLoss(t);
    const Process *p = OneByExe(t, Realpath(prog));
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->pid, r.pid);
    auto fds = Inherited(t, *p);
    EXPECT_EQ(fds.count(1), 0u) << "fd 1 was closed at start\n" << t.Head(60);
    auto pipes = t.Select([&](const Event &e) { return e.image == p->image && e.call == "pipe"; });
    ASSERT_EQ(pipes.size(), 1u) << t.Head(60);
    EXPECT_EQ(pipes[0]->fds, (std::vector<int>{1, 3}));
    const uint64_t ino = pipes[0]->ino;
    auto w = t.Select(
        [&](const Event &e) { return e.image == p->image && e.ino == ino && e.call == "write"; });
    ASSERT_EQ(w.size(), 1u) << t.Head(60);
    EXPECT_EQ(w[0]->fd, 3);
    EXPECT_EQ(w[0]->data, "through the pipe\n");
    auto rd = t.Select(
        [&](const Event &e) { return e.image == p->image && e.ino == ino && e.call == "read"; });
    ASSERT_EQ(rd.size(), 1u) << t.Head(60);
    EXPECT_EQ(rd[0]->fd, 1);
    EXPECT_EQ(rd[0]->data, "through the pipe\n");
}

// --- children the preload cannot reach ----------------------------------------

bool HasInterp(const std::string &path, std::string *headers) {
    RunResult re = RunPlain({"readelf", "-lW", path});
    *headers = re.out + re.err;
    return re.out.find("INTERP") != std::string::npos;
}

class StaticChild : public ::testing::TestWithParam<std::string> {};

TEST_P(StaticChild, ReportedUntracedWithReasonStatic) {
    const std::string prog = ProgPath("lc_static");
    std::string headers;
    ASSERT_FALSE(HasInterp(prog, &headers)) << "lc_static is not static:\n" << headers;
    ASSERT_NE(headers.find("LOAD"), std::string::npos) << headers;

    std::string dir = FreshDir("static");
    RunResult r = RunTraced({ProgPath("lc_runchild"), GetParam(), prog}, dir);
    ASSERT_RAN_OK(r);
    int child = 0, status = -1;
    ASSERT_EQ(sscanf(r.out.c_str(), "static child\nchild %d status %d", &child, &status), 2)
        << r.out;
    EXPECT_EQ(status, 0);

    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    auto untraced = t.Select([&](const Event &e) { return e.call == "untraced_child"; });
    ASSERT_EQ(untraced.size(), 1u) << t.Head(60);
    const Event &u = *untraced[0];
    EXPECT_EQ(Str(u.raw["reason"]), "static") << u.raw.dump();
    // fexecve has no path; its record may name the fd's file or nothing.
    const std::string path = Str(u.raw["path"]);
    if (GetParam() != "fexecve" || !path.empty()) {
        EXPECT_EQ(Realpath(path), Realpath(prog)) << u.raw.dump();
    }
    // Recorded by the process that started it: the parent (posix_spawn) or
    // the fork child before its exec.
    EXPECT_EQ(u.pid, GetParam() == "spawn" ? r.pid : child) << u.raw.dump();
    EXPECT_EQ(ByExe(t, Realpath(prog)).size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(How, StaticChild, ::testing::Values("fork", "spawn", "fexecve"),
                         [](const ::testing::TestParamInfo<std::string> &i) { return i.param; });

TEST(SetuidChild, ReportedUntracedWithReasonSetid) {
    struct passwd *nobody = getpwnam("nobody");
    ASSERT_NE(nobody, nullptr);
    const std::string copy = harness::FreshPath("id-setuid");
    RunResult cp = RunPlain({"cp", "/usr/bin/id", copy});
    ASSERT_RAN_OK(cp);
    if (chown(copy.c_str(), nobody->pw_uid, nobody->pw_gid) != 0) {
        GTEST_SKIP() << "cannot chown " << copy
                     << " to nobody in this sandbox: " << strerror(errno);
    }
    ASSERT_EQ(chmod(copy.c_str(), 04755), 0) << strerror(errno);
    struct stat st;
    ASSERT_EQ(stat(copy.c_str(), &st), 0);
    if (!(st.st_mode & S_ISUID) || st.st_uid != nobody->pw_uid)
        GTEST_SKIP() << "the sandbox does not keep a set-user-ID file owned by nobody";
    struct statvfs vfs;
    ASSERT_EQ(statvfs(copy.c_str(), &vfs), 0);
    if (vfs.f_flag & ST_NOSUID)
        GTEST_SKIP() << "$TEST_TMPDIR is mounted nosuid: set-user-ID has no effect";
    std::string headers;
    ASSERT_TRUE(HasInterp(copy, &headers)) << headers;

    RunResult plain = RunPlain({ProgPath("lc_runchild"), "fork", copy, "-u"});
    ASSERT_RAN_OK(plain);
    if (plain.out.rfind(std::to_string(nobody->pw_uid) + "\n", 0) != 0)
        GTEST_SKIP() << "set-user-ID did not take effect here: " << plain.out;

    std::string dir = FreshDir("setuid");
    RunResult r = RunTraced({ProgPath("lc_runchild"), "fork", copy, "-u"}, dir);
    ASSERT_RAN_OK(r);
    int child = 0, status = -1;
    ASSERT_EQ(sscanf(r.out.c_str(), "%*d\nchild %d status %d", &child, &status), 2) << r.out;
    EXPECT_EQ(r.out.substr(0, r.out.find('\n') + 1), std::to_string(nobody->pw_uid) + "\n");
    EXPECT_EQ(status, 0);

    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    auto untraced = t.Select([&](const Event &e) { return e.call == "untraced_child"; });
    ASSERT_EQ(untraced.size(), 1u) << t.Head(60);
    EXPECT_EQ(Str(untraced[0]->raw["reason"]), "setid") << untraced[0]->raw.dump();
    EXPECT_EQ(Str(untraced[0]->raw["path"]), copy);
    EXPECT_EQ(untraced[0]->pid, child);
    EXPECT_EQ(ByExe(t, copy).size(), 0u) << t.Head(60);
    const Process *c = t.FindProcess(child);
    if (c != nullptr) {
        EXPECT_TRUE(c->fork_child) << "the set-user-ID image was traced: " << c->raw.dump();
    }
}

// --- daemon() -----------------------------------------------------------------

TEST(Daemon, DaemonKeepsRecordingOnInheritedPipe) {
    std::string dir = FreshDir("lc_daemon");
    RunResult r = RunTraced({ProgPath("lc_daemon")}, dir);
    ASSERT_RAN_OK(r);
    int parent = 0, daemon_pid = 0;
    char tail[64] = {0};
    ASSERT_EQ(
        sscanf(r.out.c_str(), "parent %d\ndaemon %d read: %63[^\n]", &parent, &daemon_pid, tail), 3)
        << r.out;
    EXPECT_EQ(parent, r.pid);
    EXPECT_STREQ(tail, "from the daemon");
    EXPECT_NE(daemon_pid, r.pid);

    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ExpectNoLoss(t);
    auto pipes = t.Select([&](const Event &e) { return e.pid == r.pid && e.call == "pipe"; });
    ASSERT_EQ(pipes.size(), 1u) << t.Head(60);
    const uint64_t ino = pipes[0]->ino;
    const Process *d = t.FindProcess(daemon_pid);
    ASSERT_NE(d, nullptr) << "the daemon is not in the trace\n" << t.Head(60);
    EXPECT_TRUE(d->fork_child);
    EXPECT_EQ(d->ppid, r.pid);
    EXPECT_NE(d->file, t.FindProcess(r.pid)->file);
    auto w = t.Select(
        [&](const Event &e) { return e.pid == daemon_pid && e.ino == ino && e.call == "write"; });
    ASSERT_EQ(w.size(), 1u) << t.Head(60);
    EXPECT_EQ(w[0]->fd, pipes[0]->fds[1]);
    EXPECT_EQ(w[0]->data, "from the daemon\n");
    EXPECT_EQ(t.Data([&](const Event &e) {
        return e.pid == daemon_pid && e.ino == ino && e.call == "read";
    }),
              "from the daemon\n");
    EXPECT_EQ(
        t.Data([&](const Event &e) { return e.pid == daemon_pid && e.fd == 1 && e.IsWrite(); }),
        "daemon " + std::to_string(daemon_pid) + " read: from the daemon\n");
    // Nothing the parent did before daemon() is repeated in the daemon's file.
    EXPECT_EQ(t.Count([&](const Event &e) { return e.pid == daemon_pid && e.call == "pipe"; }), 0u);
}

// --- the exec family ---------------------------------------------------------

class ExecVariant : public ::testing::TestWithParam<std::string> {};

TEST_P(ExecVariant, NewImageStaysTraced) {
    const std::string mode = GetParam();
    std::string dir = FreshDir("exec");
    RunResult r = RunTraced({ProgPath("lc_exec"), mode}, dir);
    ASSERT_RAN_OK(r);
    EXPECT_EQ(r.out, mode + "\n");
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ExpectNoLoss(t);

    const Process *before = nullptr;
    const Process *after = nullptr;
    for (const Process &p : t.processes) {
        if (p.pid != r.pid)
            continue;
        if (p.exe == Realpath(ProgPath("lc_exec")))
            before = &p;
        if (p.exe == "/usr/bin/echo")
            after = &p;
    }
    ASSERT_NE(after, nullptr) << "the exec'd echo is not traced\n" << t.Head(60);
    EXPECT_EQ(after->argv, (std::vector<std::string>{"echo", mode}));
    EXPECT_FALSE(after->fork_child);
    EXPECT_EQ(after->stdio, "hooked");
    EXPECT_EQ(
        t.Data([&](const Event &e) { return e.image == after->image && e.fd == 1 && e.IsWrite(); }),
        mode + "\n");
    auto fds = Inherited(t, *after);
    EXPECT_TRUE(fds.count(1) && fds[1]->kind == "pipe") << t.Head(60);
    if (before != nullptr) {
        EXPECT_NE(before->image, after->image);
    }
}

// "Record each attempt (path, argv, ...) and its outcome": the successful
// exec is in the trace of the image that made it.
// A successful exec is recorded in the calling image when that image has a
// trace file (lc_exec makes a pipe first so that it has one); the new image
// of the same pid carries the exec'd argv either way.
TEST_P(ExecVariant, AttemptRecordedInCallingImage) {
    const std::string mode = GetParam();
    std::string dir = FreshDir("exec_attempt");
    RunResult r = RunTraced({ProgPath("lc_exec"), mode}, dir);
    ASSERT_RAN_OK(r);
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    const Process *before = nullptr;
    const Process *after = nullptr;
    for (const Process &p : t.processes) {
        if (p.pid != r.pid)
            continue;
        if (p.exe == Realpath(ProgPath("lc_exec")))
            before = &p;
        if (p.argv == std::vector<std::string>{"echo", mode})
            after = &p;
    }
    ASSERT_NE(after, nullptr) << "the exec'd image is not traced\n" << t.Head(60);
    ASSERT_NE(before, nullptr) << "lc_exec made a pipe, so its image must have a trace\n"
                               << t.Head(60);
    auto execs =
        t.Select([&](const Event &e) { return e.image == before->image && e.call == "execve"; });
    ASSERT_EQ(execs.size(), 1u) << t.Head(60);
    EXPECT_EQ(ArgvOf(*execs[0]), (std::vector<std::string>{"echo", mode}));
    EXPECT_EQ(execs[0]->err, "");
    const std::set<std::string> searched = {"execvp", "execlp", "execvpe"};
    if (searched.count(mode)) {
        EXPECT_EQ(Str(execs[0]->raw["path"]), "echo");
    } else if (mode != "fexecve") {
        EXPECT_EQ(Str(execs[0]->raw["path"]), "/bin/echo");
    }
}

INSTANTIATE_TEST_SUITE_P(Family, ExecVariant,
                         ::testing::Values("execv", "execvp", "execvpe", "execl", "execlp",
                                           "execle", "execve-empty-env", "fexecve", "execveat"),
                         [](const ::testing::TestParamInfo<std::string> &i) {
                             std::string name = i.param;
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });

// --- errno ------------------------------------------------------------------

TEST(Errno, PreservedAcrossTracedCalls) {
    RunResult plain = RunPlain({ProgPath("lc_errno")});
    ASSERT_RAN_OK(plain);
    std::string dir = FreshDir("errno");
    RunResult r = RunTraced({ProgPath("lc_errno")}, dir);
    EXPECT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    EXPECT_EQ(r.out, plain.out);
    EXPECT_EQ(r.err, "");
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    auto bad = t.Select(
        [&](const Event &e) { return e.pid == r.pid && e.fd == 1000 && e.call == "read"; });
    ASSERT_EQ(bad.size(), 1u) << t.Head(60);
    EXPECT_EQ(bad[0]->err, "EBADF");
    EXPECT_EQ(bad[0]->result, -9);
    EXPECT_EQ(t.Count([&](const Event &e) {
        return e.pid == r.pid && e.call == "write" && e.err == "EPIPE";
    }),
              1u);
    EXPECT_EQ(t.Count([&](const Event &e) {
        return e.pid == r.pid && e.call == "read" && e.err == "EAGAIN";
    }),
              1u);
}

// --- vfork + exec ------------------------------------------------------------

TEST(Vfork, VforkExecChildTraced) {
    RunResult plain = RunPlain({ProgPath("lc_vfork")});
    ASSERT_RAN_OK(plain);
    ASSERT_NE(plain.out.find("\ngot: from vfork child\nstatus 0\n"), std::string::npos)
        << plain.out;

    std::string dir = FreshDir("vfork");
    RunResult r = RunTraced({ProgPath("lc_vfork")}, dir);
    ASSERT_RAN_OK(r);
    int child = 0;
    ASSERT_EQ(sscanf(r.out.c_str(), "child %d", &child), 1) << r.out;
    EXPECT_EQ(r.out, "child " + std::to_string(child) + "\ngot: from vfork child\nstatus 0\n");
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ExpectNoLoss(t);

    auto vforks = t.Select([&](const Event &e) { return e.pid == r.pid && e.call == "vfork"; });
    ASSERT_EQ(vforks.size(), 1u) << t.Head(60);
    EXPECT_EQ(vforks[0]->child, child);
    auto pipes = t.Select([&](const Event &e) { return e.pid == r.pid && e.call == "pipe"; });
    ASSERT_EQ(pipes.size(), 1u) << t.Head(60);
    const uint64_t ino = pipes[0]->ino;

    const Process *echo = nullptr;
    for (const Process &p : t.processes)
        if (p.pid == child && p.exe == "/usr/bin/echo")
            echo = &p;
    ASSERT_NE(echo, nullptr) << "the vfork child's echo is not traced\n" << t.Head(60);
    EXPECT_EQ(echo->ppid, r.pid);
    EXPECT_EQ(echo->argv, (std::vector<std::string>{"echo", "from vfork child"}));
    auto fds = Inherited(t, *echo);
    ASSERT_TRUE(fds.count(1)) << t.Head(60);
    EXPECT_EQ(fds[1]->ino, ino);
    EXPECT_EQ(t.Data([&](const Event &e) { return e.pid == child && e.ino == ino && e.IsWrite(); }),
              "from vfork child\n");
    EXPECT_EQ(t.Data([&](const Event &e) { return e.pid == r.pid && e.ino == ino && e.IsRead(); }),
              "from vfork child\n");
    auto waits = t.Select([&](const Event &e) { return e.pid == r.pid && e.call == "wait"; });
    ASSERT_EQ(waits.size(), 1u) << t.Head(60);
    EXPECT_EQ(waits[0]->result, child);
    EXPECT_EQ(waits[0]->raw["status"].as_int(), 0);
    // Nothing the parent recorded before vfork shows up twice.
    EXPECT_EQ(t.Count([&](const Event &e) {
        return e.pid == child && (e.call == "pipe" || e.call == "vfork");
    }),
              0u);
}

} // namespace

// --- an fd closed behind the library's back, then reused ---------------------

TEST(FdReuse, SocketOnANumberClosedUnseenIsASocket) {
    std::string dir = FreshDir("fdreuse");
    RunResult r = RunTraced({ProgPath("lc_fdreuse")}, dir);
    ASSERT_RAN_OK(r);
    int fd = -1;
    ASSERT_EQ(sscanf(r.out.c_str(), "fd %d", &fd), 1) << r.out;
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    auto writes =
        t.Select([&](const Event &e) { return e.pid == r.pid && e.call == "write" && e.fd == fd; });
    ASSERT_EQ(writes.size(), 2u) << t.Head(60);
    EXPECT_EQ(writes[0]->kind, "pipe");
    EXPECT_EQ(writes[1]->kind, "socket") << "the stale pipe identity was kept";
    EXPECT_NE(writes[1]->ino, writes[0]->ino);
    EXPECT_EQ(writes[1]->err, "ENOTCONN");
}
