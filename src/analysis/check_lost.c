/* lost-data: bytes a process meant to move through a pipe that never
 * reached a reader.  Three shapes, all errors (data was lost):
 *
 *   - a writer dropped the rest of a write: write() returned short, or
 *     failed with EAGAIN or EINTR, and the rest was never written (the
 *     process closed the fd, ended, or went on to write something else).
 *     The calls of one thread on one fd are followed as a chain: a write of
 *     exactly what was left is the retry (the correct loop, with or without
 *     a poll in between), and a chain that ends with a retry that went
 *     through lost nothing.  A chain that ended otherwise shows the program
 *     does not retry, so each call in it that moved nothing dropped its own
 *     bytes (a record refused by a full pipe), and the last one its rest.
 *     A short write after which no reader held the pipe any more is the
 *     normal end of a pipeline (epipe's business), not this.
 *   - a reader stopped early: its last read of the pipe failed (EINTR, or an
 *     error other than EAGAIN), nobody read the pipe afterwards, and bytes
 *     were still in it when the trace ended.
 *   - a stdio flush failed (other than EPIPE): stdio does not retry; the
 *     buffer's bytes are gone (the stdio hook records the failure,
 *     stdio_hooks.c).
 *
 * Only processes that ended by exit or exec are judged: one killed or still
 * running when the trace ended may have been about to retry. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "trace/events.h"
#include "trace/names.h"
#include "trace/xalloc.h"

/* The failed or short writes of one thread on one fd, not yet retried. */
struct chain {
    size_t image;
    int32_t tid;
    int fd;
    uint64_t left;          /* bytes the last call did not move */
    int last_moved;         /* the last call moved some bytes (a short write) */
    uint64_t dropped;       /* bytes of the calls before it that moved nothing */
    uint64_t calls;         /* in the chain */
    struct pt_record first; /* copies: the files may be unmapped later */
    const char *ended;      /* once dropped: how */
};

enum lost_shape { LOST_WRITER, LOST_STDIO, LOST_READER };

/* What one image lost on one fd, summed over its chains or flushes. */
struct lost_total {
    enum lost_shape shape;
    size_t image;
    int fd;
    uint64_t bytes, calls;
    uint64_t written_after; /* LOST_READER: bytes written after the failed read */
    const char *ended;      /* how the last chain ended (LOST_WRITER) */
    struct pt_record first;
};

/* The latest read of one image on one pipe that failed. */
struct read_failure {
    size_t image;
    struct pt_record rec;
    uint64_t written_then; /* the pipe's bytes_written when it failed */
};

struct pt_check_lost {
    struct chain *chains; /* open */
    size_t nchains, cap_chains;
    struct chain *dropped; /* judged at the end, when every holder is known */
    size_t ndropped, cap_dropped;
    struct lost_total *totals;
    size_t ntotals, cap_totals;
    struct read_failure *reads;
    size_t nreads, cap_reads;
};

static int on_pipe(const struct pt_record *r) {
    return r->obj_kind == PT_OBJ_PIPE || r->obj_kind == PT_OBJ_FIFO;
}

static int ended_normally(const struct pt_image *img) {
    return img->end == PT_END_EXIT || img->end == PT_END_EXEC;
}

static void add_total(struct pt_check *c, enum lost_shape shape, size_t image,
                      const struct pt_record *first, uint64_t bytes, uint64_t calls,
                      const char *ended) {
    struct pt_check_lost *st = c->lost;
    for (size_t i = 0; i < st->ntotals; i++) {
        struct lost_total *t = &st->totals[i];
        if (t->shape == shape && t->image == image && t->fd == first->fd &&
            pt_objkey_eq(pt_objkey_of(&t->first), pt_objkey_of(first))) {
            t->bytes += bytes;
            t->calls += calls;
            t->ended = ended;
            return;
        }
    }
    PT_GROW(st->totals, st->ntotals + 1, st->cap_totals);
    st->totals[st->ntotals++] = (struct lost_total){.shape = shape,
                                                    .image = image,
                                                    .fd = first->fd,
                                                    .bytes = bytes,
                                                    .calls = calls,
                                                    .ended = ended,
                                                    .first = *first};
}

/* Whether a process other than the writer held the pipe's read end after t:
 * someone who could still have read the rest. */
static int reader_after(const struct pt_check *c, const struct pt_record *r, int32_t writer,
                        uint64_t t) {
    const struct pt_pipe *pp = pt_model_pipe(c->model, pt_objkey_of(r));
    if (pp == NULL)
        return 0;
    for (size_t i = 0; i < pp->nholders; i++) {
        const struct pt_holder *h = &pp->holders[i];
        if (h->read_end && pt_holder_pid(c->model, h) != writer && (h->t_to == 0 || h->t_to > t))
            return 1;
    }
    return 0;
}

/* --- the writer that dropped the rest ---------------------------------------------- */

static int failed_or_short(const struct pt_record *r) {
    if (r->state != PT_DONE)
        return 0;
    if (r->result == -EAGAIN || r->result == -EINTR)
        return 1;
    return r->result >= 0 && (uint64_t)r->result < r->arg;
}

static uint64_t left_by(const struct pt_record *r) {
    return r->result > 0 ? r->arg - (uint64_t)r->result : r->arg;
}

/* The chain ended without its rest written: kept to be judged at the end
 * (a reader forked before the write may show up in the stream after it). */
static void chain_dropped(struct pt_check *c, size_t i, const char *ended) {
    struct pt_check_lost *st = c->lost;
    struct chain ch = st->chains[i];
    st->chains[i] = st->chains[--st->nchains];
    PT_GROW(st->dropped, st->ndropped + 1, st->cap_dropped);
    ch.ended = ended;
    st->dropped[st->ndropped++] = ch;
}

/* What a dropped chain lost, unless it was a short write whose readers had
 * all gone: the pipe was closed under it, the normal end of a pipeline. */
static void chain_judged(struct pt_check *c, const struct chain *ch) {
    const struct pt_image *img = &c->model->images[ch->image];
    if (ch->first.result > 0 && !reader_after(c, &ch->first, img->pid, ch->first.t_end))
        return;
    add_total(c, LOST_WRITER, ch->image, &ch->first, ch->dropped + ch->left, ch->calls, ch->ended);
}

static struct chain *find_chain(struct pt_check_lost *st, size_t image, int32_t tid, int fd,
                                size_t *at) {
    for (size_t i = 0; i < st->nchains; i++)
        if (st->chains[i].image == image && st->chains[i].tid == tid && st->chains[i].fd == fd) {
            *at = i;
            return &st->chains[i];
        }
    return NULL;
}

static void write_call(struct pt_check *c, struct pt_image *img, const struct pt_record *r) {
    struct pt_check_lost *st = c->lost;
    size_t at;
    struct chain *ch = find_chain(st, img->index, r->tid, r->fd, &at);
    if (ch != NULL && r->state == PT_DONE && r->arg == ch->left) {
        if (!failed_or_short(r)) {
            st->chains[at] = st->chains[--st->nchains]; /* the retry went through */
            return;
        }
        /* Tried again: a retry, unless the chain ends dropped; then two
         * refused calls in a row were two records, each refused whole (the
         * rest of a short write, tried again and refused, is one). */
        if (r->result <= 0 && !ch->last_moved)
            ch->dropped += ch->left;
        ch->left = left_by(r);
        ch->last_moved = r->result > 0;
        ch->calls++;
        return;
    }
    if (ch != NULL && r->state == PT_DONE) {
        chain_dropped(c, at, "wrote something else next");
        ch = NULL;
    }
    if (!failed_or_short(r) || !on_pipe(r))
        return;
    PT_GROW(st->chains, st->nchains + 1, st->cap_chains);
    st->chains[st->nchains++] = (struct chain){.image = img->index,
                                               .tid = r->tid,
                                               .fd = r->fd,
                                               .left = left_by(r),
                                               .last_moved = r->result > 0,
                                               .calls = 1,
                                               .first = *r};
}

static void fd_closed(struct pt_check *c, struct pt_image *img, int fd) {
    for (size_t i = c->lost->nchains; i-- > 0;)
        if (c->lost->chains[i].image == img->index && c->lost->chains[i].fd == fd)
            chain_dropped(c, i, "closed the fd");
}

/* --- the reader that stopped early ------------------------------------------------ */

static void read_call(struct pt_check *c, struct pt_image *img, const struct pt_record *r) {
    struct pt_check_lost *st = c->lost;
    if (r->state != PT_DONE || !on_pipe(r))
        return;
    struct read_failure *f = NULL;
    for (size_t i = 0; i < st->nreads && f == NULL; i++)
        if (st->reads[i].image == img->index &&
            pt_objkey_eq(pt_objkey_of(&st->reads[i].rec), pt_objkey_of(r)))
            f = &st->reads[i];
    int failed = r->result < 0 && r->result != -EAGAIN;
    if (!failed) {
        if (f != NULL && r->result != -EAGAIN)
            *f = st->reads[--st->nreads]; /* it came back for more */
        return;
    }
    const struct pt_pipe *pp = pt_model_pipe(c->model, pt_objkey_of(r));
    if (pp == NULL)
        return;
    if (f == NULL) {
        PT_GROW(st->reads, st->nreads + 1, st->cap_reads);
        f = &st->reads[st->nreads++];
    }
    *f = (struct read_failure){.image = img->index, .rec = *r, .written_then = pp->bytes_written};
}

static void reader_judged(struct pt_check *c, const struct read_failure *f) {
    const struct pt_image *img = &c->model->images[f->image];
    const struct pt_pipe *pp = pt_model_pipe(c->model, pt_objkey_of(&f->rec));
    if (pp == NULL || !ended_normally(img) || pp->bytes_written <= pp->bytes_read ||
        pp->last_read_end > f->rec.t_start)
        return; /* nothing left, or someone read it after */
    size_t before = c->lost->ntotals;
    add_total(c, LOST_READER, f->image, &f->rec, pp->bytes_written - pp->bytes_read, 1, NULL);
    if (c->lost->ntotals > before)
        c->lost->totals[before].written_after = pp->bytes_written - f->written_then;
}

/* --- streaming --------------------------------------------------------------------- */

void pt_check_lost_observe(struct pt_check *c, struct pt_image *img, const struct pt_record *r) {
    if (c->lost == NULL)
        return;
    if (r->type == PT_EV_CLOSE && r->state == PT_DONE && r->result == 0) {
        fd_closed(c, img, r->fd);
        return;
    }
    if (!pt_event_moves_data(r->type))
        return;
    /* An injected EINTR the program did not retry is eintr-unhandled's
     * (check_eintr.c): reported once, as what it is.  Not a stdio flush's:
     * stdio cannot retry it, the buffer is gone whatever the program does
     * next, and that loss is reported here. */
    if (r->result == -EINTR && pt_event_injected(r) && !pt_event_via_stdio(r->type))
        return;
    if (pt_event_reads(r->type)) {
        read_call(c, img, r);
        return;
    }
    if (!pt_event_via_stdio(r->type)) {
        write_call(c, img, r);
        return;
    }
    if (r->state == PT_DONE && r->result < 0 && r->result != -EPIPE && on_pipe(r))
        add_total(c, LOST_STDIO, img->index, r, r->arg, 1, NULL);
}

/* --- the report -------------------------------------------------------------------- */

/* Names the pipe's other side (its readers, or for a reader its writers):
 * their pids join the problem, "pid 7 (cat) got 65536 bytes" goes in buf. */
static void other_side(struct pt_check *c, struct pt_problem *p, const struct pt_pipe *pp,
                       int32_t self, int readers, char *buf, size_t len) {
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; pp != NULL && i < pp->nuses && used + 1 < len; i++) {
        const struct pt_pipe_use *u = &pp->uses[i];
        const struct pt_image *other = &c->model->images[u->image];
        uint64_t bytes = readers ? u->bytes_read : u->bytes_written;
        if (other->pid == self || bytes == 0)
            continue;
        pt_problem_pid(p, other->pid);
        int k = snprintf(buf + used, len - used, "%spid %" PRId32 " (%s) %s %" PRIu64 " bytes",
                         used ? ", " : "", other->pid, pt_short_exe(other),
                         readers ? "read" : "wrote", bytes);
        if (k > 0)
            used += (size_t)k < len - used ? (size_t)k : len - used - 1;
    }
    if (used == 0)
        snprintf(buf, len, readers ? "no traced process read it" : "no traced process wrote it");
}

static const char fix_writer[] =
    "A write to a pipe may move fewer bytes than asked (a non-blocking fd, a full pipe, a "
    "signal): loop until every byte is written, waiting with poll() for POLLOUT after EAGAIN "
    "and retrying after EINTR, or keep the fd blocking.";
static const char fix_reader[] =
    "Retry a read that fails with EINTR (or install the signal handler with SA_RESTART) and "
    "keep reading until read() returns 0 (end of file).";
static const char fix_stdio_again[] =
    "Do not make the fd under a stdio stream non-blocking (stdio drops its buffer on EAGAIN "
    "instead of retrying); and check fflush() or ferror() before exiting.";
static const char fix_stdio_shared[] =
    "Another process made this shared fd non-blocking (see shared-nonblock): fix that one; "
    "stdio, written for a blocking fd, drops its buffer on EAGAIN instead of retrying.";
static const char fix_stdio[] = "Check fflush(), ferror() or fclose() before exiting and report "
                                "the error: stdio dropped the bytes it could not write.";
static const char fix_stdio_eintr[] =
    "stdio does not retry a write that failed with EINTR: it sets the stream's error flag and "
    "drops the buffer. Install signal handlers with SA_RESTART (sigaction), or write this fd "
    "with write() in a loop that retries EINTR; check fflush() or ferror() before exiting.";

/* With "(injected)" after a fault pipetrace injected: the trigger the
 * program met, not its bug; what it did next is. */
static const char *call_outcome(const struct pt_record *r, char *buf, size_t len) {
    const char *fault = pt_event_injected(r);
    /* a delay changes only when the call ran, not what it did */
    const char *injected = fault && strcmp(fault, "delay") != 0 ? " (injected by pipetrace)" : "";
    if (r->result >= 0)
        snprintf(buf, len, "moved %" PRId64 " of %" PRIu64 " bytes%s", r->result, r->arg, injected);
    else
        snprintf(buf, len, "failed with %s%s", pt_errno_name((int)-r->result), injected);
    return buf;
}

static void report(struct pt_check *c, const struct lost_total *t) {
    const struct pt_image *img = &c->model->images[t->image];
    const struct pt_record *r = &t->first;
    int32_t setter = r->result == -EAGAIN ? pt_check_nonblock_setter(c, img->pid, r) : 0;
    const char *fix = t->shape == LOST_WRITER   ? fix_writer
                      : t->shape == LOST_READER ? fix_reader
                      : setter != 0             ? fix_stdio_shared
                      : r->result == -EAGAIN    ? fix_stdio_again
                      : r->result == -EINTR     ? fix_stdio_eintr
                                                : fix_stdio;
    struct pt_problem *p = pt_problem_add(c->out, "lost-data", fix);
    if (p == NULL)
        return;
    pt_problem_about(p, img->pid, r);
    const struct pt_pipe *pp = pt_model_pipe(c->model, pt_objkey_of(r));
    char others[512], outcome[128];
    other_side(c, p, pp, img->pid, t->shape != LOST_READER, others, sizeof others);
    call_outcome(r, outcome, sizeof outcome);
    const char *name = pt_event_name(r->type);
    if (t->shape == LOST_WRITER)
        pt_problem_message(p,
                           "pid %" PRId32 " (%s) dropped %" PRIu64 " bytes meant for pipe:[%" PRIu64
                           "] (fd %d): %s() %s and the rest was never written (it %s; %" PRIu64
                           " call%s not retried); on the other side %s",
                           img->pid, pt_short_exe(img), t->bytes, r->obj_ino, t->fd, name, outcome,
                           t->ended, t->calls, t->calls == 1 ? "" : "s", others);
    else if (t->shape == LOST_STDIO)
        pt_problem_message(p,
                           "pid %" PRId32 " (%s) lost %" PRIu64 " bytes of stdio output to "
                           "pipe:[%" PRIu64 "] (fd %d): %" PRIu64 " buffer flush%s failed (the "
                           "first %s) and stdio threw the bytes away; on the other side %s",
                           img->pid, pt_short_exe(img), t->bytes, r->obj_ino, t->fd, t->calls,
                           t->calls == 1 ? "" : "es", outcome, others);
    else
        pt_problem_message(p,
                           "pid %" PRId32 " (%s) stopped reading pipe:[%" PRIu64 "] (fd %d) when "
                           "%s() %s and never read it again; %" PRIu64 " bytes were written after "
                           "that and %" PRIu64 " were still unread in the pipe at the end: lost "
                           "(%s)",
                           img->pid, pt_short_exe(img), r->obj_ino, t->fd, name, outcome,
                           t->written_after, t->bytes, others);
}

void pt_check_lost_finish(struct pt_check *c) {
    struct pt_check_lost *st = c->lost;
    if (st == NULL)
        return;
    for (size_t i = st->nchains; i-- > 0;) {
        const struct pt_image *img = &c->model->images[st->chains[i].image];
        if (ended_normally(img))
            chain_dropped(c, i, img->end == PT_END_EXEC ? "exec'd another program" : "exited");
    }
    for (size_t i = 0; i < st->ndropped; i++)
        chain_judged(c, &st->dropped[i]);
    for (size_t i = 0; i < st->nreads; i++)
        reader_judged(c, &st->reads[i]);
    for (size_t i = 0; i < st->ntotals; i++)
        if (ended_normally(&c->model->images[st->totals[i].image]))
            report(c, &st->totals[i]);
}

int pt_check_lost_attach(struct pt_check *c) {
    c->lost = pt_xcalloc(1, sizeof *c->lost);
    return 0;
}

void pt_check_lost_free(struct pt_check *c) {
    if (c->lost != NULL) {
        free(c->lost->chains);
        free(c->lost->dropped);
        free(c->lost->totals);
        free(c->lost->reads);
    }
    free(c->lost);
    c->lost = NULL;
}
