/* eintr-unhandled: an EINTR that pipetrace injected (run --inject=eintr)
 * ended a loop or the process.  Untraced, EINTR comes only when a signal
 * handler installed without SA_RESTART interrupts a call; a program that
 * takes it for an end of file or a fatal error stops early on a signal it
 * meant to survive.  An injected EINTR comes with no signal at all, so a
 * thread that never called on that fd again, in a process that went on to
 * exit or exec, gave up because of the EINTR and nothing else.  EINTRs
 * that a real signal caused are left alone: a handler that sets a "stop"
 * flag and lets the loop end is a correct program.
 *
 * eagain-unhandled, the same for an injected EAGAIN (run --inject=eagain,
 * non-blocking fds only): the thread took it for an end and never called
 * on the fd again, where a correct loop waits (poll) and calls again.  A
 * warning: a program that only wanted what was there already may stop on
 * an EAGAIN by design.
 *
 * epipe-unhandled, for an injected EPIPE (run --inject=epipe): the process
 * died of the SIGPIPE that came with it, or exited with a failure status
 * right after it, where the program meant to survive a reader going away
 * would have stopped writing and ended as it should.  A warning: a filter
 * in a shell pipeline dies of SIGPIPE by design. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "trace/events.h"
#include "trace/names.h"
#include "trace/xalloc.h"

/* The last data call of one thread on one fd. */
struct last_call {
    size_t image;
    struct pt_record rec; /* a copy: its file may be unmapped by the end */
};

struct pt_check_eintr {
    struct last_call *v;
    size_t len, cap;
};

/* An injected failure the program must handle by calling again: EINTR
 * (always) or EAGAIN (after a wait). */
static int injected_retryable(const struct pt_record *r) {
    const char *fault = pt_event_injected(r);
    return fault != NULL && (strcmp(fault, "eintr") == 0 || strcmp(fault, "eagain") == 0);
}

static int injected_epipe(const struct pt_record *r) {
    const char *fault = pt_event_injected(r);
    return fault != NULL && strcmp(fault, "epipe") == 0;
}

static int is_eagain(const struct pt_record *r) {
    return r->result == -EAGAIN;
}

void pt_check_eintr_observe(struct pt_check *c, struct pt_image *img, const struct pt_record *r) {
    struct pt_check_eintr *st = c->eintr;
    if (st == NULL || !pt_event_moves_data(r->type) || r->fd < 0)
        return;
    /* A stdio flush that failed lost its buffer whatever came next: that
     * is lost-data's (check_lost.c), not a loop that gave up. */
    if (r->type == PT_EV_STDIO_WRITE)
        return;
    for (size_t i = 0; i < st->len; i++)
        if (st->v[i].image == img->index && st->v[i].rec.tid == r->tid &&
            st->v[i].rec.fd == r->fd) {
            st->v[i].rec = *r;
            return;
        }
    if (!injected_retryable(r) && !injected_epipe(r))
        return; /* only a thread and fd that met an injected fault matter */
    PT_GROW(st->v, st->len + 1, st->cap);
    st->v[st->len++] = (struct last_call){.image = img->index, .rec = *r};
}

static const char fix[] =
    "Retry a read or write that fails with EINTR (a signal handler installed without "
    "SA_RESTART makes any of them fail so): it is neither an end of file nor an error. Loop "
    "until the call moves bytes, returns 0 at end of file, or fails with another errno.";

static const char fix_eagain[] =
    "On EAGAIN from a non-blocking fd, wait until it is ready (poll, select or epoll) and call "
    "again: EAGAIN says only that nothing can be moved yet, not that the data has ended. The "
    "end of a pipe's data is a read that returns 0.";

static void report(struct pt_check *c, const struct last_call *l) {
    const struct pt_image *img = &c->model->images[l->image];
    const struct pt_record *r = &l->rec;
    int eagain = is_eagain(r);
    struct pt_problem *p = pt_problem_add(c->out, eagain ? "eagain-unhandled" : "eintr-unhandled",
                                          eagain ? fix_eagain : fix);
    if (p == NULL)
        return;
    if (eagain)
        p->severity = PT_SEV_WARNING; /* stopping at "nothing more yet" can be meant */
    pt_problem_about(p, img->pid, r);
    char object[64];
    pt_object_name(r->obj_kind, r->obj_ino, r->obj_dev, object, sizeof object);
    const char *name = pt_event_name(r->type);
    pt_problem_message(p,
                       "pid %" PRId32 " (%s) gave up on %s (fd %d) after an injected %s: "
                       "%s() failed with %s (pipetrace injected it; %s) and "
                       "the thread never called on fd %d again before the process %s",
                       img->pid, pt_short_exe(img), object, r->fd, eagain ? "EAGAIN" : "EINTR",
                       name ? name : "?", eagain ? "EAGAIN" : "EINTR",
                       eagain ? "the fd may have been ready" : "no signal arrived", r->fd,
                       img->end == PT_END_EXEC ? "exec'd" : "exited");
}

static const char fix_epipe[] =
    "If the reader may go away before the writer is done, ignore or handle SIGPIPE and take "
    "EPIPE as the end of the output: stop writing and end as the program should. A filter in "
    "a shell pipeline may rely on SIGPIPE to end it by design.";

/* How an image ended after an injected EPIPE, when that ending is a
 * failure: "was killed by its SIGPIPE", "exited with status 1"; NULL when
 * it survived (or its end is not known). */
static const char *epipe_ending(const struct pt_image *img, char *buf, size_t len) {
    if (img->end == PT_END_SIGNAL && img->exit_signal == SIGPIPE)
        return "was killed by the SIGPIPE that came with it (SIGPIPE neither ignored nor handled)";
    if (img->end == PT_END_EXIT && img->exit_code != 0) {
        snprintf(buf, len, "exited with status %d right after it", img->exit_code);
        return buf;
    }
    return NULL;
}

static void report_epipe(struct pt_check *c, const struct last_call *l, const char *ending) {
    const struct pt_image *img = &c->model->images[l->image];
    const struct pt_record *r = &l->rec;
    struct pt_problem *p = pt_problem_add(c->out, "epipe-unhandled", fix_epipe);
    if (p == NULL)
        return;
    p->severity = PT_SEV_WARNING;
    pt_problem_about(p, img->pid, r);
    char object[64];
    pt_object_name(r->obj_kind, r->obj_ino, r->obj_dev, object, sizeof object);
    const char *name = pt_event_name(r->type);
    pt_problem_message(p,
                       "pid %" PRId32 " (%s) did not survive an injected EPIPE on %s (fd %d): "
                       "%s() failed with EPIPE (pipetrace injected it; the reader had not "
                       "gone) and the process %s",
                       img->pid, pt_short_exe(img), object, r->fd, name ? name : "?", ending);
}

void pt_check_eintr_finish(struct pt_check *c) {
    struct pt_check_eintr *st = c->eintr;
    for (size_t i = 0; st != NULL && i < st->len; i++) {
        const struct pt_image *img = &c->model->images[st->v[i].image];
        const struct pt_record *r = &st->v[i].rec;
        char buf[64];
        const char *ending;
        if (r->state != PT_DONE)
            continue;
        if (injected_retryable(r) && (img->end == PT_END_EXIT || img->end == PT_END_EXEC))
            report(c, &st->v[i]);
        else if (injected_epipe(r) && (ending = epipe_ending(img, buf, sizeof buf)) != NULL)
            report_epipe(c, &st->v[i], ending);
    }
}

int pt_check_eintr_attach(struct pt_check *c) {
    c->eintr = pt_xcalloc(1, sizeof *c->eintr);
    return 0;
}

void pt_check_eintr_free(struct pt_check *c) {
    if (c->eintr != NULL)
        free(c->eintr->v);
    free(c->eintr);
    c->eintr = NULL;
}
