// `pipetrace run` and `follow -o` in a shared machine (issue 16): a trace
// directory that is a symbolic link, another user's or writable by others;
// an earlier run's files replaced by header, not by name; captured bytes
// written privately.
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test/flows_fixture.h"
#include "test/harness.h"

namespace {

using fixture::Cli;
using harness::RunResult;

bool Exists(const std::string &path) {
    struct stat st;
    return lstat(path.c_str(), &st) == 0;
}

unsigned ModeOf(const std::string &path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0)
        return 01000000;
    return st.st_mode & 07777;
}

std::vector<std::string> ErrLines(const RunResult &r) {
    std::vector<std::string> lines = harness::Lines(r.err);
    while (!lines.empty() && lines.back().empty())
        lines.pop_back();
    return lines;
}

// A real trace file made by a traced run, copied to `path`.
void PlantRealTrace(const std::string &path) {
    std::string dir = harness::FreshDir("donor");
    RunResult r = fixture::TraceCli({"sh", "-c", "echo x | cat >/dev/null"}, dir);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    RunResult ls = harness::Run({"sh", "-c", "ls " + dir + " | head -n 1"});
    ASSERT_FALSE(ls.out.empty());
    harness::WriteFile(path, harness::ReadFile(dir + "/" + ls.out.substr(0, ls.out.size() - 1)));
}

// `run -o LINK` where LINK points at a directory: refused, and nothing in
// the target is created or removed (it used to delete N.M.ptr files there).
TEST(RunDir, SymlinkIsRefusedAndItsTargetUntouched) {
    std::string victim = harness::FreshDir("victim");
    PlantRealTrace(victim + "/100.0.ptr");
    harness::WriteFile(victim + "/101.0.ptr", "not a trace\n");
    std::string link = harness::FreshPath("link");
    ASSERT_EQ(symlink(victim.c_str(), link.c_str()), 0) << strerror(errno);
    std::string marker = harness::FreshPath("ran");

    // A trailing slash (or "/.") would make the kernel follow the link.
    for (const std::string &spelling : {link, link + "/", link + "/.", link + "//./"}) {
        SCOPED_TRACE(spelling);
        RunResult r = fixture::TraceCli({"touch", marker}, spelling);
        EXPECT_TRUE(r.exited && r.exit_code == 2) << r.Describe();
        ASSERT_EQ(ErrLines(r).size(), 1u) << r.err;
        EXPECT_NE(r.err.find("symbolic link"), std::string::npos) << r.err;
        EXPECT_FALSE(Exists(marker)) << "the command ran although the trace directory was refused";
        EXPECT_TRUE(Exists(victim + "/100.0.ptr"))
            << "a trace file in the link's target was removed";
        EXPECT_TRUE(Exists(victim + "/101.0.ptr"));
        RunResult ls = harness::Run({"ls", victim});
        EXPECT_EQ(ls.out, "100.0.ptr\n101.0.ptr\n") << "files appeared in the link's target";
    }
}

// Replacing an earlier run removes its trace files (by their header) and
// nothing else: not a file that only has a trace file's name.
TEST(RunDir, ReplacesOnlyFilesThatAreTraces) {
    std::string dir = harness::FreshDir("replace");
    PlantRealTrace(dir + "/100.0.ptr");
    harness::WriteFile(dir + "/101.0.ptr", "my notes, not a trace\n");
    harness::WriteFile(dir + "/102.0.ptr", "");
    harness::WriteFile(dir + "/README", "keep\n");
    ASSERT_EQ(symlink("/etc/hostname", (dir + "/103.0.ptr").c_str()), 0);

    RunResult r = fixture::TraceCli({"sh", "-c", "echo y | cat"}, dir);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    EXPECT_EQ(r.out, "y\n");
    EXPECT_FALSE(Exists(dir + "/100.0.ptr")) << "the earlier run's trace file was kept";
    EXPECT_FALSE(Exists(dir + "/102.0.ptr")) << "an empty trace file of an earlier run was kept";
    EXPECT_EQ(harness::ReadFile(dir + "/101.0.ptr"), "my notes, not a trace\n");
    EXPECT_EQ(harness::ReadFile(dir + "/README"), "keep\n");
    EXPECT_TRUE(Exists(dir + "/103.0.ptr")) << "a symbolic link named like a trace was removed";
    EXPECT_NE(r.err.find("101.0.ptr: not a trace file, left in place"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("103.0.ptr: not a trace file, left in place"), std::string::npos) << r.err;
}

TEST(RunDir, GroupOrOtherWritableDirectoryIsRefused) {
    for (unsigned mode : {0770u, 0703u, 01777u}) {
        std::string dir = harness::FreshDir("writable");
        ASSERT_EQ(chmod(dir.c_str(), mode), 0);
        std::string marker = harness::FreshPath("ran");
        RunResult r = fixture::TraceCli({"touch", marker}, dir);
        EXPECT_TRUE(r.exited && r.exit_code == 2) << std::oct << mode << " " << r.Describe();
        EXPECT_EQ(ErrLines(r).size(), 1u) << r.err;
        EXPECT_NE(r.err.find("writable by"), std::string::npos) << r.err;
        EXPECT_FALSE(Exists(marker));
    }
    // 0755 is fine: others may look, not change.
    std::string dir = harness::FreshDir("readable");
    ASSERT_EQ(chmod(dir.c_str(), 0755), 0);
    RunResult r = fixture::TraceCli({"true"}, dir);
    EXPECT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
}

// Root tracing into a directory another user owns: that user could truncate
// or replace the trace files under the traced program.
TEST(RunDir, AnotherUsersDirectoryIsRefused) {
    if (geteuid() != 0)
        GTEST_SKIP() << "needs root to give a directory to another user";
    std::string dir = harness::FreshDir("nobodys");
    if (chown(dir.c_str(), 65534, 65534) != 0)
        GTEST_SKIP() << "cannot chown to uid 65534 here (a user namespace?): " << strerror(errno);
    std::string marker = harness::FreshPath("ran");
    RunResult r = fixture::TraceCli({"touch", marker}, dir);
    EXPECT_TRUE(r.exited && r.exit_code == 2) << r.Describe();
    ASSERT_EQ(ErrLines(r).size(), 1u) << r.err;
    EXPECT_NE(r.err.find("owned by uid 65534"), std::string::npos) << r.err;
    EXPECT_FALSE(Exists(marker));
    RunResult ls = harness::Run({"ls", "-A", dir});
    EXPECT_EQ(ls.out, "") << "the library wrote into the refused directory";
}

// A directory `run` creates is 0700 whatever the umask.
TEST(RunDir, CreatedPrivateUnderAnyUmask) {
    for (mode_t mask : {0000, 0777}) {
        std::string dir = harness::FreshPath("umask");
        mode_t old = umask(mask);
        RunResult r = fixture::TraceCli({"sh", "-c", "echo z | cat"}, dir);
        umask(old);
        EXPECT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
        EXPECT_EQ(ModeOf(dir), 0700u) << "umask " << std::oct << mask;
    }
}

// The captured bytes are as private as the trace: follow -o creates 0600
// under umask 000, and narrows an earlier file of ours.
TEST(FollowOutput, IsPrivate) {
    std::string dir = harness::FreshDir("follow_mode");
    RunResult t = fixture::TraceCli({"sh", "-c", "echo secret | cat >/dev/null"}, dir);
    ASSERT_TRUE(t.exited && t.exit_code == 0) << t.Describe();
    json::Value flows = fixture::CliJson({"flows", "--json", dir});
    std::string id;
    for (const json::Value &p : flows["pipes"].as_array())
        if (p["bytes_written"].as_int() == 7)
            id = p["id"].as_string();
    ASSERT_NE(id, "") << flows.dump();

    std::string fresh = harness::FreshPath("bytes.bin");
    mode_t old = umask(0);
    RunResult r = Cli({"follow", id, "-o", fresh, dir});
    umask(old);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    EXPECT_EQ(harness::ReadFile(fresh), "secret\n");
    EXPECT_EQ(ModeOf(fresh), 0600u);

    std::string earlier = harness::FreshPath("earlier.bin");
    harness::WriteFile(earlier, "old contents that are longer\n");
    ASSERT_EQ(chmod(earlier.c_str(), 0644), 0);
    r = Cli({"follow", id, "-o", earlier, dir});
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
    EXPECT_EQ(harness::ReadFile(earlier), "secret\n");
    EXPECT_EQ(ModeOf(earlier), 0600u);
}

// --- what the documents promise (issue 16 items 5 and 6) -----------------------

std::vector<std::string> Words(const std::string &text) {
    std::istringstream in(text);
    std::vector<std::string> words;
    for (std::string w; in >> w;)
        words.push_back(w);
    return words;
}

// The packages of .ci/run's `apt-get install -y` line (continued lines).
std::vector<std::string> CiPackages() {
    std::string ci = harness::ReadFile(harness::SourcePath(".ci/run"));
    size_t at = ci.find("apt-get install -y");
    if (at == std::string::npos)
        return {};
    std::string rest = ci.substr(at + 18);
    std::string line, packages;
    std::istringstream in(rest);
    while (std::getline(in, line)) {
        bool more = !line.empty() && line.back() == '\\';
        packages += " " + (more ? line.substr(0, line.size() - 1) : line);
        if (!more)
            break;
    }
    return Words(packages);
}

// Where users decide (README and pipetrace(1)), they are told that traces
// hold captured bytes, secrets included, who can read them, and how to
// capture nothing.
TEST(Docs, SayWhatATraceHolds) {
    std::string readme = harness::ReadFile(harness::SourcePath("README.md"));
    for (const char *needle : {"passwords", "`--data=0`", "0700", "0600", "follow -o FILE"})
        EXPECT_NE(readme.find(needle), std::string::npos) << needle;
    std::string man = harness::ReadFile(harness::SourcePath("docs/pipetrace.1"));
    for (const char *needle : {".SH CAPTURED DATA", "passwords", "\\-\\-data=0", "mode 0600"})
        EXPECT_NE(man.find(needle), std::string::npos) << needle;
}

// pipetrace(1), where a bare-LD_PRELOAD user looks, says what the library
// refuses (issue 16 items 1, 2, 4), as README does.
TEST(Docs, ManPageSaysWhatTheLibraryRefuses) {
    std::string man = harness::ReadFile(harness::SourcePath("docs/pipetrace.1"));
    size_t dir = man.find(".B PIPETRACE_DIR\n");
    ASSERT_NE(dir, std::string::npos);
    std::string entry = man.substr(dir, man.find(".TP", dir) - dir);
    for (const char *needle : {"symbolic", "another user", "writable by its group or others"})
        EXPECT_NE(entry.find(needle), std::string::npos) << needle << "\n" << entry;
    std::string env = man.substr(man.find(".SH ENVIRONMENT"), dir - man.find(".SH ENVIRONMENT"));
    EXPECT_NE(env.find("set-user-ID"), std::string::npos) << env;
    EXPECT_NE(env.find("nothing is recorded"), std::string::npos) << env;
}

// On a fresh Debian 12 the package lists are empty: README's line must
// update them first, and install everything the tests need (what CI
// installs, less CI's own tools).
TEST(Docs, PrerequisiteLineWorksOnAFreshMachine) {
    std::string readme = harness::ReadFile(harness::SourcePath("README.md"));
    std::string line;
    for (const std::string &l : harness::Lines(readme))
        if (l.find("apt-get install") != std::string::npos && line.empty())
            line = l;
    ASSERT_NE(line, "") << "README has no apt-get install line";
    EXPECT_EQ(line.rfind("    apt-get update && ", 0), 0u) << line;
    std::vector<std::string> readme_words = Words(line);
    std::vector<std::string> ci = CiPackages();
    ASSERT_GT(ci.size(), 5u);
    const std::vector<std::string> ci_only = {"clang", "libclang-rt-14-dev", "clang-format"};
    for (const std::string &package : ci) {
        if (std::find(ci_only.begin(), ci_only.end(), package) != ci_only.end())
            continue;
        EXPECT_NE(std::find(readme_words.begin(), readme_words.end(), package), readme_words.end())
            << package << " is installed by .ci/run but missing from README's line";
    }
    for (const char *real : {"git", "make", "gcc", "bash", "dash", "python3", "xz-utils"})
        EXPECT_NE(std::find(ci.begin(), ci.end(), real), ci.end())
            << real << " (the real-program tests) is not in .ci/run";
}

} // namespace
