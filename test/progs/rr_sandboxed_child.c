/* A program that sandboxes itself the way man-db does: after its first
 * pipe, a seccomp filter makes open, openat, mkdir and mkdirat fail with
 * ENOSYS.  Its forked child then cannot create a trace file of its own,
 * yet must run exactly as untraced: it writes a line into the pipe, the
 * parent prints it and says "parent done" on stderr. */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "progs.h"

#define DENY(nr)                                                                                   \
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1),                                               \
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA))

static void sandbox(void) {
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        DENY(SYS_open),
        DENY(SYS_openat),
        DENY(SYS_mkdir),
        DENY(SYS_mkdirat),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = sizeof filter / sizeof filter[0], .filter = filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
        die("seccomp");
}

int main(void) {
    int p[2];
    if (pipe(p) != 0)
        die("pipe");
    sandbox();
    pid_t child = fork();
    if (child < 0)
        die("fork");
    if (child == 0) {
        close(p[0]);
        static const char line[] = "from the sandboxed child\n";
        if (write(p[1], line, sizeof line - 1) != (ssize_t)(sizeof line - 1))
            _exit(2);
        _exit(0);
    }
    close(p[1]);
    char buf[128];
    ssize_t n;
    while ((n = read(p[0], buf, sizeof buf)) > 0)
        if (write(1, buf, (size_t)n) != n)
            die("write");
    int status;
    if (waitpid(child, &status, 0) != child)
        die("waitpid");
    fputs("parent done\n", stderr);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
