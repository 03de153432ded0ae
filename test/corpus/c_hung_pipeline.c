/* c_hung_pipeline: a parent feeds `sort` through a pipe and waits for it.
 * bug: the parent never closes its write end, so sort never sees EOF and the
 *      parent waits for sort forever (sort blocked in read, parent in wait).
 * fixed: the parent closes the write end once it has written everything. */
#include <sys/wait.h>

#include "corpus.h"

int main(int argc, char **argv) {
    int fixed = corpus_mode(argc, argv);
    int to_sort[2];
    if (pipe(to_sort) != 0)
        corpus_die("pipe");
    pid_t sorter = fork();
    if (sorter < 0)
        corpus_die("fork");
    if (sorter == 0) {
        if (dup2(to_sort[0], 0) < 0)
            _exit(126);
        close(to_sort[0]);
        close(to_sort[1]);
        execlp("sort", "sort", "-n", (char *)NULL);
        _exit(127);
    }
    close(to_sort[0]);
    static const char lines[] = "30\n10\n20\n";
    if (corpus_write_all(to_sort[1], lines, sizeof lines - 1) != 0)
        corpus_die("write");
    if (fixed)
        close(to_sort[1]);
    int status;
    if (waitpid(sorter, &status, 0) < 0)
        corpus_die("waitpid");
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
