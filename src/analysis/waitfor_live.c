/* Is a traced process still running now?  `check` on a live trace says
 * "still blocked" for such a process, not "when the trace ended".  The pid
 * must be the same process: same boot, started no later than the traced
 * one began (a reused pid started later), and not a zombie. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "procstat.h"
#include "waitfor.h"

/* Ticks of /proc/PID/stat's starttime may round up to one tick. */
#define START_SLACK_NS 20000000ull

static int same_boot(const uint8_t boot_id[16]) {
    char text[64];
    FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
    if (f == NULL)
        return 0;
    int ok = fgets(text, sizeof text, f) != NULL;
    fclose(f);
    uint8_t now[16];
    size_t n = 0;
    for (const char *p = text; ok && *p && n < 16; p++) {
        unsigned v;
        if (*p == '-' || *p == '\n')
            continue;
        if (sscanf(p, "%2x", &v) != 1)
            return 0;
        now[n++] = (uint8_t)v;
        p++;
    }
    return ok && n == 16 && memcmp(now, boot_id, 16) == 0;
}

int pt_wf_still_running(int32_t pid, uint64_t began_ns, const uint8_t boot_id[16]) {
    struct pt_procstat p;
    if (pid <= 0 || !same_boot(boot_id) || pt_procstat_read(pid, &p) < 0)
        return 0;
    return pt_procstat_live(&p) && p.start_ns <= began_ns + START_SLACK_NS;
}
