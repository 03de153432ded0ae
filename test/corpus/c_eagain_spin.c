/* c_eagain_spin: a parent reads a non-blocking pipe fed by a slow child.
 * bug: on EAGAIN it tries again at once: a busy loop that burns a CPU for
 *      as long as the child takes (about 300 ms).
 * fixed: on EAGAIN it waits in poll() until the pipe is readable: the
 *      textbook read -> EAGAIN -> poll -> read pattern, which is correct. */
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>

#include "corpus.h"

int main(int argc, char **argv) {
    int fixed = corpus_mode(argc, argv);
    int p[2];
    if (pipe2(p, O_NONBLOCK) != 0)
        corpus_die("pipe2");
    pid_t child = fork();
    if (child < 0)
        corpus_die("fork");
    if (child == 0) {
        close(p[0]);
        int flags = fcntl(p[1], F_GETFL);
        fcntl(p[1], F_SETFL, flags & ~O_NONBLOCK);
        for (int i = 0; i < 3; i++) {
            corpus_sleep_ms(100);
            if (corpus_write_all(p[1], "tick\n", 5) != 0)
                _exit(1);
        }
        _exit(0);
    }
    corpus_announce("parent", getpid());
    corpus_announce("writer", child);
    close(p[1]);
    size_t total = 0;
    for (;;) {
        char buf[256];
        ssize_t n = read(p[0], buf, sizeof buf);
        if (n > 0) {
            total += (size_t)n;
            continue;
        }
        if (n == 0)
            break;
        if (errno != EAGAIN && errno != EINTR)
            corpus_die("read");
        if (fixed) {
            struct pollfd pfd = {p[0], POLLIN, 0};
            if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
                corpus_die("poll");
        }
    }
    waitpid(child, NULL, 0);
    printf("%zu bytes\n", total);
    return total == 15 ? 0 : 1;
}
