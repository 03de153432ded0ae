// Each test program paired with what `pipetrace dump` must show of it, as
// strace's tests pair each program with its expected output.
//
// test/expected/CASE.dump names the program and its arguments on a line
// "# run: PROG ARGS...", then lists lines of the normalised dump of that
// run.  Each process's expected lines must appear among that process's
// lines of the dump, in that order (other lines may come between: the
// loader, libc and the inherited fds differ from machine to machine, and
// the merged order of two processes' calls is the kernel's to choose).
//
// Normalised: the time column is dropped; pids become P1, P2... in the
// order their first record appears, also where a call returns one
// (fork, posix_spawn, wait); pipe, FIFO and socket inode numbers become
// I1, I2... in order of first appearance; inherited_fd lines are left out.
//
// Adding a case: a program in test/progs (a cc_binary in test/BUILD, listed
// in this test's data) and its test/expected/CASE.dump.
#include <dirent.h>

#include <algorithm>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/harness.h"

namespace {

struct Case {
    std::string name;                  // the file's stem
    std::vector<std::string> run;      // program and arguments
    std::vector<std::string> expected; // normalised lines
};

// gtest names a failing case by this, not by its bytes.
void PrintTo(const Case &c, std::ostream *os) {
    *os << c.name;
}

std::string ExpectedDir() {
    return harness::SourcePath("test/expected");
}

Case ReadCase(const std::string &file) {
    Case c;
    c.name = file.substr(0, file.size() - strlen(".dump"));
    for (const std::string &line : harness::Lines(harness::ReadFile(ExpectedDir() + "/" + file))) {
        if (line.rfind("# run: ", 0) == 0) {
            std::istringstream words(line.substr(7));
            for (std::string w; words >> w;)
                c.run.push_back(w);
        } else if (!line.empty() && line[0] != '#') {
            c.expected.push_back(line);
        }
    }
    return c;
}

std::vector<Case> AllCases() {
    std::vector<std::string> files;
    if (DIR *d = opendir(ExpectedDir().c_str())) {
        for (struct dirent *e; (e = readdir(d)) != nullptr;) {
            std::string n = e->d_name;
            if (n.size() > 5 && n.compare(n.size() - 5, 5, ".dump") == 0)
                files.push_back(n);
        }
        closedir(d);
    }
    std::sort(files.begin(), files.end());
    std::vector<Case> cases;
    for (const std::string &f : files)
        cases.push_back(ReadCase(f));
    return cases;
}

// `pipetrace dump` text, normalised as the header comment says.
std::vector<std::string> Normalise(const std::string &dump) {
    static const std::regex call(R"(^\[(\d+)\] \d+\.\d+ (.*)$)");
    static const std::regex object(R"((pipe|fifo|socket):\[(\d+)\])");
    static const std::regex returned_pid(R"(= (\d+)$)");
    std::vector<std::pair<std::string, std::string>> calls; // pid, rest
    std::map<std::string, std::string> pids, inos;
    for (const std::string &line : harness::Lines(dump)) {
        std::smatch m;
        if (!std::regex_match(line, m, call) || m[2].str().rfind("inherited_fd(", 0) == 0)
            continue;
        if (!pids.count(m[1]))
            pids[m[1]] = "P" + std::to_string(pids.size() + 1);
        calls.push_back({m[1], m[2]});
    }
    std::vector<std::string> out;
    for (auto &[pid, rest] : calls) {
        std::string text;
        auto begin = std::sregex_iterator(rest.begin(), rest.end(), object);
        size_t at = 0;
        for (auto it = begin; it != std::sregex_iterator(); ++it) {
            const std::smatch &o = *it;
            if (!inos.count(o[2]))
                inos[o[2]] = "I" + std::to_string(inos.size() + 1);
            text += rest.substr(at, o.position() - at) + o[1].str() + ":[" + inos[o[2]] + "]";
            at = o.position() + o.length();
        }
        text += rest.substr(at);
        std::smatch r;
        if (std::regex_search(text, r, returned_pid) && pids.count(r[1]))
            text = r.prefix().str() + "= " + pids[r[1]];
        out.push_back("[" + pids[pid] + "] " + text);
    }
    return out;
}

std::string Pid(const std::string &line) {
    return line.substr(0, line.find(']') + 1);
}

class ProgOutput : public ::testing::TestWithParam<Case> {};

TEST_P(ProgOutput, DumpShowsTheExpectedCalls) {
    const Case &c = GetParam();
    ASSERT_FALSE(c.run.empty()) << c.name << ".dump has no \"# run:\" line";
    std::string dir = harness::FreshDir(c.name);
    std::vector<std::string> argv = {harness::CliPath(),         "run", "-o", dir, "--",
                                     harness::ProgPath(c.run[0])};
    argv.insert(argv.end(), c.run.begin() + 1, c.run.end());
    harness::RunResult r = harness::Run(argv);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    harness::RunResult dump = harness::Run({harness::CliPath(), "dump", dir});
    ASSERT_TRUE(dump.exited && dump.exit_code == 0) << dump.Describe();
    std::vector<std::string> got = Normalise(dump.out);
    std::string shown;
    for (const std::string &line : got)
        shown += line + "\n";
    // Per process, the expected lines in order among that process's lines.
    std::map<std::string, size_t> next; // pid -> index into got to search from
    for (const std::string &want : c.expected) {
        size_t &from = next[Pid(want)];
        auto it = std::find(got.begin() + static_cast<long>(from), got.end(), want);
        ASSERT_NE(it, got.end()) << "missing, or out of order for its process: " << want
                                 << "\nnormalised dump:\n"
                                 << shown;
        from = static_cast<size_t>(it - got.begin()) + 1;
    }
}

INSTANTIATE_TEST_SUITE_P(Expected, ProgOutput, ::testing::ValuesIn(AllCases()),
                         [](const ::testing::TestParamInfo<Case> &info) {
                             std::string n = info.param.name;
                             std::replace(n.begin(), n.end(), '-', '_');
                             return n;
                         });

} // namespace
