/* The marks `pipetrace graph` takes from the model.  See graph_marks.h. */
#include "graph_marks.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/check.h"
#include "analysis/flows_label.h"
#include "analysis/leaks.h"
#include "analysis/model.h"
#include "analysis/problems.h"
#include "trace/xalloc.h"

/* A blocked-read problem names the reader first, then every holder of the
 * write end (src/analysis/check_end.c). */
static void add_holds(struct graph_marks *m, const struct graph *g, const struct pt_problem *p) {
    if (strcmp(p->kind, "blocked-read") != 0 || p->npids < 2)
        return;
    size_t reader = graph_node_of(g, p->pids[0]);
    for (size_t i = 1; i < p->npids && reader != GRAPH_OUTSIDE; i++) {
        size_t holder = graph_node_of(g, p->pids[i]);
        if (holder == GRAPH_OUTSIDE)
            continue;
        PT_GROW(m->holds, m->nholds + 1, m->cap_holds);
        m->holds[m->nholds++] = (struct graph_hold){holder, reader, p->object_kind, p->object};
    }
}

static void add_leaks(struct graph_marks *m, const struct graph *g, const struct pt_model *model,
                      const struct pt_leaks *found) {
    if (found->nleaks == 0)
        return;
    m->leaks = pt_xcalloc(found->nleaks, sizeof *m->leaks);
    for (size_t i = 0; i < found->nleaks; i++) {
        const struct pt_leak *l = &found->leaks[i];
        size_t node = graph_node_of(g, model->images[l->image].pid);
        if (node == GRAPH_OUTSIDE)
            continue;
        m->leaks[m->nleaks++] = (struct graph_leak){node, l->fd.fd, l->fd.kind, l->fd.obj,
                                                    (l->fd.flags & PT_FDF_WRONLY) != 0};
    }
}

static enum graph_end graph_end_of(enum pt_end_kind end) {
    return end == PT_END_EXIT     ? GRAPH_END_EXIT
           : end == PT_END_SIGNAL ? GRAPH_END_SIGNAL
                                  : GRAPH_END_UNKNOWN;
}

static void set_untraced(struct graph_node *n, const char *path, unsigned reason) {
    free(n->untraced_path);
    n->untraced_path = path != NULL ? pt_xstrdup(path) : NULL;
    n->untraced_reason = reason;
}

/* A traced process: its end, and its last program when that left no
 * trace file. */
static void take_process(struct graph_node *n, const struct pt_process *p) {
    n->end = graph_end_of(p->end);
    n->code = p->end == PT_END_SIGNAL ? p->exit_signal : p->exit_code;
    set_untraced(n, p->untraced ? p->exe : NULL, p->untraced);
    if (p->recorded)
        return;
    char label[128];
    flows_short_strings(p->argv, p->argc, p->exe, 40, label, sizeof label);
    free(n->last_program);
    n->last_program = pt_xstrdup(label);
}

/* A process that left no trace file at all: its parent's untraced record
 * and wait. */
static void take_untraced(struct graph *g, const struct pt_untraced *u) {
    size_t i = graph_node_of(g, u->pid);
    if (u->self || u->traced || i == GRAPH_OUTSIDE || g->nodes[i].last_file != SIZE_MAX)
        return;
    g->nodes[i].end = graph_end_of(u->end);
    g->nodes[i].code = u->end == PT_END_SIGNAL ? u->exit_signal : u->exit_code;
}

static void take_processes(struct graph *g, const struct pt_model *model) {
    for (size_t i = 0; i < g->node_count; i++) {
        struct graph_node *n = &g->nodes[i];
        const struct pt_process *p =
            n->last_file != SIZE_MAX ? pt_model_process(model, n->pid) : NULL;
        if (p != NULL)
            take_process(n, p);
    }
    for (size_t i = 0; i < model->nfiles; i++)
        for (size_t k = 0; k < model->images[i].nuntraced; k++)
            take_untraced(g, &model->images[i].untraced[k]);
}

int graph_marks_build(struct graph_marks *m, struct graph *g, const struct pt_dir *d) {
    memset(m, 0, sizeof *m);
    struct pt_model model;
    struct pt_check check = {0};
    struct pt_problems problems = {0};
    struct pt_leaks leaks = {0};
    memset(&model, 0, sizeof model);
    int rc = pt_model_init(&model, d->files, d->count) == 0 &&
                     pt_check_attach(&check, &model, &problems) == 0 && pt_model_build(&model) == 0
                 ? 0
                 : -1;
    if (rc == 0) {
        take_processes(g, &model);
        for (size_t i = 0; i < d->count; i++)
            pt_file_scan(&d->files[i]);
        pt_coverage_find(&m->coverage, &model, d);
        pt_check_finish(&check);
        for (size_t i = 0; i < problems.len; i++)
            add_holds(m, g, &problems.v[i]);
        pt_leaks_find(&model, &leaks);
        add_leaks(m, g, &model, &leaks);
    }
    pt_leaks_free(&leaks);
    pt_check_free(&check);
    pt_problems_free(&problems);
    pt_model_free(&model);
    return rc;
}

void graph_marks_free(struct graph_marks *m) {
    pt_coverage_free(&m->coverage);
    free(m->holds);
    free(m->leaks);
    memset(m, 0, sizeof *m);
}

int graph_marks_holder(const struct graph_marks *m, size_t node) {
    for (size_t i = 0; i < m->nholds; i++)
        if (m->holds[i].holder == node)
            return 1;
    return 0;
}

int graph_marks_leaker(const struct graph_marks *m, size_t node) {
    for (size_t i = 0; i < m->nleaks; i++)
        if (m->leaks[i].node == node)
            return 1;
    return 0;
}
