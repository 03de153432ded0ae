/* Trace file creation, reservation and growth.  See writer.h. */
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "sys.h"

#define FIRST_CHUNK (64u << 10) /* most processes record little */
#define MAX_CHUNK (8u << 20)
#define MAX_MAPPING (64ull << 30) /* address space only; shrunk on failure */
#define MIN_MAPPING (1ull << 20)

static uint64_t round_up(uint64_t n, uint64_t to) {
    return (n + to - 1) / to * to;
}

/* Small decimal formatting; snprintf is not async-signal-safe. */
static char *put_uint(char *out, uint64_t n) {
    char digits[24];
    int len = 0;
    do {
        digits[len++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    while (len)
        *out++ = digits[--len];
    return out;
}

static char *put_str(char *out, const char *end, const char *s) {
    while (*s && out < end)
        *out++ = *s++;
    return out;
}

static int make_path(char *path, const char *dir, int pid, unsigned image) {
    char *end = path + PT_PATH_MAX - 40;
    char *p = put_str(path, end, dir);
    if (p >= end)
        return -ENAMETOOLONG;
    *p++ = '/';
    p = put_uint(p, (uint64_t)pid);
    *p++ = '.';
    p = put_uint(p, image);
    p = put_str(p, path + PT_PATH_MAX - 1, PT_FILE_SUFFIX);
    *p = '\0';
    return 0;
}

/* Disk blocks for [off, off + len).  Without fallocate support, writing zeros
 * is what posix_fallocate would do, and it still fails early on a full disk. */
static int allocate(int fd, uint64_t off, uint64_t len) {
    static const uint8_t zeros[4096];
    int r = pt_sys_fallocate(fd, 0, off, len);
    if (r != -EOPNOTSUPP)
        return r;
    while (len) {
        uint64_t n = len < sizeof zeros ? len : sizeof zeros;
        long done = pt_sys_pwrite(fd, zeros, n, off);
        if (done < 0)
            return (int)done;
        if (done == 0)
            return -ENOSPC;
        off += (uint64_t)done;
        len -= (uint64_t)done;
    }
    return 0;
}

/* Growing past RLIMIT_FSIZE would raise SIGXFSZ in the traced program. */
static uint64_t file_size_limit(void) {
    struct rlimit lim;
    if (pt_syscall6(SYS_prlimit64, 0, RLIMIT_FSIZE, 0, (long)&lim, 0, 0) != 0)
        return UINT64_MAX;
    return lim.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)lim.rlim_cur;
}

static uint64_t next_allocation(uint64_t have, uint64_t need) {
    uint64_t step = have < FIRST_CHUNK ? FIRST_CHUNK : have;
    if (step > MAX_CHUNK)
        step = MAX_CHUNK;
    return round_up(need > have + step ? need : have + step, 4096);
}

static int open_up(struct pt_writer *w, uint64_t from, uint64_t to) {
    return pt_sys_mprotect(w->base + from, to - from, PROT_READ | PROT_WRITE);
}

static int grow_to(struct pt_writer *w, uint64_t need) {
    uint64_t have = __atomic_load_n(&w->allocated, __ATOMIC_ACQUIRE);
    while (need > have) {
        uint64_t want = next_allocation(have, need);
        uint64_t limit = file_size_limit();
        if (limit > w->map_size)
            limit = w->map_size;
        if (want > limit)
            want = limit;
        if (want < need)
            return -EFBIG;
        int fd = pt_sys_openat(AT_FDCWD, w->path, O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0);
        if (fd < 0)
            return fd;
        int r = allocate(fd, have, want - have);
        pt_sys_close(fd);
        if (r == 0)
            r = open_up(w, have, want);
        if (r < 0)
            return r;
        /* A losing racer allocated overlapping space, which is harmless. */
        if (__atomic_compare_exchange_n(&w->allocated, &have, want, 0, __ATOMIC_RELEASE,
                                        __ATOMIC_ACQUIRE))
            have = want;
    }
    return 0;
}

#define STRINGS_MAX 65536

static uint32_t string_area_size(const struct pt_image_info *info) {
    uint64_t n = strlen(info->exe) + 1 + info->args_len + 1;
    return n > STRINGS_MAX ? STRINGS_MAX : (uint32_t)n;
}

/* Copies exe and the arguments into the string area, whole strings only,
 * saying so when some did not fit. */
static void write_strings(struct pt_file_header *hdr, const struct pt_image_info *info) {
    char *out = (char *)(hdr + 1);
    char *end = out + hdr->strings_size;
    size_t exe_len = strlen(info->exe);
    if ((size_t)(end - out) < exe_len + 1) {
        hdr->flags |= PT_HDR_ARGV_TRUNCATED;
        return;
    }
    memcpy(out, info->exe, exe_len + 1);
    out += exe_len + 1;
    const char *arg = info->args, *args_end = info->args + info->args_len;
    while (arg < args_end) {
        const char *nul = memchr(arg, '\0', (size_t)(args_end - arg));
        size_t len = nul ? (size_t)(nul - arg) : (size_t)(args_end - arg);
        if ((size_t)(end - out) < len + 1) {
            hdr->flags |= PT_HDR_ARGV_TRUNCATED;
            return;
        }
        memcpy(out, arg, len);
        out[len] = '\0';
        out += len + 1;
        hdr->argc++;
        arg += len + 1;
    }
}

static void fill_header(struct pt_file_header *hdr, const struct pt_image_info *info,
                        uint32_t strings_size, uint32_t data_offset) {
    memcpy(hdr->magic, PT_MAGIC, PT_MAGIC_LEN);
    hdr->byte_order = PT_BYTE_ORDER;
    hdr->version = PT_VERSION;
    hdr->header_size = sizeof *hdr;
    hdr->data_offset = data_offset;
    hdr->flags = info->flags;
    hdr->pid = info->pid;
    hdr->ppid = info->ppid;
    hdr->data_limit = info->data_limit;
    hdr->start_mono_ns = info->start_mono_ns;
    hdr->start_real_ns = info->start_real_ns;
    memcpy(hdr->boot_id, info->boot_id, sizeof hdr->boot_id);
    hdr->strings_size = strings_size;
    write_strings(hdr, info);
    __atomic_store_n(&hdr->tail, data_offset, __ATOMIC_RELEASE);
}

static int create_exclusive(struct pt_writer *w, const char *dir, int pid) {
    for (unsigned image = 0; image < 10000; image++) {
        int r = make_path(w->path, dir, pid, image);
        if (r < 0)
            return r;
        int fd = pt_sys_openat(AT_FDCWD, w->path,
                               O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd != -EEXIST)
            return fd;
    }
    return -EEXIST;
}

/* The mapping reaches far past the end of the file, and touching that
 * part would raise SIGBUS; so it is mapped inaccessible, and each part is
 * opened up only once the file has the blocks behind it.  Tools that
 * read all readable memory (valgrind's leak check, debuggers, core dumps)
 * then stop at the end of the file too. */
static int map_file(struct pt_writer *w, int fd) {
    for (uint64_t size = MAX_MAPPING; size >= MIN_MAPPING; size /= 4) {
        void *p = pt_sys_mmap(NULL, size, PROT_NONE, MAP_SHARED, fd, 0);
        if (!pt_sys_failed((long)p)) {
            w->base = p;
            w->map_size = size;
            return 0;
        }
    }
    return -ENOMEM;
}

int pt_writer_create(struct pt_writer *w, const char *dir, const struct pt_image_info *info) {
    memset(w, 0, sizeof *w);
    int r = pt_sys_mkdir(dir, 0700);
    if (r < 0 && r != -EEXIST)
        return r;
    int fd = create_exclusive(w, dir, info->pid);
    if (fd < 0)
        return fd;
    uint32_t strings_size = string_area_size(info);
    uint32_t data_offset = (uint32_t)round_up(sizeof(struct pt_file_header) + strings_size, 64);
    uint64_t first = round_up(data_offset + FIRST_CHUNK, 4096);
    if (first > file_size_limit())
        r = -EFBIG;
    else
        r = allocate(fd, 0, first);
    if (r == 0)
        r = map_file(w, fd);
    pt_sys_close(fd);
    if (r == 0 && (r = open_up(w, 0, first)) < 0)
        pt_writer_forget(w);
    if (r < 0) {
        /* An empty file would only make readers complain. */
        pt_sys_unlink(w->path);
        return r;
    }
    w->allocated = first;
    fill_header(pt_writer_header(w), info, strings_size, data_offset);
    return 0;
}

struct pt_record *pt_writer_reserve(struct pt_writer *w, uint32_t size) {
    if (__atomic_load_n(&w->stopped, __ATOMIC_RELAXED)) {
        pt_writer_count_drop(w);
        return NULL;
    }
    struct pt_file_header *hdr = pt_writer_header(w);
    uint64_t off = __atomic_fetch_add(&hdr->tail, size, __ATOMIC_RELAXED);
    uint64_t end = off + size;
    if (end > __atomic_load_n(&w->allocated, __ATOMIC_ACQUIRE)) {
        int r = grow_to(w, end);
        if (r < 0) {
            pt_writer_stop(w, -r);
            pt_writer_count_drop(w);
            return NULL;
        }
    }
    struct pt_record *rec = (struct pt_record *)(w->base + off);
    rec->size = size;
    return rec;
}

void pt_writer_shrink(struct pt_writer *w, struct pt_record *rec, uint32_t new_size) {
    uint32_t old_size = rec->size;
    if (new_size >= old_size)
        return;
    uint64_t off = (uint64_t)((uint8_t *)rec - w->base);
    uint64_t expected = off + old_size;
    /* Shrink first: if we die between the two steps, a reader sees zero words
     * past the record, which it skips. */
    rec->size = new_size;
    if (!__atomic_compare_exchange_n(&pt_writer_header(w)->tail, &expected, off + new_size, 0,
                                     __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        rec->size = old_size;
}

void pt_writer_stop(struct pt_writer *w, int err) {
    if (__atomic_exchange_n(&w->stopped, 1, __ATOMIC_ACQ_REL))
        return;
    struct pt_file_header *hdr = pt_writer_header(w);
    hdr->stop_errno = err;
    __atomic_fetch_or(&hdr->flags, PT_HDR_STOPPED, __ATOMIC_RELEASE);
}

void pt_writer_count_drop(struct pt_writer *w) {
    __atomic_fetch_add(&pt_writer_header(w)->dropped, 1, __ATOMIC_RELAXED);
}

void pt_writer_forget(struct pt_writer *w) {
    if (w->base)
        pt_sys_munmap(w->base, w->map_size);
    w->base = NULL;
    w->map_size = 0;
    w->allocated = 0;
    w->stopped = 0;
}
