/* ok_hung_pipeline: bug_hung_pipeline's twin; the parent closes its write
 * end before waiting, so the reader sees EOF. */
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
    close(fds[1]);
    waitpid(child, NULL, 0);
    return 0;
}
