/* rs_two_readers: two threads read one pipe into 16 MiB buffers while the
 * main thread writes 2000 bytes into it, one byte per write (issue 17 item
 * 6: with full capture, each read must not cost the trace what it asked
 * for).  Prints the bytes each side saw. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "test/progs/progs.h"

#define BUFFER (16 << 20)

static int fds[2];
static long got[2];

static void *reader(void *arg) {
    long *total = arg;
    char *buf = malloc(BUFFER);
    ssize_t n;
    while ((n = read(fds[0], buf, BUFFER)) > 0)
        *total += n;
    free(buf);
    return NULL;
}

int main(void) {
    if (pipe(fds) != 0)
        die("pipe");
    pthread_t threads[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&threads[i], NULL, reader, &got[i]);
    long written = 0;
    for (int i = 0; i < 2000; i++) {
        written += write(fds[1], "x", 1);
        if (i % 4 == 0)
            sched_yield();
    }
    close(fds[1]);
    for (int i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);
    printf("written %ld, read %ld\n", written, got[0] + got[1]);
    return 0;
}
