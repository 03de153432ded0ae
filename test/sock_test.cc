// Socket I/O (issue 11): send, recv and their variants recorded like read
// and write, with the bytes, the capture, the MSG_* flags, the variant, the
// errno of a failed call and a call left unfinished when it blocked.
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

} // namespace
