/* c_fdpass_server: listens on ./fdpass.sock, receives one fd over
 * SCM_RIGHTS (the write end of a client's pipe) and writes a greeting into
 * it.
 * bug: it keeps the fd while it goes on serving (here: sleeping 30 s), so
 *      the client's reader never sees EOF.
 * fixed: it closes the fd as soon as it has written, and exits. */
#include <sys/socket.h>
#include <sys/un.h>

#include "corpus.h"

static int receive_fd(int conn) {
    char byte;
    struct iovec iov = {&byte, 1};
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    if (recvmsg(conn, &msg, 0) != 1)
        corpus_die("recvmsg");
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    if (cm == NULL || cm->cmsg_type != SCM_RIGHTS)
        corpus_die("no fd received");
    int fd;
    memcpy(&fd, CMSG_DATA(cm), sizeof fd);
    return fd;
}

int main(int argc, char **argv) {
    int fixed = corpus_mode(argc, argv);
    int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    strcpy(addr.sun_path, "fdpass.sock");
    unlink(addr.sun_path);
    if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(listener, 1) != 0)
        corpus_die("listen on fdpass.sock");
    int conn = accept(listener, NULL, NULL);
    if (conn < 0)
        corpus_die("accept");
    int out = receive_fd(conn);
    static const char greeting[] = "hello from the server\n";
    if (corpus_write_all(out, greeting, sizeof greeting - 1) != 0)
        corpus_die("write");
    if (fixed) {
        close(out);
        return 0;
    }
    sleep(30); /* serving other clients, still holding `out` */
    return 0;
}
