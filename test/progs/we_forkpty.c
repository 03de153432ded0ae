/* we_forkpty: forkpty(); the child writes "child on pty\n" to its stdout
 * (the terminal) and exits 3; the parent reads the terminal's master side
 * to its end and prints what came ("got: child on pty\r\n", escaped) and
 * the child's status.  Exits 77 when no terminal can be had here. */
#define _GNU_SOURCE
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(void) {
    fflush(stdout);
    int master = -1;
    pid_t pid = forkpty(&master, NULL, NULL, NULL);
    if (pid < 0) {
        printf("no pty: %s\n", strerror(errno));
        return 77;
    }
    if (pid == 0) {
        static const char line[] = "child on pty\n";
        if (write(1, line, sizeof line - 1) != (ssize_t)(sizeof line - 1))
            _exit(1);
        _exit(3);
    }
    char buf[256];
    size_t got = 0;
    ssize_t n;
    while (got < sizeof buf && (n = read(master, buf + got, sizeof buf - got)) > 0)
        got += (size_t)n;
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
        die("waitpid");
    printf("got: ");
    for (size_t i = 0; i < got; i++)
        printf(buf[i] == '\r' ? "\\r" : buf[i] == '\n' ? "\\n" : "%c", buf[i]);
    printf("\nstatus %d\n", status);
    return 0;
}
