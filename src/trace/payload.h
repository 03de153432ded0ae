/* Reading the per-type payloads of records (format.h) without trusting
 * their lengths: every length comes from the record and is checked against
 * data_len before use. */
#ifndef PIPETRACE_TRACE_PAYLOAD_H
#define PIPETRACE_TRACE_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "reader.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The pipe pair of a pipe/pipe2/socketpair record; 0 if the payload is too
 * short to hold one. */
int pt_payload_pair(const struct pt_event *ev, struct pt_pipe_payload *out);

/* An fdpass record's head and its stored fds (*fds points into the
 * payload, which need not be aligned: copy entries out with memcpy); 0 if
 * the payload is too short for the head or for the entries it says. */
int pt_payload_fdpass(const struct pt_event *ev, struct pt_fdpass_payload *head,
                      const uint8_t **fds);

/* A connect or accept record's connected socket and its peer; 0 if the
 * payload is too short (the call failed, or has not returned). */
int pt_payload_sockpeer(const struct pt_event *ev, struct pt_sockpeer_payload *out);

/* Walks NUL-separated strings in the len bytes at p (exec's path and argv,
 * open's path, ...).  Start with *pos = 0; each call stores the next string
 * in *s / *slen and returns 1, or returns 0 when none are left.  A last
 * string with no NUL (cut by the writer) is still returned. */
int pt_strings_next(const uint8_t *p, size_t len, size_t *pos, const uint8_t **s, size_t *slen);

/* The same over a record's payload. */
int pt_payload_next_string(const struct pt_event *ev, size_t *pos, const uint8_t **s, size_t *len);

/* A callsite record: where the call in the record at rec->arg was made. */
struct pt_callsite_info {
    uint64_t addr, module_base, symbol_addr;
    const uint8_t *symbol; /* may be empty */
    size_t symbol_len;
};
int pt_payload_callsite(const struct pt_event *ev, struct pt_callsite_info *out);

/* A module record: a loaded ELF object; 0 if malformed. */
struct pt_module_info {
    uint64_t base;
    const uint8_t *build_id;
    size_t build_id_len;
    const uint8_t *path;
    size_t path_len;
};
int pt_payload_module(const struct pt_event *ev, struct pt_module_info *out);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_TRACE_PAYLOAD_H */
