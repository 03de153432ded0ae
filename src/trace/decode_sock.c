/* Socket calls: send, recv and their variants (format.h, PT_EV_SEND..). */
#define _GNU_SOURCE
#include <sys/socket.h>

#include <string.h>

#include "decoders.h"
#include "payload.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    uint32_t bit;
    const char *name;
} msg_flag_names[] = {
    {MSG_OOB, "MSG_OOB"},
    {MSG_PEEK, "MSG_PEEK"},
    {MSG_DONTROUTE, "MSG_DONTROUTE"},
    {MSG_TRUNC, "MSG_TRUNC"},
    {MSG_DONTWAIT, "MSG_DONTWAIT"},
    {MSG_EOR, "MSG_EOR"},
    {MSG_WAITALL, "MSG_WAITALL"},
    {MSG_NOSIGNAL, "MSG_NOSIGNAL"},
    {MSG_MORE, "MSG_MORE"},
    {MSG_CMSG_CLOEXEC, "MSG_CMSG_CLOEXEC"},
};

/* The name of flags that are one known MSG_* bit (or none), else NULL. */
static const char *msg_flags_name(uint32_t flags) {
    if (flags == 0)
        return "0";
    for (size_t i = 0; i < COUNT(msg_flag_names); i++)
        if (flags == msg_flag_names[i].bit)
            return msg_flag_names[i].name;
    return NULL;
}

/* send(3<socket:[7]>, "ping", 4, MSG_NOSIGNAL) = 4: as read and write, the
 * bytes asked and the flags from the packed arg.  The JSON says which
 * function it was (send or sendto, ...). */
void pt_args_sockio(const struct pt_event *ev, struct pt_fields *out) {
    const struct pt_record *r = ev->rec;
    pt_field_record_fd(out, "fd", PT_SHOW_TEXT, r);
    pt_field_capture(out, ev, pt_event_reads(r->type));
    pt_field_uint(out, "count", PT_SHOW_BOTH, PT_SOCKIO_ASKED(r->arg));
    uint32_t flags = PT_SOCKIO_FLAGS(r->arg);
    const char *name = msg_flags_name(flags);
    if (name != NULL)
        pt_field_name(out, "msg_flags", PT_SHOW_BOTH, name);
    else
        pt_field_hex(out, "msg_flags", PT_SHOW_BOTH, flags);
    pt_field_name(out, "variant", PT_SHOW_JSON, pt_sockio_variant_name(r));
}

/* scm_rights(5<socket:[7]>, sent, 1, [4<pipe:[9]>]): the fds a sendmsg
 * sent (the sender's numbers) or a recvmsg received (the new ones), each
 * with its object. */
void pt_args_fdpass(const struct pt_event *ev, struct pt_fields *out) {
    static const char *const keys[] = {"passed_0", "passed_1", "passed_2", "passed_3",
                                       "passed_4", "passed_5", "passed_6"};
    struct pt_fdpass_payload head;
    const uint8_t *fds;
    pt_field_record_fd(out, "fd", PT_SHOW_TEXT, ev->rec);
    if (!pt_payload_fdpass(ev, &head, &fds)) {
        pt_field_null(out, "direction", PT_SHOW_BOTH);
        return;
    }
    pt_field_name(out, "direction", PT_SHOW_BOTH, head.received ? "received" : "sent");
    pt_field_uint(out, "count", PT_SHOW_BOTH, head.count);
    for (size_t i = 0; i < head.stored && i < sizeof keys / sizeof keys[0]; i++) {
        struct pt_fdpass_fd e;
        memcpy(&e, fds + i * sizeof e, sizeof e);
        struct pt_field *f = pt_field_add(out, keys[i], PT_FIELD_FD, PT_SHOW_BOTH);
        f->v.fd.fd = e.fd;
        f->v.fd.kind = e.kind;
        f->v.fd.ino = e.ino;
        f->v.fd.dev = e.dev;
    }
    if (head.flags & PT_FDPASSF_CTRUNC)
        pt_field_name(out, "truncated", PT_SHOW_BOTH, "MSG_CTRUNC");
}

/* connect(3<socket:[7]>) = 0, accept(3<socket:[5]>) = 4: the connection
 * made, with the peer the kernel named (JSON "ino", "peer_ino"). */
void pt_args_connect(const struct pt_event *ev, struct pt_fields *out) {
    const struct pt_record *r = ev->rec;
    struct pt_sockpeer_payload p;
    pt_field_record_fd(out, "fd", PT_SHOW_TEXT, r);
    if (r->type == PT_EV_ACCEPT && r->arg != 0)
        pt_field_open_flags(out, "flags", PT_SHOW_BOTH, r->arg, 0);
    if (!pt_payload_sockpeer(ev, &p))
        return;
    struct pt_field *f = pt_field_uint(out, "ino", PT_SHOW_JSON, p.ino);
    f->at_exit = 1;
    f = pt_field_uint(out, "peer_ino", PT_SHOW_JSON, p.peer_ino);
    f->at_exit = 1;
}
