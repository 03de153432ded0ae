/* Decoders of the calls that move bytes inside the kernel: splice, tee,
 * sendfile, copy_file_range (two fds, no capture) and vmsplice (a pipe and
 * the caller's memory, captured as writev's). */
#include "decoders.h"
#include "names.h"
#include "xfer.h"

/* What the text says after such a call's result, and the JSON as
 * "capture": the bytes were never in the process, so none were seen. */
#define NOT_CAPTURED "not captured: moved inside the kernel"

/* NULL (the fd's own position), the offset the call left, or unknown
 * ("?", null) for a call that failed or never returned. */
static void offset_field(struct pt_fields *out, const char *key, int64_t off) {
    if (off == PT_XFER_OFF_NONE)
        pt_field_name(out, key, PT_SHOW_BOTH, "NULL");
    else if (off < 0)
        pt_field_null(out, key, PT_SHOW_BOTH);
    else
        pt_field_int(out, key, PT_SHOW_BOTH, off);
}

/* Text: SPLICE_F_* names as strace spells them (0, or hex for bits no
 * name covers); JSON: the bits, as "splice_flags". */
static void splice_flags_field(struct pt_fields *out, uint64_t flags) {
    const char *name = pt_splice_flags_name(flags);
    if (name != NULL)
        pt_field_name(out, "flags", PT_SHOW_TEXT, name);
    else if (flags == 0)
        pt_field_uint(out, "flags", PT_SHOW_TEXT, 0);
    else
        pt_field_hex(out, "flags", PT_SHOW_TEXT, flags);
    pt_field_uint(out, "splice_flags", PT_SHOW_JSON, flags);
}

static void fd_out_field(struct pt_fields *out, const struct pt_xfer_payload *x, int known) {
    if (!known) {
        pt_field_null(out, "fd_out", PT_SHOW_BOTH);
        return;
    }
    struct pt_field *f = pt_field_add(out, "fd_out", PT_FIELD_FD, PT_SHOW_BOTH);
    f->v.fd.fd = x->fd_out;
    f->v.fd.kind = x->kind_out;
    f->v.fd.ino = x->ino_out;
    f->v.fd.dev = x->dev_out;
}

/* The out fd's object (JSON) and the note that nothing was captured. */
static void tail_fields(struct pt_fields *out, const struct pt_xfer_payload *x, int known) {
    if (known) {
        struct pt_field *f = pt_field_add(out, "object_out", PT_FIELD_OBJECT, PT_SHOW_JSON);
        f->v.fd.kind = x->kind_out;
        f->v.fd.ino = x->ino_out;
        f->v.fd.dev = x->dev_out;
    }
    pt_field_name(out, "capture", PT_SHOW_BOTH, NOT_CAPTURED)->trailer = 1;
}

/* splice(3<pipe:[A]>, NULL, 4<pipe:[B]>, NULL, 65536, SPLICE_F_MOVE);
 * copy_file_range in the same shape (its flags are not SPLICE_F_*). */
void pt_args_splice(const struct pt_event *ev, struct pt_fields *out) {
    const struct pt_record *r = ev->rec;
    struct pt_xfer_payload x = {0};
    int known = pt_payload_xfer(ev, &x);
    pt_field_record_fd(out, "fd", PT_SHOW_TEXT, r);
    offset_field(out, "off_in", known ? x.off_in : PT_XFER_OFF_UNKNOWN);
    fd_out_field(out, &x, known);
    offset_field(out, "off_out", known ? x.off_out : PT_XFER_OFF_UNKNOWN);
    pt_field_uint(out, "count", PT_SHOW_TEXT, r->arg);
    if (r->type == PT_EV_SPLICE)
        splice_flags_field(out, x.flags);
    else
        pt_field_hex(out, "copy_flags", PT_SHOW_BOTH, x.flags);
    tail_fields(out, &x, known);
}

/* tee(3<pipe:[A]>, 4<pipe:[B]>, 65536, 0) */
void pt_args_tee(const struct pt_event *ev, struct pt_fields *out) {
    const struct pt_record *r = ev->rec;
    struct pt_xfer_payload x = {0};
    int known = pt_payload_xfer(ev, &x);
    pt_field_record_fd(out, "fd", PT_SHOW_TEXT, r);
    fd_out_field(out, &x, known);
    pt_field_uint(out, "count", PT_SHOW_TEXT, r->arg);
    splice_flags_field(out, x.flags);
    tail_fields(out, &x, known);
}

/* sendfile(4<pipe:[B]>, 3</tmp/f>, NULL, 5): out fd first, as the call
 * takes them; the record's fd is the in fd. */
void pt_args_sendfile(const struct pt_event *ev, struct pt_fields *out) {
    const struct pt_record *r = ev->rec;
    struct pt_xfer_payload x = {0};
    int known = pt_payload_xfer(ev, &x);
    fd_out_field(out, &x, known);
    pt_field_record_fd(out, "fd", PT_SHOW_TEXT, r);
    offset_field(out, "offset", known ? x.off_in : PT_XFER_OFF_UNKNOWN);
    pt_field_uint(out, "count", PT_SHOW_TEXT, r->arg);
    tail_fields(out, &x, known);
}

/* vmsplice(4<pipe:[B]>, "data", 4, SPLICE_F_GIFT): the bytes as writev's,
 * copied once the call returned (the recorder reads the iovecs then). */
void pt_args_vmsplice(const struct pt_event *ev, struct pt_fields *out) {
    const struct pt_record *r = ev->rec;
    pt_field_record_fd(out, "fd", PT_SHOW_TEXT, r);
    pt_field_capture(out, ev, 1); /* the iovecs are read once the call returned */
    pt_field_uint(out, "count", PT_SHOW_BOTH, pt_vmsplice_count(r->arg));
    splice_flags_field(out, pt_vmsplice_flags(r->arg));
}
