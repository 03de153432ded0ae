/* c_fork_silent_holder: like c_fork_static_holder, but the helper is a fork
 * child that execs nothing: it goes straight to waiting for a signal
 * (pause), so it makes no traced call and leaves no trace file of its own.
 * The model can only know it from the parent's fork record.
 * bug: the helper keeps the write end it inherited; the reader never sees
 *      EOF, and the parent waits for the reader forever.
 * fixed: the helper closes both ends first; the parent stops it at the end. */
#include <signal.h>
#include <sys/wait.h>

#include "corpus.h"

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
        char buf[256];
        size_t total = 0;
        ssize_t n;
        while ((n = read(p[0], buf, sizeof buf)) > 0)
            total += (size_t)n;
        printf("reader got %zu bytes\n", total);
        fflush(stdout);
        _exit(0);
    }
    pid_t helper = fork();
    if (helper < 0)
        corpus_die("fork");
    if (helper == 0) {
        if (fixed) {
            close(p[0]);
            close(p[1]);
        }
        for (;;)
            pause();
    }
    corpus_announce("parent", getpid());
    corpus_announce("reader", reader);
    corpus_announce("helper", helper);
    close(p[0]);
    if (corpus_write_all(p[1], "job 1\njob 2\n", 12) != 0)
        corpus_die("write");
    close(p[1]);
    waitpid(reader, NULL, 0);
    kill(helper, SIGTERM);
    waitpid(helper, NULL, 0);
    return 0;
}
