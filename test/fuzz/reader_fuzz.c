/* libFuzzer target: arbitrary bytes as trace files through the reader,
 * the merge, the model, the detectors and the leak audit. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz_body.h"

static char dir[] = "/tmp/pipetrace-fuzz-XXXXXX";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int ready;
    if (!ready) {
        if (mkdtemp(dir) == NULL)
            abort();
        ready = 1;
    }
    char err[1024];
    fuzz_one(data, size, dir, err, sizeof err);
    return 0;
}
