/* bug_epipe: the reader exits without reading; the writer then writes
 * into a pipe nobody can read: EPIPE (SIGPIPE ignored), and fails (exit
 * status 1) with its output unwritten. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(void) {
    int fds[2];
    signal(SIGPIPE, SIG_IGN);
    if (pipe(fds))
        die("pipe");
    pid_t child = fork();
    if (child < 0)
        die("fork");
    if (child == 0) {
        close(fds[1]);
        close(fds[0]); /* BUG: the reader goes away before reading */
        _exit(0);
    }
    close(fds[0]);
    waitpid(child, NULL, 0);
    if (write(fds[1], "lost\n", 5) < 0)
        die("write"); /* EPIPE: the output is lost, and the writer says so */
    close(fds[1]);
    return 0;
}
