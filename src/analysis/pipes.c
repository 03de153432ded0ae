/* The pipes of a run, found by key (device and inode) through an
 * open-addressing hash, and each pipe's users. */
#include <stdlib.h>
#include <string.h>

#include "model_impl.h"
#include "trace/events.h"
#include "trace/xalloc.h"

static size_t hash_key(struct pt_objkey obj, size_t cap) {
    return (size_t)(pt_objkey_hash(obj) >> 20) & (cap - 1);
}

static struct pt_pipe *pipe_lookup(const struct pt_model *m, struct pt_objkey obj) {
    if (m->hash_cap == 0)
        return NULL;
    for (size_t i = hash_key(obj, m->hash_cap);; i = (i + 1) & (m->hash_cap - 1)) {
        size_t slot = m->pipe_hash[i];
        if (slot == 0)
            return NULL;
        if (pt_objkey_eq(m->pipes[slot - 1]->obj, obj))
            return m->pipes[slot - 1];
    }
}

struct pt_pipe *pt_model_pipe_find(const struct pt_model *m, struct pt_objkey obj) {
    struct pt_pipe *p = pipe_lookup(m, obj);
    if (p != NULL)
        ((struct pt_model *)(uintptr_t)m)->last_pipe = p; /* the memo, not the model */
    return p;
}

static void hash_insert(size_t *hash, size_t cap, struct pt_objkey obj, size_t slot) {
    size_t i = hash_key(obj, cap);
    while (hash[i] != 0)
        i = (i + 1) & (cap - 1);
    hash[i] = slot;
}

/* Keeps the table at most half full. */
static void hash_grow(struct pt_model *m) {
    if (m->npipes * 2 < m->hash_cap)
        return;
    size_t cap = m->hash_cap ? m->hash_cap * 2 : 64;
    size_t *hash = pt_xcalloc(cap, sizeof *hash);
    for (size_t i = 0; i < m->npipes; i++)
        hash_insert(hash, cap, m->pipes[i]->obj, i + 1);
    free(m->pipe_hash);
    m->pipe_hash = hash;
    m->hash_cap = cap;
}

struct pt_pipe *pt_pipe_get(struct pt_model *m, struct pt_objkey obj, uint8_t kind) {
    struct pt_pipe *p = pt_model_pipe(m, obj);
    if (p != NULL || obj.ino == 0)
        return p;
    hash_grow(m);
    PT_GROW(m->pipes, m->npipes + 1, m->cap_pipes);
    p = pt_xcalloc(1, sizeof *p);
    p->id = (unsigned)m->npipes + 1;
    p->obj = obj;
    p->kind = kind;
    m->pipes[m->npipes++] = p;
    hash_insert(m->pipe_hash, m->hash_cap, obj, m->npipes);
    return p;
}

/* A pipe's uses are found by a short scan while they are few, and through
 * an open-addressing index of image -> uses slot once there are more: a
 * shell's pipe that tens of thousands of children write into would
 * otherwise cost a scan of all of them per call. */
#define USE_SCAN_MAX 8

static size_t hash_image(size_t image, size_t cap) {
    return (size_t)(((uint64_t)image * 0x9E3779B97F4A7C15ull) >> 20) & (cap - 1);
}

static void use_index_put(size_t *index, size_t cap, size_t image, size_t slot) {
    size_t i = hash_image(image, cap);
    while (index[i] != 0)
        i = (i + 1) & (cap - 1);
    index[i] = slot;
}

/* Indexes every use, the last one added included; keeps the index at most
 * half full. */
static void use_index_update(struct pt_pipe *p) {
    if (p->nuses <= USE_SCAN_MAX)
        return;
    if (p->nuses * 2 < p->use_index_cap) {
        use_index_put(p->use_index, p->use_index_cap, p->uses[p->nuses - 1].image, p->nuses);
        return;
    }
    size_t cap = p->use_index_cap ? p->use_index_cap * 2 : 4 * USE_SCAN_MAX;
    size_t *index = pt_xcalloc(cap, sizeof *index);
    for (size_t i = 0; i < p->nuses; i++)
        use_index_put(index, cap, p->uses[i].image, i + 1);
    free(p->use_index);
    p->use_index = index;
    p->use_index_cap = cap;
}

static struct pt_pipe_use *use_find(struct pt_pipe *p, size_t image) {
    if (p->use_index_cap == 0) {
        for (size_t i = 0; i < p->nuses; i++)
            if (p->uses[i].image == image)
                return &p->uses[i];
        return NULL;
    }
    for (size_t i = hash_image(image, p->use_index_cap);; i = (i + 1) & (p->use_index_cap - 1)) {
        size_t slot = p->use_index[i];
        if (slot == 0)
            return NULL;
        if (p->uses[slot - 1].image == image)
            return &p->uses[slot - 1];
    }
}

struct pt_pipe_use *pt_pipe_use_of(struct pt_pipe *p, size_t image) {
    struct pt_pipe_use *found = use_find(p, image);
    if (found != NULL)
        return found;
    PT_GROW(p->uses, p->nuses + 1, p->cap_uses);
    struct pt_pipe_use *u = &p->uses[p->nuses++];
    memset(u, 0, sizeof *u);
    u->image = image;
    use_index_update(p);
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

void pt_pipe_begun_write(struct pt_model *m, struct pt_pipe *p, const struct pt_image *img,
                         const struct pt_record *r, uint64_t offset) {
    (void)m;
    PT_GROW(p->begun, p->nbegun + 1, p->cap_begun);
    p->begun[p->nbegun++] =
        (struct pt_begun_write){img->index, r->type, r->t_start, pt_event_asked(r), offset};
}

/* The inferred write is no longer a call in progress (check must not call
 * it blocked). */
static void forget_pending(struct pt_image *img, uint64_t offset) {
    for (size_t i = 0; i < img->npending; i++)
        if (img->pending[i].offset == offset) {
            img->pending[i] = img->pending[--img->npending];
            return;
        }
}

static void infer_write(struct pt_model *m, struct pt_pipe *p, const struct pt_begun_write *b,
                        uint64_t bytes) {
    struct pt_image *img = &m->images[b->image];
    struct pt_pipe_use *u = pt_pipe_use_of(p, b->image);
    u->calls_written++;
    u->bytes_written += bytes;
    u->inferred_writes++;
    p->bytes_written += bytes;
    p->inferred_writes++;
    p->inferred_bytes += bytes;
    if (img->stat_slot[b->type] != 0) /* the begun record counted as a call */
        img->stats[img->stat_slot[b->type] - 1].bytes += bytes;
    forget_pending(img, b->offset);
}

/* Readers got more bytes than the finished writes gave: the writes that
 * began (before the last read that got bytes) and never returned gave
 * them, in the order they began.  Only a write whose every byte the
 * readers got counts: one that moved part of what it asked (a big write
 * into a full pipe, the reader gone quiet) is still blocked, and calling
 * it done would hide the deadlock it is part of.  Only for a pipe made in
 * the trace: bytes from a writer outside it are not a traced write's. */
static void infer_pipe(struct pt_model *m, struct pt_pipe *p) {
    if (p->nbegun == 0 || p->created == NULL || p->bytes_read <= p->bytes_written)
        return;
    uint64_t surplus = p->bytes_read - p->bytes_written;
    for (size_t i = 0; i < p->nbegun && surplus > 0; i++) {
        const struct pt_begun_write *b = &p->begun[i];
        if (b->t_start > p->last_read_end || b->asked == 0 || b->asked > surplus)
            continue;
        infer_write(m, p, b, b->asked);
        surplus -= b->asked;
    }
}

void pt_pipes_infer_writes(struct pt_model *m) {
    for (size_t i = 0; i < m->npipes; i++)
        infer_pipe(m, m->pipes[i]);
}

void pt_pipes_free(struct pt_model *m) {
    for (size_t i = 0; i < m->npipes; i++) {
        free(m->pipes[i]->begun);
        free(m->pipes[i]->uses);
        free(m->pipes[i]->use_index);
        free(m->pipes[i]->holders);
        free(m->pipes[i]);
    }
    free(m->pipes);
    free(m->pipe_hash);
    m->last_pipe = NULL;
    pt_sockpeers_free(&m->peers);
    free(m->passing);
}
