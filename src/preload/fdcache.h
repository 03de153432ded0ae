/* What object each fd refers to, learned once per fd and kept in step with
 * the calls that create, duplicate, change and close fds.
 *
 * Lookups are lock-free and async-signal-safe.  An entry that changes under a
 * concurrent lookup reads as unknown, and the lookup identifies the fd anew. */
#ifndef PIPETRACE_PRELOAD_FDCACHE_H
#define PIPETRACE_PRELOAD_FDCACHE_H

#include <stdint.h>

struct pt_fdinfo {
    uint64_t ino;
    uint32_t dev;
    uint8_t kind;  /* PT_OBJ_* */
    uint8_t flags; /* PT_FDF_* */
};

/* Looks only in the cache; returns 0 on a miss. */
int pt_fdcache_cached(int fd, struct pt_fdinfo *info);

/* pt_fdcache_lookup's miss: identifies fd and caches it when it is open. */
void pt_fdcache_miss(int fd, struct pt_fdinfo *info);

/* Fills *info for fd, identifying it with fstat on a cache miss.  An fd that
 * is not open comes back as PT_OBJ_UNKNOWN and is not cached.  Inline in
 * every wrapper, so that a hit costs one call whatever the link-time
 * inliner decides (a two-fd wrapper inlined elsewhere once turned this
 * into two calls in write's path). */
static inline void pt_fdcache_lookup(int fd, struct pt_fdinfo *info) {
    if (!pt_fdcache_cached(fd, info))
        pt_fdcache_miss(fd, info);
}

void pt_fdcache_learn(int fd, const struct pt_fdinfo *info);
void pt_fdcache_forget(int fd);

/* For close_range and closefrom: forget every cached fd in [first, last],
 * or mark each close-on-exec. */
void pt_fdcache_forget_range(unsigned first, unsigned last);
void pt_fdcache_cloexec_range(unsigned first, unsigned last);

/* Sets or clears PT_FDF_* bits of a cached entry (no-op on a miss). */
void pt_fdcache_update_flags(int fd, uint8_t set, uint8_t clear);

/* Identifies fd from the kernel (fstat and friends), bypassing the cache. */
void pt_fdcache_identify(int fd, struct pt_fdinfo *info);

struct stat;

/* The PT_OBJ_* kind of an fd that fstat described. */
uint8_t pt_fdcache_kind(const struct stat *st, int fd);

/* Fills info's kind, ino and dev (st_rdev for a device that is not a
 * terminal) from fd's fstat; flags are left alone. */
void pt_fdcache_describe(const struct stat *st, int fd, struct pt_fdinfo *info);

/* PT_FDF_* from F_GETFL-style status flags (or open flags) and FD_CLOEXEC. */
uint8_t pt_fdcache_flags_from(long status_flags, int cloexec);

/* Pipes, FIFOs and sockets are traced; files, terminals and other devices
 * only when asked (PIPETRACE_ALL_FDS=1). */
int pt_fdcache_is_traced_kind(uint8_t kind);

/* Whether calls on fd are traced: pt_fdcache_lookup, then the kind.  A closed fd
 * is (a call on it is worth seeing). */
static inline int pt_fdcache_traced(int fd, struct pt_fdinfo *info) {
    pt_fdcache_lookup(fd, info);
    return pt_fdcache_is_traced_kind(info->kind);
}

#endif /* PIPETRACE_PRELOAD_FDCACHE_H */
