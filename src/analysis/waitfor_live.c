/* Is a traced process still running now?  `check` on a live trace says
 * "still blocked" for such a process, not "when the trace ended".  The pid
 * must be the same process: same boot, started no later than the traced
 * one began (a reused pid started later), and not a zombie. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* State and start time (ns since boot) from /proc/PID/stat. */
static int proc_stat(int32_t pid, char *state, uint64_t *start_ns) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return -1;
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    const char *p = strrchr(buf, ')'); /* the command may hold spaces and parens */
    if (p == NULL)
        return -1;
    unsigned long long start = 0;
    /* state is field 3, starttime field 22: 18 fields between them. */
    if (sscanf(p + 1,
               " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu",
               state, &start) != 2)
        return -1;
    long hz = sysconf(_SC_CLK_TCK);
    *start_ns = (uint64_t)start * (1000000000ull / (uint64_t)(hz > 0 ? hz : 100));
    return 0;
}

int pt_wf_still_running(int32_t pid, uint64_t began_ns, const uint8_t boot_id[16]) {
    char state;
    uint64_t start_ns;
    if (pid <= 0 || !same_boot(boot_id) || proc_stat(pid, &state, &start_ns) < 0)
        return 0;
    return state != 'Z' && state != 'X' && start_ns <= began_ns + START_SLACK_NS;
}
