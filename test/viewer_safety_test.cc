// The viewer on the traces real programs leave: pipes fed from outside the
// trace, files that are empty, torn, foreign or not files at all, traces
// that stopped early, processes killed right after a write.  Every command
// must answer from what can be read, say what it could not read, and never
// crash or hang.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pipetrace/format.h"
#include "test/harness.h"
#include "test/json.h"

namespace {

harness::RunResult Cli(const std::vector<std::string> &args) {
    std::vector<std::string> full = {harness::CliPath()};
    full.insert(full.end(), args.begin(), args.end());
    harness::RunOptions opts;
    opts.timeout_s = 20;
    return harness::Run(full, opts);
}

// `sh -c SCRIPT` with the preload tracing into dir.
harness::RunResult TraceShell(const std::string &script, const std::string &dir) {
    harness::RunOptions opts;
    opts.env = harness::PreloadEnv(dir);
    opts.env.push_back({"PATH", "/usr/bin:/bin"});
    return harness::Run({"/bin/sh", "-c", script}, opts);
}

// The header of a trace file, as written.
pt_file_header HeaderOf(const std::string &path) {
    pt_file_header h;
    memset(&h, 0, sizeof h);
    std::string bytes = harness::ReadFile(path);
    memcpy(&h, bytes.data(), std::min(bytes.size(), sizeof h));
    return h;
}

int Count(const std::string &text, const std::string &needle) {
    int n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
        n++;
    return n;
}

// Every command that reads a trace, as the user types it.
const std::vector<std::vector<std::string>> &ViewerCommands() {
    static const std::vector<std::vector<std::string>> commands = {
        {"summary"},
        {"summary", "--json"},
        {"check"},
        {"check", "--json"},
        {"leaks"},
        {"leaks", "--json"},
        {"flows"},
        {"flows", "--json"},
        {"dump"},
        {"dump", "--json"},
        {"graph"},
        {"graph", "--format=text"},
        {"export", "--format=chrome"},
        {"export", "--format=jsonl"},
    };
    return commands;
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

// --- issue 9 item 2: one bad file costs only that file -------------------------

// A trace of a small pipeline, with bad files planted beside the good ones:
// an empty file (a process killed before its header), a file cut inside
// its header, a file that is not a trace, and a good file cut inside its
// records.
struct DamagedTrace {
    std::string dir;
    std::vector<std::string> bad; // skipped entirely
    std::string cut;              // read up to the cut
    uint64_t pipe_ino = 0;
};

DamagedTrace MakeDamagedTrace() {
    DamagedTrace t;
    t.dir = harness::FreshDir("damaged");
    harness::RunResult run = TraceShell("seq 1 2000 | wc -l", t.dir);
    EXPECT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    std::vector<std::string> good = harness::TraceFileNames(t.dir);
    EXPECT_GE(good.size(), 3u);
    harness::RunResult flows = Cli({"flows", "--json", t.dir});
    json::Value f = ParseOrFail(flows);
    if (f.is_object() && f["pipes"].size() > 0)
        t.pipe_ino = static_cast<uint64_t>(f["pipes"][0]["inode"].as_int());
    // The biggest file is cut inside its records (not the shell's, so
    // the pipe's writer and reader stay readable).
    std::string biggest;
    uint64_t biggest_tail = 0;
    for (const std::string &name : good) {
        pt_file_header h = HeaderOf(t.dir + "/" + name);
        if (h.tail > biggest_tail && name != good[0]) {
            biggest_tail = h.tail;
            biggest = name;
        }
    }
    EXPECT_GT(biggest_tail, 300u);
    t.cut = biggest;
    EXPECT_EQ(0, truncate((t.dir + "/" + biggest).c_str(), static_cast<off_t>(biggest_tail - 40)));
    std::string first = harness::ReadFile(t.dir + "/" + good[0]);
    harness::WriteFile(t.dir + "/900001.0.ptr", "");
    harness::WriteFile(t.dir + "/900002.0.ptr", first.substr(0, 100));
    harness::WriteFile(t.dir + "/900003.0.ptr", "#!/bin/sh\necho not a trace\n");
    t.bad = {"900001.0.ptr", "900002.0.ptr", "900003.0.ptr"};
    return t;
}

// The status a command gives on a good trace: 0, and 0 or 1 for check.
bool NormalStatus(const std::vector<std::string> &command, const harness::RunResult &r) {
    if (!r.exited)
        return false;
    return r.exit_code == 0 || (command[0] == "check" && r.exit_code == 1);
}

TEST(DamagedTrace, EveryCommandAnswersFromTheRestAndWarnsOncePerBadFile) {
    DamagedTrace t = MakeDamagedTrace();
    ASSERT_NE(0u, t.pipe_ino);
    std::vector<std::vector<std::string>> commands = ViewerCommands();
    commands.push_back({"follow", std::to_string(t.pipe_ino)});
    for (std::vector<std::string> command : commands) {
        SCOPED_TRACE(command[0] + (command.size() > 1 ? " " + command[1] : ""));
        command.push_back(t.dir);
        harness::RunResult r = Cli(command);
        EXPECT_TRUE(NormalStatus(command, r)) << r.Describe();
        EXPECT_FALSE(r.out.empty());
        // One line per bad file, naming it, and one for the cut file.
        EXPECT_EQ(t.bad.size() + 1, harness::Lines(r.err).size()) << r.err;
        for (const std::string &name : t.bad)
            EXPECT_EQ(1, Count(r.err, "/" + name + ": ")) << name << "\n" << r.err;
        EXPECT_EQ(1, Count(r.err, "/" + t.cut + ": ")) << r.err;
    }
}

TEST(DamagedTrace, SummaryShowsTheGapsAndTheAnswerFromTheRest) {
    DamagedTrace t = MakeDamagedTrace();
    harness::RunResult r = Cli({"summary", "--json", t.dir});
    json::Value s = ParseOrFail(r);
    ASSERT_TRUE(s.is_object());
    EXPECT_FALSE(s["complete"].as_bool());
    // seq and wc are still there, and the pipe between them.
    bool seq = false, wc = false;
    for (const json::Value &p : s["processes"].as_array()) {
        std::string a0 = p["argv"].size() ? p["argv"][0].as_string() : "";
        seq = seq || a0 == "seq";
        wc = wc || a0 == "wc";
    }
    EXPECT_TRUE(seq && wc) << r.out.substr(0, 3000);
    EXPECT_GE(s["pipes"].size(), 1u);
    for (const std::string &name : t.bad) {
        bool found = false;
        for (const json::Value &g : s["coverage_gaps"].as_array())
            found = found || (g["kind"].as_string() == "file-not-read" && g["file"].is_string() &&
                              g["file"].as_string() == name);
        EXPECT_TRUE(found) << name << "\n" << s["coverage_gaps"].dump();
    }
    bool damaged = false;
    for (const json::Value &g : s["coverage_gaps"].as_array())
        damaged = damaged || (g["kind"].as_string() == "file-damaged" && g["file"].is_string() &&
                              g["file"].as_string() == t.cut);
    EXPECT_TRUE(damaged) << s["coverage_gaps"].dump();

    r = Cli({"summary", t.dir});
    for (const std::string &name : t.bad)
        EXPECT_NE(std::string::npos, r.out.find("trace file " + name + " not read")) << r.out;
    EXPECT_NE(std::string::npos, r.out.find("the trace is incomplete: 3 trace files not read"))
        << r.out;
}

TEST(DamagedTrace, AMissingDirectoryOrNothingReadableIsStillAnError) {
    std::string missing = harness::FreshPath("nothing_here");
    for (const auto &command : ViewerCommands()) {
        std::vector<std::string> argv = command;
        argv.push_back(missing);
        harness::RunResult r = Cli(argv);
        EXPECT_TRUE(r.exited && r.exit_code == 2) << r.Describe();
        EXPECT_EQ(1u, harness::Lines(r.err).size()) << r.err;
    }
    std::string dir = harness::FreshDir("only_bad");
    harness::WriteFile(dir + "/5.0.ptr", "");
    harness::WriteFile(dir + "/6.0.ptr", "garbage");
    harness::RunResult r = Cli({"summary", dir});
    EXPECT_TRUE(r.exited && r.exit_code == 2) << r.Describe();
    EXPECT_NE(std::string::npos, r.err.find("none of the 2 trace files could be read")) << r.err;
}

// --- issue 16 item 3: a FIFO or a link planted as a trace file -----------------

TEST(PlantedFiles, AFifoOrALinkNamedLikeATraceFileIsSkippedNotOpened) {
    std::string dir = harness::FreshDir("planted");
    harness::RunResult run = TraceShell("seq 1 100 | wc -l", dir);
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    ASSERT_EQ(0, mkfifo((dir + "/900001.0.ptr").c_str(), 0600));
    std::vector<std::string> good = harness::TraceFileNames(dir);
    ASSERT_EQ(0, symlink((dir + "/" + good[0]).c_str(), (dir + "/900002.0.ptr").c_str()));
    ASSERT_EQ(0, symlink("/dev/zero", (dir + "/900003.0.ptr").c_str()));
    ASSERT_EQ(0, mkdir((dir + "/900004.0.ptr").c_str(), 0700));
    for (std::vector<std::string> command : ViewerCommands()) {
        SCOPED_TRACE(command[0] + (command.size() > 1 ? " " + command[1] : ""));
        command.push_back(dir);
        harness::RunResult r = Cli(command);
        ASSERT_FALSE(r.timed_out) << "hung on the FIFO";
        EXPECT_TRUE(NormalStatus(command, r)) << r.Describe();
        EXPECT_EQ(4u, harness::Lines(r.err).size()) << r.err;
        EXPECT_NE(std::string::npos, r.err.find("900001.0.ptr: a FIFO")) << r.err;
        EXPECT_NE(std::string::npos, r.err.find("900002.0.ptr: a symbolic link")) << r.err;
        EXPECT_NE(std::string::npos, r.err.find("900003.0.ptr: a symbolic link")) << r.err;
        EXPECT_NE(std::string::npos, r.err.find("900004.0.ptr: a directory")) << r.err;
    }
}

// --- issue 17 item 10: a stopped trace says it is incomplete, not damaged ------

TEST(StoppedTrace, AStopIsAGapNotDamageAndCheckCannotBeSureOfSilence) {
    std::string dir = harness::FreshDir("stopped");
    harness::RunOptions opts;
    opts.env = harness::PreloadEnv(dir);
    opts.env.push_back({"PATH", "/usr/bin:/bin"});
    opts.env.push_back({"PIPETRACE_DATA", "full"});
    opts.rlimit_fsize = 256 << 10; // the trace of seq's writes needs more
    harness::RunResult run =
        harness::Run({"/bin/sh", "-c", "seq 1 200000 | cat > /dev/null"}, opts);
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();

    harness::RunResult r = Cli({"summary", "--json", dir});
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    EXPECT_EQ("", r.err) << "a stop is not damage";
    json::Value s = ParseOrFail(r);
    ASSERT_TRUE(s.is_object());
    EXPECT_FALSE(s["complete"].as_bool());
    int stops = 0;
    for (const json::Value &g : s["coverage_gaps"].as_array()) {
        EXPECT_NE("file-damaged", g["kind"].as_string()) << g.dump();
        if (g["kind"].as_string() == "tracing-stopped") {
            stops++;
            EXPECT_EQ("EFBIG", g["errno"].as_string());
            EXPECT_GT(g["dropped"].as_int(), 0);
        }
    }
    EXPECT_GE(stops, 1) << s["coverage_gaps"].dump();
    EXPECT_GT(s["dropped_events"].as_int(), 0);

    r = Cli({"check", dir});
    EXPECT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    EXPECT_EQ("", r.err);
    EXPECT_EQ(0u, r.out.find("no problems found in what was recorded; the trace is incomplete: "))
        << r.out;
    EXPECT_NE(std::string::npos, r.out.find("whose tracing stopped early")) << r.out;
    EXPECT_NE(std::string::npos, r.out.find("events dropped")) << r.out;

    r = Cli({"check", "--json", dir});
    json::Value c = ParseOrFail(r);
    ASSERT_TRUE(c.is_object());
    EXPECT_FALSE(c["complete"].as_bool());
    EXPECT_GE(c["coverage_gaps"].size(), 1u);
    EXPECT_EQ(0u, c["problems"].size());

    // The byte-flow answers say so too.
    json::Value f = ParseOrFail(Cli({"flows", "--json", dir}));
    EXPECT_FALSE(f["complete"].as_bool());
    EXPECT_GE(f["coverage_gaps"].size(), 1u);
    for (const std::vector<std::string> &cmd :
         std::vector<std::vector<std::string>>{{"flows", dir}, {"graph", "--format=text", dir}}) {
        r = Cli(cmd);
        EXPECT_EQ("", r.err);
        EXPECT_NE(std::string::npos, r.out.find("the trace is incomplete: ")) << r.out;
    }
    r = Cli({"graph", dir});
    EXPECT_NE(std::string::npos, r.out.find("label=\"incomplete trace: ")) << r.out;
}

// A clean trace is complete, and check's silence means something.
TEST(StoppedTrace, ACompleteTraceSaysSo) {
    std::string dir = harness::FreshDir("complete");
    harness::RunResult run = TraceShell("seq 1 100 | wc -l", dir);
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    harness::RunResult r = Cli({"check", dir});
    EXPECT_EQ("no problems found\n", r.out);
    json::Value c = ParseOrFail(Cli({"check", "--json", dir}));
    EXPECT_TRUE(c["complete"].as_bool());
    EXPECT_EQ(0u, c["coverage_gaps"].size());
    json::Value f = ParseOrFail(Cli({"flows", "--json", dir}));
    EXPECT_TRUE(f["complete"].as_bool());
    EXPECT_EQ(std::string::npos, Cli({"flows", dir}).out.find("incomplete"));
    EXPECT_EQ(std::string::npos, Cli({"graph", "--format=text", dir}).out.find("incomplete"));
}

} // namespace
