/* lc_daemon: makes a pipe, prints "parent PID", then daemon(1, 1) (stdio
 * kept, so the test still reads what the daemon prints).  The daemon writes
 * "from the daemon\n" into the pipe, reads it back and prints
 * "daemon PID read: from the daemon". */
#define _GNU_SOURCE
#include <unistd.h>

#include "test/progs/progs.h"

int main(void) {
    int p[2];
    if (pipe(p))
        die("pipe");
    printf("parent %d\n", (int)getpid());
    fflush(stdout);
    if (daemon(1, 1))
        die("daemon");
    const char msg[] = "from the daemon\n";
    if (write(p[1], msg, sizeof msg - 1) != (ssize_t)sizeof msg - 1)
        die("write");
    char buf[64];
    ssize_t n = read(p[0], buf, sizeof buf - 1);
    if (n < 0)
        die("read");
    buf[n] = 0;
    printf("daemon %d read: %s", (int)getpid(), buf);
    return 0;
}
