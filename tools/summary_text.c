/* `pipetrace summary` for people: sections that fit 80 columns. */
#include <inttypes.h>
#include <string.h>

#include "summary.h"
#include "trace/events.h"
#include "trace/names.h"

/* The children an image could not follow, each a process of its own. */
static void untraced_lines(FILE *out, const struct pt_image *img) {
    for (size_t k = 0; k < img->nuntraced; k++) {
        const struct pt_untraced *u = &img->untraced[k];
        if (u->self || u->traced)
            continue;
        const char *why = pt_untraced_why(u);
        char ended[32];
        analysis_text_end(u->end, u->exit_code, u->exit_signal, ended, sizeof ended);
        fprintf(out, "  %-7" PRId32 " %-7" PRId32 " %-9s %.40s (untraced: %s)\n", u->pid, img->pid,
                ended, u->path, why ? why : "unknown");
    }
}

static void processes(FILE *out, const struct analysis *a) {
    const struct pt_model *m = &a->model;
    fprintf(out, "PROCESSES (%zu)\n  %-7s %-7s %-9s %s\n", m->nprocesses, "PID", "PPID", "ENDED",
            "COMMAND");
    for (size_t i = 0; i < m->nprocesses; i++) {
        const struct pt_process *p = &m->processes[i];
        char ended[32], cmd[49];
        analysis_text_exit(p, ended, sizeof ended);
        analysis_process_argv_text(p, cmd, sizeof cmd - 1);
        fprintf(out, "  %-7" PRId32 " %-7" PRId32 " %-9s %s\n", p->pid, p->ppid, ended, cmd);
        if (!p->recorded) {
            const char *why = pt_untraced_reason_name(p->untraced);
            fprintf(out, "  %25s (%s%s)\n", "", p->untraced ? "untraced: " : "no traced call",
                    p->untraced ? (why ? why : "unknown") : "");
        }
        size_t stop = p->recorded ? p->last_image : PT_NO_IMAGE;
        for (size_t j = p->first_image; j != stop; j = m->images[j].next_image) {
            analysis_argv_text(&m->images[j], cmd, 40);
            fprintf(out, "  %25s exec'd from: %s\n", "", cmd);
        }
        for (size_t j = p->first_image; j != PT_NO_IMAGE; j = m->images[j].next_image)
            untraced_lines(out, &m->images[j]);
    }
}

static void uses(FILE *out, const struct pt_model *m, const struct pt_pipe *p, int writers) {
    for (size_t i = 0; i < p->nuses; i++) {
        const struct pt_pipe_use *u = &p->uses[i];
        uint64_t calls = writers ? u->calls_written : u->calls_read;
        if (calls == 0)
            continue;
        const struct pt_image *img = &m->images[u->image];
        char cmd[24];
        analysis_argv_text(img, cmd, sizeof cmd - 1);
        fprintf(out, "    %s pid %-7" PRId32 " %-23s %10" PRIu64 " bytes %6" PRIu64 " calls%s",
                writers ? "write" : "read ", img->pid, cmd,
                writers ? u->bytes_written : u->bytes_read, calls,
                !writers && u->eof ? "  EOF" : "");
        if (writers && u->inferred_writes > 0)
            fprintf(out, " (%" PRIu64 " inferred)", u->inferred_writes);
        putc('\n', out);
    }
}

/* The same fd carried across exec is one hold, not two. */
static int continues_earlier(const struct pt_model *m, const struct pt_pipe *p, size_t i) {
    const struct pt_holder *h = &p->holders[i];
    for (size_t j = 0; j < i; j++) {
        const struct pt_holder *e = &p->holders[j];
        if (m->images[e->image].pid == m->images[h->image].pid && e->fd == h->fd &&
            e->write_end == h->write_end && e->read_end == h->read_end && e->t_to != 0 &&
            e->t_to <= h->t_from && m->images[h->image].prev_image == e->image)
            return 1;
    }
    return 0;
}

static void holders(FILE *out, const struct pt_model *m, const struct pt_pipe *p) {
    fputs("    held by:", out);
    size_t col = 12;
    for (size_t i = 0; i < p->nholders; i++) {
        const struct pt_holder *h = &p->holders[i];
        char item[48];
        if (continues_earlier(m, p, i))
            continue;
        int n = snprintf(item, sizeof item, " %" PRId32 ":%d%s", pt_holder_pid(m, h), h->fd,
                         h->read_end && h->write_end ? "rw"
                         : h->write_end              ? "w"
                                                     : "r");
        if (col + (size_t)n > 78) {
            fputs("\n           ", out);
            col = 11;
        }
        fputs(item, out);
        col += (size_t)n;
    }
    putc('\n', out);
}

static void pipes(FILE *out, const struct analysis *a) {
    const struct pt_model *m = &a->model;
    size_t shown = 0;
    for (size_t i = 0; i < m->npipes; i++)
        shown += pt_pipe_shown(m->pipes[i]);
    fprintf(out, "\nPIPES (%zu)\n", shown);
    for (size_t i = 0; i < m->npipes; i++) {
        const struct pt_pipe *p = m->pipes[i];
        if (!pt_pipe_shown(p))
            continue;
        fprintf(out, "  #%u %s:[%" PRIu64 "]", p->number, pt_obj_kind_name(p->kind), p->obj.ino);
        if (p->kind == PT_OBJ_SOCKET && p->peer.ino != 0) /* one direction of a pair */
            fprintf(out, "->[%" PRIu64 "]", p->peer.ino);
        putc(' ', out);
        if (p->created != NULL) {
            char call[160];
            pt_origin_call_text(p->created, call, sizeof call);
            fprintf(out, "created by pid %" PRId32 " with %s\n", p->created->pid, call);
            if (p->created->site != NULL)
                fprintf(out, "    at %.70s\n", p->created->site);
        } else {
            fputs("created outside the trace\n", out);
        }
        uses(out, m, p, 1);
        uses(out, m, p, 0);
        if (p->inferred_writes > 0)
            fprintf(out,
                    "    %" PRIu64 " write(s) never returned, yet a reader got their %" PRIu64
                    " bytes:\n    counted as done (inferred; the writer was killed right after)\n",
                    p->inferred_writes, p->inferred_bytes);
        holders(out, m, p);
    }
}

static void calls(FILE *out, const struct analysis *a) {
    const struct pt_model *m = &a->model;
    fputs("\nCALLS PER PROCESS\n", out);
    for (size_t i = 0; i < m->nfiles; i++) {
        const struct pt_image *img = &m->images[i];
        char cmd[50];
        analysis_argv_text(img, cmd, sizeof cmd - 1);
        fprintf(out, "  pid %" PRId32 " %s\n    %-14s %8s %7s %14s %12s\n", img->pid, cmd, "call",
                "calls", "errors", "bytes", "seconds");
        for (unsigned t = 0; t <= PT_EV_MAX; t++) {
            const struct pt_stat *s = pt_image_stat(img, t);
            if (s->calls == 0 || !summary_counted_call(t) || pt_event_name(t) == NULL)
                continue;
            fprintf(out, "    %-14s %8" PRIu64 " %7" PRIu64 " %14" PRIu64 " %12.6f",
                    pt_event_name(t), s->calls, s->errors, s->bytes, (double)s->ns / 1e9);
            if (s->injected)
                fprintf(out, "  (%" PRIu64 " injected)", s->injected);
            putc('\n', out);
        }
    }
}

static void coverage(FILE *out, const struct analysis *a) {
    const struct pt_coverage *c = &a->coverage;
    fputs("\nCOVERAGE\n", out);
    for (size_t i = 0; i < c->len; i++) {
        const struct pt_gap *g = &c->v[i];
        if (g->pid != 0)
            fprintf(out, "  pid %" PRId32 ": %s\n", g->pid, g->text);
        else
            fprintf(out, "  %s\n", g->text);
    }
    if (pt_coverage_complete(c)) {
        fprintf(out, "  no gaps; dropped events: %" PRIu64 "\n", c->dropped);
        return;
    }
    char phrase[512];
    pt_coverage_phrase(c, phrase, sizeof phrase);
    fprintf(out, "  the trace is incomplete: %s\n", phrase);
}

void summary_text(FILE *out, const struct analysis *a) {
    processes(out, a);
    pipes(out, a);
    calls(out, a);
    fprintf(out, "\nPROBLEMS (%zu)\n", a->problems.len);
    analysis_text_problems(out, a);
    coverage(out, a);
}
