// A writer killed right after its write returned leaves the record begun;
// when the reader got the bytes, the viewer counts the write as done and
// says it inferred it (issue 9 item 4).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/harness.h"
#include "test/json.h"
#include "test/trace_builder.h"

namespace {

harness::RunResult Cli(const std::vector<std::string> &args) {
    std::vector<std::string> full = {harness::CliPath()};
    full.insert(full.end(), args.begin(), args.end());
    return harness::Run(full);
}

json::Value Json(const std::vector<std::string> &args) {
    harness::RunResult r = Cli(args);
    EXPECT_TRUE(r.exited && (r.exit_code == 0 || r.exit_code == 1)) << r.Describe();
    return json::parse(r.out);
}

// 300 rounds of fork / write 2 bytes / read / SIGKILL: summary and flows
// count every byte the reader got as written.
TEST(InferredWrites, KillAfterWriteRoundsCountEveryByteTheReaderGot) {
    std::string dir = harness::FreshDir("kill_rounds");
    harness::RunOptions opts;
    opts.env = harness::PreloadEnv(dir);
    harness::RunResult run = harness::Run({harness::ProgPath("vw_kill_writer"), "300"}, opts);
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    ASSERT_EQ("read 600\n", run.out);

    // The pipe the program made (its stdout is the harness's pipe).
    json::Value s = Json({"summary", "--json", dir});
    const json::Value *made = nullptr;
    for (const json::Value &p : s["pipes"].as_array())
        if (!p["created_by"].is_null())
            made = &p;
    ASSERT_NE(nullptr, made);
    const json::Value &p = *made;
    EXPECT_EQ(600, p["bytes_read"].as_int());
    EXPECT_EQ(600, p["bytes_written"].as_int());
    int64_t inferred = 0, writers = 0;
    for (const json::Value &w : p["writers"].as_array()) {
        EXPECT_EQ(2, w["bytes"].as_int()) << w.dump();
        inferred += w["inferred"].as_int();
        writers++;
    }
    EXPECT_EQ(300, writers);
    EXPECT_EQ(p["inferred_writes"].as_int(), inferred);
    EXPECT_EQ(2 * inferred, p["inferred_bytes"].as_int());

    json::Value f = Json({"flows", "--json", dir});
    const json::Value *flows = nullptr;
    for (const json::Value &q : f["pipes"].as_array())
        if (q["inode"].as_int() == p["inode"].as_int())
            flows = &q;
    ASSERT_NE(nullptr, flows);
    const json::Value &fp = *flows;
    EXPECT_EQ(600, fp["bytes_written"].as_int());
    EXPECT_EQ(inferred, fp["inferred_writes"].as_int());
    for (const json::Value &pair : fp["pairs"].as_array())
        EXPECT_FALSE(pair["writer"].is_null()) << "every byte has its traced writer";

    // No inferred write is left for check to call blocked.
    json::Value c = Json({"check", "--json", dir});
    EXPECT_EQ(0u, c["problems"].size()) << c.dump().substr(0, 2000);
}

// The same, built record by record so that the write is begun for sure.
TEST(InferredWrites, ABegunWriteWhoseBytesWereReadIsCountedAndSaidToBeInferred) {
    std::string dir = harness::FreshDir("begun_write");
    tb::TraceBuilder parent(700, 1, 1000, {"parent"});
    parent.Add(tb::Rec(PT_EV_PIPE, 700, 3, 1100, 0, 0, 800), tb::PipePayload(3, 4, 800));
    parent.Add(tb::Rec(PT_EV_FORK, 700, -1, 1200, 701, 0));
    parent.Add(tb::Rec(PT_EV_READ, 700, 3, 1250, 2, 2, 800), tb::Text("ab"));
    parent.Add(tb::Rec(PT_EV_WAIT, 700, -1, 1500, 701, 9));
    parent.Add(tb::Rec(PT_EV_EXIT, 700, -1, 1600, 0, 0));
    ASSERT_TRUE(parent.WriteTo(dir));
    tb::TraceBuilder child(701, 700, 1200, {"parent"});
    child.header().flags |= PT_HDR_FORK_CHILD;
    child.Add(tb::Begun(tb::Rec(PT_EV_WRITE, 701, 4, 1240, 0, 2, 800)));
    ASSERT_TRUE(child.WriteTo(dir));

    json::Value s = Json({"summary", "--json", dir});
    const json::Value &p = s["pipes"][0];
    EXPECT_EQ(2, p["bytes_written"].as_int()) << p.dump();
    EXPECT_EQ(1, p["inferred_writes"].as_int());
    EXPECT_EQ(2, p["inferred_bytes"].as_int());
    ASSERT_EQ(1u, p["writers"].size());
    EXPECT_EQ(701, p["writers"][0]["pid"].as_int());
    EXPECT_EQ(1, p["writers"][0]["inferred"].as_int());
    harness::RunResult text = Cli({"summary", dir});
    EXPECT_NE(std::string::npos, text.out.find("(1 inferred)")) << text.out;
    EXPECT_NE(std::string::npos, text.out.find("counted as done (inferred")) << text.out;

    json::Value f = Json({"flows", "--json", dir});
    const json::Value &fp = f["pipes"][0];
    EXPECT_EQ(1, fp["inferred_writes"].as_int());
    EXPECT_EQ(0, fp["unfinished_writes"].as_int());
    ASSERT_EQ(1u, fp["pairs"].size());
    EXPECT_EQ(701, fp["pairs"][0]["writer"]["pid"].as_int());
    EXPECT_EQ(1, fp["pairs"][0]["inferred_writes"].as_int());
    harness::RunResult ftext = Cli({"flows", dir});
    EXPECT_NE(std::string::npos, ftext.out.find("counted as done (inferred")) << ftext.out;
}

// A begun write whose bytes nobody got is still a write in progress.
TEST(InferredWrites, ABegunWriteNobodyReadStaysUnfinished) {
    std::string dir = harness::FreshDir("begun_unread");
    tb::TraceBuilder b(710, 1, 1000, {"prog"});
    b.Add(tb::Rec(PT_EV_PIPE, 710, 3, 1100, 0, 0, 810), tb::PipePayload(3, 4, 810));
    b.Add(tb::Begun(tb::Rec(PT_EV_WRITE, 710, 4, 1200, 0, 65536, 810)));
    ASSERT_TRUE(b.WriteTo(dir));
    json::Value s = Json({"summary", "--json", dir});
    EXPECT_EQ(0, s["pipes"][0]["bytes_written"].as_int());
    EXPECT_EQ(0, s["pipes"][0]["inferred_writes"].as_int());
    json::Value f = Json({"flows", "--json", dir});
    EXPECT_EQ(1, f["pipes"][0]["unfinished_writes"].as_int());
    EXPECT_EQ(0, f["pipes"][0]["inferred_writes"].as_int());
}

} // namespace
