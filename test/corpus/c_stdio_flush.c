/* c_stdio_flush: a child prints a 200 KiB report on stdout (a pipe) with
 * printf; the parent collects it.
 * bug: the child made its stdout non-blocking ("so a slow reader never
 *      stalls us") and the parent only starts reading once the child has
 *      exited.  stdio's writes fail with EAGAIN once the pipe is full; the
 *      child never checks (no fflush/ferror), exits 0, and most of the report
 *      is lost.
 * fixed: stdout stays blocking, the parent reads while the child writes,
 *      and the child checks fflush() before exiting 0. */
#include <fcntl.h>
#include <sys/wait.h>

#include "corpus.h"

static void print_report(int fixed) {
    for (int i = 0; i < 20000; i++)
        printf("line %05d ok\n", i); /* 14 bytes a line: 280000 bytes */
    if (fixed && fflush(stdout) != 0)
        exit(1);
    exit(0);
}

static size_t read_all(int fd) {
    char buf[65536];
    size_t total = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        total += (size_t)n;
    return total;
}

int main(int argc, char **argv) {
    int fixed = corpus_mode(argc, argv);
    int p[2];
    if (pipe(p) != 0)
        corpus_die("pipe");
    fflush(stdout);
    pid_t child = fork();
    if (child < 0)
        corpus_die("fork");
    if (child == 0) {
        close(p[0]);
        if (dup2(p[1], 1) < 0)
            _exit(126);
        close(p[1]);
        if (!fixed)
            fcntl(1, F_SETFL, fcntl(1, F_GETFL) | O_NONBLOCK);
        print_report(fixed);
    }
    corpus_announce("parent", getpid());
    corpus_announce("reporter", child);
    close(p[1]);
    size_t total = 0;
    int status;
    if (!fixed)
        waitpid(child, &status, 0);
    total = read_all(p[0]);
    if (fixed)
        waitpid(child, &status, 0);
    printf("report: %zu of 280000 bytes\n", total);
    return 0;
}
