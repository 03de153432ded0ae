/* c_eintr_reader: a reader with a SIGALRM "progress" timer installed
 * without SA_RESTART, so a blocked read() returns -1/EINTR when it fires.
 * bug: the read loop is `while ((n = read(...)) > 0)`: the EINTR ends it.
 *      The writer's second chunk (5000 bytes) arrives afterwards and is
 *      still in the pipe when the reader closes it: lost, both exit 0.
 * fixed: the loop retries on EINTR and reads to EOF.
 * The writer sends its second chunk only after the reader saw the EINTR
 * (a "go" pipe), so the bytes are lost every run, not by chance. */
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "corpus.h"

static void on_alarm(int sig) {
    (void)sig;
}

int main(int argc, char **argv) {
    int fixed = corpus_mode(argc, argv);
    int data[2], go[2];
    if (pipe(data) != 0 || pipe(go) != 0)
        corpus_die("pipe");
    pid_t writer = fork();
    if (writer < 0)
        corpus_die("fork");
    if (writer == 0) {
        close(data[0]);
        close(go[1]);
        static char chunk[5000];
        memset(chunk, 'd', sizeof chunk);
        if (corpus_write_all(data[1], chunk, 1000) != 0)
            _exit(1);
        char c;
        if (read(go[0], &c, 1) != 1)
            _exit(1);
        if (corpus_write_all(data[1], chunk, sizeof chunk) != 0)
            _exit(1);
        _exit(0);
    }
    corpus_announce("parent", getpid());
    corpus_announce("writer", writer);
    close(data[1]);
    close(go[0]);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART */
    sigaction(SIGALRM, &sa, NULL);
    /* Every 100 ms until the first EINTR, in case the first tick comes
     * before the read blocks. */
    struct itimerval timer = {{0, 100 * 1000}, {0, 100 * 1000}};
    setitimer(ITIMER_REAL, &timer, NULL);

    size_t total = 0;
    int interrupted = 0;
    char buf[1024];
    for (;;) {
        ssize_t n = read(data[0], buf, sizeof buf);
        if (n > 0) {
            total += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) {
            if (!interrupted) {
                struct itimerval off = {{0, 0}, {0, 0}};
                setitimer(ITIMER_REAL, &off, NULL);
                if (write(go[1], "g", 1) != 1) /* let the writer go on */
                    corpus_die("write");
                interrupted = 1;
            }
            if (fixed)
                continue;
        }
        break;
    }
    waitpid(writer, NULL, 0); /* its second chunk is in the pipe now */
    close(data[0]);
    printf("read %zu bytes\n", total);
    return 0;
}
