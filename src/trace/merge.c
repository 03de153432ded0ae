/* k-way merge of trace files, each put in order through a bounded reorder
 * window, with a binary min-heap over the files. */
#include "merge.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* --- each file's reorder window: a ring kept in (t_start, offset) order --
 *
 * Records nearly always arrive in order, so a new one is placed at the back
 * and moved forward past the few that are later than it: O(1) in the common
 * case, where a heap would pay log(window) on every push and pop. */

static int slot_earlier(const struct pt_merge_slot *a, const struct pt_merge_slot *b) {
    if (a->t_start != b->t_start)
        return a->t_start < b->t_start;
    return a->offset < b->offset;
}

static struct pt_merge_slot *slot_at(struct pt_merge_source *s, size_t i) {
    return &s->window[(s->window_head + i) % PT_MERGE_WINDOW];
}

static void window_push(struct pt_merge_source *s, struct pt_merge_slot slot) {
    size_t i = s->window_len++;
    while (i > 0 && slot_earlier(&slot, slot_at(s, i - 1))) {
        *slot_at(s, i) = *slot_at(s, i - 1);
        i--;
    }
    *slot_at(s, i) = slot;
}

static void window_pop(struct pt_merge_source *s) {
    s->window_head = (s->window_head + 1) % PT_MERGE_WINDOW;
    s->window_len--;
}

/* Reads records into the window until it is full or the file is done. */
static void window_fill(struct pt_merge_source *s) {
    struct pt_event ev;
    if (s->window == NULL)
        s->window = pt_xmalloc(PT_MERGE_WINDOW * sizeof *s->window);
    while (s->window_len < PT_MERGE_WINDOW && pt_file_next(&s->cursor, &ev))
        window_push(s, (struct pt_merge_slot){ev.rec->t_start, ev.offset});
}

/* The record at a slot: the cursor already checked that it lies whole
 * inside the file; the mapping may have been remade since. */
static int slot_event(const struct pt_file *f, const struct pt_merge_slot *slot,
                      struct pt_event *ev) {
    return pt_file_event_at(f, slot->offset, ev) ? 0 : -1;
}

/* --- the heap over files ----------------------------------------------- */

static int key_earlier(const struct pt_merge_key *a, const struct pt_merge_key *b) {
    if (a->t_start != b->t_start)
        return a->t_start < b->t_start;
    if (a->pid != b->pid)
        return a->pid < b->pid;
    if (a->offset != b->offset)
        return a->offset < b->offset;
    return a->source < b->source;
}

static int key_compare(const void *a, const void *b) {
    return key_earlier(a, b) ? -1 : key_earlier(b, a) ? 1 : 0;
}

static struct pt_merge_key key_of(const struct pt_merge *m, size_t source) {
    const struct pt_merge_source *s = &m->sources[source];
    const struct pt_merge_slot *first = &s->window[s->window_head];
    return (struct pt_merge_key){first->t_start, first->offset, s->pid, (uint32_t)source};
}

static void key_swap(struct pt_merge_key *a, struct pt_merge_key *b) {
    struct pt_merge_key t = *a;
    *a = *b;
    *b = t;
}

static void sift_up(struct pt_merge *m, size_t i) {
    while (i > 0 && key_earlier(&m->heap[i], &m->heap[(i - 1) / 2])) {
        key_swap(&m->heap[i], &m->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
}

static void sift_down(struct pt_merge *m, size_t i) {
    struct pt_merge_key *h = m->heap;
    for (;;) {
        size_t least = i, left = 2 * i + 1, right = left + 1;
        if (left < m->heap_len && key_earlier(&h[left], &h[least]))
            least = left;
        if (right < m->heap_len && key_earlier(&h[right], &h[least]))
            least = right;
        if (least == i)
            return;
        key_swap(&h[i], &h[least]);
        i = least;
    }
}

/* --- the merge ----------------------------------------------------------- */

/* The key a file joins the merge with: its earliest record among the
 * first PT_MERGE_WINDOW, what its window will start with (found when the
 * file was opened, without mapping it).  A file with no record to go by
 * joins when its image began; its walk then finds what is wrong with it. */
static struct pt_merge_slot first_key(const struct pt_file *f) {
    if (f->has_first)
        return (struct pt_merge_slot){f->first_t, f->first_offset};
    return (struct pt_merge_slot){f->hdr->start_mono_ns, f->hdr->data_offset};
}

void pt_merge_init(struct pt_merge *m, const struct pt_file *files, size_t count) {
    memset(m, 0, sizeof *m);
    size_t n = count ? count : 1;
    m->sources = pt_xcalloc(n, sizeof *m->sources);
    m->heap = pt_xcalloc(n, sizeof *m->heap);
    m->waiting = pt_xcalloc(n, sizeof *m->waiting);
    m->source_count = count;
    for (size_t i = 0; i < count; i++) {
        struct pt_merge_source *s = &m->sources[i];
        struct pt_merge_slot first = first_key(&files[i]);
        s->pid = files[i].hdr->pid;
        pt_file_walk(&s->cursor, &files[i]);
        s->cursor.hold = 1; /* the window still points behind the cursor */
        s->released = s->cursor.released;
        m->waiting[m->waiting_len++] =
            (struct pt_merge_key){first.t_start, first.offset, s->pid, (uint32_t)i};
    }
    qsort(m->waiting, m->waiting_len, sizeof *m->waiting, key_compare);
}

/* Files join the heap when the merge reaches their first record: a trace's
 * processes rarely all overlap in time, and the heap is only as deep as
 * the number of files that do. */
static void admit_started(struct pt_merge *m) {
    while (m->waiting_next < m->waiting_len &&
           (m->heap_len == 0 || key_earlier(&m->waiting[m->waiting_next], &m->heap[0]))) {
        size_t i = m->waiting[m->waiting_next++].source;
        struct pt_merge_source *s = &m->sources[i];
        window_fill(s);
        if (s->window_len == 0) /* it could not be read again */
            continue;
        m->heap[m->heap_len] = key_of(m, i);
        sift_up(m, m->heap_len++);
    }
}

/* A file the merge is done with gives its window back. */
static void source_done(struct pt_merge_source *s) {
    free(s->window);
    s->window = NULL;
    s->window_head = 0;
}

/* Hands back the pages of a file that neither the window nor the record
 * just handed out (which the caller reads until its next call) point into.
 * Checked once per RELEASE_EVERY bytes read, so the scan of the window
 * costs little. */
#define RELEASE_EVERY (64u << 10)

static void release_source(struct pt_merge_source *s, uint64_t handed_out) {
    if (s->cursor.pos < s->released + RELEASE_EVERY)
        return;
    uint64_t oldest = handed_out;
    for (size_t i = 0; i < s->window_len; i++)
        if (slot_at(s, i)->offset < oldest)
            oldest = slot_at(s, i)->offset;
    pt_file_release(s->cursor.file, oldest, &s->released);
}

int pt_merge_next(struct pt_merge *m, struct pt_merged *out) {
    for (;;) {
        admit_started(m);
        if (m->heap_len == 0)
            return 0;
        size_t i = m->heap[0].source;
        struct pt_merge_source *s = &m->sources[i];
        int readable = slot_event(s->cursor.file, &s->window[s->window_head], &out->ev) == 0;
        out->file = s->cursor.file;
        out->file_index = i;
        window_pop(s);
        if (readable) {
            window_fill(s);
            release_source(s, out->ev.offset);
        } else /* gone since it was opened: the rest of it is lost */
            s->window_len = 0;
        /* The file stays at the root with its next record, or leaves the heap. */
        if (s->window_len == 0) {
            m->heap[0] = m->heap[--m->heap_len];
            source_done(s);
        } else {
            m->heap[0] = key_of(m, i);
        }
        sift_down(m, 0);
        if (readable)
            return 1;
    }
}

void pt_merge_free(struct pt_merge *m) {
    for (size_t i = 0; m->sources != NULL && i < m->source_count; i++)
        free(m->sources[i].window);
    free(m->sources);
    free(m->heap);
    free(m->waiting);
    memset(m, 0, sizeof *m);
}
