/* c_stolen_input: reads item names from stdin, one line at a time with
 * read(2) (as a shell's `read` does), and runs a command per item with
 * system().  The command is meant to count the lines of a file, but the
 * file argument is missing, so it reads its standard input instead.
 * bug: the command inherits the program's stdin and swallows the items the
 *      program meant for itself: 1 item is processed instead of 20.
 * fixed: the command's stdin is /dev/null (`< /dev/null`). */
#include "corpus.h"

/* One line from fd 0 into line (without the newline); 0 at EOF. */
static int read_line(char *line, size_t size) {
    size_t len = 0;
    for (;;) {
        char c;
        ssize_t n = read(0, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (c == '\n') {
            line[len] = '\0';
            return 1;
        }
        if (len + 1 < size)
            line[len++] = c;
    }
    line[len] = '\0';
    return len > 0;
}

int main(int argc, char **argv) {
    int fixed = corpus_mode(argc, argv);
    char item[128];
    int items = 0;
    while (read_line(item, sizeof item)) {
        items++;
        fflush(stdout);
        if (system(fixed ? "wc -l < /dev/null > /dev/null" : "wc -l > /dev/null") != 0)
            corpus_die("system");
    }
    printf("processed %d items\n", items);
    return 0;
}
