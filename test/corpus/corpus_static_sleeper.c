/* corpus_static_sleeper: a statically linked helper (LD_PRELOAD cannot enter
 * it) that sleeps for argv[1] seconds.  It inherits whatever fds it is given
 * and, making no traced call, leaves no trace file. */
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
    unsigned seconds = argc > 1 ? (unsigned)atoi(argv[1]) : 30;
    while (seconds > 0)
        seconds = sleep(seconds);
    return 0;
}
