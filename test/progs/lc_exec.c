/* lc_exec MODE: replaces itself with /bin/echo MODE through one member of
 * the exec family:
 *   execv, execvp ("echo" searched in PATH), execvpe (envp {"PATH=..."}),
 *   execl, execlp, execle (envp {"LC_EXEC=1", "PATH=/usr/bin:/bin"}: no
 *   LD_PRELOAD), execve-empty-env (envp = {NULL}), fexecve (an O_RDONLY fd
 *   of /bin/echo, envp = {NULL}), execveat (AT_FDCWD, "/bin/echo", envp =
 *   {NULL}).
 * Exits 127 if the exec returned. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

#include "test/progs/progs.h"

extern char **environ;

int main(int argc, char **argv) {
    if (argc != 2)
        die("usage: lc_exec MODE");
    const char *m = argv[1];
    char *args[] = {"echo", argv[1], NULL};
    char *empty[] = {NULL};
    char *custom[] = {"LC_EXEC=1", "PATH=/usr/bin:/bin", NULL};
    /* One traced call first, so that this image has a trace file and its
     * exec attempt is recorded there (an image without one is described by
     * the image it becomes). */
    int unused[2];
    if (pipe(unused) != 0)
        die("pipe");
    close(unused[0]);
    close(unused[1]);
    if (strcmp(m, "execv") == 0) {
        execv("/bin/echo", args);
    } else if (strcmp(m, "execvp") == 0) {
        execvp("echo", args);
    } else if (strcmp(m, "execvpe") == 0) {
        execvpe("echo", args, custom);
    } else if (strcmp(m, "execl") == 0) {
        execl("/bin/echo", "echo", m, (char *)NULL);
    } else if (strcmp(m, "execlp") == 0) {
        execlp("echo", "echo", m, (char *)NULL);
    } else if (strcmp(m, "execle") == 0) {
        execle("/bin/echo", "echo", m, (char *)NULL, custom);
    } else if (strcmp(m, "execve-empty-env") == 0) {
        execve("/bin/echo", args, empty);
    } else if (strcmp(m, "fexecve") == 0) {
        int fd = open("/bin/echo", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            die("open");
        fexecve(fd, args, empty);
    } else if (strcmp(m, "execveat") == 0) {
        execveat(AT_FDCWD, "/bin/echo", args, empty, 0);
    } else {
        die("unknown mode %s", m);
    }
    perror("exec");
    return 127;
}
