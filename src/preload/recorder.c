/* The recorder: one lazily created trace file per process image. */
#define _GNU_SOURCE
#include "recorder.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "callsite.h"
#include "clock.h"
#include "inherit.h"
#include "src/trace/sys.h"
#include "state.h"

/* The file is created by the first call worth recording, so that processes
 * that never touch a pipe (most of what a build runs) pay nothing. */
enum { W_NONE, W_CREATING, W_READY, W_FAILED };

static struct pt_writer writer;
static int writer_state = W_NONE;
static uint8_t boot_id[16];
static int boot_id_known;

static int hexval(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static void read_boot_id(void) {
    char text[64];
    int fd = pt_sys_openat(AT_FDCWD, "/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0)
        return;
    long n = pt_sys_read(fd, text, sizeof text - 1);
    pt_sys_close(fd);
    int out = 0;
    for (long i = 0; i < n && out < 32; i++) {
        int v = hexval(text[i]);
        if (v < 0)
            continue;
        boot_id[out / 2] = (uint8_t)(boot_id[out / 2] << 4 | v);
        out++;
    }
    boot_id_known = out == 32;
}

static char *append(char *out, char *end, const char *s) {
    while (*s && out < end)
        *out++ = *s++;
    return out;
}

static char *append_uint(char *out, char *end, unsigned n) {
    char digits[12];
    int len = 0;
    do {
        digits[len++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    while (len && out < end)
        *out++ = digits[--len];
    return out;
}

/* The one line a user gets when tracing cannot go on; the program itself
 * sees nothing. */
static void say_stopped(int err) {
    char line[PT_PATH_MAX + 256];
    char *end = line + sizeof line - 1;
    char *p = append(line, end, "pipetrace: tracing stopped in pid ");
    p = append_uint(p, end, (unsigned)pt_image.pid);
    p = append(p, end, ": ");
    p = append(p, end, pt_config.dir);
    p = append(p, end, ": ");
    const char *why = strerrordesc_np(err);
    p = append(p, end, why ? why : "unknown error");
    *p++ = '\n';
    pt_sys_write(2, line, (size_t)(p - line));
}

static void announce_stop_once(struct pt_writer *w) {
    static int announced;
    if (!__atomic_exchange_n(&announced, 1, __ATOMIC_ACQ_REL))
        say_stopped(pt_writer_header(w)->stop_errno);
}

/* Room for what the header says about the image.  Static rather than on
 * the stack, which may be a signal handler's small one; only the thread
 * that won the creation (W_CREATING) uses it. */
#define ARGS_MAX 65536
static char header_exe[PT_PATH_MAX];
static char header_args[ARGS_MAX];

/* Reads a whole small file (up to `room` bytes); returns its length, or
 * -errno. */
static long read_small_file(const char *path, char *out, size_t room) {
    int fd = pt_sys_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0)
        return fd;
    size_t have = 0;
    while (have < room) {
        long n = pt_sys_read(fd, out + have, room - have);
        if (n <= 0)
            break;
        have += (size_t)n;
    }
    pt_sys_close(fd);
    return (long)have;
}

/* The command line from the kernel's copy (/proc/self/cmdline), never from
 * argv: programs rewrite their argv array in place (git leaves NULLs in
 * it).  Without /proc, the strings where the kernel laid them out at exec,
 * read with a call that cannot fault. */
static uint32_t read_args(void) {
    long n = read_small_file("/proc/self/cmdline", header_args, sizeof header_args);
    if (n >= 0)
        return (uint32_t)n;
    uint32_t len = pt_image.args_len < sizeof header_args ? pt_image.args_len : sizeof header_args;
    if (!pt_image.args_start ||
        pt_sys_read_own_memory(header_args, pt_image.args_start, len, pt_image.pid) != (long)len)
        return 0;
    return len;
}

static void create_writer(void) {
    long n = pt_sys_readlink("/proc/self/exe", header_exe, sizeof header_exe - 1);
    header_exe[n > 0 ? n : 0] = '\0';
    if (!boot_id_known)
        read_boot_id();
    struct pt_image_info info = {
        .pid = pt_image.pid,
        .ppid = pt_image.ppid,
        .flags = pt_image.stdio_coverage | (pt_image.fork_child ? PT_HDR_FORK_CHILD : 0) |
                 (pt_config.all_fds ? PT_HDR_ALL_FDS : 0),
        .data_limit = pt_config.data_limit,
        .start_mono_ns = pt_image.start_mono_ns,
        .start_real_ns = pt_image.start_real_ns,
        .exe = header_exe,
        .args = header_args,
        .args_len = read_args(),
    };
    if (info.args_len == sizeof header_args) {
        /* Cut: keep the whole strings only. */
        while (info.args_len && header_args[info.args_len - 1] != '\0')
            info.args_len--;
        info.flags |= PT_HDR_ARGV_TRUNCATED;
    }
    memcpy(info.boot_id, boot_id, sizeof boot_id);
    int r = pt_writer_create(&writer, pt_config.dir, &info);
    if (r < 0) {
        say_stopped(-r);
        __atomic_store_n(&writer_state, W_FAILED, __ATOMIC_RELEASE);
        return;
    }
    __atomic_store_n(&writer_state, W_READY, __ATOMIC_RELEASE);
}

/* Another thread creating the file takes a few hundred microseconds at
 * most; waiting for it beats losing its events.  A signal handler that
 * interrupted the creator in this very thread never gets here (busy guard). */
static struct pt_writer *writer_get(void) {
    int state = __atomic_load_n(&writer_state, __ATOMIC_ACQUIRE);
    if (state == W_READY)
        return &writer;
    if (state == W_FAILED || pt_config.disabled)
        return NULL;
    int expected = W_NONE;
    if (__atomic_compare_exchange_n(&writer_state, &expected, W_CREATING, 0, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE)) {
        pt_tls_busy++;
        create_writer();
        pt_tls_busy--;
        if (__atomic_load_n(&writer_state, __ATOMIC_ACQUIRE) == W_READY)
            pt_record_inherited();
    } else {
        for (int i = 0;
             i < 100000 && __atomic_load_n(&writer_state, __ATOMIC_ACQUIRE) == W_CREATING; i++)
            pt_sys_sched_yield();
    }
    return __atomic_load_n(&writer_state, __ATOMIC_ACQUIRE) == W_READY ? &writer : NULL;
}

static int current_tid(void) {
    if (!pt_tls_tid)
        pt_tls_tid = pt_sys_gettid();
    return pt_tls_tid;
}

static uint32_t align8(uint64_t n) {
    return (uint32_t)((n + 7) & ~(uint64_t)7);
}

/* The most one call captures, even with PIPETRACE_DATA=full.  Room is
 * reserved (and disk space allocated) before a read returns, so a program
 * that asks read() for a gigabyte must not cost a gigabyte of trace; no
 * pipe or socket read returns more than this at once in practice.  A
 * larger write is captured up to this and marked cut. */
#define PT_CAPTURE_MAX (16u << 20)

uint32_t pt_capture_room(uint64_t count) {
    uint64_t room = count < pt_config.data_limit ? count : pt_config.data_limit;
    return room > PT_CAPTURE_MAX ? PT_CAPTURE_MAX : (uint32_t)room;
}

struct pt_record *pt_begin(uint8_t type, int fd, const struct pt_fdinfo *info, uint64_t arg,
                           uint32_t payload_max) {
    if (pt_tls_busy)
        return NULL;
    struct pt_writer *w = writer_get();
    if (!w)
        return NULL;
    uint64_t start = pt_now_ns();
    struct pt_record *rec = pt_writer_reserve(w, PT_RECORD_SIZE + align8(payload_max));
    if (!rec) {
        announce_stop_once(w);
        return NULL;
    }
    rec->type = type;
    rec->tid = current_tid();
    rec->fd = fd;
    rec->t_start = start;
    rec->arg = arg;
    if (info) {
        rec->obj_kind = info->kind;
        rec->fd_flags = info->flags;
        rec->obj_ino = info->ino;
        rec->obj_dev = info->dev;
    }
    __atomic_store_n(&rec->state, PT_BEGUN, __ATOMIC_RELEASE);
    return rec;
}

void pt_end(struct pt_record *rec, int64_t result) {
    if (!rec)
        return;
    rec->t_end = pt_now_ns();
    rec->result = result;
    __atomic_store_n(&rec->state, PT_DONE, __ATOMIC_RELEASE);
}

static uint32_t room_of(const struct pt_record *rec) {
    return rec->size - PT_RECORD_SIZE;
}

static uint32_t capture_len(struct pt_record *rec, int64_t moved) {
    if (moved <= 0)
        return 0;
    uint32_t len = room_of(rec);
    if ((uint64_t)moved < len)
        len = (uint32_t)moved;
    if ((uint64_t)moved > len)
        rec->fd_flags |= PT_FDF_DATA_CUT;
    return len;
}

void pt_capture(struct pt_record *rec, const void *buf, int64_t moved) {
    uint32_t len = capture_len(rec, moved);
    memcpy(rec + 1, buf, len);
    rec->data_len = len;
}

void pt_capture_iov(struct pt_record *rec, const struct iovec *iov, int iovcnt, int64_t moved) {
    uint32_t len = capture_len(rec, moved);
    uint8_t *out = (uint8_t *)(rec + 1);
    uint32_t done = 0;
    for (int i = 0; i < iovcnt && done < len; i++) {
        size_t n = iov[i].iov_len < len - done ? iov[i].iov_len : len - done;
        memcpy(out + done, iov[i].iov_base, n);
        done += (uint32_t)n;
    }
    rec->data_len = done;
}

static void give_back_room(struct pt_record *rec) {
    uint32_t used = PT_RECORD_SIZE + align8(rec->data_len);
    if (used < rec->size && writer_state == W_READY)
        pt_writer_shrink(&writer, rec, used);
}

void pt_end_captured(struct pt_record *rec, int64_t result) {
    if (!rec)
        return;
    give_back_room(rec);
    pt_end(rec, result);
}

void pt_end_io(struct pt_record *rec, const void *buf, int64_t result) {
    if (!rec)
        return;
    pt_capture(rec, buf, result);
    pt_end_captured(rec, result);
}

int pt_traced_fd(int fd, struct pt_fdinfo *info) {
    if (pt_config.disabled || pt_tls_busy ||
        __atomic_load_n(&writer_state, __ATOMIC_RELAXED) == W_FAILED) {
        info->kind = PT_OBJ_UNKNOWN;
        return 0;
    }
    pt_fd_lookup(fd, info);
    return pt_fd_is_traced_kind(info->kind);
}

void pt_recorder_after_fork_child(void) {
    int state = __atomic_load_n(&writer_state, __ATOMIC_ACQUIRE);
    if (state == W_READY || state == W_CREATING) {
        /* The child starts a file of its own; a parent that had to stop
         * because of its disk or directory stays stopped in the child. */
        int stopped = writer.stopped;
        pt_writer_forget(&writer);
        __atomic_store_n(&writer_state, stopped ? W_FAILED : W_NONE, __ATOMIC_RELEASE);
    }
    pt_callsite_forget_modules();
    pt_forget_inherited();
}

int pt_recording_open(void) {
    return __atomic_load_n(&writer_state, __ATOMIC_ACQUIRE) == W_READY;
}

uint32_t pt_strings_room(const char *first, char *const list[]) {
    uint64_t n = strlen(first) + 1;
    for (char *const *p = list; p && *p && n < PT_STRINGS_MAX; p++)
        n += strlen(*p) + 1;
    return n < PT_STRINGS_MAX ? (uint32_t)n : PT_STRINGS_MAX;
}

void pt_put_strings(struct pt_record *rec, const char *first, char *const list[]) {
    if (!rec)
        return;
    char *out = (char *)(rec + 1);
    uint32_t room = room_of(rec), used = 0;
    const char *s = first;
    for (char *const *next = list; s; s = (next && *next) ? *next++ : NULL) {
        size_t len = strlen(s);
        if (used + len + 1 > room)
            break;
        memcpy(out + used, s, len + 1);
        used += (uint32_t)len + 1;
    }
    rec->data_len = used;
}

struct pt_record *pt_event(uint8_t type, int fd, const struct pt_fdinfo *info, uint64_t arg,
                           int64_t result, uint32_t payload_max) {
    struct pt_record *rec = pt_begin(type, fd, info, arg, payload_max);
    if (rec) {
        rec->t_end = rec->t_start;
        rec->result = result;
    }
    return rec;
}

void pt_commit(struct pt_record *rec) {
    if (rec)
        __atomic_store_n(&rec->state, PT_DONE, __ATOMIC_RELEASE);
}

uint64_t pt_record_offset(const struct pt_record *rec) {
    return (uint64_t)((const uint8_t *)rec - writer.base);
}

void pt_commit_captured(struct pt_record *rec) {
    if (!rec)
        return;
    give_back_room(rec);
    pt_commit(rec);
}

void pt_begin_trace(void) {
    (void)writer_get();
}
