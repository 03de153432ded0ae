/* c_fdpass_client: makes a pipe, forks a reader for it, and hands the pipe's
 * write end to c_fdpass_server (an unrelated process: a sibling started by
 * the shell, never forked from this one) over SCM_RIGHTS, then closes its
 * own copy and waits for the reader, which reads until EOF.
 * Started as `c_fdpass_server MODE & c_fdpass_client MODE`; the server's
 * mode decides whether the reader ever sees EOF. */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "corpus.h"

static int connect_to_server(void) {
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    strcpy(addr.sun_path, "fdpass.sock");
    for (int tries = 0; tries < 500; tries++) {
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
            corpus_die("socket");
        if (connect(s, (struct sockaddr *)&addr, sizeof addr) == 0)
            return s;
        close(s);
        corpus_sleep_ms(10); /* the server is still starting */
    }
    corpus_die("connect to fdpass.sock");
}

static void send_fd(int s, int fd) {
    char byte = 'F';
    struct iovec iov = {&byte, 1};
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    memset(&control, 0, sizeof control);
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof fd);
    if (sendmsg(s, &msg, 0) != 1)
        corpus_die("sendmsg");
}

int main(int argc, char **argv) {
    corpus_mode(argc, argv);
    int p[2];
    if (pipe(p) != 0)
        corpus_die("pipe");
    fflush(stdout);
    pid_t reader = fork();
    if (reader < 0)
        corpus_die("fork");
    if (reader == 0) {
        close(p[1]);
        char buf[256];
        ssize_t n;
        while ((n = read(p[0], buf, sizeof buf)) > 0)
            if (corpus_write_all(1, buf, (size_t)n) != 0)
                _exit(1);
        _exit(0);
    }
    corpus_announce("reader", reader);
    close(p[0]);
    int s = connect_to_server();
    send_fd(s, p[1]);
    close(p[1]);
    close(s);
    waitpid(reader, NULL, 0);
    return 0;
}
