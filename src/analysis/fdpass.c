/* fds passed over sockets (SCM_RIGHTS): a step in the fd's history.
 *
 * The sender's fdpass record names the fds it sent (its numbers) and what
 * each refers to; the receiver's names the new fds.  A received fd is
 * matched to the oldest fd in flight that names the same object, so the
 * chain runs across processes that share no fork: "created by pid A ...,
 * passed by pid A fd 5 over socket:[S] to pid B as fd 7".  The two notes
 * are written after their calls returned, by two processes: the receiver's
 * may come first in time, and then waits for its sender. */
#include <stdlib.h>
#include <string.h>

#include "model_impl.h"
#include "trace/payload.h"
#include "trace/xalloc.h"

/* The oldest entry in flight for obj on the given side, or npassing. */
static size_t find(const struct pt_model *m, struct pt_objkey obj, int received) {
    for (size_t i = 0; i < m->npassing; i++)
        if (m->passing[i].received == received && pt_objkey_eq(m->passing[i].obj, obj))
            return i;
    return m->npassing;
}

static void take(struct pt_model *m, size_t i) {
    memmove(&m->passing[i], &m->passing[i + 1], (m->npassing - i - 1) * sizeof *m->passing);
    m->npassing--;
}

static void push(struct pt_model *m, struct pt_passing p) {
    PT_GROW(m->passing, m->npassing + 1, m->cap_passing);
    m->passing[m->npassing++] = p;
}

/* The receiver's step, now that its sender is known. */
static void link_sender(struct pt_origin *o, const struct pt_passing *sent) {
    o->from_pid = sent->pid;
    o->from_fd = sent->fd;
    o->via_ino = sent->via_ino;
    o->prev = sent->origin;
}

static void sent(struct pt_model *m, struct pt_image *img, const struct pt_record *r,
                 const struct pt_fdpass_fd *e, struct pt_objkey obj) {
    struct pt_fdent *fe = pt_fdtable_find(&img->fds, e->fd);
    if (fe != NULL)
        fe->used = 1;
    struct pt_passing p = {.obj = obj,
                           .pid = img->pid,
                           .fd = e->fd,
                           .via_ino = r->obj_ino,
                           .origin = fe ? fe->origin : NULL};
    size_t waiting = find(m, obj, 1);
    if (waiting < m->npassing) {
        link_sender(m->passing[waiting].origin, &p);
        take(m, waiting);
        return;
    }
    push(m, p);
}

static void received(struct pt_model *m, struct pt_image *img, const struct pt_record *r,
                     const struct pt_fdpass_fd *e, struct pt_objkey obj) {
    struct pt_origin *o = pt_origin_new(m, PT_ORIGIN_PASSED, img, e->fd, r->t_start, NULL);
    o->call = r->type;
    o->via_ino = r->obj_ino;
    size_t i = find(m, obj, 0);
    if (i < m->npassing) {
        link_sender(o, &m->passing[i]);
        take(m, i);
    } else {
        push(m, (struct pt_passing){.obj = obj, .received = 1, .origin = o});
    }
    uint8_t flags = (e->fd_flags & PT_FDF_KNOWN) ? e->fd_flags : 0;
    pt_fd_open(m, img, e->fd, e->kind, obj, flags, o, r->t_start);
}

void pt_model_fdpass(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev) {
    const struct pt_record *r = ev->ev.rec;
    struct pt_fdpass_payload head;
    const uint8_t *fds;
    if (r->state != PT_DONE || !pt_payload_fdpass(&ev->ev, &head, &fds))
        return;
    for (size_t i = 0; i < head.stored; i++) {
        struct pt_fdpass_fd e;
        memcpy(&e, fds + i * sizeof e, sizeof e);
        struct pt_objkey obj = {e.ino, e.dev};
        if (e.fd < 0 || obj.ino == 0)
            continue;
        if (head.received)
            received(m, img, r, &e, obj);
        else
            sent(m, img, r, &e, obj);
    }
}
