/* c_leak_exec: a parent feeds `wc -c` through a pipe, and also starts a
 * helper program (`sleep 1`, standing for any long-running helper).
 * bug: the pipe is made without O_CLOEXEC and the helper is started after
 *      it, so the helper inherits the write end across exec and never uses
 *      it: wc sees EOF only when the helper exits, a second late.
 * fixed: pipe2(O_CLOEXEC); the dup2 onto wc's stdin clears the flag there. */
#include <fcntl.h>
#include <sys/wait.h>

#include "corpus.h"

static pid_t spawn(int stdin_fd, int close1, int close2, char *const argv[]) {
    pid_t pid = fork();
    if (pid < 0)
        corpus_die("fork");
    if (pid == 0) {
        if (stdin_fd >= 0) {
            if (dup2(stdin_fd, 0) < 0)
                _exit(126);
            close(close1);
            close(close2);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    return pid;
}

int main(int argc, char **argv) {
    int fixed = corpus_mode(argc, argv);
    int p[2];
    if ((fixed ? pipe2(p, O_CLOEXEC) : pipe(p)) != 0)
        corpus_die("pipe");
    char *wc_argv[] = {"wc", "-c", NULL};
    char *helper_argv[] = {"sleep", "1", NULL};
    pid_t wc = spawn(p[0], p[0], p[1], wc_argv);
    pid_t helper = spawn(-1, -1, -1, helper_argv);
    close(p[0]);
    if (corpus_write_all(p[1], "some data\n", 10) != 0)
        corpus_die("write");
    close(p[1]);
    waitpid(wc, NULL, 0);
    waitpid(helper, NULL, 0);
    return 0;
}
