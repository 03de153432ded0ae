/* ok_ebadf: bug_ebadf's twin; reads the read end, closes each fd once. */
#include <unistd.h>

#include "test/progs/progs.h"

int main(void) {
    int fds[2];
    char c;
    if (pipe(fds))
        die("pipe");
    if (write(fds[1], "x", 1) != 1)
        die("write");
    if (read(fds[0], &c, 1) != 1)
        die("read");
    close(fds[0]);
    close(fds[1]);
    return 0;
}
