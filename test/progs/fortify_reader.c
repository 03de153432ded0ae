/* fortify_reader N: built with -D_FORTIFY_SOURCE=2 -O2, so read() with a
 * length the compiler cannot see (N from the command line) into a buffer of
 * known size becomes __read_chk.  Writes "fortified read of a pipe\n" (25
 * bytes) into a pipe and reads it back with a length of N (N must be at
 * most 256: larger is a buffer overflow that __read_chk reports). */
#define _GNU_SOURCE
#include <unistd.h>

#include "test/progs/progs.h"

int main(int argc, char **argv) {
    if (argc != 2)
        die("usage: fortify_reader N");
    size_t n = (size_t)atoi(argv[1]);
    int fds[2];
    if (pipe(fds))
        die("pipe");
    const char *msg = "fortified read of a pipe\n";
    if (write(fds[1], msg, 25) != 25)
        die("write");
    char buf[256];
    ssize_t got = read(fds[0], buf, n);
    if (got != 25 || memcmp(buf, msg, 25) != 0)
        die("read returned %zd", got);
    printf("read %zd\n", got);
    return 0;
}
