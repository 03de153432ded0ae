/* Feeding the flows analysis: which records move bytes through pipes, in
 * which order they are numbered, and the run over a whole trace. */
#include "analysis/flows.h"

#include <stdlib.h>
#include <string.h>

#include "flows_internal.h"
#include "trace/events.h"
#include "trace/xalloc.h"
#include "trace/xfer.h"

int flows_is_pipe_io(const struct pt_record *r, int *is_write) {
    if (r->obj_kind != PT_OBJ_PIPE && r->obj_kind != PT_OBJ_FIFO)
        return 0;
    if (pt_event_info(r->type)->cls == PT_CLASS_XFER) { /* its own fd: the bytes leave it */
        *is_write = r->type == PT_EV_VMSPLICE && pt_vmsplice_writes(r);
        return 1;
    }
    if (!pt_event_moves_data(r->type))
        return 0;
    *is_write = pt_event_writes(r->type);
    return 1;
}

uint64_t flows_pair_median(const struct flows_pair *pair) {
    return flows_hist_median(&pair->latency);
}

void flows_init(struct flows *fl, const struct pt_file *files, size_t count,
                const struct flows_hooks *hooks) {
    memset(fl, 0, sizeof *fl);
    fl->files = files;
    fl->file_count = count;
    if (hooks != NULL)
        fl->hooks = *hooks;
    flows_order_init(&fl->order);
    fl->peers.files = files; /* for a Unix connection's late accept */
    fl->peers.nfiles = count;
}

void flows_free(struct flows *fl) {
    flows_order_free(&fl->order);
    pt_sockpeers_free(&fl->peers);
    free(fl->made);
    flows_pipes_free(fl);
}

/* The pipe, or the socket channel (sockpeer.h), a record's bytes move
 * through; NULL for a socket whose other end the trace did not see made. */
static struct flows_pipe *pipe_of(struct flows *fl, const struct pt_record *r) {
    if (r->obj_kind != PT_OBJ_SOCKET)
        return flows_pipe_get(fl, pt_objkey_of(r), r->obj_kind);
    struct pt_objkey channel;
    if (!pt_sock_channel(&fl->peers, r, &channel))
        return NULL;
    struct flows_pipe *p = flows_pipe_get(fl, channel, PT_OBJ_SOCKET);
    pt_sockpeers_find(&fl->peers, channel, &p->peer);
    return p;
}

/* Several processes (or threads) whose calls overlap in time: the order
 * the calls completed in need not be the order the kernel served them. */
static int overlaps(struct flows_last_call *last, const struct pt_merged *m) {
    const struct pt_record *r = m->ev.rec;
    int overlap = last->valid && r->t_start < last->t_end &&
                  (last->tid != r->tid || last->file != m->file_index);
    *last = (struct flows_last_call){1, r->t_end, r->tid, m->file_index};
    return overlap;
}

/* A completed call that moved bytes, in completion order: numbers its
 * bytes and matches what can be matched. */
static void number(struct flows *fl, const struct pt_merged *m, int is_write) {
    const struct pt_record *r = m->ev.rec;
    struct flows_pipe *p = pipe_of(fl, r);
    uint64_t *total = is_write ? &p->bytes_written : &p->bytes_read;
    struct flows_call c = {
        .file = m->file_index,
        .rec_offset = m->ev.offset,
        .seq = ++fl->calls_numbered,
        .t_start = r->t_start,
        .t_end = r->t_end,
        .tid = r->tid,
        .data_len = r->data_len,
        .start = *total,
        .end = *total + (uint64_t)r->result,
        .pos = *total,
    };
    if (fl->hooks.io != NULL)
        fl->hooks.io(fl->hooks.ctx, p, m, c.start, is_write);
    *total = c.end;
    if (is_write) {
        p->write_calls++;
        p->concurrent_writes += overlaps(&p->last_write, m);
    } else {
        p->read_calls++;
        p->concurrent_reads += overlaps(&p->last_read, m);
        if (r->t_end > p->last_read_end)
            p->last_read_end = r->t_end;
    }
    flows_queue_push(is_write ? &p->writes : &p->reads, &c);
    flows_match(fl, p, 0);
}

/* Where the bytes of a call that moved them from one fd to another came
 * from, added to what feeds the pipe they entered. */
static void note_feed(struct flows_pipe *p, const struct pt_io_side *from, uint8_t type,
                      uint64_t bytes) {
    struct pt_objkey key = pt_objkey_of(&from->rec);
    struct flows_feed *f = NULL;
    for (size_t i = 0; i < p->nfeeds && f == NULL; i++)
        if (pt_objkey_eq(p->feeds[i].from, key) && p->feeds[i].kind == from->rec.obj_kind &&
            p->feeds[i].type == type)
            f = &p->feeds[i];
    if (f == NULL) {
        PT_GROW(p->feeds, p->nfeeds + 1, p->cap_feeds);
        f = &p->feeds[p->nfeeds++];
        *f = (struct flows_feed){.from = key, .kind = from->rec.obj_kind, .type = type};
    }
    f->bytes += bytes;
    f->calls++;
}

/* The view of m as one of its sides: the record as a read or a write of
 * that side's fd alone. */
static void side_view(const struct pt_merged *m, const struct pt_io_side *side,
                      struct pt_merged *view) {
    *view = *m;
    view->ev.rec = &side->rec;
    view->ev.payload = side->payload;
}

/* A held call's record, found again in its file. */
static int held_record(const struct flows *fl, const struct flows_held *h, struct pt_merged *m) {
    const struct pt_file *f = &fl->files[h->file_index];
    if (!pt_file_event_at(f, h->offset, &m->ev))
        return 0; /* gone since: its bytes are lost */
    m->file = f;
    m->file_index = h->file_index;
    return 1;
}

/* A read or a write: its record is its one side, seen without a copy. */
static int one_fd_io(const struct pt_record *r, int *is_write) {
    const struct pt_event_info *row = pt_event_info(r->type);
    *is_write = (row->flags & PT_EVF_OUT) != 0;
    return row->cls == PT_CLASS_IO;
}

/* Numbers one side of a call; a write out of another fd (a splice's,
 * tee's, sendfile's) also says where its bytes came from. */
static void number_side(struct flows *fl, const struct pt_merged *m, int which) {
    int is_write;
    if (one_fd_io(m->ev.rec, &is_write)) {
        number(fl, m, is_write);
        return;
    }
    struct pt_io_side sides[2];
    struct pt_merged view;
    int n = pt_event_sides(&m->ev, sides);
    if (which >= n)
        return;
    const struct pt_io_side *side = &sides[which];
    side_view(m, side, &view);
    number(fl, &view, side->is_write);
    if (side->is_write && side->other >= 0)
        note_feed(pipe_of(fl, &side->rec), &sides[side->other], m->ev.rec->type,
                  (uint64_t)side->rec.result);
}

static void release(struct flows *fl, uint64_t now) {
    struct flows_held h;
    struct pt_merged m;
    while (flows_order_pop(&fl->order, now, &h))
        if (held_record(fl, &h, &m))
            number_side(fl, &m, h.side);
}

/* A write that never returned may yet have moved its bytes: kept until
 * the end decides (flows_infer.c). */
static void keep_begun(struct flows_pipe *p, const struct pt_merged *m) {
    const struct pt_record *r = m->ev.rec;
    PT_GROW(p->begun, p->nbegun + 1, p->cap_begun);
    p->begun[p->nbegun++] =
        (struct flows_begun){m->file_index, m->ev.offset, r->t_start, pt_event_asked(r), r->tid};
}

/* A call that never returned (blocked when the trace ended), or returned
 * 0 or an error: it moved no bytes. */
static void note_idle(struct flows *fl, const struct pt_merged *m, int is_write) {
    const struct pt_record *r = m->ev.rec;
    struct flows_pipe *p = pipe_of(fl, r);
    if (r->state != PT_DONE)
        (is_write ? &p->unfinished_writes : &p->unfinished_reads)[0]++;
    else if (r->result == 0 && !is_write)
        p->eof_reads++;
    if (r->state == PT_BEGUN && is_write)
        keep_begun(p, m);
}

/* Bytes through a pipe, or through a socket channel the trace can name
 * (not a MSG_PEEK, which takes nothing). */
static int on_pipe(struct flows *fl, const struct pt_record *r) {
    struct pt_objkey channel;
    return r->obj_kind == PT_OBJ_PIPE || r->obj_kind == PT_OBJ_FIFO ||
           pt_sock_channel(&fl->peers, r, &channel);
}

/* One side of a call that moves bytes.  tee's read takes nothing out of
 * the pipe: its bytes are numbered when a later read or splice takes
 * them, and tee's write says where they came from.  A two-fd call that
 * never returned counts as waiting on its in fd (which of the two pipes
 * it waited on, empty or full, the record cannot say). */
static void add_side(struct flows *fl, const struct pt_merged *view, int is_write, int consumes,
                     int two_fd, int which) {
    const struct pt_record *r = view->ev.rec;
    if (!on_pipe(fl, r) || (!is_write && !consumes))
        return;
    if (r->state != PT_DONE || r->result <= 0) {
        if (r->state != PT_DONE && is_write && two_fd)
            return;
        note_idle(fl, view, is_write);
        return;
    }
    flows_order_push(&fl->order, view, which); /* held by its record's offset */
}

void flows_add(struct flows *fl, const struct pt_merged *m) {
    const struct pt_record *r = m->ev.rec;
    struct pt_io_side sides[2];
    struct pt_merged view;
    int is_write;
    release(fl, r->t_start);
    if (pt_sockpeers_note(&fl->peers, &m->ev))
        return;
    if (one_fd_io(r, &is_write)) {
        add_side(fl, m, is_write, 1, 0, 0);
        return;
    }
    int n = pt_event_sides(&m->ev, sides);
    if (n == 0 && (pt_event_info(r->type)->flags & PT_EVF_MAKES_PIPE))
        flows_note_made(fl, m);
    for (int i = 0; i < n; i++) {
        side_view(m, &sides[i], &view);
        add_side(fl, &view, sides[i].is_write, sides[i].consumes, sides[i].other >= 0, i);
    }
}

void flows_finish(struct flows *fl) {
    release(fl, UINT64_MAX);
    flows_infer_writes(fl);
    for (size_t i = 0; i < fl->pipe_count; i++)
        flows_match(fl, fl->pipes[i], 1);
}

void flows_run(struct flows *fl, const struct pt_file *files, size_t count,
               const struct flows_hooks *hooks) {
    struct pt_merge merge;
    struct pt_merged m;
    flows_init(fl, files, count, hooks);
    pt_merge_init(&merge, files, count);
    while (pt_merge_next(&merge, &m))
        flows_add(fl, &m);
    pt_merge_free(&merge);
    flows_finish(fl);
}
