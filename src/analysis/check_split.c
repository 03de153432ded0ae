/* short-read-unhandled: a reader that takes each read for one whole
 * message, found when pipetrace injected a short read into it (run
 * --inject=short).
 *
 * On a pipe or stream socket every write of which was M bytes (the
 * writers' message size), a thread that asks exactly M on every read of
 * the fd got an injected short read of n < M bytes, and its next read
 * asked M again, not the M - n left of the message: from there every read
 * begins n bytes into a message.  A reader that fills the message asks
 * M - n next and is silent; so is a copier whose buffer is not the
 * writers' message size, and every reader that met no injected short
 * read.  A warning: a copier whose buffer happens to be the writers'
 * message size reads the same calls and is correct, and on a pipe whose
 * M-byte writes are atomic (M <= PIPE_BUF) only the injection can split a
 * message; the reader is still one signal or one bigger write away from
 * misreading. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "trace/events.h"
#include "trace/names.h"
#include "trace/xalloc.h"

/* The sizes of the writes on one channel (a pipe, or one direction of a
 * socket connection, named by its sending end). */
struct channel {
    struct pt_objkey key;
    uint64_t size; /* of the first write */
    int uniform;   /* every write since was that size */
};

/* The reads of one thread on one fd. */
struct reader {
    size_t image;
    int32_t tid;
    int fd;
    struct pt_objkey key;             /* the channel it reads */
    uint64_t asked;                   /* by its first read */
    int same;                         /* every read since asked that */
    int pending;                      /* its last read was an injected short one */
    int found;                        /* a read that asked `asked` again followed one */
    struct pt_record shortened, next; /* copies: the files may be unmapped */
};

struct pt_check_split {
    struct channel *channels;
    size_t nchannels, cap_channels;
    struct reader *readers;
    size_t nreaders, cap_readers;
};

/* The channel the bytes of r travel on: 0 when it has none that counts. */
static int channel_of(struct pt_check *c, const struct pt_record *r, struct pt_objkey *key) {
    if (r->obj_kind == PT_OBJ_PIPE || r->obj_kind == PT_OBJ_FIFO) {
        *key = pt_objkey_of(r);
        return 1;
    }
    return r->obj_kind == PT_OBJ_SOCKET && !pt_event_peeks(r) &&
           pt_sock_channel(&c->model->peers, r, key);
}

static void write_seen(struct pt_check_split *st, struct pt_objkey key, uint64_t size) {
    for (size_t i = 0; i < st->nchannels; i++)
        if (pt_objkey_eq(st->channels[i].key, key)) {
            st->channels[i].uniform &= st->channels[i].size == size;
            return;
        }
    PT_GROW(st->channels, st->nchannels + 1, st->cap_channels);
    st->channels[st->nchannels++] = (struct channel){.key = key, .size = size, .uniform = 1};
}

static struct reader *reader_of(struct pt_check_split *st, size_t image, const struct pt_record *r,
                                struct pt_objkey key) {
    for (size_t i = 0; i < st->nreaders; i++) {
        struct reader *rd = &st->readers[i];
        if (rd->image == image && rd->tid == r->tid && rd->fd == r->fd &&
            pt_objkey_eq(rd->key, key))
            return rd;
    }
    PT_GROW(st->readers, st->nreaders + 1, st->cap_readers);
    struct reader *rd = &st->readers[st->nreaders++];
    *rd = (struct reader){.image = image,
                          .tid = r->tid,
                          .fd = r->fd,
                          .key = key,
                          .asked = pt_event_asked(r),
                          .same = 1};
    return rd;
}

static int injected_short(const struct pt_record *r, uint64_t asked) {
    const char *fault = pt_event_injected(r);
    return fault != NULL && strcmp(fault, "short") == 0 && r->result > 0 &&
           (uint64_t)r->result < asked;
}

static void read_seen(struct pt_check_split *st, size_t image, const struct pt_record *r,
                      struct pt_objkey key) {
    struct reader *rd = reader_of(st, image, r, key);
    uint64_t asked = pt_event_asked(r);
    if (rd->pending && !rd->found && asked == rd->asked) {
        rd->found = 1;
        rd->next = *r;
    }
    rd->pending = 0;
    rd->same &= asked == rd->asked;
    if (rd->same && !rd->found && injected_short(r, asked)) {
        rd->pending = 1;
        rd->shortened = *r;
    }
}

void pt_check_split_observe(struct pt_check *c, struct pt_image *img, const struct pt_record *r) {
    struct pt_check_split *st = c->split;
    struct pt_objkey key;
    if (st == NULL || !pt_event_moves_data(r->type) || pt_event_via_stdio(r->type) ||
        r->state != PT_DONE || r->fd < 0 || !channel_of(c, r, &key))
        return;
    if (pt_event_writes(r->type))
        write_seen(st, key, pt_event_asked(r));
    else if (pt_event_reads(r->type))
        read_seen(st, img->index, r, key);
}

/* The message size of the channel: every write on it was that many bytes
 * (0 when they differ, or none was seen). */
static uint64_t message_size(const struct pt_check_split *st, struct pt_objkey key) {
    for (size_t i = 0; i < st->nchannels; i++)
        if (pt_objkey_eq(st->channels[i].key, key))
            return st->channels[i].uniform ? st->channels[i].size : 0;
    return 0;
}

static const char fix[] =
    "A read on a pipe or stream socket may return part of a message (a signal, a writer that "
    "wrote it in pieces, a message bigger than the pipe's atomic size): keep reading into the "
    "rest of the buffer, asking for what is left, until the whole message is in (or read to a "
    "length prefix or delimiter); never take one read for one message.";

/* Names the channel's writers: their pids join the problem, "pid 7 (yes)"
 * goes in buf. */
static void writers(struct pt_check *c, struct pt_problem *p, struct pt_objkey key, int32_t self,
                    char *buf, size_t len) {
    const struct pt_pipe *pp = pt_model_pipe(c->model, key);
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; pp != NULL && i < pp->nuses && used + 1 < len; i++) {
        const struct pt_image *w = &c->model->images[pp->uses[i].image];
        if (pp->uses[i].bytes_written == 0 || w->pid == self)
            continue;
        pt_problem_pid(p, w->pid);
        int k = snprintf(buf + used, len - used, "%spid %" PRId32 " (%s)", used ? ", " : "", w->pid,
                         pt_short_exe(w));
        if (k > 0)
            used += (size_t)k < len - used ? (size_t)k : len - used - 1;
    }
    if (used == 0)
        snprintf(buf, len, "a process not traced");
}

static void report(struct pt_check *c, const struct reader *rd) {
    const struct pt_image *img = &c->model->images[rd->image];
    const struct pt_record *s = &rd->shortened;
    struct pt_problem *p = pt_problem_add(c->out, "short-read-unhandled", fix);
    p->severity = PT_SEV_WARNING; /* a copier with the same buffer size reads alike */
    pt_problem_about(p, img->pid, s);
    pt_problem_evidence(p, img->pid, &rd->next);
    char object[64], by[256];
    pt_object_name(s->obj_kind, s->obj_ino, s->obj_dev, object, sizeof object);
    writers(c, p, rd->key, img->pid, by, sizeof by);
    const char *name = pt_event_name(s->type), *next = pt_event_name(rd->next.type);
    uint64_t got = (uint64_t)s->result;
    pt_problem_message(
        p,
        "pid %" PRId32 " (%s) reads %s (fd %d) as %" PRIu64 "-byte messages (every "
        "write to it, by %s, was %" PRIu64 " bytes, and every read asked %" PRIu64
        "), but after %s() got %" PRIu64 " of %" PRIu64 " bytes (injected by "
        "pipetrace) its next %s() asked %" PRIu64 " again, not the %" PRIu64
        " left of the message: from there each read begins %" PRIu64 " bytes into a message",
        img->pid, pt_short_exe(img), object, s->fd, rd->asked, by, rd->asked, rd->asked,
        name ? name : "?", got, rd->asked, next ? next : "?", rd->asked, rd->asked - got, got);
}

void pt_check_split_finish(struct pt_check *c) {
    struct pt_check_split *st = c->split;
    for (size_t i = 0; st != NULL && i < st->nreaders; i++) {
        const struct reader *rd = &st->readers[i];
        if (rd->found && rd->same && message_size(st, rd->key) == rd->asked)
            report(c, rd);
    }
}

int pt_check_split_attach(struct pt_check *c) {
    c->split = pt_xcalloc(1, sizeof *c->split);
    return 0;
}

void pt_check_split_free(struct pt_check *c) {
    if (c->split != NULL) {
        free(c->split->channels);
        free(c->split->readers);
    }
    free(c->split);
    c->split = NULL;
}
