/* eagain-spin: a non-blocking call retried on EAGAIN with no wait in
 * between (a busy loop), and a non-blocking reader that gave up on a pipe
 * the writer had not written to yet.
 *
 * The correct pattern, read -> EAGAIN -> poll -> read (xz -T2, a self-pipe
 * drain), has one EAGAIN per wait.  A spin is a run of EAGAINs on one fd
 * in one thread where nothing waited between two of them: no poll, select
 * or epoll_wait with a timeout, no other call of that thread that blocked
 * (took PT_SPIN_WAIT_NS or more: a wait, a read on another fd) and no gap
 * of more than PT_SPIN_MAX_GAP_NS (an untraced sleep).  Runs of PT_SPIN_MIN_EAGAIN or more are
 * counted per fd and reported once, at the end, with the real count and time. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "trace/events.h"
#include "trace/names.h"
#include "trace/xalloc.h"

/* The EAGAINs of one fd in one thread since the last wait. */
struct spin_run {
    int fd;
    int32_t tid;
    uint64_t count, t_first, t_last;
    struct pt_record first; /* the first EAGAIN (a copy) */
};

/* The spins on one fd of one image, summed. */
struct spin_total {
    size_t image;
    int fd;
    uint64_t eagains, runs, busy_ns, longest_ns, longest_count;
    struct pt_record first;
};

struct pt_check_eagain {
    struct spin_run *runs; /* open runs, one per (fd, tid) */
    size_t nruns, cap_runs;
    struct spin_total *totals;
    size_t ntotals, cap_totals;
};

static void add_total(struct pt_check *c, size_t image, const struct spin_run *run) {
    struct pt_check_eagain *st = &c->eagain[image];
    struct spin_total *t = NULL;
    for (size_t i = 0; i < st->ntotals && t == NULL; i++)
        if (st->totals[i].image == image && st->totals[i].fd == run->fd)
            t = &st->totals[i];
    if (t == NULL) {
        PT_GROW(st->totals, st->ntotals + 1, st->cap_totals);
        t = &st->totals[st->ntotals++];
        *t = (struct spin_total){.image = image, .fd = run->fd, .first = run->first};
    }
    uint64_t ns = run->t_last - run->t_first;
    t->eagains += run->count;
    t->runs++;
    t->busy_ns += ns;
    if (run->count > t->longest_count) {
        t->longest_count = run->count;
        t->longest_ns = ns;
    }
}

/* Ends the run at i (a wait, a success, or the end of the trace). */
static void close_run(struct pt_check *c, size_t image, size_t i) {
    struct pt_check_eagain *st = &c->eagain[image];
    if (st->runs[i].count >= PT_SPIN_MIN_EAGAIN)
        add_total(c, image, &st->runs[i]);
    st->runs[i] = st->runs[--st->nruns];
}

/* A call of this thread that waited: every open run of the thread ends.
 * A poll, select or epoll_wait with a timeout is one however soon it
 * returned (the fd was ready); with timeout 0 it only asks, and a loop of
 * such polls and EAGAINs is still busy. */
static int waited(const struct pt_record *r) {
    if (r->state != PT_DONE)
        return 1; /* it blocked until the trace ended */
    if (pt_event_info(r->type)->cls == PT_CLASS_POLL)
        return (int64_t)r->arg != 0;
    return r->t_end - r->t_start >= PT_SPIN_WAIT_NS;
}

static void eagain(struct pt_check *c, struct pt_image *img, const struct pt_record *r) {
    struct pt_check_eagain *st = &c->eagain[img->index];
    for (size_t i = 0; i < st->nruns; i++) {
        struct spin_run *run = &st->runs[i];
        if (run->fd != r->fd || run->tid != r->tid)
            continue;
        if (r->t_start - run->t_last > PT_SPIN_MAX_GAP_NS) {
            close_run(c, img->index, i); /* an untraced wait (a sleep) between */
            break;
        }
        run->count++;
        run->t_last = r->t_start;
        return;
    }
    PT_GROW(st->runs, st->nruns + 1, st->cap_runs);
    st->runs[st->nruns++] = (struct spin_run){.fd = r->fd,
                                              .tid = r->tid,
                                              .count = 1,
                                              .t_first = r->t_start,
                                              .t_last = r->t_start,
                                              .first = *r};
}

void pt_check_eagain_observe(struct pt_check *c, struct pt_image *img, const struct pt_record *r) {
    if (c->eagain == NULL)
        return;
    int again = r->state == PT_DONE && r->result == -EAGAIN && pt_event_moves_data(r->type);
    if (again) {
        eagain(c, img, r);
        return;
    }
    if (pt_event_info(r->type)->flags & PT_EVF_META)
        return; /* a note of the recorder, not a call */
    struct pt_check_eagain *st = &c->eagain[img->index];
    int wait = waited(r);
    for (size_t i = st->nruns; i-- > 0;)
        if (st->runs[i].tid == r->tid && (wait || st->runs[i].fd == r->fd))
            close_run(c, img->index, i); /* a wait, or the call went through */
}

static void report(struct pt_check *c, const struct spin_total *t) {
    const struct pt_image *img = &c->model->images[t->image];
    struct pt_problem *p = pt_problem_add(
        c->out, "eagain-spin",
        "Wait for the fd to become ready (poll, select or epoll) before retrying a non-blocking "
        "call, or use a blocking fd.");
    p->severity = PT_SEV_WARNING; /* CPU burnt, nothing lost */
    pt_problem_about(p, img->pid, &t->first);
    char runs[128] = "";
    if (t->runs > 1)
        snprintf(runs, sizeof runs,
                 " (in %" PRIu64 " stretches; the longest %" PRIu64 " EAGAINs in %.1f ms)", t->runs,
                 t->longest_count, (double)t->longest_ns / 1e6);
    pt_problem_message(p,
                       "pid %" PRId32 " (%s) retried %s on non-blocking fd %d with no wait in "
                       "between (a busy loop): %" PRIu64 " EAGAINs in %.1f ms%s",
                       img->pid, pt_short_exe(img), pt_event_name(t->first.type), t->fd, t->eagains,
                       (double)t->busy_ns / 1e6, runs);
}

void pt_check_eagain_finish(struct pt_check *c) {
    if (c->eagain == NULL)
        return;
    for (size_t i = 0; i < c->model->nfiles; i++)
        while (c->eagain[i].nruns > 0)
            close_run(c, i, c->eagain[i].nruns - 1);
    /* The totals live in each image's state, in the order they were found. */
    for (size_t i = 0; i < c->model->nfiles; i++)
        for (size_t j = 0; j < c->eagain[i].ntotals; j++)
            report(c, &c->eagain[i].totals[j]);
}

int pt_check_eagain_attach(struct pt_check *c) {
    c->eagain = pt_xcalloc(c->model->nfiles ? c->model->nfiles : 1, sizeof *c->eagain);
    return 0;
}

void pt_check_eagain_free(struct pt_check *c) {
    for (size_t i = 0; c->eagain != NULL && i < c->model->nfiles; i++) {
        free(c->eagain[i].runs);
        free(c->eagain[i].totals);
    }
    free(c->eagain);
    c->eagain = NULL;
}
