/* sixteen_writes N: writes N chunks of 16 bytes into a pipe, reading each
 * back, and prints "wrote N". */
#define _GNU_SOURCE
#include <unistd.h>

#include "test/progs/progs.h"

int main(int argc, char **argv) {
    if (argc != 2)
        die("usage: sixteen_writes N");
    int count = atoi(argv[1]);
    int fds[2];
    if (pipe(fds))
        die("pipe");
    char chunk[16], back[16];
    memset(chunk, 's', sizeof chunk);
    for (int i = 0; i < count; i++) {
        if (write(fds[1], chunk, sizeof chunk) != 16)
            die("write %d", i);
        if (read(fds[0], back, sizeof back) != 16)
            die("read %d", i);
    }
    printf("wrote %d\n", count);
    return 0;
}
