/* libptfloor.so: the least a preloaded recorder with a trace file per
 * process does, so that bench/compare can show what this machine charges
 * for that alone (its "floor" configuration; docs/PERFORMANCE.md).  Not a
 * tracer, and cheaper than any correct one: no fd cache, no capture, no
 * exec or stdio handling, one thread, the file's fd kept open, no care for
 * signals, full disks or odd environments.
 *
 * Per image: the constructor creates PIPETRACE_DIR/floor.PID.N, writes its
 * first 4 KiB (zeros), maps it and writes a header.  Per read or write: the
 * real call, then a 32-byte record (TSC before and after, fd, result)
 * appended to the mapping, which grows 256 KiB at a time as pipetrace's
 * does.  A fork child starts a file of its own on its first record. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#define PAGE 4096u
#define STEP (256u << 10)
#define WINDOW (64u << 20)

struct record {
    uint64_t tsc_begin;
    uint64_t tsc_end;
    int32_t fd;
    int32_t call;
    int64_t result;
};

static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_write)(int, const void *, size_t);
static char dir[4096];
static int file_fd = -1;
static uint8_t *base;
static uint64_t used, allocated;
static int broken;

static inline uint64_t tsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static int allocate(uint64_t from, uint64_t to) {
    static const uint8_t zeros[PAGE];
    struct iovec iov[64];
    while (from < to) {
        int n = 0;
        for (uint64_t at = from; at < to && n < 64; at += PAGE)
            iov[n++] = (struct iovec){(void *)zeros, PAGE};
        ssize_t done = pwritev(file_fd, iov, n, (off_t)from);
        if (done <= 0)
            return -1;
        from += (uint64_t)done;
    }
    return 0;
}

static void start_file(void) {
    char path[4200];
    for (int image = 0; image < 100; image++) {
        snprintf(path, sizeof path, "%s/floor.%d.%d", dir, (int)getpid(), image);
        file_fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (file_fd >= 0)
            break;
    }
    if (file_fd < 0 || allocate(0, PAGE) < 0) {
        broken = 1;
        return;
    }
    void *p = mmap(NULL, WINDOW, PROT_READ | PROT_WRITE, MAP_SHARED, file_fd, 0);
    if (p == MAP_FAILED) {
        broken = 1;
        return;
    }
    base = p;
    allocated = PAGE;
    uint64_t header[8] = {0x726f6f6c66ull, (uint64_t)getpid(), (uint64_t)getppid(), tsc()};
    memcpy(base, header, sizeof header);
    used = sizeof header;
}

static void append(int call, int fd, uint64_t begin, int64_t result) {
    if (broken)
        return;
    if (!base)
        start_file();
    if (broken)
        return;
    if (used + sizeof(struct record) > allocated) {
        if (allocated + STEP > WINDOW || allocate(allocated, allocated + STEP) < 0) {
            broken = 1;
            return;
        }
        allocated += STEP;
    }
    struct record *r = (struct record *)(base + used);
    *r = (struct record){begin, tsc(), fd, call, result};
    used += sizeof *r;
}

static void forget_parent_file(void) {
    if (base)
        munmap(base, WINDOW);
    if (file_fd >= 0)
        close(file_fd);
    base = NULL;
    file_fd = -1;
    used = allocated = 0;
}

__attribute__((constructor)) static void floor_start(void) {
    real_read = (ssize_t(*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
    real_write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    const char *d = getenv("PIPETRACE_DIR");
    snprintf(dir, sizeof dir, "%s", d && *d ? d : ".");
    pthread_atfork(NULL, NULL, forget_parent_file);
    start_file();
}

/* The record of a call that began at `begin` and returned r, errno kept. */
static ssize_t recorded(int call, int fd, uint64_t begin, ssize_t r) {
    int saved = errno;
    append(call, fd, begin, r);
    errno = saved;
    return r;
}

__attribute__((visibility("default"))) ssize_t read(int fd, void *buf, size_t n) {
    uint64_t begin = tsc();
    return recorded(0, fd, begin, real_read(fd, buf, n));
}

__attribute__((visibility("default"))) ssize_t write(int fd, const void *buf, size_t n) {
    uint64_t begin = tsc();
    return recorded(1, fd, begin, real_write(fd, buf, n));
}
