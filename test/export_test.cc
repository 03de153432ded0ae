// Tests of `pipetrace export`: the Chrome Trace Event JSON is parsed and
// checked against what happened (process names, complete events, one
// arrow per write -> read match adding up to the bytes moved), and the
// JSON lines equal `dump --json`.
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/flows_fixture.h"
#include "test/harness.h"
#include "test/json.h"

namespace {

using fixture::Cli;
using fixture::CliJson;

struct Slice {
    int64_t pid, tid;
    double ts, dur;
    std::string name;
};

struct Chrome {
    std::map<int64_t, std::string> process_names;
    std::vector<Slice> slices;
    std::vector<json::Value> flow_starts, flow_ends, instants;
};

Chrome Load(const std::string &dir) {
    Chrome c;
    json::Value doc = CliJson({"export", "--format=chrome", dir});
    if (!doc.is_object())
        return c;
    for (const json::Value &e : doc["traceEvents"].as_array()) {
        const std::string ph = e["ph"].as_string();
        if (ph == "M" && e["name"].as_string() == "process_name") {
            c.process_names[e["pid"].as_int()] = e["args"]["name"].as_string();
        } else if (ph == "X") {
            EXPECT_TRUE(e.has("dur") && e["dur"].is_number()) << e.dump();
            EXPECT_TRUE(e["args"].has("fd") && e["args"].has("result") && e["args"].has("errno"))
                << e.dump();
            c.slices.push_back({e["pid"].as_int(), e["tid"].as_int(), e["ts"].as_double(),
                                e.has("dur") ? e["dur"].as_double() : -1, e["name"].as_string()});
        } else if (ph == "s") {
            c.flow_starts.push_back(e);
        } else if (ph == "f") {
            c.flow_ends.push_back(e);
        } else if (ph == "i") {
            c.instants.push_back(e);
        }
    }
    return c;
}

// The slice named one of `names` on (pid, tid) that encloses ts.
const Slice *Enclosing(const Chrome &c, const json::Value &e, const std::set<std::string> &names) {
    for (const Slice &s : c.slices)
        if (s.pid == e["pid"].as_int() && s.tid == e["tid"].as_int() && names.count(s.name) &&
            s.ts <= e["ts"].as_double() && e["ts"].as_double() <= s.ts + s.dur)
            return &s;
    return nullptr;
}

int64_t PidNamed(const Chrome &c, const std::string &needle) {
    for (const auto &[pid, name] : c.process_names)
        if (name.find(needle) != std::string::npos)
            return pid;
    return -1;
}

// Checks every flow and returns, per pipe, "writer pid->reader pid" -> bytes.
std::map<std::string, std::map<std::string, int64_t>> CheckFlows(const Chrome &c) {
    std::map<std::string, std::map<std::string, int64_t>> per_pipe;
    std::map<int64_t, const json::Value *> ends;
    for (const json::Value &f : c.flow_ends) {
        EXPECT_EQ(f["bp"].as_string(), "e");
        EXPECT_TRUE(ends.emplace(f["id"].as_int(), &f).second) << "two ends " << f.dump();
    }
    EXPECT_EQ(c.flow_starts.size(), c.flow_ends.size());
    for (const json::Value &s : c.flow_starts) {
        auto it = ends.find(s["id"].as_int());
        if (it == ends.end()) {
            ADD_FAILURE() << "flow without an end: " << s.dump();
            continue;
        }
        const json::Value &f = *it->second;
        EXPECT_NE(Enclosing(c, s, {"write", "writev"}), nullptr) << "no write at " << s.dump();
        EXPECT_NE(Enclosing(c, f, {"read", "readv", "__read_chk"}), nullptr)
            << "no read at " << f.dump();
        EXPECT_EQ(s["name"].as_string(), f["name"].as_string());
        EXPECT_EQ(s["args"]["bytes"].as_int(), f["args"]["bytes"].as_int());
        std::string key =
            std::to_string(s["pid"].as_int()) + "->" + std::to_string(f["pid"].as_int());
        per_pipe[s["name"].as_string()][key] += s["args"]["bytes"].as_int();
    }
    return per_pipe;
}

TEST(ExportChrome, Pipeline) {
    ASSERT_NE(fixture::PipelineDir(), "");
    Chrome c = Load(fixture::PipelineDir());
    // Each child's name is its shell image, then the program it exec'd.
    int64_t seq = PidNamed(c, "-> seq 1 100000 (pid"), sort = PidNamed(c, "-> sort -n (pid"),
            tail = PidNamed(c, "-> tail -n 1 (pid");
    ASSERT_GT(seq, 0);
    ASSERT_GT(sort, 0);
    ASSERT_GT(tail, 0);
    EXPECT_GT(PidNamed(c, "sh -c"), 0);
    ASSERT_FALSE(c.slices.empty());
    auto per_pipe = CheckFlows(c);
    ASSERT_EQ(per_pipe.size(), 2u);
    std::set<std::string> seen;
    for (const auto &[pipe, pairs] : per_pipe) {
        ASSERT_EQ(pairs.size(), 1u) << pipe;
        seen.insert(pairs.begin()->first);
        EXPECT_EQ(pairs.begin()->second, fixture::kPipelineBytes) << pipe;
    }
    EXPECT_TRUE(seen.count(std::to_string(seq) + "->" + std::to_string(sort)));
    EXPECT_TRUE(seen.count(std::to_string(sort) + "->" + std::to_string(tail)));
    int execs = 0, forks = 0;
    for (const json::Value &i : c.instants) {
        execs += i["name"].as_string().rfind("exec ", 0) == 0;
        forks += i["name"].as_string().rfind("fork -> child ", 0) == 0;
    }
    EXPECT_EQ(execs, 3);
    EXPECT_EQ(forks, 3);
}

TEST(ExportChrome, Seed) {
    ASSERT_NE(fixture::SeedDir(), "");
    Chrome c = Load(fixture::SeedDir());
    ASSERT_EQ(c.process_names.size(), 2u);
    for (const auto &[pid, name] : c.process_names)
        EXPECT_TRUE(name.rfind("python3 ", 0) == 0 &&
                    name.find("pipe2_fork.py (pid " + std::to_string(pid) + ")") !=
                        std::string::npos)
            << name;
    auto per_pipe = CheckFlows(c);
    ASSERT_EQ(per_pipe.size(), 1u);
    ASSERT_EQ(per_pipe.begin()->second.size(), 1u);
    EXPECT_EQ(per_pipe.begin()->second.begin()->second, 19);
    // The child's EAGAIN read is a slice with its errno.
    json::Value doc = CliJson({"export", "--format=chrome", fixture::SeedDir()});
    int eagain = 0;
    for (const json::Value &e : doc["traceEvents"].as_array())
        if (e["ph"].as_string() == "X" && e["args"]["errno"].is_string())
            eagain += e["args"]["errno"].as_string() == "EAGAIN";
    EXPECT_GE(eagain, 0); // the race: present or not, never malformed
}

// The diagnoses of `pipetrace check` are instant events on the processes
// involved: the hang is visible on the timeline.
TEST(ExportChrome, BlockedReadIsOnTheTimeline) {
    std::string dir = harness::FreshDir("blocked");
    harness::RunResult r = fixture::TraceCli({harness::ProgPath("blocked_reader")}, dir);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    int child = 0;
    ASSERT_EQ(sscanf(r.out.c_str(), "child %d", &child), 1) << r.out;
    json::Value doc = CliJson({"export", "--format=chrome", dir});
    std::set<int64_t> pids;
    for (const json::Value &e : doc["traceEvents"].as_array())
        if (e["ph"].as_string() == "i" && e.has("cat") && e["cat"].as_string() == "problem" &&
            e["name"].as_string() == "blocked-read")
            pids.insert(e["pid"].as_int());
    EXPECT_TRUE(pids.count(child)) << doc.dump().substr(0, 3000);
    EXPECT_EQ(pids.size(), 2u) << "the parent, which holds the write end, too";
}

TEST(ExportJsonl, SameLinesAsDumpJson) {
    harness::RunResult dump = Cli({"dump", "--json", fixture::SeedDir()});
    harness::RunResult jsonl = Cli({"export", "--format=jsonl", fixture::SeedDir()});
    ASSERT_TRUE(jsonl.exited && jsonl.exit_code == 0) << jsonl.Describe();
    EXPECT_EQ(jsonl.out, dump.out);
    for (const std::string &line : harness::Lines(jsonl.out))
        EXPECT_NO_THROW(json::parse(line)) << line;
}

TEST(Export, NeedsAFormat) {
    harness::RunResult r = Cli({"export", fixture::SeedDir()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--format=chrome"), std::string::npos) << r.err;
}

} // namespace
