/* lc_dup2all: dup2(1, n) for every n from 3 to 1023 (stdout copied onto
 * every fd number a library could hold), writes "via 1000\n" through fd
 * 1000, closes 3..1023 again, then makes a pipe, writes "after dup2\n" into
 * it and reads it back.  Prints:
 *   dup2 ok 1021
 *   via 1000
 *   pipe R W
 *   read: after dup2
 * and exits with status 0 (1 if a dup2 did not return its newfd). */
#define _GNU_SOURCE
#include <sys/resource.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 1024) {
        rl.rlim_cur = rl.rlim_max < 1024 ? rl.rlim_max : 1024;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    fflush(stdout);
    int ok = 0;
    for (int fd = 3; fd <= 1023; fd++) {
        if (dup2(1, fd) == fd)
            ok++;
        else
            fprintf(stderr, "dup2(1, %d) failed: %s\n", fd, strerror(errno));
    }
    printf("dup2 ok %d\n", ok);
    fflush(stdout);
    if (write(1000, "via 1000\n", 9) != 9)
        die("write 1000");
    for (int fd = 3; fd <= 1023; fd++)
        close(fd);
    int p[2];
    if (pipe(p))
        die("pipe");
    printf("pipe %d %d\n", p[0], p[1]);
    const char msg[] = "after dup2\n";
    if (write(p[1], msg, sizeof msg - 1) != (ssize_t)sizeof msg - 1)
        die("write");
    char buf[64];
    ssize_t n = read(p[0], buf, sizeof buf - 1);
    if (n < 0)
        die("read");
    buf[n] = 0;
    printf("read: %s", buf);
    return ok == 1021 ? 0 : 1;
}
