// Real programs nobody here wrote, as Debian ships them (issue 9): each runs
// untraced and then traced with `pipetrace run`, and must give the same
// output and exit status (lines sorted where the program's own order
// varies); then every viewer command must answer on the trace, and
// `check` must find no error in these correct programs (issue 10).
//
// A case is skipped, with the reason, only when its program is not
// installed (.ci/run and README's prerequisite line install them all).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/harness.h"
#include "test/json.h"

namespace {

using harness::RunOptions;
using harness::RunResult;

// Every run is bounded; a case that needs longer is a bug to look at.
constexpr double kTimeoutS = 40;

// Debian's programs, not a shim or a user's build earlier on PATH.
const char kPath[] = "/usr/bin:/bin";

bool Installed(const std::string &program) {
    for (const char *dir : {"/usr/bin/", "/bin/"})
        if (access((dir + program).c_str(), X_OK) == 0)
            return true;
    return false;
}

#define REQUIRE_PROGRAMS(...)                                                                      \
    do {                                                                                           \
        for (const char *p : {__VA_ARGS__})                                                        \
            if (!Installed(p))                                                                     \
                GTEST_SKIP() << p << " is not installed (apt-get install it; .ci/run does)";       \
    } while (0)

// The environment both runs get: fixed, so that git makes the same commits
// (same hashes, same output) in both.
RunOptions Options(const std::string &cwd) {
    RunOptions o;
    o.cwd = cwd;
    o.timeout_s = kTimeoutS;
    o.env = {{"PATH", kPath},
             {"HOME", cwd},
             {"LC_ALL", "C"},
             {"TZ", "UTC"},
             {"GIT_CONFIG_NOSYSTEM", "1"},
             {"GIT_AUTHOR_NAME", "Real Programs"},
             {"GIT_AUTHOR_EMAIL", "real@example.org"},
             {"GIT_AUTHOR_DATE", "2026-01-02T03:04:05Z"},
             {"GIT_COMMITTER_NAME", "Real Programs"},
             {"GIT_COMMITTER_EMAIL", "real@example.org"},
             {"GIT_COMMITTER_DATE", "2026-01-02T03:04:05Z"},
             {"MAKEFLAGS", ""},
             // Absolute: the runs start in a directory of their own.
             {"PIPETRACE_LIB", harness::LibPath()}};
    o.unset_env = {"MAKELEVEL", "GIT_DIR", "GIT_WORK_TREE", "PYTHONPATH", "PYTHONHOME"};
    return o;
}

std::string SortedLines(const std::string &text) {
    std::vector<std::string> lines = harness::Lines(text);
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (const std::string &l : lines)
        out += l + "\n";
    return out;
}

std::string Same(const std::string &text) {
    return text;
}

// Runs a shell script (setup, not under test) in dir; fails the test if it
// fails.
void Sh(const std::string &dir, const std::string &script) {
    RunResult r = harness::Run({"/bin/sh", "-ec", script}, Options(dir));
    ASSERT_TRUE(r.exited && r.exit_code == 0) << script << "\n" << r.Describe();
}

// --- the viewer on a trace ----------------------------------------------------------

RunResult Viewer(const std::vector<std::string> &args) {
    std::vector<std::string> argv = {harness::CliPath()};
    argv.insert(argv.end(), args.begin(), args.end());
    RunOptions o;
    o.timeout_s = kTimeoutS;
    return harness::Run(argv, o);
}

bool ParsesAsJson(const std::string &text, std::string *why) {
    try {
        json::parse(text);
        return true;
    } catch (const std::exception &e) {
        *why = e.what();
        return false;
    }
}

bool EveryLineIsJson(const std::string &text, std::string *why) {
    for (const std::string &line : harness::Lines(text))
        if (!line.empty() && !ParsesAsJson(line, why))
            return false;
    return true;
}

// Every viewer command answers: exit 0 (check: 0 or 1, its verdict), output
// in its format, no crash, no hang.
void EveryViewerCommandAnswers(const std::string &dir) {
    struct Command {
        std::vector<std::string> args;
        enum { TEXT, JSON, JSON_LINES } format;
        bool verdict; // exit 1 is an answer (check)
    };
    const std::vector<Command> commands = {
        {{"summary", dir}, Command::TEXT, false},
        {{"summary", "--json", dir}, Command::JSON, false},
        {{"check", dir}, Command::TEXT, true},
        {{"check", "--json", dir}, Command::JSON, true},
        {{"leaks", dir}, Command::TEXT, false},
        {{"leaks", "--json", dir}, Command::JSON, false},
        {{"flows", dir}, Command::TEXT, false},
        {{"flows", "--json", dir}, Command::JSON, false},
        {{"dump", dir}, Command::TEXT, false},
        {{"dump", "--json", dir}, Command::JSON_LINES, false},
        {{"graph", dir}, Command::TEXT, false},
        {{"graph", "--format=text", dir}, Command::TEXT, false},
        {{"export", "--format=chrome", dir}, Command::JSON, false},
        {{"export", "--format=jsonl", dir}, Command::JSON_LINES, false},
    };
    for (const Command &c : commands) {
        std::string line;
        for (const std::string &a : c.args)
            line += " " + a;
        SCOPED_TRACE("pipetrace" + line);
        RunResult r = Viewer(c.args);
        EXPECT_TRUE(r.exited && (r.exit_code == 0 || (c.verdict && r.exit_code == 1)))
            << r.Describe();
        EXPECT_FALSE(r.out.empty());
        std::string why;
        if (c.format == Command::JSON) {
            EXPECT_TRUE(ParsesAsJson(r.out, &why)) << why << "\n" << r.out.substr(0, 500);
        } else if (c.format == Command::JSON_LINES) {
            EXPECT_TRUE(EveryLineIsJson(r.out, &why)) << why;
        }
    }
}

// --- untraced, then traced ------------------------------------------------------------

struct Case {
    std::vector<std::string> argv;
    // Both runs start in a directory of their own that setup() prepared the
    // same way; the traced run's trace goes elsewhere.
    std::function<void(const std::string &dir)> setup;
    std::function<std::string(const std::string &)> normalize = Same;
    // After each run: what it left behind, compared too (a clone's log...).
    std::vector<std::string> after;
    // Pipes the trace must show: writer and reader program (the exe's file
    // name), and the bytes (-1: any number but 0).
    struct Flow {
        std::string writer, reader;
        int64_t bytes;
    };
    std::vector<Flow> flows;
};

struct Outcome {
    RunResult run;
    std::string after;
};

Outcome RunIn(const Case &c, const std::string &dir, const std::string &trace) {
    Outcome o;
    std::vector<std::string> argv;
    if (!trace.empty())
        argv = {harness::CliPath(), "run", "-o", trace, "--"};
    argv.insert(argv.end(), c.argv.begin(), c.argv.end());
    o.run = harness::Run(argv, Options(dir));
    if (!c.after.empty()) {
        RunResult a = harness::Run(c.after, Options(dir));
        o.after = a.out + a.err + "exit " + std::to_string(a.exit_code);
    }
    return o;
}

// The whole check; returns the trace directory.
std::string TracedEqualsUntraced(const std::string &name, const Case &c) {
    std::string plain = harness::FreshDir(name + "-untraced");
    std::string traced = harness::FreshDir(name + "-traced");
    std::string trace = harness::FreshPath(name + "-trace");
    if (c.setup) {
        c.setup(plain);
        c.setup(traced);
    }
    Outcome u = RunIn(c, plain, "");
    Outcome t = RunIn(c, traced, trace);
    EXPECT_FALSE(u.run.timed_out) << u.run.Describe();
    EXPECT_FALSE(t.run.timed_out) << t.run.Describe();
    EXPECT_TRUE(u.run.exited) << "untraced: " << u.run.Describe();
    EXPECT_EQ(t.run.exited, u.run.exited) << t.run.Describe();
    EXPECT_EQ(t.run.exit_code, u.run.exit_code) << "traced: " << t.run.Describe();
    EXPECT_EQ(t.run.term_signal, u.run.term_signal);
    EXPECT_EQ(c.normalize(t.run.out), c.normalize(u.run.out));
    EXPECT_EQ(c.normalize(t.run.err), c.normalize(u.run.err));
    EXPECT_EQ(t.after, u.after);
    return trace;
}

// A case that is a command line and nothing else.
Case Command(const std::vector<std::string> &argv) {
    Case c;
    c.argv = argv;
    return c;
}

std::string ExeName(const json::Value &process) {
    std::string exe = process["exe"].as_string();
    return exe.substr(exe.rfind('/') + 1);
}

// The pipes summary found carry what the programs sent each other.
void TraceShowsTheFlows(const std::string &dir, const Case &c) {
    RunResult r = Viewer({"summary", "--json", dir});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    json::Value summary = json::parse(r.out);
    for (const Case::Flow &f : c.flows) {
        int64_t bytes = 0;
        for (const json::Value &p : summary["pipes"].as_array())
            for (const json::Value &w : p["writers"].as_array())
                for (const json::Value &rd : p["readers"].as_array())
                    if (ExeName(w) == f.writer && ExeName(rd) == f.reader)
                        bytes += w["bytes"].as_int();
        if (f.bytes < 0)
            EXPECT_GT(bytes, 0) << f.writer << " -> " << f.reader << "\n" << r.out.substr(0, 3000);
        else
            EXPECT_EQ(bytes, f.bytes) << f.writer << " -> " << f.reader;
    }
}

// Every case is a correct program: `pipetrace check` must find no error
// in it (exit 0), or a CI gate built on it would fail correct code.
void CheckFindsNoError(const std::string &trace) {
    RunResult r = Viewer({"check", "--json", trace});
    EXPECT_TRUE(r.exited && r.exit_code == 0) << Viewer({"check", trace}).out;
    std::string why;
    if (!ParsesAsJson(r.out, &why))
        return;
    json::Value check = json::parse(r.out);
    for (const json::Value &p : check["problems"].as_array())
        EXPECT_NE("error", p["severity"].as_string()) << p.dump();
}

void CheckProgram(const std::string &name, const Case &c) {
    std::string trace = TracedEqualsUntraced(name, c);
    if (::testing::Test::HasFailure())
        return; // the trace of a run that went wrong says little
    EveryViewerCommandAnswers(trace);
    TraceShowsTheFlows(trace, c);
    CheckFindsNoError(trace);
}

// --- the cases -----------------------------------------------------------------------------

TEST(RealPrograms, BashSevenStagePipeline) {
    REQUIRE_PROGRAMS("bash", "seq", "grep", "sed", "tr", "sort", "uniq", "wc");
    Case c = Command({"bash", "-c",
                      "seq 1 20000 | grep -v 7 | sed s/1/one/ | tr a-z A-Z | sort -r | "
                      "uniq -c | wc -l; echo \"status ${PIPESTATUS[*]}\" >&2"});
    c.flows = {{"seq", "grep", 108894}, {"grep", "sed", -1},  {"sed", "tr", -1},
               {"tr", "sort", -1},      {"sort", "uniq", -1}, {"uniq", "wc", -1}};
    CheckProgram("bash", c);
}

TEST(RealPrograms, DashSevenStagePipeline) {
    REQUIRE_PROGRAMS("dash", "seq", "grep", "sed", "tr", "sort", "uniq", "head");
    Case c = Command({"dash", "-c",
                      "seq 1 20000 | grep 3 | sed 's/^/n=/' | tr = : | sort -t: -k2 -n | "
                      "uniq | head -n 5; exec >&2; echo done"});
    c.flows = {{"seq", "grep", 108894}, {"grep", "sed", -1},  {"sed", "tr", -1},
               {"tr", "sort", -1},      {"sort", "uniq", -1}, {"uniq", "head", -1}};
    CheckProgram("dash", c);
}

TEST(RealPrograms, Python3SubprocessWithPipes) {
    REQUIRE_PROGRAMS("python3", "sort", "tr", "sh", "cat");
    const char *script = "import subprocess, sys\n"
                         "p = subprocess.Popen(['sort', '-r'], stdin=subprocess.PIPE,\n"
                         "                     stdout=subprocess.PIPE, text=True)\n"
                         "out, _ = p.communicate(''.join('%d\\n' % i for i in range(500)))\n"
                         "print(out.splitlines()[:3], p.returncode)\n"
                         "r = subprocess.run(['tr', 'a-z', 'A-Z'], input=b'piped text\\n',\n"
                         "                   capture_output=True)\n"
                         "sys.stdout.write(r.stdout.decode())\n"
                         "print(subprocess.check_output(['sh', '-c', 'echo hi | cat']))\n"
                         "r = subprocess.run(['sh', '-c', 'echo oops >&2; exit 3'],\n"
                         "                   stderr=subprocess.PIPE)\n"
                         "print(r.returncode, r.stderr)\n"
                         "sys.exit(r.returncode)\n";
    Case c = Command({"python3", "-c", script});
    c.flows = {{"python3.11", "sort", 1890}, {"sort", "python3.11", 1890},
               {"python3.11", "tr", 11},     {"tr", "python3.11", 11},
               {"cat", "python3.11", 3},     {"dash", "python3.11", 5}};
    CheckProgram("python3", c);
}

// multiprocessing in its three start methods: workers fed through pipes,
// a forkserver that forks them and kills them at shutdown (issue 9 saw
// empty trace files from children it killed just after their fork), and a
// resource tracker that holds a pipe to the end.
TEST(RealPrograms, Python3MultiprocessingPoolsAndQueues) {
    REQUIRE_PROGRAMS("python3");
    const char *script = "import multiprocessing as mp\n"
                         "def square(x):\n"
                         "    return x * x\n"
                         "def produce(q, n):\n"
                         "    for i in range(n):\n"
                         "        q.put(i)\n"
                         "    q.put(None)\n"
                         "if __name__ == '__main__':\n"
                         "    for method in ('fork', 'spawn', 'forkserver'):\n"
                         "        ctx = mp.get_context(method)\n"
                         "        with ctx.Pool(2) as pool:\n"
                         "            print(method, sum(pool.map(square, range(300))))\n"
                         "        q = ctx.Queue()\n"
                         "        p = ctx.Process(target=produce, args=(q, 400))\n"
                         "        p.start()\n"
                         "        got = 0\n"
                         "        while q.get() is not None:\n"
                         "            got += 1\n"
                         "        p.join()\n"
                         "        print(method, got, p.exitcode)\n";
    Case c;
    // A script file: spawn and forkserver children import __main__ from it.
    c.setup = [script](const std::string &dir) { harness::WriteFile(dir + "/mp_case.py", script); };
    c.argv = {"python3", "mp_case.py"};
    c.flows = {{"python3.11", "python3.11", -1}};
    CheckProgram("python3-mp", c);
}

TEST(RealPrograms, XzCompressAndDecompressThroughPipes) {
    REQUIRE_PROGRAMS("xz", "seq", "sha256sum", "sh");
    Case c = Command({"sh", "-c",
                      "seq 1 60000 | xz -c -3 | xz -d -c | sha256sum; "
                      "seq 1 60000 | sha256sum"});
    c.flows = {{"seq", "xz", 348894},
               {"xz", "xz", -1},
               {"xz", "sha256sum", 348894},
               {"seq", "sha256sum", 348894}};
    CheckProgram("xz", c);
}

// make -j2 runs two recipes at once: their lines come in either order.
TEST(RealPrograms, MakeJ2WithGccPipe) {
    REQUIRE_PROGRAMS("make", "gcc", "sh");
    auto setup = [](const std::string &dir) {
        Sh(dir, "for n in a b c d; do\n"
                "  printf 'int %s(void) { return %d; }\\n' \"f_$n\" \"$(printf %d \"'$n\")\" "
                "> \"$n.c\"\n"
                "done\n"
                "cat > main.c <<'EOF'\n"
                "#include <stdio.h>\n"
                "int f_a(void), f_b(void), f_c(void), f_d(void);\n"
                "int main(void) { printf(\"%d\\n\", f_a() + f_b() + f_c() + f_d()); return 0; }\n"
                "EOF\n"
                "cat > Makefile <<'EOF'\n"
                "OBJS = a.o b.o c.o d.o main.o\n"
                "prog: $(OBJS)\n"
                "\t$(CC) -pipe -o $@ $(OBJS)\n"
                "%.o: %.c\n"
                "\t$(CC) -pipe -O1 -c -o $@ $<\n"
                "EOF\n");
    };
    Case c = Command({"make", "-j2", "CC=gcc"});
    c.setup = setup;
    c.normalize = SortedLines;
    c.after = {"./prog"};
    // gcc -pipe: each compiler hands its assembly to the assembler.
    c.flows = {{"cc1", "x86_64-linux-gnu-as", -1}};
    CheckProgram("make", c);
}

// --- git: it rewrites its own argv, runs hooks, and talks to itself through
// pipes (upload-pack and pack-objects, pack-refs under gc) -------------------

// A repository with some history, made untraced (the same in both dirs).
const char kGitRepo[] = "git init -q -b main repo\n"
                        "cd repo\n"
                        "for i in 1 2 3 4 5 6 7 8; do\n"
                        "  seq 1 $((i * 300)) > \"file$i.txt\"\n"
                        "  git add \"file$i.txt\"\n"
                        "  git commit -q -m \"commit $i\"\n"
                        "done\n"
                        "git tag v1\n";

TEST(RealPrograms, GitCloneNoLocal) {
    REQUIRE_PROGRAMS("git", "seq");
    Case c = Command({"git", "clone", "--no-local", "repo", "copy"});
    c.setup = [](const std::string &dir) { Sh(dir, kGitRepo); };
    c.after = {"git", "-C", "copy", "log", "--format=%H %s", "--decorate=full"};
    c.flows = {{"git", "git", -1}};
    CheckProgram("git-clone", c);
}

TEST(RealPrograms, GitGc) {
    REQUIRE_PROGRAMS("git", "seq");
    Case c = Command({"git", "-C", "repo", "gc"});
    c.setup = [](const std::string &dir) { Sh(dir, kGitRepo); };
    c.after = {"sh", "-c",
               "git -C repo count-objects -v | grep -v size; git -C repo fsck --no-progress; "
               "git -C repo log --format=%H"};
    CheckProgram("git-gc", c);
}

TEST(RealPrograms, GitCommitWithPreCommitHook) {
    REQUIRE_PROGRAMS("git", "seq", "sort", "sh");
    Case c = Command({"git", "-C", "repo", "commit", "-m", "through the hook"});
    c.setup = [](const std::string &dir) {
        Sh(dir, std::string(kGitRepo) +
                    "cat > .git/hooks/pre-commit <<'EOF'\n"
                    "#!/bin/sh\n"
                    "git diff --cached --name-only | sort -r | sed 's/^/staged: /' >&2\n"
                    "echo hook done >&2\n"
                    "EOF\n"
                    "chmod +x .git/hooks/pre-commit\n"
                    "seq 5 9 > file1.txt\n"
                    "echo new > file9.txt\n"
                    "git add file1.txt file9.txt\n");
    };
    c.after = {"git", "-C", "repo", "log", "--format=%H %s", "-n", "2"};
    c.flows = {{"git", "sort", -1}, {"sort", "sed", -1}};
    CheckProgram("git-commit", c);
}

} // namespace
