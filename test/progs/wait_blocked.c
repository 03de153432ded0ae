/* wait_blocked MODE: a forked child waits for a pipe to become readable
 * with MODE (poll, ppoll, select, pselect, epoll) while the parent keeps
 * the write end and writes nothing, so the wait never returns.  Once the
 * kernel says the child sleeps in that wait (/proc/PID/syscall, not a
 * fixed delay), the parent SIGKILLs it, reaps it and prints
 * "child PID read_fd FD signal S". */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

static void wait_in(const char *mode, int fd) {
    if (strcmp(mode, "poll") == 0) {
        struct pollfd p = {fd, POLLIN, 0};
        poll(&p, 1, -1);
    } else if (strcmp(mode, "ppoll") == 0) {
        struct pollfd p = {fd, POLLIN, 0};
        ppoll(&p, 1, NULL, NULL);
    } else if (strcmp(mode, "select") == 0 || strcmp(mode, "pselect") == 0) {
        fd_set in;
        FD_ZERO(&in);
        FD_SET(fd, &in);
        if (mode[0] == 's')
            select(fd + 1, &in, NULL, NULL, NULL);
        else
            pselect(fd + 1, &in, NULL, NULL, NULL, NULL);
    } else if (strcmp(mode, "epoll") == 0) {
        int ep = epoll_create1(EPOLL_CLOEXEC);
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
        if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
            die("epoll");
        struct epoll_event out[4];
        epoll_wait(ep, out, 4, -1);
    }
    die("%s returned", mode);
}

static int is_wait_syscall(long nr, long unused) {
    (void)unused;
    return nr == SYS_poll || nr == SYS_ppoll || nr == SYS_select || nr == SYS_pselect6 ||
           nr == SYS_epoll_wait || nr == SYS_epoll_pwait || nr == SYS_epoll_pwait2;
}

int main(int argc, char **argv) {
    if (argc != 2)
        die("usage: wait_blocked poll|ppoll|select|pselect|epoll");
    int fds[2];
    if (pipe(fds))
        die("pipe");
    fflush(stdout);
    pid_t child = fork();
    if (child < 0)
        die("fork");
    if (child == 0)
        wait_in(argv[1], fds[0]);
    wait_in_syscall_where(child, is_wait_syscall, 0);
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
