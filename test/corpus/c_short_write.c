/* c_short_write: a "never block" logger.  The parent makes its end of the
 * pipe non-blocking and sends one 200 KiB batch; the reader child starts
 * reading 100 ms later.
 * bug: the write returns short (64 KiB, what the pipe holds) and the rest of
 *      the batch is dropped: only write() < 0 is treated as an error.  Both
 *      processes exit 0; 136 KiB never reach the reader.
 * fixed: the remainder is written after poll() says the pipe has room. */
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>

#include "corpus.h"

#define BATCH (200 * 1024)

static void send_batch(int fd, const char *batch, size_t len, int fixed) {
    while (len > 0) {
        ssize_t n = write(fd, batch, len);
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            corpus_die("write");
        if (!fixed)
            return; /* BUG: a short write is taken as done */
        if (n > 0) {
            batch += n;
            len -= (size_t)n;
            continue;
        }
        struct pollfd pfd = {fd, POLLOUT, 0};
        poll(&pfd, 1, -1);
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
        corpus_sleep_ms(100);
        char buf[65536];
        size_t total = 0;
        ssize_t n;
        while ((n = read(p[0], buf, sizeof buf)) > 0)
            total += (size_t)n;
        printf("reader got %zu bytes\n", total);
        fflush(stdout);
        _exit(0);
    }
    corpus_announce("parent", getpid());
    corpus_announce("reader", reader);
    close(p[0]);
    fcntl(p[1], F_SETFL, fcntl(p[1], F_GETFL) | O_NONBLOCK);
    static char batch[BATCH];
    memset(batch, 'L', sizeof batch);
    send_batch(p[1], batch, sizeof batch, fixed);
    close(p[1]);
    waitpid(reader, NULL, 0);
    return 0;
}
