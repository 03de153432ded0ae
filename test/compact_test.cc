// Format 2's compact I/O record (issue 12: disk): what it costs on disk,
// and that the viewer says exactly what it says of the full records the
// compact ones stand for.
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pipetrace/format.h"
#include "test/harness.h"

namespace {

// One record of a file as it lies on disk.
struct RawRecord {
    uint64_t offset;
    uint32_t size;
    uint8_t type; // as written: PT_COMPACT set for a compact record
};

// The paths of the trace files in dir.
std::vector<std::string> TraceFiles(const std::string &dir) {
    std::vector<std::string> files;
    for (const std::string &name : harness::TraceFileNames(dir))
        files.push_back(dir + "/" + name);
    return files;
}

// The records of one file, walked as a reader walks them (zero words
// skipped), without interpreting them.
std::vector<RawRecord> RawRecords(const std::string &path) {
    std::string bytes = harness::ReadFile(path);
    std::vector<RawRecord> out;
    pt_file_header h;
    if (bytes.size() < sizeof h)
        return out;
    memcpy(&h, bytes.data(), sizeof h);
    uint64_t end = h.tail < bytes.size() ? h.tail : bytes.size();
    for (uint64_t pos = h.data_offset; pos + PT_ALIGN <= end;) {
        uint32_t size;
        memcpy(&size, bytes.data() + pos, sizeof size);
        if (size == 0) {
            pos += PT_ALIGN;
            continue;
        }
        if (size % PT_ALIGN != 0 || pos + size > end)
            break;
        out.push_back({pos, size, static_cast<uint8_t>(bytes[pos + 4])});
        pos += size;
    }
    return out;
}

harness::RunResult Traced(const std::string &dir, const std::vector<std::string> &argv,
                          bool full_records = false) {
    harness::RunOptions opts;
    opts.env = harness::PreloadEnv(dir);
    if (full_records)
        opts.env.push_back({"PIPETRACE_FULL_RECORDS", "1"});
    return harness::Run(argv, opts);
}

harness::RunResult View(const std::string &command, const std::string &dir) {
    std::vector<std::string> argv = {harness::CliPath(), command};
    if (command != "dump")
        argv.push_back("--json");
    argv.push_back(dir);
    return harness::Run(argv);
}

size_t CountCompact(const std::string &dir) {
    size_t n = 0;
    for (const std::string &file : TraceFiles(dir))
        for (const RawRecord &r : RawRecords(file))
            n += (r.type & PT_COMPACT) != 0;
    return n;
}

// A traced 16-byte write costs at most 48 bytes on disk: a 32-byte header
// and its 16 bytes of capture (the channel record, once per fd, is not a
// write's).
TEST(Compact, SixteenByteWriteIsFortyEightBytes) {
    std::string dir = harness::FreshDir("sixteen");
    harness::RunResult r = Traced(dir, {harness::ProgPath("sixteen_writes"), "200"});
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    size_t writes = 0;
    uint64_t bytes = 0;
    for (const std::string &file : TraceFiles(dir))
        for (const RawRecord &rec : RawRecords(file))
            if ((rec.type & ~PT_COMPACT) == PT_EV_WRITE) {
                writes++;
                bytes += rec.size;
                EXPECT_LE(rec.size, 48u) << file << " at " << rec.offset;
            }
    EXPECT_EQ(writes, 200u);
    EXPECT_EQ(bytes, 200u * 48);
}

// The same run with PIPETRACE_FULL_RECORDS=1: 80 bytes a write, as format 1.
TEST(Compact, FullRecordsSwitchWritesNoCompactRecord) {
    std::string dir = harness::FreshDir("sixteen_full");
    harness::RunResult r =
        Traced(dir, {harness::ProgPath("sixteen_writes"), "20"}, /*full_records=*/true);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    EXPECT_EQ(CountCompact(dir), 0u);
    size_t writes = 0;
    for (const std::string &file : TraceFiles(dir))
        for (const RawRecord &rec : RawRecords(file))
            if (rec.type == PT_EV_WRITE) {
                writes++;
                EXPECT_EQ(rec.size, 80u);
            }
    EXPECT_EQ(writes, 20u);
}

// A process that makes ten traced calls leaves at most 8 KiB.
TEST(Compact, TenCallProcessLeavesAtMostEightKiB) {
    std::string dir = harness::FreshDir("ten");
    harness::RunResult r = Traced(dir, {harness::ProgPath("ten_calls")});
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    std::vector<std::string> files = TraceFiles(dir);
    ASSERT_EQ(files.size(), 1u);
    struct stat st;
    ASSERT_EQ(stat(files[0].c_str(), &st), 0);
    EXPECT_LE(st.st_size, 8192) << files[0];
    EXPECT_GT(CountCompact(dir), 0u);
}

// Bytes asked for that do not fit a compact record (a readv whose one
// iovec says 8 GiB, known only once the call returned) are kept exactly,
// in a note.
TEST(Compact, BytesAskedBeyondThirtyTwoBitsAreKeptInANote) {
    std::string dir = harness::FreshDir("huge");
    harness::RunResult r = Traced(dir, {harness::ProgPath("huge_readv")});
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    size_t notes = 0;
    for (const std::string &file : TraceFiles(dir))
        for (const RawRecord &rec : RawRecords(file))
            notes += rec.type == PT_EV_NOTE;
    EXPECT_EQ(notes, 1u);
    harness::Trace t = harness::LoadTrace(dir);
    std::vector<const harness::Event *> readv =
        t.Select([](const harness::Event &e) { return e.call == "readv"; });
    ASSERT_EQ(readv.size(), 1u) << t.Head();
    EXPECT_EQ(readv[0]->arg, int64_t{1} << 33);
    EXPECT_EQ(readv[0]->result, 5);
    EXPECT_EQ(readv[0]->data, "hello");
}

// Runs that use most I/O paths: stdio, readv/writev, threads, fork, exec,
// blocked and killed calls.
const char *const kScript = "printf 'b\\na\\nc\\n' | sort | tr a-z A-Z; "
                            "seq 1 2000 | while read -r n; do echo $n; done | tail -n 2; "
                            "$IOVEC; $THREADS > /dev/null; $KILLED > /dev/null; "
                            "$SIXTEEN 30 | cat";

// What the viewer says of a trace equals what it says of the same trace
// with every compact record replaced by the full record it stands for
// (expand_trace): nothing a compact record leaves out is lost.
TEST(Compact, ViewerAnswersEqualThoseOfTheFullRecords) {
    std::string dir = harness::FreshDir("answers");
    harness::RunOptions opts;
    opts.env = harness::PreloadEnv(dir);
    opts.env.push_back({"IOVEC", harness::ProgPath("iovec")});
    opts.env.push_back({"THREADS", harness::ProgPath("threads_writer")});
    opts.env.push_back({"KILLED", harness::ProgPath("killed_writer")});
    opts.env.push_back({"SIXTEEN", harness::ProgPath("sixteen_writes")});
    harness::RunResult r = harness::Run({"/bin/sh", "-c", kScript}, opts);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    ASSERT_GT(CountCompact(dir), 1000u);

    std::string full = harness::FreshPath("answers_full");
    harness::RunResult x = harness::Run({harness::ProgPath("expand_trace"), dir, full});
    ASSERT_TRUE(x.exited && x.exit_code == 0) << x.Describe();
    ASSERT_EQ(CountCompact(full), 0u);
    ASSERT_EQ(TraceFiles(full).size(), TraceFiles(dir).size());

    for (const std::string command : {"summary", "check", "flows", "leaks", "dump"}) {
        harness::RunResult a = View(command, dir), b = View(command, full);
        EXPECT_EQ(a.exit_code, b.exit_code) << command;
        EXPECT_GT(a.out.size(), 10u) << command;
        EXPECT_TRUE(a.out == b.out) << command << " differs on the expanded trace";
        // Warnings name the directory: the same ones, each naming its own.
        std::string err = a.err;
        for (size_t at = 0; (at = err.find(dir, at)) != std::string::npos; at += full.size())
            err.replace(at, dir.size(), full);
        EXPECT_EQ(err, b.err) << command;
    }
}

// What one event says, without what differs from run to run (pids,
// inode numbers, times): the same program traced with compact records and
// with full ones must give the same list.
std::string Describe(const harness::Trace &t, const harness::Event &e) {
    const harness::Process *p = t.FindProcess(e.pid);
    // A module's load address moves with ASLR; a call site's arg is the
    // file offset of the record it describes, which compact records move.
    bool arg_varies = e.call == "module" || e.call == "callsite";
    // fork and wait return pids.
    bool result_varies = e.call == "fork" || e.call == "vfork" || e.call == "wait";
    std::string s = e.call + " via=" + e.via + " fd=" + std::to_string(e.fd) + " kind=" + e.kind +
                    " arg=" + (arg_varies ? "-" : std::to_string(e.arg)) + " result=" +
                    (result_varies  ? "-"
                     : e.has_result ? std::to_string(e.result)
                                    : "null") +
                    " err=" + e.err + " state=" + e.state + " data=" + e.data +
                    " len=" + std::to_string(e.data_len) + " cut=" + std::to_string(e.data_cut) +
                    " main_thread=" + std::to_string(e.tid == e.pid) +
                    " exe=" + (p != nullptr ? p->exe : "?");
    for (const std::string &f : e.fd_flags)
        s += " " + f;
    return s;
}

std::vector<std::string> Described(const std::string &dir) {
    harness::Trace t = harness::LoadTrace(dir);
    EXPECT_TRUE(t.ok) << t.error;
    std::vector<std::string> out;
    for (const harness::Event &e : t.events)
        if (e.call != "inherited_fd") // the test's own fds differ between runs
            out.push_back(Describe(t, e));
    return out;
}

// The recorder's compact records say what its full records say: the same
// deterministic programs traced both ways, event by event.
TEST(Compact, CompactAndFullRecordsOfOneRunAgree) {
    for (std::vector<std::string> argv : std::vector<std::vector<std::string>>{
             {harness::ProgPath("sixteen_writes"), "40"},
             {harness::ProgPath("iovec")},
             {harness::ProgPath("ten_calls")},
             {harness::ProgPath("huge_readv")},
             {"/bin/sh", "-c", "printf 'x\\ny\\n' | sort -r | tr x z"}}) {
        std::string compact = harness::FreshDir("agree"), full = harness::FreshDir("agree_full");
        harness::RunResult a = Traced(compact, argv), b = Traced(full, argv, true);
        ASSERT_TRUE(a.exited && b.exited && a.exit_code == b.exit_code) << a.Describe();
        ASSERT_EQ(a.out, b.out);
        EXPECT_GT(CountCompact(compact), 0u) << argv[0];
        EXPECT_EQ(CountCompact(full), 0u);
        std::vector<std::string> x = Described(compact), y = Described(full);
        // The processes of a pipeline interleave as the kernel pleases.
        if (argv[0] == "/bin/sh") {
            std::sort(x.begin(), x.end());
            std::sort(y.begin(), y.end());
        }
        EXPECT_EQ(x, y) << argv[0];
    }
}

} // namespace
