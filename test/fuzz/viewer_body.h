/* One fuzz input through everything that answers: the model with check,
 * leaks and coverage, flows, the graph, and every printer (summary, check,
 * flows, graph, both exports, both dumps), on the files as they are, cut
 * short, or growing while they are read; or through the commands
 * themselves, in-process, as a user runs them. */
#ifndef PIPETRACE_TEST_FUZZ_VIEWER_BODY_H
#define PIPETRACE_TEST_FUZZ_VIEWER_BODY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The input's last byte chooses how its files are laid out (the input,
 * that byte included, is split into files as for fuzz_one,
 * test/fuzz/fuzz_body.h; a trace file's last byte is nearly always 0, so
 * a seed of whole trace files is read as it is):
 *   mode % 4 == 0  the files as they are, read through the printers;
 *   mode % 4 == 1  each file cut to (mode / 4) / 64 of its length;
 *   mode % 4 == 2  cut so when the directory is opened, then the rest
 *                  appended before anything is read (a live trace);
 *   mode % 4 == 3  the files as they are, through every command.
 * dir must exist.  Output goes to /dev/null. */
void fuzz_viewer_one(const uint8_t *data, size_t size, const char *dir);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_TEST_FUZZ_VIEWER_BODY_H */
