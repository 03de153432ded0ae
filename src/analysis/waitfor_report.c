/* What check says about the wait-for graph (waitfor.h): a cycle of stuck
 * processes is a deadlock (pipe-deadlock when every wait in it is on a
 * pipe, wait-deadlock when one is a wait for a child), spelled out edge by
 * edge; a reader that waits for EOF from holders that are blocked or idle
 * is a blocked-read that can never end, naming every holder that must
 * close and how it got its copy of the write end. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "trace/events.h"
#include "trace/names.h"
#include "trace/xalloc.h"
#include "waitfor.h"

#define TEXT_MAX 8192

/* Appends to a fixed buffer, cutting what does not fit. */
struct text {
    char buf[TEXT_MAX];
    size_t len;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...) {
    if (t->len + 1 >= sizeof t->buf)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, sizeof t->buf - t->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n < sizeof t->buf - t->len ? (size_t)n : sizeof t->buf - t->len - 1;
}

/* A deadlock or a wait that can never end: the run does not finish, an
 * error whatever else it did. */
static struct pt_problem *hang_problem(struct pt_check *c, const char *kind, const char *fix) {
    struct pt_problem *p = pt_problem_add(c->out, kind, fix);
    p->severity = PT_SEV_ERROR;
    return p;
}

static void who(struct text *t, const struct pt_waitfor *g, size_t node) {
    const struct pt_wf_node *n = &g->nodes[node];
    put(t, "pid %" PRId32 " (%s)", n->pid, pt_wf_name(g, n));
}

/* "still blocked" for a process that runs on (its pid checked in /proc),
 * else when it stopped.  While the trace is still being written, a process
 * that is gone with no end recorded was killed before it could record it
 * (SIGKILL, or a signal whose default action ends it). */
static void when(struct text *t, const struct pt_waitfor *g, const struct pt_wf_node *n) {
    if (g->at_cut)
        put(t, "was still blocked at the interrupt");
    else if (n->live)
        put(t, "is still blocked (pid %" PRId32 " is running)", n->pid);
    else if (n->killed)
        put(t, "was blocked until it was killed");
    else if (g->live_trace)
        put(t, "was blocked until it was gone, killed before it could record its end");
    else
        put(t, "was blocked when the trace ended");
}

/* What a holder that is not blocked is doing, as far as the trace says. */
static const char *idle_state(const struct pt_waitfor *g, const struct pt_wf_node *h) {
    if (h->live)
        return g->at_cut ? "alive at the interrupt" : "alive";
    return g->live_trace ? "gone, killed before it could record its end" : "alive at the end";
}

static const char *wait_name(const struct pt_wf_node *n) {
    return n->rec.type == PT_EV_PCLOSE   ? "pclose()"
           : n->rec.type == PT_EV_SYSTEM ? "system()"
                                         : "wait()";
}

/* The call a node is blocked in, without its targets. */
static void blocked_in(struct text *t, const struct pt_waitfor *g, size_t node) {
    const struct pt_wf_node *n = &g->nodes[node];
    switch (n->call) {
    case PT_WF_READ:
        put(t, "reading fd %d (%s:[%" PRIu64 "])", n->rec.fd, pt_obj_kind_name(n->rec.obj_kind),
            n->rec.obj_ino);
        break;
    case PT_WF_WRITE:
        put(t, "writing fd %d (%s:[%" PRIu64 "], full)", n->rec.fd,
            pt_obj_kind_name(n->rec.obj_kind), n->rec.obj_ino);
        break;
    case PT_WF_WAIT:
        put(t, "in %s", wait_name(n));
        break;
    case PT_WF_POLL:
        put(t, "in %s()", pt_event_name(n->rec.type) ? pt_event_name(n->rec.type) : "poll");
        for (size_t i = 0; i < n->nedges; i++) {
            const struct pt_wf_edge *e = &g->edges[n->first_edge + i];
            if (i > 0 && g->edges[n->first_edge + i - 1].fd == e->fd)
                continue; /* one fd, several holders */
            put(t, "%s fd %d (%s:[%" PRIu64 "])", i ? "," : " on", e->fd, pt_obj_kind_name(e->kind),
                e->obj.ino);
        }
        break;
    default:
        put(t, "nowhere");
    }
}

/* One edge: "pid A (x) is blocked writing fd 1 (pipe:[N], full), whose read
 * end pid B (y) holds as fd 3" or "... in wait() for pid B (y)". */
static void edge_text(struct text *t, const struct pt_waitfor *g, const struct pt_wf_edge *e) {
    const struct pt_wf_node *n = &g->nodes[e->from];
    who(t, g, e->from);
    put(t, " ");
    when(t, g, n);
    put(t, " ");
    if (e->obj.ino == 0) {
        put(t, "in %s for ", wait_name(n));
        who(t, g, e->to);
        return;
    }
    if (n->call == PT_WF_POLL)
        put(t, "in %s on fd %d (%s:[%" PRIu64 "]) ", pt_event_name(n->rec.type), e->fd,
            pt_obj_kind_name(e->kind), e->obj.ino);
    else
        blocked_in(t, g, e->from);
    if (e->kind == PT_OBJ_SOCKET)
        put(t, ", whose other end ");
    else
        put(t, ", whose %s end ", e->for_input ? "write" : "read");
    who(t, g, e->to);
    put(t, " holds as fd %d", e->holder_fd);
}

/* --- a wait for EOF that can never end -------------------------------------- */

/* The bytes a holder of the write end read, when what it answers is most
 * likely still in its stdio buffer rather than held by a leaked fd: the
 * end is its stdout (which stdio buffers fully on a pipe), it read input,
 * it has not written to this pipe once, and it is blocked reading more (a
 * holder still running may simply not have answered yet).  0 otherwise. */
static uint64_t buffered_after(const struct pt_waitfor *g, const struct pt_wf_edge *e) {
    const struct pt_wf_node *h = &g->nodes[e->to];
    if (e->to == e->from || e->holder_fd != 1 || h->image == PT_NO_IMAGE || h->call != PT_WF_READ)
        return 0;
    const struct pt_image *img = &g->model->images[h->image];
    uint64_t read = 0;
    for (unsigned type = 0; type <= PT_EV_MAX; type++)
        if (pt_event_reads(type))
            read += pt_image_stat(img, type)->bytes;
    const struct pt_pipe *pp = pt_model_pipe(g->model, e->obj);
    for (size_t i = 0; pp != NULL && i < pp->nuses; i++)
        if (pp->uses[i].image == h->image && pp->uses[i].calls_written > 0)
            return 0;
    return read;
}

/* Why a holder will not close: what it is doing instead. */
static void holder_state(struct text *t, const struct pt_waitfor *g, const struct pt_wf_edge *e) {
    const struct pt_wf_node *h = &g->nodes[e->to];
    if (e->to == e->from) {
        put(t, "the reader itself");
    } else if (h->call != PT_WF_NONE) {
        put(t, "itself blocked ");
        blocked_in(t, g, e->to);
    } else if (h->ghost != NULL) {
        put(t, "%s, a child of pid %" PRId32 " that made no traced call", idle_state(g, h),
            h->ppid);
    } else {
        put(t, "%s and not writing", idle_state(g, h));
    }
    uint64_t read = buffered_after(g, e);
    if (read > 0)
        put(t,
            "; output still buffered in pid %" PRId32 ": it read %" PRIu64 " bytes and has "
            "not written to this pipe yet, so its answer is most likely in its stdio buffer "
            "(stdout to a pipe is fully buffered), not held by a leaked fd",
            h->pid, read);
}

static void holder_how(struct text *t, const struct pt_waitfor *g, const struct pt_wf_edge *e) {
    const struct pt_wf_node *h = &g->nodes[e->to];
    char how[2048] = "how it got it is unknown";
    if (e->how != NULL)
        pt_origin_describe(g->model, e->how, how, sizeof how);
    put(t, "%s", how);
    if (h->ghost != NULL)
        put(t, ", inherited through fork by pid %" PRId32, h->pid);
    /* A pipe another process made, in a process that is not its
     * descendant by any step the trace saw: it came over a socket. */
    const struct pt_origin *root = e->how ? pt_origin_root(e->how) : NULL;
    const struct pt_pipe *pp = pt_model_pipe(g->model, e->obj);
    if (root != NULL && root->how == PT_ORIGIN_UNKNOWN && pp != NULL && pp->created != NULL &&
        pp->created->pid != h->pid)
        put(t,
            "; the pipe was made by pid %" PRId32 ", so this copy was passed over a socket "
            "(SCM_RIGHTS) or opened through /proc/PID/fd",
            pp->created->pid);
}

static void cycle_text(struct text *t, const struct pt_waitfor *g, const size_t *cycle, size_t len);

/* What a blocked reader needs closed, for pipes and for socket pairs. */
#define PIPE_FIX                                                                                   \
    "Close the write end in every process that does not write to the pipe (the parent "            \
    "after fork, the child before exec, or create it with O_CLOEXEC), so the reader "              \
    "sees EOF."
#define BUFFERED_FIX                                                                               \
    "The output is still in the writer's stdio buffer: close its input when done sending, so "     \
    "it flushes and exits, or make it flush each answer (stdbuf -oL, python -u, fflush after "     \
    "each line) when it must answer while its input stays open."
#define SOCKET_FIX                                                                                 \
    "Close the other end of the socket pair in every process that does not send on it (the "       \
    "worker after fork, the child before exec, or create the pair with SOCK_CLOEXEC), or "         \
    "shutdown(SHUT_WR) it when done sending, so the receiver sees EOF."

/* "the write end was still held by ", or a socket's "the other end
 * (socket:[N]) was still held by ". */
static void other_end(struct text *t, const struct pt_wf_node *n) {
    if (n->call != PT_WF_READ || n->rec.obj_kind != PT_OBJ_SOCKET) {
        put(t, "the write end was still held by ");
        return;
    }
    put(t, "the other end of the socket pair was still held by ");
}

/* A reader whose EOF can never come; cycle (len > 1) when it is part of a
 * deadlock with a holder, which is then spelled out too. */
static void blocked_read(struct pt_check *c, const struct pt_waitfor *g, size_t node,
                         const size_t *cycle, size_t len) {
    const struct pt_wf_node *n = &g->nodes[node];
    int on_socket = n->call == PT_WF_READ && n->rec.obj_kind == PT_OBJ_SOCKET;
    int buffered = 0;
    for (size_t i = 0; i < n->nedges; i++)
        buffered |= g->edges[n->first_edge + i].for_input &&
                    buffered_after(g, &g->edges[n->first_edge + i]) > 0;
    struct pt_problem *p = hang_problem(c, "blocked-read",
                                        on_socket  ? SOCKET_FIX
                                        : buffered ? BUFFERED_FIX
                                                   : PIPE_FIX);
    struct text t = {.len = 0};
    who(&t, g, node);
    put(&t, " ");
    when(&t, g, n);
    put(&t, " ");
    blocked_in(&t, g, node);
    /* Every holder stuck: nothing can end it.  A holder alive and not
     * writing (asleep, or busy elsewhere) may still close its copy. */
    put(&t, ", waiting for data or EOF; %s: ",
        n->stuck ? "EOF can never come" : "EOF comes only when every holder closes its copy");
    other_end(&t, n);
    pt_problem_pid(p, n->pid);
    const struct pt_wf_edge *first = n->nedges ? &g->edges[n->first_edge] : NULL;
    if (n->call == PT_WF_POLL && first != NULL) { /* the set's first pipe */
        pt_problem_fd(p, first->fd);
        p->object_kind = first->kind;
        p->object = first->obj;
    } else {
        pt_problem_fd(p, n->rec.fd);
        p->object_kind = n->rec.obj_kind;
        p->object = pt_objkey_of(&n->rec);
    }
    pt_problem_evidence(p, n->pid, &n->rec);
    size_t named = 0;
    for (size_t i = 0; i < n->nedges; i++) {
        const struct pt_wf_edge *e = &g->edges[n->first_edge + i];
        if (!e->for_input)
            continue;
        put(&t, named++ ? "; " : "");
        who(&t, g, e->to);
        put(&t, " fd %d (", e->holder_fd);
        holder_state(&t, g, e);
        put(&t, "): ");
        holder_how(&t, g, e);
        pt_problem_pid(p, g->nodes[e->to].pid);
        pt_problem_fd(p, e->holder_fd);
        if (g->nodes[e->to].call != PT_WF_NONE && e->to != node && len <= 1)
            pt_problem_evidence(p, g->nodes[e->to].pid, &g->nodes[e->to].rec);
    }
    if (len > 1) {
        put(&t, "; a deadlock: ");
        cycle_text(&t, g, cycle, len);
        for (size_t i = 0; i < len; i++) {
            pt_problem_pid(p, g->nodes[cycle[i]].pid);
            if (cycle[i] != node)
                pt_problem_evidence(p, g->nodes[cycle[i]].pid, &g->nodes[cycle[i]].rec);
        }
    }
    pt_problem_message(p, "%s", t.buf);
}

/* --- deadlocks ----------------------------------------------------------- */

/* The first edge of node to a stuck node (every edge of a stuck node is). */
static const struct pt_wf_edge *next_edge(const struct pt_waitfor *g, size_t node) {
    const struct pt_wf_node *n = &g->nodes[node];
    return n->nedges ? &g->edges[n->first_edge] : NULL;
}

/* Walks from a stuck node until a node repeats: the loop found is a cycle.
 * Returns its length, the node indexes in cycle[] from its lowest index. */
static size_t find_cycle(const struct pt_waitfor *g, size_t start, size_t *cycle, int *seen) {
    size_t node = start;
    while (!seen[node]) {
        seen[node] = 1;
        node = next_edge(g, node)->to;
    }
    if (seen[node] == 2)
        return 0; /* led into a cycle already reported */
    size_t len = 0, low = 0;
    size_t at = node;
    do {
        if (at < cycle[low] || len == 0)
            low = len;
        cycle[len++] = at;
        at = next_edge(g, at)->to;
    } while (at != node);
    size_t *rot = pt_xreallocarray(NULL, len, sizeof *rot);
    for (size_t i = 0; i < len; i++)
        rot[i] = cycle[(low + i) % len];
    memcpy(cycle, rot, len * sizeof *rot);
    free(rot);
    return len;
}

static void cycle_text(struct text *t, const struct pt_waitfor *g, const size_t *cycle,
                       size_t len) {
    for (size_t i = 0; i < len; i++) {
        put(t, i ? "; " : "");
        edge_text(t, g, next_edge(g, cycle[i]));
    }
    put(t, "; none of them can go on");
}

static void report_cycle(struct pt_check *c, const struct pt_waitfor *g, const size_t *cycle,
                         size_t len) {
    int on_pipes = 1;
    for (size_t i = 0; i < len; i++) {
        const struct pt_wf_node *n = &g->nodes[cycle[i]];
        if (n->call == PT_WF_READ ||
            (n->call == PT_WF_POLL && next_edge(g, cycle[i])->for_input)) { /* EOF never comes */
            blocked_read(c, g, cycle[i], cycle, len);
            return;
        }
        if (next_edge(g, cycle[i])->obj.ino == 0)
            on_pipes = 0;
    }
    struct pt_problem *p = hang_problem(
        c, on_pipes ? "pipe-deadlock" : "wait-deadlock",
        on_pipes ? "Do not write all of a child's input before reading its output: read and "
                   "write concurrently (poll, a thread, or a temporary file)."
                 : "Read a child's output while waiting for it (communicate(), a thread or "
                   "poll), not after it has exited: it cannot exit while its output pipe is "
                   "full.");
    struct text t = {.len = 0};
    put(&t, "deadlock: ");
    cycle_text(&t, g, cycle, len);
    for (size_t i = 0; i < len; i++) {
        const struct pt_wf_edge *e = next_edge(g, cycle[i]);
        const struct pt_wf_node *n = &g->nodes[cycle[i]];
        pt_problem_pid(p, n->pid);
        if (e->fd >= 0)
            pt_problem_fd(p, e->fd);
        if (e->holder_fd >= 0)
            pt_problem_fd(p, e->holder_fd);
        if (e->obj.ino != 0 && p->object.ino == 0) {
            p->object_kind = e->kind;
            p->object = e->obj;
        }
        pt_problem_evidence(p, n->pid, &n->rec);
    }
    pt_problem_message(p, "%s", t.buf);
}

/* Every cycle among the stuck nodes, once; marks the nodes reported. */
static void deadlocks(struct pt_check *c, const struct pt_waitfor *g, int *reported) {
    int *seen = pt_xcalloc(g->nnodes ? g->nnodes : 1, sizeof *seen);
    size_t *cycle = pt_xreallocarray(NULL, g->nnodes ? g->nnodes : 1, sizeof *cycle);
    for (size_t i = 0; i < g->nnodes; i++) {
        if (!g->nodes[i].stuck || seen[i])
            continue;
        size_t len = find_cycle(g, i, cycle, seen);
        /* A reader that holds the write end it waits on is stuck by itself:
         * a blocked-read, said below, not a deadlock. */
        if (len > 1)
            report_cycle(c, g, cycle, len);
        for (size_t k = 0; k < len; k++)
            reported[cycle[k]] = len > 1;
        for (size_t k = 0; k < g->nnodes; k++)
            if (seen[k] == 1)
                seen[k] = 2;
    }
    free(seen);
    free(cycle);
}

/* A reader killed while blocked, whose holders are gone by the end of the
 * trace (a parent that killed its stuck child, then closed and exited):
 * the holders are those of the moment it died. */
static int killed_reader(struct pt_check *c, const struct pt_waitfor *g, size_t node) {
    const struct pt_wf_node *n = &g->nodes[node];
    const struct pt_model *m = g->model;
    /* The pipe it read, or the socket channel that feeds its end. */
    struct pt_objkey channel = pt_objkey_of(&n->rec);
    if (n->rec.obj_kind == PT_OBJ_SOCKET && !pt_sockpeers_find(&m->peers, channel, &channel))
        return 0;
    const struct pt_pipe *pp = pt_model_pipe(m, channel);
    uint64_t died = m->images[n->image].t_end;
    if (pp == NULL || died == 0)
        return 0;
    struct text t = {.len = 0};
    struct pt_problem *p = NULL;
    for (size_t i = 0; i < pp->nholders; i++) {
        const struct pt_holder *h = &pp->holders[i];
        const struct pt_image *img = &m->images[h->image];
        if (!h->write_end || img->pid == n->pid || h->t_from > died ||
            (h->t_to != 0 && h->t_to < died))
            continue;
        if (p == NULL) {
            p = hang_problem(c, "blocked-read",
                             n->rec.obj_kind == PT_OBJ_SOCKET ? SOCKET_FIX : PIPE_FIX);
            who(&t, g, node);
            put(&t, " ");
            when(&t, g, n);
            put(&t, " ");
            blocked_in(&t, g, node);
            put(&t, ", waiting for data or EOF; ");
            other_end(&t, n);
            pt_problem_pid(p, n->pid);
            pt_problem_fd(p, n->rec.fd);
            p->object_kind = n->rec.obj_kind;
            p->object = pt_objkey_of(&n->rec);
            pt_problem_evidence(p, n->pid, &n->rec);
        } else {
            put(&t, "; ");
        }
        char how[2048];
        pt_origin_describe(m, h->origin, how, sizeof how);
        put(&t, "pid %" PRId32 " (%s) fd %d: %s", img->pid, pt_short_exe(img), h->fd, how);
        pt_problem_pid(p, img->pid);
        pt_problem_fd(p, h->fd);
    }
    if (p != NULL)
        pt_problem_message(p, "%s", t.buf);
    return p != NULL;
}

/* A read, or a poll whose set is all pipes and waits for input on one. */
static int waits_for_input(const struct pt_waitfor *g, const struct pt_wf_node *n) {
    if (n->call == PT_WF_READ)
        return 1;
    if (n->call != PT_WF_POLL || n->other_waker)
        return 0;
    for (size_t i = 0; i < n->nedges; i++)
        if (g->edges[n->first_edge + i].for_input)
            return 1;
    return 0;
}

/* Whether the node of pid wrote to pipe (in any of pid's images). */
static int wrote_to(const struct pt_waitfor *g, const struct pt_pipe *pipe, int32_t pid) {
    for (size_t i = 0; i < pipe->nuses; i++)
        if (pipe->uses[i].calls_written > 0 && g->model->images[pipe->uses[i].image].pid == pid)
            return 1;
    return 0;
}

/* Whether node h can go on by itself now: it runs (no traced call in
 * progress), or waits for a child that runs (`echo a; sleep 9; echo b`'s
 * shell waiting for its sleep).  A process that is gone cannot. */
static int goes_on(const struct pt_waitfor *g, size_t h) {
    const struct pt_wf_node *n = &g->nodes[h];
    if (!n->live)
        return 0;
    if (n->call == PT_WF_NONE)
        return 1;
    if (n->call != PT_WF_WAIT)
        return 0;
    for (size_t i = 0; i < n->nedges; i++) {
        const struct pt_wf_node *child = &g->nodes[g->edges[n->first_edge + i].to];
        if (child->live && child->call == PT_WF_NONE)
            return 1;
    }
    return 0;
}

/* On a trace still being written, a reader waiting for a writer that can
 * still go on is no verdict yet: the writer may still write or close.  A
 * writer is a holder that wrote to the pipe, or, while nothing was written
 * to it at all, one that holds it as its stdout or stderr (a pipeline stage
 * still working out its first line).  A holder that never wrote where
 * another process did (a background server left holding a command
 * substitution's pipe) is the bug, and still told. */
static int waits_on_running_writer(const struct pt_waitfor *g, size_t node) {
    const struct pt_wf_node *n = &g->nodes[node];
    if (!g->live_trace || g->at_cut)
        return 0;
    for (size_t i = 0; i < n->nedges; i++) {
        const struct pt_wf_edge *e = &g->edges[n->first_edge + i];
        const struct pt_pipe *pipe = pt_model_pipe(g->model, e->obj);
        if (!e->for_input || e->to == node || pipe == NULL || !goes_on(g, e->to))
            continue;
        if (wrote_to(g, pipe, g->nodes[e->to].pid))
            return 1;
        if (pipe->bytes_written == 0 && (e->holder_fd == 1 || e->holder_fd == 2))
            return 1;
    }
    return 0;
}

void pt_waitfor_report(struct pt_check *c) {
    struct pt_waitfor g;
    pt_waitfor_build(&g, c->model);
    int *reported = pt_xcalloc(g.nnodes ? g.nnodes : 1, sizeof *reported);
    deadlocks(c, &g, reported);
    for (size_t i = 0; i < g.nnodes; i++) {
        const struct pt_wf_node *n = &g.nodes[i];
        if (reported[i] || !waits_for_input(&g, n))
            continue;
        if (n->killed && n->image != PT_NO_IMAGE && killed_reader(c, &g, i))
            continue;
        if (n->nedges > 0 && !waits_on_running_writer(&g, i))
            blocked_read(c, &g, i, NULL, 0);
    }
    free(reported);
    pt_waitfor_free(&g);
}
