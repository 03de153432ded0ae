// The reader's side of format 2's compact records: what it expands them
// into is the full record they stand for, field by field, whichever way a
// record is reached; damage to them is counted, never trusted.
#include <sys/stat.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "pipetrace/format.h"
#include "test/trace_builder.h"
#include "trace/reader.h"
#include "gtest/gtest.h"

namespace {

using tb::Bytes;
using tb::Text;
using tb::TraceBuilder;

std::string WriteTrace(const std::string &name, const Bytes &bytes) {
    const char *tmp = getenv("TEST_TMPDIR");
    std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/" + name;
    mkdir(dir.c_str(), 0700);
    std::string path = dir + "/4711.0.ptr";
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char *>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    return path;
}

// A record as read: its fields (size left out: it is the file's business)
// and payload, kept by value (an event's rec may point into the event).
struct Read {
    pt_record rec;
    std::string payload;
    uint64_t offset;
};

bool SameCall(const Read &a, const Read &b) {
    pt_record x = a.rec, y = b.rec;
    x.size = y.size = 0;
    return memcmp(&x, &y, sizeof x) == 0 && a.payload == b.payload;
}

Read Keep(const pt_event &ev) {
    return {*ev.rec, std::string(reinterpret_cast<const char *>(ev.payload), ev.rec->data_len),
            ev.offset};
}

std::vector<Read> ReadAll(const pt_file &f, pt_damage *damage) {
    pt_cursor c;
    pt_event ev;
    std::vector<Read> out;
    pt_file_walk(&c, &f);
    while (pt_file_next(&c, &ev))
        out.push_back(Keep(ev));
    *damage = c.damage;
    return out;
}

class Opened {
  public:
    explicit Opened(const std::string &path) {
        char err[512];
        ok_ = pt_file_open(&f_, path.c_str(), err, sizeof err) == 0;
        EXPECT_TRUE(ok_) << err;
    }
    ~Opened() {
        if (ok_)
            pt_file_close(&f_);
    }
    const pt_file &file() const { return f_; }

  private:
    pt_file f_;
    bool ok_;
};

pt_record Io(uint8_t type, int32_t tid, int32_t fd, uint64_t t, int64_t result, uint64_t arg,
             uint64_t ino) {
    pt_record r = tb::Rec(type, tid, fd, t, result, arg, ino);
    r.obj_dev = 0x0c;
    r.obj_kind = PT_OBJ_PIPE;
    r.fd_flags = PT_FDF_KNOWN | (type == PT_EV_WRITE ? PT_FDF_WRONLY : PT_FDF_RDONLY);
    return r;
}

// Calls of every shape a compact record takes, and some it cannot: two
// threads, many fds, an fd reused for another pipe, a call left begun, a
// call of 2^50 ns, a result past int32, bytes asked past uint32, a start
// before the image's, a capture past 64 KiB, other records between.
void AddCalls(TraceBuilder &b) {
    const uint64_t t0 = 1000000;
    b.Add(Io(PT_EV_WRITE, 4711, 4, t0 + 10, 5, 5, 77), Text("hello"));
    b.Add(Io(PT_EV_READ, 4711, 3, t0 + 20, 5, 65536, 77), Text("hello"));
    b.Add(Io(PT_EV_WRITE, 4712, 4, t0 + 30, 3, 3, 77), Text("abc"));
    b.Add(Io(PT_EV_WRITE, 4000000, 4, t0 + 35, 3, 3, 77), Text("def")); // tid past 16 bits
    b.Add(tb::Rec(PT_EV_CLOSE, 4711, 4, t0 + 40, 0, 0, 77));
    b.Add(Io(PT_EV_WRITE, 4711, 4, t0 + 50, 2, 2, 78), Text("xy"));
    b.Add(Io(PT_EV_READ, 4711, 1000000, t0 + 60, 0, 1, 79));
    b.Add(tb::Begun(Io(PT_EV_READ, 4711, 3, t0 + 70, 0, 4096, 77)));
    pt_record slow = Io(PT_EV_READ, 4711, 3, t0 + 80, 1, 1, 77);
    slow.t_end = slow.t_start + (1ull << 50);
    b.Add(slow, Text("z"));
    pt_record big = Io(PT_EV_READV, 4711, 3, t0 + 90, (int64_t)1 << 32, 1ull << 40, 77);
    big.fd_flags |= PT_FDF_DATA_CUT;
    b.Add(big, Text("0123456789"));
    pt_record failed = Io(PT_EV_WRITE, 4711, 4, t0 + 100, -32, 9, 77);
    b.Add(failed);
    pt_record early = Io(PT_EV_READ, 4711, 3, 10, 1, 1, 77);
    b.Add(early, Text("e"));
    pt_record stdio = Io(PT_EV_STDIO_WRITE, 4711, 1, t0 + 120, 70000, 70000, 80);
    b.Add(stdio, Bytes(70000, 'q'));
    pt_record same_ns = Io(PT_EV_WRITEV, 4711, 4, t0 + 130, 1, 1, 78);
    same_ns.t_end = same_ns.t_start;
    b.Add(same_ns, Text("w"));
}

std::string Build(const std::string &name, bool compact) {
    TraceBuilder b(4711, 1, 1000, {"prog"});
    b.Compact(compact);
    AddCalls(b);
    return WriteTrace(name, b.Build());
}

TEST(CompactReader, CompactRecordsReadBackAsTheFullOnes) {
    std::string full_path = Build("full", false), compact_path = Build("compact", true);
    Opened full(full_path), compact(compact_path);
    // Compact records were written: the first record is a channel.
    std::ifstream in(compact_path, std::ios::binary);
    in.seekg(compact.file().hdr->data_offset + 4);
    EXPECT_EQ(in.get(), PT_EV_CHANNEL | PT_COMPACT);
    pt_damage d1, d2;
    std::vector<Read> a = ReadAll(full.file(), &d1), b = ReadAll(compact.file(), &d2);
    EXPECT_FALSE(pt_damage_any(&d1));
    EXPECT_FALSE(pt_damage_any(&d2));
    ASSERT_EQ(a.size(), 14u);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); i++)
        EXPECT_TRUE(SameCall(a[i], b[i])) << "record " << i << " (type " << int(a[i].rec.type)
                                          << ") differs when written compact";
}

// A record found again by its offset (the merge, flows) reads as the walk
// handed it out, even in a file no walk has read yet: its channel is looked
// for then.
TEST(CompactReader, RecordsFoundByOffsetReadAsWalked) {
    std::string path = Build("by_offset", true);
    std::vector<Read> walked;
    {
        Opened first(path);
        pt_damage d;
        walked = ReadAll(first.file(), &d);
    }
    for (size_t i = walked.size(); i-- > 0;) {
        Opened fresh(path);
        pt_event ev;
        ASSERT_TRUE(pt_file_event_at(&fresh.file(), walked[i].offset, &ev));
        EXPECT_TRUE(SameCall(walked[i], Keep(ev))) << "record " << i;
    }
}

// Damage to compact records is counted and skipped; nothing is trusted.
TEST(CompactReader, DamagedCompactRecordsAreSkippedAndCounted) {
    TraceBuilder b(4711, 1, 1000, {"prog"});
    b.Compact(true);
    b.Add(Io(PT_EV_WRITE, 4711, 4, 2000, 5, 5, 77), Text("hello"));
    pt_compact_record k{};
    k.type = PT_EV_READ | PT_COMPACT;
    k.state = PT_DONE;
    k.channel = 42; // never said
    k.size = PT_COMPACT_SIZE;
    tb::Bytes raw(reinterpret_cast<uint8_t *>(&k), reinterpret_cast<uint8_t *>(&k) + sizeof k);
    b.AddRaw(raw);
    k.channel = 0;
    k.data_len = 9; // past its size
    raw.assign(reinterpret_cast<uint8_t *>(&k), reinterpret_cast<uint8_t *>(&k) + sizeof k);
    b.AddRaw(raw);
    k.data_len = 0;
    k.state = 9;
    raw.assign(reinterpret_cast<uint8_t *>(&k), reinterpret_cast<uint8_t *>(&k) + sizeof k);
    b.AddRaw(raw);
    k.state = PT_DONE;
    k.span_lo = 0xffffffffu; // ended, says a note that is not there
    k.span_hi = 0xffff;
    k.result = 7;
    raw.assign(reinterpret_cast<uint8_t *>(&k), reinterpret_cast<uint8_t *>(&k) + sizeof k);
    b.AddRaw(raw);
    k.size = 16; // below a compact header: the walk stops
    raw.assign(reinterpret_cast<uint8_t *>(&k), reinterpret_cast<uint8_t *>(&k) + sizeof k);
    b.AddRaw(raw);
    Opened of(WriteTrace("damaged", b.Build()));
    pt_damage d;
    std::vector<Read> got = ReadAll(of.file(), &d);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].payload, "hello");
    EXPECT_EQ(got[1].rec.state, PT_BEGUN); // its end lost with the note
    EXPECT_EQ(got[1].rec.t_end, 0u);
    EXPECT_EQ(got[1].rec.result, 0);
    EXPECT_EQ(d.invalid, 3u);
    EXPECT_EQ(d.stop, PT_WALK_CORRUPT);
    EXPECT_EQ(d.bad_size, 16u);
}

// A version-1 file has no compact records: a type byte with its high bit
// set is an unknown type there, handed out as it is.
TEST(CompactReader, VersionOneHasNoCompactRecords) {
    TraceBuilder b(4711, 1, 1000, {"prog"});
    b.header().version = 1;
    pt_record r = Io(PT_EV_WRITE, 4711, 4, 2000, 5, 5, 77);
    r.type = PT_EV_WRITE | PT_COMPACT;
    b.Add(r, Text("hello"));
    Opened of(WriteTrace("v1_high_bit", b.Build()));
    pt_damage d;
    std::vector<Read> got = ReadAll(of.file(), &d);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].rec.type, PT_EV_WRITE | PT_COMPACT);
    EXPECT_EQ(got[0].rec.fd, 4);
    EXPECT_EQ(got[0].payload, "hello");
}

} // namespace
