// One model, one answer: how every process ended, and what it ran last,
// is the same in summary (text and JSON) and graph, also when the last
// program left no trace file (it made no traced call, or the library
// cannot enter it) and only the parent's wait tells how it ended
// (issue 9 item 5).
#include <map>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/harness.h"
#include "test/json.h"

namespace {

harness::RunResult Cli(const std::vector<std::string> &args) {
    std::vector<std::string> full = {harness::CliPath()};
    full.insert(full.end(), args.begin(), args.end());
    return harness::Run(full);
}

harness::RunResult Traced(const std::vector<std::string> &argv, const std::string &dir) {
    harness::RunOptions opts;
    opts.env = harness::PreloadEnv(dir);
    opts.env.push_back({"PATH", "/usr/bin:/bin"});
    return harness::Run(argv, opts);
}

json::Value Summary(const std::string &dir) {
    harness::RunResult r = Cli({"summary", "--json", dir});
    EXPECT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    return json::parse(r.out);
}

// "exit N", "killed by SIGX" or "" (not known), as graph words it.
std::string Words(const json::Value &exit) {
    if (exit.is_null())
        return "";
    if (exit.has("code"))
        return "exit " + std::to_string(exit["code"].as_int());
    return "killed by " + exit["signal"].as_string();
}

// pid -> how graph --format=text says it ended ("" for "no exit seen").
std::map<int, std::string> GraphEnds(const std::string &dir, std::map<int, std::string> *lines) {
    harness::RunResult r = Cli({"graph", "--format=text", dir});
    EXPECT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    std::map<int, std::string> ends;
    static const std::regex node(R"(^[|`\- ]*(\d+) (.*)$)");
    static const std::regex end(R"(\[(exit \d+|killed by [A-Z0-9]+|no exit seen)\])");
    for (const std::string &line : harness::Lines(r.out)) {
        std::smatch m, e;
        if (!std::regex_match(line, m, node))
            continue;
        int pid = std::stoi(m[1]);
        std::string rest = m[2];
        ends[pid] = std::regex_search(rest, e, end) && e[1] != "no exit seen" ? e[1].str() : "";
        (*lines)[pid] = rest;
    }
    return ends;
}

// Every process summary lists, and every untraced child, ended as graph
// says it did.
void ExpectOneAnswer(const std::string &dir) {
    json::Value s = Summary(dir);
    std::map<int, std::string> lines;
    std::map<int, std::string> graph = GraphEnds(dir, &lines);
    for (const json::Value &p : s["processes"].as_array()) {
        int pid = static_cast<int>(p["pid"].as_int());
        ASSERT_TRUE(graph.count(pid)) << pid << " missing from the graph";
        EXPECT_EQ(Words(p["exit"]), graph[pid]) << "pid " << pid << ": " << p.dump();
        for (const json::Value &u : p["untraced_children"].as_array()) {
            int child = static_cast<int>(u["pid"].as_int());
            ASSERT_TRUE(graph.count(child)) << child << " missing from the graph";
            EXPECT_EQ(Words(u["exit"]), graph[child]) << u.dump();
        }
    }
}

const json::Value *ProcessRunning(const json::Value &s, const std::string &exe) {
    for (const json::Value &p : s["processes"].as_array())
        if (p["exe"].as_string() == exe)
            return &p;
    return nullptr;
}

// subprocess.run(["/usr/bin/false"]): the child's file is python's fork
// child; false itself makes no traced call, so it has no file.
TEST(ProcessEnd, AChildThatExecsAProgramWithNoTracedCall) {
    std::string dir = harness::FreshDir("false_child");
    harness::RunResult run = Traced(
        {"/usr/bin/python3", "-c", "import subprocess; subprocess.run(['/usr/bin/false'])"}, dir);
    ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
    json::Value s = Summary(dir);
    const json::Value *child = ProcessRunning(s, "/usr/bin/false");
    ASSERT_NE(nullptr, child) << s.dump().substr(0, 3000);
    EXPECT_EQ(1, (*child)["exit"]["code"].as_int()) << child->dump();
    EXPECT_EQ("wait", (*child)["exit_seen_by"].as_string());
    EXPECT_FALSE((*child)["recorded"].as_bool());
    ASSERT_GE((*child)["argv"].size(), 1u);
    EXPECT_EQ("/usr/bin/false", (*child)["argv"][0].as_string());
    std::map<int, std::string> lines;
    std::map<int, std::string> graph = GraphEnds(dir, &lines);
    int pid = static_cast<int>((*child)["pid"].as_int());
    EXPECT_EQ("exit 1", graph[pid]);
    EXPECT_EQ(0u, lines[pid].find("false")) << lines[pid];
    ExpectOneAnswer(dir);

    harness::RunResult text = Cli({"summary", dir});
    std::regex row("\\n  " + std::to_string(pid) + " +[0-9]+ +exit 1 +/usr/bin/false\\n");
    EXPECT_TRUE(std::regex_search(text.out, row)) << text.out.substr(0, 2000);
}

// A static program the library cannot enter, exec'd by a traced child
// (fork + exec) or started by posix_spawn: only the parent's wait tells
// how it ended.
TEST(ProcessEnd, AStaticChildEndsAsItsParentsWaitSays) {
    const std::string prog = harness::ProgPath("vw_static_exit");
    for (const char *how : {"fork", "spawn"}) {
        SCOPED_TRACE(how);
        std::string dir = harness::FreshDir(std::string("static_") + how);
        harness::RunResult run = Traced({harness::ProgPath("lc_runchild"), how, prog, "3"}, dir);
        ASSERT_TRUE(run.exited && run.exit_code == 0) << run.Describe();
        json::Value s = Summary(dir);
        int found = 0;
        for (const json::Value &p : s["processes"].as_array()) {
            if (p["exe"].as_string() == prog) {
                EXPECT_EQ(3, p["exit"]["code"].as_int()) << p.dump();
                EXPECT_EQ("static", p["untraced"].as_string());
                found++;
            }
            for (const json::Value &u : p["untraced_children"].as_array()) {
                EXPECT_EQ(3, u["exit"]["code"].as_int()) << u.dump();
                EXPECT_EQ("static", u["reason"].as_string());
                found++;
            }
        }
        EXPECT_EQ(1, found) << s.dump().substr(0, 3000);
        ExpectOneAnswer(dir);
    }
}

// A shell pipeline and a subprocess pipeline: every exit agrees.
TEST(ProcessEnd, SummaryAndGraphAgreeOnEveryExit) {
    std::string dir = harness::FreshDir("agree");
    harness::RunResult run = Traced(
        {"/bin/sh", "-c", "seq 1 1000 | sort -r | head -n 2; false; (exit 7); kill -9 $$"}, dir);
    ASSERT_TRUE(!run.exited && run.term_signal == 9) << run.Describe();
    ExpectOneAnswer(dir);
}

} // namespace
