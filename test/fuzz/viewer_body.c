/* Everything that answers, on arbitrary trace files.  See viewer_body.h. */
#define _GNU_SOURCE
#include "viewer_body.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "analysis/check.h"
#include "analysis/coverage.h"
#include "analysis/flows.h"
#include "analysis/flows_graph.h"
#include "analysis/leaks.h"
#include "analysis/model.h"
#include "test/fuzz/fuzz_body.h"
#include "tools/analysis_cli.h"
#include "tools/commands.h"
#include "tools/dump.h"
#include "tools/export.h"
#include "tools/flows_print.h"
#include "tools/graph_marks.h"
#include "tools/graph_print.h"
#include "tools/summary.h"
#include "trace/dir.h"
#include "trace/merge.h"

static FILE *sink(void) {
    static FILE *out;
    if (out == NULL)
        out = fopen("/dev/null", "w");
    return out;
}

/* summary and check, as analysis_load builds them, without its warnings. */
static void answers(FILE *out, struct pt_dir *d) {
    struct analysis a;
    memset(&a, 0, sizeof a);
    a.dir = *d;
    memset(d, 0, sizeof *d); /* a owns it now */
    if (pt_model_init(&a.model, a.dir.files, a.dir.count) == 0 &&
        pt_check_attach(&a.check, &a.model, &a.problems) == 0 && pt_model_build(&a.model) == 0) {
        pt_check_finish(&a.check);
        for (size_t i = 0; i < a.dir.count; i++)
            pt_file_scan(&a.dir.files[i]);
        pt_coverage_find(&a.coverage, &a.model, &a.dir);
        summary_text(out, &a);
        summary_json(out, &a);
        analysis_text_problems(out, &a);
        analysis_json_gaps(out, &a);
        struct pt_leaks leaks;
        pt_leaks_find(&a.model, &leaks);
        pt_leaks_free(&leaks);
    }
    *d = a.dir;
    memset(&a.dir, 0, sizeof a.dir);
    analysis_free(&a);
}

static void byte_flows(FILE *out, const struct pt_dir *d) {
    struct flows fl;
    struct pt_coverage cov = {0};
    flows_run(&fl, d->files, d->count, NULL);
    pt_coverage_of_files(&cov, d);
    flows_print_text(out, &fl, &cov);
    flows_print_json(out, &fl, &cov);
    pt_coverage_free(&cov);
    flows_free(&fl);
    struct graph g;
    struct graph_marks marks;
    memset(&marks, 0, sizeof marks);
    graph_build(&g, d->files, d->count);
    if (graph_marks_build(&marks, &g, d) == 0) {
        graph_print_text(out, &g, &marks, d->files);
        graph_print_dot(out, &g, &marks, d->files);
    }
    graph_marks_free(&marks);
    graph_free(&g);
}

static void dumps(FILE *out, const struct pt_dir *d) {
    for (size_t i = 0; i < d->count; i++) {
        dump_text_process(out, &d->files[i]);
        dump_json_process(out, &d->files[i]);
    }
    struct pt_merge merge;
    struct pt_merged m;
    pt_merge_init(&merge, d->files, d->count);
    while (pt_merge_next(&merge, &m)) {
        dump_text_event(out, &m, 0);
        dump_json_event(out, &m, 0);
    }
    pt_merge_free(&merge);
    export_chrome(out, d);
    export_jsonl(out, d);
}

static void printers(struct pt_dir *d) {
    FILE *out = sink();
    if (out == NULL)
        return;
    byte_flows(out, d);
    dumps(out, d);
    answers(out, d);
    fflush(out);
}

/* --- the commands themselves ---------------------------------------------- */

static int run(int (*cmd)(int, char **), const char *const *args, const char *dir) {
    char *argv[8];
    int argc = 0;
    for (; args[argc] != NULL && argc < 6; argc++)
        argv[argc] = (char *)(uintptr_t)args[argc];
    argv[argc++] = (char *)(uintptr_t)dir;
    argv[argc] = NULL;
    return cmd(argc, argv);
}

/* The first pipe the trace names, for follow. */
static void first_pipe(const char *dir, char *buf, size_t len) {
    struct pt_dir d;
    char err[512];
    snprintf(buf, len, "1");
    if (pt_dir_open(&d, dir, err, sizeof err) == 0) {
        struct flows fl;
        flows_run(&fl, d.files, d.count, NULL);
        if (fl.pipe_count > 0)
            snprintf(buf, len, "pipe:[%llu]", (unsigned long long)fl.pipes[0]->obj.ino);
        flows_free(&fl);
    }
    pt_dir_close(&d);
}

static void commands(const char *dir) {
    static const char *const cmds[][5] = {
        {"summary", NULL},
        {"summary", "--json", NULL},
        {"check", NULL},
        {"check", "--json", NULL},
        {"leaks", NULL},
        {"leaks", "--json", NULL},
        {"flows", NULL},
        {"flows", "--json", NULL},
        {"graph", NULL},
        {"graph", "--format=text", NULL},
        {"export", "--format=chrome", NULL},
        {"export", "--format=jsonl", NULL},
        {"dump", NULL},
        {"dump", "--json", NULL},
        {"dump", "--all", "-e", "read,write", NULL},
        {"dump", "--pipe=#1", NULL},
    };
    static int (*const fns[])(int, char **) = {
        cmd_summary, cmd_summary, cmd_check, cmd_check, cmd_leaks,  cmd_leaks,
        cmd_flows,   cmd_flows,   cmd_graph, cmd_graph, cmd_export, cmd_export,
        cmd_dump,    cmd_dump,    cmd_dump,  cmd_dump,
    };
    fflush(stdout);
    int saved = dup(1), null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved < 0 || null < 0 || dup2(null, 1) < 0)
        goto out;
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        run(fns[i], cmds[i], dir);
    char pipe[64];
    first_pipe(dir, pipe, sizeof pipe);
    const char *follow[] = {"follow", pipe, NULL};
    run(cmd_follow, follow, dir);
    const char *hex[] = {"follow", "--hex", pipe, NULL};
    run(cmd_follow, hex, dir);
    fflush(stdout);
    dup2(saved, 1);
out:
    if (saved >= 0)
        close(saved);
    if (null >= 0)
        close(null);
}

void fuzz_viewer_one(const uint8_t *data, size_t size, const char *dir) {
    unsigned mode = size > 0 ? data[size - 1] : 0;
    unsigned keep = (mode % 4 == 0 || mode % 4 == 3) ? 64 : (mode / 4) % 65;
    fuzz_write_files(data, size, dir, keep);
    if (mode % 4 == 3) {
        commands(dir);
        return;
    }
    struct pt_dir d;
    char err[1024];
    if (pt_dir_open(&d, dir, err, sizeof err) == 0) {
        if (mode % 4 == 2) /* the writers go on while the viewer reads */
            fuzz_append_rest(data, size, dir, keep);
        printers(&d);
    }
    pt_dir_close(&d);
}
