/* The Chrome export's events for one record: a complete ("X") event for
 * every call, instant events for fork, exec, exit and untraced children,
 * and one for a read still blocked when the trace ended. */
#include <inttypes.h>

#include "analysis/flows.h"
#include "analysis/flows_label.h"
#include "dump.h"
#include "escape.h"
#include "export_chrome.h"
#include "trace/events.h"
#include "trace/names.h"
#include "trace/payload.h"

/* Captured data shown in a slice's args, at most. */
#define CHROME_DATA_MAX 128

static void arg_object(FILE *out, const struct pt_record *r) {
    char name[48];
    fputs(",\"object\":", out);
    if (r->obj_kind == PT_OBJ_UNKNOWN) {
        fputs("null", out);
        return;
    }
    pt_object_name(r->obj_kind, r->obj_ino, r->obj_dev, name, sizeof name);
    esc_json_str(out, name);
}

static void arg_result(FILE *out, const struct pt_record *r) {
    int64_t res = pt_event_result(r);
    if (pt_event_unfinished(r)) {
        fputs(",\"result\":null,\"errno\":null,\"state\":\"unfinished\"", out);
        return;
    }
    fprintf(out, ",\"result\":%" PRId64 ",\"errno\":", res);
    const char *err = res < 0 ? pt_errno_name(pt_result_errno(res)) : NULL;
    if (err != NULL)
        esc_json_str(out, err);
    else
        fputs(res < 0 ? "\"E?\"" : "null", out);
    fputs(",\"state\":\"done\"", out);
}

static void arg_data(FILE *out, const struct pt_event *ev) {
    const struct pt_record *r = ev->rec;
    if (!pt_event_moves_data(r->type))
        return;
    int64_t res = pt_event_unfinished(r) ? 0 : pt_event_result(r);
    uint32_t shown = r->data_len < CHROME_DATA_MAX ? r->data_len : CHROME_DATA_MAX;
    fprintf(out, ",\"bytes\":%" PRId64 ",\"data\":", res > 0 ? res : 0);
    esc_json_quoted(out, ev->payload, shown);
    fprintf(out, ",\"data_cut\":%s", shown < (uint64_t)(res > 0 ? res : 0) ? "true" : "false");
}

static void complete_event(struct chrome *c, const struct pt_file *f, const struct pt_event *ev) {
    const struct pt_record *r = ev->rec;
    const char *name = pt_event_name(r->type);
    uint64_t end = r->state == PT_DONE          ? r->t_end
                   : pt_event_exec_succeeded(r) ? r->t_start
                                                : c->t_last;
    char image[64];
    pt_file_image(f, image, sizeof image);
    chrome_begin(c, "X", f->hdr->pid, r->tid, r->t_start);
    fputs(",\"dur\":", c->out);
    chrome_us(c->out, end > r->t_start ? end - r->t_start : 0);
    fprintf(c->out, ",\"name\":\"%s\",\"cat\":\"call\",\"args\":{\"fd\":%" PRId32,
            name != NULL ? name : "unknown", r->fd);
    arg_object(c->out, r);
    arg_data(c->out, ev);
    arg_result(c->out, r);
    fputs(",\"image\":", c->out);
    esc_json_str(c->out, image);
    fputs("}}", c->out);
}

static void instant(struct chrome *c, const struct pt_file *f, const struct pt_record *r,
                    uint64_t t, const char *name) {
    chrome_begin(c, "i", f->hdr->pid, r->tid, t);
    fputs(",\"s\":\"t\",\"cat\":\"process\",\"name\":", c->out);
    esc_json_str(c->out, name);
    fputs("}", c->out);
}

/* "exec seq 1 100000" from an exec or spawn payload. */
static void command_of(const struct pt_event *ev, const char *verb, char *buf, size_t len) {
    size_t pos = 0, n, used;
    const uint8_t *s;
    used = (size_t)snprintf(buf, len, "%s", verb);
    pt_payload_next_string(ev, &pos, &s, &n); /* the path */
    while (used + 2 < len && pt_payload_next_string(ev, &pos, &s, &n))
        used += (size_t)snprintf(buf + used, len - used, " %.*s", (int)n, (const char *)s);
}

static void process_instants(struct chrome *c, const struct pt_file *f, const struct pt_event *ev) {
    const struct pt_record *r = ev->rec;
    char name[160];
    switch (pt_event_info(r->type)->cls) {
    case PT_CLASS_FORK:
        if (r->state != PT_DONE || r->result <= 0)
            return;
        snprintf(name, sizeof name, "%s -> child %" PRId64, pt_event_name(r->type), r->result);
        instant(c, f, r, r->t_end, name);
        return;
    case PT_CLASS_EXEC:
        if (!pt_event_exec_succeeded(r))
            return;
        command_of(ev, "exec", name, sizeof name);
        instant(c, f, r, r->t_start, name);
        return;
    case PT_CLASS_EXIT:
        snprintf(name, sizeof name, "exit %" PRIu64, r->arg);
        instant(c, f, r, r->t_start, name);
        return;
    case PT_CLASS_UNTRACED: {
        const char *why = pt_untraced_reason_name((unsigned)r->arg);
        if (r->result < 0)
            return;
        snprintf(name, sizeof name, "untraced child (%s)", why != NULL ? why : "?");
        instant(c, f, r, r->t_start, name);
        return;
    }
    default:
        return;
    }
}

/* A read on a pipe that never returned: the hang, visible where it
 * began (check's blocked-read problem adds who held the write end). */
static void blocked_instant(struct chrome *c, const struct pt_file *f, const struct pt_record *r) {
    int is_write;
    char obj[48], name[96];
    if (r->state != PT_BEGUN || !flows_is_pipe_io(r, &is_write))
        return;
    flows_object_name(r->obj_kind, r->obj_ino, obj, sizeof obj);
    snprintf(name, sizeof name, "%s still blocked on %s when the trace ended",
             is_write ? "write" : "read", obj);
    instant(c, f, r, r->t_start, name);
}

/* A call that returns: not exit, not the recorder's notes, not a type
 * this version does not know. */
static int is_call(unsigned type) {
    const struct pt_event_info *row = pt_event_info(type);
    return row->name != NULL &&
           (row->result == PT_RESULT_NUMBER || row->result == PT_RESULT_STATUS);
}

void chrome_record(struct chrome *c, const struct pt_file *f, const struct pt_event *ev) {
    chrome_name_thread(c, f, ev->rec->tid);
    if (is_call(ev->rec->type))
        complete_event(c, f, ev);
    process_instants(c, f, ev);
    blocked_instant(c, f, ev->rec);
}
