/* The JSON-lines form of `pipetrace dump`: one object per line, process
 * lines first, then calls in time order.  Strings map each byte to one
 * code point (see escape.h), so captured bytes survive exactly. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>

#include "dump.h"
#include "escape.h"
#include "trace/events.h"
#include "trace/names.h"
#include "trace/payload.h"

static void json_key(FILE *out, const char *key) {
    fprintf(out, ",\"%s\":", key);
}

static void json_str_field(FILE *out, const char *key, const char *value) {
    json_key(out, key);
    esc_json_str(out, value);
}

static void json_name_list(FILE *out, const char *key, const char **names, size_t n) {
    json_key(out, key);
    putc('[', out);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? "," : "", out);
        esc_json_str(out, names[i]);
    }
    putc(']', out);
}

/* Unnamed bits are kept, as a hex string, rather than silently dropped. */
static void json_open_flags(FILE *out, const char *key, uint64_t flags, int with_access) {
    const char *names[32];
    char rest_hex[24];
    uint64_t rest;
    size_t n = pt_open_flag_names(flags, with_access, names, 31, &rest);
    if (rest != 0) {
        snprintf(rest_hex, sizeof rest_hex, "%#" PRIx64, rest);
        names[n++] = rest_hex;
    }
    json_name_list(out, key, names, n);
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
    json_str_field(out, "stdio", dump_stdio_state(h->flags));
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

static void json_object(FILE *out, const struct pt_record *r) {
    json_key(out, "object");
    fputs("{\"kind\":", out);
    esc_json_str(out, pt_obj_kind_name(r->obj_kind));
    fprintf(out, ",\"ino\":%" PRIu64 ",\"dev\":%" PRIu32 "}", r->obj_ino, r->obj_dev);
}

static void json_fd_flags(FILE *out, const struct pt_record *r) {
    const char *names[8];
    size_t n = pt_fd_flag_names(r->fd_flags, names, 8);
    if (r->fd_flags & PT_FDF_KNOWN)
        json_name_list(out, "fd_flags", names, n);
    else
        fputs(",\"fd_flags\":null", out);
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
    int failed = !dump_unfinished(r) && dump_result(r) < 0;
    if (dump_unfinished(r))
        fputs(",\"result\":null", out);
    else
        fprintf(out, ",\"result\":%" PRId64, dump_result(r));
    json_key(out, "errno");
    if (failed)
        json_errno_name(out, pt_result_errno(dump_result(r)));
    else
        fputs("null", out);
    json_str_field(out, "state", dump_unfinished(r) ? "unfinished" : "done");
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
}

/* --- call lines: fields by type ----------------------------------------- */

static void json_data(FILE *out, const struct pt_event *ev) {
    json_key(out, "data");
    esc_json_quoted(out, ev->payload, ev->rec->data_len);
    fprintf(out, ",\"data_len\":%" PRIu32 ",\"data_cut\":%s", ev->rec->data_len,
            dump_data_cut(ev->rec) ? "true" : "false");
}

static void json_pipe(FILE *out, const struct pt_event *ev) {
    struct pt_pipe_payload p;
    if (pt_payload_pair(ev, &p))
        fprintf(out, ",\"fds\":[%" PRId32 ",%" PRId32 "],\"inos\":[%" PRIu64 ",%" PRIu64 "]",
                p.fds[0], p.fds[1], p.ino[0], p.ino[1]);
    else
        fputs(",\"fds\":null", out);
    json_open_flags(out, "flags", ev->rec->type == PT_EV_PIPE2 ? ev->rec->arg : 0, 0);
}

/* The first payload string as "path", the rest (if wanted) as "argv". */
static void json_strings(FILE *out, const struct pt_event *ev, int with_argv) {
    size_t pos = 0, len;
    const uint8_t *s;
    json_key(out, "path");
    if (pt_payload_next_string(ev, &pos, &s, &len))
        esc_json_quoted(out, s, len);
    else
        fputs("null", out);
    if (!with_argv)
        return;
    json_key(out, "argv");
    putc('[', out);
    for (int i = 0; pt_payload_next_string(ev, &pos, &s, &len); i++) {
        fputs(i ? "," : "", out);
        esc_json_quoted(out, s, len);
    }
    putc(']', out);
}

static void json_command(FILE *out, const struct pt_event *ev) {
    size_t pos = 0, len;
    const uint8_t *s;
    json_key(out, "command");
    if (pt_payload_next_string(ev, &pos, &s, &len))
        esc_json_quoted(out, s, len);
    else
        fputs("null", out);
}

static void json_fork(FILE *out, const struct pt_record *r) {
    if (!dump_unfinished(r) && r->result > 0)
        fprintf(out, ",\"child\":%" PRId64, r->result);
    else
        fputs(",\"child\":null", out);
}

static void json_fcntl(FILE *out, const struct pt_record *r) {
    int cmd = (int)(uint32_t)r->arg;
    const char *name = pt_fcntl_cmd_name(cmd);
    json_key(out, "cmd");
    if (name != NULL)
        esc_json_str(out, name);
    else
        fprintf(out, "%d", cmd);
    fprintf(out, ",\"value\":%" PRIu32, (uint32_t)(r->arg >> 32));
    if (cmd == F_SETFL)
        json_open_flags(out, "flags", r->arg >> 32, 0);
}

static void json_module(FILE *out, const struct pt_event *ev) {
    struct pt_module_info m;
    if (!pt_payload_module(ev, &m))
        return;
    fprintf(out, ",\"base\":%" PRIu64, m.base);
    json_key(out, "path");
    esc_json_quoted(out, m.path, m.path_len);
    fputs(",\"build_id\":\"", out);
    for (size_t i = 0; i < m.build_id_len; i++)
        fprintf(out, "%02x", m.build_id[i]);
    putc('"', out);
}

static void json_callsite(FILE *out, const struct pt_event *ev) {
    struct pt_callsite_info c;
    fprintf(out, ",\"record_offset\":%" PRIu64, ev->rec->arg);
    if (!pt_payload_callsite(ev, &c))
        return;
    fprintf(out, ",\"addr\":%" PRIu64 ",\"module_base\":%" PRIu64, c.addr, c.module_base);
    json_key(out, "symbol");
    esc_json_quoted(out, c.symbol, c.symbol_len);
    fprintf(out, ",\"symbol_addr\":%" PRIu64, c.symbol_addr);
}

static void json_untraced(FILE *out, const struct pt_event *ev) {
    const char *reason = pt_untraced_reason_name((unsigned)ev->rec->arg);
    json_strings(out, ev, 0);
    json_key(out, "reason");
    if (reason != NULL)
        esc_json_str(out, reason);
    else
        fprintf(out, "%" PRIu64, ev->rec->arg);
}

/* A wait's status, or null when the wait had not returned (or failed):
 * the trace has no status then. */
static void json_wait_status(FILE *out, const struct pt_record *r, uint64_t status) {
    if (dump_unfinished(r) || dump_result(r) < 0)
        fputs(",\"status\":null", out);
    else
        fprintf(out, ",\"status\":%" PRIu64, status);
}

static void json_by_type(FILE *out, const struct pt_event *ev) {
    const struct pt_record *r = ev->rec;
    switch (r->type) {
    case PT_EV_READ ... PT_EV_STDIO_WRITE:
        json_data(out, ev);
        break;
    case PT_EV_PIPE:
    case PT_EV_PIPE2:
    case PT_EV_SOCKETPAIR:
        json_pipe(out, ev);
        break;
    case PT_EV_DUP2:
        fprintf(out, ",\"newfd\":%" PRIu64, r->arg);
        break;
    case PT_EV_DUP3:
        fprintf(out, ",\"newfd\":%" PRIu32, (uint32_t)r->arg);
        json_open_flags(out, "flags", r->arg >> 32, 0);
        break;
    case PT_EV_FCNTL:
        json_fcntl(out, r);
        break;
    case PT_EV_OPEN:
        json_strings(out, ev, 0);
        json_open_flags(out, "flags", r->arg, 1);
        break;
    case PT_EV_CLOSE_RANGE:
        fprintf(out, ",\"last\":%" PRIu32 ",\"range_flags\":%" PRIu32, (uint32_t)r->arg,
                (uint32_t)(r->arg >> 32));
        break;
    case PT_EV_FORK:
    case PT_EV_VFORK:
        json_fork(out, r);
        break;
    case PT_EV_SPAWN:
        json_fork(out, r);
        json_strings(out, ev, 1);
        break;
    case PT_EV_EXEC:
        json_strings(out, ev, 1);
        break;
    case PT_EV_EXIT:
        fprintf(out, ",\"status\":%" PRIu64, r->arg);
        break;
    case PT_EV_WAIT:
        json_wait_status(out, r, r->arg);
        break;
    case PT_EV_PCLOSE:
        fprintf(out, ",\"child\":%" PRIu64, r->arg);
        json_wait_status(out, r, (uint64_t)r->result);
        break;
    case PT_EV_UNTRACED_CHILD:
        json_untraced(out, ev);
        break;
    case PT_EV_CALLSITE:
        json_callsite(out, ev);
        break;
    case PT_EV_MODULE:
        json_module(out, ev);
        break;
    case PT_EV_COVERAGE:
        json_str_field(out, "stdio", dump_stdio_state((uint32_t)r->arg));
        break;
    case PT_EV_POPEN:
    case PT_EV_SYSTEM:
        json_command(out, ev);
        break;
    case PT_EV_MKFIFO:
        json_strings(out, ev, 0);
        break;
    case PT_EV_DUP:
    case PT_EV_CLOSE:
    case PT_EV_INHERITED_FD:
        break;
    default:
        json_data(out, ev); /* unknown type: the raw payload */
        break;
    }
}

void dump_json_event(FILE *out, const struct pt_merged *m, uint64_t t0) {
    json_common(out, m, t0);
    json_by_type(out, &m->ev);
    fputs("}\n", out);
}
