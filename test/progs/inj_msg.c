/* inj_msg bug|ok msg|mmsg: a writer sends 20 messages of 1000 bytes to its
 * child over a stream socketpair, each from a 2-entry iovec (a 10-byte
 * header and a 990-byte body), with sendmsg (msg) or sendmmsg (mmsg); the
 * child receives into a 2-entry iovec (100 + 400 bytes) with recvmsg or
 * recvmmsg until the end, and prints how many bytes it got.  ok loops on
 * the rest of a short send; bug ignores the count.  The reader always takes
 * what comes. */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

enum { MESSAGES = 20, HEAD = 10, BODY = 990 };

/* One call sending what is left of iov[0..1] from `done` on; returns the
 * bytes it moved. */
static ssize_t send_rest(int fd, int mmsg, const char *head, const char *body, size_t done) {
    struct iovec iov[2];
    int cnt = 0;
    if (done < HEAD)
        iov[cnt++] = (struct iovec){(void *)(head + done), HEAD - done};
    size_t in_body = done > HEAD ? done - HEAD : 0;
    iov[cnt++] = (struct iovec){(void *)(body + in_body), BODY - in_body};
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)cnt};
    if (!mmsg)
        return sendmsg(fd, &msg, 0);
    struct mmsghdr m = {.msg_hdr = msg};
    int r = sendmmsg(fd, &m, 1, 0);
    return r < 0 ? -1 : r == 0 ? 0 : (ssize_t)m.msg_len;
}

static void writer(int fd, int loop, int mmsg) {
    char head[HEAD], body[BODY];
    memset(head, 'h', sizeof head);
    memset(body, 'b', sizeof body);
    for (int i = 0; i < MESSAGES; i++) {
        size_t done = 0;
        do {
            ssize_t n = send_rest(fd, mmsg, head, body, done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                die("inj_msg: send");
            done += (size_t)n;
        } while (loop && done < HEAD + BODY);
    }
}

/* One call receiving into a 100 + 400 byte iovec; returns the bytes. */
static ssize_t receive(int fd, int mmsg) {
    char a[100], b[400];
    struct iovec iov[2] = {{a, sizeof a}, {b, sizeof b}};
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
    if (!mmsg)
        return recvmsg(fd, &msg, 0);
    struct mmsghdr m = {.msg_hdr = msg};
    int r = recvmmsg(fd, &m, 1, 0, NULL);
    return r < 0 ? -1 : r == 0 ? 0 : (ssize_t)m.msg_len;
}

static void reader(int fd, int mmsg) {
    long total = 0;
    for (;;) {
        ssize_t n = receive(fd, mmsg);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die("inj_msg: receive");
        if (n == 0)
            break;
        total += n;
    }
    printf("received %ld\n", total);
}

int main(int argc, char **argv) {
    if (argc != 3)
        die("usage: inj_msg bug|ok msg|mmsg");
    int loop = strcmp(argv[1], "ok") == 0, mmsg = strcmp(argv[2], "mmsg") == 0;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        die("inj_msg: socketpair");
    pid_t child = fork();
    if (child < 0)
        die("inj_msg: fork");
    if (child == 0) {
        close(sv[0]);
        reader(sv[1], mmsg);
        return 0;
    }
    close(sv[1]);
    writer(sv[0], loop, mmsg);
    close(sv[0]);
    int status;
    if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("inj_msg: reader failed");
    return 0;
}
