/* The zero-copy calls at their edges, each printed as "call result errno":
 * bad offset and iovec pointers (EFAULT: the wrapper must not read them
 * first and crash), bad fds (EBADF), and the caller's errno left alone by a
 * call that succeeded.  Traced and untraced runs must print the same. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <unistd.h>

#include "progs.h"

static void show(const char *what, ssize_t r) {
    printf("%s %zd %d\n", what, r, r < 0 ? errno : 0);
}

int main(int argc, char **argv) {
    if (argc != 2)
        die("usage: zc_edges FILE");
    int file = open(argv[1], O_RDONLY);
    int other = open(argv[1], O_RDONLY);
    int p[2], q[2];
    if (file < 0 || other < 0 || pipe(p) != 0 || pipe(q) != 0)
        die("setup");
    loff_t *bad_off = (loff_t *)8;
    show("splice-bad-off", splice(file, bad_off, p[1], NULL, 5, 0));
    show("sendfile-bad-off", sendfile(p[1], file, (off_t *)8, 5));
    show("vmsplice-bad-iov", vmsplice(p[1], (const struct iovec *)8, 1, 0));
    show("copy_file_range-bad-off", copy_file_range(file, bad_off, other, NULL, 5, 0));
    show("splice-bad-fd", splice(-1, NULL, p[1], NULL, 5, 0));
    show("tee-bad-fd", tee(p[0], 999, 5, 0));
    show("splice-pipe-off", splice(p[0], bad_off, q[1], NULL, 5, 0)); /* ESPIPE */
    loff_t off = 2;
    errno = 4242;
    ssize_t r = splice(file, &off, p[1], NULL, 3, 0);
    printf("splice-ok %zd errno-kept %d off %lld\n", r, errno, (long long)off);
    errno = 4343;
    r = tee(p[0], q[1], 3, SPLICE_F_NONBLOCK);
    printf("tee-ok %zd errno-kept %d\n", r, errno);
    show("tee-from-write-end", tee(p[1], q[1], 3, SPLICE_F_NONBLOCK));
    char buf[8];
    struct iovec iov = {buf, sizeof buf};
    errno = 4444;
    r = vmsplice(q[0], &iov, 1, 0);
    printf("vmsplice-read %zd errno-kept %d \"%.*s\"\n", r, errno, r > 0 ? (int)r : 0, buf);
    return 0;
}
