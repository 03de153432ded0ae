/* big_write MiB: the parent writes MiB mebibytes into a pipe with a single
 * write() call; a forked child reads them all.  Prints "read N". */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(int argc, char **argv) {
    size_t size = (argc > 1 ? (size_t)atoi(argv[1]) : 20) << 20;
    int p[2];
    if (pipe(p) != 0)
        die("pipe");
    pid_t child = fork();
    if (child == 0) {
        close(p[1]);
        static char buf[1 << 16];
        size_t total = 0;
        ssize_t n;
        while ((n = read(p[0], buf, sizeof buf)) > 0)
            total += (size_t)n;
        printf("read %zu\n", total);
        return 0;
    }
    close(p[0]);
    char *data = malloc(size);
    if (data == NULL)
        die("malloc");
    for (size_t i = 0; i < size; i++)
        data[i] = (char)('a' + i % 26);
    if (write(p[1], data, size) != (ssize_t)size)
        die("write");
    close(p[1]);
    waitpid(child, NULL, 0);
    return 0;
}
