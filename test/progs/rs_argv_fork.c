/* rs_argv_fork: a program that rewrites its own argv array, as git's option
 * parser does (compacting it in place and leaving NULLs), then forks; the
 * child's first traced call is a write to a pipe the parent reads.  Prints
 * what the parent read and how the child ended. */
#define _GNU_SOURCE
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(int argc, char **argv) {
    if (argc < 3)
        die("usage: rs_argv_fork ARG ARG");
    int p[2];
    if (pipe(p) != 0)
        die("pipe");
    argv[1] = NULL;
    argv[2] = (char *)0x10; /* not even a valid pointer */
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(p[0]);
        if (write(p[1], "from child", 10) != 10)
            _exit(3);
        _exit(0);
    }
    close(p[1]);
    char buf[64];
    ssize_t n = read(p[0], buf, sizeof buf);
    int status;
    if (waitpid(pid, &status, 0) != pid)
        die("waitpid");
    printf("read %zd: %.*s\n", n, n > 0 ? (int)n : 0, buf);
    if (WIFSIGNALED(status))
        printf("child killed by signal %d\n", WTERMSIG(status));
    else
        printf("child exit %d\n", WEXITSTATUS(status));
    return 0;
}
