/* Writes that never returned but moved their bytes.  A process killed right
 * after its write returned (before its wrapper marked the record done)
 * leaves the record begun.  When the readers of a pipe made in the trace
 * got more bytes than the finished writes gave, the begun writes (that
 * began before the last read that got bytes) gave them: each whose every
 * byte was read is counted as done, in the order they began, and said to
 * be inferred; one that moved only part of what it asked is still
 * blocked.  (A pipe made outside the trace may have had a
 * writer nobody traced: its bytes stay unmatched.)  The model
 * (src/analysis/pipes.c) infers the same writes for summary and check. */
#include <stdlib.h>
#include <string.h>

#include "flows_internal.h"
#include "trace/events.h"
#include "trace/payload.h"
#include "trace/xalloc.h"

static void add_made(struct flows *fl, struct pt_objkey obj) {
    if (obj.ino == 0)
        return;
    PT_GROW(fl->made, fl->nmade + 1, fl->made_cap);
    fl->made[fl->nmade++] = obj;
}

void flows_note_made(struct flows *fl, const struct pt_merged *m) {
    const struct pt_record *r = m->ev.rec;
    struct pt_pipe_payload pp;
    if (r->state != PT_DONE)
        return;
    const struct pt_event_info *row = pt_event_info(r->type);
    if (!(row->flags & PT_EVF_MAKES_PIPE))
        return;
    if (row->payload == PT_PAYLOAD_PAIR && pt_payload_pair(&m->ev, &pp))
        add_made(fl, (struct pt_objkey){pp.ino[0], r->obj_dev});
    else if (row->payload != PT_PAYLOAD_PAIR && r->obj_ino != 0)
        add_made(fl, pt_objkey_of(r));
}

static int cmp_key(const void *a, const void *b) {
    const struct pt_objkey *x = a, *y = b;
    if (x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static int made_here(const struct flows *fl, struct pt_objkey obj) {
    return fl->nmade > 0 && bsearch(&obj, fl->made, fl->nmade, sizeof *fl->made, cmp_key) != NULL;
}

/* The write's bytes go at the end of the pipe's write stream, where the
 * reads that no finished write matched wait. */
static void infer(struct flows *fl, struct flows_pipe *p, const struct flows_begun *b,
                  uint64_t bytes) {
    struct flows_call c = {
        .file = b->file,
        .rec_offset = b->offset,
        .seq = ++fl->calls_numbered,
        .t_start = b->t_start,
        .t_end = b->t_start,
        .tid = b->tid,
        .start = p->bytes_written,
        .end = p->bytes_written + bytes,
        .pos = p->bytes_written,
        .inferred = 1,
    };
    p->bytes_written += bytes;
    p->write_calls++;
    p->inferred_writes++;
    p->inferred_bytes += bytes;
    if (p->unfinished_writes > 0)
        p->unfinished_writes--;
    flows_queue_push(&p->writes, &c);
    flows_match(fl, p, 0);
}

static void infer_pipe(struct flows *fl, struct flows_pipe *p) {
    if (p->nbegun == 0 || p->bytes_read <= p->bytes_written || !made_here(fl, p->obj))
        return;
    uint64_t surplus = p->bytes_read - p->bytes_written;
    for (size_t i = 0; i < p->nbegun && surplus > 0; i++) {
        const struct flows_begun *b = &p->begun[i];
        if (b->t_start > p->last_read_end || b->asked == 0 || b->asked > surplus)
            continue; /* part of it read: still blocked (see pipes.c) */
        infer(fl, p, b, b->asked);
        surplus -= b->asked;
    }
}

void flows_infer_writes(struct flows *fl) {
    if (fl->nmade > 0) /* qsort(NULL, 0, ...) is undefined */
        qsort(fl->made, fl->nmade, sizeof *fl->made, cmp_key);
    for (size_t i = 0; i < fl->pipe_count; i++)
        infer_pipe(fl, fl->pipes[i]);
}
