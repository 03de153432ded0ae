/* inj_epipe bug|ok: writes 10 lines of 100 bytes to stdout.  bug leaves
 * SIGPIPE alone (an EPIPE kills it); ok ignores SIGPIPE and, on EPIPE,
 * says so on stderr and exits 0. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(int argc, char **argv) {
    if (argc != 2)
        die("usage: inj_epipe bug|ok");
    if (strcmp(argv[1], "ok") == 0)
        signal(SIGPIPE, SIG_IGN);
    char line[100];
    memset(line, 'p', sizeof line - 1);
    line[sizeof line - 1] = '\n';
    for (int i = 0; i < 10; i++) {
        if (write(1, line, sizeof line) < 0) {
            if (errno == EPIPE) {
                fputs("reader gone\n", stderr);
                return 0;
            }
            die("write");
        }
    }
    return 0;
}
