/* we_exec MODE ...:
 *   fifo DIR    makes DIR/fifo (mode 0755), then tries execve, execvp and
 *               posix_spawn on it, printing what each returned; exits 0.
 *               Untraced each fails at once with EACCES.
 *   atsecure    prints "at_secure N" (getauxval(AT_SECURE): whether the
 *               loader ran this image in secure mode) and "preloaded N"
 *               (whether libpipetrace.so is mapped here). */
#define _GNU_SOURCE
#include <spawn.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test/progs/progs.h"

extern char **environ;

static int preloaded(void) {
    FILE *maps = fopen("/proc/self/maps", "r");
    if (!maps)
        die("fopen /proc/self/maps");
    char line[4096];
    int found = 0;
    while (fgets(line, sizeof line, maps))
        if (strstr(line, "libpipetrace.so"))
            found = 1;
    fclose(maps);
    return found;
}

static void exec_fifo(const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/fifo", dir);
    if (mkfifo(path, 0755) != 0 || chmod(path, 0755) != 0)
        die("mkfifo %s", path);
    char *argv[] = {path, NULL};
    int r = execve(path, argv, environ);
    printf("execve: %d %s\n", r, strerror(errno));
    r = execvp(path, argv);
    printf("execvp: %d %s\n", r, strerror(errno));
    pid_t pid = 0;
    int e = posix_spawn(&pid, path, NULL, NULL, argv, environ);
    printf("posix_spawn: %s\n", strerror(e));
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "fifo") == 0) {
        exec_fifo(argv[2]);
    } else if (argc == 2 && strcmp(argv[1], "atsecure") == 0) {
        printf("at_secure %lu\npreloaded %d\n", getauxval(AT_SECURE), preloaded());
    } else {
        die("usage: we_exec fifo DIR | atsecure");
    }
    return 0;
}
