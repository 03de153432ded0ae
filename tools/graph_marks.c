/* The marks `pipetrace graph` takes from the model.  See graph_marks.h. */
#include "graph_marks.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/check.h"
#include "analysis/leaks.h"
#include "analysis/model.h"
#include "analysis/problems.h"

/* A blocked-read problem names the reader first, then every holder of the
 * write end (src/analysis/check_end.c). */
static int add_holds(struct graph_marks *m, const struct graph *g, const struct pt_problem *p) {
    if (strcmp(p->kind, "blocked-read") != 0 || p->npids < 2)
        return 0;
    size_t reader = graph_node_of(g, p->pids[0]);
    for (size_t i = 1; i < p->npids && reader != GRAPH_OUTSIDE; i++) {
        size_t holder = graph_node_of(g, p->pids[i]);
        if (holder == GRAPH_OUTSIDE)
            continue;
        struct graph_hold *grown = realloc(m->holds, (m->nholds + 1) * sizeof *grown);
        if (grown == NULL)
            return -1;
        m->holds = grown;
        m->holds[m->nholds++] = (struct graph_hold){holder, reader, p->object_kind, p->object_ino};
    }
    return 0;
}

static int add_leaks(struct graph_marks *m, const struct graph *g, const struct pt_model *model,
                     const struct pt_leaks *found) {
    if (found->nleaks == 0)
        return 0;
    m->leaks = calloc(found->nleaks, sizeof *m->leaks);
    if (m->leaks == NULL)
        return -1;
    for (size_t i = 0; i < found->nleaks; i++) {
        const struct pt_leak *l = &found->leaks[i];
        size_t node = graph_node_of(g, model->images[l->image].pid);
        if (node == GRAPH_OUTSIDE)
            continue;
        m->leaks[m->nleaks++] = (struct graph_leak){node, l->fd.fd, l->fd.kind, l->fd.ino,
                                                    (l->fd.flags & PT_FDF_WRONLY) != 0};
    }
    return 0;
}

int graph_marks_build(struct graph_marks *m, const struct graph *g, const struct pt_dir *d) {
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
        pt_check_finish(&check);
        for (size_t i = 0; i < problems.len && rc == 0; i++)
            rc = add_holds(m, g, &problems.v[i]);
        if (rc == 0 && pt_leaks_find(&model, &leaks) == 0)
            rc = add_leaks(m, g, &model, &leaks);
    }
    if (problems.oom)
        rc = -1;
    pt_leaks_free(&leaks);
    pt_check_free(&check);
    pt_problems_free(&problems);
    pt_model_free(&model);
    return rc;
}

void graph_marks_free(struct graph_marks *m) {
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
