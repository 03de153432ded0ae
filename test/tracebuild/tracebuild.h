/* tracebuild: writes trace files in the format of include/pipetrace/format.h
 * without running a program: the one place outside the recorder that knows
 * how a file is laid out.  bench/gentrace (millions of records, streamed to
 * a FILE), the tests' TraceBuilder (test/trace_builder.h, in memory) and the
 * fuzz corpus generator (test/fuzz/make_corpus.c) all build on it.
 *
 * A file is made in three steps:
 *   ptb_begin()  the header (defaults below) and the string area;
 *   ptb_add()    one record and its payload, padded to PT_ALIGN; as often
 *                as needed (ptb_add_raw() appends bytes as they are, for
 *                damaged files);
 *   ptb_end()    writes the final header: until then the caller may change
 *                any field of f->hdr (flags, stop_errno, tail...).
 * The first record starts where the recorder would put it: data_offset is
 * the end of the string area rounded up to PT_DATA_ALIGN, unless the image
 * asks for another alignment.
 *
 * Not for the preload library: this uses stdio and malloc. */
#ifndef PIPETRACE_TRACEBUILD_H
#define PIPETRACE_TRACEBUILD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pipetrace/format.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the header says about the process image. */
struct ptb_image {
    int32_t pid;
    int32_t ppid;
    uint64_t start_ns;       /* start_mono_ns (start_real_ns stays 0) */
    const char *exe;         /* the executable path of the string area */
    const char *const *argv; /* NULL-terminated; NULL for none */
    uint32_t data_align;     /* 0: PT_DATA_ALIGN; else a multiple of PT_ALIGN */
};

/* A file being built, streamed to a FILE or kept in memory. */
struct ptb_file {
    struct pt_file_header hdr; /* ptb_end writes it; tail 0 means "after the
                                  last byte added" */
    FILE *out;                 /* the stream, or NULL: the bytes are in `mem` */
    unsigned char *mem;        /* memory sink: the file so far (header
                                  zeroed until ptb_end / ptb_final_header) */
    size_t mem_len;
    size_t mem_cap;
    uint64_t off; /* file offset of the next byte added */
    int error;    /* errno of the first failure, 0 if none */
    /* Compact mode (ptb_set_compact): the channels written so far. */
    int compact;
    struct pt_channel_record *channels;
    size_t channel_count, channel_cap;
};

/* Starts a file: out may be NULL (memory).  Header defaults: magic, byte
 * order, version, header_size, the image's pid/ppid/start, flags
 * PT_HDR_STDIO_HOOKED, data_limit 64, strings_size, argc and data_offset
 * from the strings.  Returns 0 or -errno (also kept in f->error). */
int ptb_begin(struct ptb_file *f, FILE *out, const struct ptb_image *im);

/* Appends r with len payload bytes: sets r's size (64 + len, rounded up to
 * PT_ALIGN) and data_len.  Returns the record's file offset. */
uint64_t ptb_add(struct ptb_file *f, struct pt_record r, const void *payload, uint32_t len);

/* Compact mode (format 2), off by default: from now on ptb_add writes a
 * record the recorder would write compact (read, write, readv, writev,
 * __read_chk, stdio's reads and writes, with a start, capture and bytes
 * asked that fit) as a compact record, preceded by its channel record when
 * its (tid, fd, object) is new, and followed by a note when its end, result
 * or bytes asked do not fit.  Any other record stays full.  The reader
 * must expand the result into exactly the records given. */
void ptb_set_compact(struct ptb_file *f, int on);

/* Whether ptb_add writes r (with len payload bytes) compact now. */
int ptb_goes_compact(const struct ptb_file *f, const struct pt_record *r, uint32_t len);

/* Appends a compact record as given, with len payload bytes (size and
 * data_len set as ptb_add does), or a channel record as given (size set):
 * for damaged and hand-made files.  Return the file offset. */
uint64_t ptb_add_compact(struct ptb_file *f, struct pt_compact_record k, const void *payload,
                         uint32_t len);
uint64_t ptb_add_channel(struct ptb_file *f, struct pt_channel_record ch);

/* Appends len bytes as they are (a record with a size of the caller's
 * choosing, a cut one, zeros); returns their file offset. */
uint64_t ptb_add_raw(struct ptb_file *f, const void *bytes, size_t len);

/* Appends n zero bytes: space reserved and abandoned. */
uint64_t ptb_add_zeros(struct ptb_file *f, size_t n);

/* The header ptb_end writes: f->hdr with tail filled in when it is 0. */
struct pt_file_header ptb_final_header(const struct ptb_file *f);

/* Writes the final header (at offset 0 of the stream, or into the memory
 * bytes).  The stream stays open.  Returns 0 or -errno of the first
 * failure since ptb_begin. */
int ptb_end(struct ptb_file *f);

/* Frees the memory bytes (nothing to do for a stream). */
void ptb_free(struct ptb_file *f);

/* pt_file_next's expansion done here, for tests: the start of the record
 * at t_start relative to the header's start, as the compact record holds
 * it.  (tracebuild_compact.c) */
uint64_t ptb_compact_start(const struct ptb_file *f, uint64_t t_start);

/* A done record of type on fd by thread tid, from t_start to t_start + 10;
 * every other field 0 (obj_kind PT_OBJ_UNKNOWN). */
struct pt_record ptb_record(uint8_t type, int32_t tid, int32_t fd, uint64_t t_start);

/* Sets the object fields: kind, inode, device and fd flags. */
void ptb_set_object(struct pt_record *r, uint8_t kind, uint64_t ino, uint32_t dev,
                    uint8_t fd_flags);

/* The payload of pipe, pipe2 and socketpair. */
struct pt_pipe_payload ptb_pipe_payload(int32_t read_fd, int32_t write_fd, uint64_t read_ino,
                                        uint64_t write_ino);

/* "<dir>/<pid>.<image>.ptr" into buf; -1 if it does not fit. */
int ptb_file_name(char *buf, size_t size, const char *dir, int32_t pid, unsigned image);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_TRACEBUILD_H */
