/* Decoding the per-type payloads of records (format.h) without trusting
 * their lengths. */
#ifndef PIPETRACE_TOOLS_PAYLOAD_H
#define PIPETRACE_TOOLS_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "trace/reader.h"

/* The pipe pair of a pipe/pipe2/socketpair record; 0 if the payload is too
 * short to hold one. */
int payload_pipe(const struct pt_event *ev, struct pt_pipe_payload *out);

/* Walks the NUL-separated strings of a payload (exec, spawn, open, ...).
 * Start with *pos = 0; each call stores the next string in *s / *len and
 * returns 1, or returns 0 when none are left.  A last string with no NUL
 * (cut by the writer) is still returned. */
int payload_next_string(const struct pt_event *ev, size_t *pos, const uint8_t **s, size_t *len);

/* A callsite record: where the call in the record at rec->arg was made. */
struct callsite_info {
    uint64_t addr, module_base, symbol_addr;
    const uint8_t *symbol; /* may be empty */
    size_t symbol_len;
};
int payload_callsite(const struct pt_event *ev, struct callsite_info *out);

/* A module record: a loaded ELF object; 0 if malformed. */
struct module_info {
    uint64_t base;
    const uint8_t *build_id;
    size_t build_id_len;
    const uint8_t *path;
    size_t path_len;
};
int payload_module(const struct pt_event *ev, struct module_info *out);

#endif /* PIPETRACE_TOOLS_PAYLOAD_H */
