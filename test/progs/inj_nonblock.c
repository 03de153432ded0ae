/* inj_nonblock bug|ok: a child writes 20000 bytes into a pipe and exits;
 * the parent waits for it, makes its read end non-blocking and reads it to
 * the end, then prints how many bytes it read.  Every byte is in the pipe
 * before the first read, so untraced no read ever fails with EAGAIN.  bug
 * takes EAGAIN for the end of the data; ok waits in poll() and reads on. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

enum { TOTAL = 20000 };

static void fill_and_exit(int fd) {
    char buf[1000];
    memset(buf, 'n', sizeof buf);
    for (int i = 0; i < TOTAL / (int)sizeof buf; i++)
        if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf)
            _exit(1);
    _exit(0);
}

/* Blocks until fd is readable (or at its end). */
static void wait_readable(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (poll(&p, 1, -1) < 0 && errno == EINTR)
        ;
}

int main(int argc, char **argv) {
    if (argc != 2)
        die("usage: inj_nonblock bug|ok");
    int wait_on_eagain = strcmp(argv[1], "ok") == 0;
    int fds[2];
    if (pipe(fds) != 0)
        die("pipe");
    pid_t child = fork();
    if (child < 0)
        die("fork");
    if (child == 0) {
        close(fds[0]);
        fill_and_exit(fds[1]);
    }
    close(fds[1]);
    int status;
    if (waitpid(child, &status, 0) != child || status != 0)
        die("writer failed");
    if (fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK) != 0)
        die("fcntl");
    char buf[512];
    long total = 0;
    for (;;) {
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EAGAIN && wait_on_eagain) {
            wait_readable(fds[0]);
            continue;
        }
        if (n <= 0)
            break;
        total += n;
    }
    printf("read %ld\n", total);
    return 0;
}
