/* The leak audit over a finished model. */
#include "leaks.h"

#include <stdlib.h>
#include <string.h>

/* An fd whose use the trace would have seen: pipes, FIFOs, sockets and
 * fds of unknown kind always; files and ttys only with PIPETRACE_ALL_FDS. */
static int use_is_visible(const struct pt_image *img, const struct pt_fdent *e) {
    if (img->file->hdr->flags & PT_HDR_ALL_FDS)
        return 1;
    return e->kind != PT_OBJ_FILE && e->kind != PT_OBJ_TTY && e->kind != PT_OBJ_OTHER &&
           e->kind != PT_OBJ_DEVICE;
}

/* Made inside the trace: a leak the traced program can fix. */
static int made_in_trace(const struct pt_fdent *e) {
    const struct pt_origin *root = pt_origin_root(e->origin);
    return root != NULL && (root->how == PT_ORIGIN_CREATED || root->how == PT_ORIGIN_DUP);
}

static int is_leak(const struct pt_image *img, const struct pt_fdent *e) {
    return !img->fork_child && e->inherited && !e->used && e->fd > 2 && made_in_trace(e) &&
           use_is_visible(img, e);
}

/* Someone other than the holder reads the pipe. */
static int pipe_is_read(const struct pt_model *m, const struct pt_fdent *e, size_t image) {
    const struct pt_pipe *p = pt_model_pipe(m, e->obj);
    for (size_t i = 0; p != NULL && i < p->nuses; i++)
        if (p->uses[i].image != image && p->uses[i].calls_read > 0)
            return 1;
    return 0;
}

static int rank_of(const struct pt_model *m, const struct pt_fdent *e, size_t image) {
    int write_end = (e->flags & PT_FDF_WRONLY) && e->kind != PT_OBJ_SOCKET;
    if (write_end && pipe_is_read(m, e, image))
        return 0;
    return write_end ? 1 : 2;
}

static int push(struct pt_leak **v, size_t *n, struct pt_leak l) {
    struct pt_leak *nv = realloc(*v, (*n + 1) * sizeof *nv);
    if (nv == NULL)
        return -1;
    *v = nv;
    nv[(*n)++] = l;
    return 0;
}

static int by_rank(const void *a, const void *b) {
    const struct pt_leak *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank - y->rank;
    if (x->image != y->image)
        return x->image < y->image ? -1 : 1;
    return x->fd.fd - y->fd.fd;
}

int pt_leaks_find(const struct pt_model *m, struct pt_leaks *out) {
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < m->nfiles; i++) {
        const struct pt_image *img = &m->images[i];
        int exited = img->end == PT_END_EXIT || img->end == PT_END_SIGNAL;
        for (size_t j = 0; j < img->final.len; j++) {
            const struct pt_fdent *e = &img->final.v[j];
            struct pt_leak l = {.image = i, .fd = *e, .rank = rank_of(m, e, i)};
            if (is_leak(img, e) && push(&out->leaks, &out->nleaks, l) < 0)
                return -1;
            if (exited && e->created_here && push(&out->open_at_exit, &out->nopen, l) < 0)
                return -1;
        }
    }
    if (out->nleaks > 1)
        qsort(out->leaks, out->nleaks, sizeof *out->leaks, by_rank);
    return 0;
}

void pt_leaks_free(struct pt_leaks *l) {
    free(l->leaks);
    free(l->open_at_exit);
    memset(l, 0, sizeof *l);
}
