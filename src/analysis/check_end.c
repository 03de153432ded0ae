/* The detectors that judge the state the trace ended in: the wait-for
 * graph's (blocked-read, pipe-deadlock, wait-deadlock: waitfor_report.c),
 * a read that saw EOF only when a holder was killed; then epipe
 * (check_epipe.c) and leaked-fd (check_leaked.c). */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "trace/events.h"
#include "trace/names.h"

/* Held when a blocked call began and never given up by a close: the
 * holder kept it until it died or the trace ended.  (The order in which
 * processes killed together died is not recorded, so a hold that ended
 * with its process counts as held to the end.) */
static int held_since(const struct pt_holder *h, uint64_t t) {
    return h->t_from <= t && (h->t_to == 0 || h->gone_with_process || h->t_to >= t);
}

/* --- blocked-read ------------------------------------------------------------ */

/* Appends "pid P (exe) fd N: how it got it" for each holder of the write end. */
static size_t describe_writers(struct pt_check *c, struct pt_problem *p, const struct pt_pipe *pp,
                               uint64_t t, char *buf, size_t len) {
    size_t used = 0, n = 0;
    for (size_t i = 0; i < pp->nholders && used < len; i++) {
        const struct pt_holder *h = &pp->holders[i];
        if (!h->write_end || h->ghost_pid || !held_since(h, t))
            continue;
        const struct pt_image *img = &c->model->images[h->image];
        char how[1024];
        pt_origin_describe(c->model, h->origin, how, sizeof how);
        int k = snprintf(buf + used, len - used, "%spid %" PRId32 " (%s) fd %d: %s", n ? "; " : "",
                         img->pid, pt_short_exe(img), h->fd, how);
        if (k > 0)
            used += (size_t)k < len - used ? (size_t)k : len - used - 1;
        pt_problem_pid(p, img->pid);
        pt_problem_fd(p, h->fd);
        n++;
    }
    return n;
}

/* A holder that was stuck in a call when the trace ended (or died of a
 * signal) never closed the end: it was killed holding it. */
static int killed_holding(const struct pt_model *m, const struct pt_holder *h, uint64_t t,
                          uint64_t t_eof) {
    const struct pt_image *img = &m->images[h->image];
    if (!h->write_end || h->ghost_pid || h->t_from > t || (h->t_to != 0 && !h->gone_with_process))
        return 0;
    /* Dead (its parent's wait said so) before the read began: the read met
     * EOF at once, as a drain after a kill does. */
    if (h->t_to != 0 && h->t_to < t)
        return 0;
    /* Sent a signal before the read began: the reader drained a pipe
     * whose writer was being killed on purpose, it did not hang. */
    if (pt_model_signalled_before(m, img->pid, t))
        return 0;
    if (img->end == PT_END_SIGNAL)
        return 1;
    for (size_t i = 0; img->end == PT_END_NONE && i < img->npending; i++)
        if (img->pending[i].rec.t_start <= t_eof)
            return 1;
    return 0;
}

/* A read that blocked until the process holding the write end was killed,
 * and only then saw EOF: the same hung pipeline, seen when the killing
 * signal reached the holder before the reader. */
static void blocked_until_killed(struct pt_check *c, const struct pt_pipe *pp) {
    size_t ri;
    const struct pt_record *r = pt_check_eof_read(c, pp, &ri);
    if (r == NULL)
        return;
    struct pt_image *img = &c->model->images[ri];
    const struct pt_holder *killed = NULL;
    for (size_t i = 0; i < pp->nholders && killed == NULL; i++)
        if (pp->holders[i].image != ri &&
            killed_holding(c->model, &pp->holders[i], r->t_start, r->t_end))
            killed = &pp->holders[i];
    if (killed == NULL)
        return;
    struct pt_problem *p = pt_problem_add(
        c->out, "blocked-read",
        "Close the write end in every process that does not write to the pipe (the parent "
        "after fork, the child before exec, or create it with O_CLOEXEC), so the reader "
        "sees EOF.");
    if (p == NULL)
        return;
    p->severity = PT_SEV_ERROR; /* the reader hung until the kill */
    char holders[4096];
    pt_problem_pid(p, img->pid);
    pt_problem_fd(p, r->fd);
    describe_writers(c, p, pp, r->t_start, holders, sizeof holders);
    p->object_kind = pp->kind;
    p->object = pp->obj;
    pt_problem_evidence(p, img->pid, r);
    pt_problem_message(p,
                       "pid %" PRId32 " (%s) was blocked reading fd %d (%s:[%" PRIu64 "]) for "
                       "%.3f s and saw EOF only when pid %" PRId32 " was killed; the write end "
                       "was held by %s",
                       img->pid, pt_short_exe(img), r->fd, pt_obj_kind_name(pp->kind), pp->obj.ino,
                       (double)(r->t_end - r->t_start) / 1e9, c->model->images[killed->image].pid,
                       holders);
}

void pt_check_end_detectors(struct pt_check *c) {
    struct pt_model *m = c->model;
    pt_waitfor_report(c);
    for (size_t i = 0; i < m->nfiles; i++) {
        struct pt_image *img = &m->images[i];
        for (size_t j = 0; j < img->npending; j++) {
            const struct pt_record *r = &img->pending[j].rec;
            int on_pipe = r->obj_kind == PT_OBJ_PIPE || r->obj_kind == PT_OBJ_FIFO;
            if (on_pipe && pt_event_writes(r->type) && img->end == PT_END_SIGNAL &&
                img->exit_signal == SIGPIPE)
                pt_check_epipe_killed(c, img, r);
        }
    }
    for (size_t i = 0; i < m->npipes; i++)
        blocked_until_killed(c, m->pipes[i]);
    pt_check_epipes(c);
    pt_check_leaked(c);
}
