/* The steps an fd went through, and how to tell them. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_impl.h"
#include "trace/events.h"
#include "trace/names.h"
#include "trace/xalloc.h"

struct pt_origin *pt_origin_new(struct pt_model *m, enum pt_origin_how how,
                                const struct pt_image *img, int fd, uint64_t t,
                                struct pt_origin *prev) {
    struct pt_origin *o = pt_xcalloc(1, sizeof *o);
    o->how = how;
    o->pid = img ? img->pid : 0;
    o->image = img ? img->index : PT_NO_IMAGE;
    o->fd = fd;
    o->from_fd = -1;
    o->t = t;
    o->prev = prev;
    o->all_next = m->origins;
    m->origins = o;
    return o;
}

const struct pt_origin *pt_origin_root(const struct pt_origin *o) {
    while (o != NULL && o->prev != NULL)
        o = o->prev;
    return o;
}

/* A call that makes a pair or a copy of an fd (pipe, dup...), and whether
 * it takes creation flags (pipe2, dup3): only those can say whether
 * O_CLOEXEC was asked for. */
static int makes_pair_or_copy(unsigned call) {
    unsigned cls = pt_event_info(call)->cls;
    return cls == PT_CLASS_PAIR || cls == PT_CLASS_DUP;
}

static int takes_flags(unsigned call) {
    return makes_pair_or_copy(call) && pt_event_info(call)->flags_at != PT_FLAGS_NONE;
}

void pt_origin_call_text(const struct pt_origin *o, char *buf, size_t len) {
    const char *name = pt_event_name(o->call);
    if (name == NULL)
        name = "?";
    if (takes_flags(o->call)) {
        char flags[128];
        pt_format_open_flags(o->flags, 0, flags, sizeof flags);
        snprintf(buf, len, "%s(%s)", name, flags);
    } else {
        snprintf(buf, len, "%s()", name);
    }
}

/* Appends printf output to buf at *used, never past len. */
static void add(char *buf, size_t len, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add(char *buf, size_t len, size_t *used, const char *fmt, ...) {
    if (*used >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, len - *used, fmt, ap);
    va_end(ap);
    if (n > 0)
        *used += (size_t)n < len - *used ? (size_t)n : len - *used - 1;
}

/* Creation flags matter for a leak: say when O_CLOEXEC was missing. */
static int created_without_cloexec(const struct pt_origin *o) {
    if (!makes_pair_or_copy(o->call))
        return 0;
    return !takes_flags(o->call) || !(o->flags & O_CLOEXEC);
}

static void describe_step(const struct pt_model *m, const struct pt_origin *o, char *buf,
                          size_t len, size_t *used) {
    char call[160];
    switch (o->how) {
    case PT_ORIGIN_CREATED:
    case PT_ORIGIN_DUP:
        pt_origin_call_text(o, call, sizeof call);
        add(buf, len, used, "%s by pid %" PRId32 " with %s%s as fd %d",
            o->how == PT_ORIGIN_DUP ? "dup'd" : "created", o->pid, call,
            created_without_cloexec(o) ? " (no O_CLOEXEC)" : "", o->fd);
        if (o->site != NULL)
            add(buf, len, used, " at %s", o->site);
        break;
    case PT_ORIGIN_FORK:
        add(buf, len, used, "inherited through fork by pid %" PRId32, o->pid);
        break;
    case PT_ORIGIN_SPAWN:
        add(buf, len, used, "inherited through posix_spawn by pid %" PRId32, o->pid);
        break;
    case PT_ORIGIN_EXEC:
        add(buf, len, used, "carried across exec into %s (pid %" PRId32 ")",
            o->image < m->nfiles ? pt_image_exe(&m->images[o->image]) : "?", o->pid);
        break;
    case PT_ORIGIN_OUTSIDE:
        add(buf, len, used, "open as fd %d when pid %" PRId32 " started (from outside the trace)",
            o->fd, o->pid);
        break;
    case PT_ORIGIN_UNKNOWN:
        add(buf, len, used, "first seen as fd %d in pid %" PRId32 " (origin not recorded)", o->fd,
            o->pid);
        break;
    case PT_ORIGIN_PASSED:
        if (o->from_pid != 0)
            add(buf, len, used,
                "passed by pid %" PRId32 " fd %d over socket:[%" PRIu64
                "] (SCM_RIGHTS) to pid %" PRId32 " as fd %d",
                o->from_pid, o->from_fd, o->via_ino, o->pid, o->fd);
        else
            add(buf, len, used,
                "received over socket:[%" PRIu64 "] (SCM_RIGHTS) by pid %" PRId32
                " as fd %d from a sender the trace did not see",
                o->via_ino, o->pid, o->fd);
        break;
    }
}

void pt_origin_describe(const struct pt_model *m, const struct pt_origin *o, char *buf,
                        size_t len) {
    /* The chain runs newest to oldest; a sentence reads oldest first. */
    const struct pt_origin *steps[64];
    size_t n = 0, used = 0;
    for (; o != NULL && n < 64; o = o->prev)
        steps[n++] = o;
    if (len > 0)
        buf[0] = '\0';
    for (size_t i = n; i-- > 0;) {
        if (i + 1 < n)
            add(buf, len, &used, ", ");
        describe_step(m, steps[i], buf, len, &used);
    }
}
