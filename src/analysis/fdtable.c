/* An image's fd table: an array sorted by fd number.  Programs hold few
 * fds; a binary search keeps programs that dup2 onto every number from
 * 3 to 1023 cheap too, and numbers as large as the kernel allows cost one
 * entry each, not a slot per number below them. */
#include <stdlib.h>
#include <string.h>

#include "model_impl.h"
#include "trace/xalloc.h"

/* The position of fd, or where it would go. */
static size_t position(const struct pt_fdtable *t, int fd) {
    size_t lo = 0, hi = t->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->v[mid].fd < fd)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

struct pt_fdent *pt_fdtable_find(const struct pt_fdtable *t, int fd) {
    size_t i = position(t, fd);
    return i < t->len && t->v[i].fd == fd ? &t->v[i] : NULL;
}

struct pt_fdent *pt_fdtable_put(struct pt_fdtable *t, int fd) {
    size_t i = position(t, fd);
    if (i < t->len && t->v[i].fd == fd) {
        memset(&t->v[i], 0, sizeof t->v[i]);
        t->v[i].fd = fd;
        return &t->v[i];
    }
    PT_GROW(t->v, t->len + 1, t->cap);
    memmove(&t->v[i + 1], &t->v[i], (t->len - i) * sizeof *t->v);
    t->len++;
    memset(&t->v[i], 0, sizeof t->v[i]);
    t->v[i].fd = fd;
    return &t->v[i];
}

void pt_fdtable_remove(struct pt_fdtable *t, int fd) {
    size_t i = position(t, fd);
    if (i >= t->len || t->v[i].fd != fd)
        return;
    memmove(&t->v[i], &t->v[i + 1], (t->len - i - 1) * sizeof *t->v);
    t->len--;
}

void pt_fdtable_copy(struct pt_fdtable *dst, const struct pt_fdtable *src) {
    pt_fdtable_free(dst);
    if (src->len == 0)
        return;
    dst->v = pt_xreallocarray(NULL, src->len, sizeof *dst->v);
    memcpy(dst->v, src->v, src->len * sizeof *dst->v);
    dst->len = dst->cap = src->len;
}

void pt_fdtable_free(struct pt_fdtable *t) {
    free(t->v);
    memset(t, 0, sizeof *t);
}
