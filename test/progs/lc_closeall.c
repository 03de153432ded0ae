/* lc_closeall FILE: what daemons and spawn helpers do to fds.
 *
 * Writes "before\n" to FILE (kept open), makes pipe A and leaves it open,
 * then close()s every fd from 3 to 1023, then closefrom(3), then
 * close_range(3, ~0U, CLOSE_RANGE_CLOEXEC).  After all that it makes pipe B,
 * writes "after close\n" into it, reads it back, reopens FILE with O_APPEND
 * and writes "after\n".  Prints:
 *   A R W
 *   closed N          (close() calls that succeeded in the loop)
 *   B R W
 *   read: after close
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/close_range.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(int argc, char **argv) {
    if (argc != 2)
        die("usage: lc_closeall FILE");
    int f = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (f < 0)
        die("open %s", argv[1]);
    if (write(f, "before\n", 7) != 7)
        die("write file");
    int a[2];
    if (pipe(a))
        die("pipe A");
    printf("A %d %d\n", a[0], a[1]);

    int closed = 0;
    for (int fd = 3; fd <= 1023; fd++)
        if (close(fd) == 0)
            closed++;
    closefrom(3);
    if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC))
        die("close_range");
    printf("closed %d\n", closed);

    int b[2];
    if (pipe(b))
        die("pipe B");
    printf("B %d %d\n", b[0], b[1]);
    const char msg[] = "after close\n";
    if (write(b[1], msg, sizeof msg - 1) != (ssize_t)sizeof msg - 1)
        die("write B");
    char buf[64];
    ssize_t n = read(b[0], buf, sizeof buf - 1);
    if (n < 0)
        die("read B");
    buf[n] = 0;
    printf("read: %s", buf);
    int g = open(argv[1], O_WRONLY | O_APPEND);
    if (g < 0)
        die("reopen");
    if (write(g, "after\n", 6) != 6)
        die("write file again");
    close(g);
    return 0;
}
