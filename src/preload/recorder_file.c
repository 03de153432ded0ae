/* One lazily created trace file per process image.  See recorder_file.h.
 *
 * The file is created by the first call worth recording, so that processes
 * that never touch a pipe (most of what a build runs) pay nothing.  Nothing
 * here ever writes to the program's fds: a stop is said in the trace (the
 * header's PT_HDR_STOPPED, or for a fork child that could not make its
 * file, a record in its parent's file), and on stderr only when the user
 * asked for it (PIPETRACE_VERBOSE=1). */
#define _GNU_SOURCE
#include "recorder_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "clock.h"
#include "recorder.h"
#include "src/writer/sys.h"
#include "state.h"

enum { W_NONE, W_CREATING, W_READY, W_FAILED };

/* Two writers, used in turn by successive images of a fork chain: a record
 * pointer the parent handed out (a wrapper that a forking signal handler
 * interrupted) still points into the other one's memory in the child, so
 * that writer must stay as it was while the child makes its own file. */
static struct pt_writer writers[2];
static int writer_slot;
struct pt_writer *pt_live_writer; /* atomic: writers[writer_slot] once W_READY */
static int writer_state = W_NONE;
static struct pt_parent_view parent_view; /* fork child: its parent's file */
static uint8_t boot_id[16];
static int boot_id_known;
static void (*first_records)(void); /* what a new file begins with */

void pt_recorder_on_new_file(void (*fn)(void)) {
    first_records = fn;
}

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

/* The line a bare-LD_PRELOAD user may ask for (PIPETRACE_VERBOSE=1); by
 * default the program's stderr gets nothing from us (it may be a socket
 * to a client, or compared byte for byte). */
static void say_stopped(int err) {
    if (!pt_config.verbose)
        return;
    char line[PT_PATH_MAX + 256];
    char *end = line + sizeof line - 1;
    char *p = append(line, end, "pipetrace: tracing stopped in pid ");
    p = append_uint(p, end, (unsigned)pt_self.pid);
    p = append(p, end, ": ");
    p = append(p, end, pt_config.dir);
    p = append(p, end, ": ");
    const char *why = strerrordesc_np(err);
    p = append(p, end, why ? why : "unknown error");
    *p++ = '\n';
    pt_sys_write(2, line, (size_t)(p - line));
}

void pt_file_announce_stop(struct pt_writer *w) {
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
    if (pt_self.args_pristine && pt_self.args_start && pt_self.args_len < sizeof header_args) {
        memcpy(header_args, pt_self.args_start, pt_self.args_len);
        return pt_self.args_len;
    }
    long n = read_small_file("/proc/self/cmdline", header_args, sizeof header_args);
    if (n >= 0)
        return (uint32_t)n;
    uint32_t len = pt_self.args_len < sizeof header_args ? pt_self.args_len : sizeof header_args;
    if (!pt_self.args_start ||
        pt_sys_read_own_memory(header_args, pt_self.args_start, len, pt_self.pid) != (long)len)
        return 0;
    return len;
}

/* A fork child runs its parent's executable: the name read in this image
 * (by the parent, for its own file) serves every fork child after it,
 * which then makes one walk through /proc fewer when it starts its file. */
static int exe_known;

static void read_exe(void) {
    if (exe_known)
        return;
    long n = pt_sys_readlink("/proc/self/exe", header_exe, sizeof header_exe - 1);
    header_exe[n > 0 ? n : 0] = '\0';
    exe_known = n > 0;
}

static void describe_image(struct pt_image_info *info) {
    read_exe();
    if (!boot_id_known)
        read_boot_id();
    *info = (struct pt_image_info){
        .pid = pt_self.pid,
        .ppid = pt_self.ppid,
        .flags = pt_self.stdio_coverage | (pt_self.fork_child ? PT_HDR_FORK_CHILD : 0) |
                 (pt_config.all_fds ? PT_HDR_ALL_FDS : 0),
        .data_limit = pt_config.data_limit,
        .start_mono_ns = pt_self.start_mono_ns,
        .start_real_ns = pt_self.start_real_ns,
        .exe = header_exe,
        .args = header_args,
        .args_len = read_args(),
    };
    if (info->args_len == sizeof header_args) {
        /* Cut: keep the whole strings only. */
        while (info->args_len && header_args[info->args_len - 1] != '\0')
            info->args_len--;
        info->flags |= PT_HDR_ARGV_TRUNCATED;
    }
    memcpy(info->boot_id, boot_id, sizeof boot_id);
}

/* A fork child whose own file could not be made says so in its parent's
 * file, which it still sees through the view kept at the fork: the
 * untraced-child record, reason PT_UNTRACED_FAILED with the errno. */
static void tell_parent(int err) {
    if (!parent_view.head.base)
        return;
    read_exe();
    struct pt_record rec = {
        .type = PT_EV_UNTRACED_CHILD,
        .tid = pt_sys_gettid(),
        .fd = -1,
        .result = pt_self.pid,
        .arg = PT_UNTRACED_FAILED | (uint64_t)(uint32_t)err << 32,
        .data_len = (uint32_t)strlen(header_exe) + 1,
    };
    rec.size = PT_RECORD_SIZE + ((rec.data_len + 7) & ~7u);
    rec.t_start = rec.t_end = pt_now_ns();
    pt_view_append(&parent_view, &rec, header_exe);
}

/* Signals stay blocked while the file is made: a handler that forked
 * half-way would leave a child holding a half-made writer, and one that
 * recorded would find none. */
static void create_writer(void) {
    uint64_t mask;
    pt_sys_block_signals(&mask);
    struct pt_image_info info;
    describe_image(&info);
    struct pt_writer *w = &writers[writer_slot];
    int r = pt_writer_create(w, pt_config.dir, &info);
    if (r < 0) {
        tell_parent(-r);
        say_stopped(-r);
        __atomic_store_n(&writer_state, W_FAILED, __ATOMIC_RELEASE);
    } else {
        __atomic_store_n(&pt_live_writer, w, __ATOMIC_RELEASE);
        __atomic_store_n(&writer_state, W_READY, __ATOMIC_RELEASE);
    }
    pt_view_release(&parent_view);
    pt_sys_setmask(mask);
}

/* Another thread creating the file takes a few hundred microseconds at
 * most; waiting for it beats losing its events.  A signal handler cannot
 * interrupt the creator in its own thread (signals are blocked there). */
struct pt_writer *pt_file_writer_slow(void) {
    int state = __atomic_load_n(&writer_state, __ATOMIC_ACQUIRE);
    if (state == W_READY)
        return pt_file_current();
    if (state == W_FAILED || pt_config.disabled)
        return NULL;
    int expected = W_NONE;
    if (__atomic_compare_exchange_n(&writer_state, &expected, W_CREATING, 0, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE)) {
        pt_tls_busy++;
        create_writer();
        pt_tls_busy--;
        if (__atomic_load_n(&writer_state, __ATOMIC_ACQUIRE) == W_READY && first_records)
            first_records();
    } else {
        for (int i = 0;
             i < 100000 && __atomic_load_n(&writer_state, __ATOMIC_ACQUIRE) == W_CREATING; i++)
            pt_sys_sched_yield();
    }
    return pt_file_current();
}

int pt_file_failed(void) {
    return __atomic_load_n(&writer_state, __ATOMIC_RELAXED) == W_FAILED;
}

void pt_file_finish(void) {
    struct pt_writer *w = pt_file_current();
    if (w)
        pt_writer_finish(w);
}

int pt_recording_open(void) {
    return __atomic_load_n(&writer_state, __ATOMIC_ACQUIRE) == W_READY;
}

void pt_begin_trace(void) {
    (void)pt_file_writer();
}

/* The child of a fork starts a file of its own on its first record.  The
 * parent's writer is detached (its memory stays valid, private to the
 * child) and left alone; the child's file will use the other writer.  A
 * parent that had to stop because of its disk or directory stays stopped
 * in the child. */
void pt_recorder_after_fork_child(void) {
    int state = __atomic_load_n(&writer_state, __ATOMIC_ACQUIRE);
    struct pt_writer *parent = &writers[writer_slot];
    /* A view inherited from a grandparent is not this child's parent. */
    pt_view_release(&parent_view);
    if (state == W_READY || state == W_CREATING) {
        int stopped = __atomic_load_n(&parent->stopped, __ATOMIC_ACQUIRE);
        /* Half made by another thread of the parent: no record points into
         * it, and no view of it is worth keeping. */
        pt_writer_detach(parent, state == W_READY && !stopped ? &parent_view : NULL);
        __atomic_store_n(&pt_live_writer, NULL, __ATOMIC_RELEASE);
        writer_slot ^= 1;
        __atomic_store_n(&writer_state, stopped ? W_FAILED : W_NONE, __ATOMIC_RELEASE);
    }
}
