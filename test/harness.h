// Test harness for the integration tests: finds the preload library, the CLI
// and the test programs, runs commands, and reads traces through
// `pipetrace dump --json`.
#ifndef PIPETRACE_TEST_HARNESS_H
#define PIPETRACE_TEST_HARNESS_H

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "test/json.h"

namespace harness {

// Absolute paths of the things under test.  The BUILD rule passes
// PIPETRACE_LIB and PIPETRACE_BIN as runfiles-relative paths; they are
// resolved against the test's working directory.
std::string LibPath();
std::string CliPath();
// A test program built from test/progs/NAME.c (the cc_binary test/NAME).
std::string ProgPath(const std::string &name);
// A file of the source tree, e.g. "examples/pipe2_fork.py".
std::string SourcePath(const std::string &relative);

struct RunOptions {
    // Added to (or replacing in) the test's own environment.
    std::vector<std::pair<std::string, std::string>> env;
    // Removed from the environment.
    std::vector<std::string> unset_env;
    std::string cwd;        // empty: the test's working directory
    double timeout_s = 60;  // then the process group gets SIGKILL
    long rlimit_fsize = -1; // RLIMIT_FSIZE for the child, if >= 0
    // For a program that hangs on purpose: asked every 20 ms while it runs;
    // once it returns true the process group gets SIGKILL (see
    // BlockedCalls, to wait until the live trace shows the hang).
    std::function<bool()> kill_when;
};

struct RunResult {
    bool killed_on_purpose = false; // kill_when said so
    std::string out;
    std::string err;
    bool exited = false; // WIFEXITED
    int exit_code = -1;  // WEXITSTATUS
    int term_signal = 0; // WTERMSIG
    bool timed_out = false;
    pid_t pid = -1;
    std::string Describe() const; // status and stderr, for failure messages
};

// fork/exec of argv[0] (searched in PATH) with stdin from /dev/null.
RunResult Run(const std::vector<std::string> &argv, const RunOptions &opts = RunOptions());

// Environment additions that trace into `dir` with the preload library.
std::vector<std::pair<std::string, std::string>> PreloadEnv(const std::string &dir);

// A fresh, empty directory under $TEST_TMPDIR whose name starts with `tag`.
std::string FreshDir(const std::string &tag);
// A path under $TEST_TMPDIR that does not exist yet.
std::string FreshPath(const std::string &tag);

std::string ReadFile(const std::string &path);
// The names (not paths) of the trace files in dir (*.ptr), sorted; none
// when dir cannot be listed.
std::vector<std::string> TraceFileNames(const std::string &dir);
void WriteFile(const std::string &path, const std::string &data);

struct Process {
    int pid = 0;
    int ppid = 0;
    std::string image;
    std::string file;
    std::string exe;
    std::vector<std::string> argv;
    bool fork_child = false;
    std::string stdio;   // hooked / unhooked / unknown
    std::string stopped; // empty when "stopped" is null
    int64_t dropped = 0;
    int64_t torn = 0;
    json::Value raw;
};

struct Event {
    int pid = 0;
    int tid = 0;
    std::string image;
    std::string call;
    std::string via; // "stdio" or empty
    int fd = -1;
    std::string kind; // object.kind
    uint64_t ino = 0; // object.ino
    uint64_t dev = 0; // object.dev
    std::vector<std::string> fd_flags;
    int64_t arg = 0;
    bool has_result = false; // false when "result" is null
    int64_t result = 0;
    std::string err;   // empty when "errno" is null
    std::string state; // done / unfinished
    std::string data;  // captured bytes, raw
    int64_t data_len = 0;
    bool data_cut = false;
    std::vector<int> fds;           // pipe/pipe2
    std::vector<std::string> flags; // pipe/pipe2
    int child = 0;                  // fork
    int64_t t_start_ns = 0;
    json::Value raw;

    bool HasFdFlag(const std::string &flag) const;
    bool IsRead() const;  // read, readv or __read_chk
    bool IsWrite() const; // write or writev
};

using EventPred = std::function<bool(const Event &)>;

struct Trace {
    bool ok = false;
    std::string error; // why the trace could not be read
    // Not empty when the events are not in t_start_ns order (the first pair
    // out of order).  The trace is still usable (ok stays true).
    std::string order_error;
    std::string text; // the dump's output
    std::vector<Process> processes;
    std::vector<Event> events;

    const Process *FindProcess(int pid) const;
    std::vector<const Process *> ProcessesNamed(const std::string &argv0) const;
    std::vector<const Event *> Select(const EventPred &pred) const;
    size_t Count(const EventPred &pred) const;
    // Sum of `result` over finished matching events with result > 0.
    int64_t SumResult(const EventPred &pred) const;
    // Captured bytes of the matching events, concatenated in time order.
    std::string Data(const EventPred &pred) const;
    // First lines of the dump, for failure messages.
    std::string Head(size_t lines = 40) const;
};

// Runs `pipetrace dump --json dir` and parses it.
Trace LoadTrace(const std::string &dir);

// How many `call`s ("read", "write"...) the trace in dir, live or not,
// shows begun and not returned: what a test that kills a program hanging
// on purpose waits for (RunOptions::kill_when), instead of a fixed time.
size_t BlockedCalls(const std::string &dir, const std::string &call);

// Parses dump --json output (exposed for the harness's own checks).
Trace ParseTrace(const std::string &text);

// Splits text into lines (without the newlines).
std::vector<std::string> Lines(const std::string &text);

} // namespace harness

#endif // PIPETRACE_TEST_HARNESS_H
