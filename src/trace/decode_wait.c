/* Decoders of the waits for readiness (poll, select, epoll_wait) and of
 * the calls that make and change an epoll set, in strace's shape:
 *
 *     poll([{fd=3, events=POLLIN}], 1, -1) = 1 ([{fd=3, revents=POLLIN}])
 *     select(4, [3], NULL, NULL, -1) = 1 (in [3])
 *     epoll_wait(4<anon_inode:[eventpoll]>, [{events=EPOLLIN, data=0x3}], 16, -1) = 1
 *
 * Timeouts are shown in milliseconds, as the record holds them. */
#include <poll.h>
#include <stddef.h>
#include <sys/epoll.h>

#include "decoders.h"
#include "names.h"
#include "waitset.h"

static struct pt_field *waitset(struct pt_fields *out, const char *key, unsigned show,
                                unsigned form, const uint8_t *entries, size_t n, uint32_t total) {
    struct pt_field *f = pt_field_add(out, key, PT_FIELD_WAITSET, show);
    f->v.wait.p = entries;
    f->v.wait.n = n;
    f->v.wait.total = total;
    f->v.wait.form = (uint8_t)form;
    return f;
}

static struct pt_field *field_bool(struct pt_fields *out, const char *key, unsigned show, int v) {
    struct pt_field *f = pt_field_add(out, key, PT_FIELD_BOOL, show);
    f->v.u = v != 0;
    return f;
}

/* What the JSON says of every wait: how many fds (or events) there were,
 * whether the record holds fewer, and which function it was. */
static void wait_extras(struct pt_fields *out, const struct pt_wait_payload *head, size_t n) {
    const char *call = pt_wait_call_name(head->call);
    pt_field_uint(out, "count", PT_SHOW_JSON, head->count);
    field_bool(out, "cut", PT_SHOW_JSON, n < head->count);
    if (call != NULL)
        pt_field_name(out, "variant", PT_SHOW_JSON, call);
    else
        pt_field_uint(out, "variant", PT_SHOW_JSON, head->call);
}

/* After the result, for a call that returned: "Timeout" for 0, else what
 * was ready in `form`. */
static void wait_ready(struct pt_fields *out, const struct pt_record *r, unsigned form,
                       const uint8_t *entries, size_t n, uint32_t total) {
    if (pt_event_unfinished(r) || r->result < 0)
        return;
    struct pt_field *f = r->result == 0
                             ? pt_field_name(out, "ready", PT_SHOW_TEXT, "Timeout")
                             : waitset(out, "ready", PT_SHOW_TEXT, form, entries, n, total);
    f->trailer = 1;
}

/* The wait's payload; when it does not decode, the fields every wait has
 * (an unknown set, the timeout) are given and 0 returned. */
static int wait_payload_or_bare(const struct pt_event *ev, struct pt_fields *out,
                                struct pt_wait_payload *head, const uint8_t **entries, size_t *n) {
    if (pt_wait_payload_of(ev, head, entries, n))
        return 1;
    pt_field_null(out, "set", PT_SHOW_BOTH);
    pt_field_int(out, "timeout_ms", PT_SHOW_BOTH, (int64_t)ev->rec->arg);
    return 0;
}

/* poll([{fd=3, events=POLLIN}], nfds, timeout) */
void pt_args_poll(const struct pt_event *ev, struct pt_fields *out) {
    const struct pt_record *r = ev->rec;
    struct pt_wait_payload head;
    const uint8_t *entries;
    size_t n;
    if (!wait_payload_or_bare(ev, out, &head, &entries, &n))
        return;
    if (head.flags & PT_WAITF_UNREAD)
        pt_field_null(out, "set", PT_SHOW_BOTH);
    else
        waitset(out, "set", PT_SHOW_BOTH, PT_WAITSET_EVENTS, entries, n, head.count);
    pt_field_uint(out, "nfds", PT_SHOW_BOTH, (uint32_t)head.nfds);
    pt_field_int(out, "timeout_ms", PT_SHOW_BOTH, (int64_t)r->arg);
    wait_extras(out, &head, n);
    wait_ready(out, r, PT_WAITSET_REVENTS, entries, n, head.count);
}

/* One of select's sets: [3 4], NULL when the program passed none. */
static void select_set(struct pt_fields *out, const char *key, const struct pt_wait_payload *head,
                       unsigned null_flag, uint16_t mask, const uint8_t *entries, size_t n) {
    if (head->flags & null_flag) {
        pt_field_name(out, key, PT_SHOW_TEXT, "NULL");
    } else if (head->flags & PT_WAITF_UNREAD) {
        pt_field_null(out, key, PT_SHOW_TEXT);
    } else {
        struct pt_field *f =
            waitset(out, key, PT_SHOW_TEXT, PT_WAITSET_SELECT, entries, n, head->count);
        f->v.wait.mask = mask;
    }
}

/* select(nfds, [in], [out], [except], timeout); the JSON has the sets as
 * one list of fds with POLLIN / POLLOUT / POLLPRI, as poll's. */
void pt_args_select(const struct pt_event *ev, struct pt_fields *out) {
    const struct pt_record *r = ev->rec;
    struct pt_wait_payload head;
    const uint8_t *entries;
    size_t n;
    if (!wait_payload_or_bare(ev, out, &head, &entries, &n))
        return;
    pt_field_int(out, "nfds", PT_SHOW_BOTH, head.nfds);
    select_set(out, "readfds", &head, PT_WAITF_NO_READ, POLLIN, entries, n);
    select_set(out, "writefds", &head, PT_WAITF_NO_WRITE, POLLOUT, entries, n);
    select_set(out, "exceptfds", &head, PT_WAITF_NO_EXCEPT, POLLPRI, entries, n);
    pt_field_int(out, "timeout_ms", PT_SHOW_BOTH, (int64_t)r->arg);
    if (head.flags & PT_WAITF_UNREAD)
        pt_field_null(out, "set", PT_SHOW_JSON);
    else
        waitset(out, "set", PT_SHOW_JSON, PT_WAITSET_EVENTS, entries, n, head.count);
    wait_extras(out, &head, n);
    wait_ready(out, r, PT_WAITSET_SELECT_READY, entries, n, head.count);
}

/* epoll_create(EPOLL_CLOEXEC) = epfd.  The JSON names the flags as every
 * call that makes fds does (EPOLL_CLOEXEC is O_CLOEXEC). */
void pt_args_epoll_create(const struct pt_event *ev, struct pt_fields *out) {
    uint64_t flags = ev->rec->arg;
    if (flags == 0)
        pt_field_name(out, "flags", PT_SHOW_TEXT, "0");
    else if (flags == EPOLL_CLOEXEC)
        pt_field_name(out, "flags", PT_SHOW_TEXT, "EPOLL_CLOEXEC");
    else
        pt_field_hex(out, "flags", PT_SHOW_TEXT, flags);
    pt_field_open_flags(out, "flags", PT_SHOW_JSON, flags, 0);
}

/* epoll_ctl(epfd, EPOLL_CTL_ADD, fd, {events=EPOLLIN, data=0x3}) */
void pt_args_epoll_ctl(const struct pt_event *ev, struct pt_fields *out) {
    struct pt_epoll_ctl_payload p;
    pt_field_record_fd(out, "epfd", PT_SHOW_TEXT, ev->rec);
    if (!pt_epoll_ctl_payload_of(ev, &p)) {
        pt_field_null(out, "op", PT_SHOW_BOTH);
        return;
    }
    const char *op = pt_epoll_op_name(p.op);
    if (op != NULL)
        pt_field_name(out, "op", PT_SHOW_BOTH, op);
    else
        pt_field_int(out, "op", PT_SHOW_BOTH, p.op);
    pt_field_int(out, "target_fd", PT_SHOW_BOTH, p.fd);
    if (p.flags & PT_EPOLLF_NO_EVENT) {
        pt_field_null(out, "event", PT_SHOW_BOTH);
        return;
    }
    /* events and data sit in the payload as in a struct pt_wait_epoll_event */
    waitset(out, "event", PT_SHOW_BOTH, PT_WAITSET_EPOLL_ONE,
            ev->payload + offsetof(struct pt_epoll_ctl_payload, events), 1, 1);
}

/* epoll_wait(epfd, [{events=EPOLLIN, data=0x3}], maxevents, timeout): the
 * events are known only once it returned. */
void pt_args_epoll_wait(const struct pt_event *ev, struct pt_fields *out) {
    const struct pt_record *r = ev->rec;
    struct pt_wait_payload head;
    const uint8_t *entries;
    size_t n;
    pt_field_record_fd(out, "epfd", PT_SHOW_TEXT, r);
    if (!pt_wait_payload_of(ev, &head, &entries, &n)) {
        pt_field_null(out, "events", PT_SHOW_BOTH)->at_exit = 1;
        pt_field_int(out, "timeout_ms", PT_SHOW_BOTH, (int64_t)r->arg);
        return;
    }
    struct pt_field *events =
        pt_event_unfinished(r) || r->result < 0
            ? pt_field_null(out, "events", PT_SHOW_BOTH)
            : waitset(out, "events", PT_SHOW_BOTH, PT_WAITSET_EPOLL, entries, n, head.count);
    events->at_exit = 1;
    pt_field_int(out, "maxevents", PT_SHOW_BOTH, head.nfds);
    pt_field_int(out, "timeout_ms", PT_SHOW_BOTH, (int64_t)r->arg);
    wait_extras(out, &head, n);
}
