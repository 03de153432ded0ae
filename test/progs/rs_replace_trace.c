/* rs_replace_trace: plays the other process that replaces a trace file
 * under the writer (issue 16 item 2): after its first traced write it
 * renames a file of its own over its trace file, then writes enough that
 * the writer must grow the file.  Prints how much it wrote and its reader
 * got. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(void) {
    const char *dir = getenv("PIPETRACE_DIR");
    int p[2];
    if (pipe(p) != 0)
        die("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        close(p[1]);
        char buf[65536];
        long total = 0;
        ssize_t n;
        while ((n = read(p[0], buf, sizeof buf)) > 0)
            total += n;
        printf("reader got %ld\n", total);
        return 0;
    }
    close(p[0]);
    char chunk[100];
    memset(chunk, 'x', sizeof chunk);
    long written = write(p[1], chunk, sizeof chunk);
    if (dir) {
        char path[4096], junk[4096];
        snprintf(path, sizeof path, "%s/%d.0.ptr", dir, getpid());
        snprintf(junk, sizeof junk, "%s/junk.%d", dir, getpid());
        FILE *f = fopen(junk, "w");
        if (f) {
            fputs("not a trace\n", f);
            fclose(f);
            rename(junk, path);
        }
    }
    for (int i = 0; i < 40000; i++)
        written += write(p[1], chunk, sizeof chunk);
    close(p[1]);
    int status;
    waitpid(pid, &status, 0);
    printf("wrote %ld\n", written);
    return 0;
}
