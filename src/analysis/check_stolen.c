/* stolen-input: a child that inherited a read end its parent reads from and
 * consumed bytes the parent meant for itself: `seq 5 | while read l; do
 * ssh host cmd; done`, where ssh (reading its stdin, the loop's) swallows
 * the items the loop was to read next.
 *
 * The evidence is the order of the reads on one pipe: the parent (or an
 * earlier ancestor) read it before the child's first read got bytes, the
 * child got bytes, and the parent read it again after the child's last
 * read: it came back for input the child had taken.  A parent that hands
 * its stdin on and stops reading (a pipeline stage, a shell whose last
 * command is `cat`, `{ read header; sort; }`) never reads after the child,
 * and a child that reads nothing (`cmd < /dev/null`, xargs's children) took
 * nothing: both are silent.  A pipe the parent writes to as well is a pool
 * of tokens (make's jobserver), not an input, and is skipped. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "trace/events.h"
#include "trace/names.h"
#include "trace/xalloc.h"

/* What one process did with one pipe. */
struct pipe_user {
    int32_t pid;
    uint64_t first_t, last_t;   /* its first and last read (any result) */
    uint64_t first_got_t;       /* its first read that got bytes (0: none) */
    uint64_t last_got_t;        /* its last read that got bytes */
    uint64_t bytes;             /* read */
    int wrote;                  /* it wrote to the pipe too */
    struct pt_record first_got; /* a copy, for the evidence */
};

struct stolen_pipe {
    struct pipe_user *users;
    size_t nusers, cap;
};

struct pt_check_stolen {
    struct stolen_pipe *pipes; /* by pipe id - 1 */
    size_t npipes;
};

#define PT_STOLEN_ANCESTRY_MAX 16 /* how far up a child's ancestors are looked */

static struct stolen_pipe *pipe_of(struct pt_check *c, unsigned id) {
    struct pt_check_stolen *st = c->stolen;
    if (id > st->npipes) {
        size_t n = id + 16;
        struct stolen_pipe *v = pt_xreallocarray(st->pipes, n, sizeof *v);
        memset(v + st->npipes, 0, (n - st->npipes) * sizeof *v);
        st->pipes = v;
        st->npipes = n;
    }
    return &st->pipes[id - 1];
}

static struct pipe_user *user_of(struct stolen_pipe *sp, int32_t pid) {
    for (size_t i = 0; i < sp->nusers; i++)
        if (sp->users[i].pid == pid)
            return &sp->users[i];
    PT_GROW(sp->users, sp->nusers + 1, sp->cap);
    struct pipe_user *u = &sp->users[sp->nusers++];
    memset(u, 0, sizeof *u);
    u->pid = pid;
    return u;
}

void pt_check_stolen_observe(struct pt_check *c, struct pt_image *img, const struct pt_record *r) {
    if (c->stolen == NULL || !pt_event_moves_data(r->type) || r->state != PT_DONE ||
        (r->obj_kind != PT_OBJ_PIPE && r->obj_kind != PT_OBJ_FIFO))
        return;
    const struct pt_pipe *pp = pt_model_pipe(c->model, pt_objkey_of(r));
    struct stolen_pipe *sp = pp ? pipe_of(c, pp->id) : NULL;
    struct pipe_user *u = sp ? user_of(sp, img->pid) : NULL;
    if (u == NULL)
        return;
    if (pt_event_writes(r->type)) {
        u->wrote |= r->result > 0;
        return;
    }
    if (u->first_t == 0)
        u->first_t = r->t_start;
    u->last_t = r->t_start;
    if (r->result <= 0)
        return;
    u->bytes += (uint64_t)r->result;
    if (u->first_got_t == 0) {
        u->first_got_t = r->t_start;
        u->first_got = *r;
    }
    u->last_got_t = r->t_start;
}

/* Whether `ancestor` is the parent, grandparent, ... of pid. */
static int descends_from(const struct pt_model *m, int32_t pid, int32_t ancestor) {
    for (int depth = 0; depth < PT_STOLEN_ANCESTRY_MAX; depth++) {
        const struct pt_process *p = pt_model_process(m, pid);
        if (p == NULL || p->ppid == pid)
            return 0;
        if (p->ppid == ancestor)
            return 1;
        pid = p->ppid;
    }
    return 0;
}

/* The child took input the parent came back for. */
static int stole_from(const struct pt_model *m, const struct pipe_user *child,
                      const struct pipe_user *parent) {
    return child->bytes > 0 && !parent->wrote && parent->first_t != 0 &&
           parent->first_t < child->first_got_t && parent->last_t > child->last_got_t &&
           descends_from(m, child->pid, parent->pid);
}

static const char *name_of(const struct pt_model *m, int32_t pid, uint64_t t) {
    size_t i = pt_model_image_of(m, pid, t);
    return i != PT_NO_IMAGE ? pt_short_exe(&m->images[i]) : "?";
}

static const char fix[] =
    "Give the command its own input: run it with `< /dev/null` (ssh -n), or read the loop's "
    "items from a dedicated fd (`while read -r item <&3; do ...; done 3< file`, or a pipe "
    "made for the loop) so the commands it runs cannot read them.";

/* Appends to buf at *used, as far as it goes. */
static void append(char *buf, size_t len, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t len, size_t *used, const char *fmt, ...) {
    if (*used + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *used, len - *used, fmt, ap);
    va_end(ap);
    if (k > 0)
        *used += (size_t)k < len - *used ? (size_t)k : len - *used - 1;
}

static void report(struct pt_check *c, const struct stolen_pipe *sp, const struct pipe_user *parent,
                   const struct pt_pipe *pp) {
    struct pt_problem *p = pt_problem_add(c->out, "stolen-input", fix);
    if (p == NULL)
        return;
    const struct pt_model *m = c->model;
    char takers[512], each[256];
    size_t used = 0, used_each = 0, n = 0;
    uint64_t taken = 0;
    const struct pipe_user *first = NULL;
    for (size_t i = 0; i < sp->nusers; i++) {
        const struct pipe_user *child = &sp->users[i];
        if (!stole_from(m, child, parent))
            continue;
        if (first == NULL) {
            first = child;
            pt_problem_about(p, child->pid, &child->first_got);
            pt_problem_pid(p, parent->pid);
        } else {
            pt_problem_pid(p, child->pid);
            pt_problem_evidence(p, child->pid, &child->first_got);
        }
        taken += child->bytes;
        n++;
        append(takers, sizeof takers, &used, "%spid %" PRId32 " (%s)", used ? ", " : "", child->pid,
               name_of(m, child->pid, child->first_got_t));
        append(each, sizeof each, &used_each, "%spid %" PRId32 " %" PRIu64, used_each ? ", " : "",
               child->pid, child->bytes);
    }
    if (first == NULL)
        return;
    pt_problem_message(p,
                       "%s inherited the read end (fd %d) of pipe:[%" PRIu64 "] that pid %" PRId32
                       " (%s), which started %s, reads from, and took %" PRIu64 " of the %" PRIu64
                       " bytes read from it%s%s%s: input the parent meant for itself.  The "
                       "parent got %" PRIu64 " bytes: it read the pipe before the child and came "
                       "back for more after",
                       takers, first->first_got.fd, pp->obj.ino, parent->pid,
                       name_of(m, parent->pid, parent->last_t), n == 1 ? "it" : "them", taken,
                       pp->bytes_read, n > 1 ? " (" : "", n > 1 ? each : "", n > 1 ? ")" : "",
                       parent->bytes);
}

void pt_check_stolen_finish(struct pt_check *c) {
    if (c->stolen == NULL)
        return;
    for (size_t i = 0; i < c->model->npipes; i++) {
        const struct pt_pipe *pp = c->model->pipes[i];
        if (pp->id > c->stolen->npipes)
            continue;
        const struct stolen_pipe *sp = &c->stolen->pipes[pp->id - 1];
        for (size_t j = 0; j < sp->nusers; j++) {
            int robbed = 0;
            for (size_t k = 0; k < sp->nusers && !robbed; k++)
                robbed = k != j && stole_from(c->model, &sp->users[k], &sp->users[j]);
            if (robbed)
                report(c, sp, &sp->users[j], pp);
        }
    }
}

int pt_check_stolen_attach(struct pt_check *c) {
    c->stolen = pt_xcalloc(1, sizeof *c->stolen);
    return 0;
}

void pt_check_stolen_free(struct pt_check *c) {
    for (size_t i = 0; c->stolen != NULL && i < c->stolen->npipes; i++)
        free(c->stolen->pipes[i].users);
    if (c->stolen != NULL)
        free(c->stolen->pipes);
    free(c->stolen);
    c->stolen = NULL;
}
