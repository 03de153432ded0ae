/* lc_vfork: vfork() + exec, the way C spawners do it.  Makes a pipe; the
 * vfork child dup2()s its write end onto fd 1, closes both ends and execs
 * "/bin/echo from vfork child" (_exit(127) if that fails).  The parent reads
 * the pipe to EOF, waits, and prints:
 *   child PID
 *   got: from vfork child
 *   status 0
 */
#define _GNU_SOURCE
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(void) {
    int p[2];
    if (pipe(p))
        die("pipe");
    fflush(stdout);
    pid_t pid = vfork();
    if (pid < 0)
        die("vfork");
    if (pid == 0) {
        if (dup2(p[1], 1) != 1)
            _exit(126);
        close(p[0]);
        close(p[1]);
        execl("/bin/echo", "echo", "from vfork child", (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    char buf[128];
    size_t got = 0;
    ssize_t n;
    while ((n = read(p[0], buf + got, sizeof buf - 1 - got)) > 0)
        got += (size_t)n;
    buf[got] = 0;
    int st;
    if (waitpid(pid, &st, 0) != pid)
        die("waitpid");
    printf("child %d\ngot: %sstatus %d\n", (int)pid, buf, st);
    return 0;
}
