/* bug_ebadf: a double close, a read on a write end, a write to a closed
 * fd. */
#include <unistd.h>

#include "test/progs/progs.h"

int main(void) {
    int fds[2];
    char c;
    if (pipe(fds))
        die("pipe");
    if (read(fds[1], &c, 1) >= 0)
        die("read on the write end worked");
    close(fds[0]);
    if (close(fds[0]) == 0)
        die("second close worked");
    close(fds[1]);
    if (write(fds[1], "x", 1) >= 0)
        die("write after close worked");
    return 0;
}
