/* The detectors that judge the state the trace ended in: blocked-read and
 * pipe-deadlock; then epipe (check_epipe.c) and leaked-fd
 * (check_leaked.c). */
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

static int holds_end(const struct pt_pipe *p, size_t image, int write_end, uint64_t t) {
    for (size_t i = 0; i < p->nholders; i++) {
        const struct pt_holder *h = &p->holders[i];
        if (h->image == image && held_since(h, t) && (write_end ? h->write_end : h->read_end))
            return 1;
    }
    return 0;
}

/* --- blocked-read ------------------------------------------------------------ */

/* Appends "pid P (exe) fd N: how it got it" for each holder of the write end. */
static size_t describe_writers(struct pt_check *c, struct pt_problem *p, const struct pt_pipe *pp,
                               uint64_t t, char *buf, size_t len) {
    size_t used = 0, n = 0;
    for (size_t i = 0; i < pp->nholders && used < len; i++) {
        const struct pt_holder *h = &pp->holders[i];
        if (!h->write_end || !held_since(h, t))
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

static void blocked_read(struct pt_check *c, struct pt_image *img, const struct pt_record *r) {
    struct pt_pipe *pp = pt_model_pipe(c->model, pt_objkey_of(r));
    if (pp == NULL)
        return;
    uint64_t t = r->t_start;
    char holders[4096];
    struct pt_problem *p = pt_problem_add(
        c->out, "blocked-read",
        "Close the write end in every process that does not write to the pipe (the parent "
        "after fork, the child before exec, or create it with O_CLOEXEC), so the reader "
        "sees EOF.");
    if (p == NULL)
        return;
    pt_problem_pid(p, img->pid);
    pt_problem_fd(p, r->fd);
    size_t n = describe_writers(c, p, pp, t, holders, sizeof holders);
    if (n == 0) {
        c->out->len--; /* nobody traced holds it: not this bug */
        return;
    }
    p->object_kind = pp->kind;
    p->object = pp->obj;
    pt_problem_evidence(p, img->pid, r);
    pt_problem_message(p,
                       "pid %" PRId32 " (%s) was blocked reading fd %d (%s:[%" PRIu64 "]) "
                       "when the trace ended%s, waiting for data or EOF; the write end was still "
                       "held by %s",
                       img->pid, pt_short_exe(img), r->fd, pt_obj_kind_name(pp->kind), pp->obj.ino,
                       pt_image_alive_at_end(img) ? "" : " (or it was killed)", holders);
}

/* A holder that was stuck in a call when the trace ended (or died of a
 * signal) never closed the end: it was killed holding it. */
static int killed_holding(const struct pt_model *m, const struct pt_holder *h, uint64_t t,
                          uint64_t t_eof) {
    const struct pt_image *img = &m->images[h->image];
    if (!h->write_end || h->t_from > t || (h->t_to != 0 && !h->gone_with_process))
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

/* --- pipe-deadlock ------------------------------------------------------------ */

struct blocked_write {
    struct pt_image *img;
    const struct pt_record *rec;
};

static void deadlock_pair(struct pt_check *c, const struct blocked_write *a,
                          const struct blocked_write *b) {
    struct pt_problem *p = pt_problem_add(
        c->out, "pipe-deadlock",
        "Do not write all of a child's input before reading its output: read and write "
        "concurrently (poll, a thread, or a temporary file).");
    if (p == NULL)
        return;
    pt_problem_pid(p, a->img->pid);
    pt_problem_pid(p, b->img->pid);
    pt_problem_fd(p, a->rec->fd);
    pt_problem_fd(p, b->rec->fd);
    p->object_kind = a->rec->obj_kind;
    p->object = pt_objkey_of(a->rec);
    pt_problem_evidence(p, a->img->pid, a->rec);
    pt_problem_evidence(p, b->img->pid, b->rec);
    pt_problem_message(p,
                       "pid %" PRId32 " (%s) is blocked writing fd %d (pipe:[%" PRIu64 "], full) "
                       "and pid %" PRId32 " (%s) is blocked writing fd %d (pipe:[%" PRIu64
                       "], full); "
                       "each holds the read end the other should drain",
                       a->img->pid, pt_short_exe(a->img), a->rec->fd, a->rec->obj_ino, b->img->pid,
                       pt_short_exe(b->img), b->rec->fd, b->rec->obj_ino);
}

static int drains(struct pt_check *c, const struct blocked_write *reader,
                  const struct blocked_write *writer) {
    struct pt_pipe *pp = pt_model_pipe(c->model, pt_objkey_of(writer->rec));
    return pp != NULL && holds_end(pp, reader->img->index, 0, reader->rec->t_start);
}

static void deadlocks(struct pt_check *c, struct blocked_write *w, size_t n) {
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (w[i].img != w[j].img &&
                !pt_objkey_eq(pt_objkey_of(w[i].rec), pt_objkey_of(w[j].rec)) &&
                drains(c, &w[i], &w[j]) && drains(c, &w[j], &w[i]))
                deadlock_pair(c, &w[i], &w[j]);
}

void pt_check_end_detectors(struct pt_check *c) {
    struct pt_model *m = c->model;
    struct blocked_write *writes = NULL;
    size_t nwrites = 0;
    for (size_t i = 0; i < m->nfiles; i++) {
        struct pt_image *img = &m->images[i];
        for (size_t j = 0; j < img->npending; j++) {
            const struct pt_record *r = &img->pending[j].rec;
            int on_pipe = r->obj_kind == PT_OBJ_PIPE || r->obj_kind == PT_OBJ_FIFO;
            if (on_pipe && pt_event_reads(r->type))
                blocked_read(c, img, r);
            if (on_pipe && pt_event_writes(r->type) && img->end == PT_END_SIGNAL &&
                img->exit_signal == SIGPIPE)
                pt_check_epipe_killed(c, img, r);
            else if (on_pipe && pt_event_writes(r->type)) {
                struct blocked_write *v = realloc(writes, (nwrites + 1) * sizeof *v);
                if (v == NULL)
                    break;
                writes = v;
                writes[nwrites++] = (struct blocked_write){img, r};
            }
        }
    }
    deadlocks(c, writes, nwrites);
    for (size_t i = 0; i < m->npipes; i++)
        blocked_until_killed(c, m->pipes[i]);
    free(writes);
    pt_check_epipes(c);
    pt_check_leaked(c);
}
