/* What the text and JSON forms of dump share. */
#include <inttypes.h>

#include "dump.h"

void dump_rel_time(FILE *out, uint64_t t, uint64_t t0, int decimals) {
    /* Integer arithmetic: a double would lose nanoseconds after ~100 days
     * of uptime. */
    int negative = t < t0;
    uint64_t ns = negative ? t0 - t : t - t0;
    uint64_t unit = decimals == 6 ? 1000 : 1;
    fprintf(out, "%s%" PRIu64 ".%0*" PRIu64, negative ? "-" : "", ns / 1000000000u, decimals,
            ns % 1000000000u / unit);
}
