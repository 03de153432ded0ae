// `pipetrace dump` as a strace user reads it (issue 9 items 7 and 9): the
// filters --pid, --tree, --pipe, -e and --exe on a real trace of the pipe
// example run through a pyenv-like shell shim; the recorder's bookkeeping
// kept out of the text (shown by -v, always in --json); a call that never
// returned printed as strace does, with nothing invented.
#include <signal.h>

#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/flows_fixture.h"
#include "test/harness.h"

namespace {

using fixture::Cli;
using harness::Event;
using harness::Process;
using harness::RunResult;
using harness::Trace;

// Like a pyenv shim: shell plumbing (command substitutions, each a pipe, a
// fork and a cat) before it execs the real program.
const char kShim[] = "#!/bin/sh\n"
                     "# a shim in the manner of pyenv's\n"
                     "for step in version prefix which; do\n"
                     "    found=$(echo \"$step\" | cat)\n"
                     "done\n"
                     "exec \"$@\"\n";

struct ShimTrace {
    std::string dir;
    int shim_pid = 0; // the shim, which became python3 by exec
    Trace full;       // dump --json, unfiltered
};

// `sh -c 'sh SHIM python3 pipe2_fork.py; echo done'`, traced once.
const ShimTrace &Shim() {
    static const ShimTrace trace = [] {
        ShimTrace t;
        t.dir = harness::FreshDir("shim");
        std::string shim = harness::FreshPath("python3-shim");
        harness::WriteFile(shim, kShim);
        std::string example = harness::SourcePath("examples/pipe2_fork.py");
        RunResult r = fixture::TraceCli(
            {"sh", "-c", "sh " + shim + " /usr/bin/python3 " + example + "; echo done"}, t.dir);
        EXPECT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
        EXPECT_EQ(r.out, "Hello child process\ndone\n");
        t.full = harness::LoadTrace(t.dir);
        EXPECT_TRUE(t.full.ok) << t.full.error;
        for (const Process &p : t.full.processes)
            if (p.exe.find("python3") != std::string::npos && !p.fork_child)
                t.shim_pid = p.pid;
        EXPECT_NE(t.shim_pid, 0) << t.full.Head();
        return t;
    }();
    return trace;
}

// `dump --json ARGS... DIR`, parsed.
Trace DumpJson(const std::vector<std::string> &args) {
    std::vector<std::string> full = {"dump", "--json"};
    full.insert(full.end(), args.begin(), args.end());
    full.push_back(Shim().dir);
    RunResult r = Cli(full);
    EXPECT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    Trace t = harness::ParseTrace(r.out);
    EXPECT_TRUE(t.ok) << t.error;
    return t;
}

// `dump ARGS... DIR` (text).
std::string DumpText(const std::vector<std::string> &args) {
    std::vector<std::string> full = {"dump"};
    full.insert(full.end(), args.begin(), args.end());
    full.push_back(Shim().dir);
    RunResult r = Cli(full);
    EXPECT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    return r.out;
}

std::vector<std::string> LinesWith(const std::string &text, const std::string &needle) {
    std::vector<std::string> out;
    for (const std::string &line : harness::Lines(text))
        if (line.find(needle) != std::string::npos)
            out.push_back(line);
    return out;
}

std::set<int> Pids(const Trace &t) {
    std::set<int> pids;
    for (const Event &e : t.events)
        pids.insert(e.pid);
    return pids;
}

// The pipe of the example: the one pipe2 made with O_NONBLOCK.
uint64_t ExamplePipe() {
    for (const Event &e : Shim().full.events)
        if (e.call == "pipe2" && e.HasFdFlag("O_NONBLOCK"))
            return e.ino;
    for (const Event &e : Shim().full.events)
        if (e.call == "pipe2")
            return e.raw["inos"][0].as_int();
    return 0;
}

// --- bookkeeping --------------------------------------------------------------

TEST(DumpText, LeavesBookkeepingOutUnlessAsked) {
    const Trace &full = Shim().full;
    ASSERT_GT(full.Count([](const Event &e) { return e.call == "module"; }), 0u) << full.Head();
    ASSERT_GT(full.Count([](const Event &e) { return e.call == "callsite"; }), 0u);

    std::string text = DumpText({});
    EXPECT_TRUE(LinesWith(text, " module(").empty()) << text;
    EXPECT_TRUE(LinesWith(text, " callsite(").empty()) << text;
    // The first traced process's inherited fds say where its stdio went; the
    // exec'd images (cat, python3) inherited nothing they did not have.
    int root = full.processes.front().pid;
    std::vector<std::string> inherited = LinesWith(text, " inherited_fd(");
    EXPECT_FALSE(inherited.empty()) << text;
    for (const std::string &line : inherited)
        EXPECT_EQ(line.rfind("[" + std::to_string(root) + "] ", 0), 0u) << line;
    EXPECT_NE(text.find("write(4<pipe:["), std::string::npos) << text;
    EXPECT_NE(text.find("\"Hello child process\", 100) = 19"), std::string::npos) << text;

    // -v (--all) shows them all, as --json always does.
    std::string all = DumpText({"-v"});
    size_t recorded = full.Count([](const Event &e) {
        return e.call == "module" || e.call == "callsite" || e.call == "inherited_fd";
    });
    EXPECT_EQ(LinesWith(all, " module(").size() + LinesWith(all, " callsite(").size() +
                  LinesWith(all, " inherited_fd(").size(),
              recorded);
    EXPECT_EQ(DumpText({"--all"}), all);
    EXPECT_GT(LinesWith(all, " inherited_fd(").size(), inherited.size());
    // Naming a bookkeeping record with -e shows it.
    EXPECT_EQ(LinesWith(DumpText({"-e", "callsite"}), " callsite(").size(),
              full.Count([](const Event &e) { return e.call == "callsite"; }));
}

// An fd the process got from a call the library does not trace (a regular
// file's open) is news at the exec: shown.
TEST(DumpText, ShowsAnInheritedFdThatChanged) {
    std::string dir = harness::FreshDir("newfd");
    RunResult r =
        fixture::TraceCli({"/usr/bin/python3", "-c",
                           "import os, subprocess\n"
                           "fd = os.open('/dev/null', os.O_RDONLY)\n"
                           "os.set_inheritable(fd, True)\n"
                           "subprocess.run(['sh', '-c', 'echo x | cat'], close_fds=False)\n"},
                          dir);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    RunResult text = Cli({"dump", dir});
    ASSERT_EQ(text.exit_code, 0) << text.Describe();
    Trace full = harness::LoadTrace(dir);
    const Process *sh = nullptr;
    for (const Process &p : full.processes)
        if (!p.argv.empty() && p.argv[0] == "sh" && !p.fork_child)
            sh = &p;
    ASSERT_NE(sh, nullptr) << full.Head();
    // sh's fd 3 (/dev/null, opened untraced) is shown; its 0-2, which
    // python3 had, are not.
    std::vector<std::string> lines = LinesWith(text.out, "[" + std::to_string(sh->pid) + "]");
    std::vector<std::string> inherited;
    for (const std::string &line : lines)
        if (line.find(" inherited_fd(") != std::string::npos)
            inherited.push_back(line);
    ASSERT_EQ(inherited.size(), 1u) << text.out;
    EXPECT_NE(inherited[0].find("inherited_fd(3<"), std::string::npos) << inherited[0];
}

// popen starts its child inside libc (no fork record): the child is
// compared with its parent's fds as they were when it began, so only the
// pipe it got as stdin is news.
TEST(DumpText, PopenChildShowsOnlyTheFdItGot) {
    std::string dir = harness::FreshDir("popen");
    RunResult r = fixture::TraceCli({harness::ProgPath("lc_popen"), "popen"}, dir);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    Trace full = harness::LoadTrace(dir);
    const Event *pclose = nullptr;
    for (const Event *e : full.Select([](const Event &e) { return e.call == "pclose"; }))
        pclose = e;
    ASSERT_NE(pclose, nullptr) << full.Head();
    int child = static_cast<int>(pclose->raw["child"].as_int());
    RunResult text = Cli({"dump", dir});
    ASSERT_EQ(text.exit_code, 0) << text.Describe();
    std::vector<std::string> inherited;
    for (const std::string &line : LinesWith(text.out, "[" + std::to_string(child) + "] "))
        if (line.find(" inherited_fd(") != std::string::npos)
            inherited.push_back(line);
    ASSERT_EQ(inherited.size(), 1u) << text.out;
    EXPECT_NE(inherited[0].find("inherited_fd(0<pipe:[" + std::to_string(pclose->ino) + "]>"),
              std::string::npos)
        << inherited[0];
}

// --- calls that never returned ---------------------------------------------------

TEST(DumpText, UnfinishedCallsAsStraceShowsThem) {
    std::string dir = harness::FreshDir("unfinished");
    // Killed once cat is blocked reading and sh waiting for it.
    harness::RunOptions opts;
    opts.env.push_back({"PATH", "/usr/bin:/bin"});
    opts.kill_when = [&] {
        return harness::BlockedCalls(dir, "read") >= 1 && harness::BlockedCalls(dir, "wait") >= 1;
    };
    RunResult r = harness::Run(
        {harness::CliPath(), "run", "-o", dir, "--", "sh", "-c", "sleep 30 | cat"}, opts);
    ASSERT_TRUE(r.killed_on_purpose && r.term_signal == SIGKILL) << r.Describe();
    RunResult text = Cli({"dump", dir});
    ASSERT_EQ(text.exit_code, 0) << text.Describe();
    std::vector<std::string> reads = LinesWith(text.out, " read(0<pipe:[");
    ASSERT_EQ(reads.size(), 1u) << text.out;
    EXPECT_NE(reads[0].find(" read(0<pipe:["), std::string::npos);
    EXPECT_EQ(reads[0].substr(reads[0].find(">, ")), ">, <unfinished ...>) = ?") << reads[0];
    // sh's wait never returned: no status is made up for it.
    std::vector<std::string> waits = LinesWith(text.out, " wait(");
    ASSERT_FALSE(waits.empty()) << text.out;
    for (const std::string &line : waits)
        EXPECT_EQ(line.substr(line.find(" wait(")), " wait(<unfinished ...>) = ?") << line;
    Trace t = harness::LoadTrace(dir);
    for (const Event *e : t.Select([](const Event &e) { return e.call == "wait"; })) {
        EXPECT_EQ(e->state, "unfinished");
        EXPECT_TRUE(e->raw["status"].is_null()) << e->raw.dump();
    }
}

// --- filters ------------------------------------------------------------------------

TEST(DumpFilter, PidIsOneProcessWithAllItsImages) {
    int pid = Shim().shim_pid;
    Trace t = DumpJson({"--pid=" + std::to_string(pid)});
    ASSERT_FALSE(t.events.empty());
    EXPECT_EQ(Pids(t), std::set<int>{pid});
    std::set<std::string> images;
    for (const Process &p : t.processes) {
        EXPECT_EQ(p.pid, pid);
        images.insert(p.image);
    }
    EXPECT_GE(images.size(), 2u) << "the shim and python3 are two images of one pid";
    size_t expected = Shim().full.Count([pid](const Event &e) { return e.pid == pid; });
    EXPECT_EQ(t.events.size(), expected);
    // -p is the same, and the text form filters alike.
    Trace short_form = DumpJson({"-p", std::to_string(pid)});
    EXPECT_EQ(short_form.events.size(), t.events.size());
    for (const std::string &line : harness::Lines(DumpText({"-p", std::to_string(pid)}))) {
        if (!line.empty() && line[0] == '[') {
            EXPECT_EQ(line.rfind("[" + std::to_string(pid) + "]", 0), 0u) << line;
        }
    }
}

TEST(DumpFilter, TreeIsAProcessAndItsDescendants) {
    const Trace &full = Shim().full;
    int pid = Shim().shim_pid;
    // Descendants from the fork records, transitively.
    std::set<int> tree = {pid};
    for (bool grew = true; grew;) {
        grew = false;
        for (const Event &e : full.events)
            if ((e.call == "fork" || e.call == "vfork") && tree.count(e.pid) && e.child > 0 &&
                tree.insert(e.child).second)
                grew = true;
    }
    ASSERT_GE(tree.size(), 5u) << "the shim's subshells and cats, python3's child";
    Trace t = DumpJson({"--tree=" + std::to_string(pid)});
    EXPECT_EQ(Pids(t), tree);
    int root = full.processes.front().pid;
    EXPECT_EQ(Pids(t).count(root), 0u) << "the shell that started the shim is not under it";
    size_t expected = full.Count([&tree](const Event &e) { return tree.count(e.pid) > 0; });
    EXPECT_EQ(t.events.size(), expected);
    // --pid adds to --tree.
    Trace both = DumpJson({"--tree=" + std::to_string(pid), "--pid=" + std::to_string(root)});
    std::set<int> with_root = tree;
    with_root.insert(root);
    EXPECT_EQ(Pids(both), with_root);
}

TEST(DumpFilter, PipeByInodeByIdAndAsDumpPrintsIt) {
    uint64_t ino = ExamplePipe();
    ASSERT_NE(ino, 0u) << Shim().full.Head();
    std::string ino_text = std::to_string(ino);
    Trace t = DumpJson({"--pipe=" + ino_text});
    std::set<std::string> calls;
    std::set<int64_t> pipe_fds; // the example's child selects on its read end
    for (const Event &e : t.events) {
        calls.insert(e.call);
        bool on_pipe = e.ino == ino;
        if (e.call == "pipe2") {
            on_pipe = e.raw["inos"][0].as_int() == static_cast<int64_t>(ino);
            for (size_t i = 0; i < e.raw["fds"].size(); i++)
                pipe_fds.insert(e.raw["fds"][i].as_int());
        }
        if (e.call == "select") // a wait whose set holds the pipe's fd
            for (size_t i = 0; i < e.raw["set"].size(); i++)
                on_pipe = on_pipe || pipe_fds.count(e.raw["set"][i]["fd"].as_int()) > 0;
        EXPECT_TRUE(on_pipe) << e.raw.dump();
    }
    for (const char *call : {"pipe2", "write", "read", "close"})
        EXPECT_EQ(calls.count(call), 1u) << call;
    EXPECT_EQ(t.Data([](const Event &e) { return e.IsWrite(); }), "Hello child process");
    // The same as pipe:[N] (as dump prints fds) and as summary's #ID.
    EXPECT_EQ(DumpJson({"--pipe=pipe:[" + ino_text + "]"}).events.size(), t.events.size());
    json::Value summary = fixture::CliJson({"summary", "--json", Shim().dir});
    std::string id;
    for (const json::Value &p : summary["pipes"].as_array())
        if (p["inode"].as_int() == static_cast<int64_t>(ino))
            id = "#" + std::to_string(p["id"].as_int());
    ASSERT_NE(id, "") << summary.dump();
    EXPECT_EQ(DumpJson({"--pipe=" + id}).events.size(), t.events.size());
    // Only processes that touched it get a process line.
    std::set<int> pids = Pids(t);
    for (const Process &p : t.processes)
        EXPECT_EQ(pids.count(p.pid), 1u) << p.pid;
    // An id the trace does not have is an error that says so.
    RunResult bad = Cli({"dump", "--pipe=#9999", Shim().dir});
    EXPECT_EQ(bad.exit_code, 2) << bad.Describe();
    EXPECT_NE(bad.err.find("no pipe #9999"), std::string::npos) << bad.err;
}

TEST(DumpFilter, CallNamesAndClasses) {
    const Trace &full = Shim().full;
    Trace rw = DumpJson({"-e", "read,write"});
    ASSERT_FALSE(rw.events.empty());
    for (const Event &e : rw.events)
        EXPECT_TRUE(e.call == "read" || e.call == "write") << e.call;
    EXPECT_EQ(rw.events.size(),
              full.Count([](const Event &e) { return e.call == "read" || e.call == "write"; }));
    // strace's trace= and !, and classes.
    Trace no_close = DumpJson({"-e", "trace=!close"});
    EXPECT_EQ(no_close.Count([](const Event &e) { return e.call == "close"; }), 0u);
    EXPECT_EQ(no_close.events.size(),
              full.events.size() - full.Count([](const Event &e) { return e.call == "close"; }));
    Trace process = DumpJson({"-e", "%process"});
    const std::set<std::string> process_calls = {"fork",   "vfork",         "execve", "posix_spawn",
                                                 "exit",   "wait",          "popen",  "pclose",
                                                 "system", "untraced_child"};
    for (const Event &e : process.events)
        EXPECT_EQ(process_calls.count(e.call), 1u) << e.call;
    EXPECT_EQ(process.events.size(), full.Count([&process_calls](const Event &e) {
        return process_calls.count(e.call) > 0;
    }));
    RunResult bad = Cli({"dump", "-e", "read,nosuchcall", Shim().dir});
    EXPECT_EQ(bad.exit_code, 2) << bad.Describe();
    EXPECT_NE(bad.err.find("nosuchcall"), std::string::npos) << bad.err;
}

TEST(DumpFilter, ExeMatchesTheProgramOrACommandLineWord) {
    Trace cat = DumpJson({"--exe=cat"});
    ASSERT_FALSE(cat.processes.empty());
    std::set<std::string> images;
    for (const Process &p : cat.processes) {
        EXPECT_EQ(p.exe, "/usr/bin/cat");
        images.insert(p.image);
    }
    for (const Event &e : cat.events)
        EXPECT_EQ(images.count(e.image), 1u) << e.raw.dump();
    EXPECT_EQ(cat.Count([](const Event &e) { return e.call == "read"; }), 6u)
        << "each of the shim's three cats read a word and EOF";
    // A script is found by its name on python3's command line.
    Trace script = DumpJson({"--exe=pipe2_fork.py", "-e", "read,write"});
    EXPECT_NE(script.Data([](const Event &e) { return e.IsRead(); }).find("Hello child process"),
              std::string::npos);
    // Filters of different kinds must all match.
    Trace none = DumpJson({"--exe=cat", "-e", "pipe2"});
    EXPECT_TRUE(none.events.empty());
    EXPECT_TRUE(none.processes.empty());
}

} // namespace
