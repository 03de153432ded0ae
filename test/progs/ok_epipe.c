/* ok_epipe: bug_epipe's twin; the reader reads until EOF before it
 * exits. */
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
        char buf[64];
        while (read(fds[0], buf, sizeof buf) > 0) {
        }
        close(fds[0]);
        _exit(0);
    }
    close(fds[0]);
    if (write(fds[1], "kept\n", 5) != 5)
        die("write");
    close(fds[1]);
    waitpid(child, NULL, 0);
    return 0;
}
