/* lc_nostdout FILE: meant to be started with stdout closed (>&-).
 * Reports on stderr whether fd 1 was open, makes a pipe (which then takes
 * fd 1), writes "through the pipe\n" into it and reads it back, opens FILE
 * (O_CREAT|O_TRUNC) and writes "file data\n".  Prints on stderr:
 *   stdout closed: yes
 *   pipe R W
 *   read: through the pipe
 *   file fd N
 * and exits with status 7. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(int argc, char **argv) {
    if (argc != 2)
        die("usage: lc_nostdout FILE");
    int was_closed = fcntl(1, F_GETFD) < 0 && errno == EBADF;
    fprintf(stderr, "stdout closed: %s\n", was_closed ? "yes" : "no");
    int p[2];
    if (pipe(p))
        die("pipe");
    fprintf(stderr, "pipe %d %d\n", p[0], p[1]);
    const char msg[] = "through the pipe\n";
    if (write(p[1], msg, sizeof msg - 1) != (ssize_t)sizeof msg - 1)
        die("write");
    char buf[64];
    ssize_t n = read(p[0], buf, sizeof buf - 1);
    if (n < 0)
        die("read");
    buf[n] = 0;
    fprintf(stderr, "read: %s", buf);
    int f = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (f < 0)
        die("open");
    fprintf(stderr, "file fd %d\n", f);
    if (write(f, "file data\n", 10) != 10)
        die("write file");
    close(f);
    return 7;
}
