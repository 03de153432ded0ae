/* The detectors that watch calls as they stream by: ebadf, eagain-spin
 * (and the non-blocking read that ran before the writer), interleaved-write
 * and failed writes with EPIPE. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "trace/events.h"
#include "trace/names.h"

/* Three EAGAINs in a row less than a millisecond apart: a loop that waits
 * (poll, select, a sleep) takes longer between tries or succeeds on its
 * first try after the wait. */

struct pt_check_image {
    int spin_fd; /* the fd of the current EAGAIN run */
    unsigned spin_count;
    uint64_t spin_last;
    int spin_reported_fd; /* one report per fd run */
    uint64_t stderr_t;    /* the last write to fd 2 that wrote bytes, or 0 */
};

struct pt_check_pipe {
    int32_t big_writer; /* first pid with a write > PIPE_BUF, or 0 */
    int interleave_reported;
    int32_t early_reader; /* an EAGAIN read before any byte was written */
    int early_fd;
    struct pt_record early_rec; /* copies: the files may be unmapped later */
    int race_reported;
    size_t eof_image;         /* a read that returned EOF, or PT_NO_IMAGE */
    struct pt_record eof_rec; /* valid when eof_image is set */
};

static struct pt_check_pipe *pipe_state(struct pt_check *c, const struct pt_pipe *p) {
    if (p->id > c->npipes) {
        size_t n = p->id + 16;
        struct pt_check_pipe *v = realloc(c->pipes, n * sizeof *v);
        if (v == NULL) {
            c->oom = 1;
            return NULL;
        }
        memset(v + c->npipes, 0, (n - c->npipes) * sizeof *v);
        for (size_t i = c->npipes; i < n; i++)
            v[i].eof_image = PT_NO_IMAGE;
        c->pipes = v;
        c->npipes = n;
    }
    return &c->pipes[p->id - 1];
}

/* --- eagain-spin ------------------------------------------------------------ */

static void spin(struct pt_check *c, struct pt_image *img, struct pt_check_image *ci,
                 const struct pt_record *r) {
    int again = r->state == PT_DONE && r->result == -EAGAIN;
    if (!again) {
        if (r->fd == ci->spin_fd && r->state == PT_DONE)
            ci->spin_count = 0;
        return;
    }
    if (r->fd != ci->spin_fd || r->t_start - ci->spin_last > PT_SPIN_MAX_GAP_NS)
        ci->spin_count = 0;
    if (r->fd != ci->spin_fd)
        ci->spin_reported_fd = -1;
    ci->spin_fd = r->fd;
    ci->spin_last = r->t_start;
    if (++ci->spin_count != PT_SPIN_MIN_EAGAIN || ci->spin_reported_fd == r->fd)
        return;
    ci->spin_reported_fd = r->fd;
    struct pt_problem *p = pt_problem_add(
        c->out, "eagain-spin",
        "Wait for the fd to become ready (poll or select) before retrying a non-blocking "
        "call, or use a blocking fd.");
    if (p == NULL)
        return;
    p->severity = PT_SEV_WARNING; /* CPU burnt, nothing lost */
    pt_problem_about(p, img->pid, r);
    pt_problem_message(p,
                       "pid %" PRId32 " (%s) retried %s on non-blocking fd %d %u times in a row "
                       "with EAGAIN and no wait in between (busy loop)",
                       img->pid, pt_short_exe(img), pt_event_name(r->type), r->fd, ci->spin_count);
}

/* A non-blocking read that found nothing because the writer had not
 * written yet: reported when the writer's first bytes arrive. */
static void read_before_write(struct pt_check *c, struct pt_image *img, const struct pt_record *r) {
    if (r->obj_kind != PT_OBJ_PIPE && r->obj_kind != PT_OBJ_FIFO)
        return;
    struct pt_pipe *pp = pt_model_pipe(c->model, pt_objkey_of(r));
    struct pt_check_pipe *cp = pp ? pipe_state(c, pp) : NULL;
    if (cp == NULL)
        return;
    if (pt_event_reads(r->type) && r->state == PT_DONE && r->result == -EAGAIN &&
        pp->bytes_written == 0 && cp->early_reader == 0) {
        cp->early_reader = img->pid;
        cp->early_fd = r->fd;
        cp->early_rec = *r;
        return;
    }
    if (!pt_event_writes(r->type) || r->state != PT_DONE || r->result <= 0 ||
        cp->early_reader == 0 || cp->early_reader == img->pid || cp->race_reported)
        return;
    cp->race_reported = 1;
    struct pt_problem *p = pt_problem_add(
        c->out, "eagain-spin",
        "Make the reader wait until the pipe is readable (poll/select) or use a blocking "
        "read; do not assume the writer runs first after fork.");
    if (p == NULL)
        return;
    p->severity = PT_SEV_WARNING;
    pt_problem_pid(p, cp->early_reader);
    pt_problem_pid(p, img->pid);
    pt_problem_fd(p, cp->early_fd);
    pt_problem_fd(p, r->fd);
    p->object_kind = r->obj_kind;
    p->object = pt_objkey_of(r);
    pt_problem_evidence(p, cp->early_reader, &cp->early_rec);
    pt_problem_evidence(p, img->pid, r);
    pt_problem_message(p,
                       "pid %" PRId32 " read non-blocking fd %d of pipe:[%" PRIu64 "] before "
                       "pid %" PRId32 " (%s) wrote to it: the read found the pipe empty (EAGAIN) "
                       "%.6f s before the first write (a race between reader and writer)",
                       cp->early_reader, cp->early_fd, r->obj_ino, img->pid, pt_short_exe(img),
                       (double)(r->t_start - cp->early_rec.t_start) / 1e9);
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

static void interleave(struct pt_check *c, struct pt_image *img, const struct pt_record *r) {
    if (!pt_event_writes(r->type) || r->arg <= PT_PIPE_BUF ||
        (r->obj_kind != PT_OBJ_PIPE && r->obj_kind != PT_OBJ_FIFO))
        return;
    struct pt_pipe *pp = pt_model_pipe(c->model, pt_objkey_of(r));
    struct pt_check_pipe *cp = pp ? pipe_state(c, pp) : NULL;
    if (cp == NULL || cp->interleave_reported)
        return;
    if (cp->big_writer == 0 || cp->big_writer == img->pid) {
        cp->big_writer = img->pid;
        return;
    }
    cp->interleave_reported = 1;
    struct pt_problem *p = pt_problem_add(
        c->out, "interleaved-write",
        "Write at most PIPE_BUF (4096) bytes per call when several processes share a pipe, "
        "or give each writer its own pipe.");
    if (p == NULL)
        return;
    pt_problem_pid(p, cp->big_writer);
    pt_problem_about(p, img->pid, r);
    pt_problem_message(p,
                       "pids %" PRId32 " and %" PRId32 " both write more than PIPE_BUF (4096) "
                       "bytes per call to pipe:[%" PRIu64 "] (%" PRIu64 " bytes here): the kernel "
                       "may interleave their data",
                       cp->big_writer, img->pid, r->obj_ino, r->arg);
}

static void observe(void *ctx, struct pt_model *m, const struct pt_merged *ev,
                    struct pt_image *img) {
    struct pt_check *c = ctx;
    (void)m;
    const struct pt_record *r = ev->ev.rec;
    struct pt_check_image *ci = &c->images[img->index];
    int io = pt_event_moves_data(r->type);
    pt_check_ebadf_observe(c, img, r);
    if (io) {
        spin(c, img, ci, r);
        read_before_write(c, img, r);
        interleave(c, img, r);
        eof_read(c, img, r);
    }
    if (pt_event_writes(r->type) && r->state == PT_DONE && r->result == -EPIPE)
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
    if (c->images == NULL || pt_check_ebadf_attach(c) < 0) {
        free(c->images);
        return -1;
    }
    for (size_t i = 0; i < m->nfiles; i++)
        c->images[i].spin_fd = c->images[i].spin_reported_fd = -1;
    m->observer = observe;
    m->observer_ctx = c;
    return 0;
}

void pt_check_finish(struct pt_check *c) {
    pt_check_end_detectors(c);
}

void pt_check_free(struct pt_check *c) {
    pt_check_ebadf_free(c);
    free(c->images);
    free(c->pipes);
    free(c->epipes);
    memset(c, 0, sizeof *c);
}
