/* inj_reader bug|ok: reads stdin to its end and prints how many bytes it
 * read.  bug takes any failure as the end (an EINTR stops it); ok retries
 * after EINTR. */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(int argc, char **argv) {
    if (argc != 2)
        die("usage: inj_reader bug|ok");
    int retry = strcmp(argv[1], "ok") == 0;
    char buf[512];
    long total = 0;
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n < 0 && errno == EINTR && retry)
            continue;
        if (n <= 0)
            break;
        total += n;
    }
    printf("read %ld\n", total);
    return 0;
}
