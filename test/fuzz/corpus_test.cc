// Every file of the fuzz corpus through the reader, the model and the
// detectors, built with gcc as part of `bazel test //...`: no crash, and a
// refused input gets a one-line message.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/fuzz/fuzz_body.h"
#include "test/fuzz/viewer_body.h"

namespace {

std::string CorpusDir() {
    const char *srcdir = getenv("TEST_SRCDIR");
    const char *ws = getenv("TEST_WORKSPACE");
    return std::string(srcdir ? srcdir : ".") + "/" + (ws ? ws : "pipetrace") + "/test/fuzz/corpus";
}

std::vector<std::string> CorpusFiles() {
    std::vector<std::string> out;
    DIR *d = opendir(CorpusDir().c_str());
    if (d == nullptr)
        return out;
    while (dirent *e = readdir(d))
        if (e->d_name[0] != '.')
            out.push_back(e->d_name);
    closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

// The whole file, "" when it cannot be read.
std::string ReadBytes(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string WorkDir() {
    const char *tmp = getenv("TEST_TMPDIR");
    std::string dir = std::string(tmp ? tmp : "/tmp") + "/corpus_work";
    mkdir(dir.c_str(), 0700);
    return dir;
}

TEST(FuzzCorpus, EveryFileIsReadOrRefusedWithOneLine) {
    std::vector<std::string> files = CorpusFiles();
    ASSERT_GE(files.size(), 10u) << "corpus missing at " << CorpusDir();
    std::string work = WorkDir();
    int refused = 0, read = 0;
    for (const std::string &name : files) {
        std::ifstream in(CorpusDir() + "/" + name, std::ios::binary);
        std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        char err[1024] = "";
        int rc = fuzz_one(reinterpret_cast<const uint8_t *>(data.data()), data.size(), work.c_str(),
                          err, sizeof err);
        if (rc < 0) {
            refused++;
            std::string e(err);
            EXPECT_EQ(0u, e.rfind("pipetrace: ", 0)) << name << ": " << e;
            EXPECT_EQ(std::string::npos, e.find('\n')) << name << ": " << e;
        } else {
            read++;
        }
    }
    EXPECT_GT(refused, 0);
    EXPECT_GT(read, 0);
}

// The corpus is what make_corpus writes (test/tracebuild), byte for byte:
// a change to the builder or the cases shows here until the corpus is
// regenerated with `bazel run //test/fuzz:make_corpus`.
TEST(FuzzCorpus, CheckedInFilesAreWhatMakeCorpusWrites) {
    const char *tool = getenv("MAKE_CORPUS");
    ASSERT_NE(nullptr, tool) << "MAKE_CORPUS is set by test/fuzz/BUILD";
    std::string fresh = WorkDir() + "/regenerated";
    std::string command = std::string(tool) + " '" + fresh + "'";
    ASSERT_EQ(0, system(command.c_str())) << command;
    size_t generated = 0;
    for (const std::string &name : CorpusFiles()) {
        if (name.rfind("real_", 0) == 0) // traces of real runs, not generated
            continue;
        std::string want = ReadBytes(fresh + "/" + name);
        std::string have = ReadBytes(CorpusDir() + "/" + name);
        size_t differ =
            std::mismatch(want.begin(), want.end(), have.begin(), have.end()).first - want.begin();
        EXPECT_TRUE(want == have) << name << " (" << have.size() << " bytes) is not what "
                                  << "make_corpus writes (" << want.size() << " bytes) from byte "
                                  << differ << " on: bazel run //test/fuzz:make_corpus";
        generated++;
    }
    DIR *d = opendir(fresh.c_str());
    ASSERT_NE(nullptr, d);
    size_t written = 0;
    while (dirent *e = readdir(d))
        written += e->d_name[0] != '.';
    closedir(d);
    EXPECT_EQ(written, generated) << "make_corpus writes files the corpus does not hold";
}

// The same files cut at every length a record boundary could fall on.
TEST(FuzzCorpus, EveryPrefixOfTheValidTraceIsSafe) {
    std::ifstream in(CorpusDir() + "/fork_and_exec", std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(data.empty());
    std::string work = WorkDir();
    for (size_t n = 0; n <= data.size(); n += 8) {
        char err[1024];
        fuzz_one(reinterpret_cast<const uint8_t *>(data.data()), n, work.c_str(), err, sizeof err);
    }
}

// Every corpus file through everything that answers, in every layout:
// whole, cut, growing while read, and through the commands.
TEST(FuzzCorpus, EveryAnswerSurvivesEveryFileWholeCutAndGrowing) {
    std::string work = WorkDir();
    for (const std::string &name : CorpusFiles()) {
        SCOPED_TRACE(name);
        std::ifstream in(CorpusDir() + "/" + name, std::ios::binary);
        std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        for (unsigned mode : {0u, 3u, 1u + 4 * 5, 1u + 4 * 33, 2u + 4 * 17, 2u + 4 * 50}) {
            std::string input = data + std::string(1, static_cast<char>(mode));
            fuzz_viewer_one(reinterpret_cast<const uint8_t *>(input.data()), input.size(),
                            work.c_str());
        }
    }
}

} // namespace
