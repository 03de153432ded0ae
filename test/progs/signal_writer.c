/* signal_writer: the main thread writes 100-byte chunks of 'M' into a pipe
 * while a SIGALRM handler (setitimer, every 100 us) writes the 16 bytes
 * "SIGNAL-HANDLER!\n" into the same pipe.  A forked child reads the pipe to
 * the end and prints "reader_bytes N"; the parent stops after at least 300
 * handler writes and 2000 main writes, then prints
 * "main_calls A main_bytes B sig_calls C sig_bytes D".
 * A tracer that takes a lock on the recording path deadlocks here. */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test/progs/progs.h"

static int write_fd;
static volatile sig_atomic_t sig_calls;
static volatile sig_atomic_t sig_bytes;
static volatile sig_atomic_t sig_errors;

static void on_alarm(int sig) {
    (void)sig;
    int saved = errno;
    ssize_t n = write(write_fd, "SIGNAL-HANDLER!\n", 16);
    sig_calls++;
    if (n > 0)
        sig_bytes += n;
    else
        sig_errors++;
    errno = saved;
}

static void read_to_end(int fd) {
    char buf[65536];
    long total = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("reader: read");
        }
        total += n;
    }
    printf("reader_bytes %ld\n", total);
    exit(0);
}

int main(void) {
    int fds[2];
    if (pipe(fds))
        die("pipe");
    fflush(stdout);
    pid_t reader = fork();
    if (reader < 0)
        die("fork");
    if (reader == 0) {
        close(fds[1]);
        read_to_end(fds[0]);
    }
    close(fds[0]);
    write_fd = fds[1];

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGALRM, &sa, NULL))
        die("sigaction");
    struct itimerval every = {{0, 100}, {0, 100}};
    if (setitimer(ITIMER_REAL, &every, NULL))
        die("setitimer");

    char chunk[100];
    memset(chunk, 'M', sizeof chunk);
    long main_calls = 0, main_bytes = 0;
    double give_up = now_s() + 20;
    while (sig_calls < 300 || main_calls < 2000) {
        ssize_t n = write(fds[1], chunk, sizeof chunk);
        main_calls++;
        if (n > 0)
            main_bytes += n;
        else if (errno != EINTR)
            die("write");
        if (now_s() > give_up)
            die("only %d signals in 20 s", (int)sig_calls);
    }

    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    signal(SIGALRM, SIG_IGN);
    close(fds[1]);

    int status;
    if (waitpid(reader, &status, 0) != reader)
        die("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("reader failed");
    if (sig_errors)
        die("%d handler writes failed", (int)sig_errors);
    printf("main_calls %ld main_bytes %ld sig_calls %ld sig_bytes %ld\n", main_calls, main_bytes,
           (long)sig_calls, (long)sig_bytes);
    return 0;
}
