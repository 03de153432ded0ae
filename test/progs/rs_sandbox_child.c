/* rs_sandbox_child: a fork child that puts itself in a seccomp sandbox
 * where creating directories and opening files fails with ENOSYS (as
 * man-db does for its helpers), then writes to a pipe its parent reads and
 * says something on stderr (issue 9 item 6, issue 17 item 7). */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"
#include "test/progs/seccomp_deny.h"

static void sandbox(void) {
    const int calls[] = {SYS_mkdir, SYS_mkdirat, SYS_open, SYS_openat};
    seccomp_deny(calls, 4, ENOSYS);
}

int main(void) {
    int p[2];
    if (pipe(p) != 0)
        die("pipe");
    printf("parent: before fork\n");
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        sandbox(); /* before any traced call: the child has no file yet */
        close(p[0]);
        fprintf(stderr, "child: in the sandbox\n");
        if (write(p[1], "hello from the sandbox", 22) != 22)
            _exit(3);
        _exit(0);
    }
    close(p[1]);
    char buf[64];
    ssize_t n = read(p[0], buf, sizeof buf);
    int status;
    waitpid(pid, &status, 0);
    printf("parent: read %zd: %.*s; child status %d\n", n, n > 0 ? (int)n : 0, buf, status);
    return 0;
}
