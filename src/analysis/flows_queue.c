/* A growable ring buffer of calls. */
#include "flows_queue.h"
#include "trace/xalloc.h"

#include <stdlib.h>

void flows_queue_free(struct flows_queue *q) {
    free(q->items);
    *q = (struct flows_queue){0};
}

/* A ring buffer: grown by copying its items in order from the head. */
static void grow(struct flows_queue *q) {
    size_t cap = pt_grow_cap(q->cap, q->len + 1);
    struct flows_call *items = pt_xreallocarray(NULL, cap, sizeof *items);
    for (size_t i = 0; i < q->len; i++)
        items[i] = q->items[(q->head + i) % q->cap];
    free(q->items);
    q->items = items;
    q->cap = cap;
    q->head = 0;
}

void flows_queue_push(struct flows_queue *q, const struct flows_call *c) {
    if (q->len == q->cap)
        grow(q);
    q->items[(q->head + q->len) % q->cap] = *c;
    q->len++;
}

struct flows_call *flows_queue_front(struct flows_queue *q) {
    return q->len ? &q->items[q->head] : NULL;
}

void flows_queue_pop(struct flows_queue *q) {
    if (q->len == 0)
        return;
    q->head = (q->head + 1) % q->cap;
    q->len--;
}
