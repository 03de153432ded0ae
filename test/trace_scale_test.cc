// A trace of more files than the kernel allows mappings (vm.max_map_count
// is 65530 by default) must still be read, in bounded memory: the viewer
// keeps at most PT_MAP_MAX files mapped at a time (issue 17 item 9).
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "analysis/model.h"
#include "test/harness.h"
#include "test/json.h"
#include "test/trace_builder.h"
#include "trace/dir.h"

namespace {

constexpr int kChildren = 70000;
constexpr int32_t kShell = 99999;
constexpr uint64_t kPipe = 777;
constexpr int kBytesEach = 6;

// A shell that forks kChildren children; each writes kBytesEach bytes into
// the shell's pipe and exits with i % 7; the shell reads them all and
// reaps each child.  kChildren + 1 files.
const std::string &ManyFilesTrace() {
    static const std::string dir = [] {
        std::string d = harness::FreshDir("many_files");
        tb::TraceBuilder shell(kShell, 1, 1000, {"sh", "-c", "many"}, "/bin/sh");
        shell.Add(tb::Rec(PT_EV_PIPE, kShell, 3, 1100, 0, 0, kPipe), tb::PipePayload(3, 4, kPipe));
        uint64_t t = 2000;
        for (int i = 0; i < kChildren; i++, t += 100) {
            int32_t pid = 100000 + i;
            shell.Add(tb::Rec(PT_EV_FORK, kShell, -1, t, pid, 0));
            tb::TraceBuilder child(pid, kShell, t + 5, {"sh", "-c", "many"}, "/bin/sh");
            child.header().flags |= PT_HDR_FORK_CHILD;
            child.Add(tb::Rec(PT_EV_WRITE, pid, 4, t + 20, kBytesEach, kBytesEach, kPipe),
                      tb::Text("hello\n"));
            child.Add(tb::Rec(PT_EV_EXIT, pid, -1, t + 40, 0, static_cast<uint64_t>(i % 7)));
            if (!child.WriteTo(d))
                ADD_FAILURE() << "cannot write into " << d;
            shell.Add(tb::Rec(PT_EV_READ, kShell, 3, t + 60, kBytesEach, 4096, kPipe),
                      tb::Text("hello\n"));
            shell.Add(
                tb::Rec(PT_EV_WAIT, kShell, -1, t + 80, pid, static_cast<uint64_t>((i % 7) << 8)));
        }
        shell.Add(tb::Rec(PT_EV_EXIT, kShell, -1, t + 100, 0, 0));
        EXPECT_TRUE(shell.WriteTo(d));
        return d;
    }();
    return dir;
}

size_t MappingCount() {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    size_t n = 0;
    while (std::getline(maps, line))
        n++;
    return n;
}

TEST(ManyFiles, TheLibraryKeepsABoundedNumberOfFilesMapped) {
    const std::string &dir = ManyFilesTrace();
    size_t before = MappingCount();
    pt_dir d;
    char err[1024];
    ASSERT_EQ(0, pt_dir_open(&d, dir.c_str(), err, sizeof err)) << err;
    EXPECT_EQ(static_cast<size_t>(kChildren + 1), d.count);
    EXPECT_LE(MappingCount(), before + PT_MAP_MAX + 64); // + what malloc maps
    pt_model m;
    ASSERT_EQ(0, pt_model_init(&m, d.files, d.count));
    ASSERT_EQ(0, pt_model_build(&m));
    EXPECT_EQ(static_cast<uint64_t>(3 * kChildren + 2 * kChildren + 2), m.events);
    size_t now = 0, peak = 0;
    pt_map_counts(&now, &peak);
    EXPECT_LE(peak, static_cast<size_t>(PT_MAP_MAX));
    EXPECT_LE(MappingCount(), before + PT_MAP_MAX + 64); // + what malloc maps
    pt_model_free(&m);
    pt_dir_close(&d);
}

// `pipetrace summary` on it, with its peak memory from wait4.
TEST(ManyFiles, SummaryReadsEveryFileInBoundedMemory) {
    const std::string &dir = ManyFilesTrace();
    std::string out_path = harness::FreshPath("summary.json");
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        if (freopen(out_path.c_str(), "w", stdout) == nullptr)
            _exit(126);
        std::string cli = harness::CliPath();
        execl(cli.c_str(), cli.c_str(), "summary", "--json", dir.c_str(), (char *)nullptr);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    ASSERT_EQ(pid, wait4(pid, &status, 0, &ru));
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
    // Memory grows with the processes (a few KiB each), not with mapped
    // files: the whole trace is ~280 MiB of 4 KiB files.
#ifndef __SANITIZE_ADDRESS__ // ASan's shadow and quarantine double it (--config=asan)
    EXPECT_LT(ru.ru_maxrss, 320L * 1024) << "peak RSS " << ru.ru_maxrss << " KiB";
#endif
    json::Value s = json::parse(harness::ReadFile(out_path));
    ASSERT_EQ(static_cast<size_t>(kChildren + 1), s["processes"].size());
    EXPECT_TRUE(s["complete"].as_bool());
    ASSERT_EQ(1u, s["pipes"].size());
    EXPECT_EQ(static_cast<int64_t>(kChildren) * kBytesEach,
              s["pipes"][0]["bytes_written"].as_int());
    EXPECT_EQ(static_cast<int64_t>(kChildren) * kBytesEach, s["pipes"][0]["bytes_read"].as_int());
    int checked = 0;
    for (const json::Value &p : s["processes"].as_array()) {
        int64_t child = p["pid"].as_int() - 100000;
        if (child < 0 || child % 9973 != 0)
            continue;
        EXPECT_EQ(child % 7, p["exit"]["code"].as_int()) << p.dump();
        checked++;
    }
    EXPECT_GT(checked, 5);
}

} // namespace
