/* Decoders of the calls on fds: I/O, making, copying, changing and
 * closing fds. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/ioctl.h>

#include "decoders.h"
#include "names.h"
#include "payload.h"

struct pt_field *pt_field_capture(struct pt_fields *f, const struct pt_event *ev, int at_exit) {
    struct pt_field *data = pt_field_add(f, "data", PT_FIELD_DATA, PT_SHOW_BOTH);
    data->v.data.p = ev->payload;
    data->v.data.len = ev->rec->data_len;
    data->v.data.cut = pt_event_data_cut(ev->rec);
    data->at_exit = (uint8_t)(at_exit != 0);
    return data;
}

struct pt_field *pt_field_first_string(struct pt_fields *f, const char *key, unsigned show,
                                       const struct pt_event *ev, size_t *pos) {
    const uint8_t *s;
    size_t len;
    *pos = 0;
    if (!pt_payload_next_string(ev, pos, &s, &len))
        return pt_field_null(f, key, show);
    return pt_field_bytes(f, key, PT_FIELD_STRING, show, s, len);
}

/* read(fd, "data", asked): what a read moved is known only once it
 * returned; a write's bytes are known when it begins. */
void pt_args_io(const struct pt_event *ev, struct pt_fields *out) {
    const struct pt_record *r = ev->rec;
    pt_field_record_fd(out, "fd", PT_SHOW_TEXT, r);
    pt_field_capture(out, ev, pt_event_reads(r->type));
    pt_field_uint(out, "count", PT_SHOW_TEXT, r->arg);
}

/* pipe([3, 4]), pipe2([3, 4], O_CLOEXEC), socketpair([3, 4]): the pair is
 * known once the call returned. */
void pt_args_pair(const struct pt_event *ev, struct pt_fields *out) {
    const struct pt_record *r = ev->rec;
    const struct pt_event_info *row = pt_event_info(r->type);
    struct pt_pipe_payload p;
    struct pt_field *pair;
    if (pt_payload_pair(ev, &p)) {
        pair = pt_field_add(out, "fds", PT_FIELD_PAIR, PT_SHOW_BOTH);
        for (int end = 0; end < 2; end++) {
            pair->v.pair.fds[end] = p.fds[end];
            pair->v.pair.inos[end] = p.ino[end];
        }
        pair->v.pair.kind = r->obj_kind != PT_OBJ_UNKNOWN ? r->obj_kind : row->makes_kind;
        pair->v.pair.dev = r->obj_dev;
    } else {
        pair = pt_field_null(out, "fds", PT_SHOW_BOTH);
    }
    pair->at_exit = 1;
    /* The JSON always says which flags; the text, as strace, only for a
     * call that takes them. */
    pt_field_open_flags(out, "flags", row->flags_at != PT_FLAGS_NONE ? PT_SHOW_BOTH : PT_SHOW_JSON,
                        pt_event_open_flags(r), 0);
}

/* dup(fd): the new fd is the result. */
void pt_args_dup(const struct pt_event *ev, struct pt_fields *out) {
    pt_field_record_fd(out, "fd", PT_SHOW_TEXT, ev->rec);
}

/* dup2(fd, newfd) */
void pt_args_dup2(const struct pt_event *ev, struct pt_fields *out) {
    pt_field_record_fd(out, "fd", PT_SHOW_TEXT, ev->rec);
    pt_field_uint(out, "newfd", PT_SHOW_BOTH, ev->rec->arg);
}

/* dup3(fd, newfd, flags): arg = newfd | flags << 32 */
void pt_args_dup3(const struct pt_event *ev, struct pt_fields *out) {
    const struct pt_record *r = ev->rec;
    pt_field_record_fd(out, "fd", PT_SHOW_TEXT, r);
    pt_field_uint(out, "newfd", PT_SHOW_BOTH, (uint32_t)r->arg);
    pt_field_open_flags(out, "flags", PT_SHOW_BOTH, pt_event_open_flags(r), 0);
}

/* fcntl(fd, cmd, value): arg = cmd | value << 32.  The JSON has the raw
 * value always; the text shows it as the command reads it, and not at all
 * for a command that takes none. */
void pt_args_fcntl(const struct pt_event *ev, struct pt_fields *out) {
    const struct pt_record *r = ev->rec;
    int cmd = (int)(uint32_t)r->arg;
    uint32_t value = (uint32_t)(r->arg >> 32);
    const char *name = pt_fcntl_cmd_name(cmd);
    pt_field_record_fd(out, "fd", PT_SHOW_TEXT, r);
    if (name != NULL)
        pt_field_name(out, "cmd", PT_SHOW_BOTH, name);
    else
        pt_field_int(out, "cmd", PT_SHOW_BOTH, cmd);
    pt_field_uint(out, "value", PT_SHOW_JSON, value);
    if (cmd == F_SETFL)
        pt_field_open_flags(out, "flags", PT_SHOW_BOTH, value, 0);
    else if (cmd == F_SETFD)
        pt_field_name(out, "value", PT_SHOW_TEXT, value & FD_CLOEXEC ? "FD_CLOEXEC" : "0");
    else if (cmd != F_GETFD && cmd != F_GETFL && cmd != F_GETPIPE_SZ)
        pt_field_uint(out, "value", PT_SHOW_TEXT, value);
}

/* ioctl(fd, FIONBIO, [1]), ioctl(fd, FIOCLEX): arg = request | value << 32. */
void pt_args_ioctl(const struct pt_event *ev, struct pt_fields *out) {
    const struct pt_record *r = ev->rec;
    unsigned long request = (uint32_t)r->arg;
    pt_field_record_fd(out, "fd", PT_SHOW_TEXT, r);
    const char *name = request == FIONBIO    ? "FIONBIO"
                       : request == FIOCLEX  ? "FIOCLEX"
                       : request == FIONCLEX ? "FIONCLEX"
                                             : NULL;
    if (name != NULL)
        pt_field_name(out, "request", PT_SHOW_BOTH, name);
    else
        pt_field_hex(out, "request", PT_SHOW_BOTH, request);
    if (request == FIONBIO)
        pt_field_uint(out, "value", PT_SHOW_BOTH, r->arg >> 32);
}

/* open("path", flags) of a FIFO */
void pt_args_open(const struct pt_event *ev, struct pt_fields *out) {
    size_t pos;
    pt_field_first_string(out, "path", PT_SHOW_BOTH, ev, &pos);
    pt_field_open_flags(out, "flags", PT_SHOW_BOTH, pt_event_open_flags(ev->rec), 1);
}

void pt_args_close(const struct pt_event *ev, struct pt_fields *out) {
    pt_field_record_fd(out, "fd", PT_SHOW_TEXT, ev->rec);
}

/* close_range(first, last, flags): fd = first, arg = last | flags << 32.
 * first is a number, not an open fd. */
void pt_args_close_range(const struct pt_event *ev, struct pt_fields *out) {
    const struct pt_record *r = ev->rec;
    pt_field_int(out, "first", PT_SHOW_TEXT, r->fd);
    pt_field_uint(out, "last", PT_SHOW_BOTH, (uint32_t)r->arg);
    pt_field_hex(out, "range_flags", PT_SHOW_BOTH, (uint32_t)(r->arg >> 32));
}

/* mkfifo("path") */
void pt_args_mkfifo(const struct pt_event *ev, struct pt_fields *out) {
    size_t pos;
    pt_field_first_string(out, "path", PT_SHOW_BOTH, ev, &pos);
}

/* A type this version does not know: what every record has, and its
 * payload as raw bytes. */
void pt_args_unknown(const struct pt_event *ev, struct pt_fields *out) {
    const struct pt_record *r = ev->rec;
    pt_field_record_fd(out, "fd", PT_SHOW_TEXT, r);
    pt_field_uint(out, "arg", PT_SHOW_TEXT, r->arg);
    struct pt_field *data = pt_field_add(out, "data", PT_FIELD_DATA, PT_SHOW_JSON);
    data->v.data.p = ev->payload;
    data->v.data.len = r->data_len;
    data->v.data.cut = pt_event_data_cut(r);
}
