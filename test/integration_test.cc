// Integration tests: run programs under libpipetrace.so (directly through
// LD_PRELOAD or through `pipetrace run`) and check what
// `pipetrace dump --json` reports, to the exact call, byte and pid.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/harness.h"
#include "test/progs/progs.h"

namespace {

using harness::Event;
using harness::FreshDir;
using harness::Process;
using harness::ProgPath;
using harness::RunOptions;
using harness::RunResult;
using harness::Trace;

// Runs argv with the preload library tracing into dir.
RunResult RunTraced(const std::vector<std::string> &argv, const std::string &dir,
                    RunOptions opts = RunOptions()) {
    auto env = harness::PreloadEnv(dir);
    opts.env.insert(opts.env.begin(), env.begin(), env.end());
    return harness::Run(argv, opts);
}

// Runs `pipetrace run -o dir -- argv...`.
RunResult RunCli(const std::vector<std::string> &argv, const std::string &dir,
                 const RunOptions &opts = RunOptions()) {
    std::vector<std::string> full = {harness::CliPath(), "run", "-o", dir, "--"};
    full.insert(full.end(), argv.begin(), argv.end());
    return harness::Run(full, opts);
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

// Message A of pipe_flags: byte i is (i * 13 + 200) & 0xff.
std::string MessageA() {
    std::string a;
    for (int i = 0; i < 100; i++)
        a += static_cast<char>((i * 13 + 200) & 0xff);
    return a;
}
const std::string kMessageB = "second message 20 b\n";

// Every process recorded without loss.
void ExpectNoLoss(const Trace &t) {
    for (const Process &p : t.processes) {
        EXPECT_EQ(p.torn, 0) << "process " << p.pid;
        EXPECT_EQ(p.dropped, 0) << "process " << p.pid;
        EXPECT_EQ(p.stopped, "") << "process " << p.pid;
    }
}

#define ASSERT_RAN_OK(r) ASSERT_TRUE((r).exited && (r).exit_code == 0) << (r).Describe()
// The trace was read; its events are in time order (checked without
// stopping the test, so that the other checks still run).
#define ASSERT_TRACE_OK(t)                                                                         \
    ASSERT_TRUE((t).ok) << (t).error << "\n" << (t).text.substr(0, 3000);                          \
    EXPECT_EQ((t).order_error, "") << "events not in time order"

// --- pipe / pipe2 with each flag ----------------------------------------

struct PipeMode {
    const char *mode;
    const char *call;
    std::vector<std::string> flags;
};

void PrintTo(const PipeMode &m, std::ostream *os) {
    *os << m.mode;
}

class PipeFlagsTest : public ::testing::TestWithParam<PipeMode> {};

TEST_P(PipeFlagsTest, RecordsCreationFlagsAndExactBytes) {
    const PipeMode &m = GetParam();
    const bool nonblock = std::count(m.flags.begin(), m.flags.end(), "O_NONBLOCK");
    const bool direct = std::count(m.flags.begin(), m.flags.end(), "O_DIRECT");
    std::string dir = FreshDir("pipe_flags");
    RunResult r = RunTraced({ProgPath("pipe_flags"), m.mode}, dir);
    ASSERT_RAN_OK(r);
    int rfd = -1, wfd = -1;
    ASSERT_EQ(sscanf(r.out.c_str(), "fds %d %d", &rfd, &wfd), 2) << r.out;

    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ExpectNoLoss(t);
    ASSERT_EQ(t.processes.size(), 1u) << t.Head();
    const Process &p = t.processes[0];
    EXPECT_EQ(p.pid, r.pid);
    EXPECT_FALSE(p.fork_child);
    ASSERT_EQ(p.argv.size(), 2u);
    EXPECT_EQ(p.argv[1], m.mode);
    EXPECT_EQ(p.stdio, "hooked");

    // The creation call.
    auto created = t.Select(
        [&](const Event &e) { return e.pid == r.pid && (e.call == "pipe" || e.call == "pipe2"); });
    ASSERT_EQ(created.size(), 1u) << t.Head();
    EXPECT_EQ(created[0]->call, m.call);
    EXPECT_EQ(created[0]->result, 0);
    EXPECT_EQ(created[0]->state, "done");
    EXPECT_EQ(created[0]->fds, (std::vector<int>{rfd, wfd}));
    EXPECT_EQ(Sorted(created[0]->flags), Sorted(m.flags)) << created[0]->raw.dump();

    // The two writes: 100 binary bytes (capture cut at 64), then 20 bytes.
    auto writes = t.Select(
        [&](const Event &e) { return e.pid == r.pid && e.fd == wfd && e.call == "write"; });
    ASSERT_EQ(writes.size(), 2u) << t.Head();
    const std::string a = MessageA();
    EXPECT_EQ(writes[0]->arg, 100);
    EXPECT_EQ(writes[0]->result, 100);
    EXPECT_EQ(writes[0]->data, a.substr(0, 64));
    EXPECT_EQ(writes[0]->data_len, 64);
    EXPECT_TRUE(writes[0]->data_cut);
    EXPECT_EQ(writes[1]->arg, 20);
    EXPECT_EQ(writes[1]->result, 20);
    EXPECT_EQ(writes[1]->data, kMessageB);
    EXPECT_EQ(writes[1]->data_len, 20);
    EXPECT_FALSE(writes[1]->data_cut);
    const uint64_t ino = writes[0]->ino;
    EXPECT_NE(ino, 0u);
    for (const Event *w : writes) {
        EXPECT_EQ(w->kind, "pipe");
        EXPECT_EQ(w->ino, ino);
        EXPECT_EQ(w->state, "done");
        EXPECT_EQ(w->via, "");
        EXPECT_TRUE(w->HasFdFlag("O_WRONLY")) << w->raw.dump();
        EXPECT_EQ(w->HasFdFlag("O_NONBLOCK"), nonblock) << w->raw.dump();
    }

    // The reads: packets with O_DIRECT, one read of everything otherwise, and
    // with O_NONBLOCK a last read that fails with EAGAIN.
    auto reads =
        t.Select([&](const Event &e) { return e.pid == r.pid && e.fd == rfd && e.IsRead(); });
    std::vector<int64_t> expected_results;
    if (direct)
        expected_results = {100, 20};
    else
        expected_results = {120};
    ASSERT_EQ(reads.size(), expected_results.size() + (nonblock ? 1 : 0)) << t.Head();
    for (size_t i = 0; i < expected_results.size(); i++) {
        EXPECT_EQ(reads[i]->call, "read");
        EXPECT_EQ(reads[i]->arg, 4096);
        EXPECT_EQ(reads[i]->result, expected_results[i]);
        EXPECT_EQ(reads[i]->err, "");
    }
    EXPECT_EQ(reads[0]->data, a.substr(0, 64));
    if (direct) {
        EXPECT_EQ(reads[1]->data, kMessageB);
    }
    if (nonblock) {
        const Event *last = reads.back();
        EXPECT_EQ(last->err, "EAGAIN") << last->raw.dump();
        EXPECT_TRUE(last->has_result && last->result < 0) << last->raw.dump();
        EXPECT_EQ(last->data_len, 0);
    }
    for (const Event *e : reads) {
        EXPECT_EQ(e->kind, "pipe");
        EXPECT_EQ(e->ino, ino);
        EXPECT_EQ(e->state, "done");
        EXPECT_FALSE(e->HasFdFlag("O_WRONLY")) << e->raw.dump();
        EXPECT_EQ(e->HasFdFlag("O_NONBLOCK"), nonblock) << e->raw.dump();
    }

    // printf's "fds R W\n" reached the harness's stdout pipe at exit, through
    // stdio.
    auto out = t.Select([&](const Event &e) { return e.pid == r.pid && e.fd == 1 && e.IsWrite(); });
    ASSERT_EQ(out.size(), 1u) << t.Head();
    EXPECT_EQ(out[0]->via, "stdio");
    EXPECT_EQ(out[0]->kind, "pipe");
    EXPECT_EQ(out[0]->data, r.out);
    EXPECT_EQ(out[0]->result, static_cast<int64_t>(r.out.size()));
}

INSTANTIATE_TEST_SUITE_P(
    Modes, PipeFlagsTest,
    ::testing::Values(PipeMode{"pipe", "pipe", {}}, PipeMode{"nonblock", "pipe2", {"O_NONBLOCK"}},
                      PipeMode{"cloexec", "pipe2", {"O_CLOEXEC"}},
                      PipeMode{"direct", "pipe2", {"O_DIRECT"}},
                      PipeMode{"all", "pipe2", {"O_NONBLOCK", "O_CLOEXEC", "O_DIRECT"}}),
    [](const ::testing::TestParamInfo<PipeMode> &info) { return std::string(info.param.mode); });

// --- how much data is captured ------------------------------------------

TEST(DataCapture, LimitFollowsPipetraceData) {
    struct Case {
        const char *setting; // nullptr: PIPETRACE_DATA unset
        size_t captured;     // of the 100-byte write
        const char *limit_json;
    };
    const Case cases[] = {
        {nullptr, 64, "64"}, {"0", 0, "0"}, {"8", 8, "8"}, {"full", 100, "\"full\""}};
    const std::string a = MessageA();
    for (const Case &c : cases) {
        SCOPED_TRACE(c.setting ? c.setting : "(unset)");
        std::string dir = FreshDir("data");
        RunOptions opts;
        if (c.setting)
            opts.env.push_back({"PIPETRACE_DATA", c.setting});
        RunResult r = RunTraced({ProgPath("pipe_flags"), "pipe"}, dir, opts);
        ASSERT_RAN_OK(r);
        Trace t = harness::LoadTrace(dir);
        ASSERT_TRACE_OK(t);
        ASSERT_EQ(t.processes.size(), 1u);
        EXPECT_EQ(t.processes[0].raw["data_limit"].dump(), c.limit_json);
        auto writes = t.Select([&](const Event &e) {
            return e.pid == r.pid && e.call == "write" && e.kind == "pipe" && e.fd != 1;
        });
        ASSERT_EQ(writes.size(), 2u) << t.Head();
        EXPECT_EQ(writes[0]->result, 100);
        EXPECT_EQ(writes[0]->data, a.substr(0, c.captured));
        EXPECT_EQ(writes[0]->data_len, static_cast<int64_t>(c.captured));
        EXPECT_EQ(writes[0]->data_cut, c.captured < 100);
        const size_t second = std::min<size_t>(c.captured, 20);
        EXPECT_EQ(writes[1]->data, kMessageB.substr(0, second));
        EXPECT_EQ(writes[1]->data_cut, second < 20);
    }
}

// Full capture keeps every byte of ordinary calls but stops at 16 MiB per
// call, so a huge read() or write() does not cost its size in trace.
TEST(DataCapture, FullStopsAtSixteenMebibytesPerCall) {
    std::string dir = FreshDir("bigwrite");
    RunOptions opts;
    opts.env.push_back({"PIPETRACE_DATA", "full"});
    RunResult r = RunTraced({ProgPath("big_write"), "20"}, dir, opts);
    ASSERT_RAN_OK(r);
    EXPECT_EQ(r.out, "read 20971520\n");
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    auto writes = t.Select(
        [&](const Event &e) { return e.pid == r.pid && e.call == "write" && e.kind == "pipe"; });
    ASSERT_EQ(writes.size(), 1u) << t.Head();
    EXPECT_EQ(writes[0]->result, 20 << 20);
    EXPECT_EQ(writes[0]->data_len, 16 << 20);
    EXPECT_TRUE(writes[0]->data_cut);
    auto reads = t.Select([&](const Event &e) { return e.call == "read" && e.kind == "pipe"; });
    ASSERT_FALSE(reads.empty());
    int64_t captured = 0;
    for (const Event *e : reads) {
        EXPECT_EQ(e->data_len, e->result) << "a read was cut";
        captured += e->data_len;
    }
    EXPECT_EQ(captured, 20 << 20);
}

// Captures of 16 KiB and more are copied into the trace by the kernel
// (process_vm_writev on the process itself), smaller ones by the library;
// where the kernel refuses (a seccomp filter), by the library too.  Either
// way every byte of every call is kept, on both sides of the pipe.
void ExpectEveryByteOfBigCaptures(const std::vector<std::string> &extra_args) {
    SCOPED_TRACE(extra_args.empty() ? "kernel copy" : extra_args[0]);
    std::string dir = FreshDir(extra_args.empty() ? "bigcaptures" : "bigcaptures_seccomp");
    std::vector<std::string> argv = {ProgPath("big_captures")};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    RunOptions opts;
    opts.env.push_back({"PIPETRACE_DATA", "full"});
    RunResult r = RunTraced(argv, dir, opts);
    ASSERT_RAN_OK(r);
    EXPECT_EQ(r.out, "read 261920\n");
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ExpectNoLoss(t);

    const std::vector<size_t> sizes = {16384, 65536, 100000, 80000};
    std::string stream;
    auto writes = t.Select([&](const Event &e) {
        return e.pid == r.pid && (e.call == "write" || e.call == "writev") && e.kind == "pipe";
    });
    ASSERT_EQ(writes.size(), sizes.size()) << t.Head();
    for (size_t w = 0; w < sizes.size(); w++) {
        std::string expected;
        for (size_t k = 0; k < sizes[w]; k++)
            expected += big_capture_byte(static_cast<int>(w), k);
        EXPECT_EQ(writes[w]->result, static_cast<int64_t>(sizes[w]));
        EXPECT_EQ(writes[w]->data_len, static_cast<int64_t>(sizes[w]));
        EXPECT_FALSE(writes[w]->data_cut);
        EXPECT_TRUE(writes[w]->data == expected) << "write " << w << " captured other bytes";
        stream += expected;
    }
    auto reads = t.Select([&](const Event &e) {
        return e.pid != r.pid && e.call == "read" && e.kind == "pipe" && e.result > 0;
    });
    ASSERT_FALSE(reads.empty()) << t.Head();
    std::string read_back;
    for (const Event *e : reads) {
        EXPECT_EQ(e->data_len, e->result) << "a read was cut";
        read_back += e->data;
    }
    EXPECT_TRUE(read_back == stream) << "the reads captured other bytes than were written";
}

TEST(DataCapture, FullKeepsEveryByteOfLargeCalls) {
    ExpectEveryByteOfBigCaptures({});
}

TEST(DataCapture, FullKeepsEveryByteWhereTheKernelWillNotCopy) {
    ExpectEveryByteOfBigCaptures({"seccomp"});
}

// --- readv / writev -------------------------------------------------------

TEST(Vectored, ReadvAndWritevCarryTotalsAndBytes) {
    std::string dir = FreshDir("iovec");
    RunResult r = RunTraced({ProgPath("iovec")}, dir);
    ASSERT_RAN_OK(r);
    EXPECT_EQ(r.out, "writev 57 readv 57\n");
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ExpectNoLoss(t);

    std::string letters;
    for (int i = 0; i < 50; i++)
        letters += static_cast<char>('a' + i % 25);
    const std::string all = "abc" + letters + "xyz\n";

    auto writev = t.Select([&](const Event &e) { return e.call == "writev"; });
    ASSERT_EQ(writev.size(), 1u) << t.Head();
    EXPECT_EQ(writev[0]->pid, r.pid);
    EXPECT_EQ(writev[0]->kind, "pipe");
    EXPECT_EQ(writev[0]->arg, 57);
    EXPECT_EQ(writev[0]->result, 57);
    EXPECT_EQ(writev[0]->data, all);
    EXPECT_EQ(writev[0]->data_len, 57);
    EXPECT_FALSE(writev[0]->data_cut);

    auto readv = t.Select([&](const Event &e) { return e.call == "readv"; });
    ASSERT_EQ(readv.size(), 1u) << t.Head();
    EXPECT_EQ(readv[0]->pid, r.pid);
    EXPECT_EQ(readv[0]->kind, "pipe");
    EXPECT_EQ(readv[0]->ino, writev[0]->ino);
    EXPECT_EQ(readv[0]->arg, 110);
    EXPECT_EQ(readv[0]->result, 57);
    EXPECT_EQ(readv[0]->data, all);

    // Nothing else moved bytes through that pipe (no double recording).
    EXPECT_EQ(t.Count([&](const Event &e) {
        return e.ino == writev[0]->ino && (e.IsRead() || e.IsWrite());
    }),
              2u)
        << t.Head();
}

// --- _FORTIFY_SOURCE: read becomes __read_chk ---------------------------

TEST(Fortify, ReadChkIsRecordedOnce) {
    RunResult nm = harness::Run({"nm", "-D", "--undefined-only", ProgPath("fortify_reader")});
    ASSERT_RAN_OK(nm);
    ASSERT_NE(nm.out.find("__read_chk"), std::string::npos)
        << "fortify_reader does not import __read_chk:\n"
        << nm.out;

    std::string dir = FreshDir("fortify");
    RunResult r = RunTraced({ProgPath("fortify_reader"), "100"}, dir);
    ASSERT_RAN_OK(r);
    EXPECT_EQ(r.out, "read 25\n");
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ExpectNoLoss(t);
    auto reads =
        t.Select([&](const Event &e) { return e.pid == r.pid && e.IsRead() && e.kind == "pipe"; });
    ASSERT_EQ(reads.size(), 1u) << t.Head();
    EXPECT_EQ(reads[0]->call, "__read_chk");
    EXPECT_EQ(reads[0]->arg, 100);
    EXPECT_EQ(reads[0]->result, 25);
    EXPECT_EQ(reads[0]->data, "fortified read of a pipe\n");
    EXPECT_EQ(reads[0]->state, "done");
}

// --- a signal handler writes while the main thread writes ---------------

TEST(Signals, HandlerWritesAreAllRecordedWithoutDeadlock) {
    std::string dir = FreshDir("signal");
    RunOptions opts;
    opts.timeout_s = 60;
    RunResult r = RunTraced({ProgPath("signal_writer")}, dir, opts);
    ASSERT_FALSE(r.timed_out) << "deadlock? " << r.Describe();
    ASSERT_RAN_OK(r);
    long reader_bytes = 0, main_calls = 0, main_bytes = 0, sig_calls = 0, sig_bytes = 0;
    ASSERT_EQ(sscanf(r.out.c_str(),
                     "reader_bytes %ld\nmain_calls %ld main_bytes %ld "
                     "sig_calls %ld sig_bytes %ld",
                     &reader_bytes, &main_calls, &main_bytes, &sig_calls, &sig_bytes),
              5)
        << r.out;
    ASSERT_EQ(reader_bytes, main_bytes + sig_bytes);

    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ExpectNoLoss(t);
    auto handler_writes = t.Select([&](const Event &e) {
        return e.pid == r.pid && e.call == "write" && e.data == "SIGNAL-HANDLER!\n";
    });
    ASSERT_FALSE(handler_writes.empty()) << t.Head();
    const uint64_t ino = handler_writes[0]->ino;
    auto on_pipe = [&](const Event &e) { return e.ino == ino && e.kind == "pipe"; };

    EXPECT_EQ(static_cast<long>(handler_writes.size()), sig_calls);
    EXPECT_EQ(static_cast<long>(t.Count([&](const Event &e) {
                  return on_pipe(e) && e.pid == r.pid && e.call == "write";
              })),
              main_calls + sig_calls);
    EXPECT_EQ(t.SumResult([&](const Event &e) {
        return on_pipe(e) && e.pid == r.pid && e.call == "write";
    }),
              main_bytes + sig_bytes);
    EXPECT_EQ(
        t.SumResult([&](const Event &e) { return on_pipe(e) && e.pid != r.pid && e.IsRead(); }),
        reader_bytes);
    EXPECT_EQ(t.Count([&](const Event &e) { return on_pipe(e) && e.state != "done"; }), 0u);
}

// --- 8 threads write to one pipe at once -----------------------------------

TEST(Threads, EightWritersLoseNothing) {
    std::string dir = FreshDir("threads");
    RunResult r = RunTraced({ProgPath("threads_writer")}, dir);
    ASSERT_FALSE(r.timed_out) << r.Describe();
    ASSERT_RAN_OK(r);
    EXPECT_EQ(r.out, "reader_bytes 256000\nthreads 8 writes 1000 bytes 256000\n");

    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ExpectNoLoss(t);
    auto writes = t.Select([&](const Event &e) {
        return e.pid == r.pid && e.call == "write" && e.kind == "pipe" && e.fd != 1;
    });
    ASSERT_EQ(writes.size(), 8000u);
    const uint64_t ino = writes[0]->ino;
    std::map<int, int> per_tid;
    std::set<std::string> records;
    for (const Event *w : writes) {
        EXPECT_EQ(w->ino, ino);
        EXPECT_EQ(w->state, "done");
        EXPECT_EQ(w->result, 32);
        EXPECT_EQ(w->data_len, 32);
        EXPECT_NE(w->tid, r.pid); // the main thread does not write
        per_tid[w->tid]++;
        records.insert(w->data);
    }
    EXPECT_EQ(per_tid.size(), 8u);
    for (const auto &kv : per_tid)
        EXPECT_EQ(kv.second, 1000) << "tid " << kv.first;
    // Every record once, intact.
    std::set<std::string> expected;
    for (int id = 0; id < 8; id++) {
        for (int i = 0; i < 1000; i++) {
            char rec[33];
            int len = snprintf(rec, sizeof rec, "T%d #%05d", id, i);
            std::string s(rec, static_cast<size_t>(len));
            s.resize(31, '.');
            expected.insert(s + "\n");
        }
    }
    EXPECT_TRUE(records == expected)
        << records.size() << " distinct records; first: " << *records.begin();
    EXPECT_EQ(
        t.SumResult([&](const Event &e) { return e.ino == ino && e.pid != r.pid && e.IsRead(); }),
        256000);
}

// --- SIGKILL in mid-stream ------------------------------------------------

TEST(Crash, CompletedWritesOfKilledProcessAreInTheTrace) {
    std::string dir = FreshDir("killed");
    RunResult r = RunTraced({ProgPath("killed_writer")}, dir);
    ASSERT_RAN_OK(r);
    int writer = 0, sig = 0;
    long completed = 0;
    ASSERT_EQ(sscanf(r.out.c_str(), "writer %d completed %ld signal %d", &writer, &completed, &sig),
              3)
        << r.out;
    ASSERT_EQ(sig, SIGKILL);
    ASSERT_GE(completed, 2000);

    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    const Process *w = t.FindProcess(writer);
    ASSERT_NE(w, nullptr) << t.Head();
    EXPECT_TRUE(w->fork_child);
    EXPECT_EQ(w->ppid, r.pid);
    EXPECT_LE(w->torn, 1);
    auto done = t.Select(
        [&](const Event &e) { return e.pid == writer && e.call == "write" && e.state == "done"; });
    auto unfinished = t.Select(
        [&](const Event &e) { return e.pid == writer && e.call == "write" && e.state != "done"; });
    EXPECT_GE(static_cast<long>(done.size()), completed);
    EXPECT_LE(static_cast<long>(done.size()), completed + 1);
    EXPECT_LE(unfinished.size(), 1u);
    // A write is marked done as soon as it returned, and its capture copied
    // after (docs/FORMAT.md, "Writing protocol"): the kill can land in
    // between, which leaves that write's capture short (possibly empty).
    // Only the writer's last write can be caught so; every earlier one holds
    // its first 64 bytes (the default capture) whole.
    const Event *last = nullptr;
    for (const Event *e : done)
        if (!last || e->t_start_ns > last->t_start_ns)
            last = e;
    for (const Event *e : done) {
        EXPECT_EQ(e->result, 100);
        EXPECT_TRUE(e->data_cut); // 64 of 100 bytes, or fewer
        if (e == last && e->data.size() < 64) {
            EXPECT_EQ(e->data, std::string(e->data.size(), 'K'));
            continue;
        }
        EXPECT_EQ(e->data, std::string(64, 'K')) << "write at " << e->t_start_ns;
    }
    // Nothing of the parent's before the fork is repeated in the child's file.
    EXPECT_EQ(t.Count([&](const Event &e) {
        return e.pid == writer && (e.call == "pipe" || e.call == "fork");
    }),
              0u);
}

// --- a read that never returns -----------------------------------------------

TEST(Crash, BlockedReadShowsAsUnfinished) {
    std::string dir = FreshDir("blocked");
    RunResult r = RunTraced({ProgPath("blocked_reader")}, dir);
    ASSERT_RAN_OK(r);
    int child = 0, fd = -1, sig = 0;
    ASSERT_EQ(sscanf(r.out.c_str(), "child %d read_fd %d signal %d", &child, &fd, &sig), 3)
        << r.out;
    ASSERT_EQ(sig, SIGKILL);

    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    auto forks = t.Select([&](const Event &e) { return e.pid == r.pid && e.call == "fork"; });
    ASSERT_EQ(forks.size(), 1u) << t.Head();
    EXPECT_EQ(forks[0]->child, child);
    EXPECT_EQ(forks[0]->result, child);

    const Process *c = t.FindProcess(child);
    ASSERT_NE(c, nullptr) << t.Head();
    EXPECT_TRUE(c->fork_child);
    EXPECT_EQ(c->ppid, r.pid);
    auto reads = t.Select([&](const Event &e) { return e.pid == child && e.IsRead(); });
    ASSERT_EQ(reads.size(), 1u) << t.Head();
    EXPECT_EQ(reads[0]->call, "read");
    EXPECT_EQ(reads[0]->fd, fd);
    EXPECT_EQ(reads[0]->kind, "pipe");
    EXPECT_EQ(reads[0]->arg, 100);
    EXPECT_EQ(reads[0]->state, "unfinished");
    EXPECT_FALSE(reads[0]->has_result);
    EXPECT_TRUE(reads[0]->raw["t_end_ns"].is_null()) << reads[0]->raw.dump();
}

// --- daemon() ------------------------------------------------------------

// Reads from a non-blocking FIFO read end until a writer came and went.
std::string ReadFifo(int fd, double timeout_s) {
    std::string data;
    for (int waited_ms = 0; waited_ms < timeout_s * 1000; waited_ms += 10) {
        char buf[256];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0) {
            data.append(buf, static_cast<size_t>(n));
            continue;
        }
        if (n == 0 && !data.empty())
            break; // the writer closed it
        usleep(10 * 1000);
    }
    return data;
}

// True once pid is gone or a zombie.
bool WaitGone(int pid, double timeout_s) {
    for (int waited_ms = 0; waited_ms < timeout_s * 1000; waited_ms += 10) {
        if (kill(pid, 0) != 0)
            return true;
        std::string stat;
        try {
            stat = harness::ReadFile("/proc/" + std::to_string(pid) + "/stat");
        } catch (const std::exception &) {
            return true;
        }
        size_t paren = stat.rfind(')');
        if (paren != std::string::npos && stat.size() > paren + 2 && stat[paren + 2] == 'Z')
            return true;
        usleep(10 * 1000);
    }
    return false;
}

TEST(Daemon, DaemonChildGetsItsOwnTrace) {
    std::string dir = FreshDir("daemon");
    std::string fifo = harness::FreshPath("daemon.fifo");
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    int fd = open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    ASSERT_GE(fd, 0);
    RunResult r = RunTraced({ProgPath("daemonize"), fifo}, dir);
    ASSERT_RAN_OK(r);
    std::string message = ReadFifo(fd, 20);
    close(fd);
    int daemon_pid = 0;
    ASSERT_EQ(sscanf(message.c_str(), "daemon pid=%d", &daemon_pid), 1)
        << "from the FIFO: '" << message << "'";
    ASSERT_NE(daemon_pid, r.pid);
    ASSERT_TRUE(WaitGone(daemon_pid, 10));

    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ExpectNoLoss(t);
    ASSERT_NE(t.FindProcess(r.pid), nullptr) << t.Head();
    const Process *d = t.FindProcess(daemon_pid);
    ASSERT_NE(d, nullptr) << t.Head();
    EXPECT_TRUE(d->fork_child);
    EXPECT_NE(d->file, t.FindProcess(r.pid)->file);
    auto writes =
        t.Select([&](const Event &e) { return e.pid == daemon_pid && e.call == "write"; });
    ASSERT_EQ(writes.size(), 1u) << t.Head();
    EXPECT_EQ(writes[0]->kind, "fifo");
    EXPECT_EQ(writes[0]->data, message);
    EXPECT_EQ(writes[0]->result, static_cast<int64_t>(message.size()));
}

// --- tracing that cannot write leaves the program alone ----------------------

// At most one line of complaint on stderr.
void ExpectQuietStderr(const RunResult &r) {
    EXPECT_LE(harness::Lines(r.err).size(), 1u) << r.err;
}

TEST(Unwritable, TraceDirUnderARegularFile) {
    RunResult plain = harness::Run({ProgPath("many_writes"), "200"});
    ASSERT_TRUE(plain.exited && plain.exit_code == 3) << plain.Describe();
    ASSERT_EQ(plain.out, "moved 12800 bytes in 200 round trips\n");

    // Root ignores permission bits, so make the directory impossible instead:
    // its parent is a regular file (ENOTDIR), or it is a regular file itself.
    std::string file = harness::FreshPath("not_a_dir");
    harness::WriteFile(file, "x");
    for (const std::string &dir : {file + "/trace", file}) {
        SCOPED_TRACE(dir);
        RunResult r = RunTraced({ProgPath("many_writes"), "200"}, dir);
        EXPECT_TRUE(r.exited && r.exit_code == 3) << r.Describe();
        EXPECT_EQ(r.out, plain.out);
        ExpectQuietStderr(r);
    }
    EXPECT_EQ(harness::ReadFile(file), "x");
}

TEST(Unwritable, FileSizeLimitStopsTracingNotTheProgram) {
    RunResult plain = harness::Run({ProgPath("many_writes"), "20000"});
    ASSERT_TRUE(plain.exited && plain.exit_code == 3) << plain.Describe();

    // 20000 round trips are 40000 records, far more than 1 MiB.  Exceeding
    // RLIMIT_FSIZE raises SIGXFSZ, which would kill the program.
    std::string dir = FreshDir("fsize");
    RunOptions opts;
    opts.rlimit_fsize = 1 << 20;
    RunResult r = RunTraced({ProgPath("many_writes"), "20000"}, dir, opts);
    ASSERT_EQ(r.term_signal, 0) << r.Describe();
    EXPECT_TRUE(r.exited && r.exit_code == 3) << r.Describe();
    EXPECT_EQ(r.out, plain.out);
    ExpectQuietStderr(r);

    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    const Process *p = t.FindProcess(r.pid);
    ASSERT_NE(p, nullptr) << t.Head();
    EXPECT_NE(p->stopped, "");
    EXPECT_GT(p->dropped, 0);
    size_t recorded = t.Count([&](const Event &e) {
        return e.pid == r.pid && e.kind == "pipe" && e.fd != 1 && (e.IsRead() || e.IsWrite());
    });
    EXPECT_GE(static_cast<int64_t>(recorded) + p->dropped, 40000);
    EXPECT_EQ(t.Count([&](const Event &e) { return e.state != "done"; }), 0u);
}

// --- files are traced only when asked ---------------------------------------

TEST(AllFds, FilesAreTracedOnlyWithAllFds) {
    for (bool all : {false, true}) {
        SCOPED_TRACE(all ? "PIPETRACE_ALL_FDS=1" : "default");
        std::string dir = FreshDir("allfds");
        std::string file = harness::FreshPath("written");
        RunOptions opts;
        if (all)
            opts.env.push_back({"PIPETRACE_ALL_FDS", "1"});
        RunResult r = RunTraced({ProgPath("file_writer"), file}, dir, opts);
        ASSERT_RAN_OK(r);
        EXPECT_EQ(harness::ReadFile(file), "file data\n");
        Trace t = harness::LoadTrace(dir);
        ASSERT_TRACE_OK(t);
        auto file_writes =
            t.Select([&](const Event &e) { return e.call == "write" && e.kind == "file"; });
        auto pipe_writes = t.Select([&](const Event &e) {
            return e.call == "write" && e.kind == "pipe" && e.data == "pipe data\n";
        });
        EXPECT_EQ(pipe_writes.size(), 1u) << t.Head();
        if (all) {
            ASSERT_EQ(file_writes.size(), 1u) << t.Head();
            EXPECT_EQ(file_writes[0]->data, "file data\n");
            EXPECT_EQ(file_writes[0]->result, 10);
        } else {
            EXPECT_EQ(file_writes.size(), 0u) << t.Head();
        }
    }
}

// --- seq 1 100000 | sort -n | tail -n 1 ------------------------------------

const char kPipeline[] = "seq 1 100000 | sort -n | tail -n 1";
const int64_t kSeqBytes = 588895; // the length of seq 1 100000's output

// Every byte seq wrote into the first pipe, and sort read all of them.
void CheckSeqSortTail(const Trace &t) {
    auto seqs = t.ProcessesNamed("seq");
    auto sorts = t.ProcessesNamed("sort");
    ASSERT_EQ(seqs.size(), 1u) << t.Head();
    ASSERT_EQ(sorts.size(), 1u) << t.Head();
    const int seq = seqs[0]->pid, sort = sorts[0]->pid;
    EXPECT_EQ(seqs[0]->stdio, "hooked");
    EXPECT_EQ(sorts[0]->stdio, "hooked");

    auto seq_writes = t.Select([&](const Event &e) { return e.pid == seq && e.IsWrite(); });
    ASSERT_FALSE(seq_writes.empty()) << t.Head();
    const uint64_t ino = seq_writes[0]->ino;
    for (const Event *w : seq_writes) {
        EXPECT_EQ(w->kind, "pipe");
        EXPECT_EQ(w->ino, ino);
        EXPECT_EQ(w->via, "stdio");
        EXPECT_EQ(w->fd, 1);
        EXPECT_EQ(w->state, "done");
    }
    EXPECT_EQ(seq_writes[0]->data.substr(0, 8), "1\n2\n3\n4\n");
    EXPECT_EQ(t.SumResult([&](const Event &e) { return e.pid == seq && e.IsWrite(); }), kSeqBytes);
    // Only seq wrote into it; sort read all of it out, and then EOF.
    EXPECT_EQ(t.Count([&](const Event &e) { return e.ino == ino && e.IsWrite() && e.pid != seq; }),
              0u);
    auto sort_reads =
        t.Select([&](const Event &e) { return e.pid == sort && e.ino == ino && e.IsRead(); });
    ASSERT_FALSE(sort_reads.empty()) << t.Head();
    EXPECT_EQ(
        t.SumResult([&](const Event &e) { return e.pid == sort && e.ino == ino && e.IsRead(); }),
        kSeqBytes);
    EXPECT_EQ(sort_reads.back()->result, 0);
    EXPECT_EQ(
        t.SumResult([&](const Event &e) { return e.ino == ino && e.IsRead() && e.pid != sort; }),
        0);
}

TEST(Pipeline, SeqSortTailThroughCli) {
    std::string dir = FreshDir("pipeline_cli");
    RunResult r = RunCli({"sh", "-c", kPipeline}, dir);
    ASSERT_RAN_OK(r);
    EXPECT_EQ(r.out, "100000\n");
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ExpectNoLoss(t);
    CheckSeqSortTail(t);
}

TEST(Pipeline, SeqSortTailWithPlainPreload) {
    std::string dir = FreshDir("pipeline_preload");
    RunResult r = RunTraced({"sh", "-c", kPipeline}, dir);
    ASSERT_RAN_OK(r);
    EXPECT_EQ(r.out, "100000\n");
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ExpectNoLoss(t);
    CheckSeqSortTail(t);
}

// Without PIPETRACE_DIR the trace goes to ./pipetrace.data.
TEST(Pipeline, DefaultTraceDirectory) {
    std::string cwd = FreshDir("cwd");
    RunOptions opts;
    opts.cwd = cwd;
    opts.env.push_back({"LD_PRELOAD", harness::LibPath()});
    RunResult r = harness::Run({ProgPath("pipe_flags"), "pipe"}, opts);
    ASSERT_RAN_OK(r);
    Trace t = harness::LoadTrace(cwd + "/pipetrace.data");
    ASSERT_TRACE_OK(t);
    ASSERT_NE(t.FindProcess(r.pid), nullptr) << t.Head();
    EXPECT_EQ(t.Count([&](const Event &e) { return e.pid == r.pid && e.call == "pipe"; }), 1u);
    struct stat st;
    ASSERT_EQ(stat((cwd + "/pipetrace.data").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
}

// --- the example --------------------------------------------------------

TEST(Example, Pipe2ForkThroughCli) {
    const std::string script = harness::SourcePath("examples/pipe2_fork.py");
    RunResult plain = harness::Run({"/usr/bin/python3", script});
    ASSERT_RAN_OK(plain);
    ASSERT_EQ(plain.out, "Hello child process\n");

    // The Debian python3, as on a clean machine (not a pyenv shim from the
    // caller's PATH, whose shell scripts would fork too).
    RunOptions opts;
    opts.env.push_back({"PATH", "/usr/bin:/bin"});
    std::string dir = FreshDir("example");
    RunResult r = RunCli({"python3", script}, dir, opts);
    ASSERT_RAN_OK(r);
    EXPECT_EQ(r.out, plain.out);

    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    ExpectNoLoss(t);
    auto pipes = t.Select([&](const Event &e) { return e.call == "pipe2"; });
    ASSERT_EQ(pipes.size(), 1u) << t.Head();
    const Event &p2 = *pipes[0];
    EXPECT_EQ(p2.flags, std::vector<std::string>{"O_NONBLOCK"});
    ASSERT_EQ(p2.fds.size(), 2u);
    const int parent = p2.pid, rfd = p2.fds[0], wfd = p2.fds[1];
    const Process *pp = t.FindProcess(parent);
    ASSERT_NE(pp, nullptr);
    EXPECT_FALSE(pp->fork_child);
    EXPECT_TRUE(std::count(pp->argv.begin(), pp->argv.end(), script)) << pp->raw.dump();

    auto forks = t.Select([&](const Event &e) { return e.call == "fork" && e.pid == parent; });
    ASSERT_EQ(forks.size(), 1u) << t.Head();
    const int child = forks[0]->child;
    EXPECT_EQ(forks[0]->result, child);
    const Process *cp = t.FindProcess(child);
    ASSERT_NE(cp, nullptr) << t.Head();
    EXPECT_TRUE(cp->fork_child);
    EXPECT_EQ(cp->ppid, parent);

    const std::string hello = "Hello child process";
    auto writes = t.Select(
        [&](const Event &e) { return e.fd == wfd && e.call == "write" && e.kind == "pipe"; });
    ASSERT_EQ(writes.size(), 1u) << t.Head();
    EXPECT_EQ(writes[0]->pid, parent);
    EXPECT_EQ(writes[0]->arg, 19);
    EXPECT_EQ(writes[0]->result, 19);
    EXPECT_EQ(writes[0]->data, hello);
    EXPECT_TRUE(writes[0]->HasFdFlag("O_NONBLOCK"));
    const uint64_t ino = writes[0]->ino;

    // The child's reads of that pipe: maybe some EAGAIN first, then the
    // message.
    auto reads = t.Select([&](const Event &e) { return e.ino == ino && e.IsRead(); });
    ASSERT_FALSE(reads.empty()) << t.Head();
    for (size_t i = 0; i + 1 < reads.size(); i++) {
        EXPECT_EQ(reads[i]->err, "EAGAIN") << reads[i]->raw.dump();
        EXPECT_EQ(reads[i]->pid, child);
    }
    const Event &got = *reads.back();
    EXPECT_EQ(got.pid, child);
    EXPECT_EQ(got.fd, rfd);
    EXPECT_EQ(got.result, 19);
    EXPECT_EQ(got.data, hello);
    EXPECT_EQ(got.err, "");
    EXPECT_GT(got.t_start_ns, forks[0]->t_start_ns);
}

// --- pipetrace run passes the exit status on ---------------------------------

TEST(Cli, RunExitsWithTheCommandsStatus) {
    RunResult ok = RunCli({ProgPath("many_writes"), "3"}, FreshDir("status"));
    EXPECT_TRUE(ok.exited && ok.exit_code == 3) << ok.Describe();
    EXPECT_EQ(ok.out, "moved 192 bytes in 3 round trips\n");
    RunResult seven = RunCli({"sh", "-c", "exit 7"}, FreshDir("status"));
    EXPECT_TRUE(seven.exited && seven.exit_code == 7) << seven.Describe();
    RunResult killed = RunCli({"sh", "-c", "kill -9 $$"}, FreshDir("status"));
    EXPECT_TRUE(killed.exited && killed.exit_code == 128 + 9) << killed.Describe();
}

// The shells whose argv names `word` in a trace.
size_t ShellsSaying(const Trace &t, const std::string &word) {
    size_t n = 0;
    for (const Process &p : t.processes)
        if (p.argv.size() == 3 && p.argv[2].find(word) != std::string::npos && !p.fork_child)
            n++;
    return n;
}

// Like strace -o, run starts a new trace in DIR; --append adds to it.
TEST(Cli, RunReplacesAnEarlierTraceUnlessAppending) {
    std::string dir = FreshDir("rerun");
    ASSERT_TRUE(RunCli({"sh", "-c", "echo first | cat"}, dir).exited);
    ASSERT_TRUE(RunCli({"sh", "-c", "echo second | cat"}, dir).exited);
    Trace t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    EXPECT_EQ(ShellsSaying(t, "first"), 0u) << t.Head();
    EXPECT_EQ(ShellsSaying(t, "second"), 1u) << t.Head();

    std::vector<std::string> append = {
        harness::CliPath(), "run", "--append", "-o", dir, "--", "sh", "-c", "echo third | cat"};
    ASSERT_TRUE(harness::Run(append).exited);
    t = harness::LoadTrace(dir);
    ASSERT_TRACE_OK(t);
    EXPECT_EQ(ShellsSaying(t, "second"), 1u) << t.Head();
    EXPECT_EQ(ShellsSaying(t, "third"), 1u) << t.Head();
}

} // namespace
