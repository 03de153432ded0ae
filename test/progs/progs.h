/* Small helpers shared by the test programs. */
#ifndef PIPETRACE_TEST_PROGS_H
#define PIPETRACE_TEST_PROGS_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

/* Prints "NAME: message" to stderr and exits with status 1. */
static inline void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static inline void die(const char *fmt, ...) {
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (errno %d: %s)\n", saved, strerror(saved));
    exit(1);
}

/* Byte k of write w in big_captures: printable, and different from one
 * write, page and position to the next. */
static inline char big_capture_byte(int w, size_t k) {
    static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    return digits[(k * 7 + (size_t)w * 13 + k / 61) % 62];
}

static inline void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static inline double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits until process pid is asleep in a system call nr for which
 * match(nr, want) holds (its /proc/PID/syscall begins with that number), so
 * that a program that kills a blocked child kills it inside the call,
 * however loaded the machine, rather than after a fixed time that may be
 * too short.  A traced child has written its call's record by then (the
 * wrapper records before the real call).  Dies after a minute. */
static inline void wait_in_syscall_where(pid_t pid, int (*match)(long nr, long want), long want) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/syscall", (int)pid);
    for (int tries = 0; tries < 60000; tries++) {
        FILE *f = fopen(path, "r");
        if (f == NULL)
            die("open %s", path);
        long now = -2;
        int got = fscanf(f, "%ld", &now);
        fclose(f);
        if (got == 1 && match(now, want))
            return;
        sleep_ms(1);
    }
    die("pid %d never blocked in the system call it waits for (%ld)", (int)pid, want);
}

static inline int syscall_is(long nr, long want) {
    return nr == want;
}

/* The same for one system call, nr. */
static inline void wait_in_syscall(pid_t pid, long nr) {
    wait_in_syscall_where(pid, syscall_is, nr);
}

#endif
