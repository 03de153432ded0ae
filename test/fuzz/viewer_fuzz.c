/* libFuzzer target: arbitrary bytes as trace files (whole, cut, or
 * growing while read) through the model, check, leaks, coverage, flows,
 * the graph, every printer and every command (viewer_body.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "viewer_body.h"

static char dir[] = "/tmp/pipetrace-viewer-fuzz-XXXXXX";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int ready;
    if (!ready) {
        if (mkdtemp(dir) == NULL)
            abort();
        ready = 1;
    }
    fuzz_viewer_one(data, size, dir);
    return 0;
}
