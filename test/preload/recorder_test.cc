// The recorder (src/preload/recorder*.c) driven directly, each case in a
// forked child that starts a fresh image as the library's fork handler
// does, with its trace read back by the viewer's reader.
#include <gtest/gtest.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

extern "C" {
#include "src/preload/clock.h"
#include "src/preload/recorder.h"
#include "src/preload/state.h"
#include "trace/merge.h"
#include "trace/reader.h"
}

// The recorder reads the time with clock_gettime (or, between anchors, the
// TSC: the test that uses this hook turns that off); this definition stands in
// front of libc's so that a test can make the calling thread "lose the
// CPU" right around one clock read, and let others record meanwhile.
namespace {
void (*clock_hook)(bool before_read); // armed for the next clock read only
}

extern "C" int clock_gettime(clockid_t id, struct timespec *ts) {
    static auto real =
        reinterpret_cast<int (*)(clockid_t, struct timespec *)>(dlsym(RTLD_NEXT, "clock_gettime"));
    void (*hook)(bool) = clock_hook;
    clock_hook = nullptr;
    if (hook)
        hook(true);
    int r = real(id, ts);
    if (hook)
        hook(false);
    return r;
}

namespace {

std::string FreshDir(const std::string &name) {
    const char *tmp = getenv("TEST_TMPDIR");
    std::string dir = std::string(tmp ? tmp : "/tmp") + "/recorder_" + name;
    std::string cmd = "rm -rf '" + dir + "'";
    EXPECT_EQ(system(cmd.c_str()), 0);
    return dir;
}

uint64_t NowNs() {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

// What init.c does for a new image: the configuration, who we are, and a
// recorder with no file yet.
void BeginImage(const std::string &dir, uint32_t data_limit, int fork_child = 0) {
    pt_recorder_after_fork_child();
    snprintf(pt_config.dir, sizeof pt_config.dir, "%s", dir.c_str());
    pt_config.data_limit = data_limit;
    pt_config.disabled = 0;
    pt_config.all_fds = 0;
    pt_config.verbose = 0;
    pt_self.pid = getpid();
    pt_self.ppid = getppid();
    pt_self.fork_child = fork_child;
    pt_self.start_mono_ns = NowNs();
    pt_tls_tid = 0;
    pt_tls_busy = 0;
}

// Runs `scenario` in a child that begins a fresh image tracing into dir;
// returns the child's pid once it exited with the scenario's result, which
// must be 0.
pid_t InImage(const std::string &dir, uint32_t data_limit, const std::function<int()> &scenario) {
    pid_t pid = fork();
    if (pid == 0) {
        BeginImage(dir, data_limit);
        _exit(scenario());
    }
    int status = 0;
    EXPECT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "scenario failed: status " << status;
    return pid;
}

struct Rec {
    pt_record r;
    std::string payload;
};

struct TraceFile {
    std::string error;
    pt_file_header hdr{};
    std::vector<Rec> recs;
    pt_damage damage{};
    off_t size = 0;
};

TraceFile Read(const std::string &path) {
    TraceFile out;
    pt_file f;
    char err[512];
    if (pt_file_open(&f, path.c_str(), err, sizeof err) != 0) {
        out.error = err;
        return out;
    }
    out.hdr = *f.hdr;
    out.size = static_cast<off_t>(f.size);
    pt_cursor c;
    pt_file_walk(&c, &f);
    pt_event ev;
    while (pt_file_next(&c, &ev))
        out.recs.push_back(
            {*ev.rec, std::string(reinterpret_cast<const char *>(ev.payload), ev.rec->data_len)});
    out.damage = c.damage;
    pt_file_close(&f);
    return out;
}

std::string FileOf(const std::string &dir, pid_t pid) {
    return dir + "/" + std::to_string(pid) + ".0.ptr";
}

bool Exists(const std::string &path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0;
}

const pt_fdinfo kPipeEnd = {4711, 13, PT_OBJ_PIPE, PT_FDF_KNOWN | PT_FDF_WRONLY};

// One traced 16-byte write, as the write wrapper makes it.
int RecordWrite(int fd, const char *bytes, int64_t result) {
    pt_record *rec = pt_begin(PT_EV_WRITE, fd, &kPipeEnd, strlen(bytes), pt_capture_room(16));
    if (!rec)
        return 1;
    pt_end_io(rec, bytes, result);
    return 0;
}

void FirstRecords() {
    pt_commit(pt_instant(PT_EV_INHERITED_FD, 0, &kPipeEnd, 0, 0, 0));
}

TEST(Recorder, FirstRecordMakesTheFileWhichBeginsWithItsFirstRecords) {
    std::string dir = FreshDir("first");
    pid_t pid = InImage(dir, 64, [&] {
        pt_recorder_on_new_file(FirstRecords);
        if (pt_recording_open() || Exists(dir))
            return 10; // nothing before the first record
        return RecordWrite(5, "0123456789abcdef", 16);
    });
    TraceFile t = Read(FileOf(dir, pid));
    ASSERT_EQ(t.error, "");
    EXPECT_EQ(t.hdr.pid, pid);
    EXPECT_EQ(t.hdr.data_limit, 64u);
    ASSERT_EQ(t.recs.size(), 2u);
    EXPECT_EQ(t.recs[0].r.type, PT_EV_INHERITED_FD);
    const pt_record &w = t.recs[1].r;
    EXPECT_EQ(w.type, PT_EV_WRITE);
    EXPECT_EQ(w.state, PT_DONE);
    EXPECT_EQ(w.fd, 5);
    EXPECT_EQ(w.tid, pid);
    EXPECT_EQ(w.arg, 16u);
    EXPECT_EQ(w.result, 16);
    EXPECT_EQ(w.obj_kind, PT_OBJ_PIPE);
    EXPECT_EQ(w.obj_ino, 4711u);
    EXPECT_EQ(w.obj_dev, 13u);
    EXPECT_EQ(w.fd_flags, PT_FDF_KNOWN | PT_FDF_WRONLY);
    EXPECT_EQ(t.recs[1].payload, "0123456789abcdef");
    EXPECT_LE(t.hdr.start_mono_ns, w.t_start);
    EXPECT_LE(w.t_start, w.t_end);
    EXPECT_EQ(w.size, PT_RECORD_SIZE + 16u) << "the unused room is given back";
}

TEST(Recorder, NothingIsRecordedWhileBusyDisabledOrInTheLibrary) {
    std::string dir = FreshDir("off");
    InImage(dir, 64, [&] {
        pt_tls_busy = 1;
        if (pt_recording_on() || pt_begin(PT_EV_WRITE, 5, &kPipeEnd, 1, 1))
            return 1;
        pt_tls_busy = 0;
        pt_config.disabled = 1;
        if (pt_recording_on() || pt_begin(PT_EV_WRITE, 5, &kPipeEnd, 1, 1))
            return 2;
        pt_end(nullptr, 0); // completing nothing is fine
        pt_end_io(nullptr, "x", 1);
        return Exists(dir) ? 3 : 0;
    });
}

TEST(Recorder, CaptureStopsAtTheDataLimitAndSaysItWasCut) {
    std::string dir = FreshDir("cut");
    pid_t pid = InImage(dir, 4, [] { return RecordWrite(5, "0123456789abcdef", 16); });
    TraceFile t = Read(FileOf(dir, pid));
    ASSERT_EQ(t.recs.size(), 1u);
    EXPECT_EQ(t.recs[0].payload, "0123");
    EXPECT_TRUE(t.recs[0].r.fd_flags & PT_FDF_DATA_CUT);
    EXPECT_EQ(t.recs[0].r.result, 16);
}

TEST(Recorder, FailedCallIsDoneWithMinusErrnoAndNoCapture) {
    std::string dir = FreshDir("failed");
    pid_t pid = InImage(dir, 64, [] { return RecordWrite(5, "0123456789abcdef", -EPIPE); });
    TraceFile t = Read(FileOf(dir, pid));
    ASSERT_EQ(t.recs.size(), 1u);
    EXPECT_EQ(t.recs[0].r.result, -EPIPE);
    EXPECT_EQ(t.recs[0].r.state, PT_DONE);
    EXPECT_EQ(t.recs[0].payload, "");
    EXPECT_FALSE(t.recs[0].r.fd_flags & PT_FDF_DATA_CUT);
}

// With full capture a read reserves 1 KiB before the call; what it got is
// kept whole when its record is still the last (it grows in place), and
// cut to the room it has when another record came after it.
TEST(Recorder, FullCaptureGrowsInPlaceOrIsCutWhenOvertaken) {
    std::string dir = FreshDir("grow");
    std::string got(5000, 'g');
    pid_t pid = InImage(dir, UINT32_MAX, [&] {
        pt_record *alone = pt_begin(PT_EV_READ, 3, &kPipeEnd, 65536, pt_capture_room(65536));
        if (!alone)
            return 1;
        pt_end_io(alone, got.data(), static_cast<int64_t>(got.size()));
        pt_record *overtaken = pt_begin(PT_EV_READ, 3, &kPipeEnd, 65536, pt_capture_room(65536));
        if (RecordWrite(5, "0123456789abcdef", 16) != 0)
            return 2;
        pt_end_io(overtaken, got.data(), static_cast<int64_t>(got.size()));
        return 0;
    });
    TraceFile t = Read(FileOf(dir, pid));
    ASSERT_EQ(t.recs.size(), 3u);
    EXPECT_EQ(t.recs[0].payload, got);
    EXPECT_FALSE(t.recs[0].r.fd_flags & PT_FDF_DATA_CUT);
    EXPECT_EQ(t.recs[1].payload, got.substr(0, 1024));
    EXPECT_TRUE(t.recs[1].r.fd_flags & PT_FDF_DATA_CUT);
    EXPECT_EQ(t.recs[2].payload, "0123456789abcdef");
    EXPECT_EQ(t.damage.torn, 0u);
}

// An exec ends the image: its file is cut to less than a page past the
// last record when the exec record begins.
TEST(Recorder, ExecRecordCutsTheFilesUnusedEnd) {
    std::string dir = FreshDir("exec");
    pid_t pid = InImage(dir, 64, [] {
        if (RecordWrite(5, "x", 1) != 0)
            return 1;
        return pt_begin(PT_EV_EXEC, -1, nullptr, 0, 0) ? 0 : 2;
    });
    TraceFile t = Read(FileOf(dir, pid));
    ASSERT_EQ(t.recs.size(), 2u);
    EXPECT_EQ(t.recs[1].r.state, PT_BEGUN) << "an exec that succeeded never returns";
    EXPECT_LT(t.size, static_cast<off_t>(t.hdr.tail) + 4096);
}

// A directory that cannot be made stops tracing for the image, quietly:
// nothing on the program's stderr unless PIPETRACE_VERBOSE=1 asked for it.
TEST(Recorder, UnusableDirectoryStopsTracingWithoutAWordOnStderr) {
    std::string base = FreshDir("nodir");
    ASSERT_EQ(mkdir(base.c_str(), 0700), 0);
    std::string not_dir = base + "/file";
    close(open(not_dir.c_str(), O_CREAT | O_WRONLY, 0600));
    for (int verbose = 0; verbose <= 1; verbose++) {
        std::string err_path = base + "/stderr" + std::to_string(verbose);
        InImage(not_dir + "/trace", 64, [&] {
            int err = open(err_path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
            dup2(err, 2);
            pt_config.verbose = verbose;
            if (!pt_recording_on() || pt_begin(PT_EV_WRITE, 5, &kPipeEnd, 1, 1))
                return 1;
            return pt_recording_on() ? 2 : 0; // stopped for good
        });
        struct stat st;
        ASSERT_EQ(stat(err_path.c_str(), &st), 0);
        if (verbose)
            EXPECT_GT(st.st_size, 0) << "the one line asked for";
        else
            EXPECT_EQ(st.st_size, 0) << "stderr is the program's";
    }
}

// A record the parent began (a call a forking signal handler interrupted)
// is not the child's to complete; the child records into a file of its own.
TEST(Recorder, ForkChildRecordsIntoItsOwnFileAndLeavesTheParentsAlone) {
    std::string dir = FreshDir("fork");
    pid_t parent = InImage(dir, 64, [&] {
        pt_record *pending = pt_begin(PT_EV_READ, 3, &kPipeEnd, 16, pt_capture_room(16));
        if (!pending)
            return 1;
        pid_t pid = fork();
        if (pid == 0) {
            BeginImage(dir, 64, 1);
            pt_end_io(pending, "not the child's!", 16);
            _exit(RecordWrite(6, "from the child", 14));
        }
        int status = 0;
        if (waitpid(pid, &status, 0) != pid || status != 0)
            return 2;
        pt_end_io(pending, "parent's own....", 16);
        return RecordWrite(5, "after", 5);
    });
    TraceFile p = Read(FileOf(dir, parent));
    ASSERT_EQ(p.error, "");
    ASSERT_EQ(p.recs.size(), 2u);
    EXPECT_EQ(p.recs[0].r.type, PT_EV_READ);
    EXPECT_EQ(p.recs[0].payload, "parent's own....");
    EXPECT_EQ(p.recs[1].payload, "after");
    std::vector<std::string> others; // the child's file, whatever its pid
    FILE *ls = popen(("ls '" + dir + "'").c_str(), "r");
    char line[256];
    while (ls && fgets(line, sizeof line, ls))
        if (std::string(line) != std::to_string(parent) + ".0.ptr\n")
            others.push_back(std::string(line, strcspn(line, "\n")));
    if (ls)
        pclose(ls);
    ASSERT_EQ(others.size(), 1u);
    TraceFile c = Read(dir + "/" + others[0]);
    ASSERT_EQ(c.error, "");
    EXPECT_EQ(c.hdr.ppid, parent);
    EXPECT_TRUE(c.hdr.flags & PT_HDR_FORK_CHILD);
    ASSERT_EQ(c.recs.size(), 1u);
    EXPECT_EQ(c.recs[0].payload, "from the child");
    EXPECT_EQ(c.recs[0].r.tid, c.hdr.pid);
}

TEST(Recorder, ThreadsLoseNothingAndEachKeepsItsOrder) {
    std::string dir = FreshDir("threads");
    const int threads = 8, per_thread = 5000;
    pid_t pid = InImage(dir, 64, [&] {
        std::vector<std::thread> workers;
        for (int t = 0; t < threads; t++)
            workers.emplace_back([t] {
                pt_tls_tid = 0;
                for (int i = 0; i < per_thread; i++)
                    RecordWrite(t, "0123456789abcdef", 16);
            });
        for (auto &w : workers)
            w.join();
        return 0;
    });
    TraceFile t = Read(FileOf(dir, pid));
    ASSERT_EQ(t.error, "");
    ASSERT_EQ(t.recs.size(), static_cast<size_t>(threads * per_thread));
    std::set<int> tids;
    std::vector<uint64_t> last(threads, 0);
    for (const Rec &r : t.recs) {
        ASSERT_GE(r.r.fd, 0);
        ASSERT_LT(r.r.fd, threads);
        EXPECT_EQ(r.r.state, PT_DONE);
        EXPECT_EQ(r.payload, "0123456789abcdef");
        EXPECT_LE(last[r.r.fd], r.r.t_start) << "one thread's records in its order";
        last[r.r.fd] = r.r.t_start;
        tids.insert(r.r.tid);
    }
    EXPECT_EQ(tids.size(), static_cast<size_t>(threads));
    EXPECT_EQ(t.damage.torn, 0u);
}

// exec and spawn records carry the path, then argv: whole strings only, at
// most PT_STRINGS_MAX bytes.
TEST(Recorder, StringsAreKeptWholeUpToTheirLimit) {
    std::string dir = FreshDir("strings");
    std::string long_arg(3000, 'a');
    pid_t pid = InImage(dir, 64, [&] {
        char *argv[] = {const_cast<char *>("sort"), const_cast<char *>("-n"), nullptr};
        if (pt_strings_room("/usr/bin/sort", argv) != 22)
            return 1;
        pt_record *rec =
            pt_begin(PT_EV_SPAWN, -1, nullptr, 0, pt_strings_room("/usr/bin/sort", argv));
        pt_put_strings(rec, "/usr/bin/sort", argv);
        pt_end(rec, 1234);
        char *big[] = {&long_arg[0], &long_arg[0], nullptr};
        if (pt_strings_room("/bin/x", big) != PT_STRINGS_MAX)
            return 2;
        rec = pt_begin(PT_EV_SPAWN, -1, nullptr, 0, pt_strings_room("/bin/x", big));
        pt_put_strings(rec, "/bin/x", big);
        pt_end(rec, 1235);
        return 0;
    });
    TraceFile t = Read(FileOf(dir, pid));
    ASSERT_EQ(t.recs.size(), 2u);
    EXPECT_EQ(t.recs[0].payload, std::string("/usr/bin/sort\0sort\0-n\0", 22));
    EXPECT_EQ(t.recs[0].r.result, 1234);
    EXPECT_EQ(t.recs[1].payload, std::string("/bin/x\0", 7) + long_arg + '\0');
}

// The records of one file in the merge's time order, as the viewer reads
// them: whether that order came out sorted, and how many.
struct Merged {
    bool sorted = true;
    size_t count = 0;
};

Merged MergeOne(const std::string &path) {
    Merged out;
    pt_file f;
    char err[512];
    EXPECT_EQ(pt_file_open(&f, path.c_str(), err, sizeof err), 0) << err;
    pt_merge m;
    pt_merge_init(&m, &f, 1);
    pt_merged ev;
    uint64_t last = 0;
    while (pt_merge_next(&m, &ev)) {
        out.sorted = out.sorted && ev.ev.rec->t_start >= last;
        last = ev.ev.rec->t_start;
        out.count++;
    }
    pt_merge_free(&m);
    pt_file_close(&f);
    return out;
}

// More records than the viewer's reorder window (PT_MERGE_WINDOW) made by
// others while one call is held up next to its clock read.
const int kOthers = PT_MERGE_WINDOW + 50;

void OthersRecord(bool before_read, bool when_before) {
    if (before_read != when_before)
        return;
    for (int i = 0; i < kOthers; i++)
        RecordWrite(9, "meanwhile", 9);
}

// A call held up between reserving its record and reading the clock makes
// a record early in the file with a late time, which the viewer's window
// holds until its turn; a call held up right after its clock read must not
// leave that early time behind everything recorded meanwhile (the clock is
// read after the reservation, never before).
TEST(RecorderOrder, CallHeldUpAroundItsClockReadStaysInTimeOrderForTheViewer) {
    for (bool held_before_read : {false, true}) {
        SCOPED_TRACE(held_before_read ? "held up before its clock read"
                                      : "held up after its clock read");
        std::string dir = FreshDir(held_before_read ? "order_before" : "order_after");
        pid_t pid = InImage(dir, 64, [&] {
            pt_clock_use_gettime(); // every clock read is a clock_gettime the hook sees
            if (RecordWrite(3, "first", 5) != 0) // the file exists: no creation in between
                return 1;
            clock_hook = held_before_read ? [](bool before) { OthersRecord(before, true); }
                                          : [](bool before) { OthersRecord(before, false); };
            return RecordWrite(5, "held up", 7);
        });
        TraceFile t = Read(FileOf(dir, pid));
        ASSERT_EQ(t.recs.size(), static_cast<size_t>(kOthers + 2));
        Merged merged = MergeOne(FileOf(dir, pid));
        EXPECT_EQ(merged.count, static_cast<size_t>(kOthers + 2));
        EXPECT_TRUE(merged.sorted) << "events not in time order";
    }
}

} // namespace
