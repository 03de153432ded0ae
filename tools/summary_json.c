/* `pipetrace summary --json`: one object; every field is described in
 * docs/VIEWER.md. */
#include <inttypes.h>

#include "escape.h"
#include "summary.h"
#include "trace/events.h"
#include "trace/names.h"

/* The recorder's notes are not calls the program made. */
int summary_counted_call(unsigned type) {
    const struct pt_event_info *row = pt_event_info(type);
    return row->name != NULL && !(row->flags & PT_EVF_META);
}

static void json_argv(FILE *out, const struct pt_image *img) {
    putc('[', out);
    for (uint32_t i = 0; i < img->file->argc; i++) {
        fputs(i ? "," : "", out);
        esc_json_str(out, img->file->argv[i]);
    }
    putc(']', out);
}

static void json_calls(FILE *out, const struct pt_image *img) {
    int first = 1;
    putc('[', out);
    for (unsigned t = 0; t <= PT_EV_MAX; t++) {
        const struct pt_stat *s = pt_image_stat(img, t);
        if (s->calls == 0 || !summary_counted_call(t) || pt_event_name(t) == NULL)
            continue;
        fprintf(out,
                "%s{\"call\":\"%s\",\"calls\":%" PRIu64 ",\"errors\":%" PRIu64 ",\"bytes\":%" PRIu64
                ",\"seconds\":%.9f,\"injected\":%" PRIu64 "}",
                first ? "" : ",", pt_event_name(t), s->calls, s->errors, s->bytes,
                (double)s->ns / 1e9, s->injected);
        first = 0;
    }
    putc(']', out);
}

static void json_image(FILE *out, const struct analysis *a, const struct pt_image *img) {
    const struct pt_file_header *h = img->file->hdr;
    char image[64];
    pt_file_image(img->file, image, sizeof image);
    fprintf(out, "{\"image\":\"%s\",\"exe\":", image);
    esc_json_str(out, pt_image_exe(img));
    fputs(",\"argv\":", out);
    json_argv(out, img);
    /* The header keeps 64 KiB of command line: say when argv is not whole. */
    fprintf(out, ",\"argv_truncated\":%s", h->flags & PT_HDR_ARGV_TRUNCATED ? "true" : "false");
    fprintf(out, ",\"start\":%.9f,\"fork_child\":%s,\"stdio\":\"%s\",\"stopped\":",
            analysis_rel(&a->model, img->start), img->fork_child ? "true" : "false",
            img->stdio_unhooked                ? "unhooked"
            : (h->flags & PT_HDR_STDIO_HOOKED) ? "hooked"
                                               : "unknown");
    if (h->flags & PT_HDR_STOPPED)
        fprintf(out, "\"%s\"", pt_errno_name(h->stop_errno) ? pt_errno_name(h->stop_errno) : "?");
    else
        fputs("null", out);
    fprintf(out, ",\"dropped\":%" PRIu64 ",\"torn\":%" PRIu64 ",\"calls\":", h->dropped,
            img->file->damage.torn);
    json_calls(out, img);
    putc('}', out);
}

static void json_untraced(FILE *out, const struct pt_image *img, int *first) {
    for (size_t i = 0; i < img->nuntraced; i++) {
        const struct pt_untraced *u = &img->untraced[i];
        if (u->self || u->traced)
            continue;
        const char *reason = pt_untraced_why(u);
        fprintf(out, "%s{\"pid\":%" PRId32 ",\"parent\":%" PRId32 ",\"path\":", *first ? "" : ",",
                u->pid, img->pid);
        esc_json_str(out, u->path);
        fputs(",\"reason\":", out);
        esc_json_str(out, reason ? reason : "unknown");
        fputs(",\"errno\":", out);
        if (u->reason == PT_UNTRACED_FAILED && pt_errno_name(u->err) != NULL)
            esc_json_str(out, pt_errno_name(u->err));
        else
            fputs("null", out);
        fputs(",\"exit\":", out);
        analysis_json_end(out, u->end, u->exit_code, u->exit_signal);
        putc('}', out);
        *first = 0;
    }
}

static void json_strings(FILE *out, const char *const *v, size_t n) {
    putc('[', out);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? "," : "", out);
        esc_json_str(out, v[i]);
    }
    putc(']', out);
}

static void json_process(FILE *out, const struct analysis *a, const struct pt_process *p) {
    const struct pt_model *m = &a->model;
    fprintf(out, "{\"pid\":%" PRId32 ",\"ppid\":%" PRId32 ",\"argv\":", p->pid, p->ppid);
    json_strings(out, p->argv, p->argc);
    fputs(",\"exe\":", out);
    esc_json_str(out, p->exe);
    char name[PT_NAME_MAX];
    pt_process_name(p, name, sizeof name);
    fputs(",\"name\":", out);
    esc_json_str(out, name);
    fprintf(out, ",\"recorded\":%s,\"untraced\":", p->recorded ? "true" : "false");
    if (p->untraced != 0)
        esc_json_str(out, pt_untraced_reason_name(p->untraced)
                              ? pt_untraced_reason_name(p->untraced)
                              : "unknown");
    else
        fputs("null", out);
    fputs(",\"exit\":", out);
    analysis_json_exit(out, p);
    fprintf(out, ",\"exit_seen_by\":%s",
            p->end == PT_END_NONE ? "null"
            : p->end_from_wait    ? "\"wait\""
                                  : "\"exit\"");
    fprintf(out, ",\"start\":%.9f,\"images\":[", analysis_rel(m, m->images[p->first_image].start));
    int first = 1;
    for (size_t i = p->first_image; i != PT_NO_IMAGE; i = m->images[i].next_image) {
        fputs(first ? "" : ",", out);
        json_image(out, a, &m->images[i]);
        first = 0;
    }
    fputs("],\"untraced_children\":[", out);
    first = 1;
    for (size_t i = p->first_image; i != PT_NO_IMAGE; i = m->images[i].next_image)
        json_untraced(out, &m->images[i], &first);
    fputs("]}", out);
}

static void json_uses(FILE *out, const struct pt_model *m, const struct pt_pipe *p, int writers) {
    int first = 1;
    putc('[', out);
    for (size_t i = 0; i < p->nuses; i++) {
        const struct pt_pipe_use *u = &p->uses[i];
        uint64_t calls = writers ? u->calls_written : u->calls_read;
        if (calls == 0)
            continue;
        const struct pt_image *img = &m->images[u->image];
        fprintf(out, "%s{\"pid\":%" PRId32 ",\"exe\":", first ? "" : ",", img->pid);
        esc_json_str(out, pt_image_exe(img));
        fprintf(out, ",\"bytes\":%" PRIu64 ",\"calls\":%" PRIu64,
                writers ? u->bytes_written : u->bytes_read, calls);
        if (writers)
            fprintf(out, ",\"inferred\":%" PRIu64, u->inferred_writes);
        if (!writers)
            fprintf(out, ",\"eof\":%s", u->eof ? "true" : "false");
        putc('}', out);
        first = 0;
    }
    putc(']', out);
}

static void json_holders(FILE *out, const struct pt_model *m, const struct pt_pipe *p) {
    putc('[', out);
    for (size_t i = 0; i < p->nholders; i++) {
        const struct pt_holder *h = &p->holders[i];
        fprintf(out, "%s{\"pid\":%" PRId32 ",\"fd\":%d,\"end\":\"%s\",\"from\":%.9f,\"to\":",
                i ? "," : "", pt_holder_pid(m, h), h->fd,
                h->read_end && h->write_end ? "both"
                : h->write_end              ? "write"
                                            : "read",
                analysis_rel(m, h->t_from));
        if (h->t_to != 0)
            fprintf(out, "%.9f", analysis_rel(m, h->t_to));
        else
            fputs("null", out);
        fputs(",\"how\":", out);
        analysis_json_chain(out, m, h->origin);
        putc('}', out);
    }
    putc(']', out);
}

static void json_pipe(FILE *out, const struct pt_model *m, const struct pt_pipe *p) {
    const struct pt_origin *c = p->created;
    fprintf(out, "{\"id\":%u,\"inode\":%" PRIu64 ",\"dev\":%" PRIu32 ",\"kind\":\"%s\",", p->number,
            p->obj.ino, p->obj.dev, pt_obj_kind_name(p->kind));
    if (p->kind == PT_OBJ_SOCKET)
        fprintf(out, "\"peer_inode\":%" PRIu64 ",", p->peer.ino);
    fputs("\"created_by\":", out);
    if (c != NULL)
        fprintf(out, "%" PRId32 ",\"call\":\"%s\",\"flags\":", c->pid,
                pt_event_name(c->call) ? pt_event_name(c->call) : "?");
    else
        fputs("null,\"call\":null,\"flags\":", out);
    analysis_json_flags(out, c ? c->flags & ~(uint64_t)0 : 0);
    fputs(",\"site\":", out);
    if (c != NULL && c->site != NULL)
        esc_json_str(out, c->site);
    else
        fputs("null", out);
    fprintf(out, ",\"created_at\":");
    if (c != NULL)
        fprintf(out, "%.9f", analysis_rel(m, c->t));
    else
        fputs("null", out);
    fprintf(out,
            ",\"bytes_written\":%" PRIu64 ",\"bytes_read\":%" PRIu64 ",\"inferred_writes\":%" PRIu64
            ",\"inferred_bytes\":%" PRIu64 ",\"writers\":",
            p->bytes_written, p->bytes_read, p->inferred_writes, p->inferred_bytes);
    json_uses(out, m, p, 1);
    fputs(",\"readers\":", out);
    json_uses(out, m, p, 0);
    fputs(",\"holders\":", out);
    json_holders(out, m, p);
    putc('}', out);
}

void summary_json(FILE *out, const struct analysis *a) {
    const struct pt_model *m = &a->model;
    fputs("{\"processes\":[", out);
    for (size_t i = 0; i < m->nprocesses; i++) {
        fputs(i ? ",\n  " : "\n  ", out);
        json_process(out, a, &m->processes[i]);
    }
    fputs("],\n\"pipes\":[", out);
    int first = 1;
    for (size_t i = 0; i < m->npipes; i++) {
        if (!pt_pipe_shown(m->pipes[i]))
            continue;
        fputs(first ? "\n  " : ",\n  ", out);
        json_pipe(out, m, m->pipes[i]);
        first = 0;
    }
    fputs("],\n\"problems\":", out);
    analysis_json_problems(out, a);
    fprintf(out, ",\n\"complete\":%s,\"coverage_gaps\":",
            pt_coverage_complete(&a->coverage) ? "true" : "false");
    analysis_json_gaps(out, a);
    fprintf(out, ",\n\"dropped_events\":%" PRIu64 ",\"events\":%" PRIu64 ",\"duration\":%.9f}\n",
            m->dropped, m->events, analysis_rel(m, m->t_last));
}
