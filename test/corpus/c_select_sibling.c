/* c_select_sibling: a parent forks a writer and a long-lived helper, then
 * reads the writer's output in a select() loop until EOF.
 * bug: the helper closes the read end it does not need but keeps the write
 *      end it inherited, so EOF never comes and the select() loop waits
 *      forever.  The writer is done and gone; the helper is the culprit.
 * fixed: the helper closes both ends. */
#include <signal.h>
#include <sys/select.h>
#include <sys/wait.h>

#include "corpus.h"

static void writer(int out) {
    char line[64];
    for (int i = 1; i <= 3; i++) {
        int len = snprintf(line, sizeof line, "result %d\n", i);
        if (corpus_write_all(out, line, (size_t)len) != 0)
            _exit(1);
    }
    _exit(0);
}

/* A helper with a job of its own (here: nothing), running until killed. */
static void helper(void) {
    for (;;)
        pause();
}

int main(int argc, char **argv) {
    int fixed = corpus_mode(argc, argv);
    int results[2];
    if (pipe(results) != 0)
        corpus_die("pipe");
    pid_t writer_pid = fork();
    if (writer_pid < 0)
        corpus_die("fork");
    if (writer_pid == 0) {
        close(results[0]);
        writer(results[1]);
    }
    pid_t helper_pid = fork();
    if (helper_pid < 0)
        corpus_die("fork");
    if (helper_pid == 0) {
        close(results[0]);
        if (fixed)
            close(results[1]);
        helper();
    }
    corpus_announce("parent", getpid());
    corpus_announce("writer", writer_pid);
    corpus_announce("helper", helper_pid);
    close(results[1]);

    size_t total = 0;
    for (;;) {
        fd_set readable;
        FD_ZERO(&readable);
        FD_SET(results[0], &readable);
        if (select(results[0] + 1, &readable, NULL, NULL, NULL) < 0) {
            if (errno == EINTR)
                continue;
            corpus_die("select");
        }
        char buf[256];
        ssize_t n = read(results[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        total += (size_t)n;
    }
    printf("%zu bytes of results\n", total);
    kill(helper_pid, SIGTERM);
    waitpid(writer_pid, NULL, 0);
    waitpid(helper_pid, NULL, 0);
    return 0;
}
