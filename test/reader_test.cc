// Tests of the trace reader, the directory listing, the merge and the name
// tables, on trace files built byte by byte from the structs of format.h,
// and of `pipetrace dump` on such files.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "pipetrace/format.h"
#include "test/trace_builder.h"
#include "trace/dir.h"
#include "trace/events.h"
#include "trace/merge.h"
#include "trace/names.h"
#include "trace/reader.h"
#include "gtest/gtest.h"

namespace {

using tb::Bytes;
using tb::PipePayload;
using tb::Text;
using tb::TraceBuilder;

// --- building trace files ---------------------------------------------------

// A call that returned, on pipe 88121 (device 0).
pt_record Rec(uint8_t type, int32_t tid, int32_t fd, uint64_t t_start, int64_t result,
              uint64_t arg) {
    pt_record r = tb::Rec(type, tid, fd, t_start, result, arg, 88121);
    r.obj_dev = 0;
    return r;
}

std::string FreshDir(const std::string &name) {
    const char *tmp = getenv("TEST_TMPDIR");
    std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/" + name;
    std::string cmd = "rm -rf '" + dir + "' && mkdir -p '" + dir + "'";
    EXPECT_EQ(0, system(cmd.c_str()));
    return dir;
}

std::string WriteFile(const std::string &dir, const std::string &name, const Bytes &bytes) {
    std::string path = dir + "/" + name;
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char *>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    return path;
}

// A file of three records: pipe2, write, read.
TraceBuilder ThreeRecords() {
    TraceBuilder b(4711, 4700, 1000, {"prog", "--flag", "two words"});
    b.Add(Rec(PT_EV_PIPE2, 4711, 3, 1100, 0, O_NONBLOCK), PipePayload(3, 4, 88121));
    b.Add(Rec(PT_EV_WRITE, 4711, 4, 1200, 19, 19), Text("Hello child process"));
    b.Add(Rec(PT_EV_READ, 4711, 3, 1300, 5, 65536), Text("Hello"));
    return b;
}

std::vector<pt_event> ReadAll(const pt_file &f, pt_damage *damage) {
    pt_cursor c;
    pt_event ev;
    std::vector<pt_event> events;
    pt_file_walk(&c, &f);
    while (pt_file_next(&c, &ev))
        events.push_back(ev);
    *damage = c.damage;
    return events;
}

std::string Payload(const pt_event &ev) {
    return std::string(reinterpret_cast<const char *>(ev.payload), ev.rec->data_len);
}

// Opens path, expecting success.
class OpenFile {
  public:
    explicit OpenFile(const std::string &path) {
        ok_ = pt_file_open(&f_, path.c_str(), err_, sizeof err_) == 0;
        EXPECT_TRUE(ok_) << err_;
    }
    ~OpenFile() {
        if (ok_)
            pt_file_close(&f_);
    }
    const pt_file &file() const { return f_; }
    pt_file &file() { return f_; }

  private:
    pt_file f_;
    char err_[512];
    bool ok_;
};

// Opens path, expecting failure; returns the message.
std::string OpenError(const std::string &path) {
    pt_file f;
    char err[512] = "";
    EXPECT_EQ(-1, pt_file_open(&f, path.c_str(), err, sizeof err));
    return err;
}

// --- one file -------------------------------------------------------------

TEST(Reader, ValidFileReadsBackExactly) {
    std::string dir = FreshDir("valid");
    std::string path = WriteFile(dir, "4711.0.ptr", ThreeRecords().Build());
    OpenFile of(path);
    const pt_file &f = of.file();
    EXPECT_STREQ("/usr/bin/prog", f.exe);
    ASSERT_EQ(3u, f.argc);
    EXPECT_STREQ("prog", f.argv[0]);
    EXPECT_STREQ("two words", f.argv[2]);
    EXPECT_EQ(nullptr, f.argv[3]);
    EXPECT_EQ(4711, f.hdr->pid);
    EXPECT_STREQ("4711.0.ptr", pt_file_basename(&f));
    char image[32];
    pt_file_image(&f, image, sizeof image);
    EXPECT_STREQ("4711.0", image);

    pt_damage d;
    std::vector<pt_event> ev = ReadAll(f, &d);
    ASSERT_EQ(3u, ev.size());
    EXPECT_EQ(PT_EV_PIPE2, ev[0].rec->type);
    EXPECT_EQ(static_cast<uint64_t>(O_NONBLOCK), ev[0].rec->arg);
    pt_pipe_payload p;
    ASSERT_EQ(sizeof p, ev[0].rec->data_len);
    memcpy(&p, ev[0].payload, sizeof p);
    EXPECT_EQ(3, p.fds[0]);
    EXPECT_EQ(4, p.fds[1]);
    EXPECT_EQ(PT_EV_WRITE, ev[1].rec->type);
    EXPECT_EQ("Hello child process", Payload(ev[1]));
    EXPECT_EQ(19, ev[1].rec->result);
    EXPECT_EQ(1300u, ev[2].rec->t_start);
    EXPECT_EQ("Hello", Payload(ev[2]));
    EXPECT_EQ(f.hdr->data_offset, ev[0].offset);
    EXPECT_FALSE(pt_damage_any(&d));
    EXPECT_EQ(f.tail, d.stop_offset);
}

TEST(Reader, ZeroGapsAreSkipped) {
    TraceBuilder b = ThreeRecords();
    b.Zeros(24); // abandoned space between records
    b.Add(Rec(PT_EV_CLOSE, 4711, 3, 1400, 0, 0));
    b.Zeros(64); // reserved at the tail, never written
    std::string path = WriteFile(FreshDir("zeros"), "1.0.ptr", b.Build());
    OpenFile of(path);
    pt_damage d;
    std::vector<pt_event> ev = ReadAll(of.file(), &d);
    ASSERT_EQ(4u, ev.size());
    EXPECT_EQ(PT_EV_CLOSE, ev[3].rec->type);
    EXPECT_FALSE(pt_damage_any(&d));
}

TEST(Reader, TornRecordIsCountedAndSkipped) {
    TraceBuilder b(1, 0, 0, {"p"});
    b.Add(Rec(PT_EV_WRITE, 1, 4, 10, 3, 3), Text("abc"));
    pt_record torn = Rec(PT_EV_WRITE, 1, 4, 20, 3, 3);
    torn.state = PT_TORN;
    b.Add(torn, Text("xyz"));
    b.Add(Rec(PT_EV_CLOSE, 1, 4, 30, 0, 0));
    std::string path = WriteFile(FreshDir("torn"), "1.0.ptr", b.Build());
    OpenFile of(path);
    pt_file_scan(&of.file());
    const pt_damage &d = of.file().damage;
    EXPECT_EQ(1u, d.torn);
    EXPECT_EQ(PT_WALK_COMPLETE, d.stop);
    EXPECT_TRUE(pt_damage_any(&d));
    char line[512];
    pt_damage_describe(&of.file(), &d, line, sizeof line);
    EXPECT_EQ(path + ": 1 torn record, read up to offset " + std::to_string(of.file().tail), line);
    pt_damage again;
    std::vector<pt_event> ev = ReadAll(of.file(), &again);
    ASSERT_EQ(2u, ev.size());
    EXPECT_EQ(10u, ev[0].rec->t_start);
    EXPECT_EQ(30u, ev[1].rec->t_start);
}

TEST(Reader, TruncatedMidRecordReadsUpToLastWholeRecord) {
    TraceBuilder b = ThreeRecords();
    uint64_t last = b.Add(Rec(PT_EV_WRITE, 4711, 4, 1400, 40, 40), Text(std::string(40, 'x')));
    Bytes bytes = b.Build();
    for (uint64_t cut : {last + 8, last + 70, static_cast<uint64_t>(bytes.size() - 8)}) {
        SCOPED_TRACE("cut at " + std::to_string(cut));
        Bytes cut_bytes(bytes.begin(), bytes.begin() + static_cast<long>(cut));
        std::string path = WriteFile(FreshDir("cut"), "1.0.ptr", cut_bytes);
        OpenFile of(path);
        pt_damage d;
        std::vector<pt_event> ev = ReadAll(of.file(), &d);
        EXPECT_EQ(3u, ev.size());
        EXPECT_EQ(PT_WALK_TRUNCATED, d.stop);
        EXPECT_EQ(last, d.stop_offset);
    }
}

TEST(Reader, TailPastEndOfFileIsTruncation) {
    TraceBuilder b = ThreeRecords();
    b.header().tail = 1 << 20;
    std::string path = WriteFile(FreshDir("tail"), "1.0.ptr", b.Build());
    OpenFile of(path);
    pt_damage d;
    EXPECT_EQ(3u, ReadAll(of.file(), &d).size());
    EXPECT_EQ(PT_WALK_TRUNCATED, d.stop);
}

TEST(Reader, TruncatedHeaderIsAnError) {
    Bytes bytes = ThreeRecords().Build();
    std::string dir = FreshDir("cuthdr");
    for (size_t cut : {size_t{5}, size_t{12}, size_t{100}, sizeof(pt_file_header) + 4}) {
        SCOPED_TRACE("cut at " + std::to_string(cut));
        std::string path =
            WriteFile(dir, "1.0.ptr", Bytes(bytes.begin(), bytes.begin() + static_cast<long>(cut)));
        std::string err = OpenError(path);
        EXPECT_EQ(0u, err.find("pipetrace: " + path + ": ")) << err;
        EXPECT_TRUE(err.find("truncated header") != std::string::npos ||
                    err.find("bad magic") != std::string::npos)
            << err;
        EXPECT_EQ(std::string::npos, err.find('\n'));
    }
    std::string empty = WriteFile(dir, "2.0.ptr", Bytes());
    EXPECT_EQ("pipetrace: " + empty + ": empty file (the process wrote no header)",
              OpenError(empty));
}

TEST(Reader, BadMagicIsAnError) {
    Bytes bytes = ThreeRecords().Build();
    bytes[0] = 'X';
    std::string path = WriteFile(FreshDir("magic"), "123.0.ptr", bytes);
    EXPECT_EQ("pipetrace: " + path + ": not a pipetrace trace (bad magic)", OpenError(path));
}

TEST(Reader, UnsupportedVersionIsAnError) {
    TraceBuilder b = ThreeRecords();
    b.header().version = PT_VERSION + 1;
    std::string path = WriteFile(FreshDir("version"), "1.0.ptr", b.Build());
    std::string err = OpenError(path);
    EXPECT_EQ(0u,
              err.find("pipetrace: " + path + ": unsupported trace format version " +
                       std::to_string(PT_VERSION + 1) + " (this pipetrace reads versions 1 to " +
                       std::to_string(PT_VERSION) + ")"))
        << err;
}

TEST(Reader, VersionZeroIsAnError) {
    TraceBuilder b = ThreeRecords();
    b.header().version = 0;
    std::string path = WriteFile(FreshDir("version0"), "1.0.ptr", b.Build());
    EXPECT_EQ(0u,
              OpenError(path).find("pipetrace: " + path + ": unsupported trace format version 0"));
}

TEST(Reader, ForeignByteOrderIsAnError) {
    TraceBuilder b = ThreeRecords();
    b.header().byte_order = __builtin_bswap32(PT_BYTE_ORDER);
    b.header().version = __builtin_bswap16(PT_VERSION);
    std::string path = WriteFile(FreshDir("order"), "1.0.ptr", b.Build());
    std::string err = OpenError(path);
    EXPECT_EQ(0u, err.find("pipetrace: " + path + ": ")) << err;
    EXPECT_NE(std::string::npos, err.find("other byte order")) << err;
}

TEST(Reader, BadLayoutIsAnError) {
    std::string dir = FreshDir("layout");
    TraceBuilder small = ThreeRecords();
    small.header().header_size = 100;
    EXPECT_NE(std::string::npos,
              OpenError(WriteFile(dir, "1.0.ptr", small.Build())).find("bad header size"));
    // An exe string with no NUL inside the string area.
    Bytes bytes = ThreeRecords().Build();
    pt_file_header h;
    memcpy(&h, bytes.data(), sizeof h);
    memset(bytes.data() + sizeof h, 'A', h.strings_size);
    EXPECT_NE(std::string::npos,
              OpenError(WriteFile(dir, "2.0.ptr", bytes)).find("bad process strings"));
    // argc larger than the strings that are there.
    TraceBuilder argc = ThreeRecords();
    argc.header().argc = 7;
    EXPECT_NE(std::string::npos,
              OpenError(WriteFile(dir, "3.0.ptr", argc.Build())).find("bad process strings"));
}

// The recorder puts the first record at a multiple of PT_DATA_ALIGN; a
// reader takes any multiple of PT_ALIGN past the strings (format.h).
TEST(Reader, DataOffsetIsAnyMultipleOfEightPastTheStrings) {
    std::string dir = FreshDir("data_offset");
    TraceBuilder eight(4711, 4700, 1000, {"prog", "--flag", "two words"}, "/usr/bin/prog", 8);
    ASSERT_NE(0u, eight.DataOffset() % PT_DATA_ALIGN) << "pick strings that end elsewhere";
    eight.Add(Rec(PT_EV_CLOSE, 4711, 3, 1100, 0, 0));
    OpenFile of(WriteFile(dir, "1.0.ptr", eight.Build()));
    pt_damage d;
    std::vector<pt_event> ev = ReadAll(of.file(), &d);
    ASSERT_EQ(1u, ev.size());
    EXPECT_EQ(eight.DataOffset(), ev[0].offset);
    EXPECT_FALSE(pt_damage_any(&d));

    EXPECT_EQ(0u, ThreeRecords().DataOffset() % PT_DATA_ALIGN);

    TraceBuilder odd = ThreeRecords();
    odd.header().data_offset += 4;
    std::string err = OpenError(WriteFile(dir, "2.0.ptr", odd.Build()));
    EXPECT_NE(std::string::npos, err.find("bad data offset")) << err;

    TraceBuilder inside = ThreeRecords();
    inside.header().data_offset = sizeof(pt_file_header) + 8; // in the strings
    err = OpenError(WriteFile(dir, "3.0.ptr", inside.Build()));
    EXPECT_NE(std::string::npos, err.find("bad data offset")) << err;
}

TEST(Reader, GarbageSizeStopsTheWalk) {
    for (uint32_t garbage : {13u, 8u, 0xfffffff8u, 0x12345u}) {
        SCOPED_TRACE("size " + std::to_string(garbage));
        TraceBuilder b = ThreeRecords();
        pt_record bad = Rec(PT_EV_WRITE, 1, 4, 2000, 0, 0);
        b.Add(bad);
        b.Add(Rec(PT_EV_CLOSE, 1, 4, 3000, 0, 0));
        Bytes bytes = b.Build();
        uint64_t bad_offset = bytes.size() - 2 * PT_RECORD_SIZE;
        memcpy(bytes.data() + bad_offset, &garbage, sizeof garbage);
        std::string path = WriteFile(FreshDir("garbage"), "1.0.ptr", bytes);
        OpenFile of(path);
        pt_damage d;
        std::vector<pt_event> ev = ReadAll(of.file(), &d);
        EXPECT_EQ(3u, ev.size());
        EXPECT_NE(PT_WALK_COMPLETE, d.stop);
        EXPECT_EQ(bad_offset, d.stop_offset);
    }
}

TEST(Reader, InvalidStateAndDataLenAreSkipped) {
    TraceBuilder b(1, 0, 0, {"p"});
    pt_record odd = Rec(PT_EV_WRITE, 1, 4, 10, 0, 0);
    odd.state = 9;
    b.Add(odd);
    Bytes bytes;
    b.Add(Rec(PT_EV_CLOSE, 1, 4, 20, 0, 0));
    b.Add(Rec(PT_EV_CLOSE, 1, 5, 30, 0, 0));
    bytes = b.Build();
    // The second record claims more payload than its size holds.
    uint64_t second = b.DataOffset() + PT_RECORD_SIZE;
    uint32_t data_len = 1000;
    memcpy(bytes.data() + second + offsetof(pt_record, data_len), &data_len, sizeof data_len);
    std::string path = WriteFile(FreshDir("invalid"), "1.0.ptr", bytes);
    OpenFile of(path);
    pt_damage d;
    std::vector<pt_event> ev = ReadAll(of.file(), &d);
    ASSERT_EQ(1u, ev.size());
    EXPECT_EQ(5, ev[0].rec->fd);
    EXPECT_EQ(2u, d.invalid);
    EXPECT_EQ(PT_WALK_COMPLETE, d.stop);
}

TEST(Reader, UnknownTypesAreReturned) {
    TraceBuilder b(1, 0, 0, {"p"});
    b.Add(Rec(60, 1, -1, 10, 0, 0), Text("future"));
    std::string path = WriteFile(FreshDir("unknown"), "1.0.ptr", b.Build());
    OpenFile of(path);
    pt_damage d;
    std::vector<pt_event> ev = ReadAll(of.file(), &d);
    ASSERT_EQ(1u, ev.size());
    EXPECT_EQ(60, ev[0].rec->type);
    EXPECT_EQ("future", Payload(ev[0]));
}

// Whatever bytes a file holds, opening and walking it must not crash or
// loop: flip and cut a valid file at random and read every result.
TEST(Reader, RandomDamageNeverCrashes) {
    Bytes good = ThreeRecords().Build();
    std::string dir = FreshDir("random");
    unsigned seed = 12345;
    auto next = [&seed]() { return seed = seed * 1103515245u + 12345u; };
    for (int i = 0; i < 500; i++) {
        Bytes bytes = good;
        for (int flips = next() % 8; flips > 0; flips--)
            bytes[next() % bytes.size()] = static_cast<uint8_t>(next() >> 16);
        if (next() % 3 == 0)
            bytes.resize(next() % bytes.size());
        std::string path = WriteFile(dir, "1.0.ptr", bytes);
        pt_file f;
        char err[512];
        if (pt_file_open(&f, path.c_str(), err, sizeof err) != 0) {
            EXPECT_EQ(0u, std::string(err).find("pipetrace: " + path + ": ")) << err;
            continue;
        }
        pt_file_scan(&f);
        EXPECT_LE(f.damage.stop_offset, bytes.size());
        pt_file_close(&f);
    }
}

// --- directories and merge ------------------------------------------------

TEST(Dir, MissingAndEmptyDirectoriesAreErrors) {
    pt_dir d;
    char err[512];
    std::string missing = FreshDir("dirs") + "/nope";
    ASSERT_EQ(-1, pt_dir_open(&d, missing.c_str(), err, sizeof err));
    EXPECT_EQ("pipetrace: " + missing + ": no such directory", std::string(err));
    std::string empty = FreshDir("dirs_empty");
    WriteFile(empty, "notes.txt", Text("not a trace"));
    ASSERT_EQ(-1, pt_dir_open(&d, empty.c_str(), err, sizeof err));
    EXPECT_EQ("pipetrace: no trace files in " + empty, std::string(err));
}

TEST(Dir, FilesAreInNumericNameOrderAndABadOneIsSkipped) {
    std::string dir = FreshDir("dirorder");
    WriteFile(dir, "100.0.ptr", TraceBuilder(100, 1, 0, {"a"}).Build());
    WriteFile(dir, "99.1.ptr", TraceBuilder(99, 1, 0, {"b"}).Build());
    WriteFile(dir, "99.0.ptr", TraceBuilder(99, 1, 0, {"c"}).Build());
    pt_dir d;
    char err[512];
    ASSERT_EQ(0, pt_dir_open(&d, dir.c_str(), err, sizeof err)) << err;
    ASSERT_EQ(3u, d.count);
    EXPECT_STREQ("99.0.ptr", pt_file_basename(&d.files[0]));
    EXPECT_STREQ("99.1.ptr", pt_file_basename(&d.files[1]));
    EXPECT_STREQ("100.0.ptr", pt_file_basename(&d.files[2]));
    EXPECT_EQ(0u, d.nskipped);
    pt_dir_close(&d);

    // A file that is not a trace costs only itself.
    std::string bad = WriteFile(dir, "101.0.ptr", Text("garbage garbage garbage"));
    ASSERT_EQ(0, pt_dir_open(&d, dir.c_str(), err, sizeof err)) << err;
    EXPECT_EQ(3u, d.count);
    ASSERT_EQ(1u, d.nskipped);
    EXPECT_STREQ("101.0.ptr", d.skipped[0].name);
    EXPECT_EQ("pipetrace: " + bad + ": not a pipetrace trace (bad magic)",
              std::string(d.skipped[0].message));
    pt_dir_close(&d);
}

TEST(Merge, ThreeFilesComeOutInGlobalTimeOrder) {
    std::string dir = FreshDir("merge");
    const uint64_t times[3][4] = {{5, 10, 40, 70}, {1, 20, 40, 60}, {15, 16, 17, 100}};
    for (int i = 0; i < 3; i++) {
        TraceBuilder b(300 - i, 1, 0, {"p"}); // pids 300, 299, 298
        for (uint64_t t : times[i])
            b.Add(Rec(PT_EV_CLOSE, 300 - i, 3, t, 0, 0));
        WriteFile(dir, std::to_string(300 - i) + ".0.ptr", b.Build());
    }
    pt_dir d;
    char err[512];
    ASSERT_EQ(0, pt_dir_open(&d, dir.c_str(), err, sizeof err)) << err;
    pt_merge m;
    pt_merge_init(&m, d.files, d.count);
    std::vector<std::pair<uint64_t, int32_t>> order;
    pt_merged e;
    while (pt_merge_next(&m, &e))
        order.emplace_back(e.ev.rec->t_start, e.file->hdr->pid);
    pt_merge_free(&m);
    pt_dir_close(&d);
    std::vector<std::pair<uint64_t, int32_t>> want = {{1, 299},  {5, 300},  {10, 300}, {15, 298},
                                                      {16, 298}, {17, 298}, {20, 299}, {40, 299},
                                                      {40, 300}, {60, 299}, {70, 300}, {100, 298}};
    EXPECT_EQ(want, order);
}

// A signal handler, or another thread, can get between a call reading the
// clock and reserving its record: the file then steps back in time, and the
// merge must still come out in time order.
TEST(Merge, RecordsOutOfOrderWithinAFileComeOutInTimeOrder) {
    std::string dir = FreshDir("merge_unsorted");
    TraceBuilder a(10, 1, 0, {"a"});
    for (uint64_t t : {10, 50, 20, 30, 60, 40, 40, 70})
        a.Add(Rec(PT_EV_CLOSE, 10, 3, t, 0, 0));
    WriteFile(dir, "10.0.ptr", a.Build());
    TraceBuilder b(11, 1, 0, {"b"});
    for (uint64_t t : {5, 25, 45, 65})
        b.Add(Rec(PT_EV_CLOSE, 11, 3, t, 0, 0));
    WriteFile(dir, "11.0.ptr", b.Build());
    pt_dir d;
    char err[512];
    ASSERT_EQ(0, pt_dir_open(&d, dir.c_str(), err, sizeof err)) << err;
    pt_merge m;
    pt_merge_init(&m, d.files, d.count);
    EXPECT_EQ(2u, m.source_count); // one reorder window per file
    std::vector<uint64_t> times;
    pt_merged e;
    while (pt_merge_next(&m, &e))
        times.push_back(e.ev.rec->t_start);
    pt_merge_free(&m);
    pt_dir_close(&d);
    EXPECT_EQ((std::vector<uint64_t>{5, 10, 20, 25, 30, 40, 40, 45, 50, 60, 65, 70}), times);
}

// --- names ------------------------------------------------------------------

TEST(Names, CallsObjectsErrnoAndFlags) {
    EXPECT_STREQ("read", pt_event_name(PT_EV_READ));
    EXPECT_STREQ("__read_chk", pt_event_name(PT_EV_READ_CHK));
    EXPECT_STREQ("write", pt_event_name(PT_EV_STDIO_WRITE));
    EXPECT_TRUE(pt_event_via_stdio(PT_EV_STDIO_WRITE));
    EXPECT_FALSE(pt_event_via_stdio(PT_EV_WRITE));
    EXPECT_STREQ("pipe2", pt_event_name(PT_EV_PIPE2));
    EXPECT_STREQ("fork", pt_event_name(PT_EV_FORK));
    EXPECT_EQ(nullptr, pt_event_name(PT_EV_MAX));
    EXPECT_EQ(nullptr, pt_event_name(255));
    EXPECT_STREQ("fifo", pt_obj_kind_name(PT_OBJ_FIFO));
    EXPECT_STREQ("unknown", pt_obj_kind_name(200));
    EXPECT_STREQ("EAGAIN", pt_errno_name(EAGAIN));
    EXPECT_STREQ("EPIPE", pt_errno_name(EPIPE));
    EXPECT_EQ(nullptr, pt_errno_name(4000));
    EXPECT_STREQ("Resource temporarily unavailable", pt_errno_text(EAGAIN));

    char buf[128];
    pt_format_open_flags(O_NONBLOCK | O_CLOEXEC | O_DIRECT, 0, buf, sizeof buf);
    EXPECT_STREQ("O_NONBLOCK|O_CLOEXEC|O_DIRECT", buf);
    pt_format_open_flags(0, 0, buf, sizeof buf);
    EXPECT_STREQ("0", buf);
    pt_format_open_flags(O_WRONLY | O_NONBLOCK, 1, buf, sizeof buf);
    EXPECT_STREQ("O_WRONLY|O_NONBLOCK", buf);
    pt_format_open_flags(O_SYNC, 0, buf, sizeof buf);
    EXPECT_STREQ("O_SYNC", buf);
    pt_format_open_flags(O_NONBLOCK | (1ull << 40), 0, buf, sizeof buf);
    EXPECT_STREQ("O_NONBLOCK|0x10000000000", buf);

    const char *names[8];
    ASSERT_EQ(2u, pt_fd_flag_names(PT_FDF_KNOWN | PT_FDF_WRONLY | PT_FDF_NONBLOCK, names, 8));
    EXPECT_STREQ("O_WRONLY", names[0]);
    EXPECT_STREQ("O_NONBLOCK", names[1]);
    EXPECT_EQ(0u, pt_fd_flag_names(PT_FDF_WRONLY, names, 8));
}

// --- the CLI ----------------------------------------------------------------

struct CliResult {
    int status;
    std::string out, err;
};

std::string Slurp(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

CliResult RunCli(const std::string &args) {
    const char *bin = getenv("PIPETRACE_BIN");
    EXPECT_NE(nullptr, bin) << "PIPETRACE_BIN is not set";
    std::string dir = FreshDir("cli_out");
    std::string cmd = std::string("'") + (bin ? bin : "false") + "' " + args + " >'" + dir +
                      "/out' 2>'" + dir + "/err'";
    int rc = system(cmd.c_str());
    return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, Slurp(dir + "/out"), Slurp(dir + "/err")};
}

int Lines(const std::string &s) {
    int n = 0;
    for (char c : s)
        n += c == '\n';
    return n;
}

TEST(Cli, MissingDirectoryAndBadFileExitTwoWithOneLine) {
    std::string missing = FreshDir("cli_missing") + "/none";
    CliResult r = RunCli("dump '" + missing + "'");
    EXPECT_EQ(2, r.status);
    EXPECT_EQ("pipetrace: " + missing + ": no such directory\n", r.err);
    EXPECT_EQ("", r.out);

    std::string dir = FreshDir("cli_bad");
    Bytes bytes = ThreeRecords().Build();
    bytes[0] = '#';
    std::string bad = WriteFile(dir, "7.0.ptr", bytes);
    r = RunCli("dump --json '" + dir + "'");
    EXPECT_EQ(2, r.status);
    EXPECT_EQ("pipetrace: " + bad + ": not a pipetrace trace (bad magic)\n", r.err);

    r = RunCli("frobnicate");
    EXPECT_EQ(2, r.status);
    EXPECT_EQ(1, Lines(r.err)) << r.err;
    EXPECT_NE(std::string::npos, r.err.find("pipetrace --help"));
    EXPECT_EQ(std::string::npos, r.err.find("did you mean")) << r.err;
}

TEST(Cli, ATypoSuggestsTheCommand) {
    CliResult r = RunCli("sumary");
    EXPECT_EQ(2, r.status);
    EXPECT_EQ("pipetrace: unknown command 'sumary'; did you mean 'pipetrace summary'? "
              "(see pipetrace --help)\n",
              r.err);
    r = RunCli("chekc");
    EXPECT_NE(std::string::npos, r.err.find("did you mean 'pipetrace check'?")) << r.err;
}

// The example of the dump format, rebuilt as trace files.
std::string ExampleTrace() {
    std::string dir = FreshDir("cli_example");
    TraceBuilder parent(4711, 4700, 1000000000, {"python3", "examples/pipe2_fork.py"},
                        "/usr/bin/python3.11");
    parent.Add(Rec(PT_EV_PIPE2, 4711, 3, 1000153000, 0, O_NONBLOCK), PipePayload(3, 4, 88121));
    parent.Add(Rec(PT_EV_FORK, 4711, -1, 1000201000, 4712, 0));
    parent.Add(Rec(PT_EV_WRITE, 4711, 4, 1000300000, 19, 19), Text("Hello child process"));
    pt_record stdio = Rec(PT_EV_STDIO_WRITE, 4711, 1, 1000350000, 4096, 4096);
    stdio.obj_ino = 5;
    parent.Add(stdio, Text("1\n2\n"));
    parent.Add(Rec(PT_EV_WRITE, 4711, 4, 1000360000, 40, 40),
               Text("0123456789012345678901234567890123456789"));
    WriteFile(dir, "4711.0.ptr", parent.Build());

    TraceBuilder child(4712, 4711, 1000200000, {"python3", "examples/pipe2_fork.py"},
                       "/usr/bin/python3.11");
    child.header().flags |= PT_HDR_FORK_CHILD;
    child.Add(Rec(PT_EV_READ, 4712, 3, 1000412000, 19, 65536), Text("Hello child process"));
    pt_record eagain = Rec(PT_EV_READ, 4713, 3, 1000420000, -EAGAIN, 65536);
    eagain.fd_flags = PT_FDF_KNOWN | PT_FDF_RDONLY | PT_FDF_NONBLOCK;
    child.Add(eagain);
    WriteFile(dir, "4712.0.ptr", child.Build());

    TraceBuilder blocked(4713, 1, 1000400000, {"cat"}, "/usr/bin/cat");
    blocked.header().flags |= PT_HDR_STOPPED;
    blocked.header().stop_errno = ENOSPC;
    blocked.header().dropped = 3;
    pt_record unfinished = Rec(PT_EV_READ, 4713, 0, 1500000000, 0, 65536);
    unfinished.state = PT_BEGUN;
    unfinished.obj_ino = 99;
    blocked.Add(unfinished);
    pt_record torn = Rec(PT_EV_READ, 4713, 0, 1600000000, 0, 65536);
    torn.state = PT_TORN;
    blocked.Add(torn);
    WriteFile(dir, "4713.0.ptr", blocked.Build());
    return dir;
}

TEST(Cli, DumpPrintsTheStraceLikeForm) {
    std::string dir = ExampleTrace();
    CliResult r = RunCli("dump '" + dir + "'");
    EXPECT_EQ(0, r.status) << r.err;
    EXPECT_EQ("# process 4711 image 4711.0 ppid 4700: python3 examples/pipe2_fork.py "
              "(exe /usr/bin/python3.11) stdio=hooked data=64\n"
              "# process 4712 image 4712.0 ppid 4711: python3 examples/pipe2_fork.py "
              "(exe /usr/bin/python3.11) stdio=hooked data=64 fork-child\n"
              "# process 4713 image 4713.0 ppid 1: cat (exe /usr/bin/cat) stdio=hooked data=64\n"
              "# tracing stopped in this process: ENOSPC (3 events dropped)\n"
              "[4711] 0.000153 pipe2([3<pipe:[88121]>, 4<pipe:[88121]>], O_NONBLOCK) = 0\n"
              "[4711] 0.000201 fork() = 4712\n"
              "[4711] 0.000300 write(4<pipe:[88121]>, \"Hello child process\", 19) = 19\n"
              "[4711] 0.000350 write(1<pipe:[5]>, \"1\\n2\\n\"..., 4096) = 4096 [stdio]\n"
              "[4711] 0.000360 write(4<pipe:[88121]>, "
              "\"01234567890123456789012345678901\"..., 40) = 40\n"
              "[4712] 0.000412 read(3<pipe:[88121]>, \"Hello child process\", 65536) = 19\n"
              "[4712 4713] 0.000420 read(3<pipe:[88121]>, \"\", 65536) = -1 EAGAIN "
              "(Resource temporarily unavailable)\n"
              "[4713] 0.500000 read(0<pipe:[99]>, <unfinished ...>) = ?\n",
              r.out);
    EXPECT_EQ("pipetrace: warning: " + dir + "/4713.0.ptr: 1 torn record, read up to offset " +
                  std::to_string(TraceBuilder(4713, 1, 0, {"cat"}, "/usr/bin/cat").DataOffset() +
                                 2 * PT_RECORD_SIZE) +
                  "\n",
              r.err);
}

// Every command that reads a trace warns once, and only once, per damaged
// file, whether it found the damage on its own pass or walked for it.
TEST(Cli, EveryCommandWarnsOncePerDamagedFile) {
    std::string dir = ExampleTrace();
    const std::string warning = "pipetrace: warning: " + dir + "/4713.0.ptr: 1 torn record";
    for (const char *command :
         {"dump", "dump --json", "summary", "summary --json", "check", "leaks", "flows", "graph",
          "export --format=jsonl", "export --format=chrome"}) {
        SCOPED_TRACE(command);
        CliResult r = RunCli(std::string(command) + " '" + dir + "'");
        EXPECT_TRUE(r.status == 0 || r.status == 1) << r.err;
        EXPECT_EQ(1, Lines(r.err)) << r.err;
        EXPECT_EQ(0u, r.err.find(warning)) << r.err;
    }
}

TEST(Cli, DumpJsonHasProcessesThenCalls) {
    std::string dir = ExampleTrace();
    CliResult r = RunCli("dump --json '" + dir + "'");
    EXPECT_EQ(0, r.status) << r.err;
    std::vector<std::string> lines;
    std::stringstream in(r.out);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    ASSERT_EQ(11u, lines.size()) << r.out;
    EXPECT_EQ(0u, lines[0].find("{\"type\":\"process\",\"pid\":4711,\"ppid\":4700,"
                                "\"image\":\"4711.0\",\"file\":\"4711.0.ptr\","
                                "\"exe\":\"/usr/bin/python3.11\","
                                "\"argv\":[\"python3\",\"examples/pipe2_fork.py\"]"))
        << lines[0];
    EXPECT_NE(std::string::npos, lines[2].find("\"stopped\":\"ENOSPC\",\"dropped\":3,\"torn\":1"))
        << lines[2];
    EXPECT_NE(std::string::npos, lines[3].find("\"call\":\"pipe2\""));
    EXPECT_NE(std::string::npos, lines[3].find("\"fds\":[3,4]"));
    EXPECT_NE(std::string::npos, lines[3].find("\"flags\":[\"O_NONBLOCK\"]"));
    EXPECT_NE(std::string::npos, lines[4].find("\"child\":4712"));
    EXPECT_NE(std::string::npos, lines[6].find("\"via\":\"stdio\""));
    EXPECT_NE(std::string::npos, lines[6].find("\"data\":\"1\\n2\\n\",\"data_len\":4,"
                                               "\"data_cut\":true"))
        << lines[6];
    EXPECT_NE(std::string::npos, lines[9].find("\"errno\":\"EAGAIN\""));
    EXPECT_NE(std::string::npos, lines[9].find("\"fd_flags\":[\"O_RDONLY\",\"O_NONBLOCK\"]"));
    EXPECT_NE(std::string::npos, lines[10].find("\"result\":null"));
    EXPECT_NE(std::string::npos, lines[10].find("\"state\":\"unfinished\""));
    EXPECT_NE(std::string::npos, lines[10].find("\"t\":0.500000000"));
}

TEST(Cli, JsonDataKeepsEveryByte) {
    std::string dir = FreshDir("cli_bytes");
    TraceBuilder b(1, 0, 0, {"p"});
    Bytes data = {'a', 0, 0x7f, 0x80, 0xff, '"', '\\', '\n'};
    b.Add(Rec(PT_EV_WRITE, 1, 4, 10, 8, 8), data);
    WriteFile(dir, "1.0.ptr", b.Build());
    CliResult r = RunCli("dump --json '" + dir + "'");
    EXPECT_NE(std::string::npos,
              r.out.find("\"data\":\"a\\u0000\\u007f\\u0080\\u00ff\\\"\\\\\\n\""))
        << r.out;
}

} // namespace
