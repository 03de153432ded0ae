/* The parent's trace file in the child of a fork.  See writer.h.
 *
 * The child inherits the parent's shared mappings.  It must not write into
 * them (its records belong in a file of its own), nor unmap them: fork can
 * run in a signal handler that interrupted a wrapper between pt_begin and
 * pt_end, and that wrapper resumes in the child with a pointer into them.
 * So each becomes private anonymous memory at the same address.
 *
 * One thing the child may still need the parent's file for: saying that its
 * own trace could not start (a sandbox that forbids creating files).  For
 * that it keeps a second view of the parent's file, made with mremap from
 * the inherited mapping (no open needed, which the sandbox may forbid), and
 * appends one record under the header's child gate. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "sys.h"
#include "writer_impl.h"

/* A second shared mapping of the backed part of segment s. */
static struct pt_segment view_of(const struct pt_segment *s, uint64_t allocated) {
    struct pt_segment none = {NULL, 0, 0};
    uint64_t end = s->end < allocated ? s->end : allocated;
    if (end <= s->start)
        return none;
    void *p = pt_sys_mremap(s->base, 0, end - s->start, MREMAP_MAYMOVE);
    if (pt_sys_failed((long)p))
        return none;
    return (struct pt_segment){p, s->start, end};
}

/* The parent's mapping of s becomes anonymous memory where it was backed
 * (where record pointers can point) and goes away past that. */
static void replace_segment(const struct pt_segment *s, uint64_t allocated) {
    uint64_t len = s->end - s->start;
    uint64_t backed = allocated <= s->start ? 0 : allocated - s->start;
    if (backed > len)
        backed = len;
    if (backed)
        pt_sys_mmap(s->base, backed, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
    if (backed < len)
        pt_sys_munmap(s->base + backed, len - backed);
}

void pt_writer_detach(struct pt_writer *w, struct pt_parent_view *view) {
    uint32_t n = __atomic_load_n(&w->segments, __ATOMIC_ACQUIRE);
    uint64_t allocated = __atomic_load_n(&w->allocated, __ATOMIC_ACQUIRE);
    if (view) {
        memset(view, 0, sizeof *view);
        uint32_t last = n;
        while (last > 1 && w->seg[last - 1].start >= allocated)
            last--;
        if (n) {
            view->head = view_of(&w->seg[0], allocated);
            view->last = last > 1 ? view_of(&w->seg[last - 1], allocated) : view->head;
        }
    }
    for (uint32_t i = 0; i < n; i++)
        replace_segment(&w->seg[i], allocated);
    /* Whatever resumes with this writer writes to the anonymous memory. */
    __atomic_store_n(&w->stopped, 1, __ATOMIC_RELEASE);
}

static int enter_gate(struct pt_file_header *hdr) {
    uint32_t gate = __atomic_load_n(&hdr->child_gate, __ATOMIC_ACQUIRE);
    do {
        if (gate & PT_GATE_CLOSED)
            return -ESHUTDOWN;
    } while (!__atomic_compare_exchange_n(&hdr->child_gate, &gate, gate + 1, 0, __ATOMIC_SEQ_CST,
                                          __ATOMIC_ACQUIRE));
    return 0;
}

/* Room at the parent's tail, inside what the view maps (which the file
 * held at the fork, and holds as long as the gate is open). */
static uint8_t *reserve_in_view(struct pt_parent_view *view, uint32_t size) {
    struct pt_file_header *hdr = (struct pt_file_header *)view->head.base;
    uint64_t tail = __atomic_load_n(&hdr->tail, __ATOMIC_ACQUIRE);
    do {
        if (tail < view->last.start || tail + size > view->last.end)
            return NULL;
    } while (!__atomic_compare_exchange_n(&hdr->tail, &tail, tail + size, 0, __ATOMIC_SEQ_CST,
                                          __ATOMIC_ACQUIRE));
    return view->last.base + (tail - view->last.start);
}

int pt_view_append(struct pt_parent_view *view, const struct pt_record *rec, const void *payload) {
    if (!view->head.base || !view->last.base)
        return -ENOENT;
    struct pt_file_header *hdr = (struct pt_file_header *)view->head.base;
    int r = enter_gate(hdr);
    if (r < 0)
        return r;
    uint8_t *at = reserve_in_view(view, rec->size);
    if (at) {
        struct pt_record *out = (struct pt_record *)at;
        memcpy(out, rec, sizeof *rec);
        out->state = PT_TORN;
        memcpy(out + 1, payload, rec->data_len);
        __atomic_store_n(&out->state, PT_DONE, __ATOMIC_RELEASE);
    }
    __atomic_fetch_sub(&hdr->child_gate, 1, __ATOMIC_RELEASE);
    return at ? 0 : -ENOSPC;
}

void pt_view_release(struct pt_parent_view *view) {
    if (view->last.base && view->last.base != view->head.base)
        pt_sys_munmap(view->last.base, view->last.end - view->last.start);
    if (view->head.base)
        pt_sys_munmap(view->head.base, view->head.end - view->head.start);
    memset(view, 0, sizeof *view);
}
