/* lc_popen MODE: "popen" runs popen("cat", "w"), writes "hello popen\n" to
 * it with fputs and pclose()s it (cat copies it to our stdout); prints
 * "pclose 0" after.  "system" runs system("echo x | wc -c") (prints "2") and
 * then "system 0". */
#define _GNU_SOURCE
#include <unistd.h>

#include "test/progs/progs.h"

int main(int argc, char **argv) {
    if (argc != 2)
        die("usage: lc_popen popen|system");
    if (strcmp(argv[1], "popen") == 0) {
        FILE *f = popen("cat", "w");
        if (!f)
            die("popen");
        if (fputs("hello popen\n", f) < 0)
            die("fputs");
        int st = pclose(f);
        printf("pclose %d\n", st);
    } else if (strcmp(argv[1], "system") == 0) {
        fflush(stdout);
        int st = system("echo x | wc -c");
        printf("system %d\n", st);
    } else {
        die("unknown mode %s", argv[1]);
    }
    return 0;
}
