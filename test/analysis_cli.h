// Helpers shared by check_test, leaks_test and analysis_test: run a program
// under the preload library, then a viewer command with --json on its trace.
#ifndef PIPETRACE_TEST_ANALYSIS_CLI_H
#define PIPETRACE_TEST_ANALYSIS_CLI_H

#include <string>
#include <vector>

#include "test/harness.h"
#include "test/json.h"

namespace analysis_cli {

// Runs argv traced into dir; with kill_after_s > 0 under
// `timeout -s KILL kill_after_s` (a program that hangs on purpose is better
// killed by RunTracedUntilBlocked, when the live trace shows it hang).
inline harness::RunResult RunTraced(const std::vector<std::string> &argv, const std::string &dir,
                                    int kill_after_s = 0) {
    harness::RunOptions opts;
    opts.env = harness::PreloadEnv(dir);
    opts.env.push_back({"PATH", "/usr/bin:/bin"});
    std::vector<std::string> full;
    if (kill_after_s > 0)
        full = {"/usr/bin/timeout", "-s", "KILL", std::to_string(kill_after_s)};
    full.insert(full.end(), argv.begin(), argv.end());
    return harness::Run(full, opts);
}

// Runs argv traced into dir until the live trace shows `count` calls of
// `call` blocked, then kills its process group: for programs that hang on
// purpose, killed when they hang however loaded the machine is.
inline harness::RunResult RunTracedUntilBlocked(const std::vector<std::string> &argv,
                                                const std::string &dir, const std::string &call,
                                                size_t count) {
    harness::RunOptions opts;
    opts.env = harness::PreloadEnv(dir);
    opts.env.push_back({"PATH", "/usr/bin:/bin"});
    opts.kill_when = [&] { return harness::BlockedCalls(dir, call) >= count; };
    return harness::Run(argv, opts);
}

struct Output {
    harness::RunResult run;
    json::Value json;
    std::string error; // why the output is not JSON
};

// `pipetrace COMMAND --json dir`.
inline Output Viewer(const std::string &command, const std::string &dir) {
    Output o;
    o.run = harness::Run({harness::CliPath(), command, "--json", dir});
    try {
        o.json = json::parse(o.run.out);
    } catch (const std::exception &e) {
        o.error = std::string(e.what()) + "\n" + o.run.Describe();
    }
    return o;
}

// The problems of one kind in a {"problems": [...]} object.
inline std::vector<json::Value> ProblemsOfKind(const json::Value &v, const std::string &kind) {
    std::vector<json::Value> out;
    for (const json::Value &p : v["problems"].as_array())
        if (p["kind"].as_string() == kind)
            out.push_back(p);
    return out;
}

inline bool HasPid(const json::Value &problem, int pid) {
    for (const json::Value &p : problem["pids"].as_array())
        if (p.as_int() == pid)
            return true;
    return false;
}

} // namespace analysis_cli

#endif // PIPETRACE_TEST_ANALYSIS_CLI_H
