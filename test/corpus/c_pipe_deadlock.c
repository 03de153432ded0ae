/* c_pipe_deadlock: a parent sends 256 KiB through `cat` and reads it back.
 * bug: the parent writes everything before it reads anything.  cat fills
 *      its output pipe and blocks writing; the parent fills cat's input pipe
 *      and blocks writing too: each waits for the other to read.
 * fixed: a second thread writes while the main thread reads. */
#include <pthread.h>
#include <sys/wait.h>

#include "corpus.h"

#define PAYLOAD (256 * 1024)

static int to_cat_wr;

static void *send_payload(void *arg) {
    (void)arg;
    static char payload[PAYLOAD];
    memset(payload, 'x', sizeof payload);
    if (corpus_write_all(to_cat_wr, payload, sizeof payload) != 0)
        corpus_die("write");
    close(to_cat_wr);
    return NULL;
}

int main(int argc, char **argv) {
    int fixed = corpus_mode(argc, argv);
    int to_cat[2], from_cat[2];
    if (pipe(to_cat) != 0 || pipe(from_cat) != 0)
        corpus_die("pipe");
    pid_t cat = fork();
    if (cat < 0)
        corpus_die("fork");
    if (cat == 0) {
        if (dup2(to_cat[0], 0) < 0 || dup2(from_cat[1], 1) < 0)
            _exit(126);
        close(to_cat[0]);
        close(to_cat[1]);
        close(from_cat[0]);
        close(from_cat[1]);
        execlp("cat", "cat", (char *)NULL);
        _exit(127);
    }
    close(to_cat[0]);
    close(from_cat[1]);
    to_cat_wr = to_cat[1];

    pthread_t sender;
    if (fixed) {
        if (pthread_create(&sender, NULL, send_payload, NULL) != 0)
            corpus_die("pthread_create");
    } else {
        send_payload(NULL);
    }
    size_t total = 0;
    char buf[65536];
    ssize_t n;
    while ((n = read(from_cat[0], buf, sizeof buf)) > 0)
        total += (size_t)n;
    if (fixed)
        pthread_join(sender, NULL);
    waitpid(cat, NULL, 0);
    printf("%zu bytes came back\n", total);
    return total == PAYLOAD ? 0 : 1;
}
