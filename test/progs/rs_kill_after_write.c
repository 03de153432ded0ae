/* rs_kill_after_write: a child writes 1 MiB to a pipe and is killed right
 * after its write returns (issue 9 item 4).  To make "right after"
 * exact, the parent traces the child with ptrace: it stops the child at the
 * return of that write, lets it run STEPS more instructions (argv[1]), then
 * kills it.  A thread of the parent drains the pipe.  Prints how many
 * bytes the reader got. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

#define SIZE (1 << 20)

static int fds[2];
static long drained;

static void *drain(void *unused) {
    (void)unused;
    char buf[65536];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0)
        drained += n;
    return NULL;
}

static void child(void) {
    close(fds[0]);
    char *data = malloc(SIZE);
    memset(data, 'k', SIZE);
    ptrace(PTRACE_TRACEME, 0, 0, 0);
    raise(SIGSTOP);
    ssize_t n = write(fds[1], data, SIZE);
    _exit(n == SIZE ? 0 : 1);
}

/* Runs the child to the return of its write on the pipe. */
static int run_to_write_return(pid_t pid) {
    int status;
    ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL);
    int in_syscall = 0; /* syscall stops come in pairs: entry, then exit */
    for (;;) {
        if (ptrace(PTRACE_SYSCALL, pid, 0, 0) != 0 || waitpid(pid, &status, 0) != pid ||
            !WIFSTOPPED(status))
            return -1;
        if (WSTOPSIG(status) != (SIGTRAP | 0x80))
            continue;
        in_syscall = !in_syscall;
        if (in_syscall)
            continue;
        struct user_regs_struct regs;
        ptrace(PTRACE_GETREGS, pid, 0, &regs);
        if (regs.orig_rax == SYS_write && (int)regs.rdi == fds[1])
            return 0;
    }
}

int main(int argc, char **argv) {
    long steps = argc > 1 ? atol(argv[1]) : 2000;
    if (pipe(fds) != 0)
        die("pipe");
    pid_t pid = fork();
    if (pid == 0)
        child();
    close(fds[1]);
    pthread_t reader;
    pthread_create(&reader, NULL, drain, NULL);
    int status;
    waitpid(pid, &status, 0); /* the SIGSTOP */
    if (run_to_write_return(pid) != 0)
        die("the child's write was not seen");
    for (long i = 0; i < steps; i++)
        if (ptrace(PTRACE_SINGLESTEP, pid, 0, 0) != 0 || waitpid(pid, &status, 0) != pid)
            break;
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    pthread_join(reader, NULL);
    printf("reader got %ld, child killed: %d\n", drained, WIFSIGNALED(status));
    return 0;
}
