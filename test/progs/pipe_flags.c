/* pipe_flags MODE: creates a pipe with pipe() (MODE "pipe") or pipe2() with
 * O_NONBLOCK ("nonblock"), O_CLOEXEC ("cloexec"), O_DIRECT ("direct") or all
 * three ("all"); writes a 100-byte binary message and a 20-byte text message,
 * reads them back, and prints "fds R W".
 *
 * Message A byte i is (i * 13 + 200) & 0xff (it contains NUL, '"' and bytes
 * above 0x7f); message B is "second message 20 b\n".  With O_DIRECT (packet
 * mode) the reads return 100 then 20 bytes, otherwise one read returns 120.
 * With O_NONBLOCK a last read of the empty pipe fails with EAGAIN, and the
 * program checks that errno survived the tracer. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(int argc, char **argv) {
    if (argc != 2)
        die("usage: pipe_flags pipe|nonblock|cloexec|direct|all");
    const char *mode = argv[1];
    int flags;
    if (strcmp(mode, "pipe") == 0)
        flags = -1;
    else if (strcmp(mode, "nonblock") == 0)
        flags = O_NONBLOCK;
    else if (strcmp(mode, "cloexec") == 0)
        flags = O_CLOEXEC;
    else if (strcmp(mode, "direct") == 0)
        flags = O_DIRECT;
    else if (strcmp(mode, "all") == 0)
        flags = O_NONBLOCK | O_CLOEXEC | O_DIRECT;
    else
        die("unknown mode %s", mode);

    int fds[2];
    if (flags == -1 ? pipe(fds) : pipe2(fds, flags))
        die("pipe");
    printf("fds %d %d\n", fds[0], fds[1]);

    unsigned char a[100];
    for (int i = 0; i < 100; i++)
        a[i] = (unsigned char)(i * 13 + 200);
    const char *b = "second message 20 b\n";

    if (write(fds[1], a, sizeof a) != 100)
        die("write a");
    if (write(fds[1], b, 20) != 20)
        die("write b");

    char buf[4096];
    if (flags != -1 && (flags & O_DIRECT)) {
        if (read(fds[0], buf, sizeof buf) != 100)
            die("read packet a");
        if (memcmp(buf, a, 100) != 0)
            die("packet a differs");
        if (read(fds[0], buf, sizeof buf) != 20)
            die("read packet b");
        if (memcmp(buf, b, 20) != 0)
            die("packet b differs");
    } else {
        if (read(fds[0], buf, sizeof buf) != 120)
            die("read a+b");
        if (memcmp(buf, a, 100) != 0 || memcmp(buf + 100, b, 20) != 0)
            die("data differs");
    }

    if (flags != -1 && (flags & O_NONBLOCK)) {
        errno = 0;
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n != -1 || errno != EAGAIN)
            die("read of empty non-blocking pipe: %zd, errno %d", n, errno);
    }
    if (flags != -1 && (flags & O_CLOEXEC)) {
        if (!(fcntl(fds[0], F_GETFD) & FD_CLOEXEC))
            die("no FD_CLOEXEC");
    }
    return 0;
}
