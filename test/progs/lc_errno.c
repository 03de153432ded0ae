/* lc_errno: errno survives traced calls.  Before each successful call it
 * sets errno to a marker and checks the marker is still there afterwards;
 * failing calls must leave the errno the kernel gave (EBADF on a closed
 * fd, EPIPE on a pipe without readers, EAGAIN on an empty O_NONBLOCK pipe).
 * Prints "checks N failures 0" (and a line per failure on stderr); exits
 * with the number of failures. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

static int checks, failures;

static void expect_errno(int line, const char *what, int want) {
    int got = errno;
    checks++;
    if (got != want) {
        failures++;
        fprintf(stderr, "line %d: %s: errno %d (%s), expected %d (%s)\n", line, what, got,
                strerror(got), want, strerror(want));
    }
}

#define MARK 4242
#define OK(call)                                                                                   \
    do {                                                                                           \
        errno = MARK;                                                                              \
        if ((call) < 0)                                                                            \
            die("%s", #call);                                                                      \
        expect_errno(__LINE__, #call, MARK);                                                       \
    } while (0)
#define FAILS(call, err)                                                                           \
    do {                                                                                           \
        errno = MARK;                                                                              \
        if ((call) >= 0) {                                                                         \
            failures++;                                                                            \
            fprintf(stderr, "%s succeeded\n", #call);                                              \
        }                                                                                          \
        expect_errno(__LINE__, #call, err);                                                        \
    } while (0)

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    int p[2], q[2];
    char buf[16];
    OK(pipe(p));
    OK(write(p[1], "abc", 3));
    OK(read(p[0], buf, sizeof buf));
    OK(pipe2(q, O_NONBLOCK | O_CLOEXEC));
    FAILS(read(q[0], buf, sizeof buf), EAGAIN);
    int d;
    OK(d = dup(p[1]));
    OK(dup2(p[1], 20));
    OK(dup3(p[1], 21, O_CLOEXEC));
    OK(fcntl(p[0], F_SETFD, FD_CLOEXEC));
    OK(fcntl(p[0], F_SETFL, O_NONBLOCK));
    OK(fcntl(p[0], F_DUPFD_CLOEXEC, 30));
    OK(close(d));
    OK(close(20));
    OK(close(21));
    OK(close(30));
    pid_t pid;
    errno = MARK;
    pid = fork();
    if (pid == 0)
        _exit(errno == MARK ? 0 : 1);
    expect_errno(__LINE__, "fork", MARK);
    int st;
    OK(waitpid(pid, &st, 0));
    checks++;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        failures++;
        fprintf(stderr, "errno changed in the fork child\n");
    }
    OK(close(p[1]));
    /* failures */
    FAILS(read(p[1], buf, sizeof buf), EBADF);
    FAILS(write(p[1], "x", 1), EBADF);
    FAILS(close(p[1]), EBADF);
    FAILS(dup2(p[1], 40), EBADF);
    FAILS(fcntl(p[1], F_GETFL), EBADF);
    OK(close(q[0]));
    FAILS(write(q[1], "x", 1), EPIPE);
    FAILS(read(1000, buf, 1), EBADF);
    printf("checks %d failures %d\n", checks, failures);
    return failures;
}
