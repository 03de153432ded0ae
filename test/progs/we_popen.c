/* we_popen MODE: popen("cat; exit 5", MODE) with MODE "w" or "we", writes
 * "to the child\n" into it, pcloses it and prints "pclose STATUS" (1280:
 * exited with 5). */
#define _GNU_SOURCE
#include "test/progs/progs.h"

int main(int argc, char **argv) {
    if (argc != 2)
        die("usage: we_popen w|we");
    fflush(stdout);
    FILE *f = popen("cat; exit 5", argv[1]);
    if (!f)
        die("popen");
    if (fputs("to the child\n", f) < 0)
        die("fputs");
    int status = pclose(f);
    printf("pclose %d\n", status);
    return 0;
}
