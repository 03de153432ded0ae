/* rs_as_limit LIMIT_MB ALLOC_MB [late]: under RLIMIT_AS of LIMIT_MB
 * megabytes (ulimit -v; 0: no limit), moves bytes through a pipe (so that a
 * traced run makes and grows its trace), then asks malloc for ALLOC_MB MiB,
 * then moves more bytes (issue 17 item 5).  With "late", the limit is set
 * only after the first bytes moved, as a traced shell running `ulimit -v`
 * does.  Prints what worked. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

/* Moves `total` bytes from a child to us through a pipe. */
static long move_bytes(long total) {
    int p[2];
    if (pipe(p) != 0)
        die("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        char chunk[4096];
        memset(chunk, 'a', sizeof chunk);
        for (long done = 0; done < total; done += (long)sizeof chunk)
            if (write(p[1], chunk, sizeof chunk) < 0)
                _exit(1);
        _exit(0);
    }
    close(p[1]);
    char buf[4096];
    long got = 0;
    ssize_t n;
    while ((n = read(p[0], buf, sizeof buf)) > 0)
        got += n;
    close(p[0]);
    waitpid(pid, NULL, 0);
    return got;
}

int main(int argc, char **argv) {
    if (argc < 3)
        die("usage: rs_as_limit LIMIT_MB ALLOC_MB [late]");
    int late = argc > 3 && strcmp(argv[3], "late") == 0;
    struct rlimit lim;
    lim.rlim_cur = lim.rlim_max = (rlim_t)atol(argv[1]) * 1000 * 1000;
    if (!late && lim.rlim_cur && setrlimit(RLIMIT_AS, &lim) != 0)
        die("setrlimit");
    printf("before: moved %ld\n", move_bytes(1 << 20));
    if (late && lim.rlim_cur && setrlimit(RLIMIT_AS, &lim) != 0)
        die("setrlimit");
    size_t want = (size_t)atol(argv[2]) << 20;
    char *p = malloc(want);
    printf("malloc %s MiB: %s\n", argv[2], p ? "ok" : "failed");
    if (p)
        p[want - 1] = 1;
    printf("after: moved %ld\n", move_bytes(4 << 20));
    free(p);
    return 0;
}
