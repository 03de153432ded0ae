/* What makes two records name the same object: its device and its inode.
 * Every anonymous pipe lives on pipefs, but a FIFO lives on its file
 * system, whose inode numbers are its own: a FIFO and a pipe (or two FIFOs
 * on two file systems) may share an inode number and still be two objects.
 * Every part of the viewer that keeps pipes apart keys them by this. */
#ifndef PIPETRACE_TRACE_OBJKEY_H
#define PIPETRACE_TRACE_OBJKEY_H

#include <stdint.h>

#include "pipetrace/format.h"

#ifdef __cplusplus
extern "C" {
#endif

struct pt_objkey {
    uint64_t ino; /* 0: no object */
    uint32_t dev; /* st_dev, as the record's obj_dev holds it */
};

/* The object a record's fd refers to. */
static inline struct pt_objkey pt_objkey_of(const struct pt_record *r) {
    return (struct pt_objkey){r->obj_ino, r->obj_dev};
}

static inline int pt_objkey_eq(struct pt_objkey a, struct pt_objkey b) {
    return a.ino == b.ino && a.dev == b.dev;
}

/* For open-addressing tables: mixes both parts (pipes differ in the
 * inode only, FIFOs of one file system likewise). */
static inline uint64_t pt_objkey_hash(struct pt_objkey k) {
    return (k.ino ^ ((uint64_t)k.dev << 32)) * 0x9E3779B97F4A7C15ull;
}

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_TRACE_OBJKEY_H */
