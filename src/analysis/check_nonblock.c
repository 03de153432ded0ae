/* shared-nonblock: a process made a pipe end non-blocking (fcntl F_SETFL
 * with O_NONBLOCK, ioctl FIONBIO: Python's os.set_blocking) while other
 * processes shared it, and one of them then failed with EAGAIN.
 *
 * O_NONBLOCK belongs to the open file description, which fork, exec and
 * dup share: a status printer that sets it on its stdout sets it for the
 * command that writes into the same pipe after it, which was written for a
 * blocking fd and fails ("write error: Resource temporarily unavailable").
 * Two fds share a description when their origin chains (model.h) begin at
 * the same step: the pipe() that made that end, or the fd the first traced
 * process brought in.
 *
 * Reported (as an error) only when another process failed with EAGAIN on
 * the shared end while the flag was on, and that process had not set the
 * flag itself: a program that turns on O_NONBLOCK and handles EAGAIN is
 * doing what it meant.  The one that changed the flag is named first. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "trace/events.h"
#include "trace/names.h"
#include "trace/xalloc.h"

/* A process that failed with EAGAIN on the shared end. */
struct victim {
    int32_t pid;
    uint64_t eagains;
    struct pt_record first; /* a copy */
};

#define PT_NONBLOCK_VICTIMS 4

/* One open pipe end whose O_NONBLOCK a process turned on. */
struct shared_end {
    const struct pt_origin *root;          /* what its fds have in common */
    int on;                                /* the flag as the last change left it */
    int32_t setter;                        /* the process that turned it on last */
    struct pt_record set;                  /* its call (a copy) */
    int32_t also_set[PT_PROBLEM_MAX_LIST]; /* every process that turned it on */
    size_t nalso;
    struct victim victims[PT_NONBLOCK_VICTIMS];
    size_t nvictims;
};

struct pt_check_nonblock {
    struct shared_end *ends;
    size_t len, cap;
};

static const struct pt_origin *root_of(const struct pt_image *img, int fd) {
    const struct pt_fdent *e = pt_fdtable_find(&img->fds, fd);
    return e != NULL ? pt_origin_root(e->origin) : NULL;
}

static struct shared_end *end_of(struct pt_check_nonblock *st, const struct pt_origin *root) {
    for (size_t i = 0; i < st->len; i++)
        if (st->ends[i].root == root)
            return &st->ends[i];
    return NULL;
}

static int set_by(const struct shared_end *end, int32_t pid) {
    for (size_t i = 0; i < end->nalso; i++)
        if (end->also_set[i] == pid)
            return 1;
    return 0;
}

/* An fcntl(F_SETFL) or ioctl(FIONBIO) on a pipe end. */
static void flag_change(struct pt_check *c, struct pt_image *img, const struct pt_record *r,
                        int on) {
    const struct pt_origin *root = root_of(img, r->fd);
    if (root == NULL)
        return;
    struct pt_check_nonblock *st = c->nonblock;
    struct shared_end *end = end_of(st, root);
    if (end == NULL) {
        if (!on)
            return;
        PT_GROW(st->ends, st->len + 1, st->cap);
        end = &st->ends[st->len++];
        memset(end, 0, sizeof *end);
        end->root = root;
    }
    end->on = on;
    if (!on)
        return;
    end->setter = img->pid;
    end->set = *r;
    if (!set_by(end, img->pid) && end->nalso < PT_PROBLEM_MAX_LIST)
        end->also_set[end->nalso++] = img->pid;
}

static void eagain(struct pt_check *c, struct pt_image *img, const struct pt_record *r) {
    const struct pt_origin *root = root_of(img, r->fd);
    struct shared_end *end = root != NULL ? end_of(c->nonblock, root) : NULL;
    if (end == NULL || !end->on || set_by(end, img->pid))
        return;
    for (size_t i = 0; i < end->nvictims; i++)
        if (end->victims[i].pid == img->pid) {
            end->victims[i].eagains++;
            return;
        }
    if (end->nvictims < PT_NONBLOCK_VICTIMS)
        end->victims[end->nvictims++] = (struct victim){img->pid, 1, *r};
}

void pt_check_nonblock_observe(struct pt_check *c, struct pt_image *img,
                               const struct pt_record *r) {
    if (c->nonblock == NULL || r->state != PT_DONE ||
        (r->obj_kind != PT_OBJ_PIPE && r->obj_kind != PT_OBJ_FIFO))
        return;
    int cmd;
    uint32_t value;
    if (pt_event_fcntl_equivalent(r, &cmd, &value)) {
        if (cmd == F_SETFL && r->result == 0)
            flag_change(c, img, r, (value & O_NONBLOCK) != 0);
        return;
    }
    if (pt_event_moves_data(r->type) && r->result == -EAGAIN)
        eagain(c, img, r);
}

static const char *name_at(const struct pt_model *m, int32_t pid, uint64_t t) {
    size_t i = pt_model_image_of(m, pid, t);
    return i != PT_NO_IMAGE ? pt_short_exe(&m->images[i]) : "?";
}

static const char fix[] =
    "Do not change O_NONBLOCK on an fd other processes share (stdin, stdout, an inherited "
    "pipe end): the flag belongs to the open pipe, not to the process.  Make it blocking "
    "again before exiting or handing the fd on, or use non-blocking I/O on an fd of your "
    "own (a new pipe, or poll() on the blocking fd).";

static void report(struct pt_check *c, const struct shared_end *end) {
    const struct pt_model *m = c->model;
    const struct pt_record *r = &end->set;
    struct pt_problem *p = pt_problem_add(c->out, "shared-nonblock", fix);
    if (p == NULL)
        return;
    pt_problem_about(p, end->setter, r);
    char victims[512];
    size_t used = 0;
    victims[0] = '\0';
    for (size_t i = 0; i < end->nvictims; i++) {
        const struct victim *v = &end->victims[i];
        pt_problem_pid(p, v->pid);
        pt_problem_fd(p, v->first.fd);
        pt_problem_evidence(p, v->pid, &v->first);
        int k = snprintf(
            victims + used, sizeof victims - used,
            "%spid %" PRId32 " (%s) got EAGAIN from %s() on its fd %d (%" PRIu64 " time%s)",
            i ? ", " : "", v->pid, name_at(m, v->pid, v->first.t_start),
            pt_event_name(v->first.type), v->first.fd, v->eagains, v->eagains == 1 ? "" : "s");
        if (k > 0)
            used += (size_t)k < sizeof victims - used ? (size_t)k : sizeof victims - used - 1;
    }
    const char *how = r->type == PT_EV_IOCTL ? "ioctl(FIONBIO)" : "fcntl(F_SETFL, O_NONBLOCK)";
    pt_problem_message(p,
                       "pid %" PRId32 " (%s) made fd %d (pipe:[%" PRIu64 "]) non-blocking with "
                       "%s, but that open pipe end is shared with other processes, and the "
                       "flag with it: %s, a program written for a blocking fd",
                       end->setter, name_at(m, end->setter, r->t_start), r->fd, r->obj_ino, how,
                       victims);
}

int32_t pt_check_nonblock_setter(const struct pt_check *c, int32_t pid, const struct pt_record *r) {
    for (size_t i = 0; c->nonblock != NULL && i < c->nonblock->len; i++) {
        const struct shared_end *end = &c->nonblock->ends[i];
        for (size_t j = 0; j < end->nvictims; j++)
            if (end->victims[j].pid == pid &&
                pt_objkey_eq(pt_objkey_of(&end->victims[j].first), pt_objkey_of(r)))
                return end->setter;
    }
    return 0;
}

void pt_check_nonblock_finish(struct pt_check *c) {
    for (size_t i = 0; c->nonblock != NULL && i < c->nonblock->len; i++)
        if (c->nonblock->ends[i].nvictims > 0)
            report(c, &c->nonblock->ends[i]);
}

int pt_check_nonblock_attach(struct pt_check *c) {
    c->nonblock = pt_xcalloc(1, sizeof *c->nonblock);
    return 0;
}

void pt_check_nonblock_free(struct pt_check *c) {
    if (c->nonblock != NULL)
        free(c->nonblock->ends);
    free(c->nonblock);
    c->nonblock = NULL;
}
