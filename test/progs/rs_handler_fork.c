/* rs_handler_fork: a SIGALRM handler forks while the main code is blocked
 * in read() on a pipe nobody writes to (issue 17 item 1).  In both
 * processes the read then fails with EINTR; the child reports on a second
 * pipe and exits normally.  Ten rounds; prints one line per round. */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

static volatile sig_atomic_t forked_child;
static volatile pid_t child_pid;

static void on_alarm(int sig) {
    (void)sig;
    pid_t pid = fork();
    if (pid == 0)
        forked_child = 1;
    else
        child_pid = pid;
}

static void round_trip(int round) {
    int idle[2], report[2];
    if (pipe(idle) != 0 || pipe(report) != 0)
        die("pipe");
    struct itimerval timer = {{0, 0}, {0, 20000}};
    if (setitimer(ITIMER_REAL, &timer, NULL) != 0)
        die("setitimer");
    char c;
    ssize_t n = read(idle[0], &c, 1); /* blocks until the handler ran */
    int read_errno = errno;
    if (forked_child) {
        char line[64];
        int len = snprintf(line, sizeof line, "child: read %zd %s\n", n,
                           n < 0 && read_errno == EINTR ? "EINTR" : "?");
        if (write(report[1], line, (size_t)len) != len)
            _exit(3);
        exit(0);
    }
    close(report[1]);
    char line[64] = {0};
    ssize_t got = read(report[0], line, sizeof line - 1);
    int status;
    if (waitpid(child_pid, &status, 0) != child_pid)
        die("waitpid");
    printf("round %d: parent read %zd %s; %s", round, n,
           n < 0 && read_errno == EINTR ? "EINTR" : "?", got > 0 ? line : "child said nothing\n");
    if (WIFSIGNALED(status))
        printf("round %d: child killed by signal %d\n", round, WTERMSIG(status));
    else
        printf("round %d: child exit %d\n", round, WEXITSTATUS(status));
    fflush(stdout);
    close(idle[0]);
    close(idle[1]);
    close(report[0]);
}

int main(void) {
    struct sigaction sa = {0};
    sa.sa_handler = on_alarm; /* no SA_RESTART: the read fails with EINTR */
    sigaction(SIGALRM, &sa, NULL);
    for (int round = 0; round < 10; round++)
        round_trip(round);
    return 0;
}
