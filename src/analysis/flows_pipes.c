/* The pipes of a trace, by identity (inode and device). */
#include <stdlib.h>

#include "flows_internal.h"

static size_t hash(uint64_t ino, uint32_t dev) {
    uint64_t h = (ino ^ ((uint64_t)dev << 32)) * 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 17);
}

static size_t *slot(size_t *table, size_t cap, struct flows_pipe **pipes, uint64_t ino,
                    uint32_t dev) {
    for (size_t i = hash(ino, dev) & (cap - 1);; i = (i + 1) & (cap - 1)) {
        size_t v = table[i];
        if (v == 0 || (pipes[v - 1]->ino == ino && pipes[v - 1]->dev == dev))
            return &table[i];
    }
}

static int grow_table(struct flows *fl) {
    size_t cap = fl->table_cap ? 2 * fl->table_cap : 64;
    size_t *table = calloc(cap, sizeof *table);
    if (table == NULL)
        return -1;
    for (size_t i = 0; i < fl->pipe_count; i++)
        *slot(table, cap, fl->pipes, fl->pipes[i]->ino, fl->pipes[i]->dev) = i + 1;
    free(fl->table);
    fl->table = table;
    fl->table_cap = cap;
    return 0;
}

static struct flows_pipe *new_pipe(struct flows *fl, uint64_t ino, uint32_t dev, uint8_t kind) {
    if (fl->pipe_count == fl->pipe_cap) {
        size_t cap = fl->pipe_cap ? 2 * fl->pipe_cap : 16;
        struct flows_pipe **pipes = realloc(fl->pipes, cap * sizeof *pipes);
        if (pipes == NULL)
            return NULL;
        fl->pipes = pipes;
        fl->pipe_cap = cap;
    }
    struct flows_pipe *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->ino = ino;
    p->dev = dev;
    p->kind = kind;
    p->first_mismatch = UINT64_MAX;
    fl->pipes[fl->pipe_count++] = p;
    return p;
}

struct flows_pipe *flows_pipe_get(struct flows *fl, uint64_t ino, uint32_t dev, uint8_t kind) {
    if (2 * (fl->pipe_count + 1) > fl->table_cap && grow_table(fl) < 0)
        return NULL;
    size_t *s = slot(fl->table, fl->table_cap, fl->pipes, ino, dev);
    if (*s != 0)
        return fl->pipes[*s - 1];
    struct flows_pipe *p = new_pipe(fl, ino, dev, kind);
    if (p != NULL)
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
        free(p);
    }
    free(fl->pipes);
    free(fl->table);
    fl->pipes = NULL;
    fl->table = NULL;
    fl->pipe_count = fl->pipe_cap = fl->table_cap = 0;
}

const struct flows_pipe *flows_find(const struct flows *fl, uint64_t ino) {
    for (size_t i = 0; i < fl->pipe_count; i++)
        if (fl->pipes[i]->ino == ino)
            return fl->pipes[i];
    return NULL;
}
