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
    PT_WALK_UNREADABLE,   /* the file could not be mapped again (gone,
                             replaced or shrunk since it was opened) */
};

/* What a full walk met; all zero for an intact file. */
struct pt_damage {
    uint64_t torn;    /* records skipped: state PT_TORN (writer died) */
    uint64_t invalid; /* records skipped: unknown state, or data_len too big */
    enum pt_walk_stop stop;
    uint64_t stop_offset; /* where the walk ended */
    uint32_t bad_size;    /* the size field that stopped a PT_WALK_CORRUPT walk */
    int map_errno;        /* why a PT_WALK_UNREADABLE walk ended */
};

/* One trace file.  The header and the process strings are copied when the
 * file is opened, and no fd is kept: a trace of any number of files can be
 * opened at once.  The records are read through a read-only mapping made
 * on demand; at most PT_MAP_MAX files are mapped at a time (the least
 * recently read is unmapped to make room), so that neither the number of
 * mappings (vm.max_map_count) nor the address space grows with the number
 * of files.  A pt_file must not be moved in memory while it is open. */
struct pt_file {
    char *path;                       /* as given to pt_file_open, for messages */
    size_t size;                      /* file size when opened; nothing beyond is read */
    const struct pt_file_header *hdr; /* a copy, as it was when opened */
    const char *exe;                  /* NUL-terminated, in the copy */
    const char **argv;                /* argc strings in the copy, then NULL */
    uint32_t argc;
    uint64_t tail;           /* header.tail as it was when opened */
    struct pt_damage damage; /* known once `walked`: by pt_file_scan(), or by
                                any walk of the whole file */
    int walked;
    /* The earliest t_start among the first PT_FIRST_RECORDS readable
     * records (within the first 64 KiB), found when the file was opened: */
    int has_first;
    uint64_t first_t, first_offset;
    /* Compact records' (format 2): the channels met so far, by number, and
     * the notes, found when a record needs one (reader.c). */
    struct pt_channel *channels;
    uint32_t channels_cap;
    uint64_t channels_scanned; /* every channel before this offset is known */
    struct pt_note_payload *notes;
    size_t notes_len, notes_cap;
    uint64_t notes_from; /* every note from this offset on is known (0: none) */
    /* The mapping cache's: */
    const uint8_t *map; /* NULL while not mapped (see pt_file_bytes) */
    uint64_t dev, ino;  /* the file opened, so that a remap finds the same */
    uint64_t last_use;
    size_t cache_slot;
};

/* A channel of a format-2 file: what its compact records leave out. */
struct pt_channel {
    int32_t tid;
    int32_t fd;
    uint64_t ino;
    uint32_t dev;
    uint32_t known; /* 0 until its record was met */
};

/* The full record compact record k stands for, its channel ch and the
 * file's header.start_mono_ns given, into *r.  Values held in notes are
 * left out (a call whose end is in one reads as not returned, bytes asked
 * in one as 0): pt_file_next and pt_file_event_at add them. */
void pt_compact_expand(const struct pt_compact_record *k, const struct pt_channel *ch,
                       uint64_t start_mono_ns, struct pt_record *r);

/* Records looked at for pt_file.first_t (the merge's reorder window). */
#define PT_FIRST_RECORDS 256

/* Files mapped at once, at most; well under vm.max_map_count (65530). */
#define PT_MAP_MAX 1024

/* The mapping of f's first f->size bytes, made if f is not mapped now (and
 * then another file's mapping may be dropped).  NULL, with errno set, when
 * the file cannot be mapped again.  A pointer into the mapping stays valid
 * until PT_MAP_MAX - 1 other files have been mapped since f was last read:
 * hold offsets, not pointers, across the reading of other files. */
static inline const uint8_t *pt_file_bytes(const struct pt_file *f);

/* pt_file_bytes's slow path: maps f (reader.c). */
const uint8_t *pt_file_map(const struct pt_file *f);

/* The cache's use clock: every read of a file stamps it, and the file with
 * the oldest stamp is unmapped first. */
extern uint64_t pt_map_clock;

/* Inline: it runs for nearly every record read. */
static inline const uint8_t *pt_file_bytes(const struct pt_file *f) {
    ((struct pt_file *)(uintptr_t)f)->last_use = ++pt_map_clock; /* the cache's, not the file's */
    return f->map != NULL ? f->map : pt_file_map(f);
}

/* How many files are mapped now, and the most there ever were at once. */
void pt_map_counts(size_t *now, size_t *peak);

/* One record as the walk hands it out.  payload points into the file's
 * bytes (see pt_file_bytes for how long they stay valid); rec does too for
 * a full record, and points at `copy` for a compact one (format 2), which
 * the reader expands into the full record's fields: rec is then valid as
 * long as this struct is and is not filled again.  A copy of the struct
 * points at the original's `copy`. */
struct pt_event {
    const struct pt_record *rec;
    const uint8_t *payload; /* rec->data_len bytes */
    uint64_t offset;        /* of rec within the file */
    struct pt_record copy;  /* a compact record, expanded */
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
    const uint8_t *base;     /* the file's bytes from offset 0: its mapping
                                (or, when opened, what was read of it) */
    int compact;             /* a format-2 file: compact and internal records */
    int internal;            /* hands out only the internal records (channels,
                                notes) of a format-2 file: the reader's own
                                scans */
};

/* Hands the pages of f's mapping in [*released, upto) back to the kernel
 * and moves *released to upto (both page-aligned down).  Nothing is lost:
 * the pages stay in the page cache, and a pointer still held into them
 * faults its page in again.  Reading a trace of any size thus keeps only
 * the part being read resident, not the whole file. */
void pt_file_release(const struct pt_file *f, uint64_t upto, uint64_t *released);

/* Opens path and validates its header and process strings.  Only a
 * regular file is opened: a FIFO, a device or a symbolic link planted under
 * a trace file's name is refused without being opened or followed (opening
 * a FIFO would block, a device may act on open).  On failure returns -1
 * and writes a one-line message "pipetrace: PATH: PROBLEM" (no newline)
 * into err. */
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

/* The record at `offset` (one a walk handed out before) found again, as
 * pt_file_next would hand it out; 0 when the file cannot be read again.
 * Every reading of a record by its offset goes through here: a compact
 * record must be expanded. */
int pt_file_event_at(const struct pt_file *f, uint64_t offset, struct pt_event *ev);

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
