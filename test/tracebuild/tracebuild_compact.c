/* tracebuild's compact records (format 2): the recorder's rules for when a
 * record is compact, and its channels and notes, without a running
 * program.  See tracebuild.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test/tracebuild/tracebuild.h"
#include "test/tracebuild/tracebuild_impl.h"

void ptb_set_compact(struct ptb_file *f, int on) {
    f->compact = on;
}

uint64_t ptb_compact_start(const struct ptb_file *f, uint64_t t_start) {
    return t_start - f->hdr.start_mono_ns;
}

static int is_io_type(uint8_t type) {
    return type >= PT_EV_READ && type <= PT_EV_STDIO_WRITE;
}

int ptb_goes_compact(const struct ptb_file *f, const struct pt_record *r, uint32_t len) {
    return f->compact && f->hdr.version >= 2 && is_io_type(r->type) && len <= UINT16_MAX &&
           r->t_start >= f->hdr.start_mono_ns && ptb_compact_start(f, r->t_start) < PT_START_LIMIT;
}

static uint64_t round8(uint64_t n) {
    return (n + 7) & ~(uint64_t)7;
}

uint64_t ptb_add_compact(struct ptb_file *f, struct pt_compact_record k, const void *payload,
                         uint32_t len) {
    uint64_t at = f->off;
    uint64_t size = round8(PT_COMPACT_SIZE + (uint64_t)len);
    k.size = (uint32_t)size;
    k.data_len = (uint16_t)len;
    ptb_put(f, &k, sizeof k);
    ptb_put(f, payload, len);
    ptb_put_zeros(f, size - PT_COMPACT_SIZE - len);
    return at;
}

uint64_t ptb_add_channel(struct ptb_file *f, struct pt_channel_record ch) {
    uint64_t at = f->off;
    ch.size = PT_COMPACT_SIZE;
    ptb_put(f, &ch, sizeof ch);
    return at;
}

/* The channel of r's thread, fd and object: a new one is written first. */
static uint16_t channel_of(struct ptb_file *f, const struct pt_record *r) {
    for (size_t i = 0; i < f->channel_count; i++) {
        const struct pt_channel_record *c = &f->channels[i];
        if (c->tid == r->tid && c->fd == r->fd && c->obj_kind == r->obj_kind &&
            c->obj_ino == r->obj_ino && c->obj_dev == r->obj_dev)
            return c->number;
    }
    if (f->channel_count == f->channel_cap) {
        size_t cap = f->channel_cap ? 2 * f->channel_cap : 16;
        struct pt_channel_record *grown = realloc(f->channels, cap * sizeof *grown);
        if (grown == NULL) {
            f->error = f->error ? f->error : ENOMEM;
            return 0;
        }
        f->channels = grown;
        f->channel_cap = cap;
    }
    struct pt_channel_record c = {
        .type = PT_EV_CHANNEL | PT_COMPACT,
        .state = PT_DONE,
        .obj_kind = r->obj_kind,
        .tid = r->tid,
        .fd = r->fd,
        .obj_ino = r->obj_ino,
        .obj_dev = r->obj_dev,
        .number = (uint16_t)f->channel_count,
    };
    f->channels[f->channel_count++] = c;
    ptb_add_channel(f, c);
    return c.number;
}

/* The span a compact record holds for r, or PT_SPAN_IN_NOTE. */
static uint64_t span_of(const struct pt_record *r) {
    if (r->t_end == 0)
        return 0;
    if (r->t_end < r->t_start || r->t_end - r->t_start >= PT_SPAN_IN_NOTE - 1)
        return PT_SPAN_IN_NOTE;
    return r->t_end - r->t_start + 1;
}

uint64_t ptb_add_as_compact(struct ptb_file *f, const struct pt_record *r, const void *payload,
                            uint32_t len) {
    uint16_t channel = channel_of(f, r);
    uint64_t start = ptb_compact_start(f, r->t_start);
    uint64_t span = span_of(r);
    int end_in_note = span == PT_SPAN_IN_NOTE || r->result != (int32_t)r->result;
    int arg_in_note = r->arg >= PT_COMPACT_IN_NOTE;
    if (end_in_note)
        span = PT_SPAN_IN_NOTE;
    struct pt_compact_record k = {
        .type = (uint8_t)(r->type | PT_COMPACT),
        .state = r->state,
        .obj_kind = r->obj_kind,
        .fd_flags = r->fd_flags,
        .channel = channel,
        .arg = arg_in_note ? PT_COMPACT_IN_NOTE : (uint32_t)r->arg,
        .start_lo = (uint32_t)start,
        .start_hi = (uint16_t)(start >> 32),
        .span_hi = (uint16_t)(span >> 32),
        .result = end_in_note ? 0 : (int32_t)r->result,
        .span_lo = (uint32_t)span,
    };
    uint64_t at = ptb_add_compact(f, k, payload, len);
    if (end_in_note || arg_in_note) {
        struct pt_note_payload note = {
            .offset = at,
            .fields = (end_in_note ? PT_NOTE_END : 0) | (arg_in_note ? PT_NOTE_ARG : 0),
            .arg = r->arg,
            .t_end = r->t_end,
            .result = r->result,
        };
        struct pt_record n = ptb_record(PT_EV_NOTE, r->tid, -1, r->t_end);
        n.t_end = r->t_end;
        ptb_add(f, n, &note, sizeof note);
    }
    return at;
}
