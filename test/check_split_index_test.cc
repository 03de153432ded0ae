// short-read-unhandled on a trace of many pipes: the detector finds each
// pipe's writes and each reader through hash indexes (check_split.c) that
// grow as channels and readers come.  The reader it must name is met before
// the last growth and read again after it, and the readers of every other
// pipe stay silent.  (A growth that loses entries fails here; speed is not
// asserted: the indexes replaced a scan of every channel and reader on each
// call, with the same answers.)
#include <string>

#include <gtest/gtest.h>

#include "test/analysis_cli.h"
#include "test/harness.h"
#include "test/trace_builder.h"

namespace {

constexpr int kPipes = 300;     // channels and readers: past several growths of a 64-slot index
constexpr int kShortPipe = 200; // met before the index grows past 256, read again after
constexpr uint64_t kFirstIno = 5000;
constexpr int32_t kWriter = 100, kReader = 200;

// Each pipe carries two 64-byte messages; the reader asks 64 on every
// read.  On kShortPipe its first read was cut to 10 bytes by an injected
// short read, and it asked 64 again next (the bug), but only after every
// other pipe was read: the detector must still know that reader and that
// channel after its indexes grew.
std::string ManyPipesTrace() {
    std::string dir = harness::FreshDir("split_many_pipes");
    tb::TraceBuilder writer(kWriter, 1, 1000, {"writer"}, "/usr/bin/writer");
    tb::TraceBuilder reader(kReader, 1, 1000, {"reader"}, "/usr/bin/reader");
    uint64_t t = 2000;
    for (int k = 0; k < kPipes; k++, t += 100) {
        uint64_t ino = kFirstIno + static_cast<uint64_t>(k);
        int32_t fd = 3 + k;
        for (int m = 0; m < 2; m++)
            writer.Add(tb::Rec(PT_EV_WRITE, kWriter, fd, t + static_cast<uint64_t>(m), 64, 64, ino),
                       tb::Text(std::string(64, 'a' + m)));
        pt_record first = tb::Rec(PT_EV_READ, kReader, fd, t + 10, 64, 64, ino);
        if (k == kShortPipe) {
            first.result = 10;
            first.fd_flags |= PT_FDF_INJECTED;
        }
        reader.Add(first, tb::Text(std::string(static_cast<size_t>(first.result), 'a')));
        if (k != kShortPipe)
            reader.Add(tb::Rec(PT_EV_READ, kReader, fd, t + 20, 64, 64, ino),
                       tb::Text(std::string(64, 'b')));
    }
    uint64_t short_ino = kFirstIno + kShortPipe;
    reader.Add(tb::Rec(PT_EV_READ, kReader, 3 + kShortPipe, t + 20, 64, 64, short_ino),
               tb::Text(std::string(54, 'a') + std::string(10, 'b')));
    writer.Add(tb::Rec(PT_EV_EXIT, kWriter, -1, t + 50, 0, 0));
    reader.Add(tb::Rec(PT_EV_EXIT, kReader, -1, t + 60, 0, 0));
    EXPECT_TRUE(writer.WriteTo(dir));
    EXPECT_TRUE(reader.WriteTo(dir));
    return dir;
}

TEST(ShortReadUnhandled, NamesTheOneReaderAmongHundredsOfPipes) {
    std::string dir = ManyPipesTrace();
    analysis_cli::Output check = analysis_cli::Viewer("check", dir);
    ASSERT_TRUE(check.error.empty()) << check.error;
    auto split = analysis_cli::ProblemsOfKind(check.json, "short-read-unhandled");
    ASSERT_EQ(1u, split.size()) << check.json.dump();
    EXPECT_TRUE(analysis_cli::HasPid(split[0], kReader)) << split[0].dump();
    std::string pipe = "pipe:[" + std::to_string(kFirstIno + kShortPipe) + "]";
    EXPECT_NE(std::string::npos, split[0]["message"].as_string().find(pipe)) << split[0].dump();
}

} // namespace
