/* `pipetrace export --format=chrome`: Chrome Trace Event JSON.
 *
 * Arrows: a write's bytes may be read by several reads and a read may take
 * the bytes of several writes.  Flow events bound to slices through
 * "bind_id" allow one flow per slice, so each write -> read match is a
 * pair of flow events of its own, "ph":"s" inside the write's slice and
 * "ph":"f" with "bp":"e" inside the read's, sharing an "id" (what Perfetto
 * and chrome://tracing bind to the enclosing slices). */
#include <inttypes.h>
#include <stdlib.h>

#include "analysis/flows.h"
#include "analysis/flows_label.h"
#include "export.h"
#include "export_chrome.h"
#include "open_trace.h"

void chrome_us(FILE *out, uint64_t ns) {
    fprintf(out, "%" PRIu64 ".%03" PRIu64, ns / 1000, ns % 1000);
}

void chrome_begin(struct chrome *c, const char *ph, int32_t pid, int32_t tid, uint64_t t) {
    fprintf(c->out, "%s{\"ph\":\"%s\",\"pid\":%" PRId32 ",\"tid\":%" PRId32 ",\"ts\":",
            c->first ? "\n" : ",\n", ph, pid, tid);
    chrome_us(c->out, t > c->t0 ? t - c->t0 : 0);
    c->first = 0;
}

static uint64_t middle(const struct flows_call *c) {
    return c->t_end > c->t_start ? c->t_start + (c->t_end - c->t_start) / 2 : c->t_start;
}

static void flow_end(struct chrome *c, const char *ph, const struct flows_segment *s,
                     const struct flows_call *call) {
    char name[48];
    flows_object_name(s->pipe->kind, s->pipe->obj.ino, name, sizeof name);
    chrome_begin(c, ph, c->d->files[call->file].hdr->pid, call->tid, middle(call));
    fprintf(c->out, ",\"id\":%" PRIu64 ",\"cat\":\"pipe\",\"name\":\"%s\"%s", c->next_flow, name,
            ph[0] == 'f' ? ",\"bp\":\"e\"" : "");
    fprintf(c->out, ",\"args\":{\"bytes\":%" PRIu64 ",\"offset\":%" PRIu64 "}}", s->len, s->offset);
}

static void on_segment(void *ctx, const struct flows_segment *s) {
    struct chrome *c = ctx;
    /* Bytes from or to an end nobody traced have no slice to point at. */
    if (s->write == NULL || s->read == NULL)
        return;
    c->next_flow++;
    flow_end(c, "s", s, s->write);
    flow_end(c, "f", s, s->read);
}

static void stream_events(struct chrome *c) {
    struct flows_hooks hooks = {.ctx = c, .segment = on_segment};
    struct flows fl;
    struct pt_merge merge;
    struct pt_merged m;
    flows_init(&fl, c->d->files, c->d->count, &hooks);
    pt_merge_init(&merge, c->d->files, c->d->count);
    while (pt_merge_next(&merge, &m)) {
        chrome_record(c, m.file, &m.ev);
        flows_add(&fl, &m);
    }
    pt_merge_free(&merge);
    flows_finish(&fl);
    flows_free(&fl);
}

int export_chrome(FILE *out, const struct pt_dir *d) {
    struct chrome c = {.out = out, .d = d, .first = 1};
    c.t0 = trace_t0(d);
    c.t_last = trace_t_last(d);
    fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", out);
    chrome_name_processes(&c);
    stream_events(&c);
    chrome_problems(&c);
    fputs("\n]}\n", out);
    free(c.threads);
    return c.oom ? -1 : 0;
}
