/* epipe: a write that met a pipe with no reader left (EPIPE, or death by
 * SIGPIPE), judged when the trace has ended.
 *
 * A reader that stops early on purpose (head, grep -m1, grep -q) is the
 * normal end of a pipeline: the writer dies of SIGPIPE, or handles EPIPE
 * and exits quietly, and nothing the reader wanted was lost.  Only two
 * endings lose data, and only they are reported (as errors):
 *   - the reader failed: the process that held the last read end exited
 *     with a non-zero status, or was killed by a signal other than SIGPIPE
 *     (a SIGPIPE there is the same normal end one stage further on);
 *   - the writer failed: after the EPIPE it exited non-zero, was killed by
 *     a signal other than SIGPIPE, or wrote to its stderr (when stderr was
 *     traced: a pipe, or --all-fds). */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "trace/events.h"
#include "trace/names.h"
#include "trace/xalloc.h"

/* The holder of the read end that went away last (at or before `until`)
 * among processes other than the writer: the reader that actually went
 * away, not the writer's own copy, closed long before (a shell's child
 * closes the read end it inherited before it execs the writer). */
static const struct pt_holder *last_reader_gone(const struct pt_model *m, const struct pt_pipe *pp,
                                                int32_t writer, uint64_t until) {
    const struct pt_holder *last = NULL;
    for (size_t i = 0; i < pp->nholders; i++) {
        const struct pt_holder *h = &pp->holders[i];
        if (!h->read_end || h->t_to == 0 || h->t_to > until || m->images[h->image].pid == writer)
            continue;
        if (last == NULL || h->t_to > last->t_to)
            last = h;
    }
    return last;
}

/* "exited with status 1", "was killed by SIGSEGV"; NULL when the process
 * ended well (status 0, SIGPIPE) or its end is not known. */
static const char *failure(const struct pt_process *p, char *buf, size_t len) {
    if (p == NULL)
        return NULL;
    if (p->end == PT_END_EXIT && p->exit_code != 0) {
        snprintf(buf, len, "exited with status %d", p->exit_code);
        return buf;
    }
    if (p->end == PT_END_SIGNAL && p->exit_signal != SIGPIPE) {
        const char *name = pt_signal_name(p->exit_signal);
        if (name != NULL)
            snprintf(buf, len, "was killed by %s", name);
        else
            snprintf(buf, len, "was killed by signal %d", p->exit_signal);
        return buf;
    }
    return NULL;
}

/* How the writer failed after its EPIPE at t, or NULL. */
static const char *writer_failure(const struct pt_check *c, int32_t pid, uint64_t t, int by_signal,
                                  char *buf, size_t len) {
    if (by_signal)
        return NULL; /* SIGPIPE ended it: what a writer should do */
    const char *how = failure(pt_model_process(c->model, pid), buf, len);
    if (how == NULL && pt_check_wrote_stderr_after(c, pid, t)) {
        snprintf(buf, len, "reported an error on its stderr");
        how = buf;
    }
    return how;
}

static const char fix_reader[] =
    "Find out why the reader failed before it had read all its input (its exit status and "
    "error output); the writer's EPIPE/SIGPIPE only passes the failure on.";
static const char fix_writer[] =
    "When the reader may stop early (head, grep -m, grep -q), let SIGPIPE end the writer or "
    "treat EPIPE as the normal end (stop writing and exit 0); otherwise keep the reader open "
    "until the writer is done.";

struct epipe_case {
    struct pt_image *img; /* the writer's image */
    const struct pt_record *rec;
    int by_signal;
    const struct pt_holder *reader; /* the last read end to go away, or NULL */
    char reader_failed[64], writer_failed[64];
};

/* "pid 7 (head), which held the last read end (fd 0), closed 0.000210 s
 * before" */
static void describe_reader(const struct pt_check *c, const struct epipe_case *e, char *buf,
                            size_t len) {
    const struct pt_holder *h = e->reader;
    if (h == NULL) {
        snprintf(buf, len, "no traced process was seen closing the read end");
        return;
    }
    const struct pt_image *ri = &c->model->images[h->image];
    uint64_t t = e->rec->t_start;
    char when[64];
    if (h->t_to > t)
        snprintf(when, sizeof when, "while the write waited");
    else
        snprintf(when, sizeof when, "%.6f s before", (double)(t - h->t_to) / 1e9);
    snprintf(buf, len,
             "its last reader was pid %" PRId32 " (%s), whose fd %d (the last read end) %s %s",
             ri->pid, pt_short_exe(ri), h->fd,
             h->gone_with_process ? "went away with it" : "was closed", when);
}

static void report(struct pt_check *c, const struct epipe_case *e) {
    const struct pt_record *r = e->rec;
    struct pt_problem *p =
        pt_problem_add(c->out, "epipe", e->reader_failed[0] ? fix_reader : fix_writer);
    pt_problem_about(p, e->img->pid, r);
    if (e->reader != NULL)
        pt_problem_pid(p, c->model->images[e->reader->image].pid);
    char who[512];
    describe_reader(c, e, who, sizeof who);
    char verdict[160];
    if (e->reader_failed[0])
        snprintf(verdict, sizeof verdict,
                 "the reader %s before it had read everything: data was lost", e->reader_failed);
    else
        snprintf(verdict, sizeof verdict, "then the writer %s, with output left unwritten",
                 e->writer_failed);
    pt_problem_message(p,
                       "pid %" PRId32 " (%s) %s writing fd %d (pipe:[%" PRIu64 "]) after every "
                       "read end was closed; %s; %s",
                       e->img->pid, pt_short_exe(e->img),
                       e->by_signal ? "was killed by SIGPIPE" : "got EPIPE", r->fd, r->obj_ino, who,
                       verdict);
}

static void epipe(struct pt_check *c, struct pt_image *img, const struct pt_record *r,
                  int by_signal) {
    struct epipe_case e = {.img = img, .rec = r, .by_signal = by_signal};
    struct pt_pipe *pp = pt_model_pipe(c->model, pt_objkey_of(r));
    /* A write that returned EPIPE came after the reader left; one killed
     * by SIGPIPE may have begun (blocked on a full pipe) before. */
    uint64_t until = by_signal || r->state != PT_DONE ? UINT64_MAX : r->t_end;
    e.reader = pp ? last_reader_gone(c->model, pp, img->pid, until) : NULL;
    char how[64];
    if (e.reader != NULL &&
        failure(pt_model_process(c->model, c->model->images[e.reader->image].pid), how,
                sizeof how) != NULL)
        snprintf(e.reader_failed, sizeof e.reader_failed, "%s", how);
    const char *wf = writer_failure(c, img->pid, r->t_start, by_signal, how, sizeof how);
    if (wf != NULL)
        snprintf(e.writer_failed, sizeof e.writer_failed, "%s", wf); /* report() words it */
    if (e.reader_failed[0] == '\0' && e.writer_failed[0] == '\0')
        return; /* the reader took what it wanted and the writer stopped quietly */
    report(c, &e);
}

void pt_check_epipe_write(struct pt_check *c, const struct pt_image *img,
                          const struct pt_record *r) {
    for (size_t i = 0; i < c->nepipes; i++)
        if (c->epipes[i].image == img->index &&
            pt_objkey_eq(pt_objkey_of(&c->epipes[i].rec), pt_objkey_of(r)))
            return;
    c->epipes = pt_xreallocarray(c->epipes, c->nepipes + 1, sizeof *c->epipes);
    c->epipes[c->nepipes++] = (struct pt_check_epipe){img->index, *r};
}

void pt_check_epipe_killed(struct pt_check *c, struct pt_image *img, const struct pt_record *r) {
    epipe(c, img, r, 1);
}

void pt_check_epipes(struct pt_check *c) {
    for (size_t i = 0; i < c->nepipes; i++)
        epipe(c, &c->model->images[c->epipes[i].image], &c->epipes[i].rec, 0);
}
