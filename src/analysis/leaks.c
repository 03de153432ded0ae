/* The leak audit over a finished model. */
#include "leaks.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/events.h"
#include "trace/xalloc.h"

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

/* --- used through /dev/fd/N -------------------------------------------------- */

/* The path of the OPEN record an origin step points at, or NULL. */
static const char *open_path(const struct pt_model *m, const struct pt_origin *o) {
    if (o->image >= m->nfiles)
        return NULL;
    const struct pt_file *f = m->images[o->image].file;
    struct pt_event ev;
    if (o->rec_offset + PT_RECORD_SIZE > f->size || !pt_file_event_at(f, o->rec_offset, &ev))
        return NULL;
    const struct pt_record *r = ev.rec;
    if (r->type != PT_EV_OPEN || r->data_len == 0 ||
        o->rec_offset + PT_RECORD_SIZE + r->data_len > f->size)
        return NULL;
    const char *path = (const char *)ev.payload;
    return memchr(path, '\0', r->data_len) != NULL ? path : NULL;
}

/* "/dev/fd/N", "/proc/self/fd/N", "/proc/PID/fd/N" name fd N of pid. */
static int names_fd(const char *path, int32_t pid, int fd) {
    char want[64];
    snprintf(want, sizeof want, "/dev/fd/%d", fd);
    if (strcmp(path, want) == 0)
        return 1;
    snprintf(want, sizeof want, "/proc/self/fd/%d", fd);
    if (strcmp(path, want) == 0)
        return 1;
    snprintf(want, sizeof want, "/proc/%d/fd/%d", (int)pid, fd);
    return strcmp(path, want) == 0;
}

/* The image opened fd N again by its name (paste /dev/fd/63, the file a
 * bash process substitution hands over): a use of N.  Opens inside libc
 * (fopen) are not seen; the fd they made then appears in use from nowhere
 * (origin unknown) on the same end of the same pipe, and counts too. */
static int reopened(const struct pt_model *m, const struct pt_image *img,
                    const struct pt_fdent *e) {
    const struct pt_pipe *p = pt_model_pipe(m, e->obj);
    for (size_t i = 0; p != NULL && i < p->nholders; i++) {
        const struct pt_holder *h = &p->holders[i];
        if (h->image != img->index || h->fd == e->fd || h->origin == NULL)
            continue;
        if (h->origin->how == PT_ORIGIN_UNKNOWN && h->read_end == !!(e->flags & PT_FDF_RDONLY) &&
            h->write_end == !!(e->flags & PT_FDF_WRONLY))
            return 1;
        const char *path = h->origin->how == PT_ORIGIN_CREATED ? open_path(m, h->origin) : NULL;
        if (path != NULL && names_fd(path, img->pid, e->fd))
            return 1;
    }
    return 0;
}

/* --- handed over on purpose ------------------------------------------------- */

/* The latest step that made the fd (created or dup'd), or NULL. */
static const struct pt_origin *last_made(const struct pt_origin *o) {
    for (; o != NULL; o = o->prev)
        if (o->how == PT_ORIGIN_CREATED || o->how == PT_ORIGIN_DUP)
            return o;
    return NULL;
}

/* The fcntl(F_SETFD) calls without FD_CLOEXEC (and ioctl(FIONCLEX)) of the images looked at:
 * each image's records are walked once, the first time a leak asks. */
struct clears {
    uint8_t *scanned; /* per image */
    struct clear {
        size_t image;
        int fd;
        uint64_t t;
    } * v;
    size_t len, cap;
};

static void scan_clears(const struct pt_model *m, struct clears *cl, size_t i) {
    struct pt_cursor c;
    struct pt_event ev;
    cl->scanned[i] = 1;
    pt_file_walk(&c, m->images[i].file);
    while (pt_file_next(&c, &ev)) {
        const struct pt_record *r = ev.rec;
        int cmd;
        uint32_t value; /* fcntl(F_SETFD), or ioctl(FIONCLEX) */
        if (!pt_event_fcntl_equivalent(r, &cmd, &value) || r->state != PT_DONE || r->result != 0 ||
            cmd != F_SETFD || (value & FD_CLOEXEC))
            continue;
        PT_GROW(cl->v, cl->len + 1, cl->cap);
        cl->v[cl->len++] = (struct clear){i, r->fd, r->t_start};
    }
}

/* FD_CLOEXEC of fd was cleared in image i at or after `from`. */
static int cleared_in(const struct pt_model *m, struct clears *cl, size_t i, int fd,
                      uint64_t from) {
    if (!cl->scanned[i])
        scan_clears(m, cl, i);
    for (size_t k = 0; k < cl->len; k++)
        if (cl->v[k].image == i && cl->v[k].fd == fd && cl->v[k].t >= from)
            return 1;
    return 0;
}

/* Whether the fd that reached img was handed over on purpose.  The
 * steps from the one that made it to the exec into img each happened in
 * an image (the maker, a fork child before its exec...): a clear in any of
 * them, once it held the fd, counts. */
static int passed_on_purpose(const struct pt_model *m, struct clears *cl,
                             const struct pt_image *img, const struct pt_fdent *e) {
    const struct pt_origin *made = last_made(e->origin);
    if (made == NULL)
        return 0;
    if (made->flags & O_CLOEXEC)
        return 1; /* only a deliberate clear lets it cross an exec */
    for (const struct pt_origin *o = e->origin; o != NULL; o = o->prev) {
        if (o->image != img->index && o->image < m->nfiles &&
            cleared_in(m, cl, o->image, o->fd, o->t))
            return 1;
        if (o == made)
            break;
    }
    return 0;
}

/* Made with O_CLOEXEC, then copied by a dup that dropped it. */
static int dup_dropped_cloexec(const struct pt_fdent *e) {
    const struct pt_origin *made = last_made(e->origin);
    if (made == NULL || made->how != PT_ORIGIN_DUP || (made->flags & O_CLOEXEC))
        return 0;
    const struct pt_origin *before = last_made(made->prev);
    return before != NULL && (before->flags & O_CLOEXEC);
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

static void push(struct pt_leak **v, size_t *n, struct pt_leak l) {
    *v = pt_xreallocarray(*v, *n + 1, sizeof **v);
    (*v)[(*n)++] = l;
}

static int by_rank(const void *a, const void *b) {
    const struct pt_leak *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank - y->rank;
    if (x->image != y->image)
        return x->image < y->image ? -1 : 1;
    return x->fd.fd - y->fd.fd;
}

static void find(const struct pt_model *m, struct clears *cl, struct pt_leaks *out) {
    for (size_t i = 0; i < m->nfiles; i++) {
        const struct pt_image *img = &m->images[i];
        int exited = img->end == PT_END_EXIT || img->end == PT_END_SIGNAL;
        for (size_t j = 0; j < img->final.len; j++) {
            const struct pt_fdent *e = &img->final.v[j];
            struct pt_leak l = {.image = i,
                                .fd = *e,
                                .rank = rank_of(m, e, i),
                                .dup_dropped_cloexec = dup_dropped_cloexec(e)};
            if (is_leak(img, e) && !reopened(m, img, e)) {
                int passed = passed_on_purpose(m, cl, img, e);
                push(passed ? &out->passed : &out->leaks, passed ? &out->npassed : &out->nleaks, l);
            }
            if (exited && e->created_here)
                push(&out->open_at_exit, &out->nopen, l);
        }
    }
}

void pt_leaks_find(const struct pt_model *m, struct pt_leaks *out) {
    memset(out, 0, sizeof *out);
    struct clears cl = {.scanned = pt_xcalloc(m->nfiles ? m->nfiles : 1, 1)};
    find(m, &cl, out);
    free(cl.scanned);
    free(cl.v);
    if (out->nleaks > 1)
        qsort(out->leaks, out->nleaks, sizeof *out->leaks, by_rank);
}

void pt_leaks_free(struct pt_leaks *l) {
    free(l->leaks);
    free(l->passed);
    free(l->open_at_exit);
    memset(l, 0, sizeof *l);
}
