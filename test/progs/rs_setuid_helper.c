/* rs_setuid_helper: installed set-user-ID root by the test and run by an
 * unprivileged user with the library in /etc/ld.so.preload (issue 16 item
 * 4).  Says whether it runs set-id and whether the library is loaded, then
 * does what would be traced: a pipe, a fork, a write and a read. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

static int library_loaded(void) {
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[4096];
    int found = 0;
    while (maps && fgets(line, sizeof line, maps))
        found |= strstr(line, "libpipetrace") != NULL;
    if (maps)
        fclose(maps);
    return found;
}

int main(void) {
    printf("secure=%lu euid=%d uid=%d preloaded=%d\n", getauxval(AT_SECURE), (int)geteuid(),
           (int)getuid(), library_loaded());
    fflush(stdout);
    int p[2];
    if (pipe(p) != 0)
        die("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        _exit(write(p[1], "set-id", 6) == 6 ? 0 : 1);
    }
    close(p[1]);
    char buf[16];
    ssize_t n = read(p[0], buf, sizeof buf);
    int status;
    waitpid(pid, &status, 0);
    printf("read %zd, child status %d\n", n, status);
    return 0;
}
