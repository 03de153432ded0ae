/* inj_writer bug|ok: writes one 4096-byte message to stdout.  bug calls
 * write() once and ignores a short count; ok loops until every byte is out,
 * retrying after EINTR.  Run under --inject=short, bug loses the rest. */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(int argc, char **argv) {
    if (argc != 2)
        die("usage: inj_writer bug|ok");
    int loop = strcmp(argv[1], "ok") == 0;
    char msg[4096];
    memset(msg, 'm', sizeof msg);
    size_t done = 0;
    do {
        ssize_t n = write(1, msg + done, sizeof msg - done);
        if (n < 0 && errno == EINTR && loop)
            continue;
        if (n < 0)
            die("write");
        done += (size_t)n;
    } while (loop && done < sizeof msg);
    return 0;
}
