/* rs_sandbox_child: a fork child that puts itself in a seccomp sandbox
 * where creating directories and opening files fails with ENOSYS (as
 * man-db does for its helpers), then writes to a pipe its parent reads and
 * says something on stderr (issue 9 item 6, issue 17 item 7). */
#define _GNU_SOURCE
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

#define DENY(nr)                                                                                   \
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1),                                               \
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS)

static void sandbox(void) {
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        DENY(SYS_mkdir),
        DENY(SYS_mkdirat),
        DENY(SYS_open),
        DENY(SYS_openat),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {sizeof code / sizeof code[0], code};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
        die("seccomp");
}

int main(void) {
    int p[2];
    if (pipe(p) != 0)
        die("pipe");
    printf("parent: before fork\n");
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        sandbox(); /* before any traced call: the child has no file yet */
        close(p[0]);
        fprintf(stderr, "child: in the sandbox\n");
        if (write(p[1], "hello from the sandbox", 22) != 22)
            _exit(3);
        _exit(0);
    }
    close(p[1]);
    char buf[64];
    ssize_t n = read(p[0], buf, sizeof buf);
    int status;
    waitpid(pid, &status, 0);
    printf("parent: read %zd: %.*s; child status %d\n", n, n > 0 ? (int)n : 0, buf, status);
    return 0;
}
