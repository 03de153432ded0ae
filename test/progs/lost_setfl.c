/* lost_setfl: a status printer that turns its stdout non-blocking with
 * fcntl(F_SETFL, O_NONBLOCK), as c_fionbio_shared does with ioctl, prints
 * one line and exits; run as `{ lost_setfl MODE; seq 1 100000; } | (sleep
 * 0.5; wc -c)` the next writer into the same pipe fails with EAGAIN.
 * bug: the flag stays set.  fixed: it is cleared before exit.
 * It also asks two ioctls that change no flag of fd 1 (TIOCGWINSZ, which
 * fails on a pipe, and FIONREAD on fd 0 under /dev/null): never recorded. */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "progs.h"

int main(int argc, char **argv) {
    int fixed = argc == 2 && strcmp(argv[1], "fixed") == 0;
    struct winsize ws;
    int pending;
    (void)ioctl(1, TIOCGWINSZ, &ws);
    (void)ioctl(0, FIONREAD, &pending);
    int flags = fcntl(1, F_GETFL);
    if (flags < 0 || fcntl(1, F_SETFL, flags | O_NONBLOCK) != 0)
        die("fcntl");
    static const char line[] = "status: starting\n";
    if (write(1, line, sizeof line - 1) < 0)
        die("write");
    if (fixed && fcntl(1, F_SETFL, flags) != 0)
        die("fcntl");
    return 0;
}
