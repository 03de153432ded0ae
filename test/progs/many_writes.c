/* many_writes N: writes N chunks of 64 bytes into a pipe and reads each one
 * back, prints "moved BYTES bytes in N round trips" and exits with status 3
 * (so a test can see the status is passed on unchanged). */
#define _GNU_SOURCE
#include <unistd.h>

#include "test/progs/progs.h"

int main(int argc, char **argv) {
    if (argc != 2)
        die("usage: many_writes N");
    int count = atoi(argv[1]);
    int fds[2];
    if (pipe(fds))
        die("pipe");
    char chunk[64], back[64];
    long moved = 0;
    for (int i = 0; i < count; i++) {
        memset(chunk, 'a' + i % 26, sizeof chunk);
        if (write(fds[1], chunk, sizeof chunk) != 64)
            die("write %d", i);
        if (read(fds[0], back, sizeof back) != 64)
            die("read %d", i);
        if (memcmp(chunk, back, 64) != 0)
            die("data differs at %d", i);
        moved += 64;
    }
    printf("moved %ld bytes in %d round trips\n", moved, count);
    return 3;
}
