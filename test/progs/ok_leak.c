/* ok_leak: bug_leak's twin; the pipe is made with pipe2(O_CLOEXEC), so the
 * exec'd program does not inherit it. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(int argc, char **argv) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC))
        die("pipe2");
    pid_t child = fork();
    if (child < 0)
        die("fork");
    if (child == 0) {
        close(fds[1]);
        char *def[] = {"/bin/sleep", "0", NULL};
        char **args = argc > 1 ? argv + 1 : def;
        execv(args[0], args);
        die("exec");
    }
    close(fds[0]);
    close(fds[1]);
    waitpid(child, NULL, 0);
    return 0;
}
