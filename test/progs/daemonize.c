/* daemonize FIFO: prints "parent PID", then daemon(0, 0); the daemon writes
 * a line to fd 1 (now /dev/null: not a traced object, though it was a pipe
 * before daemon()), opens FIFO for writing, writes "daemon pid=PID\n" with
 * write(2), closes it and exits. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(int argc, char **argv) {
    if (argc != 2)
        die("usage: daemonize FIFO");
    printf("parent %d\n", (int)getpid());
    fflush(stdout);
    if (daemon(0, 0))
        die("daemon");
    if (write(1, "to /dev/null\n", 13) != 13)
        return 4;
    int fd = open(argv[1], O_WRONLY);
    if (fd < 0)
        return 2;
    char msg[64];
    int len = snprintf(msg, sizeof msg, "daemon pid=%d\n", (int)getpid());
    if (write(fd, msg, (size_t)len) != len)
        return 3;
    close(fd);
    return 0;
}
