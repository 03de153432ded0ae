/* bug_interleave: two children write 64 KiB records into one pipe; each
 * write is larger than PIPE_BUF, so the kernel may interleave them.  The
 * parent reads only once both children are blocked in write() on the full
 * pipe, so that their writes are going on at the same time in every run. */
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

#define CHUNK 65536
#define CHUNKS 4

static void writer(int fd, char c) {
    static char buf[CHUNK];
    memset(buf, c, sizeof buf);
    for (int i = 0; i < CHUNKS; i++)
        for (size_t done = 0; done < CHUNK;) {
            ssize_t n = write(fd, buf + done, CHUNK - done);
            if (n <= 0)
                die("write");
            done += (size_t)n;
        }
    _exit(0);
}

/* Waits until pid is blocked inside the write system call (a process
 * that runs shows "running" there).  No time limit: a wait given up would
 * let the writers run one after the other, and the test's own timeout
 * catches a writer that never blocks. */
static void wait_in_write(pid_t pid) {
    char path[64], buf[64];
    snprintf(path, sizeof path, "/proc/%d/syscall", (int)pid);
    for (;;) {
        FILE *f = fopen(path, "r");
        int nr = -1;
        if (f != NULL) {
            if (fgets(buf, sizeof buf, f) != NULL && buf[0] >= '0' && buf[0] <= '9')
                nr = atoi(buf);
            fclose(f);
        }
        if (nr == SYS_write)
            return;
        if (waitpid(pid, NULL, WNOHANG) == pid)
            die("writer %d ended before it blocked in write", (int)pid);
        sleep_ms(1);
    }
}

int main(void) {
    int fds[2];
    if (pipe(fds))
        die("pipe");
    pid_t a = fork();
    if (a == 0) {
        close(fds[0]);
        writer(fds[1], 'a');
    }
    pid_t b = fork();
    if (b == 0) {
        close(fds[0]);
        writer(fds[1], 'b');
    }
    close(fds[1]);
    wait_in_write(a);
    wait_in_write(b);
    char buf[8192];
    while (read(fds[0], buf, sizeof buf) > 0) {
    }
    waitpid(a, NULL, 0);
    waitpid(b, NULL, 0);
    return 0;
}
