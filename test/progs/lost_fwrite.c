/* lost_fwrite: one fwrite of 100000 bytes through a FILE on the non-blocking
 * write end of a pipe nobody reads: stdio's write(2) moves what the pipe
 * holds (65536 bytes), the next one fails with EAGAIN, and fwrite returns
 * short.  Prints "moved N error E" on stdout (not traced: a file or tty) so
 * the test can compare with the trace; exits 0. */
#include <fcntl.h>
#include <unistd.h>

#include "progs.h"

#define TOTAL 100000

int main(void) {
    int p[2];
    if (pipe(p) != 0)
        die("pipe");
    if (fcntl(p[1], F_SETFL, fcntl(p[1], F_GETFL) | O_NONBLOCK) != 0)
        die("fcntl");
    FILE *out = fdopen(p[1], "w");
    if (out == NULL)
        die("fdopen");
    static char batch[TOTAL];
    memset(batch, 'x', sizeof batch);
    size_t moved = fwrite(batch, 1, sizeof batch, out);
    int failed = ferror(out);
    printf("moved %zu error %d\n", moved, failed);
    fflush(stdout);
    return 0;
}
