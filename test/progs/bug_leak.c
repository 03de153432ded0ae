/* bug_leak: pipe() without O_CLOEXEC, fork, and the child execs a program
 * (argv[1...], default /bin/sleep 0) that never touches the read end it
 * inherits. */
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(int argc, char **argv) {
    int fds[2];
    if (pipe(fds))
        die("pipe"); /* BUG: no O_CLOEXEC */
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
