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

const char *dump_stdio_state(uint32_t hdr_flags) {
    if (hdr_flags & PT_HDR_STDIO_HOOKED)
        return "hooked";
    if (hdr_flags & PT_HDR_STDIO_UNHOOKED)
        return "unhooked";
    return "unknown";
}

int dump_data_cut(const struct pt_record *r) {
    if (r->fd_flags & PT_FDF_DATA_CUT)
        return 1;
    return r->state == PT_DONE && r->result > 0 && r->data_len < (uint64_t)r->result;
}

/* A successful exec never returns to finish its record. */
int dump_exec_succeeded(const struct pt_record *r) {
    return r->type == PT_EV_EXEC && r->state == PT_BEGUN;
}

int dump_unfinished(const struct pt_record *r) {
    return r->state != PT_DONE && !dump_exec_succeeded(r);
}

/* What the call returned: an exec that replaced the image returned 0 as
 * far as its caller can tell. */
int64_t dump_result(const struct pt_record *r) {
    return dump_exec_succeeded(r) ? 0 : r->result;
}
