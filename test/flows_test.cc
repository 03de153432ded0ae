// Tests of `pipetrace flows` and `pipetrace follow` on real traces, and of
// the latency histogram behind the medians.
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "analysis/flows_hist.h"
#include "test/flows_fixture.h"
#include "test/harness.h"
#include "test/json.h"

namespace {

using fixture::Cli;
using fixture::CliJson;
using fixture::Program;
using harness::RunResult;

// "writer->reader" program names -> bytes, over every pipe.
std::map<std::string, int64_t> PairBytes(const json::Value &flows) {
    std::map<std::string, int64_t> out;
    for (const json::Value &p : flows["pipes"].as_array())
        for (const json::Value &pair : p["pairs"].as_array())
            out[Program(pair["writer"]) + "->" + Program(pair["reader"])] += pair["bytes"].as_int();
    return out;
}

// True when every pair of the pipe has both ends traced.
bool Traced(const json::Value &pipe) {
    for (const json::Value &pair : pipe["pairs"].as_array())
        if (!pair["writer"].is_object() || !pair["reader"].is_object())
            return false;
    return pipe["pairs"].size() > 0;
}

// The id ("pipe:[N]") of the pipe `program` wrote to a traced reader.
std::string PipeWrittenBy(const json::Value &flows, const std::string &program) {
    for (const json::Value &p : flows["pipes"].as_array())
        for (const json::Value &pair : p["pairs"].as_array())
            if (Program(pair["writer"]) == program && pair["reader"].is_object())
                return p["id"].as_string();
    return "";
}

TEST(Flows, PipelineBytesPerPair) {
    ASSERT_NE(fixture::PipelineDir(), "");
    json::Value flows = CliJson({"flows", "--json", fixture::PipelineDir()});
    ASSERT_TRUE(flows.is_object());
    auto pairs = PairBytes(flows);
    EXPECT_EQ(pairs["seq->sort"], fixture::kPipelineBytes) << flows.dump();
    EXPECT_EQ(pairs["sort->tail"], fixture::kPipelineBytes) << flows.dump();
    int checked = 0;
    for (const json::Value &p : flows["pipes"].as_array()) {
        // Skip the pipe the test reads tail's output from: its reader is us.
        if (!Traced(p))
            continue;
        checked++;
        EXPECT_EQ(p["bytes_written"].as_int(), p["bytes_read"].as_int()) << p.dump();
        EXPECT_EQ(p["data"]["mismatches"].as_int(), 0) << p.dump();
        EXPECT_GT(p["data"]["compared_bytes"].as_int(), 0) << p.dump();
        EXPECT_EQ(p["ambiguous"]["concurrent_reads"].as_int(), 0) << p.dump();
        const json::Value &lat = p["pairs"][0]["latency_ns"];
        ASSERT_TRUE(lat.is_object()) << p.dump();
        EXPECT_LE(lat["median"].as_int(), lat["max"].as_int());
    }
    EXPECT_EQ(checked, 2) << flows.dump();
}

TEST(Flows, PipelineText) {
    RunResult r = Cli({"flows", fixture::PipelineDir()});
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    EXPECT_NE(r.out.find("seq 1 100000 -> "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("sort -n -> "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("588895 bytes,"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("latency first"), std::string::npos) << r.out;
}

TEST(Flows, SeedParentToChild19Bytes) {
    ASSERT_NE(fixture::SeedDir(), "");
    json::Value flows = CliJson({"flows", "--json", fixture::SeedDir()});
    // The child's stdout is the test's pipe: the one pipe between traced
    // processes is the example's.
    std::vector<json::Value> pipes;
    for (const json::Value &p : flows["pipes"].as_array())
        if (Traced(p))
            pipes.push_back(p);
    ASSERT_EQ(pipes.size(), 1u) << flows.dump();
    const json::Value &p = pipes[0];
    EXPECT_EQ(p["bytes_written"].as_int(), 19);
    EXPECT_EQ(p["bytes_read"].as_int(), 19);
    ASSERT_EQ(p["pairs"].size(), 1u) << p.dump();
    const json::Value &pair = p["pairs"][0];
    EXPECT_EQ(pair["bytes"].as_int(), 19);
    EXPECT_EQ(pair["writes"].as_int(), 1);
    EXPECT_EQ(pair["reads"].as_int(), 1);
    ASSERT_TRUE(pair["writer"].is_object() && pair["reader"].is_object()) << p.dump();
    // The parent wrote, the child it forked read.
    RunResult d = Cli({"dump", "--json", fixture::SeedDir()});
    harness::Trace t = harness::ParseTrace(d.out);
    const harness::Process *reader = t.FindProcess((int)pair["reader"]["pid"].as_int());
    ASSERT_NE(reader, nullptr);
    EXPECT_TRUE(reader->fork_child);
    EXPECT_EQ(reader->ppid, pair["writer"]["pid"].as_int());
    EXPECT_EQ(p["data"]["compared_bytes"].as_int(), 19);
    EXPECT_EQ(p["data"]["mismatches"].as_int(), 0);
}

// Two readers share one read end and read at the same time: flows must
// account for every byte and say that the split is a guess.  (two_readers
// has both blocked in read before it writes, so they overlap on any load.)
TEST(Flows, ConcurrentReadersAreReportedAmbiguous) {
    std::string dir = harness::FreshDir("two_readers");
    RunResult r = fixture::TraceCli({harness::ProgPath("two_readers")}, dir);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    json::Value flows = CliJson({"flows", "--json", dir});
    std::string id = PipeWrittenBy(flows, "two_readers");
    ASSERT_NE(id, "") << flows.dump();
    for (const json::Value &p : flows["pipes"].as_array()) {
        if (p["id"].as_string() != id)
            continue;
        EXPECT_EQ(p["bytes_read"].as_int(), 13);
        std::set<int64_t> readers;
        int64_t sum = 0;
        for (const json::Value &pair : p["pairs"].as_array()) {
            readers.insert(pair["reader"]["pid"].as_int());
            sum += pair["bytes"].as_int();
        }
        EXPECT_EQ(sum, 13);
        EXPECT_EQ(readers.size(), 2u) << p.dump();
        EXPECT_GT(p["ambiguous"]["concurrent_reads"].as_int(), 0) << p.dump();
    }
    RunResult text = Cli({"flows", dir});
    EXPECT_NE(text.out.find("ambiguous"), std::string::npos) << text.out;
}

// --- follow -----------------------------------------------------------------

// Three writes of 100 bytes ('A'x100, 'B'x100, 'C'x100) into cat, traced
// with 8 bytes captured per call.
std::string PartialCaptureDir() {
    static const std::string dir = [] {
        std::string d = harness::FreshDir("partial");
        RunResult r = fixture::TraceCli(
            {"sh", "-c",
             "python3 -c 'import os\nfor c in b\"ABC\": os.write(1, bytes([c]) * 100)' "
             "| cat >/dev/null"},
            d, {"--data=8"});
        EXPECT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
        return d;
    }();
    return dir;
}

TEST(Follow, PartialCaptureSaysWhereBytesAreMissing) {
    std::string dir = PartialCaptureDir();
    std::string id = PipeWrittenBy(CliJson({"flows", "--json", dir}), "python3");
    ASSERT_NE(id, "");
    RunResult r = Cli({"follow", id, dir});
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    EXPECT_NE(r.out.find("AAAAAAAA\n[... 92 bytes not captured (bytes 8-99) ...]\n"
                         "BBBBBBBB\n[... 92 bytes not captured (bytes 108-199) ...]\n"
                         "CCCCCCCC\n[... 92 bytes not captured (bytes 208-299) ...]\n"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(r.out.find("AAAAAAAAA"), std::string::npos) << "invented bytes:\n" << r.out;
    EXPECT_NE(r.out.find("--- written by "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("300 bytes, 24 captured, 276 not (in 3 gaps)"), std::string::npos)
        << r.out;

    // Raw to a file: only what was captured, and a non-zero status.
    std::string out = harness::FreshPath("partial.bin");
    RunResult raw = Cli({"follow", id, "-o", out, dir});
    EXPECT_TRUE(raw.exited && raw.exit_code == 1) << raw.Describe();
    EXPECT_EQ(harness::ReadFile(out), "AAAAAAAABBBBBBBBCCCCCCCC");
    EXPECT_NE(raw.err.find("276 bytes were not captured"), std::string::npos) << raw.err;
}

TEST(Follow, HexdumpOfTheSeed) {
    RunResult r = Cli({"follow", "--hex", "", fixture::SeedDir()});
    EXPECT_EQ(r.exit_code, 2); // "" is not a pipe
    std::string id = PipeWrittenBy(CliJson({"flows", "--json", fixture::SeedDir()}), "python3");
    r = Cli({"follow", "--hex", id, fixture::SeedDir()});
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    EXPECT_NE(r.out.find("00000000  48 65 6c 6c 6f 20 63 68  69 6c 64 20 70 72 6f 63  "
                         "|Hello child proc|"),
              std::string::npos)
        << r.out;
    // The inode alone works too.
    std::string ino = id.substr(id.find('[') + 1, id.size() - id.find('[') - 2);
    RunResult by_ino = Cli({"follow", ino, fixture::SeedDir()});
    EXPECT_NE(by_ino.out.find("Hello child process\n"), std::string::npos) << by_ino.out;
}

TEST(Follow, OutputFileHoldsTheExactBytes) {
    std::string dir = harness::FreshDir("follow_full");
    RunResult r =
        fixture::TraceCli({"sh", "-c", "seq 1 20000 | cat >/dev/null"}, dir, {"--data=full"});
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    std::string id = PipeWrittenBy(CliJson({"flows", "--json", dir}), "seq");
    ASSERT_NE(id, "");
    std::string out = harness::FreshPath("seq.bin");
    RunResult f = Cli({"follow", id, "-o", out, dir});
    ASSERT_TRUE(f.exited && f.exit_code == 0) << f.Describe();
    std::string expected;
    for (int i = 1; i <= 20000; i++)
        expected += std::to_string(i) + "\n";
    EXPECT_TRUE(harness::ReadFile(out) == expected) << "follow -o differs from seq's output";
}

TEST(Follow, UnknownPipeIsAnErrorThatListsThePipes) {
    RunResult r = Cli({"follow", "pipe:[1]", fixture::SeedDir()});
    EXPECT_EQ(r.exit_code, 2) << r.Describe();
    EXPECT_NE(r.err.find("pipes in this trace: pipe:["), std::string::npos) << r.err;
}

// --- the latency histogram --------------------------------------------------

TEST(FlowsHist, MedianWithinThreePercent) {
    flows_hist h = {};
    for (uint64_t v = 1; v <= 100001; v++)
        flows_hist_add(&h, v * 1000);
    uint64_t m = flows_hist_median(&h);
    EXPECT_NEAR(static_cast<double>(m), 50001000.0, 50001000.0 * 0.03);
    EXPECT_EQ(h.first, 1000u);
    EXPECT_EQ(h.max, 100001000u);
    flows_hist small = {};
    flows_hist_add(&small, 7);
    EXPECT_EQ(flows_hist_median(&small), 7u);
    // One value in a wide bucket is still its own median.
    flows_hist one = {};
    flows_hist_add(&one, 615900);
    EXPECT_EQ(flows_hist_median(&one), 615900u);
}

} // namespace
