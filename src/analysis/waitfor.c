/* Building the wait-for graph (waitfor.h) from the model's end state. */
#include "waitfor_impl.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "trace/events.h"
#include "trace/xalloc.h"
#include "trace/xfer.h"

/* --- nodes --------------------------------------------------------------- */

static void add_node(struct pt_waitfor *g, const struct pt_wf_node *n) {
    g->nodes = pt_xreallocarray(g->nodes, g->nnodes + 1, sizeof *g->nodes);
    g->nodes[g->nnodes++] = *n;
}

/* A process whose last image neither exited nor was reaped. */
static int alive_at_end(const struct pt_model *m, const struct pt_process *p) {
    const struct pt_image *last = &m->images[p->last_image];
    return p->end == PT_END_NONE && !last->wait_seen;
}

static int is_pipe(uint8_t kind) {
    return kind == PT_OBJ_PIPE || kind == PT_OBJ_FIFO;
}

/* The call a pending record waits in. */
static enum pt_wf_call call_of(const struct pt_record *r) {
    const struct pt_event_info *row = pt_event_info(r->type);
    int nonblock = (r->fd_flags & PT_FDF_KNOWN) && (r->fd_flags & PT_FDF_NONBLOCK);
    switch (row->cls) {
    case PT_CLASS_IO:
        /* A socket's send or recv waits like a pipe's write or read (on
         * the holders of its peer end, pt_wf_to_holders), unless
         * MSG_DONTWAIT made it one that cannot wait. */
        if ((row->flags & PT_EVF_SOCKIO) && (PT_SOCKIO_FLAGS(r->arg) & MSG_DONTWAIT))
            nonblock = 1;
        if ((!is_pipe(r->obj_kind) && r->obj_kind != PT_OBJ_SOCKET) || r->obj_ino == 0 || nonblock)
            return PT_WF_NONE; /* a non-blocking call was cut short, not stuck */
        return pt_event_reads(r->type) ? PT_WF_READ : PT_WF_WRITE;
    case PT_CLASS_XFER: /* as flows counts it: on the fd its bytes leave */
        if (!is_pipe(r->obj_kind) || r->obj_ino == 0 || nonblock)
            return PT_WF_NONE;
        return r->type == PT_EV_VMSPLICE && pt_vmsplice_writes(r) ? PT_WF_WRITE : PT_WF_READ;
    case PT_CLASS_WAIT:
    case PT_CLASS_PCLOSE:
        return PT_WF_WAIT;
    case PT_CLASS_POLL: /* only a wait without a timeout can last for ever */
        return (int64_t)r->arg == -1 ? PT_WF_POLL : PT_WF_NONE;
    default:
        return r->type == PT_EV_SYSTEM ? PT_WF_WAIT : PT_WF_NONE;
    }
}

/* A two-fd call whose in fd is no pipe (sendfile from a file, a splice
 * from a socket) can only be stuck on its out fd, which the record names
 * in its payload alone: *side becomes the write of that fd when it is a
 * pipe, so that the wait is on the holders of its read end. */
static enum pt_wf_call xfer_out_call(const struct pt_image *img, const struct pt_pending *pend,
                                     struct pt_record *side) {
    const struct pt_record *r = &pend->rec;
    struct pt_event ev;
    struct pt_io_side sides[2];
    if (pt_event_info(r->type)->cls != PT_CLASS_XFER || is_pipe(r->obj_kind) ||
        !pt_wf_event_at(img->file, pend->offset, &ev) || ev.rec->type != r->type ||
        pt_event_sides(&ev, sides) != 2)
        return PT_WF_NONE;
    const struct pt_record *out = &sides[1].rec;
    int nonblock = (out->fd_flags & PT_FDF_KNOWN) && (out->fd_flags & PT_FDF_NONBLOCK);
    if (!is_pipe(out->obj_kind) || out->obj_ino == 0 || nonblock)
        return PT_WF_NONE;
    *side = *out;
    side->state = r->state; /* the side of the pending record, as it was */
    return PT_WF_WRITE;
}

/* The latest call the image was stuck in when the trace ended. */
static void blocked_call(const struct pt_image *img, struct pt_wf_node *n) {
    for (size_t i = 0; i < img->npending; i++) {
        struct pt_record side;
        const struct pt_record *r = &img->pending[i].rec;
        enum pt_wf_call call = call_of(r);
        if (call == PT_WF_NONE &&
            (call = xfer_out_call(img, &img->pending[i], &side)) != PT_WF_NONE)
            r = &side;
        if (call != PT_WF_NONE && (n->call == PT_WF_NONE || r->t_start >= n->rec.t_start)) {
            n->call = call;
            n->rec = *r;
            n->offset = img->pending[i].offset;
        }
    }
}

/* The node of a process, blocked or not. */
static struct pt_wf_node process_node(const struct pt_model *m, const struct pt_process *p) {
    const struct pt_image *last = &m->images[p->last_image];
    struct pt_wf_node n = {
        .pid = p->pid,
        .ppid = p->ppid,
        .image = p->last_image,
        .drops_cloexec = last->end == PT_END_EXEC,
        .killed = p->end == PT_END_SIGNAL,
    };
    if (last->end != PT_END_EXEC)
        blocked_call(last, &n);
    return n;
}

/* When the last wait of the hang began: the run was frozen from then on.
 * A process killed while blocked, after that (the kill that ended a hung
 * run), still counts with what it held; one killed before it is gone. */
static uint64_t frozen_at(const struct pt_model *m) {
    uint64_t t = 0;
    for (size_t i = 0; i < m->nprocesses; i++) {
        struct pt_wf_node n = process_node(m, &m->processes[i]);
        if (n.call != PT_WF_NONE && n.rec.t_start > t)
            t = n.rec.t_start;
    }
    return t;
}

static void add_processes(struct pt_waitfor *g, const struct pt_model *m) {
    uint64_t frozen = frozen_at(m);
    for (size_t i = 0; i < m->nprocesses; i++) {
        const struct pt_process *p = &m->processes[i];
        struct pt_wf_node n = process_node(m, p);
        int killed_stuck =
            n.killed && n.call != PT_WF_NONE && (p->t_end == 0 || p->t_end >= frozen);
        if (!alive_at_end(m, p) && !killed_stuck)
            continue;
        const struct pt_image *last = &m->images[p->last_image];
        n.live = m->cut != 0 || pt_wf_still_running(p->pid, m->images[p->first_image].start,
                                                    last->file->hdr->boot_id);
        add_node(g, &n);
    }
}

/* --- children that left no trace file ------------------------------------ */

static int reaped_after(const struct pt_model *m, int32_t pid, uint64_t t) {
    for (size_t i = 0; i < m->nwaits; i++)
        if (m->waits[i].pid == pid && m->waits[i].t >= t)
            return 1;
    return 0;
}

/* What the parent said the child ran, when it could not be traced. */
static const char *untraced_path(const struct pt_image *parent, int32_t pid) {
    for (size_t i = 0; i < parent->nuntraced; i++)
        if (parent->untraced[i].pid == pid)
            return parent->untraced[i].path;
    return NULL;
}

/* A fork child that never made a traced call (a background `sleep`, a
 * helper blocked in pause()) exists only in its parent's fork record; it
 * holds what its parent held then until it is reaped. */
static void add_ghosts(struct pt_waitfor *g, const struct pt_model *m) {
    for (size_t i = 0; i < m->nforks; i++) {
        const struct pt_fork *f = &m->forks[i];
        if (f->taken || pt_model_image_of(m, f->child_pid, UINT64_MAX) != PT_NO_IMAGE ||
            reaped_after(m, f->child_pid, f->t))
            continue;
        const struct pt_image *parent = &m->images[f->parent_image];
        struct pt_wf_node n = {
            .pid = f->child_pid,
            .ppid = parent->pid,
            .image = PT_NO_IMAGE,
            .ghost = f,
            .untraced_path = untraced_path(parent, f->child_pid),
            .drops_cloexec = 1, /* it may have exec'd: only what survives exec */
        };
        n.live =
            m->cut != 0 || pt_wf_still_running(f->child_pid, f->t + 1, parent->file->hdr->boot_id);
        add_node(g, &n);
    }
}

/* --- edges --------------------------------------------------------------- */

/* What a node held at the end: its image's table when it ended (the end of
 * the trace, or its death), or what its parent passed it at fork. */
static const struct pt_fdtable *fds_of(const struct pt_waitfor *g, const struct pt_wf_node *n) {
    return n->ghost ? &n->ghost->fds : &g->model->images[n->image].final;
}

static void add_edge(struct pt_waitfor *g, const struct pt_wf_edge *e) {
    g->edges = pt_xreallocarray(g->edges, g->nedges + 1, sizeof *g->edges);
    g->edges[g->nedges++] = *e;
}

/* Edges from node `from` to every node holding the other end of obj: the
 * write end for a wait for input, the read end for a wait for room. */
void pt_wf_to_holders(struct pt_waitfor *g, size_t from, int fd, struct pt_objkey obj, uint8_t kind,
                      int for_input) {
    uint8_t end = for_input ? PT_FDF_WRONLY : PT_FDF_RDONLY;
    /* A socket's data and room come from whoever holds its peer end (a
     * socket pair's other end, sockpeer.h); one whose peer the trace did
     * not see made waits on no one the trace knows. */
    struct pt_objkey held = obj;
    if (kind == PT_OBJ_SOCKET && !pt_sockpeers_find(&g->model->peers, obj, &held))
        return;
    for (size_t k = 0; k < g->nnodes; k++) {
        const struct pt_wf_node *h = &g->nodes[k];
        const struct pt_fdtable *t = fds_of(g, h);
        for (size_t i = 0; i < t->len; i++) {
            const struct pt_fdent *e = &t->v[i];
            int known = e->flags & (PT_FDF_RDONLY | PT_FDF_WRONLY);
            if (!pt_objkey_eq(e->obj, held) || (known && !(e->flags & end)) ||
                (h->drops_cloexec && (e->flags & PT_FDF_CLOEXEC)))
                continue;
            struct pt_wf_edge edge = {from, k, fd, obj, kind, for_input, e->fd, e->origin};
            add_edge(g, &edge);
        }
    }
}

/* A wait for a child: the pid asked for (a begun wait's arg), else every
 * child still there; pclose names its child. */
static void to_children(struct pt_waitfor *g, size_t from) {
    const struct pt_wf_node *n = &g->nodes[from];
    int64_t want = -1;
    if (n->rec.type == PT_EV_PCLOSE)
        want = (int64_t)n->rec.arg;
    else if (n->rec.type == PT_EV_WAIT)
        want = (int64_t)n->rec.arg;
    for (size_t k = 0; k < g->nnodes; k++) {
        const struct pt_wf_node *c = &g->nodes[k];
        if (c->ppid != n->pid || k == from || (want > 0 && c->pid != want))
            continue;
        struct pt_wf_edge edge = {from, k, -1, {0, 0}, 0, 0, -1, NULL};
        add_edge(g, &edge);
    }
}

static void add_edges(struct pt_waitfor *g, size_t from) {
    struct pt_wf_node *n = &g->nodes[from];
    n->first_edge = g->nedges;
    switch (n->call) {
    case PT_WF_READ:
    case PT_WF_WRITE:
        pt_wf_to_holders(g, from, n->rec.fd, pt_objkey_of(&n->rec), n->rec.obj_kind,
                         n->call == PT_WF_READ);
        break;
    case PT_WF_WAIT:
        to_children(g, from);
        break;
    case PT_WF_POLL:
        pt_wf_poll_edges(g, from, n->offset);
        break;
    default:
        break;
    }
    g->nodes[from].nedges = g->nedges - g->nodes[from].first_edge;
}

/* --- stuck --------------------------------------------------------------- */

/* Whether the target of e is itself in the call that ends e's wait: a
 * reader's holder blocked writing that very pipe (data is coming), or a
 * writer's holder blocked reading it (room is coming).  Both cannot really
 * wait at once; a trace read while they run can catch both calls begun,
 * and neither is stuck. */
static int target_acts(const struct pt_waitfor *g, const struct pt_wf_edge *e) {
    const struct pt_wf_node *t = &g->nodes[e->to];
    if (e->obj.ino == 0 || e->to == e->from)
        return 0;
    enum pt_wf_call acting = e->for_input ? PT_WF_WRITE : PT_WF_READ;
    return t->call == acting && pt_objkey_eq(pt_objkey_of(&t->rec), e->obj);
}

static int may_be_stuck(const struct pt_waitfor *g, const struct pt_wf_node *n) {
    if (n->call == PT_WF_NONE || n->nedges == 0 || n->other_waker)
        return 0;
    for (size_t e = n->first_edge; e < n->first_edge + n->nedges; e++)
        if (target_acts(g, &g->edges[e]))
            return 0;
    return 1;
}

/* The largest set of blocked nodes each of whose targets is in the set:
 * start from every blocked node with a target, none of which is acting
 * on its wait, drop those with a target outside, until nothing changes. */
static void mark_stuck(struct pt_waitfor *g) {
    for (size_t i = 0; i < g->nnodes; i++)
        g->nodes[i].stuck = may_be_stuck(g, &g->nodes[i]);
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < g->nnodes; i++) {
            struct pt_wf_node *n = &g->nodes[i];
            for (size_t e = n->first_edge; n->stuck && e < n->first_edge + n->nedges; e++)
                if (!g->nodes[g->edges[e].to].stuck) {
                    n->stuck = 0;
                    changed = 1;
                }
        }
    }
}

void pt_waitfor_build(struct pt_waitfor *g, const struct pt_model *m) {
    memset(g, 0, sizeof *g);
    g->model = m;
    add_processes(g, m);
    add_ghosts(g, m);
    g->at_cut = m->cut != 0;
    for (size_t i = 0; i < g->nnodes; i++) {
        g->live_trace |= g->nodes[i].live && !g->at_cut;
        add_edges(g, i);
    }
    mark_stuck(g);
}

void pt_waitfor_free(struct pt_waitfor *g) {
    free(g->nodes);
    free(g->edges);
    memset(g, 0, sizeof *g);
}

size_t pt_waitfor_node(const struct pt_waitfor *g, int32_t pid) {
    for (size_t i = 0; i < g->nnodes; i++)
        if (g->nodes[i].pid == pid)
            return i;
    return (size_t)-1;
}

static const char *base_name(const char *path) {
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

const char *pt_wf_name(const struct pt_waitfor *g, const struct pt_wf_node *n) {
    const struct pt_model *m = g->model;
    if (n->untraced_path != NULL)
        return base_name(n->untraced_path);
    if (n->ghost != NULL)
        return pt_short_exe(&m->images[n->ghost->parent_image]);
    const struct pt_image *img = &m->images[n->image];
    if (img->end == PT_END_EXEC && img->exec_nstrings > 1)
        return base_name(img->exec_argv[1]); /* the program it exec'd: argv[0] */
    return pt_short_exe(img);
}
