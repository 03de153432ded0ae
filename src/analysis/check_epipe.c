/* epipe: a write that met a pipe with no reader left (EPIPE, or death by
 * SIGPIPE), judged when the trace has ended. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "trace/events.h"
#include "trace/names.h"

/* The holder of a read end that went away last, at or before t. */
static const struct pt_holder *last_reader_gone(const struct pt_pipe *pp, uint64_t t) {
    const struct pt_holder *last = NULL;
    for (size_t i = 0; i < pp->nholders; i++) {
        const struct pt_holder *h = &pp->holders[i];
        if (h->read_end && h->t_to != 0 && h->t_to <= t && (last == NULL || h->t_to > last->t_to))
            last = h;
    }
    return last;
}

static void epipe(struct pt_check *c, struct pt_image *img, const struct pt_record *r,
                  int by_signal) {
    struct pt_problem *p = pt_problem_add(
        c->out, "epipe",
        "Keep the reader open until the writer is done, or handle EPIPE/SIGPIPE in the "
        "writer when an early exit of the reader is expected (e.g. head).");
    if (p == NULL)
        return;
    pt_problem_about(p, img->pid, r);
    char who[512] = "no traced process was seen closing it";
    struct pt_pipe *pp = pt_model_pipe(c->model, pt_objkey_of(r));
    const struct pt_holder *h = pp ? last_reader_gone(pp, r->t_start) : NULL;
    if (h != NULL) {
        const struct pt_image *ri = &c->model->images[h->image];
        int exited = ri->end == PT_END_EXIT || ri->end == PT_END_SIGNAL;
        snprintf(who, sizeof who,
                 "the last read end was fd %d of pid %" PRId32 " (%s), %s %.6f s earlier", h->fd,
                 ri->pid, pt_short_exe(ri),
                 exited && h->t_to >= ri->last_t ? "gone when it exited" : "closed",
                 (double)(r->t_start - h->t_to) / 1e9);
        pt_problem_pid(p, ri->pid);
    }
    pt_problem_message(p,
                       "pid %" PRId32 " (%s) %s writing fd %d (pipe:[%" PRIu64 "]) after every "
                       "read end was closed; %s",
                       img->pid, pt_short_exe(img),
                       by_signal ? "was killed by SIGPIPE" : "got EPIPE", r->fd, r->obj_ino, who);
}

void pt_check_epipe_write(struct pt_check *c, const struct pt_image *img,
                          const struct pt_record *r) {
    for (size_t i = 0; i < c->nepipes; i++)
        if (c->epipes[i].image == img->index &&
            pt_objkey_eq(pt_objkey_of(&c->epipes[i].rec), pt_objkey_of(r)))
            return;
    struct pt_check_epipe *v = realloc(c->epipes, (c->nepipes + 1) * sizeof *v);
    if (v == NULL) {
        c->oom = 1;
        return;
    }
    c->epipes = v;
    v[c->nepipes++] = (struct pt_check_epipe){img->index, *r};
}

void pt_check_epipe_killed(struct pt_check *c, struct pt_image *img, const struct pt_record *r) {
    epipe(c, img, r, 1);
}

void pt_check_epipes(struct pt_check *c) {
    for (size_t i = 0; i < c->nepipes; i++)
        epipe(c, &c->model->images[c->epipes[i].image], &c->epipes[i].rec, 0);
}
