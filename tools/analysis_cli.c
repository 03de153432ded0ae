/* Loading a trace for the analysis commands, and the output pieces they
 * share. */
#include "analysis_cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli_util.h"
#include "commands.h"
#include "escape.h"
#include "open_trace.h"
#include "trace/events.h"
#include "trace/names.h"

int analysis_parse(const char *cmd, const char *usage, int argc, char **argv,
                   struct analysis_options *o) {
    *o = (struct analysis_options){.dir = DEFAULT_TRACE_DIR};
    return cli_parse_json_dir(cmd, usage, argc, argv, &o->dir, &o->json);
}

int analysis_load(struct analysis *a, const char *dir) {
    memset(a, 0, sizeof *a);
    int rc = open_trace(dir, &a->dir);
    if (rc != 0)
        return rc;
    if (pt_model_init(&a->model, a->dir.files, a->dir.count) < 0 ||
        pt_check_attach(&a->check, &a->model, &a->problems) < 0 || pt_model_build(&a->model) < 0) {
        cli_error("out of memory");
        analysis_free(a);
        return EXIT_BAD_INPUT;
    }
    pt_check_finish(&a->check);
    warn_damaged_files(&a->dir);
    pt_coverage_find(&a->coverage, &a->model, &a->dir);
    return 0;
}

void analysis_json_gaps(FILE *out, const struct analysis *a) {
    coverage_json_gaps(out, &a->coverage);
}

void coverage_json_members(FILE *out, const struct pt_coverage *c) {
    fprintf(out, ",\"complete\":%s,\"coverage_gaps\":", pt_coverage_complete(c) ? "true" : "false");
    coverage_json_gaps(out, c);
}

void coverage_text_note(FILE *out, const struct pt_coverage *c, const char *what) {
    if (pt_coverage_complete(c))
        return;
    char phrase[512];
    pt_coverage_phrase(c, phrase, sizeof phrase);
    fprintf(out, "the trace is incomplete: %s; %s (pipetrace summary lists the gaps)\n", phrase,
            what);
}

void coverage_json_gaps(FILE *out, const struct pt_coverage *c) {
    putc('[', out);
    for (size_t i = 0; i < c->len; i++) {
        const struct pt_gap *g = &c->v[i];
        fputs(i ? ",\n  " : "\n  ", out);
        if (g->pid != 0)
            fprintf(out, "{\"pid\":%" PRId32, g->pid);
        else
            fputs("{\"pid\":null", out);
        fprintf(out, ",\"kind\":\"%s\",\"file\":", pt_gap_kind_name(g->kind));
        if (g->file[0] != '\0')
            esc_json_str(out, g->file);
        else
            fputs("null", out);
        fputs(",\"what\":", out);
        esc_json_str(out, g->text);
        fprintf(out, ",\"dropped\":%" PRIu64 ",\"errno\":", g->dropped);
        if (g->err != 0 && pt_errno_name(g->err) != NULL)
            fprintf(out, "\"%s\"", pt_errno_name(g->err));
        else
            fputs("null", out);
        putc('}', out);
    }
    fputs(c->len ? "\n]" : "]", out);
}

void analysis_free(struct analysis *a) {
    pt_coverage_free(&a->coverage);
    pt_check_free(&a->check);
    pt_problems_free(&a->problems);
    pt_model_free(&a->model);
    pt_dir_close(&a->dir);
}

double analysis_rel(const struct pt_model *m, uint64_t t) {
    return t >= m->t0 ? (double)(t - m->t0) / 1e9 : -(double)(m->t0 - t) / 1e9;
}

void analysis_json_end(FILE *out, enum pt_end_kind end, int code, int sig) {
    const char *name = pt_signal_name(sig);
    if (end == PT_END_EXIT)
        fprintf(out, "{\"code\":%d}", code);
    else if (end == PT_END_SIGNAL && name != NULL)
        fprintf(out, "{\"signal\":\"%s\"}", name);
    else if (end == PT_END_SIGNAL)
        fprintf(out, "{\"signal\":\"%d\"}", sig);
    else
        fputs("null", out);
}

void analysis_json_exit(FILE *out, const struct pt_process *p) {
    analysis_json_end(out, p->end, p->exit_code, p->exit_signal);
}

void analysis_text_end(enum pt_end_kind end, int code, int sig, char *buf, size_t len) {
    const char *name = pt_signal_name(sig);
    if (end == PT_END_EXIT)
        snprintf(buf, len, "exit %d", code);
    else if (end == PT_END_SIGNAL)
        snprintf(buf, len, "%s", name ? name : "signal");
    else
        snprintf(buf, len, "running?");
}

void analysis_text_exit(const struct pt_process *p, char *buf, size_t len) {
    analysis_text_end(p->end, p->exit_code, p->exit_signal, buf, len);
}

static void json_evidence(FILE *out, const struct analysis *a, const struct pt_evidence *e) {
    const char *call = pt_event_name(e->call);
    fprintf(out, "{\"pid\":%" PRId32 ",\"t\":%.9f,\"call\":", e->pid,
            analysis_rel(&a->model, e->t));
    esc_json_str(out, call ? call : "?");
    fprintf(out, ",\"fd\":%d,\"state\":\"%s\",\"result\":", e->fd,
            e->unfinished ? "unfinished" : "done");
    if (e->unfinished)
        fputs("null,\"errno\":null}", out);
    else if (e->result < 0 && pt_errno_name(pt_result_errno(e->result)) != NULL)
        fprintf(out, "%" PRId64 ",\"errno\":\"%s\"}", e->result,
                pt_errno_name(pt_result_errno(e->result)));
    else
        fprintf(out, "%" PRId64 ",\"errno\":null}", e->result);
}

/* {"pid", "name", "exe"}: who a pid of a problem is, as summary names it. */
static void json_problem_process(FILE *out, const struct analysis *a, int32_t pid, int first) {
    const struct pt_process *proc = pt_model_process(&a->model, pid);
    char name[PT_NAME_MAX] = "?";
    if (proc != NULL)
        pt_process_name(proc, name, sizeof name);
    fprintf(out, "%s{\"pid\":%" PRId32 ",\"name\":", first ? "" : ",", pid);
    esc_json_str(out, name);
    fputs(",\"exe\":", out);
    if (proc != NULL && proc->exe != NULL)
        esc_json_str(out, proc->exe);
    else
        fputs("null", out);
    putc('}', out);
}

static void json_problem(FILE *out, const struct analysis *a, const struct pt_problem *p) {
    fputs("{\"kind\":", out);
    esc_json_str(out, p->kind);
    fprintf(out, ",\"severity\":\"%s\",\"pids\":[", pt_severity_name(p->severity));
    for (size_t i = 0; i < p->npids; i++)
        fprintf(out, "%s%" PRId32, i ? "," : "", p->pids[i]);
    fputs("],\"processes\":[", out);
    for (size_t i = 0; i < p->npids; i++)
        json_problem_process(out, a, p->pids[i], i == 0);
    fputs("],\"fds\":[", out);
    for (size_t i = 0; i < p->nfds; i++)
        fprintf(out, "%s%d", i ? "," : "", p->fds[i]);
    fputs("],\"object\":", out);
    if (p->object.ino != 0)
        fprintf(out, "{\"kind\":\"%s\",\"inode\":%" PRIu64 ",\"dev\":%" PRIu32 "}",
                pt_obj_kind_name(p->object_kind), p->object.ino, p->object.dev);
    else
        fputs("null", out);
    fputs(",\"message\":", out);
    esc_json_str(out, p->message ? p->message : "");
    fputs(",\"fix\":", out);
    esc_json_str(out, p->fix ? p->fix : "");
    fputs(",\"evidence\":[", out);
    for (size_t i = 0; i < p->nevidence; i++) {
        fputs(i ? "," : "", out);
        json_evidence(out, a, &p->evidence[i]);
    }
    fputs("]}", out);
}

void analysis_json_problems(FILE *out, const struct analysis *a) {
    putc('[', out);
    for (size_t i = 0; i < a->problems.len; i++) {
        fputs(i ? ",\n  " : "\n  ", out);
        json_problem(out, a, &a->problems.v[i]);
    }
    fputs(a->problems.len ? "\n]" : "]", out);
}

/* Prints text wrapped at 79 columns, the first line after `first` (already
 * `col` columns wide), the rest indented by `indent` spaces. */
static void wrap(FILE *out, const char *text, size_t col, size_t indent) {
    const size_t width = 79;
    while (*text != '\0') {
        size_t word = strcspn(text, " ");
        if (col > indent && col + 1 + word > width) {
            fprintf(out, "\n%*s", (int)indent, "");
            col = indent;
        } else if (col > indent) {
            putc(' ', out);
            col++;
        }
        fwrite(text, 1, word, out);
        col += word;
        text += word;
        text += strspn(text, " ");
    }
    putc('\n', out);
}

void analysis_text_problems(FILE *out, const struct analysis *a) {
    for (size_t i = 0; i < a->problems.len; i++) {
        const struct pt_problem *p = &a->problems.v[i];
        const char *severity = pt_severity_name(p->severity);
        fprintf(out, "%s: %s:", severity, p->kind);
        wrap(out, p->message ? p->message : "", strlen(severity) + 2 + strlen(p->kind) + 1, 4);
        for (size_t j = 0; j < p->nevidence; j++) {
            const struct pt_evidence *e = &p->evidence[j];
            const char *call = pt_event_name(e->call);
            fprintf(out, "    evidence: %.6f pid %" PRId32 " %s(fd %d) ",
                    analysis_rel(&a->model, e->t), e->pid, call ? call : "?", e->fd);
            if (e->unfinished)
                fputs("unfinished\n", out);
            else if (e->result < 0)
                fprintf(out, "= -1 %s\n",
                        pt_errno_name(pt_result_errno(e->result))
                            ? pt_errno_name(pt_result_errno(e->result))
                            : "");
            else
                fprintf(out, "= %" PRId64 "\n", e->result);
        }
        fputs("    fix: ", out);
        wrap(out, p->fix ? p->fix : "", 9, 9);
    }
}

static const char *how_name(enum pt_origin_how how) {
    switch (how) {
    case PT_ORIGIN_CREATED:
        return "created";
    case PT_ORIGIN_DUP:
        return "dup";
    case PT_ORIGIN_FORK:
        return "fork";
    case PT_ORIGIN_SPAWN:
        return "spawn";
    case PT_ORIGIN_EXEC:
        return "exec";
    case PT_ORIGIN_OUTSIDE:
        return "outside";
    case PT_ORIGIN_PASSED:
        return "passed";
    default:
        return "unknown";
    }
}

void analysis_json_flags(FILE *out, uint64_t flags) {
    const char *names[32];
    uint64_t rest;
    size_t n = pt_open_flag_names(flags, 0, names, 32, &rest);
    putc('[', out);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? "," : "", out);
        esc_json_str(out, names[i]);
    }
    if (rest != 0)
        fprintf(out, "%s\"%#" PRIx64 "\"", n ? "," : "", rest);
    putc(']', out);
}

static void json_step(FILE *out, const struct pt_model *m, const struct pt_origin *o) {
    fprintf(out, "{\"step\":\"%s\",\"pid\":%" PRId32 ",\"fd\":%d,\"t\":%.9f", how_name(o->how),
            o->pid, o->fd, analysis_rel(m, o->t));
    if (o->how == PT_ORIGIN_CREATED || o->how == PT_ORIGIN_DUP) {
        const char *call = pt_event_name(o->call);
        fputs(",\"call\":", out);
        esc_json_str(out, call ? call : "?");
        fputs(",\"flags\":", out);
        analysis_json_flags(out, o->flags);
        fputs(",\"site\":", out);
        if (o->site != NULL)
            esc_json_str(out, o->site);
        else
            fputs("null", out);
    }
    if (o->how == PT_ORIGIN_FORK || o->how == PT_ORIGIN_SPAWN)
        fprintf(out, ",\"from_pid\":%" PRId32, o->from_pid);
    if (o->how == PT_ORIGIN_PASSED) {
        fputs(",\"from_pid\":", out);
        fprintf(out, o->from_pid ? "%" PRId32 : "null", o->from_pid);
        fprintf(out, ",\"from_fd\":%d,\"socket_inode\":%" PRIu64, o->from_fd, o->via_ino);
    }
    if (o->how == PT_ORIGIN_EXEC && o->image < m->nfiles) {
        fputs(",\"exe\":", out);
        esc_json_str(out, pt_image_exe(&m->images[o->image]));
    }
    putc('}', out);
}

void analysis_json_chain(FILE *out, const struct pt_model *m, const struct pt_origin *o) {
    const struct pt_origin *steps[64];
    size_t n = 0;
    for (; o != NULL && n < 64; o = o->prev)
        steps[n++] = o;
    putc('[', out);
    for (size_t i = n; i-- > 0;) {
        json_step(out, m, steps[i]);
        if (i > 0)
            putc(',', out);
    }
    putc(']', out);
}

static void join_argv(const char *const *argv, size_t argc, const char *exe, char *buf,
                      size_t width) {
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < argc && used < width; i++) {
        int n = snprintf(buf + used, width + 1 - used, "%s%s", i ? " " : "", argv[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    if (used > width && width > 3)
        strcpy(buf + width - 3, "...");
    if (argc == 0)
        snprintf(buf, width + 1, "%s", exe);
}

void analysis_argv_text(const struct pt_image *img, char *buf, size_t width) {
    join_argv(img->file->argv, img->file->argc, pt_image_exe(img), buf, width);
}

void analysis_process_argv_text(const struct pt_process *p, char *buf, size_t width) {
    join_argv(p->argv, p->argc, p->exe, buf, width);
}

int analysis_flush(int rc) {
    return finish_stdout() != 0 ? 1 : rc;
}
