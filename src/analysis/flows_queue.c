/* A growable ring buffer of calls. */
#include "flows_queue.h"

#include <stdlib.h>

void flows_queue_free(struct flows_queue *q) {
    free(q->items);
    *q = (struct flows_queue){0};
}

static int grow(struct flows_queue *q) {
    size_t cap = q->cap ? 2 * q->cap : 16;
    struct flows_call *items = malloc(cap * sizeof *items);
    if (items == NULL)
        return -1;
    for (size_t i = 0; i < q->len; i++)
        items[i] = q->items[(q->head + i) % q->cap];
    free(q->items);
    q->items = items;
    q->cap = cap;
    q->head = 0;
    return 0;
}

int flows_queue_push(struct flows_queue *q, const struct flows_call *c) {
    if (q->len == q->cap && grow(q) < 0)
        return -1;
    q->items[(q->head + q->len) % q->cap] = *c;
    q->len++;
    return 0;
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
