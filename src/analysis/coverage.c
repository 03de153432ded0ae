/* Finding the gaps in a trace's coverage.  See coverage.h. */
#include "coverage.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/names.h"
#include "trace/xalloc.h"

static struct pt_gap *add_gap(struct pt_coverage *c, enum pt_gap_kind kind, int32_t pid,
                              const char *file) {
    c->v = pt_xreallocarray(c->v, c->len + 1, sizeof *c->v);
    struct pt_gap *g = &c->v[c->len++];
    memset(g, 0, sizeof *g);
    g->kind = kind;
    g->pid = pid;
    snprintf(g->file, sizeof g->file, "%s", file != NULL ? file : "");
    return g;
}

static void say(struct pt_gap *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct pt_gap *g, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->text, sizeof g->text, fmt, ap);
    va_end(ap);
}

static const char *errno_word(int err) {
    const char *name = pt_errno_name(err);
    return name != NULL ? name : "?";
}

/* "4711.0.ptr" -> 4711, or 0 when the name is not a trace file's. */
static int32_t pid_of_name(const char *name) {
    char *end;
    unsigned long pid = strtoul(name, &end, 10);
    return end != name && *end == '.' && pid > 0 && pid <= INT32_MAX ? (int32_t)pid : 0;
}

/* A skipped file's message without "pipetrace: PATH: ". */
static const char *reason_of(const struct pt_skipped *s) {
    const char *at = strstr(s->message, s->name);
    if (at != NULL && strncmp(at + strlen(s->name), ": ", 2) == 0)
        return at + strlen(s->name) + 2;
    return s->message;
}

static void skipped_files(struct pt_coverage *c, const struct pt_dir *d) {
    for (size_t i = 0; i < d->nskipped; i++) {
        const struct pt_skipped *s = &d->skipped[i];
        struct pt_gap *g = add_gap(c, PT_GAP_FILE_NOT_READ, pid_of_name(s->name), s->name);
        say(g, "trace file %s not read: %s", s->name, reason_of(s));
    }
}

static void file_gaps(struct pt_coverage *c, const struct pt_file *f, int stdio_unhooked) {
    const struct pt_file_header *h = f->hdr;
    const char *name = pt_file_basename(f);
    int32_t pid = h->pid;
    struct pt_gap *g;
    if (pt_damage_any(&f->damage) && (g = add_gap(c, PT_GAP_FILE_DAMAGED, pid, name))) {
        char what[700];
        pt_damage_describe(f, &f->damage, what, sizeof what);
        const char *after = strstr(what, ": ");
        say(g, "trace file %s damaged: %s", name, after != NULL ? after + 2 : what);
    }
    if ((h->flags & PT_HDR_STOPPED) && (g = add_gap(c, PT_GAP_STOPPED, pid, name))) {
        g->err = h->stop_errno;
        g->dropped = h->dropped;
        say(g, "tracing stopped early (%s: %s), %" PRIu64 " events dropped after that",
            errno_word(h->stop_errno), pt_errno_text(h->stop_errno), h->dropped);
    } else if (h->dropped != 0 && (g = add_gap(c, PT_GAP_DROPPED, pid, name))) {
        g->dropped = h->dropped;
        say(g, "%" PRIu64 " events dropped", h->dropped);
    }
    if (stdio_unhooked && (g = add_gap(c, PT_GAP_STDIO, pid, name)))
        say(g, "stdio not hooked: bytes moved by printf/fwrite/fread are missing");
}

static void untraced_gaps(struct pt_coverage *c, const struct pt_image *img) {
    for (size_t i = 0; i < img->nuntraced; i++) {
        const struct pt_untraced *u = &img->untraced[i];
        int failed = u->reason == PT_UNTRACED_FAILED;
        /* Traced after all (the loader preloaded it): nothing is missing,
         * unless its trace could not start before that. */
        if (u->traced && !failed)
            continue;
        /* A silent child made no call a trace file would have held. */
        if (u->reason == PT_UNTRACED_SILENT)
            continue;
        struct pt_gap *g = add_gap(c, failed ? PT_GAP_NOT_STARTED : PT_GAP_UNTRACED,
                                   u->pid ? u->pid : img->pid, NULL);
        g->err = u->err;
        const char *why = pt_untraced_reason_name(u->reason);
        if (failed)
            say(g, "its trace could not start (%s: %s): what it did is missing", errno_word(u->err),
                pt_errno_text(u->err));
        else
            say(g, "ran %s untraced (%s): what it did is missing", u->path,
                why != NULL ? why : "unknown reason");
    }
}

void pt_coverage_find(struct pt_coverage *c, const struct pt_model *m, const struct pt_dir *d) {
    memset(c, 0, sizeof *c);
    if (d != NULL)
        skipped_files(c, d);
    for (size_t i = 0; i < m->nfiles; i++) {
        file_gaps(c, m->images[i].file, m->images[i].stdio_unhooked);
        untraced_gaps(c, &m->images[i]);
        c->dropped += m->images[i].file->hdr->dropped;
    }
}

void pt_coverage_of_files(struct pt_coverage *c, const struct pt_dir *d) {
    memset(c, 0, sizeof *c);
    skipped_files(c, d);
    for (size_t i = 0; i < d->count; i++) {
        const struct pt_file *f = &d->files[i];
        file_gaps(c, f, (f->hdr->flags & PT_HDR_STDIO_UNHOOKED) != 0);
        c->dropped += f->hdr->dropped;
    }
}

void pt_coverage_free(struct pt_coverage *c) {
    free(c->v);
    memset(c, 0, sizeof *c);
}

int pt_coverage_complete(const struct pt_coverage *c) {
    return c->len == 0;
}

static const char *const kind_names[] = {
    [PT_GAP_FILE_NOT_READ] = "file-not-read",   [PT_GAP_FILE_DAMAGED] = "file-damaged",
    [PT_GAP_STOPPED] = "tracing-stopped",       [PT_GAP_DROPPED] = "events-dropped",
    [PT_GAP_STDIO] = "stdio-unhooked",          [PT_GAP_UNTRACED] = "untraced-child",
    [PT_GAP_NOT_STARTED] = "trace-not-started",
};

const char *pt_gap_kind_name(enum pt_gap_kind kind) {
    return (size_t)kind < sizeof kind_names / sizeof kind_names[0] ? kind_names[kind] : "unknown";
}

static size_t count_kind(const struct pt_coverage *c, enum pt_gap_kind kind) {
    size_t n = 0;
    for (size_t i = 0; i < c->len; i++)
        n += c->v[i].kind == kind;
    return n;
}

/* Appends "N WORD(S) REST" for a kind that occurs, ", "-separated. */
static void add_count(char *buf, size_t len, size_t n, const char *one, const char *many,
                      const char *rest) {
    size_t used = strlen(buf);
    if (n == 0 || used + 1 >= len)
        return;
    snprintf(buf + used, len - used, "%s%zu %s%s", used ? ", " : "", n, n == 1 ? one : many, rest);
}

void pt_coverage_phrase(const struct pt_coverage *c, char *buf, size_t len) {
    if (len == 0)
        return;
    buf[0] = '\0';
    add_count(buf, len, count_kind(c, PT_GAP_FILE_NOT_READ), "trace file", "trace files",
              " not read");
    add_count(buf, len, count_kind(c, PT_GAP_FILE_DAMAGED), "trace file", "trace files",
              " damaged");
    add_count(buf, len, count_kind(c, PT_GAP_STOPPED), "process", "processes",
              " whose tracing stopped early");
    add_count(buf, len, count_kind(c, PT_GAP_STDIO), "process", "processes",
              " with stdio not hooked");
    add_count(buf, len, count_kind(c, PT_GAP_UNTRACED), "child", "children", " run untraced");
    add_count(buf, len, count_kind(c, PT_GAP_NOT_STARTED), "child", "children",
              " whose trace could not start");
    size_t used = strlen(buf);
    if (c->dropped != 0 && used + 1 < len)
        snprintf(buf + used, len - used, "%s%" PRIu64 " events dropped", used ? ", " : "",
                 c->dropped);
}
