/* big_captures [seccomp]: the parent writes 16 KiB, 64 KiB and 100,000
 * bytes into a pipe with write(), then 80,000 with a writev() of two
 * halves; a forked child reads them all, 64 KiB at a time, and prints
 * "read N".  Byte k of write w is big_capture_byte(w, k) (progs.h), so
 * that a test can tell every captured byte.  With "seccomp", both
 * processes run where process_vm_writev fails with EPERM, as in a sandbox
 * that allows it no longer. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"
#include "test/progs/seccomp_deny.h"

static void deny_process_vm_writev(void) {
    const int calls[] = {SYS_process_vm_writev};
    seccomp_deny(calls, 1, EPERM);
}

static char *filled(int w, size_t size) {
    char *data = malloc(size);
    if (data == NULL)
        die("malloc");
    for (size_t k = 0; k < size; k++)
        data[k] = big_capture_byte(w, k);
    return data;
}

static void reader(int fd) {
    static char buf[1 << 16];
    size_t total = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        total += (size_t)n;
    printf("read %zu\n", total);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "seccomp") == 0)
        deny_process_vm_writev();
    int p[2];
    if (pipe(p) != 0)
        die("pipe");
    pid_t child = fork();
    if (child < 0)
        die("fork");
    if (child == 0) {
        close(p[1]);
        reader(p[0]);
        return 0;
    }
    close(p[0]);
    const size_t sizes[] = {16384, 65536, 100000};
    for (int w = 0; w < 3; w++) {
        char *data = filled(w, sizes[w]);
        if (write(p[1], data, sizes[w]) != (ssize_t)sizes[w])
            die("write");
        free(data);
    }
    char *both = filled(3, 80000);
    struct iovec halves[2] = {{both, 40000}, {both + 40000, 40000}};
    if (writev(p[1], halves, 2) != 80000)
        die("writev");
    free(both);
    close(p[1]);
    waitpid(child, NULL, 0);
    return 0;
}
