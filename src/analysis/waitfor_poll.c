/* The edges of a process blocked in poll, select or epoll_wait: its set is
 * read back from the record (src/trace/waitset.h), and for epoll_wait from
 * the epoll_ctl calls the image made on that epoll fd before it.  A fd
 * waited on for input (POLLIN) waits on the holders of its pipe's write
 * end, one waited on for room (POLLOUT) on the holders of the read end.
 * A socket pair's end waits on the holders of its other end, as a pipe's.
 * Any other fd (a socket connected elsewhere, an eventfd, a terminal)
 * could wake the wait for reasons the trace does not show: the wait is
 * then never called stuck.  A socketpair end whose peer only the waiter
 * holds (an event loop's self-pipe) is left out. */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "decode.h"
#include "trace/events.h"
#include "trace/waitset.h"
#include "waitfor_impl.h"

int pt_wf_event_at(const struct pt_file *f, uint64_t offset, struct pt_event *ev) {
    struct pt_cursor c;
    pt_file_walk_range(&c, f, offset, f->tail);
    return pt_file_next(&c, ev) && ev->offset == offset;
}

/* What the image's epoll_ctl calls on epfd, before the wait at `until`,
 * left in the set: at most max fds into out. */
static size_t epoll_set(const struct pt_file *f, int32_t epfd, uint64_t until,
                        struct pt_waitfd *out, size_t max) {
    struct pt_cursor c;
    struct pt_event ev;
    size_t n = 0;
    pt_file_walk(&c, f);
    while (pt_file_next(&c, &ev) && ev.offset < until) {
        int op;
        int32_t fd;
        uint32_t events;
        if (ev.rec->fd != epfd || ev.rec->state != PT_DONE || ev.rec->result < 0 ||
            pt_epoll_ctl_args(&ev, &op, &fd, &events) < 0)
            continue;
        size_t i = 0;
        while (i < n && out[i].fd != fd)
            i++;
        if (op == EPOLL_CTL_DEL) {
            if (i < n)
                out[i] = out[--n];
            continue;
        }
        if (i == n && n == max)
            continue;
        if (i == n)
            n++;
        out[i].fd = fd;
        out[i].events =
            (uint16_t)(((events & EPOLLIN) ? POLLIN : 0) | ((events & EPOLLOUT) ? POLLOUT : 0));
        out[i].revents = 0;
    }
    return n;
}

/* The set a blocked wait waits on; -1 when it cannot be read. */
static int wait_set(const struct pt_image *img, const struct pt_wf_node *n, uint64_t offset,
                    struct pt_waitfd *out, size_t max) {
    struct pt_event ev;
    int32_t epfd = -1;
    if (!pt_wf_event_at(img->file, offset, &ev))
        return -1;
    int count = pt_waitset(&ev, out, max, &epfd);
    if (count == 0 && epfd >= 0)
        count = (int)epoll_set(img->file, epfd, offset, out, max);
    (void)n;
    return count;
}

/* Does any node but `self` hold a socket with that inode? */
static int held_elsewhere(const struct pt_waitfor *g, size_t self, struct pt_objkey obj) {
    for (size_t k = 0; k < g->nnodes; k++) {
        const struct pt_wf_node *h = &g->nodes[k];
        if (k == self)
            continue;
        const struct pt_fdtable *t = h->ghost ? &h->ghost->fds : &g->model->images[h->image].final;
        for (size_t i = 0; i < t->len; i++)
            if (t->v[i].kind == PT_OBJ_SOCKET && pt_objkey_eq(t->v[i].obj, obj))
                return 1;
    }
    return 0;
}

/* A socketpair end whose peer no other process holds: the self-pipe of an
 * event loop (asyncio's, woken by its own signal handler or threads), not
 * a way for anyone else to end the wait. */
static int wakes_only_itself(const struct pt_waitfor *g, size_t self, const struct pt_fdent *e) {
    const struct pt_origin *root = pt_origin_root(e->origin);
    struct pt_event ev;
    struct pt_pipe_payload pair;
    if (e->kind != PT_OBJ_SOCKET || root == NULL || root->how != PT_ORIGIN_CREATED ||
        root->call != PT_EV_SOCKETPAIR ||
        !pt_wf_event_at(g->model->images[root->image].file, root->rec_offset, &ev) ||
        !pt_decode_pipe(&ev, &pair))
        return 0;
    for (int end = 0; end < 2; end++)
        if (held_elsewhere(g, self, (struct pt_objkey){pair.ino[end], e->obj.dev}))
            return 0;
    return 1;
}

void pt_wf_poll_edges(struct pt_waitfor *g, size_t from, uint64_t offset) {
    struct pt_wf_node *n = &g->nodes[from];
    const struct pt_image *img = &g->model->images[n->image];
    struct pt_waitfd set[PT_WAIT_STORED_MAX];
    int count = wait_set(img, n, offset, set, PT_WAIT_STORED_MAX);
    if (count <= 0) {
        n->other_waker = 1; /* nothing known to wait on */
        return;
    }
    uint32_t total = 0;
    int cut = 0;
    struct pt_event ev;
    if (pt_wf_event_at(img->file, offset, &ev) && pt_waitset_total(&ev, &total, &cut) == 0 && cut)
        n->other_waker = 1; /* fds the record could not hold */
    for (int i = 0; i < count; i++) {
        const struct pt_fdent *e = pt_fdtable_find(&img->final, set[i].fd);
        int input = (set[i].events & (POLLIN | POLLPRI)) != 0;
        int room = (set[i].events & POLLOUT) != 0;
        if (e != NULL && wakes_only_itself(g, from, e))
            continue;
        struct pt_objkey peer;
        int paired = e != NULL && e->kind == PT_OBJ_SOCKET &&
                     pt_sockpeers_find(&g->model->peers, e->obj, &peer);
        if (e == NULL || (e->kind != PT_OBJ_PIPE && e->kind != PT_OBJ_FIFO && !paired) ||
            e->obj.ino == 0) {
            n->other_waker = 1;
            continue;
        }
        if (input)
            pt_wf_to_holders(g, from, set[i].fd, e->obj, e->kind, 1);
        if (room)
            pt_wf_to_holders(g, from, set[i].fd, e->obj, e->kind, 0);
    }
}
