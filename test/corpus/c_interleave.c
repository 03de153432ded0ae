/* c_interleave: two workers send 16 KiB records into one pipe that a
 * collector reads.
 * bug: both workers run at once; records larger than PIPE_BUF (4096) are
 *      not written atomically, so the two streams can interleave inside a
 *      record once the pipe fills (the collector counts torn records; the
 *      program still exits 0, as such programs do).
 * fixed: the second worker starts after the first has finished, so the
 *      records follow one another. */
#include <sys/wait.h>

#include "corpus.h"

#define RECORD (16 * 1024)
#define RECORDS 16

static pid_t start_worker(int out, int in, char fill) {
    pid_t pid = fork();
    if (pid < 0)
        corpus_die("fork");
    if (pid == 0) {
        close(in);
        static char record[RECORD];
        memset(record, fill, sizeof record);
        for (int i = 0; i < RECORDS; i++)
            if (corpus_write_all(out, record, sizeof record) != 0)
                _exit(1);
        _exit(0);
    }
    return pid;
}

/* Reads everything; returns the number of records that mix two fills. */
static int collect(int in) {
    static char record[RECORD];
    size_t have = 0;
    int torn = 0;
    for (;;) {
        ssize_t n = read(in, record + have, sizeof record - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        have += (size_t)n;
        if (have < sizeof record)
            continue;
        for (size_t i = 1; i < sizeof record; i++)
            if (record[i] != record[0]) {
                torn++;
                break;
            }
        have = 0;
    }
    return torn;
}

int main(int argc, char **argv) {
    int fixed = corpus_mode(argc, argv);
    int p[2];
    if (pipe(p) != 0)
        corpus_die("pipe");
    pid_t first = start_worker(p[1], p[0], 'a');
    pid_t collector = fork();
    if (collector < 0)
        corpus_die("fork");
    if (collector == 0) {
        close(p[1]);
        printf("%d torn records\n", collect(p[0]));
        fflush(stdout);
        _exit(0);
    }
    if (fixed)
        waitpid(first, NULL, 0);
    pid_t second = start_worker(p[1], p[0], 'b');
    corpus_announce("first", first);
    corpus_announce("second", second);
    corpus_announce("collector", collector);
    close(p[0]);
    close(p[1]);
    waitpid(first, NULL, 0);
    waitpid(second, NULL, 0);
    waitpid(collector, NULL, 0);
    return 0;
}
