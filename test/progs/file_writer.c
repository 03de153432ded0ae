/* file_writer PATH: writes "file data\n" into the regular file PATH, then
 * "pipe data\n" into a pipe and reads it back. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(int argc, char **argv) {
    if (argc != 2)
        die("usage: file_writer PATH");
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        die("open %s", argv[1]);
    if (write(fd, "file data\n", 10) != 10)
        die("write file");
    close(fd);
    int fds[2];
    if (pipe(fds))
        die("pipe");
    if (write(fds[1], "pipe data\n", 10) != 10)
        die("write pipe");
    char buf[10];
    if (read(fds[0], buf, sizeof buf) != 10)
        die("read pipe");
    printf("ok\n");
    return 0;
}
