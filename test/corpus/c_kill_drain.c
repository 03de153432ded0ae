/* c_kill_drain (benign): a parent reads a child's progress lines, decides it
 * has seen enough, kills the child, reaps it, and then drains the pipe to
 * EOF, which comes at once because the only writer is dead.  Nothing stays
 * blocked.  With "before-reap" it drains before it reaps, as CPython's
 * Popen.kill() then communicate() does: the kill is all that tells the
 * drain from a read that hung until someone killed the writer. */
#include <signal.h>
#include <sys/wait.h>

#include "corpus.h"

int main(int argc, char **argv) {
    int reap_first = !(argc > 1 && strcmp(argv[1], "before-reap") == 0);
    int p[2];
    if (pipe(p) != 0)
        corpus_die("pipe");
    pid_t child = fork();
    if (child < 0)
        corpus_die("fork");
    if (child == 0) {
        close(p[0]);
        for (int i = 1; i <= 3; i++) {
            char line[32];
            int len = snprintf(line, sizeof line, "progress %d\n", i);
            if (corpus_write_all(p[1], line, (size_t)len) != 0)
                _exit(1);
        }
        for (;;) /* a job that would never end */
            pause();
    }
    close(p[1]);
    char buf[256];
    ssize_t n = read(p[0], buf, sizeof buf);
    if (n <= 0)
        corpus_die("read");
    kill(child, SIGTERM);
    if (reap_first)
        waitpid(child, NULL, 0);
    size_t rest = 0;
    while ((n = read(p[0], buf, sizeof buf)) > 0)
        rest += (size_t)n;
    if (!reap_first)
        waitpid(child, NULL, 0);
    printf("cancelled; %zu bytes drained after the kill\n", rest);
    return 0;
}
