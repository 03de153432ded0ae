/* c_fionbio_shared: a status printer that turns its stdout non-blocking
 * with ioctl(FIONBIO) "so it can never hang", prints one line and exits.
 * Its stdout is a pipe shared with the commands that run after it (run as
 * `{ c_fionbio_shared bug; seq 1 100000; } | (sleep 0.5; wc -c)`): the
 * flag belongs to the pipe's open file description, not to this process.
 * bug: the flag stays set; seq, writing next into the same pipe, fails with
 *      EAGAIN ("write error: Resource temporarily unavailable").
 * fixed: the flag is cleared again before exit. */
#include <sys/ioctl.h>

#include "corpus.h"

int main(int argc, char **argv) {
    int fixed = corpus_mode(argc, argv);
    int on = 1;
    if (ioctl(1, FIONBIO, &on) != 0)
        corpus_die("ioctl(FIONBIO)");
    static const char line[] = "status: starting the export\n";
    if (write(1, line, sizeof line - 1) < 0)
        corpus_die("write");
    if (fixed) {
        int off = 0;
        ioctl(1, FIONBIO, &off);
    }
    return 0;
}
