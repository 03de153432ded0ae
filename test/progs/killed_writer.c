/* killed_writer: a forked writer writes 100-byte chunks into a pipe forever,
 * counting each write that returned 100 in shared memory.  The parent reads
 * the pipe; once at least 2000 writes completed it SIGKILLs the writer in
 * mid-stream, reaps it and prints "writer PID completed N signal S", N being
 * the writes the writer saw complete (the trace must hold N or N+1 finished
 * writes: the last one may have returned but not been counted yet). */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(void) {
    long *completed =
        mmap(NULL, sizeof(long), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (completed == MAP_FAILED)
        die("mmap");
    int fds[2];
    if (pipe(fds))
        die("pipe");
    fflush(stdout);
    pid_t writer = fork();
    if (writer < 0)
        die("fork");
    if (writer == 0) {
        close(fds[0]);
        char chunk[100];
        memset(chunk, 'K', sizeof chunk);
        for (;;) {
            if (write(fds[1], chunk, sizeof chunk) != 100)
                die("write");
            __atomic_add_fetch(completed, 1, __ATOMIC_SEQ_CST);
        }
    }
    close(fds[1]);

    char buf[65536];
    double give_up = now_s() + 20;
    while (__atomic_load_n(completed, __ATOMIC_SEQ_CST) < 2000) {
        if (read(fds[0], buf, sizeof buf) <= 0)
            die("read");
        if (now_s() > give_up)
            die("writer too slow");
    }
    if (kill(writer, SIGKILL))
        die("kill");
    int status;
    if (waitpid(writer, &status, 0) != writer)
        die("waitpid");
    printf("writer %d completed %ld signal %d\n", (int)writer,
           __atomic_load_n(completed, __ATOMIC_SEQ_CST),
           WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return 0;
}
