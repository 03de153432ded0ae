/* lc_spawn: posix_spawn with file actions, then posix_spawnp with an envp
 * that lacks LD_PRELOAD.
 *
 * Creates pipe P (no O_CLOEXEC) and pipe Q (no O_CLOEXEC).  Spawns
 * "/bin/echo spawned" with the actions adddup2(P[1], 1), addclose(P[0]),
 * addclose(P[1]), addclose(Q[1]): the child's fd 1 is P's write end, P's own
 * numbers and Q's write end are gone, and Q's read end is inherited (no
 * action touches it).  Then posix_spawnp("echo", "spawnp") with envp
 * {"PATH=/usr/bin:/bin", NULL} and the same actions, once the first child
 * has exited (so the messages arrive in order).  Reads both messages
 * from P and prints:
 *   pipes P0 P1 Q0 Q1
 *   child1 PID status 0
 *   child2 PID status 0
 *   read: spawned\nspawnp\n            (as two lines)
 */
#define _GNU_SOURCE
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

extern char **environ;

int main(void) {
    int p[2], q[2];
    if (pipe(p) || pipe(q))
        die("pipe");
    printf("pipes %d %d %d %d\n", p[0], p[1], q[0], q[1]);
    fflush(stdout);

    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa))
        die("init");
    if (posix_spawn_file_actions_adddup2(&fa, p[1], 1))
        die("adddup2");
    if (posix_spawn_file_actions_addclose(&fa, p[0]))
        die("addclose");
    if (posix_spawn_file_actions_addclose(&fa, p[1]))
        die("addclose");
    if (posix_spawn_file_actions_addclose(&fa, q[1]))
        die("addclose");

    pid_t c1, c2;
    char *argv1[] = {"/bin/echo", "spawned", NULL};
    int err = posix_spawn(&c1, "/bin/echo", &fa, NULL, argv1, environ);
    if (err) {
        errno = err;
        die("posix_spawn");
    }
    int s1, s2;
    if (waitpid(c1, &s1, 0) != c1)
        die("waitpid"); /* one after the other */
    char *argv2[] = {"echo", "spawnp", NULL};
    char *env2[] = {"PATH=/usr/bin:/bin", NULL};
    err = posix_spawnp(&c2, "echo", &fa, NULL, argv2, env2);
    if (err) {
        errno = err;
        die("posix_spawnp");
    }
    posix_spawn_file_actions_destroy(&fa);

    close(p[1]);
    close(q[1]);
    if (waitpid(c2, &s2, 0) != c2)
        die("waitpid");
    char buf[256];
    size_t got = 0;
    ssize_t n;
    while ((n = read(p[0], buf + got, sizeof buf - 1 - got)) > 0)
        got += (size_t)n;
    buf[got] = 0;
    printf("child1 %d status %d\nchild2 %d status %d\nread: %s", (int)c1, s1, (int)c2, s2, buf);
    return 0;
}
