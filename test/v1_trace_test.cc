// The reader keeps reading trace format version 1: a trace recorded by the
// last version-1 tree (test/data/v1, see its README) must give the answers
// that tree gave, byte for byte.
#include <dirent.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/harness.h"

namespace {

std::string DataPath(const std::string &name) {
    return harness::SourcePath("test/data/v1/" + name);
}

// A copy of the kept trace: the runfiles are symbolic links, which the
// reader refuses to follow.
std::string TraceCopy() {
    static const std::string dir = [] {
        std::string copy = harness::FreshDir("v1trace");
        std::string from = DataPath("trace");
        DIR *d = opendir(from.c_str());
        EXPECT_TRUE(d != nullptr) << from;
        for (struct dirent *e; d != nullptr && (e = readdir(d)) != nullptr;)
            if (e->d_name[0] != '.')
                harness::WriteFile(copy + "/" + e->d_name,
                                   harness::ReadFile(from + "/" + e->d_name));
        if (d != nullptr)
            closedir(d);
        return copy;
    }();
    return dir;
}

// The CLI's output for `pipetrace ARGS... COPY-OF-test/data/v1/trace`.
harness::RunResult View(std::vector<std::string> args) {
    args.insert(args.begin(), harness::CliPath());
    args.push_back(TraceCopy());
    return harness::Run(args);
}

void ExpectSameAnswer(const std::vector<std::string> &args, const std::string &kept) {
    harness::RunResult r = View(args);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    EXPECT_EQ(r.err, "");
    EXPECT_TRUE(r.out == harness::ReadFile(DataPath(kept)))
        << "`pipetrace " << args[0] << "` on the kept version-1 trace differs from " << kept
        << ":\n"
        << r.out;
}

TEST(V1Trace, DumpIsUnchanged) {
    ExpectSameAnswer({"dump"}, "dump.txt");
}

TEST(V1Trace, SummaryIsUnchanged) {
    ExpectSameAnswer({"summary", "--json"}, "summary.json");
}

TEST(V1Trace, CheckIsUnchanged) {
    ExpectSameAnswer({"check", "--json"}, "check.json");
}

} // namespace
