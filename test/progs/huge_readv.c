/* huge_readv: readv of a pipe into one iovec that says 8 GiB (the kernel
 * checks only that the range is user memory, and writes only the 5 bytes
 * the pipe holds); prints what it read. */
#define _GNU_SOURCE
#include <sys/uio.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(void) {
    int fds[2];
    if (pipe(fds))
        die("pipe");
    if (write(fds[1], "hello", 5) != 5)
        die("write");
    static char buf[64];
    struct iovec iov = {buf, (size_t)1 << 33};
    ssize_t n = readv(fds[0], &iov, 1);
    if (n != 5)
        die("readv: %zd", n);
    printf("read %.5s\n", buf);
    return 0;
}
