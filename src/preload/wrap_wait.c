/* wait and exit: how each process ended, from both sides.  The parent's
 * wait says what killed a child (a SIGPIPE death is a diagnosis); the exit
 * record says the status a process chose. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"
#include "recorder.h"
#include "wrappers.h"

/* The caller's status word is handed to the real call as it is (a bad
 * pointer must fail with EFAULT, as it does untraced) and read only once the
 * kernel has written it: after a call that reaped a child. */
static int reaped_status(pid_t r, const int *where) {
    return r > 0 ? *where : 0;
}

/* WNOHANG polls that reap nothing are not worth a record each: one is
 * made after the fact for a poll that reaped a child.  Until the call
 * returns, arg holds the pid asked for (waitpid's form: -1 any child, 0 or
 * -PGID a process group), so that a wait still blocked when the trace
 * ends says which child it waits for; the status replaces it. */
static void wait_enter(struct pt_call *c, int options, pid_t pid) {
    pt_enter(c);
    if (!(options & WNOHANG))
        c->rec = pt_begin(PT_EV_WAIT, -1, NULL, (uint64_t)(int64_t)pid, 0);
}

static void wait_end(struct pt_call *c, pid_t pid, int status, int options) {
    if (!c->rec && (options & WNOHANG) && pid > 0)
        c->rec = pt_begin(PT_EV_WAIT, -1, NULL, 0, 0);
    if (!c->rec)
        return;
    c->rec->arg = (uint64_t)(unsigned)status;
    pt_end(c->rec, pt_outcome(c, pid));
}

/* Completes a wait that reported through a status word; yields r. */
static pid_t wait_leave(struct pt_call *c, pid_t r, const int *where, int options) {
    wait_end(c, r, reaped_status(r, where), options);
    return PT_LEAVE(c, r);
}

PT_EXPORT pid_t wait4(pid_t pid, int *wstatus, int options, struct rusage *usage) {
    __auto_type real = PT_REAL(wait4);
    if (__builtin_expect(!real, 0))
        return (pid_t)syscall(SYS_wait4, pid, wstatus, options, usage);
    int own = 0, *where = wstatus ? wstatus : &own;
    struct pt_call c;
    wait_enter(&c, options, pid);
    return wait_leave(&c, PT_CALL(&c, real(pid, where, options, usage)), where, options);
}

PT_EXPORT pid_t waitpid(pid_t pid, int *wstatus, int options) {
    __auto_type real = PT_REAL(waitpid);
    if (__builtin_expect(!real, 0))
        return (pid_t)syscall(SYS_wait4, pid, wstatus, options, NULL);
    int own = 0, *where = wstatus ? wstatus : &own;
    struct pt_call c;
    wait_enter(&c, options, pid);
    return wait_leave(&c, PT_CALL(&c, real(pid, where, options)), where, options);
}

/* dash reaps its children with wait3. */
PT_EXPORT pid_t wait3(int *wstatus, int options, struct rusage *usage) {
    return wait4(-1, wstatus, options, usage);
}

PT_EXPORT pid_t wait(int *wstatus) {
    __auto_type real = PT_REAL(wait);
    if (__builtin_expect(!real, 0))
        return (pid_t)syscall(SYS_wait4, -1, wstatus, 0, NULL);
    int own = 0, *where = wstatus ? wstatus : &own;
    struct pt_call c;
    wait_enter(&c, 0, -1);
    return wait_leave(&c, PT_CALL(&c, real(where)), where, 0);
}

/* waitid reports through siginfo; the record keeps the wait-status form. */
static int status_of(const siginfo_t *info) {
    switch (info->si_code) {
    case CLD_EXITED:
        return (info->si_status & 0xff) << 8;
    case CLD_KILLED:
        return info->si_status & 0x7f;
    case CLD_DUMPED:
        return (info->si_status & 0x7f) | 0x80;
    default:
        return 0;
    }
}

/* The pid waitid waits for, in waitpid's form (a pidfd's child is not
 * known: any child). */
static pid_t waitid_pid(idtype_t idtype, id_t id) {
    switch (idtype) {
    case P_PID:
        return (pid_t)id;
    case P_PGID:
        return -(pid_t)id;
    default:
        return -1;
    }
}

/* WNOWAIT only looks: nothing is reaped, nothing recorded. */
PT_EXPORT int waitid(idtype_t idtype, id_t id, siginfo_t *infop, int options) {
    __auto_type real = PT_REAL(waitid);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_waitid, idtype, id, infop, options, NULL);
    struct pt_call c;
    if (options & WNOWAIT)
        pt_enter(&c);
    else
        wait_enter(&c, options, waitid_pid(idtype, id));
    int r = PT_CALL(&c, real(idtype, id, infop, options));
    pid_t reaped = (r == 0 && infop) ? infop->si_pid : 0;
    if (r == 0 && !(options & WNOWAIT))
        wait_end(&c, reaped, infop ? status_of(infop) : 0, options);
    else
        pt_end(c.rec, pt_outcome(&c, r));
    return PT_LEAVE(&c, r);
}

/* An exit record only where the image already has a trace file: creating a
 * file to say "exit 0" would be the whole cost of tracing /bin/true.
 * Returning from main reaches exit inside libc, past any wrapper, so the
 * status comes from an on_exit handler; _exit and _Exit skip handlers and
 * are wrapped. */
static void record_exit(int status) {
    if (!pt_recording_open())
        return;
    pt_commit(pt_instant(PT_EV_EXIT, -1, NULL, (uint64_t)(unsigned)status, 0, 0));
}

static void on_exit_handler(int status, void *unused) {
    (void)unused;
    record_exit(status);
}

void pt_watch_exit(void) {
    on_exit(on_exit_handler, NULL);
}

/* The process ends here whichever way: the kernel's exit_group when the
 * real function cannot be had yet. */
static void __attribute__((noreturn)) end_process(void (*real)(int), int status) {
    if (real)
        real(status);
    for (;;)
        syscall(SYS_exit_group, status);
}

PT_EXPORT void _exit(int status) {
    __auto_type real = PT_REAL(_exit);
    record_exit(status);
    end_process(real, status);
}

PT_EXPORT void _Exit(int status) {
    __auto_type real = PT_REAL(_Exit);
    record_exit(status);
    end_process(real, status);
}
