/* c_fork_static_holder: a parent writes to a reader child through a pipe
 * and starts a statically linked helper (corpus_static_sleeper, which the
 * preload library cannot enter) with fork + exec.
 * bug: the pipe has no O_CLOEXEC, so the helper holds the write end across
 *      exec and the reader never sees EOF; the parent waits for the reader
 *      forever.  The helper child makes no traced call before its exec,
 *      and it is started 100 ms after the reader got its data, when the
 *      reader is blocked already: the holder to name arrived after the read
 *      began (the harder order, and the same every run).
 * fixed: pipe2(O_CLOEXEC) (the reader is a fork, not an exec, so it keeps
 *      its end). */
#include <fcntl.h>
#include <sys/wait.h>

#include "corpus.h"

int main(int argc, char **argv) {
    int fixed = corpus_mode(argc, argv);
    int p[2];
    if ((fixed ? pipe2(p, O_CLOEXEC) : pipe(p)) != 0)
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
    close(p[0]);
    if (corpus_write_all(p[1], "job 1\njob 2\n", 12) != 0)
        corpus_die("write");
    corpus_sleep_ms(100); /* the reader has read the jobs and waits for more */

    const char *helper_path = getenv("CORPUS_BIN");
    char path[4096];
    snprintf(path, sizeof path, "%s/corpus_static_sleeper", helper_path ? helper_path : ".");
    pid_t helper = fork();
    if (helper < 0)
        corpus_die("fork");
    if (helper == 0) {
        execl(path, "corpus_static_sleeper", fixed ? "1" : "30", (char *)NULL);
        _exit(127);
    }
    corpus_announce("parent", getpid());
    corpus_announce("reader", reader);
    corpus_announce("helper", helper);
    close(p[1]);
    waitpid(reader, NULL, 0);
    waitpid(helper, NULL, 0);
    return 0;
}
