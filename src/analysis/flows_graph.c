/* Building the process/pipe graph. */
#include "analysis/flows_graph.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/flows.h"
#include "trace/events.h"
#include "trace/xalloc.h"

size_t graph_node_of(const struct graph *g, int32_t pid) {
    for (size_t i = 0; i < g->node_count; i++)
        if (g->nodes[i].pid == pid)
            return i;
    return GRAPH_OUTSIDE;
}

static struct graph_node *add_node(struct graph *g, int32_t pid, int32_t ppid) {
    size_t i = graph_node_of(g, pid);
    if (i != GRAPH_OUTSIDE)
        return &g->nodes[i];
    PT_GROW(g->nodes, g->node_count + 1, g->node_cap);
    struct graph_node *n = &g->nodes[g->node_count++];
    *n = (struct graph_node){
        .pid = pid, .ppid = ppid, .first_file = SIZE_MAX, .last_file = SIZE_MAX};
    return n;
}

static void add_files(struct graph *g, const struct pt_file *files, size_t count) {
    for (size_t i = 0; i < count; i++) {
        struct graph_node *n = add_node(g, files[i].hdr->pid, files[i].hdr->ppid);
        if (n->first_file == SIZE_MAX)
            n->first_file = i;
        n->last_file = i;
    }
}

/* --- what the records say ----------------------------------------------- */

static void note_untraced(struct graph *g, const struct pt_file *f, const struct pt_event *ev) {
    const struct pt_record *r = ev->rec;
    if (r->result < 0) /* written for an exec that then failed: no child ran */
        return;
    int32_t pid = r->result > 0 ? (int32_t)r->result : f->hdr->pid;
    struct graph_node *n = add_node(g, pid, f->hdr->pid);
    size_t len = strnlen((const char *)ev->payload, r->data_len);
    free(n->untraced_path);
    n->untraced_path = pt_xreallocarray(NULL, len + 1, 1);
    memcpy(n->untraced_path, ev->payload, len);
    n->untraced_path[len] = '\0';
    n->untraced_reason = (unsigned)r->arg;
}

static void note_blocked(struct graph *g, const struct pt_file *f, const struct pt_record *r) {
    int is_write = 0;
    if (r->state != PT_BEGUN || !flows_is_pipe_io(r, &is_write) || is_write)
        return;
    struct graph_node *n = &g->nodes[graph_node_of(g, f->hdr->pid)];
    n->blocked = pt_objkey_of(r);
    n->blocked_kind = r->obj_kind;
}

static void note_record(struct graph *g, const struct pt_merged *m) {
    const struct pt_record *r = m->ev.rec;
    if (pt_event_info(r->type)->cls == PT_CLASS_UNTRACED)
        note_untraced(g, m->file, &m->ev);
    else
        note_blocked(g, m->file, r);
}

/* --- edges from the flows ------------------------------------------------ */

static void add_edge(struct graph *g, size_t from, size_t to, const struct flows_pipe *p,
                     uint64_t bytes) {
    for (size_t i = 0; i < g->edge_count; i++) {
        struct graph_edge *e = &g->edges[i];
        if (e->from == from && e->to == to && pt_objkey_eq(e->obj, p->obj)) {
            e->bytes += bytes;
            return;
        }
    }
    PT_GROW(g->edges, g->edge_count + 1, g->edge_cap);
    g->edges[g->edge_count++] =
        (struct graph_edge){.from = from, .to = to, .obj = p->obj, .kind = p->kind, .bytes = bytes};
}

static size_t node_of_file(const struct graph *g, const struct pt_file *files, size_t file) {
    return file == FLOWS_NO_FILE ? GRAPH_OUTSIDE : graph_node_of(g, files[file].hdr->pid);
}

static void add_edges(struct graph *g, const struct flows *fl) {
    for (size_t i = 0; i < fl->pipe_count; i++) {
        const struct flows_pipe *p = fl->pipes[i];
        for (size_t j = 0; j < p->pair_count; j++) {
            const struct flows_pair *pair = &p->pairs[j];
            add_edge(g, node_of_file(g, fl->files, pair->writer),
                     node_of_file(g, fl->files, pair->reader), p, pair->bytes);
        }
    }
}

void graph_build(struct graph *g, const struct pt_file *files, size_t count) {
    memset(g, 0, sizeof *g);
    add_files(g, files, count);
    struct flows fl;
    struct pt_merge merge;
    struct pt_merged m;
    flows_init(&fl, files, count, NULL);
    pt_merge_init(&merge, files, count);
    while (pt_merge_next(&merge, &m)) {
        note_record(g, &m);
        flows_add(&fl, &m);
    }
    pt_merge_free(&merge);
    flows_finish(&fl);
    add_edges(g, &fl);
    flows_free(&fl);
}

void graph_free(struct graph *g) {
    for (size_t i = 0; i < g->node_count; i++) {
        free(g->nodes[i].untraced_path);
        free(g->nodes[i].last_program);
    }
    free(g->nodes);
    free(g->edges);
    memset(g, 0, sizeof *g);
}
