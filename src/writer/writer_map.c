/* Mapping, growing and trimming a trace file.  See writer.h.
 *
 * Address space is what the traced program allocates from, and a program
 * may lower RLIMIT_AS after its trace began (a traced shell running `ulimit
 * -v`), so the writer maps what the file holds plus bounded room: a first
 * segment of 64 MiB (most images never need more), then segments of half
 * what is mapped already, so that their number grows with the logarithm of
 * the file.  Under a limit it takes at most an eighth of the limit and a
 * quarter of what the rest of the process leaves free, and stops tracing
 * (ENOMEM) rather than take more. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "sys.h"
#include "writer_impl.h"

#define MIN_STEP (32u << 10)
#define MAX_STEP (256u << 10)
#define FIRST_ROOM (64u << 20) /* four times the largest capture of one call */
#define LIMITED_FIRST_ROOM (4u << 20)
#define LOCK_WAIT_YIELDS 100000
#define GATE_WAIT_YIELDS 1000

uint64_t pt_file_size_limit(void) {
    struct rlimit lim;
    if (pt_syscall6(SYS_prlimit64, 0, RLIMIT_FSIZE, 0, (long)&lim, 0, 0) != 0)
        return UINT64_MAX;
    return lim.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)lim.rlim_cur;
}

/* The file grows by writing zeros, not by fallocate: a write reserves the
 * disk space as fallocate does (a full disk says ENOSPC here, never SIGBUS
 * later through the mapping), and it also puts the pages in the page cache,
 * so that the records' first touches of them are cheap.  A first touch of
 * a page fallocate left unwritten costs a fault that allocates the page
 * and asks the file system for it (2.4-2.8 us of CPU each on ext4 here);
 * written ahead, in steps of up to 256 KiB with one pwritev each, the same
 * page costs 0.8-1.0 us in all (issue 12: 6,949 page faults traced against
 * 166 untraced on the 4 KiB stream). */
#define ZERO_IOVECS 64

int pt_allocate(int fd, uint64_t off, uint64_t len) {
    /* .rodata named: the preload library's medium code model (its BUILD)
     * would give an array this size a segment of its own to map. */
    __attribute__((section(".rodata"))) static const uint8_t zeros[PT_PAGE];
    struct iovec iov[ZERO_IOVECS];
    for (int i = 0; i < ZERO_IOVECS; i++)
        iov[i] = (struct iovec){(void *)zeros, sizeof zeros};
    while (len) {
        uint64_t pages = (len + PT_PAGE - 1) / PT_PAGE;
        int n = pages < ZERO_IOVECS ? (int)pages : ZERO_IOVECS;
        uint64_t last = len - (uint64_t)(n - 1) * PT_PAGE;
        iov[n - 1].iov_len = last < PT_PAGE ? last : PT_PAGE;
        long done = pt_syscall6(SYS_pwritev, fd, (long)iov, n, (long)off, 0, 0);
        iov[n - 1].iov_len = PT_PAGE;
        if (done < 0)
            return (int)done;
        if (done == 0)
            return -ENOSPC;
        off += (uint64_t)done;
        len -= (uint64_t)done;
    }
    return 0;
}

/* --- address-space budget ------------------------------------------------ */

/* RLIMIT_AS, or UINT64_MAX without one. */
static uint64_t address_limit(void) {
    struct rlimit lim;
    if (pt_syscall6(SYS_prlimit64, 0, RLIMIT_AS, 0, (long)&lim, 0, 0) != 0)
        return UINT64_MAX;
    return lim.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)lim.rlim_cur;
}

/* Address space the process uses now (VmSize), or 0 when unknown. */
static uint64_t address_space_used(void) {
    char text[64];
    int fd = pt_sys_openat(AT_FDCWD, "/proc/self/statm", O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    long n = pt_sys_read(fd, text, sizeof text);
    pt_sys_close(fd);
    uint64_t pages = 0;
    for (long i = 0; i < n && text[i] >= '0' && text[i] <= '9'; i++)
        pages = pages * 10 + (uint64_t)(text[i] - '0');
    return pages * PT_PAGE;
}

/* How much more the writer may map, having mapped `mapped` bytes already:
 * UINT64_MAX without RLIMIT_AS; else in all at most an eighth of the limit
 * and a quarter of what the rest of the process leaves free. */
static uint64_t mapping_budget(uint64_t mapped) {
    uint64_t limit = address_limit();
    if (limit == UINT64_MAX)
        return UINT64_MAX;
    uint64_t used = address_space_used();
    uint64_t others = used > mapped ? used - mapped : 0;
    uint64_t total = limit / 8;
    uint64_t quarter = (limit > others ? limit - others : 0) / 4;
    if (total > quarter)
        total = quarter;
    return total > mapped ? total - mapped : 0;
}

/* Under RLIMIT_AS the first segment leaves room to grow in place: a
 * sixty-fourth of the limit, at least 4 MiB, at most 64 MiB (and always
 * within the budget). */
static uint64_t first_room_under_limit(void) {
    uint64_t share = address_limit() / 64;
    if (share < LIMITED_FIRST_ROOM)
        return LIMITED_FIRST_ROOM;
    return share > FIRST_ROOM ? FIRST_ROOM : share;
}

/* --- segments ------------------------------------------------------------- */

static uint64_t mapped_end(const struct pt_writer *w) {
    uint32_t n = __atomic_load_n(&w->segments, __ATOMIC_ACQUIRE);
    return n ? __atomic_load_n(&w->seg[n - 1].end, __ATOMIC_ACQUIRE) : 0;
}

static void *map_at(void *where, uint64_t len, int fd, uint64_t off) {
    int flags = MAP_SHARED | (where ? MAP_FIXED_NOREPLACE : 0);
    void *p = pt_sys_mmap(where, len, PROT_NONE, flags, fd, off);
    return pt_sys_failed((long)p) ? NULL : p;
}

int pt_map_first(struct pt_writer *w, int fd, uint64_t first) {
    uint64_t budget = mapping_budget(0);
    if (first > budget)
        return -ENOMEM;
    uint64_t size = budget == UINT64_MAX ? FIRST_ROOM : first_room_under_limit();
    if (size > budget)
        size = budget;
    for (;; size /= 4) {
        size = pt_round_up(size < first ? first : size, PT_PAGE);
        void *p = map_at(NULL, size, fd, 0);
        if (p) {
            w->seg[0] = (struct pt_segment){p, 0, size};
            __atomic_store_n(&w->segments, 1, __ATOMIC_RELEASE);
            if (pt_sys_mprotect(p, first, PROT_READ | PROT_WRITE) < 0)
                return -ENOMEM;
            __atomic_store_n(&w->allocated, first, __ATOMIC_RELEASE);
            return 0;
        }
        if (size == first)
            return -ENOMEM;
    }
}

/* Maps file bytes [from, to) at the end of the last segment when the
 * address space there is free, else as a new segment elsewhere (records
 * never straddle the seam; see pt_locate). */
static int add_mapping(struct pt_writer *w, int fd, uint64_t from, uint64_t to) {
    uint32_t n = w->segments;
    struct pt_segment *last = &w->seg[n - 1];
    uint8_t *after = last->base + (last->end - last->start);
    void *p = map_at(after, to - from, fd, from);
    if (p == after) {
        __atomic_store_n(&last->end, to, __ATOMIC_RELEASE);
        return 0;
    }
    if (p)
        pt_sys_munmap(p, to - from); /* a kernel that took the address as a hint */
    if (n == PT_SEGMENTS_MAX || !(p = map_at(NULL, to - from, fd, from)))
        return -ENOMEM;
    w->seg[n] = (struct pt_segment){p, from, to};
    __atomic_store_n(&w->segments, n + 1, __ATOMIC_RELEASE);
    return 0;
}

/* Makes the mappings reach file offset `want`, with room to spare where
 * the budget allows: half of what is mapped already, so that the number of
 * segments grows with the logarithm of the file. */
static int ensure_mapped(struct pt_writer *w, int fd, uint64_t want) {
    uint64_t have = mapped_end(w);
    if (want <= have)
        return 0;
    uint64_t budget = mapping_budget(have);
    uint64_t least = pt_round_up(want - have, PT_PAGE);
    uint64_t room = pt_round_up(have / 2, PT_PAGE);
    if (room > budget)
        room = budget;
    if (room > least && add_mapping(w, fd, have, have + room) == 0)
        return 0;
    if (least > budget)
        return -ENOMEM;
    return add_mapping(w, fd, have, have + least);
}

uint8_t *pt_locate(const struct pt_writer *w, uint64_t off, uint64_t end) {
    uint32_t n = __atomic_load_n(&w->segments, __ATOMIC_ACQUIRE);
    for (uint32_t i = n; i-- > 0;) {
        const struct pt_segment *s = &w->seg[i];
        if (off < s->start)
            continue;
        if (end > __atomic_load_n(&s->end, __ATOMIC_ACQUIRE))
            return NULL;
        return s->base + (off - s->start);
    }
    return NULL;
}

/* Sets the protection of file bytes [from, to) in every segment. */
static int protect(struct pt_writer *w, uint64_t from, uint64_t to, int prot) {
    uint32_t n = __atomic_load_n(&w->segments, __ATOMIC_ACQUIRE);
    for (uint32_t i = 0; i < n; i++) {
        struct pt_segment *s = &w->seg[i];
        uint64_t lo = from > s->start ? from : s->start;
        uint64_t hi = to < s->end ? to : s->end;
        if (lo < hi && pt_sys_mprotect(s->base + (lo - s->start), hi - lo, prot) < 0)
            return -ENOMEM;
    }
    return 0;
}

/* --- the lock ------------------------------------------------------------- */

int pt_lock(struct pt_writer *w, uint64_t *saved_mask) {
    pt_sys_block_signals(saved_mask);
    for (int i = 0; i < LOCK_WAIT_YIELDS; i++) {
        int expected = 0;
        if (__atomic_compare_exchange_n(&w->busy, &expected, 1, 0, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
            return 0;
        pt_sys_sched_yield();
    }
    pt_sys_setmask(*saved_mask);
    return -EBUSY;
}

void pt_unlock(struct pt_writer *w, uint64_t saved_mask) {
    __atomic_store_n(&w->busy, 0, __ATOMIC_RELEASE);
    pt_sys_setmask(saved_mask);
}

int pt_reopen(const struct pt_writer *w) {
    int fd = pt_sys_openat(AT_FDCWD, w->path, O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0);
    if (fd < 0)
        return fd;
    struct stat st;
    if (pt_sys_fstat(fd, &st) < 0 || st.st_dev != w->dev || st.st_ino != w->ino) {
        pt_sys_close(fd);
        return -ESTALE;
    }
    return fd;
}

/* --- growth --------------------------------------------------------------- */

/* Steps as large as the file (each costs a reopen and a few system
 * calls), from 32 KiB up to 256 KiB (writing them holds up one call). */
static uint64_t next_allocation(const struct pt_writer *w, uint64_t have, uint64_t need) {
    if (w->finished)
        return pt_round_up(need, PT_PAGE);
    uint64_t step = have < MIN_STEP ? MIN_STEP : have;
    if (step > MAX_STEP)
        step = MAX_STEP;
    return pt_round_up(need > have + step ? need : have + step, PT_PAGE);
}

/* Whether fd (the file reopened) still holds `want` bytes: a file cut
 * under us must never be touched through the mapping. */
static int holds(int fd, uint64_t want) {
    struct stat st;
    return pt_sys_fstat(fd, &st) == 0 && (uint64_t)st.st_size >= want;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* The records will touch every page of a step soon: mapping the step
 * writable in one call (0.4 us a page here) spares each page its own fault
 * on first touch (2.5-3 us more a page).  A kernel before 5.14 says EINVAL,
 * one cut under us EFAULT (never SIGBUS): either way the records fault the
 * pages in themselves, as before. */
static void prefault(struct pt_writer *w, uint64_t from, uint64_t to) {
    uint8_t *p = pt_locate(w, from, to);
    if (p)
        pt_sys_madvise(p, to - from, MADV_POPULATE_WRITE);
}

static int grow_locked(struct pt_writer *w, uint64_t need) {
    uint64_t have = __atomic_load_n(&w->allocated, __ATOMIC_ACQUIRE);
    if (need <= have)
        return 0;
    uint64_t want = next_allocation(w, have, need);
    uint64_t limit = pt_file_size_limit();
    if (want > limit)
        want = limit;
    if (want < need)
        return -EFBIG;
    int fd = pt_reopen(w);
    if (fd < 0)
        return fd;
    int r = ensure_mapped(w, fd, want);
    if (r == 0)
        r = pt_allocate(fd, have, want - have);
    if (r == 0 && !holds(fd, want))
        r = -ESTALE;
    pt_sys_close(fd);
    if (r == 0)
        r = protect(w, have, want, PROT_READ | PROT_WRITE);
    if (r == 0) {
        prefault(w, have, want);
        __atomic_store_n(&w->allocated, want, __ATOMIC_RELEASE);
    }
    return r;
}

int pt_grow_to(struct pt_writer *w, uint64_t need) {
    uint64_t mask;
    int r = pt_lock(w, &mask);
    if (r < 0)
        return r;
    r = grow_locked(w, need);
    pt_unlock(w, mask);
    return r;
}

/* --- the end of the image ------------------------------------------------- */

/* Closes the gate to fork children and waits for those inside it. */
static int close_gate(struct pt_file_header *hdr) {
    __atomic_fetch_or(&hdr->child_gate, PT_GATE_CLOSED, __ATOMIC_SEQ_CST);
    for (int i = 0; i < GATE_WAIT_YIELDS; i++) {
        if ((__atomic_load_n(&hdr->child_gate, __ATOMIC_ACQUIRE) & ~PT_GATE_CLOSED) == 0)
            return 0;
        pt_sys_sched_yield();
    }
    return -EBUSY; /* a child died inside: leave the file as it is */
}

/* Threads of this process may reserve while the file is cut.  allocated
 * drops to 0 first, so every reservation from then on takes the slow path
 * and waits for the lock; every reservation before it ended at or before
 * the tail read after it (both sequentially consistent), so cutting at that
 * tail leaves them all inside the file. */
static void trim_locked(struct pt_writer *w) {
    struct pt_file_header *hdr = pt_writer_header(w);
    if (close_gate(hdr) < 0)
        return;
    uint64_t old = __atomic_exchange_n(&w->allocated, 0, __ATOMIC_SEQ_CST);
    uint64_t size = pt_round_up(__atomic_load_n(&hdr->tail, __ATOMIC_SEQ_CST), PT_PAGE);
    if (size < old) {
        int fd = pt_reopen(w);
        if (fd >= 0 && pt_sys_ftruncate(fd, size) == 0)
            protect(w, size, old, PROT_NONE);
        else
            size = old;
        if (fd >= 0)
            pt_sys_close(fd);
    } else {
        size = old;
    }
    w->finished = 1;
    __atomic_store_n(&w->allocated, size, __ATOMIC_RELEASE);
}

void pt_writer_finish(struct pt_writer *w) {
    uint64_t mask;
    if (__atomic_load_n(&w->segments, __ATOMIC_ACQUIRE) == 0)
        return;
    /* Finished already, and nothing to cut (a shell trying exec along
     * PATH finishes once per failed attempt): no system call. */
    uint64_t tail = __atomic_load_n(&pt_writer_header(w)->tail, __ATOMIC_ACQUIRE);
    if (w->finished &&
        pt_round_up(tail, PT_PAGE) >= __atomic_load_n(&w->allocated, __ATOMIC_ACQUIRE))
        return;
    if (pt_lock(w, &mask) < 0)
        return;
    trim_locked(w);
    pt_unlock(w, mask);
}

void pt_writer_forget(struct pt_writer *w) {
    uint32_t n = __atomic_load_n(&w->segments, __ATOMIC_ACQUIRE);
    for (uint32_t i = 0; i < n; i++)
        pt_sys_munmap(w->seg[i].base, w->seg[i].end - w->seg[i].start);
    __atomic_store_n(&w->segments, 0, __ATOMIC_RELEASE);
    w->allocated = 0;
    w->stopped = 0;
}
