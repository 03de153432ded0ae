/* wait_edges: poll, ppoll, select, pselect and epoll on the arguments
 * programs get wrong (bad pointers, a set that runs into an unreadable
 * page, nfds out of range, closed and negative fds, bad timeouts), one line
 * per call with its result and errno: traced and untraced must print the
 * same lines.  (A bad timeout pointer is left out: glibc itself reads
 * the timeout of ppoll, pselect, select and epoll_pwait2, and faults.) */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <unistd.h>

#include "test/progs/progs.h"

static void report(const char *what, int r) {
    printf("%s = %d %s\n", what, r, r < 0 ? strerror(errno) : "");
}

/* An address no program maps; volatile, so the compiler cannot see it. */
static void *volatile bad_ptr = (void *)16;
#define BAD_PTR bad_ptr

/* A page that can be read followed by one that cannot. */
static char *page_then_hole(void) {
    long page = sysconf(_SC_PAGESIZE);
    char *p =
        mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED || mprotect(p + page, (size_t)page, PROT_NONE))
        die("mmap");
    return p + page;
}

static void polls(int rfd, int wfd, char *hole) {
    struct pollfd ok[3] = {{rfd, POLLIN, 0}, {-1, POLLIN, 0}, {wfd, POLLOUT, 0}};
    report("poll pipe", poll(ok, 3, 0));
    printf("  revents %d %d %d\n", ok[0].revents, ok[1].revents, ok[2].revents);
    report("poll bad pointer", poll(BAD_PTR, 1, 0));
    report("poll NULL nfds 0", poll(NULL, 0, 0));
    struct pollfd *edge = (struct pollfd *)(void *)(hole - sizeof(struct pollfd));
    *edge = (struct pollfd){rfd, POLLIN, 0};
    report("poll into hole", poll(edge, 2, 0));
    report("poll last before hole", poll(edge, 1, 0));
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    report("poll nfds over limit", poll(ok, (nfds_t)rl.rlim_cur + 1, 0));
    struct pollfd closed = {1000, POLLIN, 0};
    report("poll closed fd", poll(&closed, 1, 0));
    printf("  revents %d\n", closed.revents);
    struct timespec bad_ns = {0, 2000000000L};
    report("ppoll bad nsec", ppoll(ok, 1, &bad_ns, NULL));
    struct timespec zero = {0, 0};
    sigset_t mask;
    sigemptyset(&mask);
    report("ppoll with mask", ppoll(ok, 1, &zero, &mask));
}

static void selects(int rfd, int wfd, char *hole) {
    fd_set in, out;
    struct timeval zero = {0, 0};
    FD_ZERO(&in);
    FD_ZERO(&out);
    FD_SET(rfd, &in);
    FD_SET(wfd, &out);
    report("select pipe", select(wfd + 1, &in, &out, NULL, &zero));
    printf("  in %d out %d\n", FD_ISSET(rfd, &in), FD_ISSET(wfd, &out));
    zero = (struct timeval){0, 0};
    report("select bad set", select(wfd + 1, BAD_PTR, NULL, NULL, &zero));
    zero = (struct timeval){0, 0};
    report("select negative nfds", select(-1, NULL, NULL, NULL, &zero));
    /* nfds counts only the bits below it: a set ending right at the hole */
    fd_set *edge = (fd_set *)(void *)(hole - 8);
    memset(edge, 0, 8);
    edge->fds_bits[0] = 1L << rfd;
    zero = (struct timeval){0, 0};
    report("select set before hole", select(64, edge, NULL, NULL, &zero));
    zero = (struct timeval){0, 0};
    report("select set into hole", select(65, edge, NULL, NULL, &zero));
    FD_ZERO(&in);
    FD_SET(900, &in);
    zero = (struct timeval){0, 0};
    report("select closed fd", select(901, &in, NULL, NULL, &zero));
    struct timeval negative = {-1, 0};
    FD_ZERO(&in);
    FD_SET(rfd, &in);
    report("select negative timeout", select(rfd + 1, &in, NULL, NULL, &negative));
    struct timespec ts = {0, 0};
    report("pselect pipe", pselect(rfd + 1, &in, NULL, NULL, &ts, NULL));
}

static void epolls(int rfd) {
    int ep = epoll_create1(EPOLL_CLOEXEC);
    report("epoll_create1", ep >= 0 ? 0 : -1);
    report("epoll_create 0", epoll_create(0));
    report("epoll_create1 bad flags", epoll_create1(12345));
    report("epoll_ctl bad event", epoll_ctl(ep, EPOLL_CTL_ADD, rfd, BAD_PTR));
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 7};
    report("epoll_ctl add", epoll_ctl(ep, EPOLL_CTL_ADD, rfd, &ev));
    report("epoll_ctl add again", epoll_ctl(ep, EPOLL_CTL_ADD, rfd, &ev));
    report("epoll_ctl bad epfd", epoll_ctl(999, EPOLL_CTL_ADD, rfd, &ev));
    struct epoll_event out[4];
    report("epoll_wait ready", epoll_wait(ep, out, 4, 0));
    printf("  data %llu\n", (unsigned long long)out[0].data.u64);
    report("epoll_wait bad events", epoll_wait(ep, BAD_PTR, 4, 0));
    report("epoll_wait maxevents 0", epoll_wait(ep, out, 0, 0));
    report("epoll_pwait", epoll_pwait(ep, out, 4, 0, NULL));
    struct timespec zero = {0, 0};
    report("epoll_pwait2", epoll_pwait2(ep, out, 4, &zero, NULL));
    report("epoll_ctl del", epoll_ctl(ep, EPOLL_CTL_DEL, rfd, NULL));
    report("close epoll", close(ep));
}

int main(int argc, char **argv) {
    int fds[2];
    if (pipe(fds) || write(fds[1], "x", 1) != 1)
        die("pipe");
    char *hole = page_then_hole();
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "poll") == 0)
            polls(fds[0], fds[1], hole);
        else if (strcmp(argv[i], "select") == 0)
            selects(fds[0], fds[1], hole);
        else if (strcmp(argv[i], "epoll") == 0)
            epolls(fds[0]);
    }
    return 0;
}
