/* Appending records to one trace file through shared mappings.
 *
 * The file is mapped in segments: each maps a range of the file at some
 * address, and record pointers stay valid for good because a segment never
 * moves.  A segment maps more than the file holds (inaccessible past what
 * the file backs) but not much more: address space is the program's (see
 * writer_map.c); growth opens up the room, then adds segments.  Only the
 * part backed by allocated blocks is ever touched, which keeps a full disk
 * from turning into SIGBUS.  Reservation is one atomic add on the header's
 * tail, so threads and signal handlers never wait on each other.
 *
 * Everything here is async-signal-safe and uses raw system calls only.
 */
#ifndef PIPETRACE_WRITER_WRITER_H
#define PIPETRACE_WRITER_WRITER_H

#include <stdint.h>

#include "pipetrace/format.h"

#define PT_PATH_MAX 4096
#define PT_SEGMENTS_MAX 48

/* File range [start, end) mapped at base. */
struct pt_segment {
    uint8_t *base;
    uint64_t start;
    uint64_t end;
};

struct pt_writer {
    struct pt_segment seg[PT_SEGMENTS_MAX]; /* seg[0] starts at offset 0 */
    uint32_t segments;                      /* atomic: entries published */
    uint64_t allocated;                     /* atomic: file bytes backed and accessible */
    int stopped;                            /* atomic: nonzero once tracing stopped */
    int busy;                               /* atomic: growth or trimming under way */
    int finished;                           /* trimmed at exit: grow by what is needed */
    uint32_t epoch;                         /* this file among those the process made (>= 1) */
    uint32_t channels;                      /* atomic: compact-record channels numbered */
    int no_compact;                         /* atomic: full records only from now on */
    uint64_t dev, ino;                      /* identity of the file created */
    char path[PT_PATH_MAX];                 /* absolute; reopened to grow the file */
};

/* What the caller knows about the process image, for the header. */
struct pt_image_info {
    int32_t pid;
    int32_t ppid;
    uint32_t flags; /* PT_HDR_* known at creation */
    uint32_t data_limit;
    uint64_t start_mono_ns;
    uint64_t start_real_ns;
    uint8_t boot_id[16];
    const char *exe;
    /* The command line as /proc/self/cmdline gives it: each argument
     * NUL-terminated, one after the other (a last one without its NUL is
     * still taken whole).  A copy the program cannot change under us. */
    const char *args;
    uint32_t args_len;
};

/* Creates "<dir>/<pid>.<n>.ptr" with the lowest free n, writes the header and
 * maps the file.  The directory must be ours: not a symbolic link (ELOOP),
 * owned by the effective user (EPERM) and writable by nobody else (EACCES).
 * Returns 0 or -errno; on failure nothing is left behind and no fd stays
 * open. */
int pt_writer_create(struct pt_writer *w, const char *dir, const struct pt_image_info *info);

static inline struct pt_file_header *pt_writer_header(struct pt_writer *w) {
    return (struct pt_file_header *)w->seg[0].base;
}

/* Reserves `size` bytes (a multiple of 8, >= PT_RECORD_SIZE) and returns the
 * record with its size set, or NULL when tracing has stopped. */
struct pt_record *pt_writer_reserve(struct pt_writer *w, uint32_t size);

/* Grows the most recent reservation in place to new_size, when no other
 * reservation followed it and the file can hold it.  Returns 1 if it did. */
int pt_writer_extend(struct pt_writer *w, struct pt_record *rec, uint32_t new_size);

/* Gives back the unused end of the most recent reservation, when no other
 * reservation followed it (the common case in full-capture mode). */
void pt_writer_shrink(struct pt_writer *w, struct pt_record *rec, uint32_t new_size);

/* Whether p lies in the part of the file this writer maps and can write:
 * a record handed out before a fork no longer does in the child. */
static inline int pt_writer_holds(const struct pt_writer *w, const void *p) {
    uint32_t n = __atomic_load_n(&w->segments, __ATOMIC_ACQUIRE);
    if (__builtin_expect(n == 1, 1)) /* most images: one segment, from offset 0 */
        return (uintptr_t)p - (uintptr_t)w->seg[0].base < w->seg[0].end;
    for (uint32_t i = n; i-- > 0;)
        if ((uintptr_t)p - (uintptr_t)w->seg[i].base < w->seg[i].end - w->seg[i].start)
            return 1;
    return 0;
}

/* File offset of a record this writer handed out. */
uint64_t pt_writer_offset(const struct pt_writer *w, const void *p);

/* Stops tracing for good: marks the header and keeps counting drops. */
void pt_writer_stop(struct pt_writer *w, int err);

void pt_writer_count_drop(struct pt_writer *w);

/* At the end of the image: cuts the file's unused end (less than a page
 * remains).  Records made later still work; the file grows by what they
 * need. */
void pt_writer_finish(struct pt_writer *w);

/* Unmaps everything without touching the file. */
void pt_writer_forget(struct pt_writer *w);

/* In the child of a fork, the parent's file seen from the child: enough to
 * add one record at its end, and nothing the parent could be hurt by. */
struct pt_parent_view {
    struct pt_segment head; /* the header's segment, as far as it was backed */
    struct pt_segment last; /* the segment holding the tail (may be head) */
};

/* In the child of a fork: the parent's mappings become private anonymous
 * memory at the same addresses, so that a record pointer the parent handed
 * out (a wrapper interrupted by the signal handler that forked) stays valid
 * and writes nowhere that matters; w stops.  With view non-NULL, a second
 * shared view of the parent's file is kept there (view->head.base NULL when
 * none could be had). */
void pt_writer_detach(struct pt_writer *w, struct pt_parent_view *view);

/* Appends one complete record (header fields from rec, payload from
 * payload) to the parent's file through view.  Returns 0, or -errno when
 * there was no room the child may use or the parent has finished. */
int pt_view_append(struct pt_parent_view *view, const struct pt_record *rec, const void *payload);

void pt_view_release(struct pt_parent_view *view);

#endif /* PIPETRACE_WRITER_WRITER_H */
