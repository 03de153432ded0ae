/* `pipetrace leaks`: fds leaked across exec and never used, with the chain
 * that leaked each; fds a process created and still held at exit. */
#include <inttypes.h>
#include <stdio.h>

#include "analysis/leaks.h"
#include "analysis/procname.h"
#include "analysis_cli.h"
#include "cli_util.h"
#include "commands.h"
#include "escape.h"
#include "trace/events.h"
#include "trace/names.h"

const char cmd_leaks_usage[] =
    "usage: pipetrace leaks [--json] [DIR]\n"
    "\n"
    "Audits the fds of every process image in DIR (default ./" DEFAULT_TRACE_DIR "):\n"
    "fds above 2 inherited across exec that the program never used (leaks,\n"
    "with who created each and how it got there; write ends of pipes that\n"
    "someone reads first: they keep readers from seeing EOF), fds handed over\n"
    "on purpose (FD_CLOEXEC cleared, as pass_fds and make's jobserver do) and\n"
    "never used, and fds a process created and still held when it exited.\n"
    "An open of /dev/fd/N or /proc/self/fd/N is a use of fd N.\n"
    "\n"
    "  --json   {\"leaks\": [...], \"passed\": [...], \"open_at_exit\": [...]}\n"
    "           (docs/VIEWER.md)\n";

static const char *end_name(const struct pt_fdent *e) {
    if (e->kind != PT_OBJ_PIPE && e->kind != PT_OBJ_FIFO)
        return NULL;
    if ((e->flags & PT_FDF_RDONLY) && (e->flags & PT_FDF_WRONLY))
        return "both";
    return e->flags & PT_FDF_WRONLY ? "write" : e->flags & PT_FDF_RDONLY ? "read" : NULL;
}

/* Other processes holding the same pipe when the holder exited. */
static void json_peers(FILE *out, const struct pt_model *m, const struct pt_leak *l) {
    const struct pt_pipe *p = pt_model_pipe(m, l->fd.obj);
    uint64_t t = m->images[l->image].last_t;
    int first = 1;
    putc('[', out);
    for (size_t i = 0; p != NULL && i < p->nholders; i++) {
        const struct pt_holder *h = &p->holders[i];
        if (h->image == l->image || h->t_from > t || (h->t_to != 0 && h->t_to < t))
            continue;
        fprintf(out, "%s{\"pid\":%" PRId32 ",\"fd\":%d,\"end\":\"%s\"}", first ? "" : ",",
                pt_holder_pid(m, h), h->fd,
                h->write_end && h->read_end ? "both"
                : h->write_end              ? "write"
                                            : "read");
        first = 0;
    }
    putc(']', out);
}

static void json_leak(FILE *out, const struct pt_model *m, const struct pt_leak *l, int peers) {
    const struct pt_image *img = &m->images[l->image];
    const struct pt_origin *root = pt_origin_root(l->fd.origin);
    const char *end = end_name(&l->fd);
    int made = root && (root->how == PT_ORIGIN_CREATED || root->how == PT_ORIGIN_DUP);
    char text[2048];
    char name[PT_NAME_MAX];
    pt_image_name(img, name, sizeof name);
    fprintf(out, "{\"pid\":%" PRId32 ",\"exe\":", img->pid);
    esc_json_str(out, pt_image_exe(img));
    fputs(",\"name\":", out);
    esc_json_str(out, name);
    fprintf(out,
            ",\"fd\":%d,\"object\":{\"kind\":\"%s\",\"inode\":%" PRIu64 ",\"dev\":%" PRIu32
            ",\"end\":%s%s%s}",
            l->fd.fd, pt_obj_kind_name(l->fd.kind), l->fd.obj.ino, l->fd.obj.dev, end ? "\"" : "",
            end ? end : "null", end ? "\"" : "");
    fputs(",\"created_by\":", out);
    if (made)
        fprintf(out, "%" PRId32 ",\"call\":\"%s\",\"flags\":", root->pid,
                pt_event_name(root->call) ? pt_event_name(root->call) : "?");
    else
        fputs("null,\"call\":null,\"flags\":", out);
    analysis_json_flags(out, made ? root->flags : 0);
    fputs(",\"site\":", out);
    if (made && root->site != NULL)
        esc_json_str(out, root->site);
    else
        fputs("null", out);
    fputs(",\"chain\":", out);
    analysis_json_chain(out, m, l->fd.origin);
    pt_origin_describe(m, l->fd.origin, text, sizeof text);
    fputs(",\"description\":", out);
    esc_json_str(out, text);
    fprintf(out, ",\"rank\":%d", l->rank);
    if (peers) {
        fputs(",\"peers\":", out);
        json_peers(out, m, l);
    }
    putc('}', out);
}

static void json_list(FILE *out, const struct pt_model *m, const struct pt_leak *v, size_t n,
                      int peers) {
    putc('[', out);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",\n  " : "\n  ", out);
        json_leak(out, m, &v[i], peers);
    }
    putc(']', out);
}

static void text_leak(FILE *out, const struct pt_model *m, const struct pt_leak *l) {
    const struct pt_image *img = &m->images[l->image];
    const char *end = end_name(&l->fd);
    char text[2048], name[PT_NAME_MAX];
    pt_origin_describe(m, l->fd.origin, text, sizeof text);
    pt_image_name(img, name, sizeof name);
    fprintf(out, "  pid %" PRId32 " %s: fd %d %s:[%" PRIu64 "]%s%s%s\n      %s\n", img->pid, name,
            l->fd.fd, pt_obj_kind_name(l->fd.kind), l->fd.obj.ino, end ? " (" : "", end ? end : "",
            end ? " end)" : "", text);
    if (l->rank == 0)
        fputs("      someone reads this pipe: holding its write end keeps the reader from "
              "EOF\n",
              out);
}

static void text(FILE *out, const struct pt_model *m, const struct pt_leaks *l) {
    fprintf(out, "LEAKED ACROSS EXEC, NEVER USED (%zu)\n", l->nleaks);
    for (size_t i = 0; i < l->nleaks; i++)
        text_leak(out, m, &l->leaks[i]);
    if (l->npassed > 0) {
        fprintf(out, "\nPASSED ON PURPOSE (FD_CLOEXEC CLEARED), NEVER USED (%zu)\n", l->npassed);
        for (size_t i = 0; i < l->npassed; i++)
            text_leak(out, m, &l->passed[i]);
    }
    fprintf(out, "\nCREATED AND STILL OPEN AT EXIT (%zu)\n", l->nopen);
    for (size_t i = 0; i < l->nopen; i++)
        text_leak(out, m, &l->open_at_exit[i]);
}

int cmd_leaks(int argc, char **argv) {
    struct analysis_options o;
    int rc = analysis_parse("leaks", cmd_leaks_usage, argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    struct analysis a;
    rc = analysis_load(&a, o.dir);
    if (rc != 0)
        return rc;
    struct pt_leaks l;
    pt_leaks_find(&a.model, &l);
    if (o.json) {
        fputs("{\"leaks\":", stdout);
        json_list(stdout, &a.model, l.leaks, l.nleaks, 0);
        fputs(",\n\"passed\":", stdout);
        json_list(stdout, &a.model, l.passed, l.npassed, 0);
        fputs(",\n\"open_at_exit\":", stdout);
        json_list(stdout, &a.model, l.open_at_exit, l.nopen, 1);
        fputs("}\n", stdout);
    } else {
        text(stdout, &a.model, &l);
    }
    rc = analysis_flush(0);
    pt_leaks_free(&l);
    analysis_free(&a);
    return rc;
}
