/* Ending what `pipetrace run --timeout` started (run_kill.h).  The tree is
 * read from /proc: each process's parent and state.  Processes that run
 * adopted as the subreaper are its children there, so nothing escapes by
 * leaving its parent. */
#define _GNU_SOURCE
#include "run_kill.h"

#include <ctype.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "analysis/procstat.h"
#include "trace/xalloc.h"

int run_adopt_orphans(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

struct proc {
    pid_t pid, ppid;
    char state; /* /proc/PID/stat's: R, S, T (stopped), Z (zombie)... */
    int live;   /* not a zombie */
};

/* Parent and state; 0, or -1 when it is gone. */
static int read_proc(pid_t pid, struct proc *p) {
    struct pt_procstat st;
    if (pt_procstat_read(pid, &st) < 0)
        return -1;
    *p = (struct proc){pid, st.ppid, st.state, pt_procstat_live(&st)};
    return 0;
}

/* Every process in /proc; *n set.  NULL when /proc cannot be read or
 * lists none. */
static struct proc *list_procs(size_t *n) {
    *n = 0;
    DIR *d = opendir("/proc");
    if (d == NULL)
        return NULL;
    size_t cap = 0;
    struct proc *v = NULL;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        struct proc p;
        if (read_proc((pid_t)atoi(e->d_name), &p) < 0)
            continue;
        PT_GROW(v, *n + 1, cap);
        v[(*n)++] = p;
    }
    closedir(d);
    return v;
}

static int by_pid(const void *a, const void *b) {
    const struct proc *x = a, *y = b;
    return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Whether pid's chain of parents reaches ancestor (v sorted by pid). */
static int descends_from(const struct proc *v, size_t n, pid_t pid, pid_t ancestor) {
    for (size_t steps = 0; steps < n && pid > 1; steps++) {
        struct proc key = {.pid = pid};
        const struct proc *p = bsearch(&key, v, n, sizeof *v, by_pid);
        if (p == NULL)
            return 0;
        if (p->ppid == ancestor)
            return 1;
        pid = p->ppid;
    }
    return 0;
}

/* The live descendants of this process but spare and its own; *n set.
 * NULL when /proc lists none. */
static pid_t *tree_members(pid_t spare, size_t *n) {
    size_t nprocs;
    struct proc *v = list_procs(&nprocs);
    *n = 0;
    if (v == NULL)
        return NULL;
    qsort(v, nprocs, sizeof *v, by_pid);
    pid_t self = getpid();
    pid_t *out = pt_xmalloc((nprocs + 1) * sizeof *out);
    for (size_t i = 0; i < nprocs; i++)
        if (v[i].live && v[i].pid != spare && v[i].pid != self &&
            !(spare != 0 && descends_from(v, nprocs, v[i].pid, spare)) &&
            descends_from(v, nprocs, v[i].pid, self))
            out[(*n)++] = v[i].pid;
    free(v);
    return out;
}

static void signal_all(const pid_t *pids, size_t n, int sig) {
    for (size_t i = 0; i < n; i++)
        kill(pids[i], sig);
}

/* Whether pid has stopped, or is gone. */
static int stopped(pid_t pid) {
    struct proc p;
    return read_proc(pid, &p) < 0 || !p.live || p.state == 'T' || p.state == 't';
}

/* Stops every member first and waits (briefly: a bound, not a timing)
 * until each has, so that none runs on while its peers die: a reader
 * whose writer was killed first would see EOF, and the trace would no
 * longer show the hang the diagnosis described. */
static void freeze(const pid_t *pids, size_t n) {
    signal_all(pids, n, SIGSTOP);
    for (int tries = 0; tries < 1000; tries++) {
        size_t i = 0;
        while (i < n && stopped(pids[i]))
            i++;
        if (i == n)
            return;
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
}

int run_signal_tree(int sig, pid_t spare) {
    size_t n;
    pid_t *pids = tree_members(spare, &n);
    if (pids == NULL)
        return 0;
    if (sig != 0 && sig != SIGKILL && sig != SIGSTOP && sig != SIGCONT) {
        freeze(pids, n);
        signal_all(pids, n, sig); /* taken as they go on, all at once */
        signal_all(pids, n, SIGCONT);
    } else {
        signal_all(pids, n, sig);
    }
    free(pids);
    return (int)n;
}
