/* `pipetrace follow`: the bytes of one pipe, in order, in three forms. */
#ifndef PIPETRACE_TOOLS_FOLLOW_H
#define PIPETRACE_TOOLS_FOLLOW_H

#include <stdint.h>
#include <stdio.h>

#include "analysis/flows.h"
#include "trace/reader.h"

enum follow_form { FOLLOW_TEXT, FOLLOW_HEX, FOLLOW_RAW };

struct follow_out {
    FILE *out;
    enum follow_form form;
    const struct pt_file *files;
    int from_writes;     /* the stream as written, else as read */
    size_t run_file;     /* whose bytes are being shown; SIZE_MAX at first */
    int line_start;      /* text: the last thing shown ended a line */
    uint8_t hex[16];     /* hex: the bytes of the current line */
    uint64_t hex_offset; /* hex: stream offset of hex[0] */
    size_t hex_len;
    uint64_t bytes, captured; /* totals */
    uint64_t gaps, first_gap; /* runs of bytes not captured */
};

void follow_begin(struct follow_out *o, FILE *out, enum follow_form form,
                  const struct pt_file *files, int from_writes);

/* One call's bytes at stream offset `offset`: `moved` bytes, of which the
 * first `len` were captured. */
void follow_call(struct follow_out *o, size_t file, uint64_t offset, const uint8_t *data,
                 uint64_t len, uint64_t moved);

void follow_end(struct follow_out *o);

/* Bytes a splice took from one pipe, for its write into another
 * (follow_carry.c): the prefix of them that the first pipe's captured
 * writes hold.  One call at a time: the read and the write of one splice
 * are numbered one after the other. */
struct follow_carry {
    const struct pt_file *files;
    int valid, broken;
    size_t file; /* the splice's record: its file and offset */
    uint64_t rec_offset;
    uint64_t next; /* the source pipe's stream offset carried up to */
    uint8_t *bytes;
    size_t len, cap;
};

void follow_carry_init(struct follow_carry *c, const struct pt_file *files);
void follow_carry_free(struct follow_carry *c);

/* A match in any pipe: kept when its reader is a splice's read. */
void follow_carry_segment(struct follow_carry *c, const struct flows_segment *s);

/* The bytes carried for the record at (file, rec_offset), or NULL; *len
 * may be below what the call moved (the rest was not captured). */
const uint8_t *follow_carry_take(struct follow_carry *c, size_t file, uint64_t rec_offset,
                                 uint64_t *len);

#endif /* PIPETRACE_TOOLS_FOLLOW_H */
