/* vw_kill_writer ROUNDS: ROUNDS times, forks a child that writes 2 bytes
 * into a pipe and then waits to be killed; the parent reads the 2 bytes
 * and kills the child with SIGKILL at once, often before the child's
 * write wrapper has finished recording the write.  Prints "read N" (the
 * bytes the parent got in all). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 300;
    int p[2];
    if (pipe(p) != 0)
        return 1;
    long total = 0;
    for (int i = 0; i < rounds; i++) {
        pid_t pid = fork();
        if (pid < 0)
            return 1;
        if (pid == 0) {
            if (write(p[1], "ab", 2) != 2)
                _exit(1);
            for (;;)
                pause();
        }
        char buf[2];
        ssize_t got = 0;
        while (got < 2) {
            ssize_t n = read(p[0], buf + got, (size_t)(2 - got));
            if (n <= 0)
                return 1;
            got += n;
        }
        total += got;
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    printf("read %ld\n", total);
    return 0;
}
