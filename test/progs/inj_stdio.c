/* inj_stdio write N | read: stdio at a pipe, for injection into stdio's
 * own reads and writes.  write prints N numbered 32-byte lines with
 * printf and fwrite, flushes, and on any failure says so on stderr and
 * exits 1 (as a careful stdio program does); read counts the bytes and
 * lines of stdin read with fgets and prints them, or says a read failed
 * and exits 1. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>

#include "test/progs/progs.h"

static int write_lines(long n) {
    for (long i = 0; i < n; i++) {
        /* every other line by fwrite, so both reach the flushes */
        if (i % 2 == 0 && printf("line %08ld of the stdio test\n", i) < 0)
            die("inj_stdio: printf failed");
        if (i % 2 == 1 && fwrite("an fwrite line of 32 bytes.....\n", 1, 32, stdout) != 32)
            die("inj_stdio: fwrite failed");
    }
    if (fflush(stdout) == EOF || ferror(stdout))
        die("inj_stdio: fflush failed");
    return 0;
}

static int read_lines(void) {
    char line[256];
    long bytes = 0, lines = 0;
    while (fgets(line, sizeof line, stdin) != NULL) {
        bytes += (long)strlen(line);
        lines++;
    }
    if (ferror(stdin))
        die("inj_stdio: read failed after %ld bytes", bytes);
    printf("read %ld bytes %ld lines\n", bytes, lines);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "write") == 0)
        return write_lines(atol(argv[2]));
    if (argc == 2 && strcmp(argv[1], "read") == 0)
        return read_lines();
    die("usage: inj_stdio write N | read");
}
