/* c_socketpair_hang: a parent sends a request over a socketpair to a forked
 * worker, which recv()s until end of stream and answers on stdout.
 * bug: the worker never closes the parent's end (sv[0]) it inherited: the
 *      stream's other side stays open in the worker itself, so its recv()
 *      never returns 0, and the parent waits for the worker forever.
 * fixed: the worker closes sv[0] first. */
#include <sys/socket.h>
#include <sys/wait.h>

#include "corpus.h"

static void worker(int in) {
    char buf[256];
    size_t total = 0;
    ssize_t n;
    while ((n = recv(in, buf, sizeof buf, 0)) > 0)
        total += (size_t)n;
    printf("worker: request of %zu bytes\n", total);
    fflush(stdout);
    _exit(0);
}

int main(int argc, char **argv) {
    int fixed = corpus_mode(argc, argv);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        corpus_die("socketpair");
    fflush(stdout);
    pid_t child = fork();
    if (child < 0)
        corpus_die("fork");
    if (child == 0) {
        if (fixed)
            close(sv[0]);
        worker(sv[1]);
    }
    corpus_announce("parent", getpid());
    corpus_announce("worker", child);
    close(sv[1]);
    static const char request[] = "GET /status\n";
    if (send(sv[0], request, sizeof request - 1, 0) != (ssize_t)sizeof request - 1)
        corpus_die("send");
    close(sv[0]);
    waitpid(child, NULL, 0);
    return 0;
}
