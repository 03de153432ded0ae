/* What writer.c, writer_map.c and writer_fork.c share; not for callers. */
#ifndef PIPETRACE_WRITER_WRITER_IMPL_H
#define PIPETRACE_WRITER_WRITER_IMPL_H

#include <stdint.h>

#include "writer.h"

#define PT_PAGE 4096u
/* Room for records past the header in the first allocation, rounded up to
 * the page.  Most processes record little: when their records fit in the
 * header's page, the file needs no cut at exit (a reopen and an ftruncate,
 * 40-60 us on ext4 here); one that records more grows once more instead. */
#define PT_FIRST_CHUNK (1u << 10)

static inline uint64_t pt_round_up(uint64_t n, uint64_t to) {
    return (n + to - 1) / to * to;
}

/* RLIMIT_FSIZE: growing past it would raise SIGXFSZ in the traced program. */
uint64_t pt_file_size_limit(void);

/* Disk space and page cache for [off, off + len) of fd (zeros written). */
int pt_allocate(int fd, uint64_t off, uint64_t len);

/* Maps the first segment of a new file whose first `first` bytes are
 * allocated, and makes them accessible. */
int pt_map_first(struct pt_writer *w, int fd, uint64_t first);

/* Makes the file hold at least `need` bytes, mapped and accessible.
 * Returns 0, -EBUSY when another thread kept the writer busy too long, or
 * the -errno that stops tracing. */
int pt_grow_to(struct pt_writer *w, uint64_t need);

/* Where [off, end) of the file is mapped, or NULL when it straddles two
 * segments that are not adjacent in memory. */
uint8_t *pt_locate(const struct pt_writer *w, uint64_t off, uint64_t end);

/* The writer's lock for growth and trimming, taken with every signal
 * blocked in this thread: a handler that forked or recorded in the middle
 * of either would find the writer half changed.  pt_lock returns 0, or
 * -EBUSY after a bounded wait for another thread. */
int pt_lock(struct pt_writer *w, uint64_t *saved_mask);
void pt_unlock(struct pt_writer *w, uint64_t saved_mask);

/* Opens the file again by path and checks it is still the one created.
 * Returns the fd, or -ESTALE when the name now holds another file. */
int pt_reopen(const struct pt_writer *w);

#endif /* PIPETRACE_WRITER_WRITER_IMPL_H */
