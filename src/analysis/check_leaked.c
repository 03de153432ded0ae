/* leaked-fd: each leak `pipetrace leaks` finds, as a problem: a warning
 * for a write end (it can keep a reader from EOF), a note for the rest (a
 * read end only keeps writers from EPIPE).  An fd handed over on purpose
 * (FD_CLOEXEC cleared) is not a leak and is not reported. */
#include <inttypes.h>
#include <stdio.h>

#include "check.h"
#include "leaks.h"
#include "trace/names.h"

void pt_check_leaked(struct pt_check *c) {
    struct pt_leaks l;
    pt_leaks_find(c->model, &l);
    for (size_t i = 0; i < l.nleaks; i++) {
        const struct pt_leak *k = &l.leaks[i];
        const struct pt_image *img = &c->model->images[k->image];
        char how[2048];
        pt_origin_describe(c->model, k->fd.origin, how, sizeof how);
        struct pt_problem *p = pt_problem_add(
            c->out, "leaked-fd",
            k->dup_dropped_cloexec
                ? "It was made with O_CLOEXEC, but copied by a dup that dropped it: copy it with "
                  "dup3(..., O_CLOEXEC) or fcntl(F_DUPFD_CLOEXEC), or close the copy in the "
                  "child before exec."
                : "Create the fd with O_CLOEXEC (pipe2, dup3, F_DUPFD_CLOEXEC) or close it in "
                  "the child before exec.");
        /* The run did its job; a leak that kept a reader waiting is a
         * blocked-read, an error, of its own. */
        p->severity = k->rank <= 1 ? PT_SEV_WARNING : PT_SEV_NOTE;
        pt_problem_pid(p, img->pid);
        const struct pt_origin *root = pt_origin_root(k->fd.origin);
        if (root != NULL)
            pt_problem_pid(p, root->pid);
        pt_problem_fd(p, k->fd.fd);
        p->object_kind = k->fd.kind;
        p->object = k->fd.obj;
        pt_problem_message(p,
                           "fd %d (%s:[%" PRIu64 "]) leaked into %s (pid %" PRId32 "), which never "
                           "used it: %s",
                           k->fd.fd, pt_obj_kind_name(k->fd.kind), k->fd.obj.ino, pt_short_exe(img),
                           img->pid, how);
    }
    pt_leaks_free(&l);
}
