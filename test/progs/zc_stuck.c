/* A splice pump that hangs: it moves pipe A into pipe B, but kept A's
 * write end open itself, so after the writer child's one byte A never
 * reaches EOF and the pump blocks in splice for ever (the blocked-read of
 * a pipe whose last writer is its own reader).  The test kills it once the
 * trace shows the splice blocked.
 *
 * `zc_stuck sendfile FILE`: a sendfile from a file into a full pipe B,
 * whose reader (the child) is itself blocked writing a full pipe A that
 * only the sender reads: a deadlock of two writes, one a sendfile whose
 * record names the file as its fd and the pipe only in its payload. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "progs.h"

/* Writes into fd (blocking) until it is full, without blocking. */
static void fill(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
        die("fcntl");
    static char block[4096];
    while (write(fd, block, sizeof block) > 0) {
    }
    if (errno != EAGAIN || fcntl(fd, F_SETFL, flags) != 0)
        die("fill");
}

static int sendfile_deadlock(const char *path) {
    int a[2], b[2];
    if (pipe(a) != 0 || pipe(b) != 0)
        die("pipe");
    int file = open(path, O_RDONLY);
    if (file < 0)
        die("open %s", path);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) { /* reads B (never, in fact), writes A until it blocks */
        close(a[0]);
        close(b[1]);
        static char big[1 << 20];
        if (write(a[1], big, sizeof big) < 0)
            die("write");
        _exit(0);
    }
    close(a[1]);
    close(b[0]);
    fill(b[1]);
    if (sendfile(b[1], file, NULL, 4096) < 0) /* blocks: B is full */
        die("sendfile");
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "sendfile") == 0)
        return sendfile_deadlock(argv[2]);
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
