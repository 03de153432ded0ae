/* inj_pingpong N: N rounds of writing 64 bytes into its own pipe and
 * reading them back, each call looped until the whole 64 bytes moved and
 * retried after EINTR, as a correct program does.  Prints the bytes moved.
 * One process, one thread: under a seeded injection its faults replay. */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>

#include "test/progs/progs.h"

static void move_all(int fd, char *buf, size_t len, int writing) {
    size_t done = 0;
    while (done < len) {
        ssize_t n = writing ? write(fd, buf + done, len - done) : read(fd, buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            die("%s", writing ? "write" : "read");
        done += (size_t)n;
    }
}

int main(int argc, char **argv) {
    if (argc != 2)
        die("usage: inj_pingpong N");
    int rounds = atoi(argv[1]), fds[2];
    if (pipe(fds))
        die("pipe");
    char out[64], back[64];
    long moved = 0;
    for (int i = 0; i < rounds; i++) {
        memset(out, 'a' + i % 26, sizeof out);
        move_all(fds[1], out, sizeof out, 1);
        move_all(fds[0], back, sizeof back, 0);
        if (memcmp(out, back, sizeof out) != 0)
            die("data differs at %d", i);
        moved += (long)sizeof out;
    }
    printf("moved %ld\n", moved);
    return 0;
}
