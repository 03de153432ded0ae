// The corpus is runnable: every case of test/corpus/cases.json, run
// untraced, behaves as the manifest says.  A bug that must hang still hangs
// until it is killed at its time bound; every other bug, fixed twin and
// benign program exits with its status within its bound.  This catches a
// corpus program that a later change broke; it says nothing about what
// `pipetrace check` finds (test/corpus/score.py measures that).
//
// The cases run at the same time (most of them wait, few compute): the
// hangs all at once, each in a thread of its own, so that their time
// bounds overlap one another and the rest, which run kParallelCases at a
// time.  A case whose program (perl, node, xz, ...) is not installed is
// skipped.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "test/harness.h"
#include "test/json.h"
#include "gtest/gtest.h"

namespace {

constexpr int kParallelCases = 8;

// One runnable case: a bug, its fixed twin, or a benign program.
struct Variant {
    std::string name; // "c_hung_pipeline", "c_hung_pipeline_fixed"
    std::vector<std::string> argv;
    std::vector<std::string> needs;
    bool hangs = false;
    int exit_code = 0;
    double timeout_s = 20;
};

// gtest prints a failing case's parameter: its name says enough.
void PrintTo(const Variant &v, std::ostream *os) {
    *os << v.name;
}

std::string CorpusDir() {
    const char *cases = getenv("CORPUS_CASES");
    std::string path = harness::SourcePath(cases != nullptr ? cases : "test/corpus/cases.json");
    return path.substr(0, path.rfind('/'));
}

std::string Expand(std::string word, const std::string &mode) {
    const std::string dir = CorpusDir();
    for (const std::string &key : {std::string("{bin}"), std::string("{corpus}")})
        for (size_t at; (at = word.find(key)) != std::string::npos;)
            word.replace(at, key.size(), dir);
    for (size_t at; (at = word.find("{mode}")) != std::string::npos;)
        word.replace(at, 6, mode);
    return word;
}

std::vector<std::string> Strings(const json::Value &array) {
    std::vector<std::string> out;
    for (const json::Value &v : array.as_array())
        out.push_back(v.as_string());
    return out;
}

// cases.json as variants; throws on a manifest it cannot read.
std::vector<Variant> ReadManifest() {
    json::Value manifest = json::parse(harness::ReadFile(CorpusDir() + "/cases.json"));
    const json::Value &defaults = manifest["defaults"];
    std::vector<Variant> out;
    for (const json::Value &c : manifest["cases"].as_array()) {
        for (const char *group : {"bug", "fixed", "benign"}) {
            if (!c.has(group))
                continue;
            const json::Value &spec = c[group];
            Variant v;
            v.name = c["name"].as_string() + (std::string(group) == "fixed" ? "_fixed" : "");
            std::string mode = std::string(group) == "benign" ? "" : group;
            for (const std::string &word : Strings(spec.has("cmd") ? spec["cmd"] : c["cmd"]))
                v.argv.push_back(Expand(word, mode));
            if (c.has("needs"))
                v.needs = Strings(c["needs"]);
            v.hangs = spec.has("hangs") && spec["hangs"].as_bool();
            if (!v.hangs)
                v.exit_code = static_cast<int>(spec["exit"].as_int());
            v.timeout_s = spec.has("timeout")
                              ? spec["timeout"].as_double()
                              : defaults[v.hangs ? "hang_timeout" : "timeout"].as_double();
            out.push_back(v);
        }
    }
    return out;
}

std::string manifest_error;

std::vector<Variant> Variants() {
    try {
        return ReadManifest();
    } catch (const std::exception &e) {
        manifest_error = e.what();
        return {};
    }
}

bool Installed(const std::string &program) {
    const char *path = getenv("PATH");
    std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
    for (size_t start = 0; start <= dirs.size();) {
        size_t end = dirs.find(':', start);
        if (end == std::string::npos)
            end = dirs.size();
        std::string candidate = dirs.substr(start, end - start) + "/" + program;
        if (access(candidate.c_str(), X_OK) == 0)
            return true;
        start = end + 1;
    }
    return false;
}

struct Outcome {
    std::string missing; // a program the case needs that is not installed
    harness::RunResult run;
};

// Every case, run once for the whole suite, kParallelCases at a time.
class CorpusSmoke : public ::testing::TestWithParam<Variant> {
  protected:
    static std::map<std::string, Outcome> *outcomes;

    static void SetUpTestSuite() {
        std::vector<Variant> variants = Variants();
        outcomes = new std::map<std::string, Outcome>();
        std::vector<std::string> cwds;
        for (const Variant &v : variants) {
            Outcome &o = (*outcomes)[v.name];
            for (const std::string &program : v.needs)
                if (!Installed(program))
                    o.missing = program;
            cwds.push_back(harness::FreshDir("corpus-" + v.name));
        }
        auto run = [&](size_t i) {
            const Variant &v = variants[i];
            Outcome &o = (*outcomes)[v.name];
            if (!o.missing.empty())
                return;
            harness::RunOptions opts;
            opts.cwd = cwds[i];
            opts.timeout_s = v.timeout_s;
            opts.env = {{"CORPUS_BIN", CorpusDir()},
                        {"CORPUS_DIR", CorpusDir()},
                        {"PYTHONDONTWRITEBYTECODE", "1"},
                        {"LC_ALL", "C"},
                        {"HOME", cwds[i]}};
            o.run = harness::Run(v.argv, opts);
        };
        std::vector<std::thread> threads;
        std::vector<size_t> rest;
        for (size_t i = 0; i < variants.size(); i++) {
            if (variants[i].hangs)
                threads.emplace_back(run, i); // waits out its bound: costs no CPU
            else
                rest.push_back(i);
        }
        std::atomic<size_t> next{0};
        auto worker = [&]() {
            for (size_t k; (k = next++) < rest.size();)
                run(rest[k]);
        };
        for (int t = 0; t < kParallelCases; t++)
            threads.emplace_back(worker);
        for (std::thread &t : threads)
            t.join();
    }

    static void TearDownTestSuite() {
        delete outcomes;
        outcomes = nullptr;
    }
};

std::map<std::string, Outcome> *CorpusSmoke::outcomes = nullptr;

TEST(CorpusManifest, IsReadable) {
    EXPECT_EQ(manifest_error, "");
    EXPECT_FALSE(Variants().empty());
}

TEST_P(CorpusSmoke, BehavesAsTheManifestSays) {
    const Variant &v = GetParam();
    const Outcome &o = outcomes->at(v.name);
    if (!o.missing.empty())
        GTEST_SKIP() << o.missing << " is not installed";
    std::string command;
    for (const std::string &word : v.argv)
        command += word + " ";
    if (v.hangs) {
        EXPECT_TRUE(o.run.timed_out) << command << "should hang until killed after " << v.timeout_s
                                     << " s, but: " << o.run.Describe();
    } else {
        EXPECT_FALSE(o.run.timed_out) << command << o.run.Describe();
        EXPECT_TRUE(o.run.exited && o.run.exit_code == v.exit_code)
            << command << "should exit " << v.exit_code << ", but: " << o.run.Describe();
    }
}

std::string CaseName(const ::testing::TestParamInfo<Variant> &info) {
    return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Cases, CorpusSmoke, ::testing::ValuesIn(Variants()), CaseName);

} // namespace
