/* we_manyfds N PROG [ARGS...]: opens N/2 pipes without O_CLOEXEC (N fds
 * above 2) and execs PROG with them all open: a leak audit's worst case. */
#define _GNU_SOURCE
#include <unistd.h>

#include "test/progs/progs.h"

int main(int argc, char **argv) {
    if (argc < 3)
        die("usage: we_manyfds N PROG [ARGS...]");
    int pairs = atoi(argv[1]) / 2;
    for (int i = 0; i < pairs; i++) {
        int p[2];
        if (pipe(p) != 0)
            die("pipe %d", i);
    }
    execv(argv[2], argv + 2);
    die("execv %s", argv[2]);
}
