/* Bytes a splice (sendfile, copy_file_range) took out of one pipe, carried
 * into the pipe it put them in.  Such a call leaves no capture of its own:
 * the bytes never passed through the process.  But the writes that put
 * them into the first pipe may have been captured, and the flows analysis
 * matches the splice's read of that pipe to them just before it numbers
 * the splice's write into the next (the two sides of one record are
 * released together, the read first).  So the prefix of the read's bytes
 * that those captures cover is the prefix of what the splice wrote. */
#include <stdlib.h>
#include <string.h>

#include "follow.h"
#include "trace/events.h"
#include "trace/xalloc.h"

void follow_carry_init(struct follow_carry *c, const struct pt_file *files) {
    memset(c, 0, sizeof *c);
    c->files = files;
}

void follow_carry_free(struct follow_carry *c) {
    free(c->bytes);
    memset(c, 0, sizeof *c);
}

/* Whether the call is one side of a move from one fd to another. */
static int is_xfer(const struct follow_carry *c, const struct flows_call *call) {
    struct pt_event ev;
    if (!pt_file_event_at(&c->files[call->file], call->rec_offset, &ev))
        return 0;
    const struct pt_event_info *row = pt_event_info(ev.rec->type);
    return row->cls == PT_CLASS_XFER && row->payload == PT_PAYLOAD_XFER;
}

static void start(struct follow_carry *c, const struct flows_call *read) {
    c->valid = 1;
    c->broken = 0;
    c->file = read->file;
    c->rec_offset = read->rec_offset;
    c->next = read->start;
    c->len = 0;
}

void follow_carry_segment(struct follow_carry *c, const struct flows_segment *s) {
    const struct flows_call *r = s->read, *w = s->write;
    if (r == NULL || !is_xfer(c, r))
        return;
    if (!c->valid || c->file != r->file || c->rec_offset != r->rec_offset)
        start(c, r);
    if (c->broken || w == NULL || s->offset != c->next || s->offset < w->start) {
        c->broken = 1; /* only a prefix is carried: the rest shows as a gap */
        return;
    }
    uint64_t captured_to = w->start + w->data_len;
    uint64_t n = captured_to > s->offset ? captured_to - s->offset : 0;
    if (n > s->len)
        n = s->len;
    struct pt_event ev;
    if (n > 0 && pt_file_event_at(&c->files[w->file], w->rec_offset, &ev)) {
        PT_GROW(c->bytes, c->len + n, c->cap);
        memcpy(c->bytes + c->len, ev.payload + (s->offset - w->start), n);
        c->len += n;
    } else {
        n = 0;
    }
    c->next += n;
    if (n < s->len)
        c->broken = 1;
}

const uint8_t *follow_carry_take(struct follow_carry *c, size_t file, uint64_t rec_offset,
                                 uint64_t *len) {
    if (!c->valid || c->file != file || c->rec_offset != rec_offset)
        return NULL;
    c->valid = 0;
    *len = c->len;
    return c->bytes;
}
