/* c_selfpipe (benign): the self-pipe trick.  A SIGCHLD handler writes one
 * byte into a non-blocking pipe; the main loop waits in poll(), then drains
 * the pipe until EAGAIN and reaps the children.  Correct code: the EAGAINs
 * end each drain, they are not a busy loop. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include "corpus.h"

static int wake[2];

static void on_child(int sig) {
    (void)sig;
    int saved = errno;
    ssize_t ignored = write(wake[1], "c", 1);
    (void)ignored;
    errno = saved;
}

int main(void) {
    if (pipe2(wake, O_NONBLOCK | O_CLOEXEC) != 0)
        corpus_die("pipe2");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_child;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);

    int running = 0;
    for (int i = 1; i <= 4; i++) {
        pid_t pid = fork();
        if (pid < 0)
            corpus_die("fork");
        if (pid == 0) {
            corpus_sleep_ms(50L * i);
            _exit(0);
        }
        running++;
    }
    while (running > 0) {
        struct pollfd pfd = {wake[0], POLLIN, 0};
        if (poll(&pfd, 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            corpus_die("poll");
        }
        char buf[64];
        while (read(wake[0], buf, sizeof buf) > 0) {
        }
        if (errno != EAGAIN)
            corpus_die("read");
        while (waitpid(-1, NULL, WNOHANG) > 0)
            running--;
    }
    printf("all children reaped\n");
    return 0;
}
