/* c_exited_holder: a parent forks a writer and a reader on one pipe.  The
 * writer writes, keeps the pipe a while, then closes it and exits.
 * bug: the parent keeps its own copy of the write end while it waits for
 *      the reader, so the reader never sees EOF.  The culprit is the parent;
 *      the writer, which held the write end when the reader's read began,
 *      had closed it and exited long before the hang and must not be blamed.
 * fixed: the parent closes both ends after the forks. */
#include <sys/wait.h>

#include "corpus.h"

int main(int argc, char **argv) {
    int fixed = corpus_mode(argc, argv);
    int p[2];
    if (pipe(p) != 0)
        corpus_die("pipe");
    pid_t writer = fork();
    if (writer < 0)
        corpus_die("fork");
    if (writer == 0) {
        close(p[0]);
        if (corpus_write_all(p[1], "hello\n", 6) != 0)
            _exit(1);
        corpus_sleep_ms(300); /* the reader is blocked in its next read now */
        close(p[1]);
        _exit(0);
    }
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
