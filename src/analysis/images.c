/* Where an image's fds come from when it starts (fork, spawn, exec or the
 * world outside the trace), and how images end. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "model_impl.h"
#include "trace/xalloc.h"

void pt_image_end_table(struct pt_model *m, struct pt_image *img) {
    if (img->finished)
        return;
    (void)m;
    img->finished = 1;
    pt_fdtable_copy(&img->final, &img->fds);
}

/* --- forks by child pid: a hash of each pid's latest fork, chained to the
 * earlier ones (a pid may be reused) ----------------------------------- */

static size_t *fork_slot(size_t *hash, size_t cap, const struct pt_fork *forks, int32_t pid) {
    size_t i = ((uint32_t)pid * 0x9E3779B1u) & (cap - 1);
    while (hash[i] != 0 && forks[hash[i] - 1].child_pid != pid)
        i = (i + 1) & (cap - 1);
    return &hash[i];
}

/* Keeps the hash at most half full. */
static void fork_hash_grow(struct pt_model *m) {
    if ((m->nforks + 1) * 2 <= m->fork_hash_cap)
        return;
    size_t cap = m->fork_hash_cap ? m->fork_hash_cap * 2 : 64;
    size_t *hash = pt_xcalloc(cap, sizeof *hash);
    for (size_t i = 0; i < m->nforks; i++) /* later forks overwrite earlier */
        *fork_slot(hash, cap, m->forks, m->forks[i].child_pid) = i + 1;
    free(m->fork_by_pid);
    m->fork_by_pid = hash;
    m->fork_hash_cap = cap;
}

/* The fork or spawn record that made pid, not yet claimed. */
static struct pt_fork *find_fork(struct pt_model *m, int32_t pid) {
    if (m->fork_hash_cap == 0)
        return NULL;
    size_t i = *fork_slot(m->fork_by_pid, m->fork_hash_cap, m->forks, pid);
    for (; i != 0; i = m->forks[i - 1].prev_same_pid)
        if (!m->forks[i - 1].taken)
            return &m->forks[i - 1];
    return NULL;
}

/* The latest system() or popen() call of img's parent that began before
 * img and whose child is not yet found: libc starts that child without a
 * fork record, so its pid is only known from the child's side (popen
 * returns before its child may have run).  Unnamed spawns are kept under
 * pid 0. */
static struct pt_fork *find_unnamed(struct pt_model *m, const struct pt_image *img) {
    if (m->fork_hash_cap == 0 || img->prev_image != PT_NO_IMAGE)
        return NULL;
    size_t i = *fork_slot(m->fork_by_pid, m->fork_hash_cap, m->forks, 0);
    for (; i != 0; i = m->forks[i - 1].prev_same_pid) {
        struct pt_fork *f = &m->forks[i - 1];
        if (!f->taken && m->images[f->parent_image].pid == img->ppid && f->t <= img->start)
            return f;
    }
    return NULL;
}

/* The image that exec'd into img: the same pid, the image number before,
 * and its exec record seen. */
static struct pt_image *exec_predecessor(struct pt_model *m, struct pt_image *img) {
    if (img->index == 0 || img->fork_child)
        return NULL;
    struct pt_image *p = &m->images[img->index - 1];
    if (p->pid != img->pid || p->end != PT_END_EXEC || p->next_image != PT_NO_IMAGE)
        return NULL;
    return p;
}

/* Adds to out an entry for each fd of src that the step passes on. */
static void predict_from(struct pt_model *m, struct pt_image *img, struct pt_fdtable *out,
                         const struct pt_fdtable *src, enum pt_origin_how how, int32_t from_pid,
                         int then_exec) {
    int drops_cloexec = how != PT_ORIGIN_FORK || then_exec;
    for (size_t i = 0; i < src->len; i++) {
        const struct pt_fdent *s = &src->v[i];
        if (drops_cloexec && (s->flags & PT_FDF_CLOEXEC))
            continue;
        struct pt_origin *o = pt_origin_new(m, how, img, s->fd, img->start, s->origin);
        o->from_pid = from_pid;
        if (then_exec)
            o = pt_origin_new(m, PT_ORIGIN_EXEC, img, s->fd, img->start, o);
        struct pt_fdent *e = pt_fdtable_put(out, s->fd);
        *e = *s;
        e->origin = o;
        e->inherited = 1;
        e->used = 0;
        e->created_here = 0;
        e->holder = PT_NO_IMAGE;
        e->holder_in = PT_NO_IMAGE;
        e->flags &= (uint8_t)~PT_FDF_CLOEXEC & 0xff;
        if (how == PT_ORIGIN_FORK && !then_exec)
            e->flags |= s->flags & PT_FDF_CLOEXEC;
    }
}

/* What the image should hold when it starts. */
static void predict(struct pt_model *m, struct pt_image *img, struct pt_fdtable *out) {
    struct pt_image *prev = exec_predecessor(m, img);
    if (prev != NULL) {
        prev->next_image = img->index;
        img->prev_image = prev->index;
        pt_image_end_table(m, prev);
        predict_from(m, img, out, &prev->fds, PT_ORIGIN_EXEC, img->pid, 0);
        while (prev->fds.len > 0)
            pt_fd_close(m, prev, prev->fds.v[prev->fds.len - 1].fd, prev->t_end);
        return;
    }
    struct pt_fork *f = find_fork(m, img->pid);
    if (f == NULL)
        f = find_unnamed(m, img);
    if (f == NULL)
        return;
    f->taken = 1;
    int32_t parent = m->images[f->parent_image].pid;
    if (f->spawn)
        predict_from(m, img, out, &f->fds, PT_ORIGIN_SPAWN, parent, 0);
    else
        predict_from(m, img, out, &f->fds, PT_ORIGIN_FORK, parent, !img->fork_child);
    pt_fdtable_free(&f->fds);
}

void pt_image_start(struct pt_model *m, struct pt_image *img, unsigned first_type) {
    struct pt_fdtable predicted = {0};
    img->started = 1;
    predict(m, img, &predicted);
    if (first_type == PT_EV_INHERITED_FD) {
        /* The image's own list of what it found open is the truth; the
         * prediction only says where each fd came from. */
        img->carried = predicted;
        img->reading_inherited = 1;
        img->has_inherited = 1;
        return;
    }
    for (size_t i = 0; i < predicted.len; i++) {
        struct pt_fdent s = predicted.v[i];
        struct pt_fdent *e = pt_fd_open(m, img, s.fd, s.kind, s.obj, s.flags, s.origin, img->start);
        if (e != NULL)
            e->inherited = 1;
    }
    pt_fdtable_free(&predicted);
}

void pt_image_inherited_fd(struct pt_model *m, struct pt_image *img, const struct pt_record *r) {
    if (!img->reading_inherited || r->fd < 0)
        return;
    const struct pt_fdent *c = pt_fdtable_find(&img->carried, r->fd);
    struct pt_origin *o;
    if (c != NULL && (r->obj_ino == 0 || pt_objkey_eq(c->obj, pt_objkey_of(r)))) {
        o = c->origin;
    } else {
        int outside = img->prev_image == PT_NO_IMAGE && c == NULL;
        o = pt_origin_new(m, outside ? PT_ORIGIN_OUTSIDE : PT_ORIGIN_UNKNOWN, img, r->fd,
                          r->t_start, NULL);
    }
    uint8_t flags = (r->fd_flags & PT_FDF_KNOWN) ? r->fd_flags : 0;
    struct pt_fdent *e =
        pt_fd_open(m, img, r->fd, r->obj_kind, pt_objkey_of(r), flags, o, r->t_start);
    if (e != NULL)
        e->inherited = 1;
}

void pt_image_inherited_done(struct pt_model *m, struct pt_image *img) {
    (void)m;
    img->reading_inherited = 0;
    pt_fdtable_free(&img->carried);
}

/* Keeps the fds a child of img starts with, under its pid (0: not known). */
static void keep_fork(struct pt_model *m, struct pt_image *img, const struct pt_record *r,
                      int32_t child_pid, int spawn) {
    PT_GROW(m->forks, m->nforks + 1, m->cap_forks);
    fork_hash_grow(m);
    struct pt_fork *f = &m->forks[m->nforks];
    memset(f, 0, sizeof *f);
    f->child_pid = child_pid;
    size_t *slot = fork_slot(m->fork_by_pid, m->fork_hash_cap, m->forks, f->child_pid);
    f->parent_image = img->index;
    f->spawn = spawn;
    f->t = r->t_start;
    pt_fdtable_copy(&f->fds, &img->fds);
    f->prev_same_pid = *slot;
    *slot = ++m->nforks;
}

void pt_image_forked(struct pt_model *m, struct pt_image *img, const struct pt_record *r,
                     int spawn) {
    if (r->state != PT_DONE || r->result <= 0 || r->result > INT32_MAX)
        return;
    keep_fork(m, img, r, (int32_t)r->result, spawn);
}

void pt_image_spawned_unnamed(struct pt_model *m, struct pt_image *img, const struct pt_record *r) {
    keep_fork(m, img, r, 0, 1);
}

/* Keeps a wait for a pid that has no trace file: an untraced child's end. */
static void keep_wait(struct pt_model *m, int32_t pid, int status, uint64_t t) {
    PT_GROW(m->waits, m->nwaits + 1, m->cap_waits);
    m->waits[m->nwaits++] = (struct pt_wait){pid, status, t};
}

void pt_image_waited_for(struct pt_model *m, int32_t pid, int status, uint64_t t) {
    if (pid <= 0)
        return;
    size_t i = pt_model_image_of(m, pid, t);
    if (i == PT_NO_IMAGE) {
        keep_wait(m, pid, status, t);
        return;
    }
    /* The status belongs to the last image of that process. */
    while (m->images[i].next_image != PT_NO_IMAGE)
        i = m->images[i].next_image;
    m->images[i].wait_seen = 1;
    m->images[i].wait_status = status;
    if (m->images[i].t_end == 0)
        m->images[i].t_end = t;
}

void pt_image_waited(struct pt_model *m, struct pt_image *img, const struct pt_record *r) {
    (void)img;
    if (r->state != PT_DONE || r->result <= 0 || r->result > INT32_MAX)
        return;
    pt_image_waited_for(m, (int32_t)r->result, (int)r->arg, r->t_end);
}

/* A status from wait as an end. */
static void end_of_status(int st, enum pt_end_kind *end, int *code, int *sig) {
    if (WIFSIGNALED(st)) {
        *end = PT_END_SIGNAL;
        *sig = WTERMSIG(st);
    } else if (WIFEXITED(st)) {
        *end = PT_END_EXIT;
        *code = WEXITSTATUS(st);
    }
}

/* Decides how the image ended from its exit record and its parent's wait. */
static void settle_end(struct pt_image *img) {
    if (!img->wait_seen || img->end == PT_END_EXEC)
        return;
    enum pt_end_kind end = PT_END_NONE;
    int code = 0, sig = 0;
    end_of_status(img->wait_status, &end, &code, &sig);
    if (end == PT_END_SIGNAL || (end == PT_END_EXIT && img->end == PT_END_NONE)) {
        img->end = end;
        img->exit_code = end == PT_END_EXIT ? code : img->exit_code;
        img->exit_signal = sig;
        img->end_from_wait = 1;
    }
}

/* The last image exec'd a program that left no trace file, and the parent's
 * wait says the process is over: what it held went with it. */
static int over_after_exec(const struct pt_image *img) {
    return img->end == PT_END_EXEC && img->next_image == PT_NO_IMAGE && img->wait_seen;
}

/* The untraced record by which an image said it exec'd into a program the
 * library cannot enter. */
static const struct pt_untraced *self_untraced(const struct pt_image *img) {
    const struct pt_untraced *found = NULL;
    for (size_t i = 0; i < img->nuntraced; i++)
        if (img->untraced[i].self && !img->untraced[i].traced)
            found = &img->untraced[i];
    return found;
}

/* How the process ended and what it ran last, from its last image. */
static void settle_process(const struct pt_model *m, struct pt_process *p) {
    const struct pt_image *last = &m->images[p->last_image];
    p->exe = pt_image_exe(last);
    p->argv = last->file->argv;
    p->argc = last->file->argc;
    p->recorded = 1;
    p->t_end = last->t_end;
    if (last->end != PT_END_EXEC) {
        p->end = last->end;
        p->exit_code = last->exit_code;
        p->exit_signal = last->exit_signal;
        p->end_from_wait = last->end_from_wait;
        return;
    }
    /* The last exec succeeded and its program left no trace file. */
    p->recorded = 0;
    p->end = PT_END_NONE;
    if (last->exec_nstrings > 0) {
        p->exe = last->exec_argv[0];
        p->argv = (const char *const *)last->exec_argv + 1;
        p->argc = last->exec_nstrings - 1;
    }
    const struct pt_untraced *u = self_untraced(last);
    p->untraced = u != NULL ? u->reason : 0;
    if (last->wait_seen) {
        end_of_status(last->wait_status, &p->end, &p->exit_code, &p->exit_signal);
        p->end_from_wait = p->end != PT_END_NONE;
    }
}

static void build_processes(struct pt_model *m) {
    m->processes = pt_xcalloc(m->nfiles, sizeof *m->processes);
    for (size_t i = 0; i < m->nfiles; i++) {
        if (m->images[i].prev_image != PT_NO_IMAGE)
            continue;
        struct pt_process *p = &m->processes[m->nprocesses];
        p->pid = m->images[i].pid;
        p->ppid = m->images[i].ppid;
        p->first_image = p->last_image = i;
        for (size_t j = i; j != PT_NO_IMAGE; j = m->images[j].next_image) {
            m->images[j].process = m->nprocesses;
            p->last_image = j;
        }
        settle_process(m, p);
        m->nprocesses++;
    }
}

/* True when pid has a trace file of an image that began at or after t. */
static int traced_after(const struct pt_model *m, int32_t pid, uint64_t t) {
    size_t i = pt_model_image_of(m, pid, UINT64_MAX);
    return i != PT_NO_IMAGE && m->images[i].start >= t;
}

/* What each untraced record stands for: the image's own exec (self), a
 * child that was traced after all, or an untraced process whose end only
 * its parent's wait tells. */
static void resolve_untraced(struct pt_model *m) {
    for (size_t i = 0; i < m->nfiles; i++) {
        struct pt_image *img = &m->images[i];
        for (size_t k = 0; k < img->nuntraced; k++) {
            struct pt_untraced *u = &img->untraced[k];
            u->self = u->pid == img->pid || u->pid == 0;
            if (u->self) {
                u->traced = img->end != PT_END_EXEC || img->next_image != PT_NO_IMAGE;
                continue;
            }
            u->traced = traced_after(m, u->pid, u->t);
            for (size_t w = 0; !u->traced && w < m->nwaits; w++)
                if (m->waits[w].pid == u->pid && m->waits[w].t >= u->t) {
                    end_of_status(m->waits[w].status, &u->end, &u->exit_code, &u->exit_signal);
                    break;
                }
        }
    }
}

/* #1, #2, ... over the pipes a reader is shown, in the order first seen. */
static void number_pipes(struct pt_model *m) {
    unsigned n = 0;
    for (size_t i = 0; i < m->npipes; i++)
        m->pipes[i]->number = pt_pipe_shown(m->pipes[i]) ? ++n : 0;
}

void pt_model_finish(struct pt_model *m) {
    /* Before the images settle: an untraced record decides whether an
     * image's exec ended its process's record. */
    resolve_untraced(m);
    pt_model_ghosts(m);
    pt_pipes_infer_writes(m);
    for (size_t i = 0; i < m->nfiles; i++) {
        struct pt_image *img = &m->images[i];
        if (img->reading_inherited)
            pt_image_inherited_done(m, img);
        settle_end(img);
        pt_image_end_table(m, img);
        /* A dead process holds nothing any more: end its holds. */
        m->ending = 1;
        if (img->end == PT_END_EXIT || img->end == PT_END_SIGNAL || over_after_exec(img))
            while (img->fds.len > 0)
                pt_fd_close(m, img, img->fds.v[img->fds.len - 1].fd,
                            img->t_end > img->last_t ? img->t_end : img->last_t);
        m->ending = 0;
    }
    build_processes(m);
    number_pipes(m);
}
