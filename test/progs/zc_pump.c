/* Bytes that move between pipes without passing through a process's
 * memory, across four processes:
 *
 *   writer --A--> pump --B--> reader_b
 *                  \---C--> reader_c
 *
 * The writer fills pipe A three ways: sendfile from the file named by
 * argv[1], write, and vmsplice.  The pump copies what A holds into C with
 * tee, then moves the same bytes into B with splice (as tee(2)'s manual
 * does), until A's writer is gone.  Each reader drains its pipe and prints
 * how many bytes it got; the parent prints what the writer sent.  Every
 * byte crosses A once, B once and C once. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "progs.h"

#define WRITE_BYTES 30000
#define VMSPLICE_BYTES 20000

static char block[WRITE_BYTES];

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0)
            die("write");
        p += w;
        n -= (size_t)w;
    }
}

static void vmsplice_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        struct iovec iov[2] = {{(void *)p, n / 2}, {(void *)(p + n / 2), n - n / 2}};
        ssize_t w = vmsplice(fd, iov, n > 1 ? 2 : 1, 0);
        if (w < 0)
            die("vmsplice");
        p += w;
        n -= (size_t)w;
    }
}

static void sendfile_all(int out, const char *path, size_t size) {
    int in = open(path, O_RDONLY);
    if (in < 0)
        die("open %s", path);
    off_t offset = 0;
    while ((size_t)offset < size)
        if (sendfile(out, in, &offset, size - (size_t)offset) <= 0)
            die("sendfile");
    close(in);
}

static size_t file_size(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0)
        die("stat %s", path);
    return (size_t)st.st_size;
}

static void writer(int a, const char *path) {
    for (size_t i = 0; i < sizeof block; i++)
        block[i] = (char)('a' + i % 26);
    sendfile_all(a, path, file_size(path));
    write_all(a, block, WRITE_BYTES);
    vmsplice_all(a, block, VMSPLICE_BYTES);
}

/* tee what A holds into C, then splice exactly those bytes into B. */
static void pump(int a, int b, int c) {
    for (;;) {
        ssize_t n = tee(a, c, 65536, 0);
        if (n < 0)
            die("tee");
        if (n == 0)
            return;
        while (n > 0) {
            ssize_t m = splice(a, NULL, b, NULL, (size_t)n, SPLICE_F_MOVE);
            if (m <= 0)
                die("splice");
            n -= m;
        }
    }
}

static void reader(int fd, const char *name) {
    char buf[8192];
    long total = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        total += n;
    if (n < 0)
        die("read");
    printf("%s %ld\n", name, total);
}

static int pipes[3][2];

/* Closes every pipe end but those named (-1: none). */
static void close_all_but(int keep_a, int keep_b, int keep_c) {
    for (int p = 0; p < 3; p++)
        for (int end = 0; end < 2; end++) {
            int fd = pipes[p][end];
            if (fd != keep_a && fd != keep_b && fd != keep_c)
                close(fd);
        }
}

static pid_t start(void (*body)(void *), void *arg) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        body(arg);
        fflush(stdout);
        _exit(0);
    }
    return pid;
}

static const char *path_arg;

static void run_writer(void *unused) {
    (void)unused;
    close_all_but(pipes[0][1], -1, -1);
    writer(pipes[0][1], path_arg);
}

static void run_pump(void *unused) {
    (void)unused;
    close_all_but(pipes[0][0], pipes[1][1], pipes[2][1]);
    pump(pipes[0][0], pipes[1][1], pipes[2][1]);
}

static void run_reader_b(void *unused) {
    (void)unused;
    close_all_but(pipes[1][0], -1, -1);
    reader(pipes[1][0], "b");
}

static void run_reader_c(void *unused) {
    (void)unused;
    close_all_but(pipes[2][0], -1, -1);
    reader(pipes[2][0], "c");
}

int main(int argc, char **argv) {
    if (argc != 2)
        die("usage: zc_pump FILE");
    path_arg = argv[1];
    for (int p = 0; p < 3; p++)
        if (pipe(pipes[p]) != 0)
            die("pipe");
    pid_t kids[4] = {start(run_writer, NULL), start(run_pump, NULL), start(run_reader_b, NULL),
                     start(run_reader_c, NULL)};
    close_all_but(-1, -1, -1);
    int bad = 0;
    for (int i = 0; i < 4; i++) {
        int status;
        if (waitpid(kids[i], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            bad = 1;
    }
    printf("sent %zu\n", file_size(argv[1]) + WRITE_BYTES + VMSPLICE_BYTES);
    return bad;
}
