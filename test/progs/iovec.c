/* iovec: writev of four buffers ("abc", "", 50 bytes of 'a'..'y' twice,
 * "xyz\n": 57 bytes) into a pipe, then readv into buffers of 10 and 100
 * bytes.  Prints "writev 57 readv 57". */
#define _GNU_SOURCE
#include <sys/uio.h>
#include <unistd.h>

#include "test/progs/progs.h"

int main(void) {
    int fds[2];
    if (pipe(fds))
        die("pipe");

    char letters[50];
    for (int i = 0; i < 50; i++)
        letters[i] = (char)('a' + i % 25);
    struct iovec out[4] = {{"abc", 3}, {"", 0}, {letters, sizeof letters}, {"xyz\n", 4}};
    ssize_t w = writev(fds[1], out, 4);
    if (w != 57)
        die("writev returned %zd", w);

    char first[10], second[100];
    struct iovec in[2] = {{first, sizeof first}, {second, sizeof second}};
    ssize_t r = readv(fds[0], in, 2);
    if (r != 57)
        die("readv returned %zd", r);
    if (memcmp(first, "abc", 3) != 0 || memcmp(first + 3, letters, 7) != 0 ||
        memcmp(second, letters + 7, 43) != 0 || memcmp(second + 43, "xyz\n", 4))
        die("readv data differs");
    printf("writev %zd readv %zd\n", w, r);
    return 0;
}
