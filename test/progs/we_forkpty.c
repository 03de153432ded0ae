/* we_forkpty [login_tty]: forkpty(), or with "login_tty" the same done by
 * hand (openpty, fork, login_tty in the child), as programs that want their
 * own steps between them do; the child writes "child on pty\n" to its
 * stdout (the terminal) and exits 3; the parent reads the terminal's master
 * side to its end and prints what came ("got: child on pty\r\n", escaped)
 * and the child's status.  Exits 77 when no terminal can be had here. */
#define _GNU_SOURCE
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utmp.h>

#include "test/progs/progs.h"

/* forkpty's steps through the public calls: glibc's login_tty dup2()s the
 * terminal onto 0-2 with calls no wrapper sees. */
static pid_t fork_on_terminal(int *master) {
    int slave = -1;
    if (openpty(master, &slave, NULL, NULL, NULL) < 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(*master);
        if (login_tty(slave) < 0)
            _exit(1);
        return 0;
    }
    close(slave);
    return pid;
}

int main(int argc, char **argv) {
    fflush(stdout);
    int master = -1;
    int by_hand = argc > 1 && strcmp(argv[1], "login_tty") == 0;
    pid_t pid = by_hand ? fork_on_terminal(&master) : forkpty(&master, NULL, NULL, NULL);
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
