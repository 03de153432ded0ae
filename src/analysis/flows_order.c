/* A binary min-heap of in-flight calls keyed by completion time. */
#include "flows_order.h"
#include "trace/xalloc.h"

#include <stdlib.h>

static int before(const struct flows_held *a, const struct flows_held *b) {
    if (a->t_end != b->t_end)
        return a->t_end < b->t_end;
    if (a->t_start != b->t_start)
        return a->t_start < b->t_start;
    if (a->file_index != b->file_index)
        return a->file_index < b->file_index;
    if (a->offset != b->offset)
        return a->offset < b->offset;
    return a->side < b->side; /* a splice's read before its write */
}

static void swap(struct flows_held *a, struct flows_held *b) {
    struct flows_held t = *a;
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

void flows_order_push(struct flows_order *o, const struct pt_merged *m, int side) {
    PT_GROW(o->heap, o->len + 1, o->cap);
    o->heap[o->len] = (struct flows_held){m->ev.rec->t_end, m->ev.rec->t_start, m->ev.offset,
                                          (uint32_t)m->file_index, side};
    sift_up(o, o->len++);
}

int flows_order_pop(struct flows_order *o, uint64_t now, struct flows_held *out) {
    if (o->len == 0 || o->heap[0].t_end > now)
        return 0;
    *out = o->heap[0];
    o->heap[0] = o->heap[--o->len];
    sift_down(o, 0);
    return 1;
}
