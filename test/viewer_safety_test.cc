// The viewer on the traces real programs leave: pipes fed from outside the
// trace, files that are empty, torn, foreign or not files at all, traces
// that stopped early, processes killed right after a write.  Every command
// must answer from what can be read, say what it could not read, and never
// crash or hang.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/harness.h"
#include "test/json.h"

namespace {

harness::RunResult Cli(const std::vector<std::string> &args) {
    std::vector<std::string> full = {harness::CliPath()};
    full.insert(full.end(), args.begin(), args.end());
    harness::RunOptions opts;
    opts.timeout_s = 30;
    return harness::Run(full, opts);
}

json::Value ParseOrFail(const harness::RunResult &r) {
    try {
        return json::parse(r.out);
    } catch (const std::exception &e) {
        ADD_FAILURE() << "not JSON: " << e.what() << "\n" << r.Describe();
        return json::Value();
    }
}

// --- issue 9 item 3: a pipe with reads and no traced writer --------------------

TEST(ChromeExport, PipeFedFromOutsideTheTrace) {
    std::string dir = harness::FreshDir("outside_writer");
    // The shell is not traced (the preload is set only for cat), so the
    // pipe's writer is outside the trace.
    harness::RunOptions opts;
    opts.env.push_back({"PATH", "/usr/bin:/bin"});
    harness::RunResult run = harness::Run(
        {"/bin/sh", "-c",
         "echo hi | env LD_PRELOAD='" + harness::LibPath() + "' PIPETRACE_DIR='" + dir + "' cat"},
        opts);
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    ASSERT_EQ("hi\n", run.out);
    harness::RunResult r = Cli({"export", "--format=chrome", dir});
    ASSERT_TRUE(r.exited) << r.Describe();
    EXPECT_EQ(0, r.exit_code) << r.Describe();
    json::Value doc = ParseOrFail(r);
    ASSERT_TRUE(doc.is_object());
    int reads = 0;
    for (const json::Value &e : doc["traceEvents"].as_array())
        if (e["ph"].as_string() == "X" && e["name"].as_string() == "read")
            reads++;
    EXPECT_GE(reads, 1) << r.out.substr(0, 2000);
}

} // namespace
