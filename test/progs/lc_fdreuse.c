/* lc_fdreuse: a pipe's write end is closed behind the library's back
 * (syscall(SYS_close), as glibc does internally for syslog's or NSS's
 * sockets), then socket() gets the same number.  A write to it must be
 * recorded as a write to the socket, not to the old pipe.  Prints
 * "fd N". */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(void) {
    int p[2];
    if (pipe(p) != 0)
        die("pipe");
    if (write(p[1], "x", 1) != 1)
        die("write");
    syscall(SYS_close, p[1]);
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (s != p[1])
        die("socket got fd %d, not %d", s, p[1]);
    (void)!write(s, "y", 1); /* unconnected: fails with ENOTCONN */
    printf("fd %d\n", s);
    return 0;
}
