/* we_badptr MODE: hands a call memory it cannot read or write (a PROT_NONE
 * page) and prints what the call returned, "MODE: -1 Bad address" or the
 * like; exits 0.  Untraced, each of these fails with EFAULT; the wrapper
 * must neither fault first nor change the answer.
 *
 * MODE: writev readv waitpid wait wait4 execve-argv execve-arg execve-envp
 * execve-path execvp-argv posix_spawn-envp mkfifo system (posix_spawn with a
 * bad argv is left out: glibc itself faults on it, traced or not), and the
 * same with a pointer into page 0 (NULL, or NULL plus a little) instead of
 * the PROT_NONE page: mkfifo-null execve-null-path execve-low-argv
 * popen-low readv-low writev-low. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

extern char **environ;

static void show(const char *mode, long r, int err) {
    printf("%s: %ld %s\n", mode, r, r < 0 ? strerror(err) : "ok");
}

static pid_t child_exiting(int code) {
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0)
        _exit(code);
    return pid;
}

int main(int argc, char **argv) {
    if (argc != 2)
        die("usage: we_badptr MODE");
    const char *mode = argv[1];
    void *bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (bad == MAP_FAILED)
        die("mmap");
    int p[2];
    if (pipe(p))
        die("pipe");
    char *good_argv[] = {"true", NULL};
    char *bad_arg[] = {"true", bad, NULL};
    /* Hidden from the compiler, which would refuse NULL where it knows. */
    char *volatile null_page = NULL;
    long r = 0;
    errno = 0;
    if (strcmp(mode, "writev") == 0) {
        r = writev(p[1], bad, 2);
    } else if (strcmp(mode, "readv") == 0) {
        if (write(p[1], "x", 1) != 1)
            die("write");
        r = readv(p[0], bad, 2);
    } else if (strcmp(mode, "waitpid") == 0) {
        r = waitpid(child_exiting(3), bad, 0);
    } else if (strcmp(mode, "wait") == 0) {
        child_exiting(3);
        r = wait(bad);
    } else if (strcmp(mode, "wait4") == 0) {
        r = wait4(child_exiting(3), bad, 0, NULL);
    } else if (strcmp(mode, "execve-argv") == 0) {
        r = execve("/bin/true", bad, environ);
    } else if (strcmp(mode, "execve-arg") == 0) {
        r = execve("/bin/true", bad_arg, environ);
    } else if (strcmp(mode, "execve-envp") == 0) {
        r = execve("/bin/true", good_argv, bad);
    } else if (strcmp(mode, "execve-path") == 0) {
        r = execve(bad, good_argv, environ);
    } else if (strcmp(mode, "execvp-argv") == 0) {
        r = execvp("true", bad);
    } else if (strcmp(mode, "posix_spawn-envp") == 0) {
        pid_t pid = -7;
        int e = posix_spawn(&pid, "/bin/true", NULL, NULL, good_argv, bad);
        printf("spawn: %s, pid untouched: %d\n", strerror(e), pid == -7);
    } else if (strcmp(mode, "mkfifo") == 0) {
        r = mkfifo(bad, 0600);
    } else if (strcmp(mode, "system") == 0) {
        fflush(stdout);
        r = system(bad);
    } else if (strcmp(mode, "mkfifo-null") == 0) {
        r = mkfifo(null_page, 0600);
    } else if (strcmp(mode, "execve-null-path") == 0) {
        r = execve(null_page, good_argv, environ);
    } else if (strcmp(mode, "execve-low-argv") == 0) {
        r = execve("/bin/true", (char **)(null_page + 8), environ);
    } else if (strcmp(mode, "readv-low") == 0) {
        if (write(p[1], "x", 1) != 1)
            die("write");
        r = readv(p[0], (const struct iovec *)(null_page + 8), 2);
    } else if (strcmp(mode, "writev-low") == 0) {
        r = writev(p[1], (const struct iovec *)(null_page + 8), 2);
    } else if (strcmp(mode, "popen-low") == 0) {
        r = popen(null_page + 8, "r") != NULL;
    } else {
        die("unknown mode %s", mode);
    }
    show(mode, r, errno);
    return 0;
}
