/* lc_runchild fork|spawn|fexecve PATH [ARGS...]: starts PATH with ARGS, by
 * fork + execv, by posix_spawn or by fork + fexecve of an O_RDONLY fd, waits
 * for it and prints "child PID status S" (after the child's own output). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

extern char **environ;

int main(int argc, char **argv) {
    if (argc < 3)
        die("usage: lc_runchild fork|spawn|fexecve PATH [ARGS...]");
    fflush(stdout);
    pid_t pid;
    if (strcmp(argv[1], "fork") == 0 || strcmp(argv[1], "fexecve") == 0) {
        int fd = -1;
        if (strcmp(argv[1], "fexecve") == 0) {
            fd = open(argv[2], O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                die("open %s", argv[2]);
        }
        pid = fork();
        if (pid < 0)
            die("fork");
        if (pid == 0) {
            if (fd >= 0)
                fexecve(fd, argv + 2, environ);
            else
                execv(argv[2], argv + 2);
            _exit(127);
        }
        if (fd >= 0)
            close(fd);
    } else if (strcmp(argv[1], "spawn") == 0) {
        int err = posix_spawn(&pid, argv[2], NULL, NULL, argv + 2, environ);
        if (err) {
            errno = err;
            die("posix_spawn");
        }
    } else {
        die("unknown mode %s", argv[1]);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid)
        die("waitpid");
    printf("child %d status %d\n", (int)pid, st);
    return 0;
}
