/* c_exited_holder: a parent forks a writer and a reader on one pipe.  The
 * writer writes, keeps the pipe until the reader has taken the bytes and is
 * blocked in its next read, then closes it and exits.
 * bug: the parent keeps its own copy of the write end while it waits for
 *      the reader, so the reader never sees EOF.  The culprit is the parent;
 *      the writer, which held the write end when the reader's read began,
 *      had closed it and exited long before the hang and must not be blamed.
 * fixed: the parent closes both ends after the forks. */
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "corpus.h"

/* Whether pid is blocked in read(2) right now ("running" when it is not in
 * a system call's sleep). */
static int blocked_in_read(pid_t pid) {
    char path[64], line[64];
    snprintf(path, sizeof path, "/proc/%d/syscall", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    int in_read = fgets(line, sizeof line, f) != NULL && line[0] >= '0' && line[0] <= '9' &&
                  atoi(line) == SYS_read;
    fclose(f);
    return in_read;
}

/* Until the reader has taken everything in the pipe and waits for more. */
static void wait_reader_drained(int write_end, pid_t reader) {
    for (;;) {
        int queued = -1;
        if (ioctl(write_end, FIONREAD, &queued) == 0 && queued == 0 && blocked_in_read(reader))
            return;
        corpus_sleep_ms(1);
    }
}

int main(int argc, char **argv) {
    int fixed = corpus_mode(argc, argv);
    int p[2];
    if (pipe(p) != 0)
        corpus_die("pipe");
    pid_t reader = fork();
    if (reader < 0)
        corpus_die("fork");
    if (reader == 0) {
        close(p[1]);
        char buf[64];
        size_t total = 0;
        ssize_t n;
        while ((n = read(p[0], buf, sizeof buf)) > 0)
            total += (size_t)n;
        printf("reader got %zu bytes\n", total);
        fflush(stdout);
        _exit(0);
    }
    pid_t writer = fork();
    if (writer < 0)
        corpus_die("fork");
    if (writer == 0) {
        close(p[0]);
        if (corpus_write_all(p[1], "hello\n", 6) != 0)
            _exit(1);
        wait_reader_drained(p[1], reader); /* its next read is blocked */
        close(p[1]);
        _exit(0);
    }
    corpus_announce("parent", getpid());
    corpus_announce("writer", writer);
    corpus_announce("reader", reader);
    close(p[0]);
    if (fixed)
        close(p[1]);
    waitpid(writer, NULL, 0);
    waitpid(reader, NULL, 0);
    return 0;
}
