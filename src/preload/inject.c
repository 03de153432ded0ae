/* Fault injection's decisions (inject.h).  Runs inside wrappers: no
 * allocation, no stdio, no locks; the counters are atomics. */
#define _GNU_SOURCE
#include "inject.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>

#include "call.h"
#include "safemem.h"
#include "src/writer/sys.h"

int pt_inject_armed;

static struct pt_inject_spec specs[PT_INJECT_SPECS_MAX];
static int spec_count;
static uint64_t seed;
/* Per spec: whether it applies to this image, and its matching calls so
 * far in this process. */
static uint8_t applies[PT_INJECT_SPECS_MAX];
static uint64_t matched[PT_INJECT_SPECS_MAX];

void pt_inject_configure(const char *text, const char *seed_text) {
    spec_count = 0;
    pt_inject_armed = 0;
    if (!text || !*text)
        return;
    const char *error;
    int where;
    int n = pt_inject_parse(text, specs, PT_INJECT_SPECS_MAX, &error, &where);
    spec_count = n > 0 ? n : 0;
    pt_inject_parse_seed(seed_text, &seed);
}

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int exe_matches(const char *want, const char *argv0) {
    if (!*want)
        return 1;
    return argv0 && strcmp(base_name(argv0), want) == 0;
}

/* argv=WORD: some argument, argv[0] included, is WORD, or a path whose
 * last component is WORD.  The strings are the kernel's, laid out one
 * after the other; a last one not ended in NUL within args_len is not
 * looked at. */
static int argv_matches(const char *want, const char *args, uint32_t args_len) {
    if (!*want)
        return 1;
    for (uint32_t at = 0; args && at < args_len;) {
        const char *arg = args + at;
        const char *nul = memchr(arg, '\0', args_len - at);
        if (!nul)
            return 0;
        if (strcmp(arg, want) == 0 || strcmp(base_name(arg), want) == 0)
            return 1;
        at += (uint32_t)(nul - arg) + 1;
    }
    return 0;
}

void pt_inject_bind_process(int pid, const char *args, uint32_t args_len) {
    int any = 0;
    for (int i = 0; i < spec_count; i++) {
        applies[i] = (!specs[i].pid || specs[i].pid == pid) && exe_matches(specs[i].exe, args) &&
                     argv_matches(specs[i].argv, args, args_len);
        matched[i] = 0;
        any |= applies[i];
    }
    /* Stored only when it changes: in every fork child a store here would
     * cost a copied page, for the usual process that injects nothing. */
    if (pt_inject_armed != any)
        pt_inject_armed = any;
}

/* splitmix64's finalizer: a well-mixed 64-bit value from any input. */
static uint64_t mix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t draw(int spec, uint64_t call, uint64_t salt) {
    return mix(seed ^ mix(((uint64_t)spec << 56) ^ (salt << 48) ^ call));
}

static int aims_at(const struct pt_inject_spec *s, uint8_t type, const struct pt_fdinfo *fd) {
    return (s->types >> type & 1) && (s->kinds >> fd->kind & 1) && (!s->ino || s->ino == fd->ino);
}

/* Whether the fault can be had on this call at all: a short transfer
 * needs 2 bytes or more, EAGAIN a non-blocking call, EPIPE a write. */
static int byte_stream(int fdnum, const struct pt_fdinfo *fd) {
    if (fd->kind != PT_OBJ_SOCKET)
        return 1;
    int type = 0;
    socklen_t len = sizeof type;
    return pt_syscall6(SYS_getsockopt, fdnum, SOL_SOCKET, SO_TYPE, (long)&type, (long)&len, 0) ==
               0 &&
           type == SOCK_STREAM;
}

static int possible(int fault, uint8_t type, int fdnum, const struct pt_fdinfo *fd, uint64_t count,
                    int msg_flags) {
    switch (fault) {
    case PT_FAULT_SHORT:
        return count >= 2 && byte_stream(fdnum, fd);
    case PT_FAULT_EAGAIN:
        return (msg_flags & MSG_DONTWAIT) ||
               ((fd->flags & PT_FDF_KNOWN) && (fd->flags & PT_FDF_NONBLOCK));
    case PT_FAULT_EPIPE:
        return type == PT_EV_WRITE || type == PT_EV_WRITEV || type == PT_EV_SEND ||
               type == PT_EV_SENDMSG || type == PT_EV_STDIO_WRITE;
    default:
        return 1;
    }
}

static int hits(const struct pt_inject_spec *s, int spec, uint64_t call) {
    switch (s->freq) {
    case PT_FREQ_EVERY:
        return call % s->n == 0;
    case PT_FREQ_NTH:
        return call == s->n;
    case PT_FREQ_P:
        return (uint32_t)draw(spec, call, 0) < s->threshold || s->threshold == UINT32_MAX;
    default:
        return call % 2 == 1;
    }
}

/* Counts a call as matching a spec only when its fault is possible on it,
 * so that `nth=1:calls=write` with epipe means the first write, whatever
 * reads came first. */
int pt_inject_pick(uint8_t type, int fdnum, const struct pt_fdinfo *fd, uint64_t count,
                   int msg_flags, uint64_t *amount) {
    for (int i = 0; i < spec_count; i++) {
        const struct pt_inject_spec *s = &specs[i];
        if (!applies[i] || !aims_at(s, type, fd) ||
            !possible(s->fault, type, fdnum, fd, count, msg_flags))
            continue;
        uint64_t call = __atomic_add_fetch(&matched[i], 1, __ATOMIC_RELAXED);
        if (!hits(s, i, call))
            continue;
        if (s->fault == PT_FAULT_SHORT)
            *amount = 1 + draw(i, call, 1) % (count - 1);
        else if (s->fault == PT_FAULT_DELAY)
            *amount = s->delay_ns;
        return s->fault;
    }
    return PT_FAULT_NONE;
}

int pt_inject_fail_errno(int fault) {
    return fault == PT_FAULT_EINTR ? EINTR : fault == PT_FAULT_EAGAIN ? EAGAIN : EPIPE;
}

void pt_inject_fail(int fault, int msg_flags) {
    if (fault == PT_FAULT_EPIPE && !(msg_flags & MSG_NOSIGNAL))
        PT_SYS3(SYS_tgkill, pt_sys_getpid(), pt_sys_gettid(), SIGPIPE);
}

/* The injected delay: a raw nanosleep (async-signal-safe, no libc state).
 * A signal that interrupts it ends it early, as it would end a slow
 * call's wait; the real call is made either way. */
static void sleep_ns(uint64_t ns) {
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    pt_syscall6(SYS_nanosleep, (long)&ts, 0, 0, 0, 0, 0);
}

int pt_io_inject_chosen(struct pt_call *c, uint8_t type, int fd, size_t *count, int msg_flags) {
    uint64_t amount = 0;
    c->msg_flags = msg_flags;
    c->fault = pt_inject_pick(type, fd, &c->fd, *count, msg_flags, &amount);
    if (c->fault == PT_FAULT_NONE)
        return 0;
    if (c->rec)
        c->rec->fd_flags |= PT_FDF_INJECTED | (c->fault == PT_FAULT_DELAY ? PT_FDF_DELAYED : 0);
    if (c->fault == PT_FAULT_SHORT) {
        *count = (size_t)amount;
        return 0;
    }
    if (c->fault == PT_FAULT_DELAY) {
        sleep_ns(amount); /* raw: errno untouched */
        return 0;
    }
    return 1;
}

size_t pt_io_inject_count(struct pt_call *c, uint8_t type, int fd, size_t count, int msg_flags) {
    return pt_io_inject_chosen(c, type, fd, &count, msg_flags) ? PT_INJECT_FAILS : count;
}

/* A SIGPIPE raised at the thread may end the process or jump out of the
 * call (a handler's longjmp): the record is completed before it, through
 * the recorder (whatever the record's layout), and the caller's leave
 * finds none to complete.  Other failures are completed by the leave, as
 * a real call's. */
long pt_io_injected_failure(struct pt_call *c) {
    int err = pt_inject_fail_errno(c->fault);
    c->errno_out = err;
    if (c->fault == PT_FAULT_EPIPE && !(c->msg_flags & MSG_NOSIGNAL) && c->rec) {
        pt_end_captured(c->rec, -(int64_t)err);
        c->rec = NULL;
    }
    pt_inject_fail(c->fault, c->msg_flags);
    return -1;
}

int pt_inject_iov(struct pt_call *c, uint8_t type, int fd, const struct iovec **iov, int *iovcnt,
                  struct iovec *cut, int msg_flags) {
    if (!pt_iov_readable(*iov, *iovcnt))
        return 0;
    int head_cnt = *iovcnt < PT_INJECT_CUT_MAX ? *iovcnt : PT_INJECT_CUT_MAX;
    uint64_t total = pt_iov_total(*iov, *iovcnt), head = pt_iov_total(*iov, head_cnt);
    size_t count = (size_t)(total < head + 1 ? total : head + 1);
    if (pt_io_inject_chosen(c, type, fd, &count, msg_flags))
        return 1;
    if (c->fault != PT_FAULT_SHORT)
        return 0;
    int used = 0;
    for (; used < head_cnt && count > 0; used++) {
        cut[used] = (*iov)[used];
        if (cut[used].iov_len > count)
            cut[used].iov_len = count;
        count -= cut[used].iov_len;
    }
    *iov = cut;
    *iovcnt = used;
    return 0;
}
