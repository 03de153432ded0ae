/* Appending records to one trace file through a shared mapping.
 *
 * The whole file range the writer may ever use is mapped once, up front, so
 * that record pointers stay valid while the file grows; only the part backed
 * by posix_fallocate-style allocation is ever touched, which is what keeps a
 * full disk from turning into SIGBUS.  Reservation is one atomic add on the
 * header's tail, so threads and signal handlers never wait on each other.
 *
 * Everything here is async-signal-safe and uses raw system calls only.
 */
#ifndef PIPETRACE_TRACE_WRITER_H
#define PIPETRACE_TRACE_WRITER_H

#include <stdint.h>

#include "pipetrace/format.h"

#define PT_PATH_MAX 4096

struct pt_writer {
    uint8_t *base;          /* mapping of the file from offset 0 */
    uint64_t map_size;      /* bytes of address space mapped */
    uint64_t allocated;     /* atomic: bytes of the file with disk space */
    int stopped;            /* atomic: nonzero once tracing stopped */
    char path[PT_PATH_MAX]; /* absolute; reopened to grow the file */
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
 * maps the file.  Returns 0 or -errno; on failure nothing is left behind. */
int pt_writer_create(struct pt_writer *w, const char *dir, const struct pt_image_info *info);

static inline struct pt_file_header *pt_writer_header(struct pt_writer *w) {
    return (struct pt_file_header *)w->base;
}

/* Reserves `size` bytes (a multiple of 8, >= PT_RECORD_SIZE) and returns the
 * record with its size set, or NULL when tracing has stopped. */
struct pt_record *pt_writer_reserve(struct pt_writer *w, uint32_t size);

/* Gives back the unused end of the most recent reservation, when no other
 * reservation followed it (the common case in full-capture mode). */
void pt_writer_shrink(struct pt_writer *w, struct pt_record *rec, uint32_t new_size);

/* Stops tracing for good: marks the header and keeps counting drops. */
void pt_writer_stop(struct pt_writer *w, int err);

void pt_writer_count_drop(struct pt_writer *w);

/* Forgets the mapping without touching the file: the child of a fork must
 * not write into its parent's trace. */
void pt_writer_forget(struct pt_writer *w);

#endif /* PIPETRACE_TRACE_WRITER_H */
