/* sock_io MODE: every socket I/O call on a socket pair, across a fork.
 *
 *   calls    a SOCK_SEQPACKET pair (message boundaries kept, so each call
 *            moves a known count): the parent sends "ping1" with send,
 *            "ping22" with sendto, "m1" and "m333" with one sendmmsg and
 *            "ab"+"cde" with sendmsg; the child peeks at the first (recv
 *            MSG_PEEK, 5 bytes), then takes them with recv, recvfrom,
 *            recvmmsg and recvmsg (iovs of 2 and 8), answers
 *            "pong" with send, and the parent recv()s it.  Then recv on a
 *            pipe fails with ENOTSOCK and recv(MSG_DONTWAIT) on a new
 *            empty pair with EAGAIN, each errno checked here.  Prints "ok".
 *   blocked  a child recv()s on a stream pair whose other end the parent
 *            holds and never writes; once it is blocked in the call the
 *            parent SIGKILLs it, and prints "child PID fd FD signal S".
 *   hang_self   a worker child recv()s to the end of the stream, but kept
 *            the parent's end it inherited: it hangs, and the parent in
 *            waitpid with it (the test kills them).  Prints "worker PID".
 *   hang_child  the parent recv()s to the end of the stream on one end;
 *            its own child holds the other end and sleeps: the parent
 *            hangs.  Prints "holder PID".
 *   hang_silent as hang_child, but the child makes no call at all (it
 *            keeps both ends): it is known from the fork record alone. */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

static void expect_msg(ssize_t n, const char *buf, const char *want) {
    size_t len = strlen(want);
    if (n != (ssize_t)len || memcmp(buf, want, len) != 0)
        die("received %zd bytes, wanted \"%s\"", n, want);
}

static void child_side(int fd) {
    char buf[64];
    expect_msg(recv(fd, buf, sizeof buf, MSG_PEEK), buf, "ping1");
    expect_msg(recv(fd, buf, sizeof buf, 0), buf, "ping1");
    expect_msg(recvfrom(fd, buf, sizeof buf, 0, NULL, NULL), buf, "ping22");
    char in1[8], in2[8];
    struct iovec i1 = {in1, sizeof in1}, i2 = {in2, sizeof in2};
    struct mmsghdr vec[2] = {{.msg_hdr = {.msg_iov = &i1, .msg_iovlen = 1}},
                             {.msg_hdr = {.msg_iov = &i2, .msg_iovlen = 1}}};
    if (recvmmsg(fd, vec, 2, MSG_WAITALL, NULL) != 2 || vec[0].msg_len != 2 ||
        vec[1].msg_len != 4 || memcmp(in2, "m333", 4) != 0)
        die("recvmmsg");
    char a[2], b[8];
    struct iovec iov[2] = {{a, sizeof a}, {b, sizeof b}};
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
    ssize_t n = recvmsg(fd, &msg, 0);
    if (n != 5 || memcmp(a, "ab", 2) != 0 || memcmp(b, "cde", 3) != 0)
        die("recvmsg got %zd", n);
    if (send(fd, "pong", 4, 0) != 4)
        die("send pong");
    _exit(0);
}

static void expect_errno(ssize_t n, int want, const char *what) {
    if (n != -1 || errno != want)
        die("%s returned %zd, errno %d, wanted errno %d", what, n, errno, want);
}

static int calls(void) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv))
        die("socketpair");
    pid_t child = fork();
    if (child < 0)
        die("fork");
    if (child == 0) {
        close(sv[0]);
        child_side(sv[1]);
    }
    close(sv[1]);
    if (send(sv[0], "ping1", 5, 0) != 5 || sendto(sv[0], "ping22", 6, 0, NULL, 0) != 6)
        die("send");
    struct iovec one = {"m1", 2}, two = {"m333", 4};
    struct mmsghdr vec[2] = {{.msg_hdr = {.msg_iov = &one, .msg_iovlen = 1}},
                             {.msg_hdr = {.msg_iov = &two, .msg_iovlen = 1}}};
    if (sendmmsg(sv[0], vec, 2, 0) != 2)
        die("sendmmsg");
    struct iovec iov[2] = {{"ab", 2}, {"cde", 3}};
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
    if (sendmsg(sv[0], &msg, MSG_NOSIGNAL) != 5)
        die("sendmsg");
    char buf[16];
    expect_msg(recv(sv[0], buf, sizeof buf, 0), buf, "pong");
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("child failed");
    int p[2];
    if (pipe(p))
        die("pipe");
    expect_errno(recv(p[0], buf, sizeof buf, 0), ENOTSOCK, "recv on a pipe");
    int quiet[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, quiet))
        die("socketpair");
    expect_errno(recv(quiet[0], buf, sizeof buf, MSG_DONTWAIT), EAGAIN, "recv MSG_DONTWAIT");
    printf("ok\n");
    return 0;
}

static int blocked(void) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
        die("socketpair");
    fflush(stdout);
    pid_t child = fork();
    if (child < 0)
        die("fork");
    if (child == 0) {
        char buf[100];
        ssize_t n = recv(sv[1], buf, sizeof buf, 0);
        die("recv returned %zd", n);
    }
    wait_in_syscall(child, SYS_recvfrom);
    if (kill(child, SIGKILL))
        die("kill");
    int status;
    if (waitpid(child, &status, 0) != child)
        die("waitpid");
    printf("child %d fd %d signal %d\n", (int)child, sv[1],
           WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return 0;
}

static void recv_to_end(int fd) {
    char buf[256];
    while (recv(fd, buf, sizeof buf, 0) > 0) {
    }
}

static int hang_self(void) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
        die("socketpair");
    fflush(stdout);
    pid_t worker = fork();
    if (worker < 0)
        die("fork");
    if (worker == 0) {
        recv_to_end(sv[1]); /* sv[0], still open here, keeps the stream open */
        _exit(0);
    }
    printf("worker %d\n", (int)worker);
    fflush(stdout);
    close(sv[1]);
    if (send(sv[0], "request", 7, 0) != 7)
        die("send");
    close(sv[0]);
    waitpid(worker, NULL, 0);
    return 0;
}

static int hang_child(void) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
        die("socketpair");
    fflush(stdout);
    pid_t holder = fork();
    if (holder < 0)
        die("fork");
    if (holder == 0) {
        close(sv[1]);
        for (;;)
            pause(); /* holds sv[0] and never sends on it */
    }
    printf("holder %d\n", (int)holder);
    fflush(stdout);
    close(sv[0]);
    recv_to_end(sv[1]);
    return 0;
}

static int hang_silent(void) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
        die("socketpair");
    fflush(stdout);
    pid_t holder = fork();
    if (holder < 0)
        die("fork");
    if (holder == 0)
        for (;;)
            pause(); /* holds both ends, never calls anything traced */
    printf("holder %d\n", (int)holder);
    fflush(stdout);
    close(sv[0]);
    recv_to_end(sv[1]);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "calls") == 0)
        return calls();
    if (argc == 2 && strcmp(argv[1], "blocked") == 0)
        return blocked();
    if (argc == 2 && strcmp(argv[1], "hang_self") == 0)
        return hang_self();
    if (argc == 2 && strcmp(argv[1], "hang_child") == 0)
        return hang_child();
    if (argc == 2 && strcmp(argv[1], "hang_silent") == 0)
        return hang_silent();
    die("usage: sock_io calls|blocked|hang_self|hang_child");
}
