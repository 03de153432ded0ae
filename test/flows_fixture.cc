// Traces of the reference scenarios and CLI runs for the viewer tests.
#include "test/flows_fixture.h"

#include <gtest/gtest.h>

namespace fixture {

const char kPipeline[] = "seq 1 100000 | sort -n | tail -n 1";

harness::RunResult TraceCli(const std::vector<std::string> &argv, const std::string &dir,
                            const std::vector<std::string> &run_options) {
    std::vector<std::string> full = {harness::CliPath(), "run", "-o", dir};
    full.insert(full.end(), run_options.begin(), run_options.end());
    full.push_back("--");
    full.insert(full.end(), argv.begin(), argv.end());
    harness::RunOptions opts;
    opts.env.push_back({"PATH", "/usr/bin:/bin"});
    return harness::Run(full, opts);
}

static std::string TraceOnce(const std::vector<std::string> &argv, const std::string &tag) {
    std::string dir = harness::FreshDir(tag);
    harness::RunResult r = TraceCli(argv, dir);
    EXPECT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    return r.exited && r.exit_code == 0 ? dir : "";
}

const std::string &PipelineDir() {
    static const std::string dir = TraceOnce({"sh", "-c", kPipeline}, "pipeline");
    return dir;
}

const std::string &SeedDir() {
    static const std::string dir =
        TraceOnce({"/usr/bin/python3", harness::SourcePath("examples/pipe2_fork.py")}, "seed");
    return dir;
}

harness::RunResult Cli(const std::vector<std::string> &args) {
    std::vector<std::string> full = {harness::CliPath()};
    full.insert(full.end(), args.begin(), args.end());
    return harness::Run(full);
}

json::Value CliJson(const std::vector<std::string> &args) {
    harness::RunResult r = Cli(args);
    EXPECT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    try {
        return json::parse(r.out);
    } catch (const std::exception &e) {
        ADD_FAILURE() << "not JSON: " << e.what() << "\n" << r.out.substr(0, 2000);
        return json::Value();
    }
}

std::string Program(const json::Value &process) {
    if (!process.is_object() || process["argv"].size() == 0)
        return "";
    std::string a0 = process["argv"][0].as_string();
    size_t slash = a0.rfind('/');
    return slash == std::string::npos ? a0 : a0.substr(slash + 1);
}

} // namespace fixture
