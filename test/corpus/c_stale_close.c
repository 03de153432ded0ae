/* c_stale_close: a connection object keeps its fd number after an error path
 * closed it; the number is reused by a new pipe, and the object's cleanup
 * then closes the new pipe's write end.
 * bug: the program's next write on its new pipe fails with EBADF (exit 1).
 * fixed: the error path sets the object's fd to -1. */
#include "corpus.h"

struct conn {
    int fd;
};

static void conn_fail(struct conn *c, int fixed) {
    close(c->fd);
    if (fixed)
        c->fd = -1;
}

static void conn_free(struct conn *c) {
    if (c->fd >= 0)
        close(c->fd);
}

int main(int argc, char **argv) {
    int fixed = corpus_mode(argc, argv);
    int old[2];
    if (pipe(old) != 0)
        corpus_die("pipe");
    close(old[0]);
    struct conn c = {old[1]}; /* the write end of a channel that failed */
    conn_fail(&c, fixed);

    int notify[2]; /* notify[1] reuses the number c.fd still holds */
    if (pipe(notify) != 0)
        corpus_die("pipe");
    conn_free(&c);
    if (write(notify[1], "n", 1) != 1)
        corpus_die("write on fd %d", notify[1]);
    char byte;
    if (read(notify[0], &byte, 1) != 1)
        corpus_die("read");
    printf("notified\n");
    return 0;
}
