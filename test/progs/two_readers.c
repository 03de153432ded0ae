/* two_readers: two forked children share a pipe's read end and each makes
 * one read of it.  Once both are blocked in that read (their reads then
 * overlap in time, whatever the machine's load) the parent writes
 * "first\n", reaps the child that read it, and writes "second\n" for the
 * other.  Exits 0 when both children read bytes. */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

static pid_t reader(int fds[2]) {
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(fds[1]);
        char buf[64];
        _exit(read(fds[0], buf, sizeof buf) > 0 ? 0 : 1);
    }
    return pid;
}

static int reaped_ok(void) {
    int status;
    return waitpid(-1, &status, 0) > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(void) {
    int fds[2];
    if (pipe(fds))
        die("pipe");
    pid_t a = reader(fds), b = reader(fds);
    close(fds[0]);
    wait_in_syscall(a, SYS_read);
    wait_in_syscall(b, SYS_read);
    if (write(fds[1], "first\n", 6) != 6)
        die("write");
    int ok = reaped_ok();
    if (write(fds[1], "second\n", 7) != 7)
        die("write");
    ok = reaped_ok() && ok;
    return ok ? 0 : 1;
}
