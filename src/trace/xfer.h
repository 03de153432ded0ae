/* Calls that move bytes between two fds (splice, tee, sendfile,
 * copy_file_range) or between memory and a pipe either way (vmsplice):
 * their payload, and each record that moves bytes seen as the reads and
 * writes it makes, one fd at a time.  The model and flows count bytes
 * through pt_event_sides, so that a splice from pipe A to pipe B is a read
 * of A and a write of B by the process that made it. */
#ifndef PIPETRACE_TRACE_XFER_H
#define PIPETRACE_TRACE_XFER_H

#include <stdint.h>

#include "reader.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The out fd of a two-fd record; 0 if the payload is too short. */
int pt_payload_xfer(const struct pt_event *ev, struct pt_xfer_payload *out);

/* One fd a record moves bytes through, as if the record were a read or a
 * write of that fd alone: `rec` is the record with this side's fd, object
 * and fd flags (data_len 0 where the side has no capture), payload its
 * capture. */
struct pt_io_side {
    struct pt_record rec;
    const uint8_t *payload;
    int is_write; /* bytes went into the fd */
    int consumes; /* a read that took the bytes out (tee's does not) */
    int other;    /* index of the other side of a two-fd call; -1 if none */
};

/* The sides of a record (0 for one that moves no bytes, 1 for read, write
 * and vmsplice, 2 for splice, tee, sendfile and copy_file_range: the read
 * of the in fd first, then the write of the out fd). */
int pt_event_sides(const struct pt_event *ev, struct pt_io_side out[2]);

/* Whether a vmsplice record moved bytes into its pipe (through the write
 * end) rather than out of it (through the read end). */
int pt_vmsplice_writes(const struct pt_record *r);

/* vmsplice's arg: the bytes asked for and its SPLICE_F_* flags. */
static inline uint64_t pt_vmsplice_count(uint64_t arg) {
    return (uint32_t)arg;
}
static inline unsigned pt_vmsplice_flags(uint64_t arg) {
    return (unsigned)(arg >> 32);
}

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_TRACE_XFER_H */
