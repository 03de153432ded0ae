/* A binary min-heap of in-flight calls keyed by completion time. */
#include "flows_order.h"

#include <stdlib.h>

static int before(const struct pt_merged *a, const struct pt_merged *b) {
    const struct pt_record *x = a->ev.rec, *y = b->ev.rec;
    if (x->t_end != y->t_end)
        return x->t_end < y->t_end;
    if (x->t_start != y->t_start)
        return x->t_start < y->t_start;
    if (a->file_index != b->file_index)
        return a->file_index < b->file_index;
    return a->ev.offset < b->ev.offset;
}

static void swap(struct pt_merged *a, struct pt_merged *b) {
    struct pt_merged t = *a;
    *a = *b;
    *b = t;
}

static void sift_up(struct flows_order *o, size_t i) {
    while (i > 0 && before(&o->heap[i], &o->heap[(i - 1) / 2])) {
        swap(&o->heap[i], &o->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
}

static void sift_down(struct flows_order *o, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < o->len && before(&o->heap[l], &o->heap[m]))
            m = l;
        if (r < o->len && before(&o->heap[r], &o->heap[m]))
            m = r;
        if (m == i)
            return;
        swap(&o->heap[i], &o->heap[m]);
        i = m;
    }
}

void flows_order_init(struct flows_order *o) {
    *o = (struct flows_order){0};
}

void flows_order_free(struct flows_order *o) {
    free(o->heap);
    *o = (struct flows_order){0};
}

int flows_order_push(struct flows_order *o, const struct pt_merged *m) {
    if (o->len == o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 64;
        struct pt_merged *h = realloc(o->heap, cap * sizeof *h);
        if (h == NULL)
            return -1;
        o->heap = h;
        o->cap = cap;
    }
    o->heap[o->len] = *m;
    sift_up(o, o->len++);
    return 0;
}

int flows_order_pop(struct flows_order *o, uint64_t now, struct pt_merged *out) {
    if (o->len == 0 || o->heap[0].ev.rec->t_end > now)
        return 0;
    *out = o->heap[0];
    o->heap[0] = o->heap[--o->len];
    sift_down(o, 0);
    return 1;
}
