/* Recording one call: pt_begin before the real call, pt_end after it.
 *
 * A record is written in place: pt_begin reserves room for the capture,
 * fills in what is known before the call and marks it PT_BEGUN, so a call
 * that never returns is still in the trace; pt_end completes it and marks it
 * PT_DONE.  Both are async-signal-safe and return quietly when tracing is off
 * or has stopped. */
#ifndef PIPETRACE_PRELOAD_RECORDER_H
#define PIPETRACE_PRELOAD_RECORDER_H

#include <stdint.h>
#include <sys/uio.h>

#include "fdcache.h"
#include "pipetrace/format.h"

/* Returns the record to complete, or NULL when nothing is being recorded. */
struct pt_record *pt_begin(uint8_t type, int fd, const struct pt_fdinfo *info, uint64_t arg,
                           uint32_t payload_max);

/* pt_begin for a call that moves bytes on fd (read, write, readv, writev,
 * __read_chk, stdio's reads and writes): the record may be a compact one
 * (docs/FORMAT.md), whose fields other than size, type, state, obj_kind and
 * fd_flags must not be written directly: it is completed only through
 * pt_end, pt_end_io, pt_capture, pt_capture_iov, pt_end_captured and
 * pt_set_arg. */
struct pt_record *pt_begin_io(uint8_t type, int fd, const struct pt_fdinfo *info, uint64_t arg,
                              uint32_t payload_max);

/* Sets the bytes asked for of a record, when known only after the call. */
void pt_set_arg(struct pt_record *rec, uint64_t arg);

/* pt_begin in two steps, for a call whose payload must be in place
 * before the record says it began (a wait's set: a process killed in the
 * wait must leave the set it waited on).  The record is reserved and
 * filled but reads as torn until pt_publish_begun.  NULL rec is fine. */
struct pt_record *pt_begin_unpublished(uint8_t type, int fd, const struct pt_fdinfo *info,
                                       uint64_t arg, uint32_t payload_max);
void pt_publish_begun(struct pt_record *rec);

/* Completes rec with result (>= 0, or -errno).  NULL rec is fine. */
void pt_end(struct pt_record *rec, int64_t result);

/* Completes rec as pt_end does, first writing len bytes at `at` into its
 * payload (what only the call's return tells: where it left an offset).
 * Nothing is written into a record this image does not own. */
void pt_end_payload(struct pt_record *rec, int64_t result, uint32_t at, const void *bytes,
                    uint32_t len);

/* Room to reserve for the capture of a call moving up to `count` bytes. */
uint32_t pt_capture_room(uint64_t count);

/* Copies the first bytes moved into the record's payload: from one buffer,
 * or gathered from an iovec array. */
void pt_capture(struct pt_record *rec, const void *buf, int64_t moved);
void pt_capture_iov(struct pt_record *rec, const struct iovec *iov, int iovcnt, int64_t moved);

/* Completes a record whose capture is already in place. */
void pt_end_captured(struct pt_record *rec, int64_t result);

/* Completes an I/O record: capture, result, and the unused room given back. */
void pt_end_io(struct pt_record *rec, const void *buf, int64_t result);

/* Whether anything can be recorded now: tracing is enabled, this thread is
 * not inside the library already, and this image's file did not fail. */
int pt_recording_on(void);

/* Creates this image's trace file now rather than at the first record. */
void pt_begin_trace(void);

/* Whether this image's trace file exists already. */
int pt_recording_open(void);

/* Payload of strings: `first`, then each of `list` (NULL-terminated, may be
 * NULL), each NUL-terminated, cut at PT_STRINGS_MAX bytes in all. */
#define PT_STRINGS_MAX 4096
uint32_t pt_strings_room(const char *first, char *const list[]);
void pt_put_strings(struct pt_record *rec, const char *first, char *const list[]);

/* A complete record in one step, for events that are not calls in progress
 * (inherited fds, exit, call sites). */
struct pt_record *pt_instant(uint8_t type, int fd, const struct pt_fdinfo *info, uint64_t arg,
                             int64_t result, uint32_t payload_max);

/* pt_commit, after giving back the unused payload room. */
void pt_commit_captured(struct pt_record *rec);

/* Where rec lies in this image's trace file. */
uint64_t pt_record_offset(const struct pt_record *rec);

/* Marks a record made by pt_instant complete, times untouched. */
void pt_commit(struct pt_record *rec);

/* Forgets the parent's trace in the child of a fork (or _Fork/vfork). */
void pt_recorder_after_fork_child(void);

/* Sets what a new trace file begins with: `first_records` runs once each
 * time this image's file has just been created, before the record that
 * created it (init.c hands it the inherited fds). */
void pt_recorder_on_new_file(void (*first_records)(void));

#endif /* PIPETRACE_PRELOAD_RECORDER_H */
