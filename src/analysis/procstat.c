/* Reading /proc/PID/stat (procstat.h). */
#include "procstat.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int pt_procstat_read(int32_t pid, struct pt_procstat *out) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return -1;
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    const char *p = strrchr(buf, ')'); /* the command may hold spaces and ") " */
    if (p == NULL)
        return -1;
    char state;
    int ppid;
    unsigned long long start = 0;
    /* state is field 3, ppid 4, starttime 22: 17 fields between them. */
    if (sscanf(p + 1, " %c %d %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu",
               &state, &ppid, &start) != 3)
        return -1;
    long hz = sysconf(_SC_CLK_TCK);
    *out = (struct pt_procstat){
        .state = state,
        .ppid = ppid,
        .start_ns = (uint64_t)start * (1000000000ull / (uint64_t)(hz > 0 ? hz : 100)),
    };
    return 0;
}

int pt_procstat_live(const struct pt_procstat *p) {
    return p->state != 'Z' && p->state != 'X';
}
