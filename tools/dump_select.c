/* Which events `pipetrace dump` shows, decided in time order.
 *
 * Two things need the trace's history, not just the record at hand:
 * --tree (a process is a descendant when a traced ancestor forked or
 * spawned it) and telling an inherited fd that changed nothing from one
 * that did.  Each image keeps a small table of what its fds referred to,
 * learnt from its records; a fork or spawn hands a copy to the child's
 * first image, a successful exec to the next image of the same pid.  An
 * inherited_fd record that agrees with that table only repeats what the
 * process already had: bookkeeping, like module and callsite records. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "dump_filter.h"
#include "trace/events.h"
#include "trace/objkey.h"
#include "trace/payload.h"
#include "trace/waitset.h"
#include "trace/xalloc.h"
#include "trace/xfer.h"

#define BIT(type) ((uint64_t)1 << (type))
#define ACC_MASK (PT_FDF_RDONLY | PT_FDF_WRONLY)
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1u << 2)
#endif

struct fd_obj {
    int32_t fd;
    uint8_t kind;
    uint8_t acc; /* PT_FDF_RDONLY / WRONLY when known, else 0 */
    struct pt_objkey obj;
};

struct fd_table {
    struct fd_obj *v;
    size_t len, cap;
};

struct dump_image_state {
    int started;
    int selected; /* by --exe, which needs no history */
    int listed;   /* its pid was given to --pid */
    int in_tree;
    int predicted; /* table (and tree membership) handed over by the parent
                      or the previous image */
    int pred_in_tree;
    int has_table; /* fds holds what it was handed (by prediction, or its
                      parent's table when it began) */
    int shown;     /* an event of this image was shown, in any pass */
    struct fd_table fds;
};

/* --- fd tables ------------------------------------------------------------ */

static struct fd_obj *fd_find(struct fd_table *t, int32_t fd) {
    for (size_t i = 0; i < t->len; i++)
        if (t->v[i].fd == fd)
            return &t->v[i];
    return NULL;
}

static void fd_put(struct dump_select *s, struct fd_table *t, int32_t fd, unsigned kind,
                   unsigned acc, struct pt_objkey obj) {
    (void)s; /* kept for its callers' one shape */
    if (fd < 0 || kind == PT_OBJ_UNKNOWN)
        return;
    struct fd_obj *e = fd_find(t, fd);
    if (e == NULL) {
        PT_GROW(t->v, t->len + 1, t->cap);
        e = &t->v[t->len++];
    }
    *e = (struct fd_obj){.fd = fd, .kind = (uint8_t)kind, .acc = (uint8_t)acc, .obj = obj};
}

static void fd_remove_range(struct fd_table *t, int64_t first, int64_t last) {
    for (size_t i = 0; i < t->len;)
        if (t->v[i].fd >= first && t->v[i].fd <= last)
            t->v[i] = t->v[--t->len];
        else
            i++;
}

static void fd_copy(struct dump_select *s, struct fd_table *to, const struct fd_table *from) {
    to->len = 0;
    for (size_t i = 0; i < from->len; i++)
        fd_put(s, to, from->v[i].fd, from->v[i].kind, from->v[i].acc, from->v[i].obj);
}

static unsigned rec_acc(const struct pt_record *r) {
    return r->fd_flags & PT_FDF_KNOWN ? r->fd_flags & ACC_MASK : 0;
}

/* The inherited fd is the one the table already had: same object, and the
 * same end when both know it. */
static int fd_unchanged(struct fd_table *t, const struct pt_record *r) {
    struct fd_obj *e = fd_find(t, r->fd);
    unsigned acc = rec_acc(r);
    return e != NULL && e->kind == r->obj_kind && pt_objkey_eq(e->obj, pt_objkey_of(r)) &&
           (e->acc == 0 || acc == 0 || e->acc == acc);
}

/* --- images ----------------------------------------------------------------- */

static int matches_word(const char *arg, const char *word) {
    const char *slash = strrchr(arg, '/');
    return strcmp(arg, word) == 0 || (slash != NULL && strcmp(slash + 1, word) == 0);
}

/* --exe=WORD: the program's file name, or any word of its command line
 * (itself or its last path component: python3 for /usr/bin/python3 and
 * for a script run as `python3 x.py`, x.py for the script). */
static int exe_matches(const struct pt_file *file, const char *word) {
    if (matches_word(file->exe, word))
        return 1;
    for (uint32_t i = 0; i < file->argc; i++)
        if (matches_word(file->argv[i], word))
            return 1;
    return 0;
}

static int exe_selected(const struct dump_filter *f, const struct pt_file *file) {
    int ok = f->nexes == 0;
    for (size_t i = 0; i < f->nexes && !ok; i++)
        ok = exe_matches(file, f->exes[i]);
    return ok;
}

static int pid_listed(const struct dump_filter *f, int32_t pid) {
    for (size_t i = 0; i < f->npids; i++)
        if (f->pids[i] == pid)
            return 1;
    return 0;
}

/* --pid and --tree add up: the processes listed, and the trees. */
static int process_selected(const struct dump_filter *f, const struct dump_image_state *st) {
    if (!st->selected)
        return 0;
    if (f->npids == 0 && f->ntrees == 0)
        return 1;
    return st->listed || st->in_tree;
}

/* The files of one pid are next to each other, in image order (pt_dir
 * sorts them so): the first, or d->count when none. */
static size_t first_file_of(const struct pt_dir *d, int32_t pid) {
    size_t lo = 0, hi = d->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->files[mid].hdr->pid < pid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < d->count && d->files[lo].hdr->pid == pid ? lo : d->count;
}

/* The image of pid that will begin next: its first one not started yet. */
static size_t next_image_of(const struct dump_select *s, int32_t pid) {
    const struct pt_dir *d = s->dir;
    for (size_t i = first_file_of(d, pid); i < d->count && d->files[i].hdr->pid == pid; i++)
        if (!s->images[i].started)
            return i;
    return d->count;
}

static int pid_in_tree(const struct dump_select *s, int32_t pid) {
    const struct pt_dir *d = s->dir;
    for (size_t i = first_file_of(d, pid); i < d->count && d->files[i].hdr->pid == pid; i++)
        if (s->images[i].in_tree)
            return 1;
    return 0;
}

/* The image of pid that is running now: its last one started, or
 * d->count. */
static size_t current_image_of(const struct dump_select *s, int32_t pid) {
    const struct pt_dir *d = s->dir;
    size_t found = d->count;
    for (size_t i = first_file_of(d, pid); i < d->count && d->files[i].hdr->pid == pid; i++)
        if (s->images[i].started)
            found = i;
    return found;
}

static void start_image(struct dump_select *s, size_t i) {
    struct dump_image_state *st = &s->images[i];
    int32_t pid = s->dir->files[i].hdr->pid;
    /* No fork or spawn record handed it a table (popen and system start
     * their children inside libc): the parent's fds as they are now are
     * the best prediction the trace has. */
    size_t parent = current_image_of(s, s->dir->files[i].hdr->ppid);
    if (!st->predicted && parent != s->dir->count && parent != i)
        fd_copy(s, &st->fds, &s->images[parent].fds);
    st->has_table = st->predicted || (parent != s->dir->count && parent != i);
    st->started = 1;
    st->in_tree = 0;
    for (size_t k = 0; k < s->filter->ntrees && !st->in_tree; k++)
        st->in_tree = s->filter->trees[k] == pid;
    if (!st->in_tree)
        st->in_tree = st->predicted ? st->pred_in_tree : pid_in_tree(s, s->dir->files[i].hdr->ppid);
}

/* Hands image i's table to the image of pid that begins next. */
static void predict(struct dump_select *s, size_t i, int32_t pid) {
    size_t next = next_image_of(s, pid);
    if (next == s->dir->count || next == i)
        return;
    struct dump_image_state *to = &s->images[next];
    fd_copy(s, &to->fds, &s->images[i].fds);
    to->predicted = 1;
    to->pred_in_tree = s->images[i].in_tree;
}

/* --- learning from records ------------------------------------------------- */

static void learn_pipe(struct dump_select *s, struct fd_table *t, const struct pt_event *ev) {
    struct pt_pipe_payload p;
    const struct pt_record *r = ev->rec;
    const struct pt_event_info *row = pt_event_info(r->type);
    if (r->state != PT_DONE || r->result < 0 || !pt_payload_pair(ev, &p))
        return;
    int one_way = row->makes_kind == PT_OBJ_PIPE; /* a socket pair's ends are not */
    unsigned kind = r->obj_kind != PT_OBJ_UNKNOWN ? r->obj_kind : row->makes_kind;
    fd_put(s, t, p.fds[0], kind, one_way ? PT_FDF_RDONLY : 0,
           (struct pt_objkey){p.ino[0], r->obj_dev});
    fd_put(s, t, p.fds[1], kind, one_way ? PT_FDF_WRONLY : 0,
           (struct pt_objkey){p.ino[1], r->obj_dev});
}

static int is_dupfd(const struct pt_record *r) {
    int cmd = (int)(uint32_t)r->arg;
    return pt_event_info(r->type)->cls == PT_CLASS_FCNTL &&
           (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC);
}

static void learn(struct dump_select *s, size_t i, const struct pt_event *ev) {
    struct fd_table *t = &s->images[i].fds;
    const struct pt_record *r = ev->rec;
    const struct pt_event_info *row = pt_event_info(r->type);
    int done = r->state == PT_DONE;
    int32_t pid = s->dir->files[i].hdr->pid;
    /* The recorder's notes other than inherited_fd (which the caller
     * learns) say nothing about what an fd is. */
    if (row->flags & PT_EVF_META)
        return;
    switch (row->cls) {
    case PT_CLASS_PAIR:
        learn_pipe(s, t, ev);
        return;
    case PT_CLASS_DUP:
        fd_put(s, t, r->fd, r->obj_kind, rec_acc(r), pt_objkey_of(r));
        if (done && r->result >= 0)
            fd_put(s, t, (int32_t)r->result, r->obj_kind, rec_acc(r), pt_objkey_of(r));
        return;
    case PT_CLASS_CLOSE:
        if (done)
            fd_remove_range(t, r->fd, r->fd);
        return;
    case PT_CLASS_CLOSE_RANGE:
        if (done && r->result == 0 && !((r->arg >> 32) & CLOSE_RANGE_CLOEXEC))
            fd_remove_range(t, r->fd, (uint32_t)r->arg);
        return;
    case PT_CLASS_FORK:
        if (done && r->result > 0)
            predict(s, i, (int32_t)r->result);
        return;
    case PT_CLASS_EXEC:
        if (r->state == PT_BEGUN) /* it succeeded: the next image is ours */
            predict(s, i, pid);
        return;
    default:
        break;
    }
    if (is_dupfd(r) && done && r->result >= 0)
        fd_put(s, t, (int32_t)r->result, r->obj_kind, rec_acc(r), pt_objkey_of(r));
    /* Any other call on an fd says what the fd is now. */
    fd_put(s, t, r->fd, r->obj_kind, rec_acc(r), pt_objkey_of(r));
}

/* --- deciding ---------------------------------------------------------------- */

static int is_bookkeeping(struct dump_select *s, size_t i, const struct pt_record *r) {
    const struct pt_event_info *row = pt_event_info(r->type);
    if (row->flags & PT_EVF_HIDDEN)
        return 1;
    if (row->cls == PT_CLASS_INHERITED)
        return s->images[i].has_table && fd_unchanged(&s->images[i].fds, r);
    return 0;
}

/* A call on one of the pipes, or the one that made it (both ends of a
 * pair are on the record's device, of the record's kind). */
/* A poll or select whose set holds an fd on the pipe, or an epoll_ctl
 * whose target is one: the fd's object from the image's table.  (Which
 * set an epoll_wait waits on is the analysis's business.) */
static int waits_on(const struct pipe_spec *want, struct fd_table *t, const struct pt_event *ev) {
    struct pt_waitfd set[PT_WAIT_STORED_MAX];
    int32_t epfd, target;
    int op;
    uint32_t events;
    int n = pt_waitset(ev, set, PT_WAIT_STORED_MAX, &epfd);
    if (n < 0 && pt_epoll_ctl_args(ev, &op, &target, &events) == 0) {
        set[0].fd = target;
        n = 1;
    }
    for (int i = 0; i < n; i++) {
        const struct fd_obj *e = fd_find(t, set[i].fd);
        if (e != NULL && pipe_spec_matches(want, e->kind, e->obj))
            return 1;
    }
    return 0;
}

/* A splice, tee, sendfile or copy_file_range whose bytes entered the pipe
 * (the record's own fd is the one they left). */
static int moves_into(const struct pipe_spec *want, const struct pt_event *ev) {
    struct pt_xfer_payload x;
    return pt_payload_xfer(ev, &x) && x.kind_out != PT_OBJ_UNKNOWN &&
           pipe_spec_matches(want, x.kind_out, (struct pt_objkey){x.ino_out, x.dev_out});
}

static int on_pipe(const struct dump_filter *f, struct fd_table *t, const struct pt_event *ev) {
    const struct pt_record *r = ev->rec;
    struct pt_pipe_payload p;
    const struct pt_event_info *row = pt_event_info(r->type);
    int have_pair = row->payload == PT_PAYLOAD_PAIR && pt_payload_pair(ev, &p);
    unsigned pair_kind = r->obj_kind != PT_OBJ_UNKNOWN ? r->obj_kind : row->makes_kind;
    for (size_t k = 0; k < f->npipes; k++) {
        const struct pipe_spec *want = &f->pipes[k];
        if (r->obj_kind != PT_OBJ_UNKNOWN && pipe_spec_matches(want, r->obj_kind, pt_objkey_of(r)))
            return 1;
        for (int end = 0; have_pair && end < 2; end++)
            if (pipe_spec_matches(want, pair_kind, (struct pt_objkey){p.ino[end], r->obj_dev}))
                return 1;
        if (waits_on(want, t, ev) || moves_into(want, ev))
            return 1;
    }
    return 0;
}

int dump_select_event(struct dump_select *s, const struct pt_merged *m) {
    const struct dump_filter *f = s->filter;
    /* Everything is shown: no history to follow. */
    if ((s->json || f->all) && !dump_filter_active(f))
        return 1;
    const struct pt_record *r = m->ev.rec;
    size_t i = m->file_index;
    struct dump_image_state *st = &s->images[i];
    if (!st->started)
        start_image(s, i);
    int show = process_selected(f, st) &&
               (!f->calls_given || (r->type <= PT_EV_MAX && (f->calls & BIT(r->type)))) &&
               (f->npipes == 0 || on_pipe(f, &st->fds, &m->ev));
    if (show && !s->json && !f->all && r->type <= PT_EV_MAX && !(f->calls_named & BIT(r->type)))
        show = !is_bookkeeping(s, i, r);
    if (pt_event_info(r->type)->cls == PT_CLASS_INHERITED)
        fd_put(s, &st->fds, r->fd, r->obj_kind, rec_acc(r), pt_objkey_of(r));
    else
        learn(s, i, &m->ev);
    if (show)
        st->shown = 1;
    return show;
}

int dump_select_image(const struct dump_select *s, size_t i) {
    const struct dump_filter *f = s->filter;
    if (!dump_filter_active(f))
        return 1;
    const struct dump_image_state *st = &s->images[i];
    int events_filtered = f->calls_given || f->npipes > 0;
    if (events_filtered)
        return st->shown;
    return process_selected(f, st);
}

/* --- lifetime ----------------------------------------------------------------- */

int dump_select_init(struct dump_select *s, const struct dump_filter *f, const struct pt_dir *d,
                     int json) {
    *s = (struct dump_select){.filter = f, .dir = d, .json = json};
    s->images = pt_xcalloc(d->count, sizeof *s->images);
    for (size_t i = 0; i < d->count; i++) {
        s->images[i].selected = exe_selected(f, &d->files[i]);
        s->images[i].listed = pid_listed(f, d->files[i].hdr->pid);
    }
    return 0;
}

void dump_select_rewind(struct dump_select *s) {
    for (size_t i = 0; i < s->dir->count; i++) {
        struct dump_image_state *st = &s->images[i];
        st->started = st->predicted = st->pred_in_tree = st->has_table = 0;
        st->fds.len = 0;
    }
}

void dump_select_free(struct dump_select *s) {
    if (s->images != NULL)
        for (size_t i = 0; i < s->dir->count; i++)
            free(s->images[i].fds.v);
    free(s->images);
    s->images = NULL;
}
