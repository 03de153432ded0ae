/* k-way merge of sorted runs of records with a binary min-heap. */
#include "merge.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct pt_merge_entry {
    struct pt_merged m;
    size_t run;
};

/* --- the heap ------------------------------------------------------------ */

static int earlier(const struct pt_merge_entry *x, const struct pt_merge_entry *y)
{
    const struct pt_merged *a = &x->m, *b = &y->m;
    if (a->ev.rec->t_start != b->ev.rec->t_start)
        return a->ev.rec->t_start < b->ev.rec->t_start;
    if (a->file->hdr->pid != b->file->hdr->pid)
        return a->file->hdr->pid < b->file->hdr->pid;
    if (a->ev.offset != b->ev.offset)
        return a->ev.offset < b->ev.offset;
    return a->file_index < b->file_index;
}

static void swap(struct pt_merge_entry *a, struct pt_merge_entry *b)
{
    struct pt_merge_entry t = *a;
    *a = *b;
    *b = t;
}

static void sift_up(struct pt_merge_entry *heap, size_t i)
{
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!earlier(&heap[i], &heap[parent]))
            return;
        swap(&heap[i], &heap[parent]);
        i = parent;
    }
}

static void sift_down(struct pt_merge_entry *heap, size_t len, size_t i)
{
    for (;;) {
        size_t least = i;
        size_t left = 2 * i + 1, right = left + 1;
        if (left < len && earlier(&heap[left], &heap[least]))
            least = left;
        if (right < len && earlier(&heap[right], &heap[least]))
            least = right;
        if (least == i)
            return;
        swap(&heap[i], &heap[least]);
        i = least;
    }
}

/* --- runs ---------------------------------------------------------------- */

static int add_run(struct pt_merge *m, const struct pt_file *f, size_t file_index,
                   uint64_t from)
{
    if (m->run_count == m->run_cap) {
        size_t cap = m->run_cap ? m->run_cap * 2 : 16;
        struct pt_cursor *runs = realloc(m->runs, cap * sizeof *runs);
        if (runs != NULL)
            m->runs = runs;
        size_t *run_file = realloc(m->run_file, cap * sizeof *run_file);
        if (run_file != NULL)
            m->run_file = run_file;
        if (runs == NULL || run_file == NULL)
            return -1;
        m->run_cap = cap;
    }
    pt_file_walk_range(&m->runs[m->run_count], f, from, UINT64_MAX);
    m->run_file[m->run_count++] = file_index;
    return 0;
}

/* Splits one file into runs of non-decreasing t_start: a run ends where
 * the next one begins. */
static int split_file(struct pt_merge *m, const struct pt_file *f, size_t file_index)
{
    struct pt_cursor c;
    struct pt_event ev;
    size_t first_run = m->run_count;
    uint64_t last = 0;
    pt_file_walk(&c, f);
    while (pt_file_next(&c, &ev)) {
        int starts_run = m->run_count == first_run || ev.rec->t_start < last;
        if (starts_run && m->run_count > first_run)
            m->runs[m->run_count - 1].limit = ev.offset;
        if (starts_run && add_run(m, f, file_index, ev.offset) < 0)
            return -1;
        last = ev.rec->t_start;
    }
    return 0;
}

/* Reads the next record of a run into *slot; 0 when that run is done. */
static int pull(struct pt_merge *m, size_t run, struct pt_merge_entry *slot)
{
    if (!pt_file_next(&m->runs[run], &slot->m.ev))
        return 0;
    slot->m.file = m->runs[run].file;
    slot->m.file_index = m->run_file[run];
    slot->run = run;
    return 1;
}

/* --- the merge ----------------------------------------------------------- */

int pt_merge_init(struct pt_merge *m, const struct pt_file *files, size_t count)
{
    memset(m, 0, sizeof *m);
    for (size_t i = 0; i < count; i++) {
        if (split_file(m, &files[i], i) < 0) {
            pt_merge_free(m);
            return -1;
        }
    }
    m->heap = calloc(m->run_count ? m->run_count : 1, sizeof *m->heap);
    if (m->heap == NULL) {
        pt_merge_free(m);
        return -1;
    }
    for (size_t run = 0; run < m->run_count; run++) {
        if (pull(m, run, &m->heap[m->heap_len]))
            sift_up(m->heap, m->heap_len++);
    }
    return 0;
}

int pt_merge_next(struct pt_merge *m, struct pt_merged *out)
{
    if (m->heap_len == 0)
        return 0;
    *out = m->heap[0].m;
    /* Refill the root from the same run, or shrink the heap if it is done. */
    if (!pull(m, m->heap[0].run, &m->heap[0]))
        m->heap[0] = m->heap[--m->heap_len];
    sift_down(m->heap, m->heap_len, 0);
    return 1;
}

void pt_merge_free(struct pt_merge *m)
{
    free(m->runs);
    free(m->run_file);
    free(m->heap);
    memset(m, 0, sizeof *m);
}
