/* bug_hung_pipeline: the parent forgets to close its copy of the write
 * end, then waits for the reader, which never sees EOF: a hung pipeline.
 * check_test kills it once the live trace shows the read blocked. */
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(void) {
    int fds[2];
    if (pipe(fds))
        die("pipe");
    pid_t child = fork();
    if (child < 0)
        die("fork");
    if (child == 0) {
        close(fds[1]);
        char buf[256];
        while (read(fds[0], buf, sizeof buf) > 0) {
        }
        _exit(0);
    }
    close(fds[0]);
    if (write(fds[1], "hello\n", 6) != 6)
        die("write");
    /* BUG: fds[1] stays open here, so the child's read never returns 0. */
    waitpid(child, NULL, 0);
    return 0;
}
