/* Short names for processes and pipes, shared by the viewer's outputs. */
#ifndef PIPETRACE_ANALYSIS_FLOWS_LABEL_H
#define PIPETRACE_ANALYSIS_FLOWS_LABEL_H

#include <stddef.h>
#include <stdint.h>

#include "trace/reader.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The command line of an image, short: the base name of argv[0] and the
 * arguments (long paths as ".../name"), cut to about `max` characters with
 * "..." ("seq 1 100000"). */
void flows_short_argv(const struct pt_file *f, size_t max, char *buf, size_t len);

/* The same from an argv (exe when argc is 0). */
void flows_short_strings(const char *const *argv, size_t argc, const char *exe, size_t max,
                         char *buf, size_t len);

/* "pipe:[85296]" or "fifo:[1234]". */
void flows_object_name(uint8_t kind, uint64_t ino, char *buf, size_t len);

struct flows_pipe;

/* A pipe's name as flows_object_name gives it; a socket channel's names
 * both ends, sender first: "socket:[85296]->[85297]". */
void flows_pipe_name(const struct flows_pipe *p, char *buf, size_t len);

/* A duration for people: "850ns", "12.3us", "1.25ms", "2.10s". */
void flows_format_ns(uint64_t ns, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_ANALYSIS_FLOWS_LABEL_H */
