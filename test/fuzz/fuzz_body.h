/* One fuzz input through the reader and the model: shared by the libFuzzer
 * target and the corpus test that runs under gcc. */
#ifndef PIPETRACE_TEST_FUZZ_BODY_H
#define PIPETRACE_TEST_FUZZ_BODY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The input is one or more trace files separated by FUZZ_SPLIT; they are
 * written into dir (which must exist) as 100.0.ptr, 100.1.ptr, 101.0.ptr
 * and 102.0.ptr, then read as a trace directory, merged, modelled and
 * checked.  Returns 0 when the directory was read, -1 when it was refused;
 * the refusal message (one line) is left in err. */
#define FUZZ_SPLIT "PTSPLIT!"
int fuzz_one(const uint8_t *data, size_t size, const char *dir, char *err, size_t errlen);

/* Writes the files of an input into dir as fuzz_one does, each cut to
 * keep/64 of its length (64: whole).  With rest != 0 the cut-off bytes are
 * kept, for fuzz_append_rest. */
void fuzz_write_files(const uint8_t *data, size_t size, const char *dir, unsigned keep);

/* Appends to each file what fuzz_write_files cut off: a trace that grows
 * while it is being read. */
void fuzz_append_rest(const uint8_t *data, size_t size, const char *dir, unsigned keep);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_TEST_FUZZ_BODY_H */
