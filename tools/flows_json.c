/* The JSON form of `pipetrace flows`: one object, {"pipes": [...]}. */
#include <inttypes.h>

#include "analysis/flows_label.h"
#include "analysis_cli.h"
#include "escape.h"
#include "flows_print.h"
#include "trace/events.h"
#include "trace/names.h"

static void json_end(FILE *out, const struct flows *fl, const char *key, size_t file) {
    fprintf(out, "\"%s\":", key);
    if (file == FLOWS_NO_FILE) {
        fputs("null", out);
        return;
    }
    const struct pt_file *f = &fl->files[file];
    char image[64];
    pt_file_image(f, image, sizeof image);
    fprintf(out, "{\"pid\":%" PRId32 ",\"image\":", f->hdr->pid);
    esc_json_str(out, image);
    fputs(",\"argv\":[", out);
    for (uint32_t i = 0; i < f->argc; i++) {
        fputs(i ? "," : "", out);
        esc_json_str(out, f->argv[i]);
    }
    fputs("]}", out);
}

static void json_latency(FILE *out, const struct flows_pair *pair) {
    fputs(",\"latency_ns\":", out);
    if (pair->latency.count == 0) {
        fputs("null", out);
        return;
    }
    fprintf(out, "{\"first\":%" PRIu64 ",\"median\":%" PRIu64 ",\"max\":%" PRIu64 "}",
            pair->latency.first, flows_pair_median(pair), pair->latency.max);
}

static void json_pair(FILE *out, const struct flows *fl, const struct flows_pair *pair) {
    putc('{', out);
    json_end(out, fl, "writer", pair->writer);
    putc(',', out);
    json_end(out, fl, "reader", pair->reader);
    fprintf(out,
            ",\"bytes\":%" PRIu64 ",\"writes\":%" PRIu64 ",\"inferred_writes\":%" PRIu64
            ",\"reads\":%" PRIu64,
            pair->bytes, pair->writes, pair->inferred_writes, pair->reads);
    json_latency(out, pair);
    putc('}', out);
}

static void json_checks(FILE *out, const struct flows_pipe *p) {
    fprintf(out,
            ",\"data\":{\"compared_bytes\":%" PRIu64 ",\"mismatches\":%" PRIu64
            ",\"first_mismatch_offset\":",
            p->compared, p->mismatches);
    if (p->first_mismatch == UINT64_MAX)
        fputs("null}", out);
    else
        fprintf(out, "%" PRIu64 "}", p->first_mismatch);
    fprintf(out,
            ",\"ambiguous\":{\"concurrent_reads\":%" PRIu64 ",\"concurrent_writes\":%" PRIu64
            "},\"given_up_bytes\":%" PRIu64,
            p->concurrent_reads, p->concurrent_writes, p->given_up);
}

/* "fed_by": where bytes that entered the pipe inside the kernel came from. */
static void json_feeds(FILE *out, const struct flows_pipe *p) {
    fputs(",\"fed_by\":[", out);
    for (size_t i = 0; i < p->nfeeds; i++) {
        const struct flows_feed *f = &p->feeds[i];
        char name[64];
        pt_object_name(f->kind, f->from.ino, f->from.dev, name, sizeof name);
        fputs(i ? ",{\"from\":" : "{\"from\":", out);
        esc_json_str(out, name);
        fputs(",\"from_kind\":", out);
        esc_json_str(out, pt_obj_kind_name(f->kind));
        fputs(",\"call\":", out);
        esc_json_str(out, pt_event_name(f->type));
        fprintf(out, ",\"bytes\":%" PRIu64 ",\"calls\":%" PRIu64 "}", f->bytes, f->calls);
    }
    putc(']', out);
}

static void json_pipe(FILE *out, const struct flows *fl, const struct flows_pipe *p) {
    char name[64];
    flows_pipe_name(p, name, sizeof name);
    fputs("{\"id\":", out);
    esc_json_str(out, name);
    fputs(",\"kind\":", out);
    esc_json_str(out, pt_obj_kind_name(p->kind));
    fprintf(out,
            ",\"inode\":%" PRIu64 ",\"dev\":%" PRIu32 ",\"bytes_written\":%" PRIu64
            ",\"bytes_read\":%" PRIu64 ",\"write_calls\":%" PRIu64 ",\"read_calls\":%" PRIu64
            ",\"eof_reads\":%" PRIu64 ",\"unfinished_reads\":%" PRIu64
            ",\"unfinished_writes\":%" PRIu64 ",\"inferred_writes\":%" PRIu64
            ",\"inferred_bytes\":%" PRIu64,
            p->obj.ino, p->obj.dev, p->bytes_written, p->bytes_read, p->write_calls, p->read_calls,
            p->eof_reads, p->unfinished_reads, p->unfinished_writes, p->inferred_writes,
            p->inferred_bytes);
    if (p->kind == PT_OBJ_SOCKET)
        fprintf(out, ",\"peer_inode\":%" PRIu64, p->peer.ino);
    fputs(",\"pairs\":[", out);
    for (size_t i = 0; i < p->pair_count; i++) {
        fputs(i ? "," : "", out);
        json_pair(out, fl, &p->pairs[i]);
    }
    putc(']', out);
    json_feeds(out, p);
    json_checks(out, p);
    putc('}', out);
}

void flows_print_json(FILE *out, const struct flows *fl, const struct pt_coverage *cov) {
    int any = 0;
    fputs("{\"pipes\":[", out);
    for (size_t i = 0; i < fl->pipe_count; i++) {
        if (!flows_pipe_shown(fl->pipes[i]))
            continue;
        fputs(any ? ",\n" : "\n", out);
        json_pipe(out, fl, fl->pipes[i]);
        any = 1;
    }
    fputs("\n]", out);
    if (cov != NULL)
        coverage_json_members(out, cov);
    fputs("}\n", out);
}
