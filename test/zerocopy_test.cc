// Bytes that move between fds inside the kernel (issue 11): splice, tee,
// vmsplice, sendfile and copy_file_range, traced for real.  Each byte a
// splice moves is read from the pipe it left and written into the pipe it
// entered, so summary accounts for every byte on both pipes; the totals per
// pipe agree with strace's view of the same run.
#include <errno.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/analysis_cli.h"
#include "test/harness.h"
#include "test/json.h"
#include "test/trace_builder.h"
#include "trace/xfer.h"

namespace {

using analysis_cli::RunTraced;
using analysis_cli::Viewer;

struct PipeBytes {
    int64_t written = 0, read = 0;
    bool operator==(const PipeBytes &o) const { return written == o.written && read == o.read; }
};

std::ostream &operator<<(std::ostream &os, const PipeBytes &b) {
    return os << "(written " << b.written << ", read " << b.read << ")";
}

// summary --json's pipes that moved bytes, by inode; with made_only, only
// those the traced program made (not the harness's pipe on its stdout).
std::map<int64_t, PipeBytes> SummaryPipes(const json::Value &summary, bool made_only = true) {
    std::map<int64_t, PipeBytes> out;
    for (const json::Value &p : summary["pipes"].as_array()) {
        PipeBytes b{p["bytes_written"].as_int(), p["bytes_read"].as_int()};
        if ((b.written != 0 || b.read != 0) && (!made_only || !p["created_by"].is_null()))
            out[p["inode"].as_int()] = b;
    }
    return out;
}

const json::Value *FlowsPipe(const json::Value &flows, int64_t inode) {
    for (const json::Value &p : flows["pipes"].as_array())
        if (p["inode"].as_int() == inode)
            return &p;
    return nullptr;
}

// The file of `size` bytes the programs send.
std::string DataFile(size_t size) {
    std::string path = harness::FreshPath("zc_data");
    std::string data(size, '\0');
    for (size_t i = 0; i < size; i++)
        data[i] = static_cast<char>('A' + (i * 7) % 23);
    harness::WriteFile(path, data);
    return path;
}

// os.splice between two pipes (CPython's test_os does it): before the
// splice was recorded, written/read showed (5, 0) and (0, 5).
TEST(ZeroCopy, PythonSpliceCountsBothPipes) {
    std::string dir = harness::FreshDir("zc_py_splice");
    const char *script = "import os\n"
                         "r1, w1 = os.pipe()\n"
                         "r2, w2 = os.pipe()\n"
                         "os.write(w1, b'hel')\n"
                         "os.write(w1, b'lo')\n"
                         "assert os.splice(r1, w2, 5) == 5\n"
                         "assert os.read(r2, 5) == b'hello'\n";
    harness::RunResult run = RunTraced({"/usr/bin/python3", "-c", script}, dir);
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    analysis_cli::Output summary = Viewer("summary", dir);
    ASSERT_TRUE(summary.error.empty()) << summary.error;
    std::map<int64_t, PipeBytes> pipes = SummaryPipes(summary.json);
    ASSERT_EQ(2u, pipes.size()) << summary.json.dump();
    for (const auto &[inode, bytes] : pipes)
        EXPECT_EQ((PipeBytes{5, 5}), bytes) << "pipe:[" << inode << "]";

    harness::Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    std::vector<const harness::Event *> splices =
        t.Select([](const harness::Event &e) { return e.call == "splice"; });
    ASSERT_EQ(1u, splices.size()) << t.Head();
    const json::Value &raw = splices[0]->raw;
    EXPECT_EQ(5, splices[0]->result);
    EXPECT_EQ("pipe", raw["object_out"]["kind"].as_string());
    EXPECT_NE(splices[0]->ino, static_cast<uint64_t>(raw["object_out"]["ino"].as_int()));
    EXPECT_EQ("not captured: moved inside the kernel", raw["capture"].as_string());
    // follow carries the bytes across: the splice captured nothing, but the
    // writes into the pipe it took them from did.
    std::string carried = harness::FreshPath("zc_follow");
    harness::RunResult follow = harness::Run(
        {harness::CliPath(), "follow", raw["object_out"]["ino"].dump(), "-o", carried, dir});
    EXPECT_TRUE(follow.exited && follow.exit_code == 0) << follow.Describe();
    EXPECT_EQ("hello", harness::ReadFile(carried));
    // dump --pipe shows the splice on both of its pipes.
    for (uint64_t ino :
         {splices[0]->ino, static_cast<uint64_t>(raw["object_out"]["ino"].as_int())}) {
        harness::RunResult on =
            harness::Run({harness::CliPath(), "dump", "--pipe=" + std::to_string(ino), dir});
        EXPECT_NE(std::string::npos, on.out.find(" splice(")) << ino << "\n" << on.out;
    }
    harness::RunResult text = harness::Run({harness::CliPath(), "dump", dir});
    EXPECT_NE(std::string::npos, text.out.find(", NULL, 5, 0) = 5 (not captured: moved inside "
                                               "the kernel)\n"))
        << text.out;
}

// Four processes: a writer fills pipe A by sendfile, write and vmsplice; a
// pump tees A into C and splices A into B; two readers drain B and C.
TEST(ZeroCopy, SpliceTeeVmspliceAccountForEveryByteOnEveryPipe) {
    std::string dir = harness::FreshDir("zc_pump");
    const size_t file_bytes = 12345;
    harness::RunResult run =
        RunTraced({harness::ProgPath("zc_pump"), DataFile(file_bytes)}, dir, 60);
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    const int64_t sent = file_bytes + 30000 + 20000;
    ASSERT_NE(std::string::npos, run.out.find("sent " + std::to_string(sent))) << run.out;

    analysis_cli::Output summary = Viewer("summary", dir);
    ASSERT_TRUE(summary.error.empty()) << summary.error;
    std::map<int64_t, PipeBytes> pipes = SummaryPipes(summary.json);
    ASSERT_EQ(3u, pipes.size()) << summary.json.dump();
    for (const auto &[inode, bytes] : pipes)
        EXPECT_EQ((PipeBytes{sent, sent}), bytes) << "pipe:[" << inode << "]";

    // flows: B's bytes moved from A by splice, C's copied from A by tee,
    // A's first bytes sent from the file.
    harness::Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    const harness::Event *spl = nullptr, *tee = nullptr;
    for (const harness::Event &e : t.events) {
        if (e.call == "splice" && spl == nullptr)
            spl = &e;
        if (e.call == "tee" && tee == nullptr)
            tee = &e;
    }
    ASSERT_TRUE(spl != nullptr && tee != nullptr) << t.Head();
    int64_t a = static_cast<int64_t>(spl->ino);
    int64_t b = spl->raw["object_out"]["ino"].as_int();
    int64_t c = tee->raw["object_out"]["ino"].as_int();
    analysis_cli::Output flows = Viewer("flows", dir);
    ASSERT_TRUE(flows.error.empty()) << flows.error;
    const json::Value *pb = FlowsPipe(flows.json, b), *pc = FlowsPipe(flows.json, c),
                      *pa = FlowsPipe(flows.json, a);
    ASSERT_TRUE(pa != nullptr && pb != nullptr && pc != nullptr) << flows.json.dump();
    ASSERT_EQ(1u, (*pb)["fed_by"].as_array().size()) << pb->dump();
    const json::Value &fb = (*pb)["fed_by"][0];
    EXPECT_EQ("pipe:[" + std::to_string(a) + "]", fb["from"].as_string());
    EXPECT_EQ("splice", fb["call"].as_string());
    EXPECT_EQ(sent, fb["bytes"].as_int());
    ASSERT_EQ(1u, (*pc)["fed_by"].as_array().size()) << pc->dump();
    EXPECT_EQ("tee", (*pc)["fed_by"][0]["call"].as_string());
    EXPECT_EQ(sent, (*pc)["fed_by"][0]["bytes"].as_int());
    ASSERT_EQ(1u, (*pa)["fed_by"].as_array().size()) << pa->dump();
    EXPECT_EQ("sendfile", (*pa)["fed_by"][0]["call"].as_string());
    EXPECT_EQ("file", (*pa)["fed_by"][0]["from_kind"].as_string());
    EXPECT_EQ(static_cast<int64_t>(file_bytes), (*pa)["fed_by"][0]["bytes"].as_int());
    // One writer and one reader per pipe, byte for byte.
    for (const json::Value *p : {pa, pb, pc}) {
        ASSERT_EQ(1u, (*p)["pairs"].as_array().size()) << p->dump();
        EXPECT_EQ(sent, (*p)["pairs"][0]["bytes"].as_int()) << p->dump();
    }
}

// os.sendfile (sendfile64 in libc) from a file into a pipe, read by the
// parent of the process that sent it.
TEST(ZeroCopy, SendfileFromFileIntoPipe) {
    std::string dir = harness::FreshDir("zc_sendfile");
    const char *script = "import os, sys\n"
                         "size = os.path.getsize(sys.argv[1])\n"
                         "r, w = os.pipe()\n"
                         "if os.fork() == 0:\n"
                         "    os.close(r)\n"
                         "    fd = os.open(sys.argv[1], os.O_RDONLY)\n"
                         "    sent = 0\n"
                         "    while sent < size:\n"
                         "        sent += os.sendfile(w, fd, sent, size - sent)\n"
                         "    os._exit(0)\n"
                         "os.close(w)\n"
                         "got = 0\n"
                         "while True:\n"
                         "    b = os.read(r, 65536)\n"
                         "    if not b: break\n"
                         "    got += len(b)\n"
                         "os.wait()\n"
                         "print(got)\n";
    const int64_t size = 100000;
    harness::RunResult run = RunTraced({"/usr/bin/python3", "-c", script, DataFile(size)}, dir, 60);
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    ASSERT_EQ(std::to_string(size) + "\n", run.out);
    analysis_cli::Output summary = Viewer("summary", dir);
    ASSERT_TRUE(summary.error.empty()) << summary.error;
    std::map<int64_t, PipeBytes> pipes = SummaryPipes(summary.json);
    ASSERT_EQ(1u, pipes.size()) << summary.json.dump();
    EXPECT_EQ((PipeBytes{size, size}), pipes.begin()->second);
    harness::Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    EXPECT_EQ(pipes.begin()->first,
              t.Select([](const harness::Event &e) { return e.call == "sendfile"; })
                  .at(0)
                  ->raw["object_out"]["ino"]
                  .as_int());
}

// Bad offset and iovec pointers fail with EFAULT, bad fds with EBADF, and
// a call that succeeded leaves the caller's errno alone, traced (with and
// without every fd) as untraced.
TEST(ZeroCopy, EdgesBehaveAsUntraced) {
    std::string file = DataFile(64);
    std::vector<std::string> argv = {harness::ProgPath("zc_edges"), file};
    harness::RunResult plain = harness::Run(argv);
    ASSERT_TRUE(plain.exited && plain.exit_code == 0) << plain.Describe();
    ASSERT_NE(std::string::npos, plain.out.find("splice-bad-off -1 14\n")) << plain.out;
    for (bool all_fds : {false, true}) {
        std::string dir = harness::FreshDir("zc_edges");
        harness::RunOptions opts;
        opts.env = harness::PreloadEnv(dir);
        if (all_fds)
            opts.env.push_back({"PIPETRACE_ALL_FDS", "1"});
        harness::RunResult traced = harness::Run(argv, opts);
        ASSERT_TRUE(traced.exited && traced.exit_code == 0) << traced.Describe();
        EXPECT_EQ(plain.out, traced.out) << "all_fds " << all_fds;
        harness::Trace t = harness::LoadTrace(dir);
        ASSERT_TRUE(t.ok) << t.error;
        // Every call on a pipe was recorded; with every fd, the file-to-file
        // copy_file_range too.
        EXPECT_EQ(all_fds ? 1u : 0u, t.Count([](const harness::Event &e) {
            return e.call == "copy_file_range" && e.err == "EFAULT";
        })) << t.Head(60);
        EXPECT_EQ(1u, t.Count([](const harness::Event &e) {
            return e.call == "vmsplice" && e.err == "EFAULT";
        })) << t.Head(60);
    }
}

// pv (Debian's pv) moves a pipeline's bytes with splice: traced, it prints
// what it prints untraced, and summary counts every byte on both pipes.
TEST(ZeroCopy, PvSplicesAPipelineAsUntraced) {
    if (access("/usr/bin/pv", X_OK) != 0)
        GTEST_SKIP() << "pv is not installed";
    std::vector<std::string> argv = {"/bin/sh", "-c", "seq 1 200000 | pv -q | sha1sum"};
    harness::RunResult plain = harness::Run(argv);
    ASSERT_TRUE(plain.exited && plain.exit_code == 0) << plain.Describe();
    std::string dir = harness::FreshDir("zc_pv");
    harness::RunResult traced = RunTraced(argv, dir, 60);
    ASSERT_TRUE(traced.exited && traced.exit_code == 0) << traced.Describe();
    EXPECT_EQ(plain.out, traced.out);
    EXPECT_EQ(plain.err, traced.err);
    analysis_cli::Output summary = Viewer("summary", dir);
    ASSERT_TRUE(summary.error.empty()) << summary.error;
    std::map<int64_t, PipeBytes> pipes = SummaryPipes(summary.json);
    ASSERT_EQ(2u, pipes.size()) << summary.json.dump();
    const int64_t bytes = 1288895; // seq 1 200000 | wc -c
    for (const auto &[inode, b] : pipes)
        EXPECT_EQ((PipeBytes{bytes, bytes}), b) << "pipe:[" << inode << "]";
    harness::Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    EXPECT_LT(0u, t.Count([](const harness::Event &e) { return e.call == "splice"; }))
        << "pv no longer splices?\n"
        << t.Head(60);
}

// A splice blocked on a pipe whose only write end its own process holds:
// check names the hang as it does a blocked read.
TEST(ZeroCopy, BlockedSpliceIsABlockedRead) {
    std::string dir = harness::FreshDir("zc_stuck");
    harness::RunResult run =
        analysis_cli::RunTracedUntilBlocked({harness::ProgPath("zc_stuck")}, dir, "splice", 1);
    ASSERT_TRUE(run.killed_on_purpose) << run.Describe();
    harness::Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    std::vector<const harness::Event *> blocked = t.Select(
        [](const harness::Event &e) { return e.call == "splice" && e.state == "unfinished"; });
    ASSERT_EQ(1u, blocked.size()) << t.Head();
    EXPECT_EQ("pipe", blocked[0]->raw["object_out"]["kind"].as_string());
    analysis_cli::Output check = Viewer("check", dir);
    ASSERT_TRUE(check.error.empty()) << check.error;
    std::vector<json::Value> found = analysis_cli::ProblemsOfKind(check.json, "blocked-read");
    ASSERT_EQ(1u, found.size()) << check.json.dump();
    EXPECT_TRUE(analysis_cli::HasPid(found[0], blocked[0]->pid)) << found[0].dump();
    // graph marks the pump blocked on the pipe it splices from.
    harness::RunResult graph = harness::Run({harness::CliPath(), "graph", "--format=text", dir});
    EXPECT_NE(std::string::npos, graph.out.find(std::to_string(blocked[0]->pid) +
                                                " zc_stuck [no exit seen] [BLOCKED reading pipe:[" +
                                                std::to_string(blocked[0]->ino) + "]]"))
        << graph.out;
}

// A sendfile from a file into a full pipe names the file as its fd and the
// pipe only in its payload: the wait-for graph reads the out side, so the
// sendfile is a blocked write of the pipe, here in a deadlock with the
// pipe's reader, itself blocked writing a full pipe only the sender reads.
TEST(ZeroCopy, SendfileIntoAFullPipeIsABlockedWrite) {
    std::string dir = harness::FreshDir("zc_stuck_sendfile");
    std::string file = DataFile(8192);
    harness::RunOptions opts;
    opts.env = harness::PreloadEnv(dir);
    opts.kill_when = [&] {
        return harness::BlockedCalls(dir, "sendfile") >= 1 &&
               harness::BlockedCalls(dir, "write") >= 1;
    };
    harness::RunResult run = harness::Run({harness::ProgPath("zc_stuck"), "sendfile", file}, opts);
    ASSERT_TRUE(run.killed_on_purpose) << run.Describe();
    harness::Trace t = harness::LoadTrace(dir);
    ASSERT_TRUE(t.ok) << t.error;
    std::vector<const harness::Event *> blocked = t.Select(
        [](const harness::Event &e) { return e.call == "sendfile" && e.state == "unfinished"; });
    ASSERT_EQ(1u, blocked.size()) << t.Head();
    int64_t pipe_ino = blocked[0]->raw["object_out"]["ino"].as_int();
    analysis_cli::Output check = Viewer("check", dir);
    ASSERT_TRUE(check.error.empty()) << check.error;
    std::vector<json::Value> found = analysis_cli::ProblemsOfKind(check.json, "pipe-deadlock");
    ASSERT_EQ(1u, found.size()) << check.json.dump();
    EXPECT_TRUE(analysis_cli::HasPid(found[0], blocked[0]->pid)) << found[0].dump();
    std::string message = found[0]["message"].as_string();
    EXPECT_NE(std::string::npos, message.find(" (pipe:[" + std::to_string(pipe_ino) + "], full)"))
        << message;
}

// --- strace's view of the same run -------------------------------------

// "12 write(4<pipe:[77]>, ..." -> the fd's pipe inode at `pos` in line, or
// -1 when that argument is not a pipe.
int64_t PipeArg(const std::string &line, size_t pos) {
    size_t lt = line.find('<', pos), comma = line.find(',', pos);
    if (lt == std::string::npos || (comma != std::string::npos && comma < lt))
        return -1;
    if (line.compare(lt, 7, "<pipe:[") != 0)
        return -1;
    return std::strtoll(line.c_str() + lt + 7, nullptr, 10);
}

// The start of the n-th argument (0 first) of a call line's first ones,
// which hold no commas of their own (fds, NULL, offsets).
size_t ArgAt(const std::string &line, size_t open, int n) {
    size_t pos = open + 1;
    for (int i = 0; i < n && pos != std::string::npos; i++) {
        pos = line.find(", ", pos);
        if (pos != std::string::npos)
            pos += 2;
    }
    return pos;
}

// strace -f output with each call's unfinished and resumed halves joined.
std::vector<std::string> JoinedCalls(const std::string &text) {
    std::map<std::string, std::string> pending; // pid -> unfinished head
    std::vector<std::string> calls;
    for (const std::string &line : harness::Lines(text)) {
        size_t sp = line.find(' '), call = line.find_first_not_of(' ', sp);
        if (call == std::string::npos)
            continue;
        std::string pid = line.substr(0, sp), rest = line.substr(call);
        size_t unf = rest.rfind(" <unfinished ...>");
        if (unf != std::string::npos) {
            pending[pid] = rest.substr(0, unf);
        } else if (rest.compare(0, 5, "<... ") == 0) {
            size_t end = rest.find(" resumed>");
            if (end != std::string::npos && pending.count(pid))
                calls.push_back(pending[pid] + rest.substr(end + 9));
            pending.erase(pid);
        } else {
            calls.push_back(rest);
        }
    }
    return calls;
}

// Bytes per pipe as strace saw them: read/write on the fd's pipe; splice
// and sendfile a read of the in fd and a write of the out fd; tee a write
// of the out fd only (it leaves the bytes in the in pipe); vmsplice a
// write (the program under test only vmsplices into write ends).
std::map<int64_t, PipeBytes> StracePipes(const std::string &text) {
    std::map<int64_t, PipeBytes> out;
    for (const std::string &call : JoinedCalls(text)) {
        size_t open = call.find('('), eq = call.rfind(" = "); // ")    = 5": strace pads
        if (open == std::string::npos || eq == std::string::npos)
            continue;
        long long n = std::strtoll(call.c_str() + eq + 3, nullptr, 10);
        if (n <= 0)
            continue;
        std::string name = call.substr(0, open);
        int64_t in = -1, to = -1;
        if (name == "read") {
            in = PipeArg(call, ArgAt(call, open, 0));
        } else if (name == "write" || name == "vmsplice") {
            to = PipeArg(call, ArgAt(call, open, 0));
        } else if (name == "splice") {
            in = PipeArg(call, ArgAt(call, open, 0));
            to = PipeArg(call, ArgAt(call, open, 2));
        } else if (name == "tee") {
            to = PipeArg(call, ArgAt(call, open, 1));
        } else if (name == "sendfile") {
            to = PipeArg(call, ArgAt(call, open, 0));
            in = PipeArg(call, ArgAt(call, open, 1));
        }
        if (in >= 0)
            out[in].read += n;
        if (to >= 0)
            out[to].written += n;
    }
    return out;
}

bool StraceWorks() {
    if (access("/usr/bin/strace", X_OK) != 0)
        return false;
    harness::RunResult r =
        harness::Run({"/usr/bin/strace", "-f", "-qq", "-o", "/dev/null", "true"});
    return r.exited && r.exit_code == 0;
}

TEST(ZeroCopy, PipeTotalsEqualStracesForASplicePipeline) {
    if (!StraceWorks())
        GTEST_SKIP() << "strace is not installed or cannot trace here";
    std::string dir = harness::FreshDir("zc_strace");
    std::string log = harness::FreshPath("zc_strace_log");
    harness::RunResult run =
        harness::Run({"/usr/bin/strace", "-f", "-y", "-qq", "-s", "0", "-o", log, "-e",
                      "trace=read,write,splice,tee,sendfile,vmsplice", "-e", "signal=none", "-E",
                      "LD_PRELOAD=" + harness::LibPath(), "-E", "PIPETRACE_DIR=" + dir,
                      harness::ProgPath("zc_pump"), DataFile(7777)});
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    std::map<int64_t, PipeBytes> strace_pipes = StracePipes(harness::ReadFile(log));
    analysis_cli::Output summary = Viewer("summary", dir);
    ASSERT_TRUE(summary.error.empty()) << summary.error;
    std::map<int64_t, PipeBytes> ours = SummaryPipes(summary.json, false);
    EXPECT_EQ(3u, SummaryPipes(summary.json).size()) << summary.json.dump();
    EXPECT_EQ(strace_pipes, ours) << harness::ReadFile(log).substr(0, 4000);
}

// Real programs: coreutils cat copies a file with copy_file_range, and
// Python's shutil.copyfile with sendfile; traced (every fd, so the files'
// calls are recorded), each does what it does untraced.
TEST(ZeroCopy, RealProgramsCopyFilesAsUntraced) {
    std::string src = DataFile(54321);
    struct Case {
        std::string name, call;
        std::vector<std::string> argv;
    };
    std::string py = "import shutil, sys; shutil.copyfile(sys.argv[1], sys.argv[2])";
    for (const std::string &call : {std::string("copy_file_range"), std::string("sendfile")}) {
        std::string plain = harness::FreshPath("zc_copy_plain"),
                    traced = harness::FreshPath("zc_copy_traced");
        auto argv = [&](const std::string &dst) {
            return call == "sendfile"
                       ? std::vector<std::string>{"/usr/bin/python3", "-c", py, src, dst}
                       : std::vector<std::string>{"/bin/sh", "-c", "cat \"$0\" > \"$1\"", src, dst};
        };
        harness::RunResult untraced_run = harness::Run(argv(plain));
        std::string dir = harness::FreshDir("zc_copy");
        harness::RunOptions opts;
        opts.env = harness::PreloadEnv(dir);
        opts.env.push_back({"PIPETRACE_ALL_FDS", "1"});
        harness::RunResult traced_run = harness::Run(argv(traced), opts);
        ASSERT_TRUE(untraced_run.exited && untraced_run.exit_code == 0) << untraced_run.Describe();
        ASSERT_TRUE(traced_run.exited && traced_run.exit_code == 0) << traced_run.Describe();
        EXPECT_EQ(untraced_run.out, traced_run.out);
        EXPECT_EQ(untraced_run.err, traced_run.err);
        EXPECT_EQ(harness::ReadFile(src), harness::ReadFile(plain));
        EXPECT_EQ(harness::ReadFile(plain), harness::ReadFile(traced));
        harness::Trace t = harness::LoadTrace(dir);
        ASSERT_TRUE(t.ok) << t.error;
        EXPECT_EQ(54321, t.SumResult([&](const harness::Event &e) {
            return e.call == call && e.kind == "file";
        })) << call
            << "\n"
            << t.Head(80);
    }
}

// --- each record as the reads and writes it makes (trace/xfer.h) --------

struct OneEvent {
    std::vector<uint64_t> buf;
    pt_event ev{};
    OneEvent(pt_record r, const tb::Bytes &payload) {
        r.data_len = static_cast<uint32_t>(payload.size());
        buf.resize((PT_RECORD_SIZE + payload.size() + 7) / 8 + 1);
        memcpy(buf.data(), &r, sizeof r);
        memcpy(reinterpret_cast<uint8_t *>(buf.data()) + PT_RECORD_SIZE, payload.data(),
               payload.size());
        ev.rec = reinterpret_cast<const pt_record *>(buf.data());
        ev.payload = reinterpret_cast<const uint8_t *>(buf.data()) + PT_RECORD_SIZE;
    }
};

tb::Bytes Xfer(int32_t fd_out, uint8_t kind, uint64_t ino, uint32_t flags, int64_t off_in,
               int64_t off_out);

TEST(ZeroCopySides, SpliceReadsItsInFdAndWritesItsOutFd) {
    OneEvent e(tb::Rec(PT_EV_SPLICE, 1, 3, 100, 5, 65536, 11),
               Xfer(4, PT_OBJ_PIPE, 12, 0, PT_XFER_OFF_NONE, PT_XFER_OFF_NONE));
    pt_io_side s[2];
    ASSERT_EQ(2, pt_event_sides(&e.ev, s));
    EXPECT_FALSE(s[0].is_write);
    EXPECT_TRUE(s[0].consumes);
    EXPECT_EQ(3, s[0].rec.fd);
    EXPECT_EQ(11u, s[0].rec.obj_ino);
    EXPECT_EQ(1, s[0].other);
    EXPECT_TRUE(s[1].is_write);
    EXPECT_EQ(4, s[1].rec.fd);
    EXPECT_EQ(12u, s[1].rec.obj_ino);
    EXPECT_EQ(PT_OBJ_PIPE, s[1].rec.obj_kind);
    EXPECT_EQ(0, s[1].other);
    for (const pt_io_side &side : s) {
        EXPECT_EQ(0u, side.rec.data_len); // no capture: the payload is the out fd
        EXPECT_EQ(5, side.rec.result);
    }
    // A payload too short to name the out fd: no sides, nothing counted.
    OneEvent cut(tb::Rec(PT_EV_SPLICE, 1, 3, 100, 5, 65536, 11), tb::Text("x"));
    EXPECT_EQ(0, pt_event_sides(&cut.ev, s));
}

TEST(ZeroCopySides, TeeLeavesItsBytesInThePipe) {
    OneEvent e(tb::Rec(PT_EV_TEE, 1, 3, 100, 5, 65536, 11),
               Xfer(4, PT_OBJ_PIPE, 12, 0, PT_XFER_OFF_NONE, PT_XFER_OFF_NONE));
    pt_io_side s[2];
    ASSERT_EQ(2, pt_event_sides(&e.ev, s));
    EXPECT_FALSE(s[0].consumes);
    EXPECT_TRUE(s[1].is_write);
}

TEST(ZeroCopySides, VmspliceGoesTheWayItsPipeEndIsOpen) {
    pt_record w = tb::Rec(PT_EV_VMSPLICE, 1, 4, 100, 5, 5 | (uint64_t)8 << 32, 12);
    w.fd_flags = PT_FDF_KNOWN | PT_FDF_WRONLY;
    pt_record r = w;
    r.fd_flags = PT_FDF_KNOWN | PT_FDF_RDONLY;
    pt_io_side s[2];
    OneEvent into(w, tb::Text("hello")), out_of(r, tb::Text("hello"));
    ASSERT_EQ(1, pt_event_sides(&into.ev, s));
    EXPECT_TRUE(s[0].is_write);
    EXPECT_EQ(5u, s[0].rec.arg); // the bytes asked for, without the flags
    EXPECT_EQ(5u, s[0].rec.data_len);
    ASSERT_EQ(1, pt_event_sides(&out_of.ev, s));
    EXPECT_FALSE(s[0].is_write);
    EXPECT_TRUE(s[0].consumes);
}

TEST(ZeroCopySides, ReadAndWriteAreOneSideAndOthersNone) {
    pt_io_side s[2];
    OneEvent rd(tb::Rec(PT_EV_READ, 1, 3, 100, 5, 4096, 11), tb::Text("hello"));
    ASSERT_EQ(1, pt_event_sides(&rd.ev, s));
    EXPECT_FALSE(s[0].is_write);
    EXPECT_EQ(-1, s[0].other);
    OneEvent cl(tb::Rec(PT_EV_CLOSE, 1, 3, 100, 0, 0, 11), tb::Bytes());
    EXPECT_EQ(0, pt_event_sides(&cl.ev, s));
}

// --- dump's two printers, pinned -----------------------------------------

tb::Bytes Xfer(int32_t fd_out, uint8_t kind, uint64_t ino, uint32_t flags, int64_t off_in,
               int64_t off_out) {
    pt_xfer_payload x{};
    x.fd_out = fd_out;
    x.kind_out = kind;
    x.ino_out = ino;
    x.dev_out = 14;
    x.flags = flags;
    x.off_in = off_in;
    x.off_out = off_out;
    const uint8_t *bytes = reinterpret_cast<const uint8_t *>(&x);
    return tb::Bytes(bytes, bytes + sizeof x);
}

// Each call in the states a trace holds it: returned, failed, never
// returned, a payload too short to read.
std::string EveryXferCall() {
    std::string dir = harness::FreshDir("zc_dump");
    const uint64_t start = 1000000000;
    tb::TraceBuilder p(700, 1, start, {"prog"});
    int k = 0;
    auto at = [&](uint8_t type, int32_t fd, int64_t result, uint64_t arg, uint64_t ino) {
        return tb::Rec(type, 700, fd, start + 1000 * (uint64_t)k++, result, arg, ino);
    };
    auto file = [](pt_record r, uint64_t ino) {
        ptb_set_object(&r, PT_OBJ_FILE, ino, 14, 0);
        return r;
    };
    const int64_t none = PT_XFER_OFF_NONE, unknown = PT_XFER_OFF_UNKNOWN;
    p.Add(at(PT_EV_SPLICE, 3, 5, 65536, 11), Xfer(4, PT_OBJ_PIPE, 12, 1 | 4, none, none));
    p.Add(tb::Begun(at(PT_EV_SPLICE, 3, 0, 65536, 11)), Xfer(4, PT_OBJ_PIPE, 12, 0, none, unknown));
    pt_record failed = at(PT_EV_SPLICE, 3, -EAGAIN, 4096, 11);
    p.Add(failed, Xfer(4, PT_OBJ_PIPE, 12, 2, none, none));
    p.Add(at(PT_EV_SPLICE, 3, 5, 65536, 11), tb::Text("short"));
    p.Add(at(PT_EV_TEE, 3, 100, 4096, 11), Xfer(5, PT_OBJ_PIPE, 13, 0, none, none));
    p.Add(at(PT_EV_TEE, 3, 100, 4096, 11), Xfer(5, PT_OBJ_PIPE, 13, 0x30, none, none));
    pt_record vm = at(PT_EV_VMSPLICE, 4, 5, 5 | (uint64_t)8 << 32, 12);
    vm.fd_flags = PT_FDF_KNOWN | PT_FDF_WRONLY;
    p.Add(vm, tb::Text("hello"));
    p.Add(tb::Begun(at(PT_EV_VMSPLICE, 4, 0, 0, 12)));
    p.Add(file(at(PT_EV_SENDFILE, 7, 12345, 12345, 0), 99),
          Xfer(4, PT_OBJ_PIPE, 12, 0, 12345, none));
    p.Add(file(at(PT_EV_SENDFILE, 7, -EPIPE, 10, 0), 99),
          Xfer(4, PT_OBJ_PIPE, 12, 0, unknown, none));
    p.Add(file(at(PT_EV_COPY_FILE_RANGE, 7, 100, 100, 0), 99),
          Xfer(8, PT_OBJ_FILE, 98, 0, 100, 100));
    p.Add(file(at(PT_EV_COPY_FILE_RANGE, 7, -EINVAL, 100, 0), 99),
          Xfer(8, PT_OBJ_FILE, 98, 1, none, none));
    EXPECT_TRUE(p.WriteTo(dir));
    return dir;
}

const char kXferText[] =
    R"(# process 700 image 700.0 ppid 1: prog (exe /usr/bin/prog) stdio=hooked data=64
[700] 0.000000 splice(3<pipe:[11]>, NULL, 4<pipe:[12]>, NULL, 65536, SPLICE_F_MOVE|SPLICE_F_MORE) = 5 (not captured: moved inside the kernel)
[700] 0.000001 splice(3<pipe:[11]>, NULL, 4<pipe:[12]>, ?, 65536, 0 <unfinished ...>) = ?
[700] 0.000002 splice(3<pipe:[11]>, NULL, 4<pipe:[12]>, NULL, 4096, SPLICE_F_NONBLOCK) = -1 EAGAIN (Resource temporarily unavailable) (not captured: moved inside the kernel)
[700] 0.000003 splice(3<pipe:[11]>, ?, ?, ?, 65536, 0) = 5 (not captured: moved inside the kernel)
[700] 0.000004 tee(3<pipe:[11]>, 5<pipe:[13]>, 4096, 0) = 100 (not captured: moved inside the kernel)
[700] 0.000005 tee(3<pipe:[11]>, 5<pipe:[13]>, 4096, 0x30) = 100 (not captured: moved inside the kernel)
[700] 0.000006 vmsplice(4<pipe:[12]>, "hello", 5, SPLICE_F_GIFT) = 5
[700] 0.000007 vmsplice(4<pipe:[12]>, <unfinished ...>) = ?
[700] 0.000008 sendfile(4<pipe:[12]>, 7<file:[99]>, 12345, 12345) = 12345 (not captured: moved inside the kernel)
[700] 0.000009 sendfile(4<pipe:[12]>, 7<file:[99]>, ?, 10) = -1 EPIPE (Broken pipe) (not captured: moved inside the kernel)
[700] 0.000010 copy_file_range(7<file:[99]>, 100, 8<file:[98]>, 100, 100, 0) = 100 (not captured: moved inside the kernel)
[700] 0.000011 copy_file_range(7<file:[99]>, NULL, 8<file:[98]>, NULL, 100, 0x1) = -1 EINVAL (Invalid argument) (not captured: moved inside the kernel)
)";

TEST(ZeroCopyDump, Text) {
    std::string dir = EveryXferCall();
    harness::RunResult r = harness::Run({harness::CliPath(), "dump", dir});
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    EXPECT_EQ(kXferText, r.out);
}

// The JSON's own fields for these calls (after what every call line has).
TEST(ZeroCopyDump, Json) {
    std::string dir = EveryXferCall();
    harness::RunResult r = harness::Run({harness::CliPath(), "dump", "--json", dir});
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    std::vector<std::string> tails;
    for (const std::string &line : harness::Lines(r.out)) {
        size_t state = line.find("\"state\":");
        if (line.find("\"type\":\"call\"") == std::string::npos || state == std::string::npos)
            continue;
        size_t after = line.find(',', state);
        tails.push_back(after == std::string::npos ? "" : line.substr(after + 1));
    }
    const std::vector<std::string> expected = {
        R"("off_in":"NULL","fd_out":4,"off_out":"NULL","splice_flags":5,"object_out":{"kind":"pipe","ino":12,"dev":14},"capture":"not captured: moved inside the kernel"})",
        R"("off_in":"NULL","fd_out":4,"off_out":null,"splice_flags":0,"object_out":{"kind":"pipe","ino":12,"dev":14},"capture":"not captured: moved inside the kernel"})",
        R"("off_in":"NULL","fd_out":4,"off_out":"NULL","splice_flags":2,"object_out":{"kind":"pipe","ino":12,"dev":14},"capture":"not captured: moved inside the kernel"})",
        R"("off_in":null,"fd_out":null,"off_out":null,"splice_flags":0,"capture":"not captured: moved inside the kernel"})",
        R"("fd_out":5,"splice_flags":0,"object_out":{"kind":"pipe","ino":13,"dev":14},"capture":"not captured: moved inside the kernel"})",
        R"("fd_out":5,"splice_flags":48,"object_out":{"kind":"pipe","ino":13,"dev":14},"capture":"not captured: moved inside the kernel"})",
        R"("data":"hello","data_len":5,"data_cut":false,"count":5,"splice_flags":8})",
        R"("data":"","data_len":0,"data_cut":false,"count":0,"splice_flags":0})",
        R"("fd_out":4,"offset":12345,"object_out":{"kind":"pipe","ino":12,"dev":14},"capture":"not captured: moved inside the kernel"})",
        R"("fd_out":4,"offset":null,"object_out":{"kind":"pipe","ino":12,"dev":14},"capture":"not captured: moved inside the kernel"})",
        R"("off_in":100,"fd_out":8,"off_out":100,"copy_flags":0,"object_out":{"kind":"file","ino":98,"dev":14},"capture":"not captured: moved inside the kernel"})",
        R"("off_in":"NULL","fd_out":8,"off_out":"NULL","copy_flags":1,"object_out":{"kind":"file","ino":98,"dev":14},"capture":"not captured: moved inside the kernel"})",
    };
    EXPECT_EQ(expected, tails) << r.out;
}

} // namespace
