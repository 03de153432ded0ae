/* Trace file creation and reservation.  See writer.h. */
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "sys.h"
#include "writer_impl.h"

#define STRINGS_MAX 65536

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

/* "<dir>/<pid>.<image>.ptr" into w->path; *name points at the last part. */
static int make_path(struct pt_writer *w, const char *dir, int pid, unsigned image,
                     const char **name) {
    char *end = w->path + PT_PATH_MAX - 40;
    char *p = put_str(w->path, end, dir);
    if (p >= end)
        return -ENAMETOOLONG;
    *p++ = '/';
    *name = p;
    p = put_uint(p, (uint64_t)pid);
    *p++ = '.';
    p = put_uint(p, image);
    p = put_str(p, w->path + PT_PATH_MAX - 1, PT_FILE_SUFFIX);
    *p = '\0';
    return 0;
}

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

/* The trace directory, opened without following a link at its name, and
 * only if it is ours alone: another user who can write it could truncate
 * our files under our mapping (SIGBUS) or plant names in it. */
static int open_dir(const char *dir) {
    const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    /* Made by the first process of a run; every later one finds it.  Any
     * failure takes the long way, which tells its cause precisely. */
    int dfd = pt_sys_openat(AT_FDCWD, dir, flags, 0);
    if (dfd < 0) {
        int r = pt_sys_mkdir(dir, 0700);
        if (r < 0 && r != -EEXIST)
            return r;
        dfd = pt_sys_openat(AT_FDCWD, dir, flags, 0);
    }
    if (dfd < 0)
        return dfd == -ENOTDIR ? -ELOOP : dfd;
    struct stat st;
    int r = pt_sys_fstat(dfd, &st);
    if (r == 0 && (int)st.st_uid != pt_sys_geteuid())
        r = -EPERM;
    if (r == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)))
        r = -EACCES;
    if (r < 0) {
        pt_sys_close(dfd);
        return r;
    }
    return dfd;
}

static int create_exclusive(struct pt_writer *w, int dfd, const char *dir, int pid,
                            const char **name) {
    for (unsigned image = 0; image < 10000; image++) {
        int r = make_path(w, dir, pid, image, name);
        if (r < 0)
            return r;
        int fd =
            pt_sys_openat(dfd, *name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd != -EEXIST)
            return fd;
    }
    return -EEXIST;
}

/* Sizes, allocates and maps a file just created. */
static int set_up_file(struct pt_writer *w, int fd, uint64_t first) {
    struct stat st;
    int r = pt_sys_fstat(fd, &st);
    if (r < 0)
        return r;
    w->dev = st.st_dev;
    w->ino = st.st_ino;
    if (first > pt_file_size_limit())
        return -EFBIG;
    r = pt_allocate(fd, 0, first);
    return r < 0 ? r : pt_map_first(w, fd, first);
}

/* Files this process made (a fork child counts on from its parent's), so
 * that what a thread remembers about one file is never taken for another's. */
static uint32_t epochs;

int pt_writer_create(struct pt_writer *w, const char *dir, const struct pt_image_info *info) {
    memset(w, 0, sizeof *w);
    w->epoch = __atomic_add_fetch(&epochs, 1, __ATOMIC_RELAXED);
    int dfd = open_dir(dir);
    if (dfd < 0)
        return dfd;
    const char *name;
    int fd = create_exclusive(w, dfd, dir, info->pid, &name);
    if (fd < 0) {
        pt_sys_close(dfd);
        return fd;
    }
    uint32_t strings_size = string_area_size(info);
    uint32_t data_offset =
        (uint32_t)pt_round_up(sizeof(struct pt_file_header) + strings_size, PT_DATA_ALIGN);
    int r = set_up_file(w, fd, pt_round_up(data_offset + PT_FIRST_CHUNK, PT_PAGE));
    pt_sys_close(fd);
    if (r < 0) {
        /* An empty file would only make readers complain. */
        pt_writer_forget(w);
        pt_sys_unlinkat(dfd, name);
        pt_sys_close(dfd);
        return r;
    }
    pt_sys_close(dfd);
    fill_header(pt_writer_header(w), info, strings_size, data_offset);
    return 0;
}

/* The room [off, off + size) just reserved, once the file holds it; NULL
 * (*straddled set) when it falls across two segments. */
static struct pt_record *place(struct pt_writer *w, uint64_t off, uint32_t size, int *straddled) {
    uint64_t end = off + size;
    if (end > __atomic_load_n(&w->allocated, __ATOMIC_SEQ_CST)) {
        int r = pt_grow_to(w, end);
        if (r < 0) {
            if (r != -EBUSY)
                pt_writer_stop(w, -r);
            return NULL;
        }
    }
    struct pt_record *rec = (struct pt_record *)pt_locate(w, off, end);
    if (!rec) {
        /* It straddles two segments: left as zeros, which readers skip. */
        *straddled = 1;
        return NULL;
    }
    rec->size = size;
    return rec;
}

static struct pt_record *reserve_once(struct pt_writer *w, uint32_t size, int *straddled) {
    /* Sequentially consistent with the allocated load in place(), against
     * pt_writer_finish: see there. */
    uint64_t off = __atomic_fetch_add(&pt_writer_header(w)->tail, size, __ATOMIC_SEQ_CST);
    return place(w, off, size, straddled);
}

static struct pt_record *reserve_slow(struct pt_writer *w, uint32_t size);

/* The fast path's reservation did not fit where it looked: finish it the
 * long way, and try once more if it straddled two segments. */
static struct pt_record *reserve_after(struct pt_writer *w, uint64_t off, uint32_t size) {
    int straddled = 0;
    struct pt_record *rec = place(w, off, size, &straddled);
    if (rec)
        return rec;
    if (straddled)
        return reserve_slow(w, size);
    pt_writer_count_drop(w);
    return NULL;
}

static struct pt_record *reserve_slow(struct pt_writer *w, uint32_t size) {
    for (int attempt = 0; attempt < 2; attempt++) {
        if (__atomic_load_n(&w->stopped, __ATOMIC_RELAXED))
            break;
        int straddled = 0;
        struct pt_record *rec = reserve_once(w, size, &straddled);
        if (rec || !straddled)
            return rec ? rec : (pt_writer_count_drop(w), NULL);
    }
    pt_writer_count_drop(w);
    return NULL;
}

struct pt_record *pt_writer_reserve(struct pt_writer *w, uint32_t size) {
    if (__builtin_expect(__atomic_load_n(&w->stopped, __ATOMIC_RELAXED), 0))
        return reserve_slow(w, size);
    /* The common case: one segment (most images), room already backed. */
    uint32_t segments = __atomic_load_n(&w->segments, __ATOMIC_ACQUIRE);
    uint64_t off = __atomic_fetch_add(&pt_writer_header(w)->tail, size, __ATOMIC_SEQ_CST);
    uint64_t end = off + size;
    if (__builtin_expect(segments == 1 && end <= __atomic_load_n(&w->allocated, __ATOMIC_SEQ_CST) &&
                             end <= __atomic_load_n(&w->seg[0].end, __ATOMIC_RELAXED),
                         1)) {
        struct pt_record *rec = (struct pt_record *)(w->seg[0].base + off);
        rec->size = size;
        return rec;
    }
    return reserve_after(w, off, size);
}

uint64_t pt_writer_offset(const struct pt_writer *w, const void *p) {
    uint32_t n = __atomic_load_n(&w->segments, __ATOMIC_ACQUIRE);
    for (uint32_t i = 0; i < n; i++) {
        uintptr_t in = (uintptr_t)p - (uintptr_t)w->seg[i].base;
        if (in < w->seg[i].end - w->seg[i].start)
            return w->seg[i].start + in;
    }
    return 0;
}

/* The end of rec's segment, as a file offset. */
static uint64_t segment_end_of(const struct pt_writer *w, const void *p) {
    uint32_t n = __atomic_load_n(&w->segments, __ATOMIC_ACQUIRE);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t end = __atomic_load_n(&w->seg[i].end, __ATOMIC_ACQUIRE);
        if ((uintptr_t)p - (uintptr_t)w->seg[i].base < end - w->seg[i].start)
            return end;
    }
    return 0;
}

int pt_writer_extend(struct pt_writer *w, struct pt_record *rec, uint32_t new_size) {
    uint32_t old_size = rec->size;
    uint64_t off = pt_writer_offset(w, rec);
    if (new_size <= old_size || off + new_size > segment_end_of(w, rec))
        return 0;
    uint64_t expected = off + old_size, end = off + new_size;
    uint64_t *tail = &pt_writer_header(w)->tail;
    if (!__atomic_compare_exchange_n(tail, &expected, end, 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
        return 0;
    if (end > __atomic_load_n(&w->allocated, __ATOMIC_SEQ_CST) && pt_grow_to(w, end) < 0) {
        /* Give the room back if nobody reserved after it; else it stays
         * zeros past the allocated end, which nobody touches. */
        __atomic_compare_exchange_n(tail, &end, off + old_size, 0, __ATOMIC_SEQ_CST,
                                    __ATOMIC_RELAXED);
        return 0;
    }
    rec->size = new_size;
    return 1;
}

void pt_writer_shrink(struct pt_writer *w, struct pt_record *rec, uint32_t new_size) {
    uint32_t old_size = rec->size;
    if (new_size >= old_size)
        return;
    uint64_t off = pt_writer_offset(w, rec);
    uint64_t expected = off + old_size;
    /* Shrink first: if we die between the two steps, a reader sees zero words
     * past the record, which it skips. */
    rec->size = new_size;
    if (!__atomic_compare_exchange_n(&pt_writer_header(w)->tail, &expected, off + new_size, 0,
                                     __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
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
