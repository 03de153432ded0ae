/* Decoders of the calls on processes: starting, running, ending and
 * reaping them. */
#include "decoders.h"
#include "names.h"
#include "payload.h"

/* The child a fork-like call started, known once it returned. */
static void child_pid(const struct pt_record *r, struct pt_fields *out) {
    struct pt_field *child = !pt_event_unfinished(r) && r->result > 0
                                 ? pt_field_int(out, "child", PT_SHOW_JSON, r->result)
                                 : pt_field_null(out, "child", PT_SHOW_JSON);
    child->at_exit = 1;
}

/* "path", ["argv0", "argv1"]: the payload of exec and spawn.  With no path
 * at all the text says "?" and lists nothing. */
static void program(const struct pt_event *ev, struct pt_fields *out) {
    size_t pos;
    struct pt_field *path = pt_field_first_string(out, "path", PT_SHOW_BOTH, ev, &pos);
    size_t total = ev->rec->data_len;
    size_t rest = pos < total ? total - pos : 0;
    pt_field_bytes(out, "argv", PT_FIELD_STRINGS,
                   path->kind == PT_FIELD_NULL ? PT_SHOW_JSON : PT_SHOW_BOTH,
                   ev->payload + (total - rest), rest);
}

/* fork(), vfork() */
void pt_args_fork(const struct pt_event *ev, struct pt_fields *out) {
    child_pid(ev->rec, out);
}

/* posix_spawn("path", [argv]) */
void pt_args_spawn(const struct pt_event *ev, struct pt_fields *out) {
    child_pid(ev->rec, out);
    program(ev, out);
}

/* execve("path", [argv]) */
void pt_args_exec(const struct pt_event *ev, struct pt_fields *out) {
    program(ev, out);
}

/* exit(status) */
void pt_args_exit(const struct pt_event *ev, struct pt_fields *out) {
    pt_field_uint(out, "status", PT_SHOW_BOTH, ev->rec->arg);
}

/* A wait's status, or null when it had not returned (or failed): the
 * trace has no status then. */
static void json_status(const struct pt_record *r, uint64_t status, struct pt_fields *out) {
    struct pt_field *f = pt_event_unfinished(r) || pt_event_result(r) < 0
                             ? pt_field_null(out, "status", PT_SHOW_JSON)
                             : pt_field_uint(out, "status", PT_SHOW_JSON, status);
    f->at_exit = 1;
}

/* wait([{WIFEXITED(s) && WEXITSTATUS(s) == 0}]): arg = the status */
void pt_args_wait(const struct pt_event *ev, struct pt_fields *out) {
    const struct pt_record *r = ev->rec;
    struct pt_field *status = pt_field_add(out, "status", PT_FIELD_STATUS, PT_SHOW_TEXT);
    status->v.i = (int)r->arg;
    status->at_exit = 1;
    json_status(r, r->arg, out);
}

/* popen("command", fd): fd = the parent's end */
void pt_args_popen(const struct pt_event *ev, struct pt_fields *out) {
    size_t pos;
    pt_field_first_string(out, "command", PT_SHOW_BOTH, ev, &pos);
    pt_field_record_fd(out, "fd", PT_SHOW_TEXT, ev->rec);
}

/* pclose(fd): arg = the child's pid, result = its wait status */
void pt_args_pclose(const struct pt_event *ev, struct pt_fields *out) {
    const struct pt_record *r = ev->rec;
    pt_field_record_fd(out, "fd", PT_SHOW_TEXT, r);
    pt_field_uint(out, "child", PT_SHOW_JSON, r->arg);
    json_status(r, (uint64_t)r->result, out);
}

/* system("command"): result = its wait status */
void pt_args_system(const struct pt_event *ev, struct pt_fields *out) {
    size_t pos;
    pt_field_first_string(out, "command", PT_SHOW_BOTH, ev, &pos);
}

/* kill(pid, SIGTERM): arg = pid | signal << 32 */
void pt_args_kill(const struct pt_event *ev, struct pt_fields *out) {
    int32_t pid;
    int sig;
    pt_kill_target(ev->rec, &pid, &sig);
    pt_field_int(out, "target", PT_SHOW_BOTH, pid);
    const char *name = pt_signal_name(sig);
    if (name != NULL)
        pt_field_name(out, "signal", PT_SHOW_BOTH, name);
    else
        pt_field_int(out, "signal", PT_SHOW_BOTH, sig);
}

/* untraced_child("path", reason): arg = PT_UNTRACED_* (| errno << 32) */
void pt_args_untraced(const struct pt_event *ev, struct pt_fields *out) {
    const char *reason = pt_untraced_reason_name((unsigned)ev->rec->arg);
    size_t pos;
    pt_field_first_string(out, "path", PT_SHOW_BOTH, ev, &pos);
    if (reason != NULL)
        pt_field_name(out, "reason", PT_SHOW_BOTH, reason);
    else
        pt_field_uint(out, "reason", PT_SHOW_BOTH, ev->rec->arg);
}
