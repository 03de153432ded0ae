/* A splice pump that hangs: it moves pipe A into pipe B, but kept A's
 * write end open itself, so after the writer child's one byte A never
 * reaches EOF and the pump blocks in splice for ever (the blocked-read of
 * a pipe whose last writer is its own reader).  The test kills it once the
 * trace shows the splice blocked. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

#include "progs.h"

int main(void) {
    int a[2], b[2];
    if (pipe(a) != 0 || pipe(b) != 0)
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(a[0]);
        if (write(a[1], "x", 1) != 1)
            die("write");
        _exit(0);
    }
    /* The bug: a[1] stays open here. */
    for (;;) {
        ssize_t n = splice(a[0], NULL, b[1], NULL, 4096, 0);
        if (n <= 0)
            break;
        char c;
        if (read(b[0], &c, 1) != 1)
            die("read");
    }
    return 0;
}
