/* ebadf: calls that met a closed fd, told apart by what they risk.
 *
 * Harmless, not reported: a close of an fd that is not open (bash closes
 * some pipe ends twice; nothing reused the number in between, or the close
 * would have succeeded), and fcntl or dup on an fd that is not open (node
 * sets FD_CLOEXEC on fds 3-16 at start and ignores the EBADF; F_GETFD is
 * how programs ask whether an fd is open).
 *
 * Dangerous, reported as errors: a read or write that met a closed fd,
 * or the wrong end of a pipe.  The call only shows the symptom; the cause
 * is often a close that hit the number after something else had reused it
 * (a double close across threads, a file object that outlived the fd under
 * it), which closed another part of the program's fd.  So each successful
 * close is remembered with what it closed, and whether that object had
 * taken the number after an earlier close of it: the error then names the
 * stale close, the object it closed and the earlier close. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "trace/events.h"
#include "trace/names.h"
#include "trace/xalloc.h"

/* The latest successful close of one fd number, and what it closed. */
struct closed_fd {
    int fd;
    int32_t tid;
    struct pt_evidence ev; /* the close */
    uint8_t kind;          /* the object it closed */
    struct pt_objkey obj;
    int reused;         /* that object had taken the number after an earlier close */
    int used_here;      /* and had moved bytes through it before the close: its
                           own user closed it (not a stale close) */
    int32_t opener_tid; /* the thread that made that object here (0 unknown) */
    int32_t earlier_tid;
    struct pt_evidence earlier; /* that earlier close, when reused */
};

/* Per image, one entry per fd number closed (few: numbers are reused),
 * and when each fd number last moved bytes (indexed by fd). */
struct pt_check_ebadf {
    struct closed_fd *v;
    size_t len, cap;
    uint64_t *last_io;
    size_t nlast_io, cap_last_io;
};

#define MAX_IO_FD 65536 /* fds above are rare; their I/O is not followed */

static void note_io(struct pt_check_ebadf *st, const struct pt_record *r) {
    if (r->fd >= MAX_IO_FD)
        return;
    size_t fd = (size_t)r->fd;
    if (fd >= st->nlast_io) {
        PT_GROW(st->last_io, fd + 1, st->cap_last_io);
        memset(st->last_io + st->nlast_io, 0, (fd + 1 - st->nlast_io) * sizeof *st->last_io);
        st->nlast_io = fd + 1;
    }
    st->last_io[fd] = r->t_start;
}

/* Whether bytes moved through fd at or after time t. */
static int io_since(const struct pt_check_ebadf *st, int fd, uint64_t t) {
    return (size_t)fd < st->nlast_io && st->last_io[fd] != 0 && st->last_io[fd] >= t;
}

static struct closed_fd *find_closed(const struct pt_check_ebadf *st, int fd) {
    for (size_t i = 0; i < st->len; i++)
        if (st->v[i].fd == fd)
            return &st->v[i];
    return NULL;
}

static struct closed_fd *slot_for(struct pt_check_ebadf *st, int fd) {
    struct closed_fd *slot = find_closed(st, fd);
    if (slot != NULL)
        return slot;
    PT_GROW(st->v, st->len + 1, st->cap);
    slot = &st->v[st->len++];
    memset(slot, 0, sizeof *slot);
    slot->fd = fd;
    return slot;
}

static struct pt_evidence evidence_of(int32_t pid, const struct pt_record *r) {
    return (struct pt_evidence){.pid = pid,
                                .call = r->type,
                                .fd = r->fd,
                                .t = r->t_start,
                                .result = r->result,
                                .unfinished = r->state != PT_DONE};
}

/* Before the model applies a successful close: what it closes, and
 * whether that object had reused a number an earlier close freed. */
static void remember_close(struct pt_check_ebadf *st, const struct pt_image *img,
                           const struct pt_record *r) {
    const struct pt_fdent *e = pt_fdtable_find(&img->fds, r->fd);
    struct closed_fd *slot = slot_for(st, r->fd);
    struct closed_fd prev = *slot;
    int had_earlier = prev.ev.t != 0;
    *slot = (struct closed_fd){.fd = r->fd, .tid = r->tid, .ev = evidence_of(img->pid, r)};
    if (e == NULL)
        return;
    slot->kind = e->kind;
    slot->obj = e->obj;
    if (had_earlier && prev.ev.t <= e->t_open) {
        slot->reused = 1;
        slot->used_here = io_since(st, r->fd, e->t_open);
        slot->opener_tid = e->origin != NULL && e->origin->image == img->index ? e->origin->tid : 0;
        slot->earlier_tid = prev.tid;
        slot->earlier = prev.ev;
    }
}

static const char fix_io[] =
    "Keep track of which fds are open: close each fd exactly once and forget it (set it to -1) "
    "when it is closed, so that a later close cannot hit a number reused by someone else; read "
    "only from read ends.";

static const char *call_name(const struct pt_record *r) {
    return pt_event_name(r->type) ? pt_event_name(r->type) : "call";
}

/* The I/O met the wrong end of a pipe that is open. */
static int wrong_end(struct pt_problem *p, const struct pt_image *img, const struct pt_record *r) {
    const struct pt_fdent *e = pt_fdtable_find(&img->fds, r->fd);
    int reads = pt_event_reads(r->type), writes = pt_event_writes(r->type);
    if (e == NULL || !((reads && (e->flags & PT_FDF_WRONLY) && !(e->flags & PT_FDF_RDONLY)) ||
                       (writes && (e->flags & PT_FDF_RDONLY) && !(e->flags & PT_FDF_WRONLY))))
        return 0;
    p->object_kind = e->kind;
    p->object = e->obj;
    pt_problem_message(p, "pid %" PRId32 " (%s) called %s on fd %d, the %s end of %s:[%" PRIu64 "]",
                       img->pid, pt_short_exe(img), call_name(r), r->fd, reads ? "write" : "read",
                       pt_obj_kind_name(e->kind), e->obj.ino);
    return 1;
}

/* A double close shows when one thread closed the number twice and
 * another thread made the object the second close hit in between: an
 * error.  In one thread the same calls are also a program that closed its
 * own fd on purpose and then used a stale handle, and learnt so from the
 * EBADF (CPython's test_subprocess does it to test its error paths): a
 * warning, whose message says what the trace shows and no more. */
static int double_close(const struct closed_fd *c) {
    return c->tid == c->earlier_tid && c->opener_tid != 0 && c->opener_tid != c->tid;
}

/* The I/O met a number a close had freed: a stale close when the object
 * closed had itself reused the number. */
static void after_close(struct pt_problem *p, const struct pt_image *img, const struct pt_record *r,
                        const struct closed_fd *c) {
    double ago = r->t_start >= c->ev.t ? (double)(r->t_start - c->ev.t) / 1e9 : 0.0;
    if (c->obj.ino != 0) {
        p->object_kind = c->kind;
        p->object = c->obj;
    }
    pt_problem_add_evidence(p, &c->ev);
    if (!c->reused || c->used_here) {
        /* The process closed its own fd and used it again: the call failed
         * and touched nothing else (nothing had reused the number). */
        p->severity = PT_SEV_WARNING;
        pt_problem_message(p,
                           "pid %" PRId32 " (%s) called %s on fd %d (thread %" PRId32 "), which "
                           "it had closed %.6f s earlier (thread %" PRId32 "): a handle used "
                           "after its fd was closed",
                           img->pid, pt_short_exe(img), call_name(r), r->fd, r->tid, ago, c->tid);
        return;
    }
    pt_problem_add_evidence(p, &c->earlier);
    p->severity = double_close(c) ? PT_SEV_ERROR : PT_SEV_WARNING;
    if (double_close(c)) {
        pt_problem_message(p,
                           "pid %" PRId32 " (%s) called %s on fd %d (thread %" PRId32
                           "), which a double close "
                           "had closed %.6f s earlier: fd %d was closed (thread %" PRId32
                           "), reused for %s:[%" PRIu64 "] by thread %" PRId32
                           ", and closed again (thread %" PRId32 "), which closed the new %s",
                           img->pid, pt_short_exe(img), call_name(r), r->fd, r->tid, ago, r->fd,
                           c->earlier_tid, pt_obj_kind_name(c->kind), c->obj.ino, c->opener_tid,
                           c->tid, pt_obj_kind_name(c->kind));
        return;
    }
    pt_problem_message(p,
                       "pid %" PRId32 " (%s) called %s on fd %d (thread %" PRId32
                       "), closed %.6f s "
                       "earlier (thread %" PRId32 "); that close hit %s:[%" PRIu64 "], which had "
                       "taken fd %d after an earlier close of it (thread %" PRId32 "): whatever "
                       "still used fd %d held a stale copy of the number",
                       img->pid, pt_short_exe(img), call_name(r), r->fd, r->tid, ago, c->tid,
                       pt_obj_kind_name(c->kind), c->obj.ino, r->fd, c->earlier_tid, r->fd);
}

static void io_on_bad_fd(struct pt_check *c, struct pt_image *img, const struct pt_record *r) {
    struct pt_problem *p = pt_problem_add(c->out, "ebadf", fix_io);
    if (p == NULL)
        return;
    pt_problem_pid(p, img->pid);
    pt_problem_fd(p, r->fd);
    pt_problem_evidence(p, img->pid, r);
    if (wrong_end(p, img, r))
        return;
    const struct closed_fd *closed = find_closed(&c->ebadf[img->index], r->fd);
    if (closed != NULL)
        after_close(p, img, r, closed);
    else
        pt_problem_message(p, "pid %" PRId32 " (%s) called %s on fd %d, which was never open",
                           img->pid, pt_short_exe(img), call_name(r), r->fd);
}

void pt_check_ebadf_observe(struct pt_check *c, struct pt_image *img, const struct pt_record *r) {
    if (c->ebadf == NULL || r->state != PT_DONE || r->fd < 0)
        return;
    unsigned cls = pt_event_info(r->type)->cls;
    if (pt_event_moves_data(r->type) && r->result >= 0)
        note_io(&c->ebadf[img->index], r);
    if (cls == PT_CLASS_CLOSE && r->result == 0)
        remember_close(&c->ebadf[img->index], img, r);
    else if (r->result == -EBADF && pt_event_moves_data(r->type))
        io_on_bad_fd(c, img, r);
    /* close, dup and fcntl with EBADF: harmless (see the top). */
}

int pt_check_ebadf_attach(struct pt_check *c) {
    c->ebadf = calloc(c->model->nfiles ? c->model->nfiles : 1, sizeof *c->ebadf);
    return c->ebadf != NULL ? 0 : -1;
}

void pt_check_ebadf_free(struct pt_check *c) {
    for (size_t i = 0; c->ebadf != NULL && i < c->model->nfiles; i++) {
        free(c->ebadf[i].v);
        free(c->ebadf[i].last_io);
    }
    free(c->ebadf);
    c->ebadf = NULL;
}
