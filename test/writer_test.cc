// The trace writer (src/writer/writer.c) against the reader: what one writes,
// the other must read back exactly, under threads, shrinking, growth, a
// file-size limit and a crash between reservation and commit.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

extern "C" {
#include "src/writer/writer.h"
#include "trace/reader.h"
}

namespace {

std::string FreshDir(const std::string &name) {
    const char *tmp = getenv("TEST_TMPDIR");
    std::string dir = std::string(tmp ? tmp : "/tmp") + "/writer_" + name;
    std::string cmd = "rm -rf '" + dir + "'";
    EXPECT_EQ(system(cmd.c_str()), 0);
    return dir;
}

pt_image_info Info(int pid, const char *const *argv, int argc) {
    pt_image_info info{};
    info.pid = pid;
    info.ppid = 1;
    info.data_limit = 64;
    info.start_mono_ns = 1000;
    info.start_real_ns = 2000;
    info.exe = "/usr/bin/example";
    static std::string args;
    args.clear();
    for (int i = 0; i < argc; i++)
        args += std::string(argv[i]) + '\0';
    info.args = args.data();
    info.args_len = static_cast<uint32_t>(args.size());
    return info;
}

// Appends one complete record carrying `payload`.
pt_record *Put(pt_writer *w, uint8_t type, int fd, uint64_t t, const std::string &payload) {
    uint32_t size = PT_RECORD_SIZE + ((payload.size() + 7) & ~size_t{7});
    pt_record *rec = pt_writer_reserve(w, size);
    if (rec == nullptr)
        return nullptr;
    rec->type = type;
    rec->fd = fd;
    rec->t_start = t;
    rec->t_end = t + 1;
    rec->result = static_cast<int64_t>(payload.size());
    rec->data_len = static_cast<uint32_t>(payload.size());
    memcpy(rec + 1, payload.data(), payload.size());
    __atomic_store_n(&rec->state, PT_DONE, __ATOMIC_RELEASE);
    return rec;
}

struct ReadBack {
    std::vector<std::string> payloads;
    std::vector<int> fds;
    pt_damage damage{};
    std::string error;
};

ReadBack ReadAll(const std::string &path) {
    ReadBack out;
    pt_file f;
    char err[512];
    if (pt_file_open(&f, path.c_str(), err, sizeof err) != 0) {
        out.error = err;
        return out;
    }
    pt_cursor c;
    pt_file_walk(&c, &f);
    pt_event ev;
    while (pt_file_next(&c, &ev)) {
        out.payloads.emplace_back(reinterpret_cast<const char *>(ev.payload), ev.rec->data_len);
        out.fds.push_back(ev.rec->fd);
    }
    out.damage = c.damage;
    pt_file_close(&f);
    return out;
}

TEST(Writer, CreatesPrivateFileWithHeaderAndStrings) {
    std::string dir = FreshDir("header");
    const char *argv[] = {"example", "--flag", "x y"};
    pt_image_info info = Info(4242, argv, 3);
    pt_writer w;
    ASSERT_EQ(pt_writer_create(&w, dir.c_str(), &info), 0);
    struct stat st;
    ASSERT_EQ(stat(dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    std::string path = dir + "/4242.0.ptr";
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    pt_file f;
    char err[512];
    ASSERT_EQ(pt_file_open(&f, path.c_str(), err, sizeof err), 0) << err;
    EXPECT_EQ(f.hdr->pid, 4242);
    EXPECT_EQ(f.hdr->ppid, 1);
    EXPECT_EQ(f.hdr->start_mono_ns, 1000u);
    EXPECT_STREQ(f.exe, "/usr/bin/example");
    ASSERT_EQ(f.argc, 3u);
    EXPECT_STREQ(f.argv[2], "x y");
    // The first record starts at the end of the strings rounded up to
    // PT_DATA_ALIGN, as format.h and docs/FORMAT.md say.
    uint64_t strings_end = sizeof(pt_file_header) + f.hdr->strings_size;
    EXPECT_EQ(f.hdr->data_offset,
              (strings_end + PT_DATA_ALIGN - 1) / PT_DATA_ALIGN * PT_DATA_ALIGN);
    pt_file_close(&f);
    pt_writer_forget(&w);
}

TEST(Writer, SecondImageOfAPidTakesTheNextName) {
    std::string dir = FreshDir("names");
    pt_image_info info = Info(7, nullptr, 0);
    pt_writer a, b;
    ASSERT_EQ(pt_writer_create(&a, dir.c_str(), &info), 0);
    ASSERT_EQ(pt_writer_create(&b, dir.c_str(), &info), 0);
    EXPECT_EQ(std::string(b.path), dir + "/7.1.ptr");
    pt_writer_forget(&a);
    pt_writer_forget(&b);
}

TEST(Writer, RecordsReadBackExactlyAcrossGrowth) {
    std::string dir = FreshDir("growth");
    pt_image_info info = Info(11, nullptr, 0);
    pt_writer w;
    ASSERT_EQ(pt_writer_create(&w, dir.c_str(), &info), 0);
    // Far more than the first 64 KiB chunk: the file must grow many times.
    const int n = 50000;
    for (int i = 0; i < n; i++)
        ASSERT_NE(Put(&w, PT_EV_WRITE, i, i, "record " + std::to_string(i)), nullptr);
    ReadBack back = ReadAll(w.path);
    ASSERT_EQ(back.error, "");
    ASSERT_EQ(back.payloads.size(), static_cast<size_t>(n));
    for (int i = 0; i < n; i += 997)
        EXPECT_EQ(back.payloads[i], "record " + std::to_string(i));
    EXPECT_EQ(back.damage.torn, 0u);
    EXPECT_EQ(back.damage.stop, PT_WALK_COMPLETE);
    pt_writer_forget(&w);
}

TEST(Writer, EightThreadsLoseAndTearNothing) {
    std::string dir = FreshDir("threads");
    pt_image_info info = Info(12, nullptr, 0);
    pt_writer w;
    ASSERT_EQ(pt_writer_create(&w, dir.c_str(), &info), 0);
    const int per_thread = 20000;
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; t++)
        threads.emplace_back([&w, t] {
            for (int i = 0; i < per_thread; i++)
                Put(&w, PT_EV_WRITE, t, i, std::string(static_cast<size_t>(1 + i % 40), 'a' + t));
        });
    for (auto &th : threads)
        th.join();
    ReadBack back = ReadAll(w.path);
    ASSERT_EQ(back.error, "");
    std::map<int, int> per_fd;
    for (size_t i = 0; i < back.payloads.size(); i++) {
        int t = back.fds[i];
        ASSERT_GE(t, 0);
        ASSERT_LT(t, 8);
        EXPECT_EQ(back.payloads[i], std::string(back.payloads[i].size(), 'a' + t));
        per_fd[t]++;
    }
    for (int t = 0; t < 8; t++)
        EXPECT_EQ(per_fd[t], per_thread) << "thread " << t;
    EXPECT_EQ(back.damage.torn, 0u);
    pt_writer_forget(&w);
}

TEST(Writer, ShrinkGivesBackRoomOnlyAtTheTail) {
    std::string dir = FreshDir("shrink");
    pt_image_info info = Info(13, nullptr, 0);
    pt_writer w;
    ASSERT_EQ(pt_writer_create(&w, dir.c_str(), &info), 0);
    pt_file_header *hdr = pt_writer_header(&w);
    pt_record *a = pt_writer_reserve(&w, PT_RECORD_SIZE + 4096);
    ASSERT_NE(a, nullptr);
    uint64_t tail_before = hdr->tail;
    pt_writer_shrink(&w, a, PT_RECORD_SIZE + 8);
    EXPECT_EQ(hdr->tail, tail_before - 4088);
    EXPECT_EQ(a->size, PT_RECORD_SIZE + 8u);

    pt_record *b = pt_writer_reserve(&w, PT_RECORD_SIZE + 64);
    pt_record *c = pt_writer_reserve(&w, PT_RECORD_SIZE);
    ASSERT_NE(b, nullptr);
    ASSERT_NE(c, nullptr);
    pt_writer_shrink(&w, b, PT_RECORD_SIZE); // c follows it: nothing to give back
    EXPECT_EQ(b->size, PT_RECORD_SIZE + 64u);
    pt_writer_forget(&w);
}

TEST(Writer, TornAndAbandonedRecordsAreSkippedNotFatal) {
    std::string dir = FreshDir("torn");
    pt_image_info info = Info(14, nullptr, 0);
    pt_writer w;
    ASSERT_EQ(pt_writer_create(&w, dir.c_str(), &info), 0);
    Put(&w, PT_EV_WRITE, 1, 1, "first");
    pt_record *torn = pt_writer_reserve(&w, PT_RECORD_SIZE + 8); // never committed
    ASSERT_NE(torn, nullptr);
    pt_record *abandoned = pt_writer_reserve(&w, PT_RECORD_SIZE); // died before size
    ASSERT_NE(abandoned, nullptr);
    abandoned->size = 0;
    Put(&w, PT_EV_WRITE, 2, 2, "last");
    ReadBack back = ReadAll(w.path);
    ASSERT_EQ(back.error, "");
    EXPECT_EQ(back.payloads, (std::vector<std::string>{"first", "last"}));
    EXPECT_EQ(back.damage.torn, 1u);
    pt_writer_forget(&w);
}

// RLIMIT_FSIZE: growing past it would raise SIGXFSZ, so the writer must stop
// first, mark the header and count what it drops.  Run in a child so the
// limit does not outlive the test.
TEST(Writer, StopsAtTheFileSizeLimitWithoutSigxfsz) {
    std::string dir = FreshDir("fsize");
    ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        struct rlimit lim = {1 << 20, 1 << 20};
        setrlimit(RLIMIT_FSIZE, &lim);
        pt_image_info info = Info(15, nullptr, 0);
        pt_writer w;
        if (pt_writer_create(&w, dir.c_str(), &info) != 0)
            _exit(2);
        int written = 0;
        for (int i = 0; i < 100000; i++)
            if (Put(&w, PT_EV_WRITE, i, i, std::string(40, 'x')))
                written++;
        _exit(written > 1000 && written < 100000 ? 0 : 3);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
    ASSERT_EQ(WEXITSTATUS(status), 0);

    pt_file f;
    char err[512];
    std::string path = dir + "/15.0.ptr";
    ASSERT_EQ(pt_file_open(&f, path.c_str(), err, sizeof err), 0) << err;
    EXPECT_TRUE(f.hdr->flags & PT_HDR_STOPPED);
    EXPECT_EQ(f.hdr->stop_errno, EFBIG);
    EXPECT_GT(f.hdr->dropped, 0u);
    EXPECT_LE(f.size, size_t{1} << 20);
    pt_file_close(&f);
}

// The permissions of the mapping that holds addr, from /proc/self/maps.
std::string PermsAt(const void *addr) {
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[512];
    std::string perms;
    uintptr_t a = reinterpret_cast<uintptr_t>(addr);
    while (maps && fgets(line, sizeof line, maps)) {
        unsigned long lo, hi;
        char p[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, p) == 3 && a >= lo && a < hi)
            perms = p;
    }
    if (maps)
        fclose(maps);
    return perms;
}

// Only the part of the mapping that the file backs is accessible: the rest
// would raise SIGBUS when read, and tools that read all readable memory
// (valgrind's leak check) would spin on it.
TEST(Writer, MappingIsAccessibleOnlyWhereTheFileHasBlocks) {
    std::string dir = FreshDir("perms");
    pt_image_info info = Info(17, nullptr, 0);
    pt_writer w;
    ASSERT_EQ(pt_writer_create(&w, dir.c_str(), &info), 0);
    EXPECT_EQ(PermsAt(w.seg[0].base), "rw-s");
    EXPECT_EQ(PermsAt(w.seg[0].base + w.allocated - 1), "rw-s");
    EXPECT_EQ(PermsAt(w.seg[0].base + w.allocated), "---s");
    uint64_t before = w.allocated;
    for (int i = 0; i < 5000; i++)
        ASSERT_NE(Put(&w, PT_EV_WRITE, i, i, std::string(40, 'g')), nullptr);
    ASSERT_GT(w.allocated, before);
    EXPECT_EQ(PermsAt(w.seg[0].base + w.allocated - 1), "rw-s");
    EXPECT_EQ(PermsAt(w.seg[0].base + w.allocated), "---s");
    pt_writer_forget(&w);
}

// Whether any extent of fd's [from, to) is one the file system allocated
// but has not written (what fallocate leaves); -1 when it cannot tell.
int HasUnwrittenExtent(int fd, uint64_t from, uint64_t to) {
    const unsigned kExtents = 64;
    std::vector<char> buf(sizeof(struct fiemap) + kExtents * sizeof(struct fiemap_extent));
    auto *map = reinterpret_cast<struct fiemap *>(buf.data());
    map->fm_start = from;
    map->fm_length = to - from;
    map->fm_flags = 0;
    map->fm_extent_count = kExtents;
    if (ioctl(fd, FS_IOC_FIEMAP, map) != 0)
        return -1;
    for (unsigned i = 0; i < map->fm_mapped_extents; i++)
        if (map->fm_extents[i].fe_flags & FIEMAP_EXTENT_UNWRITTEN)
            return 1;
    return 0;
}

// The room a file grows by is written ahead (zeros), not left to fallocate:
// a record's first touch of a page fallocate left unwritten costs a fault
// in which the file system prepares the block (2.4-2.8 us of CPU per page
// on ext4 here); over zeros already written it costs a fraction of that
// (issue 12).  On a file system that cannot say (tmpfs), skipped.
TEST(Writer, RoomAheadOfTheRecordsIsWrittenNotPreallocated) {
    std::string dir = FreshDir("ahead");
    pt_image_info info = Info(18, nullptr, 0);
    pt_writer w;
    ASSERT_EQ(pt_writer_create(&w, dir.c_str(), &info), 0);
    uint64_t first = w.allocated;
    for (int i = 0; i < 100000 && w.allocated == first; i++)
        ASSERT_NE(Put(&w, PT_EV_WRITE, i, i, std::string(40, 'r')), nullptr);
    ASSERT_GT(w.allocated, first) << "the file grew";
    int fd = open(w.path, O_RDONLY);
    ASSERT_GE(fd, 0);
    int unwritten = HasUnwrittenExtent(fd, 0, w.allocated);
    close(fd);
    pt_writer_forget(&w);
    if (unwritten < 0)
        GTEST_SKIP() << "no FIEMAP on this file system";
    EXPECT_EQ(unwritten, 0) << "preallocated, unwritten room in the trace file";
}

TEST(Writer, UnusableDirectoryIsAnErrorAndLeavesNothing) {
    std::string dir = FreshDir("notdir");
    ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
    std::string file = dir + "/plain";
    FILE *fp = fopen(file.c_str(), "w");
    ASSERT_NE(fp, nullptr);
    fclose(fp);
    pt_image_info info = Info(16, nullptr, 0);
    pt_writer w;
    EXPECT_EQ(pt_writer_create(&w, (file + "/sub").c_str(), &info), -ENOTDIR);
}

} // namespace

// The address space this process uses now (VmSize).
uint64_t AddressSpaceUsed() {
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (f != nullptr) {
        if (fscanf(f, "%lu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return pages * 4096;
}

// Sets RLIMIT_AS to what is used now plus `extra` bytes.
bool LimitAddressSpace(uint64_t extra) {
    rlim_t limit = AddressSpaceUsed() + extra;
    struct rlimit lim = {limit, limit};
    return setrlimit(RLIMIT_AS, &lim) == 0;
}

// Runs body in a child process and returns its exit status (or 128 + the
// signal that killed it), so that limits and forks stay out of the test.
template <typename Body> int InChild(Body body) {
    pid_t pid = fork();
    if (pid == 0)
        _exit(body());
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Under RLIMIT_AS the writer maps little more than the file holds and grows
// by adding segments; a record never straddles two of them, and the reader
// reads every record back in order.
TEST(Writer, GrowsBySegmentsUnderAnAddressSpaceLimit) {
#ifdef __SANITIZE_ADDRESS__
    GTEST_SKIP() << "ASan's shadow memory takes terabytes of address space (--config=asan)";
#endif
    std::string dir = FreshDir("segments");
    ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
    const int count = 6000;
    int status = InChild([&] {
        if (!LimitAddressSpace(400u << 20))
            return 2;
        pt_image_info info = Info(30, nullptr, 0);
        pt_writer w;
        if (pt_writer_create(&w, dir.c_str(), &info) != 0)
            return 3;
        for (int i = 0; i < count; i++)
            if (!Put(&w, PT_EV_WRITE, i, i, std::string(4000, static_cast<char>('a' + i % 26))))
                return 4;
        return w.segments > 1 ? 0 : 5;
    });
    ASSERT_EQ(status, 0);
    ReadBack back = ReadAll(dir + "/30.0.ptr");
    ASSERT_EQ(back.error, "");
    ASSERT_EQ(back.fds.size(), static_cast<size_t>(count));
    for (int i = 0; i < count; i++)
        ASSERT_EQ(back.fds[i], i);
}

TEST(Writer, StopsRatherThanTakeTheProgramsAddressSpace) {
    std::string dir = FreshDir("as_budget");
    ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
    int status = InChild([&] {
        if (!LimitAddressSpace(200u << 20))
            return 2;
        pt_image_info info = Info(31, nullptr, 0);
        pt_writer w;
        if (pt_writer_create(&w, dir.c_str(), &info) != 0)
            return 3;
        for (int i = 0; i < 20000; i++)
            Put(&w, PT_EV_WRITE, i, i, std::string(4000, 'b'));
        uint64_t mapped = 0;
        for (uint32_t i = 0; i < w.segments; i++)
            mapped += w.seg[i].end - w.seg[i].start;
        // A quarter of what was left at most; and the program still gets
        // memory.
        void *big = malloc(100u << 20);
        if (!w.stopped)
            return 4;
        if (mapped > (200u << 20) / 4)
            return 5;
        return big ? 0 : 6;
    });
    ASSERT_EQ(status, 0);
    pt_file f;
    char err[512];
    std::string path = dir + "/31.0.ptr";
    ASSERT_EQ(pt_file_open(&f, path.c_str(), err, sizeof err), 0) << err;
    EXPECT_TRUE(f.hdr->flags & PT_HDR_STOPPED);
    EXPECT_EQ(f.hdr->stop_errno, ENOMEM);
    pt_file_close(&f);
}

TEST(Writer, FinishCutsTheUnusedEndAndLaterRecordsStillLand) {
    std::string dir = FreshDir("finish");
    pt_image_info info = Info(32, nullptr, 0);
    pt_writer w;
    ASSERT_EQ(pt_writer_create(&w, dir.c_str(), &info), 0);
    for (int i = 0; i < 100; i++)
        ASSERT_NE(Put(&w, PT_EV_WRITE, i, i, "before"), nullptr);
    pt_writer_finish(&w);
    struct stat st;
    ASSERT_EQ(stat(w.path, &st), 0);
    uint64_t tail = pt_writer_header(&w)->tail;
    EXPECT_EQ(static_cast<uint64_t>(st.st_size), (tail + 4095) / 4096 * 4096);
    EXPECT_EQ(PermsAt(w.seg[0].base + st.st_size), "---s");
    for (int i = 100; i < 300; i++)
        ASSERT_NE(Put(&w, PT_EV_WRITE, i, i, std::string(100, 'a')), nullptr);
    ASSERT_EQ(stat(w.path, &st), 0);
    tail = pt_writer_header(&w)->tail;
    EXPECT_EQ(static_cast<uint64_t>(st.st_size), (tail + 4095) / 4096 * 4096);
    ReadBack back = ReadAll(w.path);
    EXPECT_EQ(back.fds.size(), 300u);
    pt_writer_forget(&w);
}

TEST(Writer, ExtendsOnlyTheLastReservation) {
    std::string dir = FreshDir("extend");
    pt_image_info info = Info(33, nullptr, 0);
    pt_writer w;
    ASSERT_EQ(pt_writer_create(&w, dir.c_str(), &info), 0);
    pt_record *a = pt_writer_reserve(&w, PT_RECORD_SIZE + 8);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(pt_writer_extend(&w, a, PT_RECORD_SIZE + (1 << 20)), 1); // past the first chunk
    EXPECT_EQ(a->size, PT_RECORD_SIZE + (1u << 20));
    memset(a + 1, 'z', 1 << 20); // the room is backed
    pt_record *b = pt_writer_reserve(&w, PT_RECORD_SIZE);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(pt_writer_extend(&w, a, PT_RECORD_SIZE + (2 << 20)), 0); // b follows it
    EXPECT_EQ(a->size, PT_RECORD_SIZE + (1u << 20));
    EXPECT_EQ(reinterpret_cast<uint8_t *>(b), reinterpret_cast<uint8_t *>(a) + a->size);
    pt_writer_forget(&w);
}

// The replaced file is never grown nor touched past what the old one held.
TEST(Writer, StopsWhenItsFileWasReplaced) {
    std::string dir = FreshDir("replaced");
    pt_image_info info = Info(34, nullptr, 0);
    pt_writer w;
    ASSERT_EQ(pt_writer_create(&w, dir.c_str(), &info), 0);
    std::string other = dir + "/other";
    FILE *fp = fopen(other.c_str(), "w");
    ASSERT_NE(fp, nullptr);
    fclose(fp);
    ASSERT_EQ(rename(other.c_str(), w.path), 0);
    int stored = 0;
    for (int i = 0; i < 5000; i++)
        stored += Put(&w, PT_EV_WRITE, i, i, std::string(40, 'r')) != nullptr;
    EXPECT_GT(stored, 20); // what the room made at creation held (its first page)
    EXPECT_LT(stored, 5000);
    EXPECT_TRUE(w.stopped);
    EXPECT_EQ(pt_writer_header(&w)->stop_errno, ESTALE);
    struct stat st;
    ASSERT_EQ(stat(w.path, &st), 0);
    EXPECT_EQ(st.st_size, 0) << "the file now at that name was grown";
    pt_writer_forget(&w);
}

// In a fork child, the parent's mapping becomes private memory at the same
// address (a stale record pointer writes nowhere that matters) and a view
// of the parent's file takes one record at its end.
TEST(Writer, ForkChildDetachesAndTellsTheParentThroughItsView) {
    std::string dir = FreshDir("detach");
    pt_image_info info = Info(35, nullptr, 0);
    pt_writer w;
    ASSERT_EQ(pt_writer_create(&w, dir.c_str(), &info), 0);
    pt_record *open = pt_writer_reserve(&w, PT_RECORD_SIZE + 8);
    ASSERT_NE(open, nullptr);
    open->fd = 7;
    __atomic_store_n(&open->state, PT_BEGUN, __ATOMIC_RELEASE);
    int status = InChild([&] {
        pt_parent_view view;
        pt_writer_detach(&w, &view);
        if (!w.stopped || !view.head.base)
            return 2;
        open->result = 99; // the stale record: private memory now
        open->state = PT_DONE;
        pt_record rec{};
        rec.type = PT_EV_UNTRACED_CHILD;
        rec.fd = -1;
        rec.result = getpid();
        rec.arg = PT_UNTRACED_FAILED | static_cast<uint64_t>(ENOSYS) << 32;
        rec.data_len = 5;
        rec.size = PT_RECORD_SIZE + 8;
        if (pt_view_append(&view, &rec, "/bin") != 0)
            return 3;
        pt_view_release(&view);
        return 0;
    });
    ASSERT_EQ(status, 0);
    EXPECT_EQ(open->state, PT_BEGUN);
    EXPECT_EQ(open->result, 0);
    EXPECT_EQ(pt_writer_header(&w)->child_gate, 0u);
    pt_file f;
    char err[512];
    ASSERT_EQ(pt_file_open(&f, w.path, err, sizeof err), 0) << err;
    pt_cursor c;
    pt_file_walk(&c, &f);
    pt_event ev;
    std::vector<int> types;
    while (pt_file_next(&c, &ev))
        types.push_back(ev.rec->type);
    EXPECT_EQ(types, (std::vector<int>{PT_EV_NONE, PT_EV_UNTRACED_CHILD}));
    pt_file_close(&f);
    // Once the file is finished, children add nothing.
    pt_writer_finish(&w);
    status = InChild([&] {
        pt_parent_view view;
        pt_writer_detach(&w, &view);
        pt_record rec{};
        rec.size = PT_RECORD_SIZE;
        return pt_view_append(&view, &rec, "") == -ESHUTDOWN ? 0 : 2;
    });
    EXPECT_EQ(status, 0);
    pt_writer_forget(&w);
}
