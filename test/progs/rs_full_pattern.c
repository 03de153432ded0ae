/* rs_full_pattern TOTAL_BYTES READ_SIZE CHUNK...: a forked child writes
 * TOTAL_BYTES into a pipe in write()s of the CHUNK sizes in turn; we read
 * them with a READ_SIZE buffer and check every byte.  Each byte depends on
 * its position in the stream (rs_full_pattern_byte), never repeating with a
 * period a chunk or a page could hide, so a capture that lost, doubled or
 * shifted bytes cannot match.  Prints "read N ok". */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

/* The same function as the test's (recorder_safety_test.cc). */
static uint8_t pattern_byte(uint64_t at) {
    return (uint8_t)(at * 131 + (at >> 8) * 7 + (at >> 16) * 3);
}

static void write_stream(int fd, long total, char **chunk_args, int chunks) {
    long biggest = 0;
    for (int i = 0; i < chunks; i++)
        if (atol(chunk_args[i]) > biggest)
            biggest = atol(chunk_args[i]);
    uint8_t *buf = malloc((size_t)biggest);
    if (!buf || biggest <= 0)
        die("chunk sizes");
    long done = 0;
    for (int i = 0; done < total; i = (i + 1) % chunks) {
        long n = atol(chunk_args[i]);
        if (n > total - done)
            n = total - done;
        for (long k = 0; k < n; k++)
            buf[k] = pattern_byte((uint64_t)(done + k));
        for (long off = 0; off < n;) {
            ssize_t w = write(fd, buf + off, (size_t)(n - off));
            if (w < 0)
                die("write");
            off += w;
        }
        done += n;
    }
}

static long read_and_check(int fd, long read_size) {
    uint8_t *buf = malloc((size_t)read_size);
    if (!buf)
        die("malloc");
    long got = 0;
    ssize_t n;
    while ((n = read(fd, buf, (size_t)read_size)) > 0) {
        for (ssize_t k = 0; k < n; k++)
            if (buf[k] != pattern_byte((uint64_t)(got + k)))
                die("byte %ld differs", got + k);
        got += n;
    }
    if (n < 0)
        die("read");
    return got;
}

int main(int argc, char **argv) {
    if (argc < 4)
        die("usage: rs_full_pattern TOTAL_BYTES READ_SIZE CHUNK...");
    long total = atol(argv[1]), read_size = atol(argv[2]);
    int p[2];
    if (pipe(p) != 0)
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(p[0]);
        write_stream(p[1], total, argv + 3, argc - 3);
        _exit(0);
    }
    close(p[1]);
    long got = read_and_check(p[0], read_size);
    int status;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("writer failed");
    printf("read %ld %s\n", got, got == total ? "ok" : "short");
    return 0;
}
