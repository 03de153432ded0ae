/* Opening and closing fds in an image's table, keeping the holders of
 * each pipe end in step with the tables. */
#include <stdlib.h>

#include "model_impl.h"
#include "trace/xalloc.h"

static int is_pipe_kind(uint8_t kind) {
    return kind == PT_OBJ_PIPE || kind == PT_OBJ_FIFO;
}

/* e as a holder of the pipe (or socket channel) key, of the ends given. */
static size_t add_holder(struct pt_model *m, struct pt_image *img, struct pt_fdent *e,
                         struct pt_objkey key, int read_end, int write_end) {
    struct pt_pipe *p = pt_pipe_get(m, key, e->kind);
    if (p == NULL)
        return PT_NO_IMAGE;
    PT_GROW(p->holders, p->nholders + 1, p->cap_holders);
    p->holders[p->nholders] = (struct pt_holder){
        .image = img->index,
        .fd = e->fd,
        .read_end = read_end,
        .write_end = write_end,
        .t_from = e->t_open,
        .origin = e->origin,
    };
    return p->nholders++;
}

/* A pipe end's fd holds one pipe; an fd with unknown access could be
 * either end.  A socket end's holds two channels (sockpeer.h): it sends on
 * the one named by its own end and receives on the one named by its peer. */
static void add_holders(struct pt_model *m, struct pt_image *img, struct pt_fdent *e) {
    struct pt_objkey peer;
    if (is_pipe_kind(e->kind)) {
        int known = e->flags & (PT_FDF_RDONLY | PT_FDF_WRONLY);
        e->holder = add_holder(m, img, e, e->obj, !known || (e->flags & PT_FDF_RDONLY),
                               !known || (e->flags & PT_FDF_WRONLY));
    } else if (e->kind == PT_OBJ_SOCKET && pt_sockpeers_find(&m->peers, e->obj, &peer)) {
        e->holder = add_holder(m, img, e, e->obj, 0, 1);
        e->holder_in = add_holder(m, img, e, peer, 1, 0);
    }
}

struct pt_fdent *pt_fd_open(struct pt_model *m, struct pt_image *img, int fd, uint8_t kind,
                            struct pt_objkey obj, uint8_t flags, struct pt_origin *origin,
                            uint64_t t) {
    if (fd < 0)
        return NULL;
    pt_fd_close(m, img, fd, t);
    struct pt_fdent *e = pt_fdtable_put(&img->fds, fd);
    e->kind = kind;
    e->obj = obj;
    e->flags = flags & (PT_FDF_RDONLY | PT_FDF_WRONLY | PT_FDF_NONBLOCK | PT_FDF_CLOEXEC);
    e->origin = origin;
    e->t_open = t;
    e->holder = PT_NO_IMAGE;
    e->holder_in = PT_NO_IMAGE;
    if (obj.ino != 0)
        add_holders(m, img, e);
    return e;
}

static void end_holding(struct pt_model *m, struct pt_objkey key, size_t holder, uint64_t t) {
    struct pt_pipe *p = holder != PT_NO_IMAGE ? pt_model_pipe(m, key) : NULL;
    if (p != NULL && holder < p->nholders) {
        p->holders[holder].t_to = t ? t : 1;
        p->holders[holder].gone_with_process = m->ending;
    }
}

void pt_fd_close(struct pt_model *m, struct pt_image *img, int fd, uint64_t t) {
    struct pt_fdent *e = pt_fdtable_find(&img->fds, fd);
    if (e == NULL)
        return;
    end_holding(m, e->obj, e->holder, t);
    struct pt_objkey peer;
    if (e->holder_in != PT_NO_IMAGE && pt_sockpeers_find(&m->peers, e->obj, &peer))
        end_holding(m, peer, e->holder_in, t);
    pt_fdtable_remove(&img->fds, fd);
}

struct pt_fdent *pt_fd_seen(struct pt_model *m, struct pt_image *img, const struct pt_record *r) {
    if (r->fd < 0)
        return NULL;
    struct pt_fdent *e = pt_fdtable_find(&img->fds, r->fd);
    /* A record about an fd that was not open says nothing new; one whose
     * object differs from ours means the table missed a close and an open
     * (of a file, say, which is not recorded). */
    if (r->obj_kind == PT_OBJ_UNKNOWN || r->obj_ino == 0)
        return e;
    if (e != NULL && pt_objkey_eq(e->obj, pt_objkey_of(r)))
        return e;
    struct pt_origin *o = pt_origin_new(m, PT_ORIGIN_UNKNOWN, img, r->fd, r->t_start, NULL);
    uint8_t flags = (r->fd_flags & PT_FDF_KNOWN) ? r->fd_flags : 0;
    return pt_fd_open(m, img, r->fd, r->obj_kind, pt_objkey_of(r), flags, o, r->t_start);
}

void pt_fd_inherit(struct pt_model *m, struct pt_image *img, const struct pt_fdtable *src,
                   enum pt_origin_how how, int32_t from_pid, uint64_t t) {
    int exec_like = how == PT_ORIGIN_EXEC || how == PT_ORIGIN_SPAWN;
    for (size_t i = 0; i < src->len; i++) {
        const struct pt_fdent *s = &src->v[i];
        if (exec_like && (s->flags & PT_FDF_CLOEXEC))
            continue;
        struct pt_origin *o = pt_origin_new(m, how, img, s->fd, t, s->origin);
        if (o != NULL)
            o->from_pid = from_pid;
        struct pt_fdent *e = pt_fd_open(m, img, s->fd, s->kind, s->obj, s->flags, o, t);
        if (e != NULL)
            e->inherited = 1;
    }
}
