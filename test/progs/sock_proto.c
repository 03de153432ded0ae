/* sock_proto: a request/answer protocol over a socket pair across a fork,
 * with every way of moving bytes on a socket.
 *
 * The parent sends 60 requests, request i being (i * 37) % 1000 + 1 bytes
 * of 'a' + i % 26, by send, write and sendmsg in turn; the child takes each
 * whole (recv, read and recvmsg in turn, looping on short reads) and
 * answers its length as 4 bytes, by send or write in turn.  The parent
 * then shuts its sending side down; the child sees the end, exits.
 * Prints "requests N bytes B answers A" (what flows must find). */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

#define REQUESTS 60

static size_t request_len(int i) {
    return (size_t)(i * 37) % 1000 + 1;
}

static ssize_t put(int fd, const char *buf, size_t len, int how) {
    if (how == 0)
        return send(fd, buf, len, MSG_NOSIGNAL);
    if (how == 1)
        return write(fd, buf, len);
    struct iovec iov[2] = {{(void *)buf, len / 2}, {(void *)(buf + len / 2), len - len / 2}};
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
    return sendmsg(fd, &msg, 0);
}

static ssize_t get(int fd, char *buf, size_t len, int how) {
    if (how == 0)
        return recv(fd, buf, len, 0);
    if (how == 1)
        return read(fd, buf, len);
    struct iovec iov = {buf, len};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    return recvmsg(fd, &msg, 0);
}

static void put_all(int fd, const char *buf, size_t len, int how) {
    while (len > 0) {
        ssize_t n = put(fd, buf, len, how);
        if (n <= 0)
            die("send");
        buf += n;
        len -= (size_t)n;
    }
}

/* 1 when len bytes came, 0 at the end of the stream before any. */
static int get_all(int fd, char *buf, size_t len, int how) {
    size_t got = 0;
    while (got < len) {
        ssize_t n = get(fd, buf + got, len - got, how);
        if (n < 0)
            die("recv");
        if (n == 0) {
            if (got == 0)
                return 0;
            die("short request");
        }
        got += (size_t)n;
    }
    return 1;
}

static void child(int fd) {
    char buf[1000];
    for (int i = 0;; i++) {
        if (!get_all(fd, buf, request_len(i % REQUESTS), i % 3))
            _exit(i == REQUESTS ? 0 : 1);
        uint32_t len = (uint32_t)request_len(i);
        put_all(fd, (const char *)&len, sizeof len, i % 2);
    }
}

int main(void) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
        die("socketpair");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(sv[0]);
        child(sv[1]);
    }
    close(sv[1]);
    char buf[1000];
    size_t bytes = 0;
    for (int i = 0; i < REQUESTS; i++) {
        size_t len = request_len(i);
        memset(buf, 'a' + i % 26, len);
        put_all(sv[0], buf, len, i % 3);
        bytes += len;
        uint32_t answer;
        if (!get_all(sv[0], (char *)&answer, sizeof answer, 0) || answer != len)
            die("bad answer");
    }
    if (shutdown(sv[0], SHUT_WR))
        die("shutdown");
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("child failed");
    printf("requests %d bytes %zu answers %d\n", REQUESTS, bytes, REQUESTS * 4);
    return 0;
}
