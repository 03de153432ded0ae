// What the tests of the viewer's flows, follow, export and graph commands
// share: tracing the two reference scenarios and running the CLI.
#ifndef PIPETRACE_TEST_FLOWS_FIXTURE_H
#define PIPETRACE_TEST_FLOWS_FIXTURE_H

#include <string>
#include <vector>

#include "test/harness.h"
#include "test/json.h"

namespace fixture {

// The shell pipeline of the issue: seq's output is 588895 bytes.
extern const char kPipeline[];
constexpr long kPipelineBytes = 588895;

// `pipetrace run -o DIR [extra...] -- argv...` with PATH=/usr/bin:/bin (the
// Debian python3 and coreutils, not a shim that would fork more).
harness::RunResult TraceCli(const std::vector<std::string> &argv, const std::string &dir,
                            const std::vector<std::string> &run_options = {});

// A trace of kPipeline / of examples/pipe2_fork.py, made once per test
// binary; empty (and a test failure) if the run failed.
const std::string &PipelineDir();
const std::string &SeedDir();

// `pipetrace ARGS...`.
harness::RunResult Cli(const std::vector<std::string> &args);

// `pipetrace ARGS...` whose stdout must be one JSON value.
json::Value CliJson(const std::vector<std::string> &args);

// argv[0] of a flows/JSON process object ({"pid", "image", "argv"}), base name.
std::string Program(const json::Value &process);

} // namespace fixture

#endif // PIPETRACE_TEST_FLOWS_FIXTURE_H
