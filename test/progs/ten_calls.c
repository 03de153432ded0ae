/* ten_calls: makes ten traced calls (pipe, four writes, four reads, close)
 * and exits: the smallest process worth a trace file. */
#define _GNU_SOURCE
#include <unistd.h>

#include "test/progs/progs.h"

int main(void) {
    int fds[2];
    if (pipe(fds))
        die("pipe");
    char buf[8];
    for (int i = 0; i < 4; i++) {
        if (write(fds[1], "ping", 4) != 4)
            die("write");
        if (read(fds[0], buf, sizeof buf) != 4)
            die("read");
    }
    close(fds[1]);
    return 0;
}
