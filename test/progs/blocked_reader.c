/* blocked_reader: a forked child reads a pipe whose write end the parent
 * keeps open, so the read never returns; once the child is blocked in that
 * read the parent SIGKILLs it, reaps it and prints "child PID read_fd FD signal S". */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(void) {
    int fds[2];
    if (pipe(fds))
        die("pipe");
    fflush(stdout);
    pid_t child = fork();
    if (child < 0)
        die("fork");
    if (child == 0) {
        char buf[100];
        ssize_t n = read(fds[0], buf, sizeof buf);
        die("read returned %zd", n);
    }
    wait_in_syscall(child, SYS_read);
    if (kill(child, SIGKILL))
        die("kill");
    int status;
    if (waitpid(child, &status, 0) != child)
        die("waitpid");
    printf("child %d read_fd %d signal %d\n", (int)child, fds[0],
           WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    close(fds[1]);
    return 0;
}
