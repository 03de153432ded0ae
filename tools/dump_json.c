/* The JSON-lines form of `pipetrace dump`: one object per line, process
 * lines first, then calls in time order.  Strings map each byte to one
 * code point (see escape.h), so captured bytes survive exactly. */
#include <inttypes.h>
#include <string.h>

#include "dump.h"
#include "escape.h"
#include "trace/events.h"
#include "trace/fields.h"
#include "trace/names.h"
#include "trace/payload.h"

static void json_key(FILE *out, const char *key) {
    fprintf(out, ",\"%s\":", key);
}

static void json_str_field(FILE *out, const char *key, const char *value) {
    json_key(out, key);
    esc_json_str(out, value);
}

static void json_names(FILE *out, const char **names, size_t n) {
    putc('[', out);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? "," : "", out);
        esc_json_str(out, names[i]);
    }
    putc(']', out);
}

/* Unnamed bits are kept, as a hex string, rather than silently dropped. */
static void json_open_flags(FILE *out, uint64_t flags, int with_access) {
    const char *names[32];
    char rest_hex[24];
    uint64_t rest;
    size_t n = pt_open_flag_names(flags, with_access, names, 31, &rest);
    if (rest != 0) {
        snprintf(rest_hex, sizeof rest_hex, "%#" PRIx64, rest);
        names[n++] = rest_hex;
    }
    json_names(out, names, n);
}

static void json_errno_name(FILE *out, int err) {
    const char *name = pt_errno_name(err);
    if (name != NULL)
        esc_json_str(out, name);
    else
        fprintf(out, "\"errno(%d)\"", err);
}

/* --- process lines ------------------------------------------------------ */

static void json_argv(FILE *out, const struct pt_file *f) {
    json_key(out, "argv");
    putc('[', out);
    for (uint32_t i = 0; i < f->argc; i++) {
        fputs(i ? "," : "", out);
        esc_json_str(out, f->argv[i]);
    }
    putc(']', out);
}

static const char *walk_end_name(enum pt_walk_stop stop) {
    switch (stop) {
    case PT_WALK_TRUNCATED:
        return "truncated";
    case PT_WALK_CORRUPT:
        return "corrupt";
    default:
        return "complete";
    }
}

static void json_stop(FILE *out, const struct pt_file_header *h) {
    json_key(out, "stopped");
    if (h->flags & PT_HDR_STOPPED)
        json_errno_name(out, h->stop_errno);
    else
        fputs("null", out);
    fprintf(out, ",\"dropped\":%" PRIu64, h->dropped);
}

static void json_damage(FILE *out, const struct pt_damage *d) {
    fprintf(out, ",\"torn\":%" PRIu64 ",\"invalid\":%" PRIu64, d->torn, d->invalid);
    json_str_field(out, "records_end", walk_end_name(d->stop));
    fprintf(out, ",\"read_to\":%" PRIu64, d->stop_offset);
}

void dump_json_process(FILE *out, const struct pt_file *f) {
    const struct pt_file_header *h = f->hdr;
    char image[64];
    pt_file_image(f, image, sizeof image);
    fprintf(out, "{\"type\":\"process\",\"pid\":%" PRId32 ",\"ppid\":%" PRId32, h->pid, h->ppid);
    json_str_field(out, "image", image);
    json_str_field(out, "file", pt_file_basename(f));
    json_str_field(out, "exe", f->exe);
    json_argv(out, f);
    fprintf(out, ",\"argv_truncated\":%s", h->flags & PT_HDR_ARGV_TRUNCATED ? "true" : "false");
    fprintf(out, ",\"start_ns\":%" PRIu64 ",\"start_real_ns\":%" PRIu64, h->start_mono_ns,
            h->start_real_ns);
    fprintf(out, ",\"fork_child\":%s", h->flags & PT_HDR_FORK_CHILD ? "true" : "false");
    fprintf(out, ",\"all_fds\":%s", h->flags & PT_HDR_ALL_FDS ? "true" : "false");
    json_str_field(out, "stdio", pt_stdio_state_name(h->flags));
    json_key(out, "data_limit");
    if (h->data_limit == UINT32_MAX)
        fputs("\"full\"", out);
    else
        fprintf(out, "%" PRIu32, h->data_limit);
    json_stop(out, h);
    json_damage(out, &f->damage);
    fputs("}\n", out);
}

/* --- call lines: fields every record has -------------------------------- */

static void json_object_value(FILE *out, unsigned kind, uint64_t ino, uint32_t dev) {
    fputs("{\"kind\":", out);
    esc_json_str(out, pt_obj_kind_name(kind));
    fprintf(out, ",\"ino\":%" PRIu64 ",\"dev\":%" PRIu32 "}", ino, dev);
}

static void json_object(FILE *out, const struct pt_record *r) {
    json_key(out, "object");
    json_object_value(out, r->obj_kind, r->obj_ino, r->obj_dev);
}

static void json_fd_flags(FILE *out, const struct pt_record *r) {
    const char *names[8];
    size_t n = pt_fd_flag_names(r->fd_flags, names, 8);
    json_key(out, "fd_flags");
    if (r->fd_flags & PT_FDF_KNOWN)
        json_names(out, names, n);
    else
        fputs("null", out);
}

static void json_call_name(FILE *out, const struct pt_record *r) {
    const char *name = pt_event_name(r->type);
    json_key(out, "call");
    if (name != NULL)
        esc_json_str(out, name);
    else
        fprintf(out, "\"unknown(%u)\"", r->type);
    if (pt_event_via_stdio(r->type))
        json_str_field(out, "via", "stdio");
}

static void json_times(FILE *out, const struct pt_record *r, uint64_t t0) {
    fputs(",\"t\":", out);
    dump_rel_time(out, r->t_start, t0, 9);
    fprintf(out, ",\"t_start_ns\":%" PRIu64, r->t_start);
    if (r->state != PT_DONE)
        fputs(",\"t_end_ns\":null", out);
    else
        fprintf(out, ",\"t_end_ns\":%" PRIu64, r->t_end);
}

static void json_result(FILE *out, const struct pt_record *r) {
    int failed = !pt_event_unfinished(r) && pt_event_result(r) < 0;
    if (pt_event_unfinished(r))
        fputs(",\"result\":null", out);
    else
        fprintf(out, ",\"result\":%" PRId64, pt_event_result(r));
    json_key(out, "errno");
    if (failed)
        json_errno_name(out, pt_result_errno(pt_event_result(r)));
    else
        fputs("null", out);
    json_str_field(out, "state", pt_event_unfinished(r) ? "unfinished" : "done");
}

static void json_common(FILE *out, const struct pt_merged *m, uint64_t t0) {
    const struct pt_record *r = m->ev.rec;
    char image[64];
    pt_file_image(m->file, image, sizeof image);
    fprintf(out, "{\"type\":\"call\",\"pid\":%" PRId32 ",\"tid\":%" PRId32, m->file->hdr->pid,
            r->tid);
    json_str_field(out, "image", image);
    json_times(out, r, t0);
    json_call_name(out, r);
    fprintf(out, ",\"fd\":%" PRId32, r->fd);
    json_object(out, r);
    json_fd_flags(out, r);
    fprintf(out, ",\"arg\":%" PRIu64, r->arg);
    json_result(out, r);
    const char *injected = pt_event_injected(r);
    if (injected)
        json_str_field(out, "injected", injected);
}

/* --- call lines: fields by type ----------------------------------------- */

static void json_data(FILE *out, const struct pt_field *f) {
    esc_json_quoted(out, f->v.data.p, f->v.data.len);
    fprintf(out, ",\"data_len\":%zu,\"data_cut\":%s", f->v.data.len,
            f->v.data.cut ? "true" : "false");
}

static void json_pair(FILE *out, const struct pt_field *f) {
    fprintf(out, "[%" PRId32 ",%" PRId32 "],\"inos\":[%" PRIu64 ",%" PRIu64 "]", f->v.pair.fds[0],
            f->v.pair.fds[1], f->v.pair.inos[0], f->v.pair.inos[1]);
}

static void json_strings(FILE *out, const struct pt_field *f) {
    size_t pos = 0, len;
    const uint8_t *s;
    putc('[', out);
    for (int i = 0; pt_strings_next(f->v.bytes.p, f->v.bytes.len, &pos, &s, &len); i++) {
        fputs(i ? "," : "", out);
        esc_json_quoted(out, s, len);
    }
    putc(']', out);
}

/* ["POLLIN","POLLOUT"]; unnamed bits as a hex string. */
static void json_event_bits(FILE *out, uint64_t bits, int epoll) {
    const char *names[17];
    char rest_hex[24];
    uint64_t rest;
    size_t n = epoll ? pt_epoll_event_names(bits, names, 16, &rest)
                     : pt_poll_event_names(bits, names, 16, &rest);
    if (rest != 0) {
        snprintf(rest_hex, sizeof rest_hex, "%#" PRIx64, rest);
        names[n++] = rest_hex;
    }
    json_names(out, names, n);
}

static void json_epoll_event(FILE *out, const uint8_t *p) {
    struct pt_wait_epoll_event e;
    memcpy(&e, p, sizeof e);
    fputs("{\"events\":", out);
    json_event_bits(out, e.events, 1);
    fprintf(out, ",\"data\":%" PRIu64 "}", e.data);
}

/* A wait's set: [{"fd":3,"events":["POLLIN"],"revents":[]}], epoll_wait's
 * events [{"events":["EPOLLIN"],"data":3}], or one epoll event. */
static void json_waitset(FILE *out, const struct pt_field *f) {
    if (f->v.wait.form == PT_WAITSET_EPOLL_ONE) {
        json_epoll_event(out, f->v.wait.p);
        return;
    }
    putc('[', out);
    for (size_t i = 0; i < f->v.wait.n; i++) {
        fputs(i ? "," : "", out);
        if (f->v.wait.form == PT_WAITSET_EPOLL) {
            json_epoll_event(out, f->v.wait.p + i * sizeof(struct pt_wait_epoll_event));
            continue;
        }
        struct pt_wait_fd e;
        memcpy(&e, f->v.wait.p + i * sizeof e, sizeof e);
        fprintf(out, "{\"fd\":%" PRId32 ",\"events\":", e.fd);
        json_event_bits(out, e.events, 0);
        fputs(",\"revents\":", out);
        json_event_bits(out, e.revents, 0);
        putc('}', out);
    }
    putc(']', out);
}

static void json_value(FILE *out, const struct pt_field *f) {
    switch (f->kind) {
    case PT_FIELD_NULL:
        fputs("null", out);
        break;
    case PT_FIELD_INT:
    case PT_FIELD_STATUS:
        fprintf(out, "%" PRId64, f->v.i);
        break;
    case PT_FIELD_UINT:
    case PT_FIELD_HEX:
    case PT_FIELD_FD_FLAGS:
        fprintf(out, "%" PRIu64, f->v.u);
        break;
    case PT_FIELD_NAME:
        esc_json_str(out, f->v.name);
        break;
    case PT_FIELD_FD:
        fprintf(out, "%" PRId32, f->v.fd.fd);
        break;
    case PT_FIELD_PAIR:
        json_pair(out, f);
        break;
    case PT_FIELD_OPEN_FLAGS:
        json_open_flags(out, f->v.flags.bits, f->v.flags.with_access);
        break;
    case PT_FIELD_STRING:
        esc_json_quoted(out, f->v.bytes.p, f->v.bytes.len);
        break;
    case PT_FIELD_STRINGS:
        json_strings(out, f);
        break;
    case PT_FIELD_DATA:
        json_data(out, f);
        break;
    case PT_FIELD_HEX_BYTES:
        putc('"', out);
        for (size_t i = 0; i < f->v.bytes.len; i++)
            fprintf(out, "%02x", f->v.bytes.p[i]);
        putc('"', out);
        break;
    case PT_FIELD_SYMBOL_OFFSET:
        esc_json_quoted(out, f->v.sym.p, f->v.sym.len);
        break;
    case PT_FIELD_BOOL:
        fputs(f->v.u ? "true" : "false", out);
        break;
    case PT_FIELD_WAITSET:
        json_waitset(out, f);
        break;
    case PT_FIELD_OBJECT:
        json_object_value(out, f->v.fd.kind, f->v.fd.ino, f->v.fd.dev);
        break;
    }
}

void dump_json_event(FILE *out, const struct pt_merged *m, uint64_t t0) {
    struct pt_fields fields;
    json_common(out, m, t0);
    pt_event_fields(&m->ev, &fields);
    for (size_t i = 0; i < fields.n; i++)
        if (fields.v[i].show & PT_SHOW_JSON) {
            json_key(out, fields.v[i].key);
            json_value(out, &fields.v[i]);
        }
    fputs("}\n", out);
}
