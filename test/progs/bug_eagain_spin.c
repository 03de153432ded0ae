/* bug_eagain_spin: a non-blocking read retried in a busy loop until the
 * writer (a child that starts late) has written. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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
    while ((n = read(fds[0], buf, sizeof buf)) < 0 && errno == EAGAIN) {
        /* BUG: no poll/select: this spins */
    }
    waitpid(child, NULL, 0);
    return n == 5 ? 0 : 1;
}
