/* The fd identity cache.  See fdcache.h. */
#include "fdcache.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <termios.h>

#include "pipetrace/format.h"
#include "src/writer/sys.h"
#include "state.h"

/* Two levels: fds below PAGE_FDS live in a static page; higher ones in pages
 * mapped on first use, up to PAGE_FDS * PAGES fds. */
#define PAGE_FDS 1024
#define PAGES 1024

/* meta packs valid(bit 0), kind(8..15), flags(16..23), dev(32..63) so that
 * one atomic word says whether ino belongs to it. */
struct slot {
    uint64_t ino;
    uint64_t meta;
};

/* Page-aligned: fds 0-255, all most processes have, share one page. */
static struct slot first_page[PAGE_FDS] __attribute__((aligned(4096)));
/* pages[0] stays NULL and means first_page: an initialised pointer here
 * would be relocated by the loader, a copy-on-write fault in every image. */
static struct slot *pages[PAGES];
static uint64_t pipefs_dev; /* st_dev of anonymous pipes, once seen */

static struct slot *slot_for(int fd, int create) {
    if (fd < 0 || fd >= PAGE_FDS * PAGES)
        return NULL;
    unsigned page = (unsigned)fd / PAGE_FDS;
    if (page == 0)
        return &first_page[fd];
    struct slot *p = __atomic_load_n(&pages[page], __ATOMIC_ACQUIRE);
    if (!p && create) {
        void *fresh = pt_sys_mmap(NULL, sizeof(struct slot) * PAGE_FDS, PROT_READ | PROT_WRITE,
                                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (pt_sys_failed((long)fresh))
            return NULL;
        struct slot *expected = NULL;
        if (__atomic_compare_exchange_n(&pages[page], &expected, fresh, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            p = fresh;
        else {
            pt_sys_munmap(fresh, sizeof(struct slot) * PAGE_FDS);
            p = expected;
        }
    }
    return p ? &p[(unsigned)fd % PAGE_FDS] : NULL;
}

static uint64_t pack_meta(const struct pt_fdinfo *info) {
    return 1u | (uint64_t)info->kind << 8 | (uint64_t)info->flags << 16 | (uint64_t)info->dev << 32;
}

int pt_fdcache_cached(int fd, struct pt_fdinfo *info) {
    struct slot *s = slot_for(fd, 0);
    if (!s)
        return 0;
    uint64_t meta = __atomic_load_n(&s->meta, __ATOMIC_ACQUIRE);
    if (!(meta & 1))
        return 0;
    uint64_t ino = __atomic_load_n(&s->ino, __ATOMIC_ACQUIRE);
    if (__atomic_load_n(&s->meta, __ATOMIC_ACQUIRE) != meta)
        return 0;
    info->ino = ino;
    info->kind = (uint8_t)(meta >> 8);
    info->flags = (uint8_t)(meta >> 16);
    info->dev = (uint32_t)(meta >> 32);
    return 1;
}

void pt_fdcache_learn(int fd, const struct pt_fdinfo *info) {
    struct slot *s = slot_for(fd, 1);
    if (!s)
        return;
    __atomic_store_n(&s->meta, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&s->ino, info->ino, __ATOMIC_RELEASE);
    __atomic_store_n(&s->meta, pack_meta(info), __ATOMIC_RELEASE);
}

void pt_fdcache_forget(int fd) {
    struct slot *s = slot_for(fd, 0);
    if (s)
        __atomic_store_n(&s->meta, 0, __ATOMIC_RELEASE);
}

void pt_fdcache_update_flags(int fd, uint8_t set, uint8_t clear) {
    struct pt_fdinfo info;
    if (!pt_fdcache_cached(fd, &info))
        return;
    info.flags = (uint8_t)((info.flags & ~clear) | set);
    pt_fdcache_learn(fd, &info);
}

/* Visits the cached fds in [first, last], page by page, skipping pages
 * never mapped: close_range(3, ~0U) must not walk a million slots. */
static void for_range(unsigned first, unsigned last, void (*fn)(int fd)) {
    unsigned limit = PAGE_FDS * PAGES - 1;
    if (last > limit)
        last = limit;
    for (unsigned fd = first; fd <= last;) {
        unsigned page = fd / PAGE_FDS;
        if (page > 0 && !__atomic_load_n(&pages[page], __ATOMIC_ACQUIRE)) {
            fd = (page + 1) * PAGE_FDS;
            continue;
        }
        fn((int)fd);
        fd++;
    }
}

static void mark_cloexec(int fd) {
    pt_fdcache_update_flags(fd, PT_FDF_CLOEXEC, 0);
}

void pt_fdcache_forget_range(unsigned first, unsigned last) {
    for_range(first, last, pt_fdcache_forget);
}

void pt_fdcache_cloexec_range(unsigned first, unsigned last) {
    for_range(first, last, mark_cloexec);
}

/* A character device is a terminal when it answers a terminal's question
 * (what isatty asks): /dev/null, /dev/zero, /dev/urandom do not.  Those
 * are the memory devices (major 1), never terminals, and /dev/null is an
 * inherited fd of nearly every process a build runs: no question then. */
#define MEMORY_DEVICES_MAJOR 1

static uint8_t char_device_kind(const struct stat *st, int fd) {
    if (major(st->st_rdev) == MEMORY_DEVICES_MAJOR)
        return PT_OBJ_DEVICE;
    struct termios tio; /* larger than the kernel's: room to spare */
    return PT_SYS3(SYS_ioctl, fd, TCGETS, &tio) == 0 ? PT_OBJ_TTY : PT_OBJ_DEVICE;
}

uint8_t pt_fdcache_kind(const struct stat *st, int fd) {
    switch (st->st_mode & S_IFMT) {
    case S_IFSOCK:
        return PT_OBJ_SOCKET;
    case S_IFREG:
        return PT_OBJ_FILE;
    case S_IFCHR:
        return char_device_kind(st, fd);
    case S_IFIFO:
        break;
    default:
        return PT_OBJ_OTHER;
    }
    uint64_t known = __atomic_load_n(&pipefs_dev, __ATOMIC_RELAXED);
    if (known && st->st_dev == known)
        return PT_OBJ_PIPE;
    struct statfs fs;
    if (PT_SYS3(SYS_fstatfs, fd, &fs, 0) == 0 && fs.f_type == PIPEFS_MAGIC) {
        __atomic_store_n(&pipefs_dev, st->st_dev, __ATOMIC_RELAXED);
        return PT_OBJ_PIPE;
    }
    return PT_OBJ_FIFO;
}

uint8_t pt_fdcache_flags_from(long status_flags, int cloexec) {
    uint8_t flags = PT_FDF_KNOWN;
    if ((status_flags & O_ACCMODE) == O_RDONLY)
        flags |= PT_FDF_RDONLY;
    else if ((status_flags & O_ACCMODE) == O_WRONLY)
        flags |= PT_FDF_WRONLY;
    if (status_flags & O_NONBLOCK)
        flags |= PT_FDF_NONBLOCK;
    if (cloexec)
        flags |= PT_FDF_CLOEXEC;
    return flags;
}

static uint8_t flags_of(int fd) {
    long fl = PT_SYS3(SYS_fcntl, fd, F_GETFL, 0);
    long fdfl = PT_SYS3(SYS_fcntl, fd, F_GETFD, 0);
    if (fl < 0 || fdfl < 0)
        return 0;
    return pt_fdcache_flags_from(fl, (fdfl & FD_CLOEXEC) != 0);
}

void pt_fdcache_describe(const struct stat *st, int fd, struct pt_fdinfo *info) {
    info->ino = st->st_ino;
    info->kind = pt_fdcache_kind(st, fd);
    /* A device is named by its own number (1,3 is /dev/null), not by the
     * file system its node lives on. */
    info->dev = (uint32_t)(info->kind == PT_OBJ_DEVICE ? st->st_rdev : st->st_dev);
}

void pt_fdcache_identify(int fd, struct pt_fdinfo *info) {
    struct stat st;
    info->ino = 0;
    info->dev = 0;
    info->flags = 0;
    info->kind = PT_OBJ_UNKNOWN;
    if (PT_SYS3(SYS_fstat, fd, &st, 0) != 0)
        return;
    pt_fdcache_describe(&st, fd, info);
    info->flags = flags_of(fd);
}

void pt_fdcache_miss(int fd, struct pt_fdinfo *info) {
    pt_fdcache_identify(fd, info);
    if (info->kind != PT_OBJ_UNKNOWN)
        pt_fdcache_learn(fd, info);
}

int pt_fdcache_is_traced_kind(uint8_t kind) {
    switch (kind) {
    case PT_OBJ_PIPE:
    case PT_OBJ_FIFO:
    case PT_OBJ_SOCKET:
    case PT_OBJ_EPOLL:   /* its close ends the set the viewer follows */
    case PT_OBJ_UNKNOWN: /* a call on a closed fd is worth seeing */
        return 1;
    default:
        return pt_config.all_fds;
    }
}
