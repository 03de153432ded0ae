/* Decoding record payloads for the analysis, trusting no length in them. */
#ifndef PIPETRACE_ANALYSIS_DECODE_H
#define PIPETRACE_ANALYSIS_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "trace/reader.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The pair of a pipe/pipe2/socketpair record; 0 if the payload is short. */
int pt_decode_pipe(const struct pt_event *ev, struct pt_pipe_payload *out);

/* The first NUL-terminated string of the payload, copied (malloc) into a
 * fresh string; a string cut by the end of the payload is kept.  NULL
 * when out of memory; "" when there is none. */
char *pt_decode_first_string(const struct pt_event *ev);

/* Every NUL-separated string of the payload ("path\0arg0\0arg1..." for exec
 * and spawn), copied: *strings is one allocation holding them all (the
 * last one kept even if the payload cut it), *list their starts, *n how
 * many.  0, or -1 when out of memory (nothing to free then). */
int pt_decode_strings(const struct pt_event *ev, char **strings, char ***list, size_t *n);

/* A callsite payload: the address, its module's base, the symbol. */
struct pt_decoded_site {
    uint64_t addr, module_base, symbol_addr;
    const char *symbol; /* into the payload; not NUL-terminated */
    size_t symbol_len;
};
int pt_decode_callsite(const struct pt_event *ev, struct pt_decoded_site *out);

/* A module payload's base and path (path not NUL-terminated). */
int pt_decode_module(const struct pt_event *ev, uint64_t *base, const char **path,
                     size_t *path_len);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_ANALYSIS_DECODE_H */
