/* bug_deadlock: the parent writes all of the child's input before reading
 * its output; the child writes its output before reading its input.  Both
 * pipes fill up and both block; check_test kills it once the live trace
 * shows both writes blocked. */
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

#define SIZE (1 << 20)
static char buf[SIZE];

static void write_all(int fd) {
    for (size_t done = 0; done < SIZE;) {
        ssize_t n = write(fd, buf + done, SIZE - done);
        if (n <= 0)
            die("write");
        done += (size_t)n;
    }
}

int main(void) {
    int in[2], out[2];
    if (pipe(in) || pipe(out))
        die("pipe");
    pid_t child = fork();
    if (child < 0)
        die("fork");
    if (child == 0) {
        close(in[1]);
        close(out[0]);
        write_all(out[1]); /* BUG (together with the parent's): output first */
        while (read(in[0], buf, sizeof buf) > 0) {
        }
        _exit(0);
    }
    close(in[0]);
    close(out[1]);
    write_all(in[1]);
    close(in[1]);
    while (read(out[0], buf, sizeof buf) > 0) {
    }
    waitpid(child, NULL, 0);
    return 0;
}
