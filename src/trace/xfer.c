/* The sides of a record that moves bytes (xfer.h). */
#include "xfer.h"

#include <string.h>

#include "events.h"

int pt_payload_xfer(const struct pt_event *ev, struct pt_xfer_payload *out) {
    if (pt_event_info(ev->rec->type)->payload != PT_PAYLOAD_XFER || ev->rec->data_len < sizeof *out)
        return 0;
    memcpy(out, ev->payload, sizeof *out);
    return 1;
}

static void side_of(struct pt_io_side *s, const struct pt_event *ev, int is_write) {
    s->rec = *ev->rec;
    s->payload = ev->payload;
    s->is_write = is_write;
    s->consumes = !is_write;
    s->other = -1;
}

/* vmsplice moves bytes into a pipe from memory through its write end, and
 * out of it into memory through its read end. */
int pt_vmsplice_writes(const struct pt_record *r) {
    return !((r->fd_flags & PT_FDF_KNOWN) && (r->fd_flags & PT_FDF_RDONLY));
}

static int two_sides(const struct pt_event *ev, struct pt_io_side out[2]) {
    struct pt_xfer_payload x;
    const struct pt_event_info *row = pt_event_info(ev->rec->type);
    if (!pt_payload_xfer(ev, &x))
        return 0;
    side_of(&out[0], ev, 0);
    side_of(&out[1], ev, 1);
    for (int i = 0; i < 2; i++) {
        out[i].rec.data_len = 0; /* nothing captured: the bytes stayed in the kernel */
        out[i].other = 1 - i;
    }
    out[0].consumes = !(row->flags & PT_EVF_PEEKS);
    struct pt_record *w = &out[1].rec;
    w->fd = x.fd_out;
    w->obj_kind = x.kind_out;
    w->fd_flags = x.fd_flags_out;
    w->obj_ino = x.ino_out;
    w->obj_dev = x.dev_out;
    return 2;
}

int pt_event_sides(const struct pt_event *ev, struct pt_io_side out[2]) {
    const struct pt_record *r = ev->rec;
    const struct pt_event_info *row = pt_event_info(r->type);
    if (row->cls == PT_CLASS_IO) {
        side_of(&out[0], ev, pt_event_writes(r->type));
        return 1;
    }
    if (row->cls != PT_CLASS_XFER)
        return 0;
    if (row->payload == PT_PAYLOAD_XFER)
        return two_sides(ev, out);
    side_of(&out[0], ev, pt_vmsplice_writes(r));
    out[0].rec.arg = pt_vmsplice_count(r->arg);
    return 1;
}
