/* libwe_dlsym_hook.so: a preloaded library that interposes dlsym, as
 * overlay and capture tools do, and calls a battery of wrapped functions
 * (each harmlessly: bad fds, absent files, a fork whose child exits at
 * once) every time dlsym is called.  Preloaded after libpipetrace.so, it
 * makes the tracer's own resolution of the real functions call back into
 * its wrappers before they have anything to call.
 *
 * we_hook_report() returns the results of the latest battery, one
 * "call=result/errno" per line, the fork's only from the first battery. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

extern ssize_t __read_chk(int, void *, size_t, size_t);
extern char **environ;

static char report[2048];
static size_t used;
static char fork_line[64];

static void note(const char *call, long result) {
    int n = snprintf(report + used, sizeof report - used, "%s=%ld/%d\n", call, result,
                     result < 0 ? errno : 0);
    if (n > 0 && (size_t)n < sizeof report - used)
        used += (size_t)n;
}

static void close_pair(int r, int fds[2]) {
    if (r == 0) {
        close(fds[0]);
        close(fds[1]);
    }
}

static void fork_once(void) {
    static int done;
    if (done++)
        return;
    pid_t pid = fork();
    if (pid == 0)
        _exit(7);
    int status = 0;
    pid_t reaped = pid > 0 ? waitpid(pid, &status, 0) : -1;
    snprintf(fork_line, sizeof fork_line, "fork+waitpid=%d/%d\n", reaped == pid, status);
}

static void battery(void) {
    used = 0;
    char buf[8];
    struct iovec v = {buf, sizeof buf};
    siginfo_t info;
    int fds[2];
    char *argv[] = {"we-nonexistent", NULL};
    note("readv", readv(-1, &v, 1));
    note("writev", writev(-1, &v, 1));
    note("read_chk", __read_chk(-1, buf, sizeof buf, sizeof buf));
    note("read", read(-1, buf, sizeof buf));
    note("write", write(-1, buf, sizeof buf));
    note("dup", dup(-1));
    note("dup2", dup2(-1, 100));
    note("dup3", dup3(-1, 100, 0));
    note("fcntl", fcntl(-1, F_GETFD));
    note("close", close(-1));
    note("close_range", close_range(INT_MAX - 1, INT_MAX, 0));
    closefrom(INT_MAX);
    int r = pipe(fds);
    note("pipe", r);
    close_pair(r, fds);
    r = pipe2(fds, O_CLOEXEC);
    note("pipe2", r);
    close_pair(r, fds);
    r = socketpair(AF_UNIX, SOCK_STREAM, 0, fds);
    note("socketpair", r);
    close_pair(r, fds);
    note("accept", accept(-1, NULL, NULL));
    note("open", open("/nonexistent/we", O_RDONLY));
    note("openat", openat(AT_FDCWD, "/nonexistent/we", O_RDONLY));
    note("mkfifo", mkfifo("/nonexistent/we", 0600));
    fork_once();
    note("wait4", wait4(-1, NULL, WNOHANG, NULL));
    note("waitpid", waitpid(-1, NULL, WNOHANG));
    note("wait", wait(NULL));
    note("waitid", waitid(P_ALL, 0, &info, WEXITED | WNOHANG));
    note("execve", execve("/nonexistent/we", argv, environ));
    note("execvp", execvp("we-nonexistent-command", argv));
    note("fexecve", fexecve(-1, argv, environ));
}

void *dlsym(void *handle, const char *name) {
    static void *(*real)(void *, const char *);
    static __thread int inside;
    if (!real)
        real = (void *(*)(void *, const char *))dlvsym(RTLD_NEXT, "dlsym", "GLIBC_2.34");
    if (!real)
        real = (void *(*)(void *, const char *))dlvsym(RTLD_NEXT, "dlsym", "GLIBC_2.2.5");
    if (!inside) {
        int saved = errno;
        inside = 1;
        battery();
        inside = 0;
        errno = saved;
    }
    return real(handle, name);
}

const char *we_hook_report(void) {
    static char out[sizeof report + sizeof fork_line];
    snprintf(out, sizeof out, "%s%s", report, fork_line);
    return out;
}
