/* The pipes of a run, found by inode through an open-addressing hash. */
#include <stdlib.h>
#include <string.h>

#include "model_impl.h"

static size_t hash_ino(uint64_t ino, size_t cap) {
    return (size_t)((ino * 0x9E3779B97F4A7C15ull) >> 20) & (cap - 1);
}

struct pt_pipe *pt_model_pipe(const struct pt_model *m, uint64_t ino) {
    if (m->hash_cap == 0)
        return NULL;
    for (size_t i = hash_ino(ino, m->hash_cap);; i = (i + 1) & (m->hash_cap - 1)) {
        size_t slot = m->pipe_hash[i];
        if (slot == 0)
            return NULL;
        if (m->pipes[slot - 1]->ino == ino)
            return m->pipes[slot - 1];
    }
}

static void hash_insert(size_t *hash, size_t cap, uint64_t ino, size_t slot) {
    size_t i = hash_ino(ino, cap);
    while (hash[i] != 0)
        i = (i + 1) & (cap - 1);
    hash[i] = slot;
}

/* Keeps the table at most half full. */
static int hash_grow(struct pt_model *m) {
    if (m->npipes * 2 < m->hash_cap)
        return 0;
    size_t cap = m->hash_cap ? m->hash_cap * 2 : 64;
    size_t *hash = calloc(cap, sizeof *hash);
    if (hash == NULL)
        return -1;
    for (size_t i = 0; i < m->npipes; i++)
        hash_insert(hash, cap, m->pipes[i]->ino, i + 1);
    free(m->pipe_hash);
    m->pipe_hash = hash;
    m->hash_cap = cap;
    return 0;
}

static int pipes_grow(struct pt_model *m) {
    if (m->npipes < m->cap_pipes)
        return 0;
    size_t cap = m->cap_pipes ? m->cap_pipes * 2 : 16;
    struct pt_pipe **v = realloc(m->pipes, cap * sizeof *v);
    if (v == NULL)
        return -1;
    m->pipes = v;
    m->cap_pipes = cap;
    return 0;
}

struct pt_pipe *pt_pipe_get(struct pt_model *m, uint64_t ino, uint8_t kind) {
    struct pt_pipe *p = pt_model_pipe(m, ino);
    if (p != NULL || ino == 0)
        return p;
    if (hash_grow(m) < 0 || pipes_grow(m) < 0 || (p = calloc(1, sizeof *p)) == NULL) {
        m->oom = 1;
        return NULL;
    }
    p->id = (unsigned)m->npipes + 1;
    p->ino = ino;
    p->kind = kind;
    m->pipes[m->npipes++] = p;
    hash_insert(m->pipe_hash, m->hash_cap, ino, m->npipes);
    return p;
}

struct pt_pipe_use *pt_pipe_use_of(struct pt_pipe *p, size_t image) {
    for (size_t i = 0; i < p->nuses; i++)
        if (p->uses[i].image == image)
            return &p->uses[i];
    if (p->nuses == p->cap_uses) {
        size_t cap = p->cap_uses ? p->cap_uses * 2 : 4;
        struct pt_pipe_use *v = realloc(p->uses, cap * sizeof *v);
        if (v == NULL)
            return NULL;
        p->uses = v;
        p->cap_uses = cap;
    }
    struct pt_pipe_use *u = &p->uses[p->nuses++];
    memset(u, 0, sizeof *u);
    u->image = image;
    return u;
}

int pt_pipe_shown(const struct pt_pipe *p) {
    if (p->created != NULL)
        return 1;
    for (size_t i = 0; i < p->nuses; i++)
        if (p->uses[i].calls_read || p->uses[i].calls_written)
            return 1;
    return 0;
}

void pt_pipes_free(struct pt_model *m) {
    for (size_t i = 0; i < m->npipes; i++) {
        free(m->pipes[i]->uses);
        free(m->pipes[i]->holders);
        free(m->pipes[i]);
    }
    free(m->pipes);
    free(m->pipe_hash);
}
