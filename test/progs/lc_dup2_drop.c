/* lc_dup2_drop: the parent lets go of a pipe's write end not with close()
 * but by dup2()ing /dev/null over it, as shells do with `exec 1>/dev/null`.
 * The child reads until EOF. */
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(void) {
    int p[2];
    if (pipe(p) != 0)
        die("pipe");
    pid_t child = fork();
    if (child == 0) {
        close(p[1]);
        char buf[64];
        while (read(p[0], buf, sizeof buf) > 0) {
        }
        return 0;
    }
    close(p[0]);
    if (write(p[1], "x", 1) != 1)
        die("write");
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull < 0 || dup2(devnull, p[1]) != p[1])
        die("dup2");
    close(devnull);
    waitpid(child, NULL, 0);
    close(p[1]);
    return 0;
}
