/* threads_writer: 8 threads each write 1000 records of exactly 32 bytes,
 * "T<thread> #<seq, 5 digits>" padded with '.' and ended by '\n', into one
 * pipe at the same time (a barrier starts them together).  A forked child
 * reads the pipe to the end and prints "reader_bytes N"; then the parent
 * prints "threads 8 writes 1000 bytes 256000". */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

#define THREADS 8
#define WRITES 1000
#define RECORD 32

static int write_fd;
static pthread_barrier_t start;

static void *writer(void *arg) {
    int id = (int)(long)arg;
    pthread_barrier_wait(&start);
    for (int i = 0; i < WRITES; i++) {
        char rec[RECORD + 1];
        memset(rec, '.', RECORD);
        int len = snprintf(rec, sizeof rec, "T%d #%05d", id, i);
        rec[len] = '.';
        rec[RECORD - 1] = '\n';
        if (write(write_fd, rec, RECORD) != RECORD)
            die("thread %d write", id);
    }
    return NULL;
}

int main(void) {
    int fds[2];
    if (pipe(fds))
        die("pipe");
    fflush(stdout);
    pid_t reader = fork();
    if (reader < 0)
        die("fork");
    if (reader == 0) {
        close(fds[1]);
        char buf[65536];
        long total = 0;
        ssize_t n;
        while ((n = read(fds[0], buf, sizeof buf)) > 0)
            total += n;
        if (n < 0)
            die("reader: read");
        printf("reader_bytes %ld\n", total);
        exit(0);
    }
    close(fds[0]);
    write_fd = fds[1];

    pthread_t threads[THREADS];
    pthread_barrier_init(&start, NULL, THREADS);
    for (long i = 0; i < THREADS; i++)
        if (pthread_create(&threads[i], NULL, writer, (void *)i))
            die("thread");
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    close(fds[1]);

    int status;
    if (waitpid(reader, &status, 0) != reader)
        die("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("reader failed");
    printf("threads %d writes %d bytes %d\n", THREADS, WRITES, THREADS * WRITES * RECORD);
    return 0;
}
