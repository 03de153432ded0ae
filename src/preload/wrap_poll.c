/* poll, select and epoll: the waits programs hang in.
 *
 * Each wait is recorded begun before the real call, with the set of fds it
 * waits on and what for, so that a wait that never returns is in the trace
 * as unfinished with its set (as a blocked read is); once it returns, the
 * record gets the result and what was ready.  The set is the caller's
 * memory, read before the kernel has looked at it: only where safemem.c
 * says it can be (a bad pointer must fail with EFAULT, as untraced), and
 * never past nfds.  At most PT_WAIT_STORED_MAX fds are stored, with the
 * full count beside them.
 *
 * A poll or select whose set holds no fd we trace (a terminal only) passes
 * straight through, as read does on a terminal.  epoll calls are always
 * recorded: the set is in the kernel, built by epoll_ctl, and the viewer
 * needs every epoll_ctl to know it. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "callsite.h"
#include "safemem.h"
#include "wrappers.h"

/* glibc's report of a buffer overflow caught by _FORTIFY_SOURCE. */
extern void __chk_fail(void) __attribute__((noreturn));

/* The kernel's sigset, for the raw system calls. */
#define KERNEL_SIGSET_SIZE (_NSIG / 8)

/* --- timeouts: int64 milliseconds, -1 forever ----------------------------- */

enum timeout_form { TIMEOUT_INT, TIMEOUT_TIMESPEC, TIMEOUT_TIMEVAL };

struct wait_timeout {
    enum timeout_form form;
    int ms;        /* TIMEOUT_INT: any negative value is forever */
    const void *p; /* otherwise: NULL is forever */
};

/* Longer than any wait: keeps sec * 1000 from overflowing. */
#define MS_MAX ((int64_t)1 << 53)

/* seconds and a fraction in `units` per second, rounded up to whole
 * milliseconds (the kernel never wakes early). */
static int64_t ms_of(int64_t sec, int64_t frac, int64_t units) {
    if (sec < 0 || frac < 0)
        return PT_TIMEOUT_UNKNOWN;
    if (sec >= MS_MAX / 1000)
        return MS_MAX;
    int64_t per_ms = units / 1000;
    return sec * 1000 + (frac + per_ms - 1) / per_ms;
}

static int64_t timeout_ms(const struct wait_timeout *t, struct pt_memo *memo) {
    if (t->form == TIMEOUT_INT)
        return t->ms < 0 ? -1 : t->ms;
    if (!t->p)
        return -1;
    if (t->form == TIMEOUT_TIMEVAL) {
        const struct timeval *tv = t->p;
        if (!pt_mem_readable(memo, tv, sizeof *tv))
            return PT_TIMEOUT_UNKNOWN;
        return ms_of(tv->tv_sec, tv->tv_usec, 1000000); /* usec may pass 1e6 */
    }
    const struct timespec *ts = t->p;
    if (!pt_mem_readable(memo, ts, sizeof *ts) || ts->tv_nsec >= 1000000000)
        return PT_TIMEOUT_UNKNOWN;
    return ms_of(ts->tv_sec, ts->tv_nsec, 1000000000);
}

/* --- the record ------------------------------------------------------------ */

static uint32_t stored_of(uint64_t count) {
    return count < PT_WAIT_STORED_MAX ? (uint32_t)count : PT_WAIT_STORED_MAX;
}

/* Reserves a wait record with room for `stored` entries of entry_size and
 * fills its header; the caller fills the entries and publishes it. */
static struct pt_record *wait_reserve(uint8_t type, int fd, const struct pt_fdinfo *info,
                                      int64_t timeout, uint32_t stored, size_t entry_size) {
    uint32_t room = (uint32_t)(sizeof(struct pt_wait_payload) + stored * entry_size);
    return pt_begin_unpublished(type, fd, info, (uint64_t)timeout, room);
}

static struct pt_wait_payload *wait_header(struct pt_record *rec) {
    return (struct pt_wait_payload *)(void *)(rec + 1);
}

static struct pt_wait_fd *wait_fds(struct pt_record *rec) {
    return (struct pt_wait_fd *)(void *)(wait_header(rec) + 1);
}

static void wait_header_fill(struct pt_record *rec, int64_t nfds, uint64_t count, uint32_t stored,
                             uint8_t call, uint8_t flags) {
    struct pt_wait_payload *h = wait_header(rec);
    h->nfds = nfds > INT32_MAX ? INT32_MAX : (int32_t)nfds;
    h->count = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count;
    h->stored = (uint16_t)stored;
    h->call = call;
    h->flags = flags;
    h->reserved = 0;
}

static void wait_publish(struct pt_call *c, struct pt_record *rec, size_t entry_size) {
    rec->data_len =
        (uint32_t)(sizeof(struct pt_wait_payload) + wait_header(rec)->stored * entry_size);
    pt_publish_begun(rec);
    c->rec = rec;
}

/* A call that refused its arguments (EINVAL: nfds over RLIMIT_NOFILE) read
 * no set: what the record copied may be memory past the program's array,
 * which it need not keep. */
static void wait_forget_set(struct pt_record *rec) {
    struct pt_wait_payload *h = wait_header(rec);
    h->stored = 0;
    rec->data_len = sizeof *h;
}

/* --- poll, ppoll ----------------------------------------------------------- */

static int poll_set_traced(struct pt_call *c, const struct pollfd *fds, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        if (fds[i].fd >= 0 && pt_traced(c, fds[i].fd))
            return 1;
    return 0;
}

/* 1 when the poll is recorded: its record begun with the set. */
static int poll_enter(struct pt_call *c, uint8_t call, const struct pollfd *fds, nfds_t nfds,
                      const struct wait_timeout *t, int masked) {
    pt_enter(c);
    if (nfds == 0 || !pt_recording_on())
        return 0;
    struct pt_memo memo = {{0}, 0, 0};
    uint32_t stored = stored_of(nfds);
    int readable = pt_mem_readable(&memo, fds, stored * sizeof *fds);
    if (readable && !poll_set_traced(c, fds, stored))
        return 0;
    if (!readable)
        stored = 0;
    struct pt_record *rec =
        wait_reserve(PT_EV_POLL, -1, NULL, timeout_ms(t, &memo), stored, sizeof(struct pt_wait_fd));
    if (!rec)
        return 0;
    wait_header_fill(rec, (int64_t)(nfds > INT32_MAX ? INT32_MAX : nfds), nfds, stored, call,
                     (uint8_t)((readable ? 0 : PT_WAITF_UNREAD) | (masked ? PT_WAITF_SIGMASK : 0)));
    struct pt_wait_fd *out = wait_fds(rec);
    for (uint32_t i = 0; i < stored; i++)
        out[i] = (struct pt_wait_fd){fds[i].fd, (uint16_t)fds[i].events, 0};
    wait_publish(c, rec, sizeof *out);
    return 1;
}

/* Completes the record: what was ready, read back from the array the
 * kernel has just written (only after a call that succeeded). */
static int poll_leave(struct pt_call *c, const struct pollfd *fds, int r) {
    if (c->rec && r < 0 && c->errno_out == EINVAL)
        wait_forget_set(c->rec);
    if (c->rec && r >= 0) {
        struct pt_wait_fd *out = wait_fds(c->rec);
        for (uint32_t i = 0; i < wait_header(c->rec)->stored; i++)
            out[i].revents = (uint16_t)fds[i].revents;
    }
    pt_end(c->rec, pt_outcome(c, r));
    return PT_LEAVE(c, r);
}

PT_EXPORT int poll(struct pollfd *fds, nfds_t nfds, int timeout) {
    __auto_type real = PT_REAL(poll);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_poll, fds, nfds, timeout);
    struct pt_call c;
    struct wait_timeout t = {TIMEOUT_INT, timeout, NULL};
    if (!poll_enter(&c, PT_WAIT_CALL_POLL, fds, nfds, &t, 0))
        return PT_PASS(&c, real(fds, nfds, timeout));
    return poll_leave(&c, fds, PT_CALL(&c, real(fds, nfds, timeout)));
}

/* What __poll_chk checks before it polls. */
static void poll_chk(nfds_t nfds, size_t fdslen) {
    if (fdslen / sizeof(struct pollfd) < nfds)
        __chk_fail();
}

PT_EXPORT int __poll_chk(struct pollfd *fds, nfds_t nfds, int timeout, size_t fdslen) {
    __auto_type real = PT_REAL(__poll_chk);
    poll_chk(nfds, fdslen);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_poll, fds, nfds, timeout);
    struct pt_call c;
    struct wait_timeout t = {TIMEOUT_INT, timeout, NULL};
    if (!poll_enter(&c, PT_WAIT_CALL_POLL, fds, nfds, &t, 0))
        return PT_PASS(&c, real(fds, nfds, timeout, fdslen));
    return poll_leave(&c, fds, PT_CALL(&c, real(fds, nfds, timeout, fdslen)));
}

/* The kernel may write the time left into *ts; glibc's ppoll hands it a
 * copy, and so does this. */
static int raw_ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *ts,
                     const sigset_t *mask) {
    struct timespec copy, *tp = NULL;
    if (ts) {
        copy = *ts;
        tp = &copy;
    }
    return (int)syscall(SYS_ppoll, fds, nfds, tp, mask, KERNEL_SIGSET_SIZE);
}

PT_EXPORT int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *ts,
                    const sigset_t *mask) {
    __auto_type real = PT_REAL(ppoll);
    if (__builtin_expect(!real, 0))
        return raw_ppoll(fds, nfds, ts, mask);
    struct pt_call c;
    struct wait_timeout t = {TIMEOUT_TIMESPEC, 0, ts};
    if (!poll_enter(&c, PT_WAIT_CALL_PPOLL, fds, nfds, &t, mask != NULL))
        return PT_PASS(&c, real(fds, nfds, ts, mask));
    return poll_leave(&c, fds, PT_CALL(&c, real(fds, nfds, ts, mask)));
}

PT_EXPORT int __ppoll_chk(struct pollfd *fds, nfds_t nfds, const struct timespec *ts,
                          const sigset_t *mask, size_t fdslen) {
    __auto_type real = PT_REAL(__ppoll_chk);
    poll_chk(nfds, fdslen);
    if (__builtin_expect(!real, 0))
        return raw_ppoll(fds, nfds, ts, mask);
    struct pt_call c;
    struct wait_timeout t = {TIMEOUT_TIMESPEC, 0, ts};
    if (!poll_enter(&c, PT_WAIT_CALL_PPOLL, fds, nfds, &t, mask != NULL))
        return PT_PASS(&c, real(fds, nfds, ts, mask, fdslen));
    return poll_leave(&c, fds, PT_CALL(&c, real(fds, nfds, ts, mask, fdslen)));
}

/* --- select, pselect --------------------------------------------------------- */

/* select's three sets, looked at below `scan` (min(nfds, FD_SETSIZE)):
 * the kernel reads nfds bits of each, and the recorder no more. */
struct select_sets {
    fd_set *in, *out, *except;
    int scan;
};

#define WORD_BITS (8 * (int)sizeof(unsigned long))

static unsigned long set_word(const fd_set *set, int w) {
    return set ? ((const unsigned long *)(const void *)set)[w] : 0;
}

/* The bits of word w that are below scan. */
static unsigned long word_mask(int scan, int w) {
    int left = scan - w * WORD_BITS;
    return left >= WORD_BITS ? ~0UL : (1UL << left) - 1;
}

static uint16_t select_events(const struct select_sets *s, int fd) {
    int w = fd / WORD_BITS;
    unsigned long bit = 1UL << (fd % WORD_BITS);
    return (uint16_t)(((set_word(s->in, w) & bit) ? POLLIN : 0) |
                      ((set_word(s->out, w) & bit) ? POLLOUT : 0) |
                      ((set_word(s->except, w) & bit) ? POLLPRI : 0));
}

/* How many fds the sets name, and whether one of them is traced. */
static uint32_t select_count(struct pt_call *c, const struct select_sets *s, int *traced) {
    uint32_t count = 0;
    for (int w = 0; w * WORD_BITS < s->scan; w++) {
        unsigned long bits = (set_word(s->in, w) | set_word(s->out, w) | set_word(s->except, w)) &
                             word_mask(s->scan, w);
        for (; bits; bits &= bits - 1, count++)
            if (!*traced && pt_traced(c, w * WORD_BITS + __builtin_ctzl(bits)))
                *traced = 1;
    }
    return count;
}

static void select_store(struct pt_wait_fd *out, uint32_t stored, const struct select_sets *s) {
    uint32_t n = 0;
    for (int w = 0; w * WORD_BITS < s->scan && n < stored; w++) {
        unsigned long bits = (set_word(s->in, w) | set_word(s->out, w) | set_word(s->except, w)) &
                             word_mask(s->scan, w);
        for (; bits && n < stored; bits &= bits - 1) {
            int fd = w * WORD_BITS + __builtin_ctzl(bits);
            out[n++] = (struct pt_wait_fd){fd, select_events(s, fd), 0};
        }
    }
}

static int sets_readable(struct pt_memo *memo, const struct select_sets *s) {
    size_t bytes = (size_t)((s->scan + WORD_BITS - 1) / WORD_BITS) * sizeof(unsigned long);
    return (!s->in || pt_mem_readable(memo, s->in, bytes)) &&
           (!s->out || pt_mem_readable(memo, s->out, bytes)) &&
           (!s->except || pt_mem_readable(memo, s->except, bytes));
}

static uint8_t select_flags(const struct select_sets *s, int readable, int masked) {
    return (uint8_t)((readable ? 0 : PT_WAITF_UNREAD) | (s->in ? 0 : PT_WAITF_NO_READ) |
                     (s->out ? 0 : PT_WAITF_NO_WRITE) | (s->except ? 0 : PT_WAITF_NO_EXCEPT) |
                     (masked ? PT_WAITF_SIGMASK : 0));
}

/* 1 when the select is recorded: its record begun with the sets as a list. */
static int select_enter(struct pt_call *c, uint8_t call, int nfds, struct select_sets *s,
                        const struct wait_timeout *t, int masked) {
    pt_enter(c);
    if (!pt_recording_on())
        return 0;
    s->scan = nfds < 0 ? 0 : nfds > FD_SETSIZE ? FD_SETSIZE : nfds;
    struct pt_memo memo = {{0}, 0, 0};
    int readable = sets_readable(&memo, s), traced = !readable;
    uint32_t count = readable ? select_count(c, s, &traced) : 0;
    if (!traced)
        return 0;
    uint32_t stored = stored_of(count);
    struct pt_record *rec = wait_reserve(PT_EV_SELECT, -1, NULL, timeout_ms(t, &memo), stored,
                                         sizeof(struct pt_wait_fd));
    if (!rec)
        return 0;
    wait_header_fill(rec, nfds, count, stored, call, select_flags(s, readable, masked));
    select_store(wait_fds(rec), stored, s);
    wait_publish(c, rec, sizeof(struct pt_wait_fd));
    return 1;
}

/* Completes the record: what was ready, from the sets the kernel has just
 * written back (only after a call that succeeded). */
static int select_leave(struct pt_call *c, const struct select_sets *s, int r) {
    if (c->rec && r > 0) {
        struct pt_wait_fd *out = wait_fds(c->rec);
        for (uint32_t i = 0; i < wait_header(c->rec)->stored; i++)
            out[i].revents = select_events(s, out[i].fd) & out[i].events;
    }
    pt_end(c->rec, pt_outcome(c, r));
    return PT_LEAVE(c, r);
}

PT_EXPORT int select(int nfds, fd_set *in, fd_set *out, fd_set *except, struct timeval *timeout) {
    __auto_type real = PT_REAL(select);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_select, nfds, in, out, except, timeout);
    struct pt_call c;
    struct select_sets s = {in, out, except, 0};
    struct wait_timeout t = {TIMEOUT_TIMEVAL, 0, timeout};
    if (!select_enter(&c, PT_WAIT_CALL_SELECT, nfds, &s, &t, 0))
        return PT_PASS(&c, real(nfds, in, out, except, timeout));
    return select_leave(&c, &s, PT_CALL(&c, real(nfds, in, out, except, timeout)));
}

/* pselect6 takes the mask with its size; the kernel may write the time left
 * into the timespec, which glibc's pselect hides by passing a copy. */
static int raw_pselect(int nfds, fd_set *in, fd_set *out, fd_set *except, const struct timespec *ts,
                       const sigset_t *mask) {
    struct timespec copy, *tp = NULL;
    struct {
        const sigset_t *mask;
        size_t size;
    } sig = {mask, KERNEL_SIGSET_SIZE};
    if (ts) {
        copy = *ts;
        tp = &copy;
    }
    return (int)syscall(SYS_pselect6, nfds, in, out, except, tp, &sig);
}

PT_EXPORT int pselect(int nfds, fd_set *in, fd_set *out, fd_set *except, const struct timespec *ts,
                      const sigset_t *mask) {
    __auto_type real = PT_REAL(pselect);
    if (__builtin_expect(!real, 0))
        return raw_pselect(nfds, in, out, except, ts, mask);
    struct pt_call c;
    struct select_sets s = {in, out, except, 0};
    struct wait_timeout t = {TIMEOUT_TIMESPEC, 0, ts};
    if (!select_enter(&c, PT_WAIT_CALL_PSELECT, nfds, &s, &t, mask != NULL))
        return PT_PASS(&c, real(nfds, in, out, except, ts, mask));
    return select_leave(&c, &s, PT_CALL(&c, real(nfds, in, out, except, ts, mask)));
}

/* --- epoll ------------------------------------------------------------------- */

/* An epoll fd is traced like a pipe end, so that its dup and close are
 * recorded and the viewer knows which fd the epoll set belongs to. */
static void learn_epoll_fd(int fd, int flags) {
    struct pt_fdinfo info = {
        0, 0, PT_OBJ_EPOLL,
        (uint8_t)(PT_FDF_KNOWN | ((flags & EPOLL_CLOEXEC) ? PT_FDF_CLOEXEC : 0))};
    pt_fdcache_learn(fd, &info);
}

static int traced_epoll_create(int (*real_create1)(int), int (*real_create)(int), int arg,
                               const void *caller) {
    struct pt_call c;
    pt_enter(&c);
    int flags = real_create1 ? arg : 0;
    c.rec = pt_begin(PT_EV_EPOLL_CREATE, -1, NULL, (uint64_t)(unsigned)flags, 0);
    int fd = PT_CALL(&c, real_create1 ? real_create1(arg) : real_create(arg));
    if (fd >= 0) {
        learn_epoll_fd(fd, flags);
        if (c.rec)
            c.rec->obj_kind = PT_OBJ_EPOLL;
    }
    pt_end(c.rec, pt_outcome(&c, fd));
    if (fd >= 0)
        pt_note_callsite(c.rec, caller);
    return PT_LEAVE(&c, fd);
}

PT_EXPORT int epoll_create(int size) {
    __auto_type real = PT_REAL(epoll_create);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_epoll_create, size);
    return traced_epoll_create(NULL, real, size, __builtin_return_address(0));
}

PT_EXPORT int epoll_create1(int flags) {
    __auto_type real = PT_REAL(epoll_create1);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_epoll_create1, flags);
    return traced_epoll_create(real, NULL, flags, __builtin_return_address(0));
}

static struct pt_epoll_ctl_payload *ctl_payload(struct pt_record *rec) {
    return (struct pt_epoll_ctl_payload *)(void *)(rec + 1);
}

/* The op and fd are in the record before the call; the event the program
 * passed is read only after the kernel accepted it (it copied it then). */
PT_EXPORT int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event) {
    __auto_type real = PT_REAL(epoll_ctl);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_epoll_ctl, epfd, op, fd, event);
    struct pt_call c;
    pt_enter(&c);
    if (!pt_recording_on())
        return PT_PASS(&c, real(epfd, op, fd, event));
    pt_fdcache_lookup(epfd, &c.fd);
    struct pt_record *rec =
        pt_begin_unpublished(PT_EV_EPOLL_CTL, epfd, &c.fd, 0, sizeof(struct pt_epoll_ctl_payload));
    if (rec) {
        *ctl_payload(rec) = (struct pt_epoll_ctl_payload){op, fd, 0, PT_EPOLLF_NO_EVENT, 0};
        rec->data_len = sizeof(struct pt_epoll_ctl_payload);
        pt_publish_begun(rec);
    }
    c.rec = rec;
    int r = PT_CALL(&c, real(epfd, op, fd, event));
    if (rec && r == 0 && op != EPOLL_CTL_DEL && event) {
        ctl_payload(rec)->events = event->events;
        ctl_payload(rec)->data = event->data.u64;
        ctl_payload(rec)->flags = 0;
    }
    pt_end(c.rec, pt_outcome(&c, r));
    return PT_LEAVE(&c, r);
}

/* 1 when the epoll_wait is recorded: begun with room for the events it
 * may return. */
static int epoll_wait_enter(struct pt_call *c, uint8_t call, int epfd, int maxevents,
                            const struct wait_timeout *t, int masked) {
    pt_enter(c);
    if (!pt_recording_on())
        return 0;
    struct pt_memo memo = {{0}, 0, 0};
    pt_fdcache_lookup(epfd, &c->fd);
    uint32_t room = stored_of(maxevents > 0 ? (uint64_t)maxevents : 0);
    struct pt_record *rec = wait_reserve(PT_EV_EPOLL_WAIT, epfd, &c->fd, timeout_ms(t, &memo), room,
                                         sizeof(struct pt_wait_epoll_event));
    if (!rec)
        return 0;
    wait_header_fill(rec, maxevents, 0, 0, call, masked ? PT_WAITF_SIGMASK : 0);
    wait_publish(c, rec, sizeof(struct pt_wait_epoll_event));
    return 1;
}

/* Completes the record with the events the kernel returned (it wrote them
 * into the program's array: they can be read) and gives back the room
 * they did not need. */
static int epoll_wait_leave(struct pt_call *c, const struct epoll_event *events, int r) {
    struct pt_record *rec = c->rec;
    if (rec && r > 0) {
        struct pt_wait_payload *h = wait_header(rec);
        uint32_t room = (rec->size - PT_RECORD_SIZE - (uint32_t)sizeof *h) /
                        (uint32_t)sizeof(struct pt_wait_epoll_event);
        uint32_t stored = (uint32_t)r < room ? (uint32_t)r : room;
        struct pt_wait_epoll_event *out = (struct pt_wait_epoll_event *)(void *)(h + 1);
        for (uint32_t i = 0; i < stored; i++)
            out[i] = (struct pt_wait_epoll_event){events[i].events, 0, events[i].data.u64};
        h->count = (uint32_t)r;
        h->stored = (uint16_t)stored;
        __atomic_store_n(&rec->data_len, (uint32_t)(sizeof *h + stored * sizeof *out),
                         __ATOMIC_RELEASE);
    }
    pt_end_captured(rec, pt_outcome(c, r));
    return PT_LEAVE(c, r);
}

PT_EXPORT int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout) {
    __auto_type real = PT_REAL(epoll_wait);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_epoll_wait, epfd, events, maxevents, timeout);
    struct pt_call c;
    struct wait_timeout t = {TIMEOUT_INT, timeout, NULL};
    if (!epoll_wait_enter(&c, PT_WAIT_CALL_EPOLL_WAIT, epfd, maxevents, &t, 0))
        return PT_PASS(&c, real(epfd, events, maxevents, timeout));
    return epoll_wait_leave(&c, events, PT_CALL(&c, real(epfd, events, maxevents, timeout)));
}

PT_EXPORT int epoll_pwait(int epfd, struct epoll_event *events, int maxevents, int timeout,
                          const sigset_t *mask) {
    __auto_type real = PT_REAL(epoll_pwait);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_epoll_pwait, epfd, events, maxevents, timeout, mask,
                            KERNEL_SIGSET_SIZE);
    struct pt_call c;
    struct wait_timeout t = {TIMEOUT_INT, timeout, NULL};
    if (!epoll_wait_enter(&c, PT_WAIT_CALL_EPOLL_PWAIT, epfd, maxevents, &t, mask != NULL))
        return PT_PASS(&c, real(epfd, events, maxevents, timeout, mask));
    return epoll_wait_leave(&c, events, PT_CALL(&c, real(epfd, events, maxevents, timeout, mask)));
}

/* glibc before 2.35 has no epoll_pwait2: then the system call, which a
 * kernel before 5.11 refuses with ENOSYS, as glibc would. */
PT_EXPORT int epoll_pwait2(int epfd, struct epoll_event *events, int maxevents,
                           const struct timespec *timeout, const sigset_t *mask) {
    __auto_type real = PT_REAL(epoll_pwait2);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_epoll_pwait2, epfd, events, maxevents, timeout, mask,
                            KERNEL_SIGSET_SIZE);
    struct pt_call c;
    struct wait_timeout t = {TIMEOUT_TIMESPEC, 0, timeout};
    if (!epoll_wait_enter(&c, PT_WAIT_CALL_EPOLL_PWAIT2, epfd, maxevents, &t, mask != NULL))
        return PT_PASS(&c, real(epfd, events, maxevents, timeout, mask));
    return epoll_wait_leave(&c, events, PT_CALL(&c, real(epfd, events, maxevents, timeout, mask)));
}
