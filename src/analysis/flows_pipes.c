/* The pipes of a trace, by key (device and inode). */
#include <stdlib.h>

#include "flows_internal.h"
#include "trace/xalloc.h"

static size_t *slot(size_t *table, size_t cap, struct flows_pipe **pipes, struct pt_objkey obj) {
    for (size_t i = (size_t)(pt_objkey_hash(obj) >> 17) & (cap - 1);; i = (i + 1) & (cap - 1)) {
        size_t v = table[i];
        if (v == 0 || pt_objkey_eq(pipes[v - 1]->obj, obj))
            return &table[i];
    }
}

static void grow_table(struct flows *fl) {
    size_t cap = fl->table_cap ? 2 * fl->table_cap : 64;
    size_t *table = pt_xcalloc(cap, sizeof *table);
    for (size_t i = 0; i < fl->pipe_count; i++)
        *slot(table, cap, fl->pipes, fl->pipes[i]->obj) = i + 1;
    free(fl->table);
    fl->table = table;
    fl->table_cap = cap;
}

static struct flows_pipe *new_pipe(struct flows *fl, struct pt_objkey obj, uint8_t kind) {
    PT_GROW(fl->pipes, fl->pipe_count + 1, fl->pipe_cap);
    struct flows_pipe *p = pt_xcalloc(1, sizeof *p);
    p->obj = obj;
    p->kind = kind;
    p->first_mismatch = UINT64_MAX;
    fl->pipes[fl->pipe_count++] = p;
    return p;
}

struct flows_pipe *flows_pipe_get(struct flows *fl, struct pt_objkey obj, uint8_t kind) {
    if (2 * (fl->pipe_count + 1) > fl->table_cap)
        grow_table(fl);
    size_t *s = slot(fl->table, fl->table_cap, fl->pipes, obj);
    if (*s != 0)
        return fl->pipes[*s - 1];
    struct flows_pipe *p = new_pipe(fl, obj, kind);
    *s = fl->pipe_count;
    return p;
}

void flows_pipes_free(struct flows *fl) {
    for (size_t i = 0; i < fl->pipe_count; i++) {
        struct flows_pipe *p = fl->pipes[i];
        flows_queue_free(&p->writes);
        flows_queue_free(&p->reads);
        free(p->pairs);
        free(p->begun);
        free(p->feeds);
        free(p);
    }
    free(fl->pipes);
    free(fl->table);
    fl->pipes = NULL;
    fl->table = NULL;
    fl->pipe_count = fl->pipe_cap = fl->table_cap = 0;
}
