/* lc_libc_child MODE: pipe() without O_CLOEXEC, then a child that libc
 * starts itself (MODE "system": system("exec sleep 0"); MODE "popen":
 * popen("exec sleep 0", "r")), so the trace has no fork record naming the
 * child: the leak audit must still trace the pipe's ends into it. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(int argc, char **argv) {
    int fds[2];
    if (argc != 2 || pipe(fds)) /* BUG: no O_CLOEXEC */
        die("usage: lc_libc_child system|popen");
    if (strcmp(argv[1], "system") == 0) {
        if (system("exec sleep 0") != 0)
            die("system");
    } else {
        FILE *f = popen("exec sleep 0", "r");
        if (f == NULL || pclose(f) != 0)
            die("popen");
    }
    close(fds[0]);
    close(fds[1]);
    return 0;
}
