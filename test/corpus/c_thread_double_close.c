/* c_thread_double_close: two threads, each with its own pipe.  Thread A
 * shuts its channel down on an error path and again in its normal cleanup.
 * bug: the second close(fd) of A runs after thread B's pipe() reused the
 *      number, so it closes B's write end; B's next write fails with EBADF.
 * fixed: A forgets the fd (-1) after the first close, so cleanup skips it.
 * The threads take turns through semaphores, so the reuse happens every run. */
#include <pthread.h>
#include <semaphore.h>

#include "corpus.h"

static int fixed;
static sem_t a_closed_once, b_has_pipe, a_cleaned_up;
static int b_status;

struct channel {
    int rd, wr;
};

/* The error path: both ends go. */
static void channel_shutdown(struct channel *c) {
    close(c->rd);
    close(c->wr);
    c->rd = -1;
    if (fixed)
        c->wr = -1; /* BUG when missing: wr keeps a number that is now free */
}

static void *thread_a(void *arg) {
    (void)arg;
    struct channel a;
    int fds[2];
    if (pipe(fds) != 0)
        corpus_die("pipe");
    a.rd = fds[0];
    a.wr = fds[1];
    channel_shutdown(&a);
    sem_post(&a_closed_once);
    sem_wait(&b_has_pipe);
    if (a.wr >= 0) /* the normal cleanup: B's write end by now, in the bug */
        close(a.wr);
    sem_post(&a_cleaned_up);
    return NULL;
}

static void *thread_b(void *arg) {
    (void)arg;
    sem_wait(&a_closed_once);
    int fds[2];
    if (pipe(fds) != 0)
        corpus_die("pipe");
    sem_post(&b_has_pipe);
    sem_wait(&a_cleaned_up);
    static const char msg[] = "status: ok\n";
    ssize_t n = write(fds[1], msg, sizeof msg - 1);
    if (n != (ssize_t)sizeof msg - 1) {
        fprintf(stderr, "thread B: write on fd %d failed: %s\n", fds[1], strerror(errno));
        b_status = 1;
        return NULL;
    }
    char buf[64];
    n = read(fds[0], buf, sizeof buf);
    b_status = n == (ssize_t)sizeof msg - 1 ? 0 : 1;
    close(fds[0]);
    close(fds[1]);
    return NULL;
}

int main(int argc, char **argv) {
    fixed = corpus_mode(argc, argv);
    sem_init(&a_closed_once, 0, 0);
    sem_init(&b_has_pipe, 0, 0);
    sem_init(&a_cleaned_up, 0, 0);
    pthread_t a, b;
    if (pthread_create(&a, NULL, thread_a, NULL) != 0 ||
        pthread_create(&b, NULL, thread_b, NULL) != 0)
        corpus_die("pthread_create");
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    return b_status;
}
