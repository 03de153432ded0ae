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

/* Channels and readers are kept in the order first seen (the report's
 * order) and found through open-addressing indexes (index + 1, 0 empty,
 * at most half full): a scan of them on every call cost the whole
 * detector O(pipes) per event, 500 instructions per event on a 132-pipe
 * trace. */
struct pt_check_split {
    struct channel *channels;
    size_t nchannels, cap_channels;
    size_t *channel_index, channel_index_cap;
    struct reader *readers;
    size_t nreaders, cap_readers;
    size_t *reader_index, reader_index_cap;
};

static uint64_t mix(uint64_t h, uint64_t v) {
    return (h ^ v) * 0x9E3779B97F4A7C15ull;
}

static uint64_t channel_hash(struct pt_objkey key) {
    return pt_objkey_hash(key);
}

static uint64_t reader_hash(size_t image, int32_t tid, int fd, struct pt_objkey key) {
    return mix(mix(mix(pt_objkey_hash(key), image), (uint32_t)tid), (uint32_t)fd);
}

static size_t index_home(uint64_t hash, size_t cap) {
    return (size_t)(hash >> 20) & (cap - 1);
}

static void index_put(size_t *index, size_t cap, uint64_t hash, size_t slot) {
    size_t i = index_home(hash, cap);
    while (index[i] != 0)
        i = (i + 1) & (cap - 1);
    index[i] = slot;
}

/* Room in an index for one more entry; `hash_of(st, k)` rehashes entry k. */
static void index_reserve(struct pt_check_split *st, size_t **index, size_t *cap, size_t len,
                          uint64_t (*hash_of)(const struct pt_check_split *, size_t)) {
    if ((len + 1) * 2 <= *cap)
        return;
    size_t new_cap = *cap ? *cap * 2 : 64;
    size_t *grown = pt_xcalloc(new_cap, sizeof *grown);
    for (size_t k = 0; k < len; k++)
        index_put(grown, new_cap, hash_of(st, k), k + 1);
    free(*index);
    *index = grown;
    *cap = new_cap;
}

static uint64_t channel_hash_at(const struct pt_check_split *st, size_t k) {
    return channel_hash(st->channels[k].key);
}

static uint64_t reader_hash_at(const struct pt_check_split *st, size_t k) {
    const struct reader *rd = &st->readers[k];
    return reader_hash(rd->image, rd->tid, rd->fd, rd->key);
}

static struct channel *channel_find(const struct pt_check_split *st, struct pt_objkey key) {
    if (st->channel_index_cap == 0)
        return NULL;
    size_t cap = st->channel_index_cap;
    for (size_t i = index_home(channel_hash(key), cap);; i = (i + 1) & (cap - 1)) {
        size_t slot = st->channel_index[i];
        if (slot == 0)
            return NULL;
        if (pt_objkey_eq(st->channels[slot - 1].key, key))
            return &st->channels[slot - 1];
    }
}

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
    struct channel *ch = channel_find(st, key);
    if (ch != NULL) {
        ch->uniform &= ch->size == size;
        return;
    }
    index_reserve(st, &st->channel_index, &st->channel_index_cap, st->nchannels, channel_hash_at);
    PT_GROW(st->channels, st->nchannels + 1, st->cap_channels);
    st->channels[st->nchannels++] = (struct channel){.key = key, .size = size, .uniform = 1};
    index_put(st->channel_index, st->channel_index_cap, channel_hash(key), st->nchannels);
}

static struct reader *reader_of(struct pt_check_split *st, size_t image, const struct pt_record *r,
                                struct pt_objkey key) {
    uint64_t hash = reader_hash(image, r->tid, r->fd, key);
    size_t cap = st->reader_index_cap;
    for (size_t i = index_home(hash, cap); cap != 0; i = (i + 1) & (cap - 1)) {
        size_t slot = st->reader_index[i];
        if (slot == 0)
            break;
        struct reader *rd = &st->readers[slot - 1];
        if (rd->image == image && rd->tid == r->tid && rd->fd == r->fd &&
            pt_objkey_eq(rd->key, key))
            return rd;
    }
    index_reserve(st, &st->reader_index, &st->reader_index_cap, st->nreaders, reader_hash_at);
    index_put(st->reader_index, st->reader_index_cap, hash, st->nreaders + 1);
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
    const struct channel *ch = channel_find(st, key);
    return ch != NULL && ch->uniform ? ch->size : 0;
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
        free(c->split->channel_index);
        free(c->split->readers);
        free(c->split->reader_index);
    }
    free(c->split);
    c->split = NULL;
}
