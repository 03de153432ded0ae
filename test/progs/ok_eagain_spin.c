/* ok_eagain_spin: bug_eagain_spin's twin; poll() waits until the pipe is
 * readable before each read. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(void) {
    int fds[2];
    if (pipe2(fds, O_NONBLOCK))
        die("pipe2");
    pid_t child = fork();
    if (child < 0)
        die("fork");
    if (child == 0) {
        close(fds[0]);
        sleep_ms(50);
        if (write(fds[1], "late\n", 5) != 5)
            die("write");
        _exit(0);
    }
    close(fds[1]);
    char buf[64];
    ssize_t n;
    do {
        struct pollfd p = {fds[0], POLLIN, 0};
        if (poll(&p, 1, 5000) < 0)
            die("poll");
        n = read(fds[0], buf, sizeof buf);
    } while (n < 0 && errno == EAGAIN);
    waitpid(child, NULL, 0);
    return n == 5 ? 0 : 1;
}
