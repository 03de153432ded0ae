/* Reading one pipetrace trace file (include/pipetrace/format.h).
 *
 * A trace file may be read while its process still runs, after the process
 * was killed mid-write, or after the file was cut short by a full disk or a
 * careless copy.  The reader therefore trusts nothing it reads: every offset
 * is checked against the file size before it is touched, and damage to the
 * records is counted, not fatal, once the header has been accepted. */
#ifndef PIPETRACE_TRACE_READER_H
#define PIPETRACE_TRACE_READER_H

#include <stddef.h>
#include <stdint.h>

#include "pipetrace/format.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Why a walk over the records ended. */
enum pt_walk_stop {
    PT_WALK_COMPLETE = 0, /* reached header.tail */
    PT_WALK_TRUNCATED,    /* the file ends before the records it promises */
    PT_WALK_CORRUPT,      /* a record had an impossible size */
};

/* What a full walk met; all zero for an intact file. */
struct pt_damage {
    uint64_t torn;    /* records skipped: state PT_TORN (writer died) */
    uint64_t invalid; /* records skipped: unknown state, or data_len too big */
    enum pt_walk_stop stop;
    uint64_t stop_offset; /* where the walk ended */
    uint32_t bad_size;    /* the size field that stopped a PT_WALK_CORRUPT walk */
};

struct pt_file {
    char *path; /* as given to pt_file_open, for messages */
    const uint8_t *map;
    size_t size; /* file size when opened; nothing beyond is read */
    const struct pt_file_header *hdr;
    const char *exe;   /* NUL-terminated, inside the mapping */
    const char **argv; /* argc strings inside the mapping, then NULL */
    uint32_t argc;
    uint64_t tail;           /* header.tail as it was when opened */
    struct pt_damage damage; /* known once `walked`: by pt_file_scan(), or by
                                any walk of the whole file */
    int walked;
};

/* One record as the walk hands it out.  Pointers are into the file's
 * mapping and stay valid until pt_file_close(). */
struct pt_event {
    const struct pt_record *rec;
    const uint8_t *payload; /* rec->data_len bytes */
    uint64_t offset;        /* of rec within the file */
};

/* A position in one file's records; several may walk one file at once. */
struct pt_cursor {
    const struct pt_file *file;
    uint64_t pos;
    uint64_t limit; /* the walk ends here at the latest */
    int done;
    struct pt_damage damage; /* what this walk has met so far */
    uint64_t released;       /* the mapping before this was handed back */
    int hold;                /* someone else hands pages back (merge.c) */
    int whole;               /* walks the whole file (pt_file_walk) */
};

/* Hands the pages of f's mapping in [*released, upto) back to the kernel
 * and moves *released to upto (both page-aligned down).  Nothing is lost:
 * the pages stay in the page cache, and a pointer still held into them
 * faults its page in again.  Reading a trace of any size thus keeps only
 * the part being read resident, not the whole file. */
void pt_file_release(const struct pt_file *f, uint64_t upto, uint64_t *released);

/* Opens, maps and validates path.  On failure returns -1 and writes a
 * one-line message "pipetrace: PATH: PROBLEM" (no newline) into err. */
int pt_file_open(struct pt_file *f, const char *path, char *err, size_t errlen);
void pt_file_close(struct pt_file *f);

/* Positions c before the first record of f. */
void pt_file_walk(struct pt_cursor *c, const struct pt_file *f);

/* Positions c to walk only the records from offset `from` (a record's
 * offset, as pt_event.offset gives it) up to offset `to`. */
void pt_file_walk_range(struct pt_cursor *c, const struct pt_file *f, uint64_t from, uint64_t to);

/* Hands out the next readable record; 0 when there are no more.  Torn
 * records and zero padding are skipped; records of unknown type are
 * returned.  After 0, c->damage says how the walk ended. */
int pt_file_next(struct pt_cursor *c, struct pt_event *ev);

/* Makes f->damage known: walks every record once, unless a walk of the
 * whole file already did. */
void pt_file_scan(struct pt_file *f);

/* True when d is worth a warning. */
int pt_damage_any(const struct pt_damage *d);

/* The warning line for a damaged file, without newline, e.g.
 * "DIR/1.0.ptr: 1 torn record, read up to offset 4096". */
void pt_damage_describe(const struct pt_file *f, const struct pt_damage *d, char *buf, size_t len);

/* The file's base name ("4711.0.ptr"). */
const char *pt_file_basename(const struct pt_file *f);

/* The image name: the base name without PT_FILE_SUFFIX ("4711.0"). */
void pt_file_image(const struct pt_file *f, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_TRACE_READER_H */
