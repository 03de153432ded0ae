/* Fork children that left no trace file and were never reaped: a
 * background `sleep` a shell started, a helper blocked in pause().  A
 * child of a traced image is preloaded, so one that made a traced call
 * would have a file: these made none, and exist only in their parent's
 * fork record.  They still hold what the fork gave them (what survives an
 * exec: they may have run another program), so every answer about who
 * held a pipe must see them: each becomes an untraced child of its parent
 * (reason PT_UNTRACED_SILENT) and a holder (ghost_pid) of every pipe end
 * and socket-pair end it holds. */
#include <stdlib.h>
#include <string.h>

#include "model_impl.h"
#include "trace/names.h"
#include "trace/xalloc.h"

static int reaped(const struct pt_model *m, int32_t pid, uint64_t t) {
    for (size_t i = 0; i < m->nwaits; i++)
        if (m->waits[i].pid == pid && m->waits[i].t >= t)
            return 1;
    return 0;
}

static int listed(const struct pt_image *parent, int32_t pid) {
    for (size_t i = 0; i < parent->nuntraced; i++)
        if (parent->untraced[i].pid == pid)
            return 1;
    return 0;
}

/* The path is the parent's, which the reader already holds. */
static void add_untraced(struct pt_image *parent, const struct pt_fork *f) {
    if (listed(parent, f->child_pid))
        return;
    parent->untraced =
        pt_xreallocarray(parent->untraced, parent->nuntraced + 1, sizeof *parent->untraced);
    parent->untraced[parent->nuntraced++] = (struct pt_untraced){
        .pid = f->child_pid,
        .reason = PT_UNTRACED_SILENT,
        .path = pt_xstrdup(pt_image_exe(parent)),
        .t = f->t,
    };
}

static void add_holder(struct pt_model *m, const struct pt_fork *f, const struct pt_fdent *e,
                       struct pt_objkey key, int read_end, int write_end) {
    struct pt_pipe *p = pt_model_pipe(m, key);
    if (p == NULL)
        return;
    PT_GROW(p->holders, p->nholders + 1, p->cap_holders);
    p->holders[p->nholders++] = (struct pt_holder){
        .image = f->parent_image,
        .fd = e->fd,
        .read_end = read_end,
        .write_end = write_end,
        .t_from = f->t,
        .ghost_pid = f->child_pid,
        .origin = e->origin,
    };
}

/* As fds.c's holders: a pipe end holds its pipe (either end when its
 * access is unknown); a socket end whose peer is known holds two channels,
 * sending on the one its own end names and receiving on its peer's. */
static void add_holders(struct pt_model *m, const struct pt_fork *f, const struct pt_fdent *e) {
    struct pt_objkey peer;
    if (e->obj.ino == 0 || (e->flags & PT_FDF_CLOEXEC))
        return;
    if (e->kind == PT_OBJ_PIPE || e->kind == PT_OBJ_FIFO) {
        int known = e->flags & (PT_FDF_RDONLY | PT_FDF_WRONLY);
        add_holder(m, f, e, e->obj, !known || (e->flags & PT_FDF_RDONLY),
                   !known || (e->flags & PT_FDF_WRONLY));
    } else if (e->kind == PT_OBJ_SOCKET && pt_sockpeers_find(&m->peers, e->obj, &peer)) {
        add_holder(m, f, e, e->obj, 0, 1);
        add_holder(m, f, e, peer, 1, 0);
    }
}

void pt_model_ghosts(struct pt_model *m) {
    for (size_t i = 0; i < m->nforks; i++) {
        const struct pt_fork *f = &m->forks[i];
        if (f->taken || pt_model_image_of(m, f->child_pid, UINT64_MAX) != PT_NO_IMAGE ||
            reaped(m, f->child_pid, f->t))
            continue;
        add_untraced(&m->images[f->parent_image], f);
        for (size_t k = 0; k < f->fds.len; k++)
            add_holders(m, f, &f->fds.v[k]);
    }
}

int32_t pt_holder_pid(const struct pt_model *m, const struct pt_holder *h) {
    return h->ghost_pid ? h->ghost_pid : m->images[h->image].pid;
}

const char *pt_untraced_why(const struct pt_untraced *u) {
    if (u->reason == PT_UNTRACED_SILENT)
        return "silent";
    const char *why = pt_untraced_reason_name(u->reason);
    return why ? why : "unknown";
}
