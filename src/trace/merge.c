/* k-way merge of trace files, each put in order through a bounded reorder
 * window, with a binary min-heap over the files. */
#include "merge.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* --- each file's reorder window: a min-heap of (t_start, offset) ---------- */

static int slot_earlier(const struct pt_merge_slot *a, const struct pt_merge_slot *b)
{
    if (a->t_start != b->t_start)
        return a->t_start < b->t_start;
    return a->offset < b->offset;
}

static void slot_swap(struct pt_merge_slot *a, struct pt_merge_slot *b)
{
    struct pt_merge_slot t = *a;
    *a = *b;
    *b = t;
}

static void window_push(struct pt_merge_source *s, struct pt_merge_slot slot)
{
    size_t i = s->window_len++;
    s->window[i] = slot;
    while (i > 0 && slot_earlier(&s->window[i], &s->window[(i - 1) / 2])) {
        slot_swap(&s->window[i], &s->window[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
}

static void window_pop(struct pt_merge_source *s)
{
    struct pt_merge_slot *w = s->window;
    size_t len = --s->window_len, i = 0;
    w[0] = w[len];
    for (;;) {
        size_t least = i, left = 2 * i + 1, right = left + 1;
        if (left < len && slot_earlier(&w[left], &w[least]))
            least = left;
        if (right < len && slot_earlier(&w[right], &w[least]))
            least = right;
        if (least == i)
            return;
        slot_swap(&w[i], &w[least]);
        i = least;
    }
}

/* Reads records into the window until it is full or the file is done. */
static void window_fill(struct pt_merge_source *s)
{
    struct pt_event ev;
    while (s->window_len < PT_MERGE_WINDOW && pt_file_next(&s->cursor, &ev))
        window_push(s, (struct pt_merge_slot){ev.rec->t_start, ev.offset});
}

/* The record at a slot: the cursor already checked that it lies whole
 * inside the mapping. */
static struct pt_event slot_event(const struct pt_file *f, const struct pt_merge_slot *slot)
{
    struct pt_event ev;
    ev.rec = (const struct pt_record *)(f->map + slot->offset);
    ev.payload = f->map + slot->offset + PT_RECORD_SIZE;
    ev.offset = slot->offset;
    return ev;
}

/* --- the heap over files ----------------------------------------------- */

static int source_earlier(const struct pt_merge *m, size_t x, size_t y)
{
    const struct pt_merge_source *a = &m->sources[x], *b = &m->sources[y];
    if (a->window[0].t_start != b->window[0].t_start)
        return a->window[0].t_start < b->window[0].t_start;
    int32_t pa = a->cursor.file->hdr->pid, pb = b->cursor.file->hdr->pid;
    if (pa != pb)
        return pa < pb;
    if (a->window[0].offset != b->window[0].offset)
        return a->window[0].offset < b->window[0].offset;
    return x < y;
}

static void heap_swap(size_t *a, size_t *b)
{
    size_t t = *a;
    *a = *b;
    *b = t;
}

static void sift_up(struct pt_merge *m, size_t i)
{
    while (i > 0 && source_earlier(m, m->heap[i], m->heap[(i - 1) / 2])) {
        heap_swap(&m->heap[i], &m->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
}

static void sift_down(struct pt_merge *m, size_t i)
{
    for (;;) {
        size_t least = i, left = 2 * i + 1, right = left + 1;
        if (left < m->heap_len && source_earlier(m, m->heap[left], m->heap[least]))
            least = left;
        if (right < m->heap_len && source_earlier(m, m->heap[right], m->heap[least]))
            least = right;
        if (least == i)
            return;
        heap_swap(&m->heap[i], &m->heap[least]);
        i = least;
    }
}

/* --- the merge ----------------------------------------------------------- */

int pt_merge_init(struct pt_merge *m, const struct pt_file *files, size_t count)
{
    memset(m, 0, sizeof *m);
    size_t n = count ? count : 1;
    m->sources = calloc(n, sizeof *m->sources);
    m->heap = calloc(n, sizeof *m->heap);
    if (m->sources == NULL || m->heap == NULL) {
        pt_merge_free(m);
        return -1;
    }
    m->source_count = count;
    for (size_t i = 0; i < count; i++) {
        struct pt_merge_source *s = &m->sources[i];
        s->window = malloc(PT_MERGE_WINDOW * sizeof *s->window);
        if (s->window == NULL) {
            pt_merge_free(m);
            return -1;
        }
        pt_file_walk(&s->cursor, &files[i]);
        s->cursor.hold = 1; /* the window still points behind the cursor */
        s->released = s->cursor.released;
        window_fill(s);
        if (s->window_len > 0) {
            m->heap[m->heap_len] = i;
            sift_up(m, m->heap_len++);
        }
    }
    return 0;
}

/* Hands back the pages of a file that neither the window nor the record
 * just handed out (which the caller reads until its next call) point into.
 * Checked once per RELEASE_EVERY bytes read, so the scan of the window
 * costs little. */
#define RELEASE_EVERY (64u << 10)

static void release_source(struct pt_merge_source *s, uint64_t handed_out)
{
    if (s->cursor.pos < s->released + RELEASE_EVERY)
        return;
    uint64_t oldest = handed_out;
    for (size_t i = 0; i < s->window_len; i++)
        if (s->window[i].offset < oldest)
            oldest = s->window[i].offset;
    pt_file_release(s->cursor.file, oldest, &s->released);
}

int pt_merge_next(struct pt_merge *m, struct pt_merged *out)
{
    if (m->heap_len == 0)
        return 0;
    size_t i = m->heap[0];
    struct pt_merge_source *s = &m->sources[i];
    out->ev = slot_event(s->cursor.file, &s->window[0]);
    out->file = s->cursor.file;
    out->file_index = i;
    window_pop(s);
    window_fill(s);
    release_source(s, out->ev.offset);
    /* The file stays at the root with its next record, or leaves the heap. */
    if (s->window_len == 0)
        m->heap[0] = m->heap[--m->heap_len];
    sift_down(m, 0);
    return 1;
}

void pt_merge_free(struct pt_merge *m)
{
    for (size_t i = 0; m->sources != NULL && i < m->source_count; i++)
        free(m->sources[i].window);
    free(m->sources);
    free(m->heap);
    memset(m, 0, sizeof *m);
}
