// Socket I/O (issue 11): send, recv and their variants recorded like read
// and write, with the bytes, the capture, the MSG_* flags, the variant, the
// errno of a failed call and a call left unfinished when it blocked.
#include <unistd.h>

#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/analysis_cli.h"
#include "test/harness.h"

namespace {

using harness::Event;
using harness::FreshDir;
using harness::ProgPath;
using harness::RunOptions;
using harness::RunResult;
using harness::Trace;

RunResult RunTraced(const std::vector<std::string> &argv, const std::string &dir,
                    RunOptions opts = RunOptions()) {
    auto env = harness::PreloadEnv(dir);
    opts.env.insert(opts.env.begin(), env.begin(), env.end());
    return harness::Run(argv, opts);
}

std::string Str(const Event &e, const char *key) {
    return e.raw.has(key) && e.raw[key].is_string() ? e.raw[key].as_string() : "";
}

// The one finished call named `call` by `variant` whose capture is `data`.
const Event *Find(const Trace &t, const std::string &call, const std::string &variant,
                  const std::string &data) {
    auto found = t.Select([&](const Event &e) {
        return e.call == call && Str(e, "variant") == variant && e.data == data;
    });
    return found.size() == 1 ? found[0] : nullptr;
}

TEST(SockIo, EveryVariantRecordedWithBytesFlagsAndErrno) {
    RunResult untraced = harness::Run({ProgPath("sock_io"), "calls"});
    ASSERT_TRUE(untraced.exited && untraced.exit_code == 0) << untraced.Describe();
    std::string dir = FreshDir("sock_calls");
    RunResult r = RunTraced({ProgPath("sock_io"), "calls"}, dir);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    EXPECT_EQ(r.out, untraced.out);
    EXPECT_EQ(r.out, "ok\n");
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;

    struct Want {
        const char *call, *variant, *data;
        int64_t count;
        const char *flags;
    } wants[] = {
        {"send", "send", "ping1", 5, "0"},
        {"send", "sendto", "ping22", 6, "0"},
        {"sendmsg", "sendmmsg", "m1", 2, "0"},
        {"sendmsg", "sendmmsg", "m333", 4, "0"},
        {"recvmsg", "recvmmsg", "m1", 8, "MSG_WAITALL"},
        {"recvmsg", "recvmmsg", "m333", 8, "MSG_WAITALL"},
        {"sendmsg", "sendmsg", "abcde", 5, "MSG_NOSIGNAL"},
        {"recv", "recvfrom", "ping22", 64, "0"},
        {"recvmsg", "recvmsg", "abcde", 10, "0"},
        {"send", "send", "pong", 4, "0"},
        {"recv", "recv", "pong", 16, "0"},
    };
    for (const Want &w : wants) {
        const Event *e = Find(t, w.call, w.variant, w.data);
        ASSERT_NE(e, nullptr) << w.variant << " " << w.data << "\n" << t.Head(60);
        EXPECT_EQ(e->kind, "socket");
        EXPECT_EQ(e->state, "done");
        EXPECT_EQ(e->result, static_cast<int64_t>(std::string(w.data).size()));
        EXPECT_EQ(e->raw["count"].as_int(), w.count) << w.variant;
        EXPECT_EQ(Str(*e, "msg_flags"), w.flags) << w.variant;
    }
    // The peek and the recv that took the same message: both "ping1".
    auto ping1 = t.Select([](const Event &e) { return e.call == "recv" && e.data == "ping1"; });
    ASSERT_EQ(ping1.size(), 2u) << t.Head(60);
    EXPECT_EQ(Str(*ping1[0], "msg_flags"), "MSG_PEEK");
    EXPECT_EQ(Str(*ping1[1], "msg_flags"), "0");
    // Failed calls keep their errno, and the program saw the same one.
    EXPECT_EQ(t.Count([](const Event &e) {
        return e.call == "recv" && e.err == "ENOTSOCK" && e.kind == "pipe";
    }),
              1u);
    EXPECT_EQ(t.Count([](const Event &e) {
        return e.call == "recv" && e.err == "EAGAIN" && Str(e, "msg_flags") == "MSG_DONTWAIT";
    }),
              1u);
}

TEST(SockIo, BlockedRecvIsUnfinished) {
    std::string dir = FreshDir("sock_blocked");
    RunResult r = RunTraced({ProgPath("sock_io"), "blocked"}, dir);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    int child = 0, fd = -1, sig = 0;
    ASSERT_EQ(sscanf(r.out.c_str(), "child %d fd %d signal %d", &child, &fd, &sig), 3) << r.out;
    EXPECT_EQ(sig, 9);
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    auto recvs = t.Select([&](const Event &e) { return e.call == "recv" && e.pid == child; });
    ASSERT_EQ(recvs.size(), 1u) << t.Head(60);
    EXPECT_EQ(recvs[0]->state, "unfinished");
    EXPECT_EQ(recvs[0]->fd, fd);
    EXPECT_EQ(recvs[0]->kind, "socket");
    EXPECT_EQ(recvs[0]->raw["count"].as_int(), 100);
}

// --- socket pairs as channels ------------------------------------------------

// The socket channels of `flows --json` or `summary --json` (kind socket).
std::vector<json::Value> SocketChannels(const json::Value &out) {
    std::vector<json::Value> v;
    for (const json::Value &p : out["pipes"].as_array())
        if (p["kind"].as_string() == "socket")
            v.push_back(p);
    return v;
}

// The channel of `channels` that carried `bytes`, or null.
const json::Value *Carrying(const std::vector<json::Value> &channels, int64_t bytes) {
    const json::Value *found = nullptr;
    for (const json::Value &c : channels)
        if (c["bytes_written"].as_int() == bytes)
            found = found ? nullptr : &c; // two would be ambiguous
    return found;
}

// One channel moved `bytes` from writer to reader, every byte matched and
// every captured byte equal on both sides.
void ExpectChannel(const json::Value *c, int64_t bytes, int writer, int reader) {
    ASSERT_NE(c, nullptr) << "no channel carried " << bytes << " bytes";
    EXPECT_EQ((*c)["bytes_read"].as_int(), bytes) << c->dump();
    EXPECT_NE((*c)["inode"].as_int(), (*c)["peer_inode"].as_int()) << c->dump();
    const json::Value &pairs = (*c)["pairs"];
    ASSERT_EQ(pairs.size(), 1u) << c->dump();
    EXPECT_EQ(pairs[0]["writer"]["pid"].as_int(), writer) << c->dump();
    EXPECT_EQ(pairs[0]["reader"]["pid"].as_int(), reader) << c->dump();
    EXPECT_EQ(pairs[0]["bytes"].as_int(), bytes) << c->dump();
    EXPECT_EQ((*c)["data"]["mismatches"].as_int(), 0) << c->dump();
}

struct PairRun {
    json::Value flows, summary;
    int parent = 0, child = 0;
};

// Runs argv traced (and untraced: same output), then flows and summary.
PairRun RunPair(const std::vector<std::string> &argv, const std::string &tag,
                const std::string &want_out) {
    PairRun pr;
    harness::RunOptions plain;
    plain.env.push_back({"PATH", "/usr/bin:/bin"});
    RunResult untraced = harness::Run(argv, plain);
    EXPECT_TRUE(untraced.exited && untraced.exit_code == 0) << untraced.Describe();
    EXPECT_EQ(untraced.out, want_out);
    std::string dir = FreshDir(tag);
    RunResult r = analysis_cli::RunTraced(argv, dir);
    EXPECT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    EXPECT_EQ(r.out, untraced.out);
    auto flows = analysis_cli::Viewer("flows", dir);
    EXPECT_EQ(flows.error, "");
    auto summary = analysis_cli::Viewer("summary", dir);
    EXPECT_EQ(summary.error, "");
    pr.flows = flows.json;
    pr.summary = summary.json;
    Trace t = harness::LoadTrace(dir);
    auto made = t.Select([](const Event &e) { return e.call == "socketpair"; });
    if (!made.empty()) {
        pr.parent = made[0]->pid;
        auto forks =
            t.Select([&](const Event &e) { return e.call == "fork" && e.pid == pr.parent; });
        if (!forks.empty())
            pr.child = static_cast<int>(forks[0]->result);
    }
    return pr;
}

// Every fd on a channel's ends is a holder: the sending end's as its write
// end, the receiving end's as its read end.
void ExpectHolders(const json::Value &summary_channel, int pid, const std::string &end) {
    size_t n = 0;
    for (const json::Value &h : summary_channel["holders"].as_array())
        if (h["pid"].as_int() == pid && h["end"].as_string() == end)
            n++;
    EXPECT_GE(n, 1u) << "pid " << pid << " " << end << " " << summary_channel.dump();
}

TEST(SockChannels, CProtocolAcrossForkMatchesByteForByte) {
    PairRun pr =
        RunPair({ProgPath("sock_proto")}, "sock_proto", "requests 60 bytes 28550 answers 240\n");
    ASSERT_NE(pr.parent, 0);
    ASSERT_NE(pr.child, 0);
    auto flows = SocketChannels(pr.flows);
    ASSERT_EQ(flows.size(), 2u) << pr.flows.dump();
    ExpectChannel(Carrying(flows, 28550), 28550, pr.parent, pr.child);
    ExpectChannel(Carrying(flows, 240), 240, pr.child, pr.parent);
    // summary lists the same two directions, each naming the other's ends.
    auto listed = SocketChannels(pr.summary);
    ASSERT_EQ(listed.size(), 2u) << pr.summary.dump();
    EXPECT_EQ(listed[0]["inode"].as_int(), listed[1]["peer_inode"].as_int());
    EXPECT_EQ(listed[1]["inode"].as_int(), listed[0]["peer_inode"].as_int());
    const json::Value *requests = Carrying(listed, 28550);
    ASSERT_NE(requests, nullptr) << pr.summary.dump();
    EXPECT_EQ((*requests)["bytes_read"].as_int(), 28550);
    EXPECT_EQ((*requests)["call"].as_string(), "socketpair");
    ExpectHolders(*requests, pr.parent, "write");
    ExpectHolders(*requests, pr.child, "read");
}

TEST(SockChannels, PythonSendallRecvAcrossFork) {
    PairRun pr = RunPair({"/usr/bin/python3", harness::SourcePath("test/sock/py_socketpair.py")},
                         "sock_py", "100000 0\n");
    ASSERT_NE(pr.parent, 0);
    ASSERT_NE(pr.child, 0);
    auto flows = SocketChannels(pr.flows);
    ExpectChannel(Carrying(flows, 100000), 100000, pr.parent, pr.child);
    ExpectChannel(Carrying(flows, 6), 6, pr.child, pr.parent);
}

TEST(SockChannels, PythonAsyncioStreamPair) {
    PairRun pr = RunPair({"/usr/bin/python3", harness::SourcePath("test/sock/py_asyncio_pair.py")},
                         "sock_asyncio", "100000\n");
    auto flows = SocketChannels(pr.flows);
    // One process on both ends (the loop's own wake-up pair is a channel too).
    const json::Value *data = Carrying(flows, 100000);
    ASSERT_NE(data, nullptr) << pr.flows.dump();
    int pid = static_cast<int>((*data)["pairs"][0]["writer"]["pid"].as_int());
    ExpectChannel(data, 100000, pid, pid);
    ExpectChannel(Carrying(flows, 6), 6, pid, pid);
}

// A Unix stream server and its client (connect, accept4): the kernel's
// word on each end's peer pairs them, as a socketpair's ends are.
TEST(SockChannels, UnixServerAndClientTracedTogether) {
    std::string dir = FreshDir("sock_unix");
    RunResult r = analysis_cli::RunTraced({ProgPath("sock_unix")}, dir);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    int server = 0, client = 0, bytes = 0, answer = 0;
    ASSERT_EQ(sscanf(r.out.c_str(), "server %d client %d bytes %d answer %d", &server, &client,
                     &bytes, &answer),
              4)
        << r.out;
    ASSERT_EQ(bytes, 5000);
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    auto accepts = t.Select([](const Event &e) { return e.call == "accept"; });
    auto connects = t.Select([](const Event &e) { return e.call == "connect"; });
    ASSERT_EQ(accepts.size(), 1u) << t.Head(60);
    ASSERT_EQ(connects.size(), 1u) << t.Head(60);
    EXPECT_EQ(accepts[0]->pid, server);
    EXPECT_EQ(connects[0]->pid, client);
    EXPECT_EQ(accepts[0]->raw["peer_ino"].as_int(), connects[0]->raw["ino"].as_int());
    // Until the server accepted, the client's peer is a socket with no
    // inode yet: the kernel says 0 then, and accept's record pairs them.
    int64_t connect_peer = connects[0]->raw["peer_ino"].as_int();
    EXPECT_TRUE(connect_peer == 0 || connect_peer == accepts[0]->raw["ino"].as_int())
        << connect_peer;
    EXPECT_NE(connects[0]->raw["ino"].as_int(), 0);
    auto flows = analysis_cli::Viewer("flows", dir);
    ASSERT_EQ(flows.error, "");
    auto channels = SocketChannels(flows.json);
    ASSERT_EQ(channels.size(), 2u) << flows.json.dump();
    ExpectChannel(Carrying(channels, 5000), 5000, client, server);
    ExpectChannel(Carrying(channels, answer), answer, server, client);
}

// --- a blocked recv in the wait-for graph ---------------------------------------

// Runs sock_io MODE until its recv blocks (and, with `also`, that call
// too: the parent has sent, closed and printed by then), then `check
// --json`; *pid is the pid the program printed after `word`.
json::Value CheckHang(const std::string &mode, const std::string &word, int *pid,
                      const std::string &also = "") {
    std::string dir = FreshDir("sock_" + mode);
    harness::RunOptions opts;
    opts.env = harness::PreloadEnv(dir);
    opts.env.push_back({"PATH", "/usr/bin:/bin"});
    opts.kill_when = [&] {
        return harness::BlockedCalls(dir, "recv") >= 1 &&
               (also.empty() || harness::BlockedCalls(dir, also) >= 1);
    };
    RunResult r = harness::Run({ProgPath("sock_io"), mode}, opts);
    EXPECT_TRUE(r.killed_on_purpose) << r.Describe();
    *pid = 0;
    sscanf(r.out.c_str(), (word + " %d").c_str(), pid);
    EXPECT_NE(*pid, 0) << r.out;
    auto check = analysis_cli::Viewer("check", dir);
    EXPECT_EQ(check.error, "");
    return check.json;
}

bool HasFd(const json::Value &problem, int fd) {
    for (const json::Value &f : problem["fds"].as_array())
        if (f.as_int() == fd)
            return true;
    return false;
}

// The worker blocked in recv holds the other end itself (inherited from
// the parent that made the pair): EOF can never come.
TEST(SockHang, RecvWhosePeerTheReaderHoldsIsBlockedRead) {
    int worker = 0;
    json::Value check = CheckHang("hang_self", "worker", &worker, "wait");
    auto blocked = analysis_cli::ProblemsOfKind(check, "blocked-read");
    ASSERT_EQ(blocked.size(), 1u) << check.dump();
    const json::Value &p = blocked[0];
    EXPECT_TRUE(analysis_cli::HasPid(p, worker)) << p.dump();
    EXPECT_TRUE(HasFd(p, 4)) << p.dump(); // the end it reads
    EXPECT_TRUE(HasFd(p, 3)) << p.dump(); // the other end it holds
    EXPECT_EQ(p["object"]["kind"].as_string(), "socket") << p.dump();
    std::string msg = p["message"].as_string();
    EXPECT_NE(
        msg.find("other end of the socket pair was still held by pid " + std::to_string(worker)),
        std::string::npos)
        << msg;
    EXPECT_NE(msg.find("(the reader itself)"), std::string::npos) << msg;
}

// The parent blocked in recv; its own child holds the other end (and made
// no traced call: it is known from the fork alone).
TEST(SockHang, RecvWhosePeerAChildHoldsNamesTheChild) {
    int holder = 0;
    json::Value check = CheckHang("hang_child", "holder", &holder);
    auto blocked = analysis_cli::ProblemsOfKind(check, "blocked-read");
    ASSERT_EQ(blocked.size(), 1u) << check.dump();
    const json::Value &p = blocked[0];
    EXPECT_TRUE(analysis_cli::HasPid(p, holder)) << p.dump();
    EXPECT_TRUE(HasFd(p, 4)) << p.dump();
    EXPECT_TRUE(HasFd(p, 3)) << p.dump();
    std::string msg = p["message"].as_string();
    EXPECT_NE(msg.find("pid " + std::to_string(holder) + " "), std::string::npos) << msg;
}

// A fork child that made no traced call exists only in its parent's fork
// record: summary still lists it among the holders of the pair's ends it
// kept (ghosts.c), as check already names it.
TEST(SockHang, ASilentChildIsAHolderOfBothChannels) {
    std::string dir = FreshDir("sock_hang_silent");
    harness::RunOptions opts;
    opts.env = harness::PreloadEnv(dir);
    opts.kill_when = [&] { return harness::BlockedCalls(dir, "recv") >= 1; };
    RunResult r = harness::Run({ProgPath("sock_io"), "hang_silent"}, opts);
    ASSERT_TRUE(r.killed_on_purpose) << r.Describe();
    int holder = 0;
    ASSERT_EQ(sscanf(r.out.c_str(), "holder %d", &holder), 1) << r.out;
    auto summary = analysis_cli::Viewer("summary", dir);
    ASSERT_EQ(summary.error, "");
    // Each channel of the pair: the child holds its sending end (fd 3 for
    // the one fd 3 names) and its receiving end (fd 4 for that one).
    std::set<std::string> held;
    int channels = 0;
    for (const json::Value &p : summary.json["pipes"].as_array()) {
        if (p["kind"].as_string() != "socket")
            continue;
        channels++;
        for (const json::Value &h : p["holders"].as_array())
            if (h["pid"].as_int() == holder)
                held.insert(std::to_string(h["fd"].as_int()) + " " + h["end"].as_string());
    }
    EXPECT_EQ(channels, 2) << summary.json.dump();
    EXPECT_EQ(held, (std::set<std::string>{"3 read", "3 write", "4 read", "4 write"}))
        << summary.json.dump();
}

// Both ends of a pair blocked in send, each on a buffer only the other
// could drain: a deadlock, spelled out through the pair's other ends.
TEST(SockHang, SendsBlockedOnEachOtherAreADeadlock) {
    std::string dir = FreshDir("sock_send_deadlock");
    RunResult r = analysis_cli::RunTracedUntilBlocked(
        {"/usr/bin/python3", harness::SourcePath("test/sock/py_send_deadlock.py")}, dir, "send", 2);
    EXPECT_TRUE(r.killed_on_purpose) << r.Describe();
    int child = 0;
    ASSERT_EQ(sscanf(r.out.c_str(), "child %d", &child), 1) << r.out;
    auto check = analysis_cli::Viewer("check", dir);
    ASSERT_EQ(check.error, "");
    auto deadlocks = analysis_cli::ProblemsOfKind(check.json, "pipe-deadlock");
    ASSERT_EQ(deadlocks.size(), 1u) << check.json.dump();
    const json::Value &p = deadlocks[0];
    EXPECT_TRUE(analysis_cli::HasPid(p, child)) << p.dump();
    EXPECT_EQ(p["pids"].size(), 2u) << p.dump();
    EXPECT_NE(p["message"].as_string().find("whose other end pid " + std::to_string(child)),
              std::string::npos)
        << p.dump();
}

// --- fds passed over a socket (SCM_RIGHTS) ---------------------------------------

// The corpus case c_fdpass: a client hands its pipe's write end to an
// unrelated server (a sibling started by the shell), which keeps it; the
// client's reader hangs.  check must name the server as the holder and
// say how the fd got there, through the socket.
TEST(SockFdPass, HandedOffWriteEndIsFollowedAcrossProcesses) {
    std::string dir = FreshDir("sock_fdpass");
    std::string work = FreshDir("sock_fdpass_cwd");
    harness::RunOptions opts;
    opts.env = harness::PreloadEnv(dir);
    opts.env.push_back({"PATH", "/usr/bin:/bin"});
    opts.env.push_back({"CORPUS_BIN", harness::ProgPath("corpus")});
    opts.cwd = work;
    // Killed once the client waits for its reader (it has handed the fd
    // over and closed its copy) and the server has recorded receiving it.
    opts.kill_when = [&] {
        if (harness::BlockedCalls(dir, "wait") < 1)
            return false;
        Trace t = harness::LoadTrace(dir);
        return t.Count([](const Event &e) {
            return e.call == "scm_rights" && Str(e, "direction") == "received";
        }) > 0;
    };
    RunResult r = harness::Run(
        {"sh", "-c", "\"$CORPUS_BIN\"/c_fdpass_server bug & \"$CORPUS_BIN\"/c_fdpass_client bug"},
        opts);
    ASSERT_TRUE(r.killed_on_purpose) << r.Describe();
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    auto sent = t.Select(
        [](const Event &e) { return e.call == "scm_rights" && Str(e, "direction") == "sent"; });
    auto got = t.Select(
        [](const Event &e) { return e.call == "scm_rights" && Str(e, "direction") == "received"; });
    ASSERT_EQ(sent.size(), 1u) << t.Head(80);
    ASSERT_EQ(got.size(), 1u) << t.Head(80);
    int client = sent[0]->pid, server = got[0]->pid;
    EXPECT_NE(client, server);
    int sent_fd = static_cast<int>(sent[0]->raw["passed_0"].as_int());
    int got_fd = static_cast<int>(got[0]->raw["passed_0"].as_int());
    // The pipe the client made is the one passed.
    auto pipes = t.Select([&](const Event &e) { return e.call == "pipe" && e.pid == client; });
    ASSERT_EQ(pipes.size(), 1u);
    EXPECT_EQ(pipes[0]->fds.at(1), sent_fd);

    auto check = analysis_cli::Viewer("check", dir);
    ASSERT_EQ(check.error, "");
    auto blocked = analysis_cli::ProblemsOfKind(check.json, "blocked-read");
    ASSERT_EQ(blocked.size(), 1u) << check.json.dump();
    const json::Value &p = blocked[0];
    EXPECT_TRUE(analysis_cli::HasPid(p, server)) << p.dump();
    EXPECT_TRUE(HasFd(p, got_fd)) << p.dump();
    std::string msg = p["message"].as_string();
    std::string chain = "passed by pid " + std::to_string(client) + " fd " +
                        std::to_string(sent_fd) + " over socket:[";
    EXPECT_NE(msg.find(chain), std::string::npos) << msg;
    EXPECT_NE(msg.find("(SCM_RIGHTS) to pid " + std::to_string(server) + " as fd " +
                       std::to_string(got_fd)),
              std::string::npos)
        << msg;

    // summary's holders show the step too, as JSON.
    auto summary = analysis_cli::Viewer("summary", dir);
    ASSERT_EQ(summary.error, "");
    bool found = false;
    for (const json::Value &pipe : summary.json["pipes"].as_array())
        for (const json::Value &h : pipe["holders"].as_array())
            if (h["pid"].as_int() == server && h["fd"].as_int() == got_fd)
                for (const json::Value &step : h["how"].as_array())
                    found |= step["step"].as_string() == "passed" &&
                             step["from_pid"].as_int() == client &&
                             step["from_fd"].as_int() == sent_fd;
    EXPECT_TRUE(found) << summary.json.dump();
}

// --- byte totals against strace -------------------------------------------------

struct StraceTotals {
    std::map<uint64_t, int64_t> sent, received; // per socket inode
};

// Sums strace -f -y's results per socket inode, the calls that moved bytes
// out of (write, send...) and into (read, recv...) the process.
StraceTotals ParseStrace(const std::string &text) {
    static const std::set<std::string> out = {"write", "writev", "send", "sendto", "sendmsg"};
    static const std::set<std::string> in = {"read", "readv", "recv", "recvfrom", "recvmsg"};
    static const std::regex call(R"(^(\d+)\s+(\w+)\(\d+<socket:\[(\d+)\]>)");
    static const std::regex resumed(R"(^(\d+)\s+<\.\.\. (\w+) resumed>)");
    static const std::regex result(R"(= (-?\d+)\s*$)");
    StraceTotals totals;
    std::map<std::string, std::pair<std::string, uint64_t>> pending; // pid -> call, inode
    for (const std::string &line : harness::Lines(text)) {
        std::smatch m, r;
        std::string name;
        uint64_t ino = 0;
        if (std::regex_search(line, m, call)) {
            name = m[2];
            ino = std::stoull(m[3]);
            if (line.find("<unfinished ...>") != std::string::npos) {
                pending[m[1]] = {name, ino};
                continue;
            }
        } else if (std::regex_search(line, m, resumed) && pending.count(m[1])) {
            name = pending[m[1]].first;
            ino = pending[m[1]].second;
            pending.erase(m[1]);
        } else {
            continue;
        }
        if (!std::regex_search(line, r, result) || std::stoll(r[1]) <= 0)
            continue;
        if (out.count(name))
            totals.sent[ino] += std::stoll(r[1]);
        else if (in.count(name))
            totals.received[ino] += std::stoll(r[1]);
    }
    return totals;
}

// The same run seen by strace and by pipetrace: every socket channel's
// bytes written equal strace's total sent on its sending end, its bytes
// read strace's total received on its receiving end.
TEST(SockStrace, ChannelTotalsEqualStraces) {
    const std::string strace = "/usr/bin/strace";
    if (access(strace.c_str(), X_OK) != 0)
        GTEST_SKIP() << "strace is not installed";
    std::string dir = FreshDir("sock_strace");
    std::string log = harness::FreshPath("sock_strace_log");
    std::vector<std::string> argv = {
        strace, "-f", "-qq", "-e", "signal=none",
        "-y",   "-s", "0",   "-e", "trace=%network,read,write,readv,writev",
        "-o",   log,  "env"};
    for (const auto &kv : harness::PreloadEnv(dir))
        argv.push_back(kv.first + "=" + kv.second);
    argv.push_back(ProgPath("sock_proto"));
    RunResult r = harness::Run(argv);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    ASSERT_EQ(r.out, "requests 60 bytes 28550 answers 240\n");
    StraceTotals st = ParseStrace(harness::ReadFile(log));
    auto flows = analysis_cli::Viewer("flows", dir);
    ASSERT_EQ(flows.error, "");
    auto channels = SocketChannels(flows.json);
    ASSERT_EQ(channels.size(), 2u) << flows.json.dump();
    for (const json::Value &c : channels) {
        uint64_t from = static_cast<uint64_t>(c["inode"].as_int());
        uint64_t to = static_cast<uint64_t>(c["peer_inode"].as_int());
        EXPECT_GT(st.sent[from], 0) << from;
        EXPECT_EQ(c["bytes_written"].as_int(), st.sent[from]) << c.dump();
        EXPECT_EQ(c["bytes_read"].as_int(), st.received[to]) << c.dump();
    }
}

} // namespace
