// The waits programs hang in (issue 10): poll, ppoll, select, pselect and
// epoll recorded begun before the call, so that a wait that never returned
// is in the trace as unfinished with the fds it waited on; the same result,
// errno and output traced as untraced, bad pointers included; Python's
// subprocess waiting in poll.
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/harness.h"

namespace {

using harness::Event;
using harness::FreshDir;
using harness::ProgPath;
using harness::RunOptions;
using harness::RunResult;
using harness::Trace;

RunResult RunTraced(const std::vector<std::string> &argv, const std::string &dir) {
    RunOptions opts;
    opts.env = harness::PreloadEnv(dir);
    return harness::Run(argv, opts);
}

#define ASSERT_RAN_OK(r) ASSERT_TRUE((r).exited && (r).exit_code == 0) << (r).Describe()

// Whether a wait's "fds" list (dump --json) holds fd with events.
bool SetHolds(const json::Value &fds, int fd, const std::string &event) {
    if (!fds.is_array())
        return false;
    for (const json::Value &e : fds.as_array()) {
        if (e["fd"].as_int() != fd)
            continue;
        for (const json::Value &name : e["events"].as_array())
            if (name.as_string() == event)
                return true;
    }
    return false;
}

struct BlockedCase {
    const char *mode;    // wait_blocked's argument
    const char *call;    // the record's call
    const char *variant; // which function made it
};

class BlockedWait : public ::testing::TestWithParam<BlockedCase> {};

// The child is killed in its wait: the trace shows the wait unfinished,
// with the pipe's read end in its set, and the text dump as strace would.
TEST_P(BlockedWait, IsUnfinishedWithItsSet) {
    const BlockedCase &c = GetParam();
    std::string dir = FreshDir(std::string("blocked_") + c.mode);
    RunResult r = RunTraced({ProgPath("wait_blocked"), c.mode}, dir);
    ASSERT_RAN_OK(r);
    int child = 0, read_fd = -1, sig = 0;
    ASSERT_EQ(sscanf(r.out.c_str(), "child %d read_fd %d signal %d", &child, &read_fd, &sig), 3)
        << r.out;
    EXPECT_EQ(sig, SIGKILL);
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    auto waits = t.Select([&](const Event &e) { return e.pid == child && e.call == c.call; });
    ASSERT_EQ(waits.size(), 1u) << t.Head(60);
    const Event &w = *waits[0];
    EXPECT_EQ(w.state, "unfinished");
    EXPECT_FALSE(w.has_result);
    EXPECT_EQ(w.raw["variant"].as_string(), c.variant);
    EXPECT_EQ(w.raw["timeout_ms"].as_int(), -1);
    if (std::string(c.call) == "epoll_wait") {
        EXPECT_EQ(w.kind, "epoll");
        auto adds = t.Select([&](const Event &e) {
            return e.pid == child && e.call == "epoll_ctl" && e.fd == w.fd;
        });
        ASSERT_EQ(adds.size(), 1u) << t.Head(60);
        EXPECT_EQ(adds[0]->raw["op"].as_string(), "EPOLL_CTL_ADD");
        EXPECT_EQ(adds[0]->raw["target_fd"].as_int(), read_fd);
    } else {
        EXPECT_TRUE(SetHolds(w.raw["set"], read_fd, "POLLIN")) << w.raw.dump();
        EXPECT_EQ(w.raw["count"].as_int(), 1);
    }
    RunResult text = harness::Run({harness::CliPath(), "dump", "-p", std::to_string(child), dir});
    ASSERT_RAN_OK(text);
    EXPECT_NE(text.out.find("<unfinished ...>) = ?"), std::string::npos) << text.out;
    // dump --pipe shows the wait (or the epoll_ctl that put the pipe in
    // the set) among the calls on that pipe.
    auto pipes = t.Select([](const Event &e) { return e.call == "pipe"; });
    ASSERT_EQ(pipes.size(), 1u);
    std::string ino = std::to_string(pipes[0]->raw["inos"][0].as_int());
    RunResult on_pipe =
        harness::Run({harness::CliPath(), "dump", "--pipe=pipe:[" + ino + "]", dir});
    ASSERT_RAN_OK(on_pipe);
    std::string shown =
        std::string(c.call) == "epoll_wait" ? "epoll_ctl(" : std::string(c.call) + "(";
    EXPECT_NE(on_pipe.out.find(shown), std::string::npos) << on_pipe.out;
}

INSTANTIATE_TEST_SUITE_P(Waits, BlockedWait,
                         ::testing::Values(BlockedCase{"poll", "poll", "poll"},
                                           BlockedCase{"ppoll", "poll", "ppoll"},
                                           BlockedCase{"select", "select", "select"},
                                           BlockedCase{"pselect", "select", "pselect"},
                                           BlockedCase{"epoll", "epoll_wait", "epoll_wait"}),
                         [](const ::testing::TestParamInfo<BlockedCase> &i) {
                             return std::string(i.param.mode);
                         });

// Bad pointers, a set running into an unreadable page, nfds out of range,
// closed fds, refused timeouts: the same lines traced as untraced.
void ExpectSameTracedAndNot(const std::string &family) {
    std::string dir = FreshDir("edges_" + family);
    RunResult plain = harness::Run({ProgPath("wait_edges"), family});
    ASSERT_RAN_OK(plain);
    RunResult traced = RunTraced({ProgPath("wait_edges"), family}, dir);
    ASSERT_RAN_OK(traced);
    EXPECT_EQ(traced.out, plain.out);
    EXPECT_EQ(traced.err, plain.err);
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
}

TEST(WaitEdges, PollSameTracedAndNot) {
    ExpectSameTracedAndNot("poll");
    std::string dir = FreshDir("edges_poll_trace");
    RunResult traced = RunTraced({ProgPath("wait_edges"), "poll"}, dir);
    ASSERT_RAN_OK(traced);
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    // The bad pointer is recorded as a poll whose set could not be read.
    auto faults = t.Select([](const Event &e) { return e.call == "poll" && e.err == "EFAULT"; });
    ASSERT_EQ(faults.size(), 2u) << t.Head(60);
    EXPECT_TRUE(faults[0]->raw["set"].is_null());
    // A closed fd is waited on (POLLNVAL), and a refused nfds keeps no set.
    auto refused = t.Select([](const Event &e) { return e.call == "poll" && e.err == "EINVAL"; });
    ASSERT_GE(refused.size(), 1u);
    EXPECT_EQ(refused[0]->raw["set"].size(), 0u);
}

TEST(WaitEdges, SelectSameTracedAndNot) {
    ExpectSameTracedAndNot("select");
    std::string dir = FreshDir("edges_select_trace");
    RunResult traced = RunTraced({ProgPath("wait_edges"), "select"}, dir);
    ASSERT_RAN_OK(traced);
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    // The sets as one list: the read end waited on for POLLIN, the write
    // end for POLLOUT, and both found ready.
    auto selects = t.Select([](const Event &e) { return e.call == "select"; });
    ASSERT_FALSE(selects.empty()) << t.Head(60);
    const json::Value &set = selects[0]->raw["set"];
    ASSERT_EQ(set.size(), 2u) << selects[0]->raw.dump();
    EXPECT_EQ(set[0]["events"].dump(), R"(["POLLIN"])");
    EXPECT_EQ(set[0]["revents"].dump(), R"(["POLLIN"])");
    EXPECT_EQ(set[1]["events"].dump(), R"(["POLLOUT"])");
    EXPECT_EQ(set[1]["revents"].dump(), R"(["POLLOUT"])");
    // A bad set pointer: EFAULT, recorded without the set.  A set that
    // runs into an unreadable page is not read either (whether the kernel
    // faults depends on how many fds the process has: it reads no more
    // bits than its fd table holds).
    auto faults = t.Select([](const Event &e) { return e.call == "select" && e.err == "EFAULT"; });
    ASSERT_GE(faults.size(), 1u) << t.Head(60);
    EXPECT_TRUE(faults[0]->raw["set"].is_null());
    auto into_hole =
        t.Select([](const Event &e) { return e.call == "select" && e.raw["nfds"].as_int() == 65; });
    ASSERT_EQ(into_hole.size(), 1u);
    EXPECT_TRUE(into_hole[0]->raw["set"].is_null());
    // A timeval the call refuses.
    auto refused = t.Select([](const Event &e) { return e.call == "select" && e.err == "EINVAL"; });
    ASSERT_EQ(refused.size(), 1u);
    EXPECT_EQ(refused[0]->raw["timeout_ms"].as_int(), -2);
}

TEST(WaitEdges, EpollSameTracedAndNot) {
    ExpectSameTracedAndNot("epoll");
    std::string dir = FreshDir("edges_epoll_trace");
    RunResult traced = RunTraced({ProgPath("wait_edges"), "epoll"}, dir);
    ASSERT_RAN_OK(traced);
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    // The epoll fd is made, used and closed as an fd of its own kind.
    auto creates =
        t.Select([](const Event &e) { return e.call == "epoll_create" && e.has_result; });
    ASSERT_EQ(creates.size(), 3u) << t.Head(60);
    int epfd = (int)creates[0]->result;
    EXPECT_EQ(creates[0]->kind, "epoll");
    EXPECT_EQ(creates[0]->flags, std::vector<std::string>{"O_CLOEXEC"});
    EXPECT_EQ(t.Count([&](const Event &e) {
        return e.call == "close" && e.fd == epfd && e.kind == "epoll" && e.result == 0;
    }),
              1u);
    // epoll_ctl: the event only once the kernel took it.
    auto ctls = t.Select([](const Event &e) { return e.call == "epoll_ctl"; });
    ASSERT_EQ(ctls.size(), 5u) << t.Head(60);
    EXPECT_EQ(ctls[0]->err, "EFAULT");
    EXPECT_TRUE(ctls[0]->raw["event"].is_null());
    EXPECT_EQ(ctls[1]->raw["event"]["data"].as_int(), 7);
    EXPECT_EQ(ctls[1]->raw["event"]["events"].dump(), R"(["EPOLLIN"])");
    EXPECT_EQ(ctls[4]->raw["op"].as_string(), "EPOLL_CTL_DEL");
    // epoll_wait: what it returned, in each variant.
    auto waits = t.Select([](const Event &e) { return e.call == "epoll_wait"; });
    ASSERT_EQ(waits.size(), 5u) << t.Head(60);
    EXPECT_EQ(waits[0]->raw["events"].dump(), R"([{"data":7,"events":["EPOLLIN"]}])");
    EXPECT_EQ(waits[1]->err, "EFAULT");
    EXPECT_TRUE(waits[1]->raw["events"].is_null());
    EXPECT_EQ(waits[3]->raw["variant"].as_string(), "epoll_pwait");
    EXPECT_EQ(waits[4]->raw["variant"].as_string(), "epoll_pwait2");
    EXPECT_EQ(waits[4]->raw["timeout_ms"].as_int(), 0);
}

// asyncio's event loop waits in epoll: a subprocess's output read through
// it, traced as untraced, with the pipes added to the loop's epoll set.
TEST(PythonWaits, AsyncioEpoll) {
    const char *script =
        "import asyncio\n"
        "async def main():\n"
        "    p = await asyncio.create_subprocess_exec('sh', '-c', 'echo out; echo err >&2',\n"
        "        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)\n"
        "    out, err = await p.communicate()\n"
        "    print(p.returncode, out, err)\n"
        "asyncio.run(main())\n";
    RunResult plain = harness::Run({"python3", "-c", script});
    ASSERT_RAN_OK(plain);
    std::string dir = FreshDir("python_asyncio");
    RunResult traced = RunTraced({"python3", "-c", script}, dir);
    ASSERT_RAN_OK(traced);
    EXPECT_EQ(traced.out, plain.out);
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    EXPECT_GE(t.Count([](const Event &e) { return e.call == "epoll_create"; }), 1u);
    EXPECT_GE(t.Count([](const Event &e) {
        return e.call == "epoll_ctl" && e.raw["op"].as_string() == "EPOLL_CTL_ADD";
    }),
              3u);
    EXPECT_GE(t.Count([](const Event &e) {
        return e.call == "epoll_wait" && e.has_result && e.result > 0;
    }),
              1u);
}

// subprocess.run(capture_output=True) waits for its child's output in
// poll (communicate): both pipes in the set, output as untraced.
TEST(PythonWaits, CaptureOutputPolls) {
    const char *script = "import subprocess\n"
                         "r = subprocess.run(['sh', '-c', 'echo out; echo err >&2'],\n"
                         "                   capture_output=True)\n"
                         "print(r.returncode, r.stdout, r.stderr)\n";
    RunResult plain = harness::Run({"python3", "-c", script});
    ASSERT_RAN_OK(plain);
    std::string dir = FreshDir("python_poll");
    RunResult traced = RunTraced({"python3", "-c", script}, dir);
    ASSERT_RAN_OK(traced);
    EXPECT_EQ(traced.out, plain.out);
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    auto polls = t.Select([](const Event &e) { return e.call == "poll" && e.state == "done"; });
    ASSERT_FALSE(polls.empty()) << t.Head(80);
    // The first poll waits on both read ends of the pipes the child writes.
    const Event &first = *polls[0];
    ASSERT_EQ(first.raw["set"].size(), 2u) << first.raw.dump();
    auto pipes = t.Select([&](const Event &e) {
        return e.pid == first.pid && (e.call == "pipe2" || e.call == "pipe") && e.fds.size() == 2;
    });
    std::vector<int> read_ends;
    for (const Event *p : pipes)
        read_ends.push_back(p->fds[0]);
    for (const json::Value &e : first.raw["set"].as_array())
        EXPECT_NE(std::find(read_ends.begin(), read_ends.end(), (int)e["fd"].as_int()),
                  read_ends.end())
            << e.dump();
}

// The hang issue 10 starts from: subprocess.run(capture_output=True) on a
// command that leaves a background process holding its stdout.  The run
// waits in poll for an EOF that never comes; killed there, the trace shows
// the poll unfinished, waiting on the read end of the child's stdout pipe.
TEST(PythonWaits, CaptureOutputHangIsAnUnfinishedPoll) {
    const char *script = "import os, signal, subprocess, time\n"
                         "pid = os.fork()\n"
                         "if pid == 0:\n"
                         "    os.setsid()\n"
                         "    subprocess.run(['sh', '-c', 'echo started; sleep 30 &'],\n"
                         "                   capture_output=True)\n"
                         "    os._exit(0)\n"
                         "def in_poll():\n"
                         "    with open('/proc/%d/syscall' % pid) as f:\n"
                         "        word = f.read().split()[0]\n"
                         "    return word.isdigit() and int(word) in (7, 271)\n"
                         "while not in_poll():\n"
                         "    time.sleep(0.002)\n"
                         "os.killpg(pid, signal.SIGKILL)\n"
                         "os.waitpid(pid, 0)\n"
                         "print(pid)\n";
    std::string dir = FreshDir("python_hang");
    RunResult traced = RunTraced({"python3", "-c", script}, dir);
    ASSERT_RAN_OK(traced);
    int child = std::stoi(traced.out);
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    auto stuck = t.Select([&](const Event &e) {
        return e.pid == child && e.call == "poll" && e.state == "unfinished";
    });
    ASSERT_EQ(stuck.size(), 1u) << t.Head(80);
    const json::Value &set = stuck[0]->raw["set"];
    ASSERT_GE(set.size(), 1u) << stuck[0]->raw.dump();
    // Every fd it waits on is the read end of a pipe the run made.
    auto pipes = t.Select([&](const Event &e) {
        return e.pid == child && (e.call == "pipe2" || e.call == "pipe") && e.fds.size() == 2;
    });
    std::vector<int> read_ends;
    for (const Event *p : pipes)
        read_ends.push_back(p->fds[0]);
    for (const json::Value &e : set.as_array()) {
        EXPECT_NE(std::find(read_ends.begin(), read_ends.end(), (int)e["fd"].as_int()),
                  read_ends.end())
            << e.dump();
        EXPECT_EQ(e["events"].dump(), R"(["POLLIN"])");
    }
}

} // namespace
