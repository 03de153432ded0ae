/* sock_unix: a Unix stream server and its client, traced together.
 *
 * The parent listens on an abstract Unix address (no file is made), forks
 * a client that connects, sends 5000 bytes in 10 send()s, shuts its
 * sending side down and reads the answer; the parent accept4()s, recv()s
 * to the end and answers the count with write().  Prints
 * "server PID client PID bytes N answer A". */
#define _GNU_SOURCE
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

static socklen_t address(struct sockaddr_un *addr, pid_t server) {
    memset(addr, 0, sizeof *addr);
    addr->sun_family = AF_UNIX;
    int n = snprintf(addr->sun_path + 1, sizeof addr->sun_path - 1, "pipetrace-sock-unix-%d",
                     (int)server);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

static void client(pid_t server, int ready) {
    char go;
    if (read(ready, &go, 1) != 1)
        die("ready");
    struct sockaddr_un addr;
    socklen_t len = address(&addr, server);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0 || connect(s, (struct sockaddr *)&addr, len) != 0)
        die("connect");
    char buf[500];
    memset(buf, 'c', sizeof buf);
    for (int i = 0; i < 10; i++)
        if (send(s, buf, sizeof buf, 0) != (ssize_t)sizeof buf)
            die("send");
    if (shutdown(s, SHUT_WR) != 0)
        die("shutdown");
    char answer[32];
    ssize_t n = recv(s, answer, sizeof answer, MSG_WAITALL);
    if (n <= 0)
        die("recv answer");
    _exit(0);
}

int main(void) {
    int ready[2];
    if (pipe(ready) != 0)
        die("pipe");
    pid_t server = getpid();
    fflush(stdout);
    pid_t child = fork();
    if (child < 0)
        die("fork");
    if (child == 0) {
        close(ready[1]);
        client(server, ready[0]);
    }
    close(ready[0]);
    struct sockaddr_un addr;
    socklen_t len = address(&addr, server);
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    if (l < 0 || bind(l, (struct sockaddr *)&addr, len) != 0 || listen(l, 1) != 0)
        die("listen");
    if (write(ready[1], "g", 1) != 1)
        die("go");
    int conn = accept4(l, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0)
        die("accept4");
    char buf[1000];
    size_t total = 0;
    ssize_t n;
    while ((n = recv(conn, buf, sizeof buf, 0)) > 0)
        total += (size_t)n;
    char answer[32];
    int alen = snprintf(answer, sizeof answer, "%zu", total);
    if (write(conn, answer, (size_t)alen) != alen)
        die("answer");
    close(conn);
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("client failed");
    printf("server %d client %d bytes %zu answer %d\n", (int)server, (int)child, total, alen);
    return 0;
}
