/* Matching a pipe's written bytes to its read bytes, and what each match
 * adds to the pair it belongs to. */
#include <stdlib.h>
#include <string.h>

#include "flows_internal.h"
#include "trace/xalloc.h"

static size_t call_file(const struct flows_call *c) {
    return c != NULL ? c->file : FLOWS_NO_FILE;
}

static struct flows_pair *find_pair(struct flows_pipe *p, size_t writer, size_t reader) {
    for (size_t i = 0; i < p->pair_count; i++)
        if (p->pairs[i].writer == writer && p->pairs[i].reader == reader)
            return &p->pairs[i];
    PT_GROW(p->pairs, p->pair_count + 1, p->pair_cap);
    struct flows_pair *pair = &p->pairs[p->pair_count++];
    memset(pair, 0, sizeof *pair);
    pair->writer = writer;
    pair->reader = reader;
    return pair;
}

/* A call's capture, found again in its file (which may have been unmapped
 * since the call was read): NULL if the file cannot be read again. */
static const uint8_t *capture(const struct flows *fl, const struct flows_call *c) {
    struct pt_event ev;
    return pt_file_event_at(&fl->files[c->file], c->rec_offset, &ev) ? ev.payload : NULL;
}

/* Compares what both sides captured of the segment's bytes. */
static void check_data(const struct flows *fl, struct flows_pipe *p,
                       const struct flows_segment *s) {
    const struct flows_call *w = s->write, *r = s->read;
    uint64_t lo = s->offset, hi = s->offset + s->len;
    uint64_t w_hi = w->start + w->data_len, r_hi = r->start + r->data_len;
    if (w_hi < hi)
        hi = w_hi;
    if (r_hi < hi)
        hi = r_hi;
    if (hi <= lo)
        return;
    /* Both mapped at once: the second lookup cannot unmap the first (the
     * cache drops the least recently read file). */
    const uint8_t *w_data = capture(fl, w), *r_data = capture(fl, r);
    if (w_data == NULL || r_data == NULL)
        return;
    p->compared += hi - lo;
    if (memcmp(w_data + (lo - w->start), r_data + (lo - r->start), hi - lo) == 0)
        return;
    p->mismatches++;
    if (p->first_mismatch == UINT64_MAX)
        p->first_mismatch = lo;
}

static uint64_t latency(const struct flows_call *w, const struct flows_call *r) {
    return r->t_end > w->t_end ? r->t_end - w->t_end : 0;
}

static void account(struct flows_pair *pair, const struct flows_segment *s) {
    const struct flows_call *w = s->write, *r = s->read;
    pair->bytes += s->len;
    if (w != NULL && pair->last_write != w->seq) {
        pair->writes++;
        pair->inferred_writes += w->inferred != 0;
        pair->last_write = w->seq;
    }
    if (r != NULL && pair->last_read != r->seq) {
        pair->reads++;
        pair->last_read = r->seq;
    }
    if (w != NULL && r != NULL && !w->inferred) /* an inferred write has no end time */
        flows_hist_add(&pair->latency, latency(w, r));
}

/* Hands len bytes from w to r (either may be NULL: nobody) and advances
 * both. */
static void emit(struct flows *fl, struct flows_pipe *p, struct flows_call *w, struct flows_call *r,
                 uint64_t len) {
    struct flows_segment s = {
        .pipe = p,
        .offset = w != NULL ? w->pos : r->pos,
        .len = len,
        .write = w,
        .read = r,
    };
    struct flows_pair *pair = find_pair(p, call_file(w), call_file(r));
    account(pair, &s);
    if (w != NULL && r != NULL)
        check_data(fl, p, &s);
    if (fl->hooks.segment != NULL)
        fl->hooks.segment(fl->hooks.ctx, &s);
    if (w != NULL && (w->pos += len) == w->end)
        flows_queue_pop(&p->writes);
    if (r != NULL && (r->pos += len) == r->end)
        flows_queue_pop(&p->reads);
}

static uint64_t min64(uint64_t a, uint64_t b) {
    return a < b ? a : b;
}

/* Bytes below p->settled were already matched to nobody: 1 if it
 * matched some of them. */
static int settle_stale(struct flows *fl, struct flows_pipe *p, struct flows_call *w,
                        struct flows_call *r) {
    if (w != NULL && w->pos < p->settled)
        emit(fl, p, w, NULL, min64(w->end, p->settled) - w->pos);
    else if (r != NULL && r->pos < p->settled)
        emit(fl, p, NULL, r, min64(r->end, p->settled) - r->pos);
    else
        return 0;
    return 1;
}

/* Gives up on the oldest call of a side that waits for too long a match:
 * 1 if it did. */
static int give_up(struct flows *fl, struct flows_pipe *p, int final) {
    struct flows_call *w = flows_queue_front(&p->writes);
    struct flows_call *r = flows_queue_front(&p->reads);
    struct flows_call *c = w != NULL ? w : r;
    int overflow = p->writes.len > FLOWS_PENDING_MAX || p->reads.len > FLOWS_PENDING_MAX;
    if (c == NULL || !(final || overflow))
        return 0;
    uint64_t len = c->end - c->pos;
    if (!final)
        p->given_up += len;
    if (c->end > p->settled)
        p->settled = c->end;
    emit(fl, p, w, w != NULL ? NULL : r, len);
    return 1;
}

void flows_match(struct flows *fl, struct flows_pipe *p, int final) {
    for (;;) {
        struct flows_call *w = flows_queue_front(&p->writes);
        struct flows_call *r = flows_queue_front(&p->reads);
        if (settle_stale(fl, p, w, r))
            continue;
        if (w != NULL && r != NULL) {
            emit(fl, p, w, r, min64(w->end - w->pos, r->end - r->pos));
            continue;
        }
        if (!give_up(fl, p, final))
            return;
    }
}
