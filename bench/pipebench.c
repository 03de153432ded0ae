/* pipebench: micro-benchmarks of the calls pipetrace wraps.
 *
 *   pipebench MODE [options]
 *
 * Modes (each prints one line of key=value pairs on stdout):
 *   pingpong  parent and forked child exchange 1-byte messages over two
 *             pipes; ns per round trip
 *   sockpingpong  the same over one socketpair, with send() and recv():
 *             what a socket worker protocol costs
 *   stream    parent writes --bytes into a pipe in 4 KiB and (separately)
 *             64 KiB chunks, the child reads; GB/s for each chunk size
 *   splice    the stream through a pump: parent writes --bytes into pipe A
 *             in 4 KiB and (separately) 64 KiB chunks, a child splice()s A
 *             into pipe B as much as each call takes (up to the chunk), a
 *             second child reads B; GB/s for each chunk size
 *   small     parent streams 16-byte write()s, the child reads with a large
 *             buffer; million write calls per second
 *   stdio     the same byte volume as `small`, written with 16-byte fwrite()s
 *             and read with 16-byte fread()s, default stdio buffering
 *   spawn     --count x fork+exec of /bin/true, then --count x posix_spawn;
 *             microseconds per spawn (includes waiting for the child)
 *   calls     one process makes exactly --calls traced calls on a pipe
 *             (pipe, then 16-byte write and read pairs, then a close) and
 *             nothing else: what a short process costs on disk.  Its result
 *             line must go to a file (a pipe on stdout would be traced too)
 *
 * Timing covers only the steady-state work: the child first reports that it
 * is ready, and the parent stops the clock when the child acknowledges that
 * it has read everything.  Rates use decimal units (1 GB/s = 1e9 bytes/s).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct options {
    long rounds;     /* pingpong round trips */
    long long bytes; /* stream volume */
    long small;      /* 16-byte writes in small and stdio */
    long count;      /* spawns of each kind */
    long calls;      /* traced calls in the calls mode */
    long chunk;      /* stream: only this chunk size (0 = 4 KiB and 64 KiB) */
    int pin_cpu;     /* -1: do not pin */
};

static void die(const char *what) {
    fprintf(stderr, "pipebench: %s: %s\n", what, strerror(errno));
    exit(1);
}

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void make_pipe(int fds[2]) {
    if (pipe(fds) != 0)
        die("pipe");
}

static void write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("write");
        }
        buf += n;
        len -= (size_t)n;
    }
}

/* Reads exactly one byte; exits on EOF or error. */
static void read_byte(int fd) {
    char c;
    for (;;) {
        ssize_t n = read(fd, &c, 1);
        if (n == 1)
            return;
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            errno = EPIPE;
        die("read");
    }
}

/* Reads exactly len bytes (one read() when they are all in the pipe). */
static void read_exact(int fd, char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = read(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EPIPE;
            die("read");
        }
        buf += n;
        len -= (size_t)n;
    }
}

static pid_t fork_or_die(void) {
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    return pid;
}

static void wait_child(pid_t pid) {
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            die("waitpid");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "pipebench: child failed (status 0x%x)\n", status);
        exit(1);
    }
}

/* Pins this process (and so every child forked later) to one CPU. */
static void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        die("sched_setaffinity");
}

/* The first CPU this process may run on: the default for --pin. */
static int first_allowed_cpu(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        die("sched_getaffinity");
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (CPU_ISSET(cpu, &set))
            return cpu;
    }
    return 0;
}

/* --- pingpong ------------------------------------------------------------ */

static void run_pingpong(const struct options *o) {
    int to_child[2], to_parent[2];
    make_pipe(to_child);
    make_pipe(to_parent);

    pid_t pid = fork_or_die();
    if (pid == 0) {
        close(to_child[1]);
        close(to_parent[0]);
        /* One extra round for the start-up handshake. */
        for (long i = 0; i <= o->rounds; i++) {
            read_byte(to_child[0]);
            write_all(to_parent[1], "b", 1);
        }
        _exit(0);
    }
    close(to_child[0]);
    close(to_parent[1]);

    write_all(to_child[1], "a", 1); /* handshake: the child is running */
    read_byte(to_parent[0]);

    double t0 = now_ns();
    for (long i = 0; i < o->rounds; i++) {
        write_all(to_child[1], "a", 1);
        read_byte(to_parent[0]);
    }
    double t1 = now_ns();

    close(to_child[1]);
    close(to_parent[0]);
    wait_child(pid);
    printf("mode=pingpong rounds=%ld ns_per_round=%.1f\n", o->rounds,
           (t1 - t0) / (double)o->rounds);
}

/* --- sockpingpong -------------------------------------------------------- */

static void send_byte(int fd, char c) {
    while (send(fd, &c, 1, 0) != 1)
        if (errno != EINTR)
            die("send");
}

static void recv_byte(int fd) {
    char c;
    for (;;) {
        ssize_t n = recv(fd, &c, 1, 0);
        if (n == 1)
            return;
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            errno = EPIPE;
        die("recv");
    }
}

static void run_sockpingpong(const struct options *o) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        die("socketpair");
    pid_t pid = fork_or_die();
    if (pid == 0) {
        close(sv[0]);
        for (long i = 0; i <= o->rounds; i++) { /* + the handshake */
            recv_byte(sv[1]);
            send_byte(sv[1], 'b');
        }
        _exit(0);
    }
    close(sv[1]);
    send_byte(sv[0], 'a');
    recv_byte(sv[0]);
    double t0 = now_ns();
    for (long i = 0; i < o->rounds; i++) {
        send_byte(sv[0], 'a');
        recv_byte(sv[0]);
    }
    double t1 = now_ns();
    close(sv[0]);
    wait_child(pid);
    printf("mode=sockpingpong rounds=%ld ns_per_round=%.1f\n", o->rounds,
           (t1 - t0) / (double)o->rounds);
}

/* --- stream and small ---------------------------------------------------- */

/* Parent writes `total` bytes in `chunk`-byte write()s; the child reads with
 * a buffer of `read_size` bytes until EOF, then acknowledges.  Returns the
 * elapsed nanoseconds. */
static double timed_stream(long long total, size_t chunk, size_t read_size) {
    int data[2], ack[2];
    make_pipe(data);
    make_pipe(ack);

    pid_t pid = fork_or_die();
    if (pid == 0) {
        close(data[1]);
        close(ack[0]);
        char *buf = malloc(read_size);
        if (buf == NULL)
            die("malloc");
        write_all(ack[1], "r", 1); /* ready */
        long long got = 0;
        for (;;) {
            ssize_t n = read(data[0], buf, read_size);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                die("read");
            }
            if (n == 0)
                break;
            got += n;
        }
        if (got != total) {
            fprintf(stderr, "pipebench: child read %lld of %lld bytes\n", got, total);
            _exit(1);
        }
        write_all(ack[1], "d", 1); /* done */
        _exit(0);
    }
    close(data[0]);
    close(ack[1]);

    char *buf = malloc(chunk);
    if (buf == NULL)
        die("malloc");
    memset(buf, 'x', chunk);
    read_byte(ack[0]);

    double t0 = now_ns();
    long long left = total;
    while (left > 0) {
        size_t n = left < (long long)chunk ? (size_t)left : chunk;
        write_all(data[1], buf, n);
        left -= (long long)n;
    }
    close(data[1]);
    read_byte(ack[0]);
    double t1 = now_ns();

    close(ack[0]);
    wait_child(pid);
    free(buf);
    return t1 - t0;
}

static void run_stream(const struct options *o) {
    long sizes[2] = {4096, 65536};
    int n_sizes = 2;
    if (o->chunk != 0) {
        sizes[0] = o->chunk;
        n_sizes = 1;
    }
    double ns[2];
    for (int i = 0; i < n_sizes; i++)
        ns[i] = timed_stream(o->bytes, (size_t)sizes[i], (size_t)sizes[i]);

    printf("mode=stream bytes=%lld", o->bytes);
    for (int i = 0; i < n_sizes; i++) {
        if (sizes[i] % 1024 == 0)
            printf(" gbps_%ldk=%.3f", sizes[i] / 1024, (double)o->bytes / ns[i]);
        else
            printf(" gbps_%ld=%.3f", sizes[i], (double)o->bytes / ns[i]);
    }
    printf("\n");
}

/* --- splice ------------------------------------------------------------- */

/* Moves what `from` holds into `to` until `from` has no writer left. */
static void splice_pump(int from, int to, size_t chunk) {
    for (;;) {
        ssize_t n = splice(from, NULL, to, NULL, chunk, SPLICE_F_MOVE);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die("splice");
        if (n == 0)
            return;
    }
}

/* Reads fd to EOF with a chunk-byte buffer; returns the bytes read. */
static long long drain(int fd, size_t chunk) {
    char *buf = malloc(chunk);
    if (buf == NULL)
        die("malloc");
    long long got = 0;
    for (;;) {
        ssize_t n = read(fd, buf, chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die("read");
        if (n == 0)
            break;
        got += n;
    }
    free(buf);
    return got;
}

/* writer -> A -> splice pump -> B -> reader, which acknowledges the end.
 * Returns the elapsed nanoseconds. */
static double timed_splice(long long total, size_t chunk) {
    int a[2], b[2], ack[2];
    make_pipe(a);
    make_pipe(b);
    make_pipe(ack);
    pid_t pump = fork_or_die();
    if (pump == 0) {
        close(a[1]);
        close(b[0]);
        close(ack[0]);
        close(ack[1]);
        splice_pump(a[0], b[1], chunk);
        _exit(0);
    }
    pid_t reader = fork_or_die();
    if (reader == 0) {
        close(a[0]);
        close(a[1]);
        close(b[1]);
        close(ack[0]);
        write_all(ack[1], "r", 1); /* ready */
        long long got = drain(b[0], chunk);
        if (got != total) {
            fprintf(stderr, "pipebench: reader got %lld of %lld bytes\n", got, total);
            _exit(1);
        }
        write_all(ack[1], "d", 1); /* done */
        _exit(0);
    }
    close(a[0]);
    close(b[0]);
    close(b[1]);
    close(ack[1]);
    char *buf = malloc(chunk);
    if (buf == NULL)
        die("malloc");
    memset(buf, 'x', chunk);
    read_byte(ack[0]);

    double t0 = now_ns();
    for (long long left = total; left > 0;) {
        size_t n = left < (long long)chunk ? (size_t)left : chunk;
        write_all(a[1], buf, n);
        left -= (long long)n;
    }
    close(a[1]);
    read_byte(ack[0]);
    double t1 = now_ns();

    close(ack[0]);
    wait_child(pump);
    wait_child(reader);
    free(buf);
    return t1 - t0;
}

static void run_splice(const struct options *o) {
    long sizes[2] = {4096, 65536};
    int n_sizes = o->chunk != 0 ? 1 : 2;
    if (o->chunk != 0)
        sizes[0] = o->chunk;
    printf("mode=splice bytes=%lld", o->bytes);
    for (int i = 0; i < n_sizes; i++) {
        double ns = timed_splice(o->bytes, (size_t)sizes[i]);
        if (sizes[i] % 1024 == 0)
            printf(" gbps_%ldk=%.3f", sizes[i] / 1024, (double)o->bytes / ns);
        else
            printf(" gbps_%ld=%.3f", sizes[i], (double)o->bytes / ns);
    }
    printf("\n");
}

static void run_small(const struct options *o) {
    double ns = timed_stream((long long)o->small * 16, 16, 65536);
    printf("mode=small writes=%ld mcalls_per_s=%.3f\n", o->small, (double)o->small / ns * 1e3);
}

/* --- stdio --------------------------------------------------------------- */

static void run_stdio(const struct options *o) {
    int data[2], ack[2];
    make_pipe(data);
    make_pipe(ack);
    long long total = (long long)o->small * 16;

    pid_t pid = fork_or_die();
    if (pid == 0) {
        close(data[1]);
        close(ack[0]);
        FILE *in = fdopen(data[0], "r");
        if (in == NULL)
            die("fdopen");
        write_all(ack[1], "r", 1);
        char rec[16];
        long long got = 0;
        size_t n;
        while ((n = fread(rec, 1, sizeof rec, in)) > 0)
            got += (long long)n;
        if (ferror(in))
            die("fread");
        fclose(in);
        if (got != total) {
            fprintf(stderr, "pipebench: child read %lld of %lld bytes\n", got, total);
            _exit(1);
        }
        write_all(ack[1], "d", 1);
        _exit(0);
    }
    close(data[0]);
    close(ack[1]);
    FILE *out = fdopen(data[1], "w");
    if (out == NULL)
        die("fdopen");
    char rec[16];
    memcpy(rec, "0123456789abcde\n", 16);
    read_byte(ack[0]);

    double t0 = now_ns();
    for (long i = 0; i < o->small; i++) {
        if (fwrite(rec, 1, sizeof rec, out) != sizeof rec)
            die("fwrite");
    }
    if (fclose(out) != 0)
        die("fclose");
    read_byte(ack[0]);
    double t1 = now_ns();

    close(ack[0]);
    wait_child(pid);
    printf("mode=stdio writes=%ld bytes=%lld mcalls_per_s=%.3f mbps=%.1f\n", o->small, total,
           (double)o->small / (t1 - t0) * 1e3, (double)total / (t1 - t0) * 1e3);
}

/* --- spawn --------------------------------------------------------------- */

static const char true_path[] = "/bin/true";

static void run_spawn(const struct options *o) {
    char *argv[] = {(char *)"true", NULL};

    double t0 = now_ns();
    for (long i = 0; i < o->count; i++) {
        pid_t pid = fork_or_die();
        if (pid == 0) {
            execve(true_path, argv, environ);
            _exit(127);
        }
        wait_child(pid);
    }
    double t1 = now_ns();

    for (long i = 0; i < o->count; i++) {
        pid_t pid;
        int err = posix_spawn(&pid, true_path, NULL, NULL, argv, environ);
        if (err != 0) {
            errno = err;
            die("posix_spawn");
        }
        wait_child(pid);
    }
    double t2 = now_ns();

    printf("mode=spawn count=%ld us_fork_exec=%.1f us_posix_spawn=%.1f\n", o->count,
           (t1 - t0) / 1e3 / (double)o->count, (t2 - t1) / 1e3 / (double)o->count);
}

/* --- calls --------------------------------------------------------------- */

/* Exactly o->calls calls on a pipe, none on any other fd that pipetrace
 * traces: pipe() is the first, then write/read pairs of 16 bytes, and when
 * one call is left over, close() of the write end.  The read end stays open
 * until exit, which closes it without a call. */
static void run_calls(const struct options *o) {
    int fds[2];
    make_pipe(fds);
    long left = o->calls - 1;
    char buf[16];
    memcpy(buf, "0123456789abcde\n", sizeof buf);
    for (; left >= 2; left -= 2) {
        write_all(fds[1], buf, sizeof buf);
        read_exact(fds[0], buf, sizeof buf);
    }
    if (left == 1 && close(fds[1]) != 0)
        die("close");
    printf("mode=calls calls=%ld\n", o->calls);
}

/* --- command line -------------------------------------------------------- */

static void usage(FILE *f) {
    fprintf(f, "usage: pipebench MODE [options]\n"
               "modes: pingpong sockpingpong stream splice small stdio spawn calls\n"
               "options:\n"
               "  --rounds=N   (sock)pingpong round trips (default 200000)\n"
               "  --bytes=N    stream and splice volume in bytes (default 1073741824);\n"
               "               suffixes k, m, g (binary) are accepted\n"
               "  --chunk=N    stream and splice only this chunk size (default: 4k\n"
               "               and 64k)\n"
               "  --writes=N   16-byte writes in small and stdio (default 4000000)\n"
               "  --count=N    spawns of each kind (default 2000)\n"
               "  --calls=N    traced calls the calls mode makes (default 10)\n"
               "  --pin[=CPU]  pin both processes to one CPU (default: the first\n"
               "               allowed CPU)\n");
}

/* Parses a positive number with an optional k/m/g (binary) suffix. */
static long long parse_size(const char *opt, const char *s) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end == 'k' || *end == 'K')
        v <<= 10, end++;
    else if (*end == 'm' || *end == 'M')
        v <<= 20, end++;
    else if (*end == 'g' || *end == 'G')
        v <<= 30, end++;
    if (errno != 0 || end == s || *end != '\0' || v <= 0) {
        fprintf(stderr, "pipebench: bad value for %s: '%s'\n", opt, s);
        exit(2);
    }
    return v;
}

/* If arg is "--name=VALUE", returns VALUE, else NULL. */
static const char *option_value(const char *arg, const char *name) {
    size_t len = strlen(name);
    if (strncmp(arg, name, len) == 0 && arg[len] == '=')
        return arg + len + 1;
    return NULL;
}

int main(int argc, char **argv) {
    struct options o = {
        .rounds = 200000,
        .bytes = 1LL << 30,
        .small = 4000000,
        .count = 2000,
        .calls = 10,
        .chunk = 0,
        .pin_cpu = -1,
    };
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *mode = argv[1];
    if (strcmp(mode, "-h") == 0 || strcmp(mode, "--help") == 0) {
        usage(stdout);
        return 0;
    }
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v;
        if ((v = option_value(a, "--rounds")) != NULL)
            o.rounds = (long)parse_size("--rounds", v);
        else if ((v = option_value(a, "--bytes")) != NULL)
            o.bytes = parse_size("--bytes", v);
        else if ((v = option_value(a, "--chunk")) != NULL)
            o.chunk = (long)parse_size("--chunk", v);
        else if ((v = option_value(a, "--writes")) != NULL)
            o.small = (long)parse_size("--writes", v);
        else if ((v = option_value(a, "--count")) != NULL)
            o.count = (long)parse_size("--count", v);
        else if ((v = option_value(a, "--calls")) != NULL)
            o.calls = (long)parse_size("--calls", v);
        else if (strcmp(a, "--pin") == 0)
            o.pin_cpu = first_allowed_cpu();
        else if ((v = option_value(a, "--pin")) != NULL)
            o.pin_cpu = (int)strtol(v, NULL, 10);
        else {
            fprintf(stderr, "pipebench: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (o.pin_cpu >= 0)
        pin(o.pin_cpu);

    /* One line per mode; flush before forking children that inherit it. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (strcmp(mode, "pingpong") == 0)
        run_pingpong(&o);
    else if (strcmp(mode, "sockpingpong") == 0)
        run_sockpingpong(&o);
    else if (strcmp(mode, "stream") == 0)
        run_stream(&o);
    else if (strcmp(mode, "splice") == 0)
        run_splice(&o);
    else if (strcmp(mode, "small") == 0)
        run_small(&o);
    else if (strcmp(mode, "stdio") == 0)
        run_stdio(&o);
    else if (strcmp(mode, "spawn") == 0)
        run_spawn(&o);
    else if (strcmp(mode, "calls") == 0)
        run_calls(&o);
    else {
        fprintf(stderr, "pipebench: unknown mode '%s'\n", mode);
        usage(stderr);
        return 2;
    }
    return 0;
}
