/* The detectors that watch calls as they stream by, and what they share:
 * the non-blocking reader that gave up before the writer wrote,
 * interleaved-write, the reads that saw EOF, the writes to stderr; the
 * calls go on to ebadf (check_ebadf.c), eagain-spin (check_eagain.c) and
 * epipe (check_epipe.c). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "trace/events.h"
#include "trace/names.h"
#include "trace/xalloc.h"

struct pt_check_image {
    uint64_t stderr_t; /* the last write to fd 2 that wrote bytes, or 0 */
};

/* The latest write of one writer (a thread) on a pipe: a writer's calls
 * follow one another, so only its latest can still be going on. */
struct last_write {
    int32_t pid, tid;
    uint64_t t_start, t_end; /* t_end UINT64_MAX: it never returned */
    uint64_t asked;
    struct pt_evidence ev;
};

#define PT_WRITERS_KEPT 8

struct pt_check_pipe {
    struct last_write writers[PT_WRITERS_KEPT]; /* the latest writers */
    unsigned nwriters;
    int interleave_reported;
    int32_t early_reader; /* an EAGAIN read before any byte was written */
    int early_fd;
    struct pt_record early_rec; /* copies: the files may be unmapped later */
    int32_t first_writer;       /* whose first bytes came after it */
    struct pt_record first_write;
    int read_again;           /* the early reader read the pipe later: it waited */
    size_t eof_image;         /* a read that returned EOF, or PT_NO_IMAGE */
    struct pt_record eof_rec; /* valid when eof_image is set */
};

static void pipes_grow(struct pt_check *c, unsigned id) {
    size_t n = pt_grow_cap(c->npipes, id);
    c->pipes = pt_xreallocarray(c->pipes, n, sizeof *c->pipes);
    memset(c->pipes + c->npipes, 0, (n - c->npipes) * sizeof *c->pipes);
    for (size_t i = c->npipes; i < n; i++)
        c->pipes[i].eof_image = PT_NO_IMAGE;
    c->npipes = n;
}

/* Asked up to three times per event: the common case is inline. */
static inline struct pt_check_pipe *pipe_state(struct pt_check *c, const struct pt_pipe *p) {
    if (p->id > c->npipes)
        pipes_grow(c, p->id);
    return &c->pipes[p->id - 1];
}

/* --- the reader that gave up ---------------------------------------------------- */

/* A non-blocking read that found nothing because the writer had not
 * written yet.  Harmless when the reader came back (after a poll, say);
 * reported at the end when it never read the pipe again. */
static void read_before_write(struct pt_check *c, struct pt_image *img, const struct pt_record *r) {
    if (r->obj_kind != PT_OBJ_PIPE && r->obj_kind != PT_OBJ_FIFO)
        return;
    struct pt_pipe *pp = pt_model_pipe(c->model, pt_objkey_of(r));
    struct pt_check_pipe *cp = pp ? pipe_state(c, pp) : NULL;
    if (cp == NULL || r->state != PT_DONE)
        return;
    if (pt_event_reads(r->type) && r->result == -EAGAIN && pp->bytes_written == 0 &&
        cp->early_reader == 0) {
        cp->early_reader = img->pid;
        cp->early_fd = r->fd;
        cp->early_rec = *r;
    } else if (pt_event_reads(r->type) && r->result >= 0 && img->pid == cp->early_reader) {
        cp->read_again = 1;
    } else if (pt_event_writes(r->type) && r->result > 0 && cp->early_reader != 0 &&
               cp->early_reader != img->pid && cp->first_writer == 0) {
        cp->first_writer = img->pid;
        cp->first_write = *r;
    }
}

static void gave_up(struct pt_check *c, const struct pt_check_pipe *cp) {
    struct pt_problem *p = pt_problem_add(
        c->out, "eagain-spin",
        "Make the reader wait until the pipe is readable (poll/select) or use a blocking "
        "read; do not assume the writer runs first after fork.");
    p->severity = PT_SEV_WARNING;
    const struct pt_record *r = &cp->first_write;
    size_t wi = pt_model_image_of(c->model, cp->first_writer, r->t_start);
    size_t ri = pt_model_image_of(c->model, cp->early_reader, cp->early_rec.t_start);
    pt_problem_pid(p, cp->early_reader);
    pt_problem_pid(p, cp->first_writer);
    pt_problem_fd(p, cp->early_fd);
    pt_problem_fd(p, r->fd);
    p->object_kind = r->obj_kind;
    p->object = pt_objkey_of(r);
    pt_problem_evidence(p, cp->early_reader, &cp->early_rec);
    pt_problem_evidence(p, cp->first_writer, r);
    pt_problem_message(
        p,
        "pid %" PRId32 " (%s) read non-blocking fd %d of pipe:[%" PRIu64 "] "
        "%.6f s before pid %" PRId32 " (%s) first wrote to it, found it empty "
        "(EAGAIN) and never read it again: it gave up before the data came",
        cp->early_reader, ri != PT_NO_IMAGE ? pt_short_exe(&c->model->images[ri]) : "?",
        cp->early_fd, r->obj_ino, (double)(r->t_start - cp->early_rec.t_start) / 1e9,
        cp->first_writer, wi != PT_NO_IMAGE ? pt_short_exe(&c->model->images[wi]) : "?");
}

/* A read that saw EOF: blocked-read checks at the end whether the EOF came
 * only because a holder of the write end was killed. */
static void eof_read(struct pt_check *c, struct pt_image *img, const struct pt_record *r) {
    if (!pt_event_reads(r->type) || r->state != PT_DONE || r->result != 0 || r->arg == 0 ||
        (r->obj_kind != PT_OBJ_PIPE && r->obj_kind != PT_OBJ_FIFO))
        return;
    struct pt_pipe *pp = pt_model_pipe(c->model, pt_objkey_of(r));
    struct pt_check_pipe *cp = pp ? pipe_state(c, pp) : NULL;
    if (cp != NULL && cp->eof_image == PT_NO_IMAGE) {
        cp->eof_image = img->index;
        cp->eof_rec = *r;
    }
}

const struct pt_record *pt_check_eof_read(const struct pt_check *c, const struct pt_pipe *p,
                                          size_t *image) {
    if (p->id > c->npipes || c->pipes[p->id - 1].eof_image == PT_NO_IMAGE)
        return NULL;
    *image = c->pipes[p->id - 1].eof_image;
    return &c->pipes[p->id - 1].eof_rec;
}

/* --- interleaved-write ------------------------------------------------------ */

/* Writes larger than PIPE_BUF are not atomic: one that is going on while
 * another writer's write is can have the other's bytes inside it.  Writes
 * one after the other, however large, cannot. */

static int overlap(const struct last_write *a, const struct last_write *b) {
    return a->t_start < b->t_end && b->t_start < a->t_end;
}

static struct last_write *writer_slot(struct pt_check_pipe *cp, const struct pt_record *r,
                                      int32_t pid) {
    for (unsigned i = 0; i < cp->nwriters; i++)
        if (cp->writers[i].pid == pid && cp->writers[i].tid == r->tid)
            return &cp->writers[i];
    if (cp->nwriters < PT_WRITERS_KEPT)
        return &cp->writers[cp->nwriters++];
    /* Replace the writer whose latest write ended first. */
    struct last_write *oldest = &cp->writers[0];
    for (unsigned i = 1; i < cp->nwriters; i++)
        if (cp->writers[i].t_end < oldest->t_end)
            oldest = &cp->writers[i];
    return oldest;
}

static void report_interleave(struct pt_check *c, struct pt_image *img, const struct pt_record *r,
                              const struct last_write *w, const struct last_write *other) {
    struct pt_problem *p = pt_problem_add(
        c->out, "interleaved-write",
        "Write at most PIPE_BUF (4096) bytes per call when several writers share a pipe at "
        "the same time, give each writer its own pipe, or take turns (a lock).");
    pt_problem_pid(p, other->pid);
    pt_problem_about(p, img->pid, r);
    pt_problem_fd(p, other->ev.fd);
    pt_problem_add_evidence(p, &other->ev);
    const struct last_write *big = w->asked > PT_PIPE_BUF ? w : other;
    pt_problem_message(p,
                       "pid %" PRId32 " (%s) wrote %" PRIu64 " bytes to pipe:[%" PRIu64 "] "
                       "while pid %" PRId32 " was writing %" PRIu64 " bytes to it: the writes "
                       "overlapped in time and the one of %" PRIu64 " bytes (more than PIPE_BUF, "
                       "4096) is not atomic, so their data may be interleaved",
                       img->pid, pt_short_exe(img), w->asked, r->obj_ino, other->pid, other->asked,
                       big->asked);
}

static void interleave(struct pt_check *c, struct pt_image *img, const struct pt_record *r) {
    if (!pt_event_writes(r->type) || (r->obj_kind != PT_OBJ_PIPE && r->obj_kind != PT_OBJ_FIFO))
        return;
    struct pt_pipe *pp = pt_model_pipe(c->model, pt_objkey_of(r));
    struct pt_check_pipe *cp = pp ? pipe_state(c, pp) : NULL;
    if (cp == NULL || cp->interleave_reported)
        return;
    struct last_write w = {
        .pid = img->pid,
        .tid = r->tid,
        .t_start = r->t_start,
        .t_end = r->state == PT_DONE ? r->t_end : UINT64_MAX,
        .asked = r->arg,
        .ev = {.pid = img->pid,
               .call = r->type,
               .fd = r->fd,
               .t = r->t_start,
               .result = r->result,
               .unfinished = r->state != PT_DONE},
    };
    for (unsigned i = 0; i < cp->nwriters; i++) {
        const struct last_write *o = &cp->writers[i];
        if (o->pid == w.pid || !overlap(&w, o) ||
            (w.asked <= PT_PIPE_BUF && o->asked <= PT_PIPE_BUF))
            continue;
        cp->interleave_reported = 1;
        report_interleave(c, img, r, &w, o);
        return;
    }
    *writer_slot(cp, r, img->pid) = w;
}

static void observe(void *ctx, struct pt_model *m, const struct pt_merged *ev,
                    struct pt_image *img) {
    struct pt_check *c = ctx;
    (void)m;
    const struct pt_record *r = ev->ev.rec;
    struct pt_check_image *ci = &c->images[img->index];
    int io = pt_event_moves_data(r->type);
    pt_check_ebadf_observe(c, img, r);
    pt_check_eagain_observe(c, img, r);
    pt_check_lost_observe(c, img, r);
    pt_check_stolen_observe(c, img, r);
    pt_check_nonblock_observe(c, img, r);
    pt_check_eintr_observe(c, img, r);
    pt_check_split_observe(c, img, r);
    if (io) {
        read_before_write(c, img, r);
        interleave(c, img, r);
        eof_read(c, img, r);
    }
    /* An injected EPIPE is the trigger, not a reader that went away. */
    if (pt_event_writes(r->type) && r->state == PT_DONE && r->result == -EPIPE &&
        !pt_event_injected(r))
        pt_check_epipe_write(c, img, r);
    if (pt_event_writes(r->type) && r->fd == 2 && r->state == PT_DONE && r->result > 0)
        ci->stderr_t = r->t_start;
}

int pt_check_wrote_stderr_after(const struct pt_check *c, int32_t pid, uint64_t t) {
    for (size_t i = 0; i < c->model->nfiles; i++)
        if (c->model->images[i].pid == pid && c->images[i].stderr_t > t)
            return 1;
    return 0;
}

int pt_check_attach(struct pt_check *c, struct pt_model *m, struct pt_problems *out) {
    memset(c, 0, sizeof *c);
    c->model = m;
    c->out = out;
    c->images = calloc(m->nfiles ? m->nfiles : 1, sizeof *c->images);
    if (c->images == NULL || pt_check_ebadf_attach(c) < 0 || pt_check_eagain_attach(c) < 0 ||
        pt_check_lost_attach(c) < 0 || pt_check_stolen_attach(c) < 0 ||
        pt_check_nonblock_attach(c) < 0 || pt_check_eintr_attach(c) < 0 ||
        pt_check_split_attach(c) < 0) {
        pt_check_free(c);
        return -1;
    }
    m->observer = observe;
    m->observer_ctx = c;
    return 0;
}

void pt_check_finish(struct pt_check *c) {
    pt_check_eagain_finish(c);
    pt_check_lost_finish(c);
    pt_check_stolen_finish(c);
    pt_check_nonblock_finish(c);
    pt_check_eintr_finish(c);
    pt_check_split_finish(c);
    for (size_t i = 0; i < c->npipes; i++)
        if (c->pipes[i].first_writer != 0 && !c->pipes[i].read_again)
            gave_up(c, &c->pipes[i]);
    pt_check_end_detectors(c);
}

void pt_check_free(struct pt_check *c) {
    pt_check_ebadf_free(c);
    pt_check_eagain_free(c);
    pt_check_lost_free(c);
    pt_check_stolen_free(c);
    pt_check_nonblock_free(c);
    pt_check_eintr_free(c);
    pt_check_split_free(c);
    free(c->images);
    free(c->pipes);
    free(c->epipes);
    memset(c, 0, sizeof *c);
}
