/* Helpers shared by the corpus programs (test/corpus/NAME.c).
 *
 * Every corpus program takes one argument, "bug" or "fixed", and runs the
 * buggy or the corrected variant of the same code, so the difference between
 * the two is the few lines guarded by `fixed`.  A program that forks processes
 * the scorer cannot tell apart by their command line announces their pids on
 * stderr as "corpus: NAME=PID" (cases.json refers to them as
 * {"announced": "NAME"}). */
#ifndef PIPETRACE_CORPUS_H
#define PIPETRACE_CORPUS_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* Prints "PROGRAM: message (errno N: text)" on stderr and exits 1. */
static inline void corpus_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static inline void corpus_die(const char *fmt, ...) {
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (errno %d: %s)\n", saved, strerror(saved));
    exit(1);
}

/* 1 for "fixed", 0 for "bug"; anything else is a usage error (exit 2). */
static inline int corpus_mode(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "bug") == 0)
        return 0;
    if (argc == 2 && strcmp(argv[1], "fixed") == 0)
        return 1;
    fprintf(stderr, "usage: %s bug|fixed\n", argv[0]);
    exit(2);
}

/* Tells the scorer which pid plays which part.  Unbuffered stderr: the line
 * is out before the program can hang. */
static inline void corpus_announce(const char *name, pid_t pid) {
    fprintf(stderr, "corpus: %s=%d\n", name, (int)pid);
}

static inline void corpus_sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Writes all of buf to a blocking fd, retrying short writes and EINTR. */
static inline int corpus_write_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

#endif
