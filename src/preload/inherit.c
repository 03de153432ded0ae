/* Inherited fds.  See inherit.h. */
#define _GNU_SOURCE
#include "inherit.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

#include "fdcache.h"
#include "pipetrace/format.h"
#include "recorder.h"
#include "src/writer/sys.h"
#include "state.h"

/* Room for the usual handful in static memory; a process born with more
 * (a leak audit's favourite case) gets a mapping, doubled as needed: every
 * fd it was born with must be recorded. */
#define STATIC_INHERITED 256

struct inherited_fd {
    int fd;
    struct pt_fdinfo info;
};

static struct inherited_fd first_slots[STATIC_INHERITED];
static struct inherited_fd *inherited = first_slots;
static int inherited_room = STATIC_INHERITED;
static int inherited_count;

/* 0, or -1 when no more room could be had (the rest go unrecorded). */
static int make_room(void) {
    if (inherited_count < inherited_room)
        return 0;
    size_t room = (size_t)inherited_room * 2;
    struct inherited_fd *bigger = pt_sys_mmap(NULL, room * sizeof *bigger, PROT_READ | PROT_WRITE,
                                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pt_sys_failed((long)bigger))
        return -1;
    memcpy(bigger, inherited, (size_t)inherited_count * sizeof *bigger);
    if (inherited != first_slots)
        pt_sys_munmap(inherited, (size_t)inherited_room * sizeof *inherited);
    inherited = bigger;
    inherited_room = (int)room;
    return 0;
}

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static void note(int fd) {
    if (make_room() < 0)
        return;
    struct inherited_fd *slot = &inherited[inherited_count];
    pt_fdcache_identify(fd, &slot->info);
    if (slot->info.kind == PT_OBJ_UNKNOWN)
        return;
    slot->fd = fd;
    pt_fdcache_learn(fd, &slot->info);
    inherited_count++;
}

static int parse_fd(const char *name) {
    int n = 0;
    if (!*name)
        return -1;
    for (; *name; name++) {
        if (*name < '0' || *name > '9' || n > 100000000)
            return -1;
        n = n * 10 + (*name - '0');
    }
    return n;
}

static void scan_dir(int dirfd) {
    char buf[4096] __attribute__((aligned(8)));
    for (;;) {
        long n = PT_SYS3(SYS_getdents64, dirfd, buf, sizeof buf);
        if (n <= 0)
            return;
        for (long off = 0; off < n;) {
            struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
            int fd = parse_fd(d->d_name);
            if (fd >= 0 && fd != dirfd)
                note(fd);
            off += d->d_reclen;
        }
    }
}

/* No /proc (a chroot, a container without it): every fd below the
 * RLIMIT_NOFILE soft limit (no new fd can be above it) is asked about, 256
 * at a time: poll answers POLLNVAL for a number that is not open. */
#define PROBE_CHUNK 256
#define PROBE_LIMIT (1 << 20) /* as many as the fd cache holds */

static void probe_without_proc(void) {
    struct rlimit lim;
    unsigned long limit = PT_SYS3(SYS_getrlimit, RLIMIT_NOFILE, &lim, 0) == 0 ? lim.rlim_cur : 1024;
    if (limit > PROBE_LIMIT)
        limit = PROBE_LIMIT;
    struct pollfd chunk[PROBE_CHUNK];
    for (unsigned long first = 0; first < limit; first += PROBE_CHUNK) {
        unsigned n = limit - first < PROBE_CHUNK ? (unsigned)(limit - first) : PROBE_CHUNK;
        for (unsigned i = 0; i < n; i++)
            chunk[i] = (struct pollfd){.fd = (int)(first + i), .events = 0, .revents = 0};
        if (pt_syscall6(SYS_poll, (long)chunk, n, 0, 0, 0, 0) < 0)
            return;
        for (unsigned i = 0; i < n; i++)
            if (!(chunk[i].revents & POLLNVAL))
                note(chunk[i].fd);
    }
}

/* The usual process has its fds in the kernel's smallest table: fds 0 to
 * 63.  Listing /proc/self/fd costs a path walk and an inode per fd in a
 * new process (tens of microseconds); one poll of those 64 numbers tells
 * which are open (POLLNVAL for the others), once it is certain that none
 * is open above them.  select says so: the kernel looks at no fd beyond
 * the table's size, so asking about fd 64 gives 0 (not EBADF) only when
 * the table holds 64 fds, or when fd 64 is open and idle, which F_GETFD
 * tells.  Any other answer, or a process born with a larger table (forked
 * by one that had a high fd open), goes to /proc.  What poll does not see
 * is an O_PATH fd (it cannot be polled): such an fd moves no data and holds
 * no pipe open, and goes unrecorded here. */
#define SMALL_TABLE 64

static int table_is_small(void) {
    uint64_t asked[2] = {0, 1}; /* fd 64: bit 0 of the second word */
    struct timespec zero = {0, 0};
    if (pt_syscall6(SYS_pselect6, SMALL_TABLE + 1, (long)asked, 0, 0, (long)&zero, 0) != 0)
        return 0;
    return PT_SYS3(SYS_fcntl, SMALL_TABLE, F_GETFD, 0) < 0;
}

static int scan_small_table(void) {
    if (!table_is_small())
        return -1;
    struct pollfd probe[SMALL_TABLE];
    for (int fd = 0; fd < SMALL_TABLE; fd++)
        probe[fd] = (struct pollfd){.fd = fd, .events = 0, .revents = 0};
    if (pt_syscall6(SYS_poll, (long)probe, SMALL_TABLE, 0, 0, 0, 0) < 0)
        return -1;
    for (int fd = 0; fd < SMALL_TABLE; fd++)
        if (!(probe[fd].revents & POLLNVAL))
            note(fd);
    return 0;
}

void pt_scan_inherited(void) {
    inherited_count = 0;
    if (scan_small_table() == 0)
        return;
    int dirfd = pt_sys_openat(AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    if (dirfd >= 0) {
        scan_dir(dirfd);
        pt_sys_close(dirfd);
        return;
    }
    probe_without_proc();
}

int pt_inherited_worth_a_file(void) {
    for (int i = 0; i < inherited_count; i++)
        if (inherited[i].fd > 2)
            return 1;
    return 0;
}

void pt_record_inherited(void) {
    for (int i = 0; i < inherited_count; i++) {
        struct pt_record *rec =
            pt_instant(PT_EV_INHERITED_FD, inherited[i].fd, &inherited[i].info, 0, 0, 0);
        if (!rec)
            return;
        rec->t_start = rec->t_end = pt_self.start_mono_ns;
        pt_commit(rec);
    }
}

void pt_forget_inherited(void) {
    if (inherited_count) /* a fork child writes only what it must (a page copied) */
        inherited_count = 0;
}
