/* popen streams and their children.  See procfile.h. */
#define _GNU_SOURCE
#include "procfile.h"

#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>

#include "src/writer/sys.h"

/* A program rarely has more than a few popen streams open at once; past
 * this many, a pclose is recorded without its child's pid. */
#define MAX_STREAMS 64

struct stream {
    uintptr_t fp; /* 0: free */
    pid_t child;
};

static struct stream streams[MAX_STREAMS];

/* glibc's popen stream is a struct _IO_proc_file: the FILE, its jump-table
 * pointer, then the child's pid (a layout kept since glibc 2.1).  What is
 * read there is believed only if it is a child of ours: waitid with
 * WNOWAIT asks without reaping. */
static pid_t child_of(FILE *fp) {
    pid_t pid = *(const pid_t *)((const char *)fp + sizeof(FILE) + sizeof(void *));
    siginfo_t info;
    if (pid <= 0 ||
        pt_syscall6(SYS_waitid, P_PID, pid, (long)&info, WEXITED | WNOHANG | WNOWAIT, 0, 0) != 0)
        return 0;
    return pid;
}

void pt_procfile_opened(FILE *fp) {
    pid_t child = child_of(fp);
    if (!child)
        return;
    for (int i = 0; i < MAX_STREAMS; i++) {
        uintptr_t expected = 0;
        if (__atomic_compare_exchange_n(&streams[i].fp, &expected, (uintptr_t)fp, 0,
                                        __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
            __atomic_store_n(&streams[i].child, child, __ATOMIC_RELEASE);
            return;
        }
    }
}

pid_t pt_procfile_closing(FILE *fp) {
    for (int i = 0; i < MAX_STREAMS; i++) {
        if (__atomic_load_n(&streams[i].fp, __ATOMIC_ACQUIRE) != (uintptr_t)fp)
            continue;
        pid_t child = __atomic_load_n(&streams[i].child, __ATOMIC_ACQUIRE);
        __atomic_store_n(&streams[i].fp, 0, __ATOMIC_RELEASE);
        return child;
    }
    return 0;
}
