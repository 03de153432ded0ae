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
#include "state.h"
#include "wrappers.h"

#define EXPORT __attribute__((visibility("default")))

/* The caller's status word is handed to the real call as it is (a bad
 * pointer must fail with EFAULT, as it does untraced) and read only once the
 * kernel has written it: after a call that reaped a child. */
static int reaped_status(pid_t r, const int *where) {
    return r > 0 ? *where : 0;
}

/* WNOHANG polls that reap nothing are not worth a record each. */
static struct pt_record *wait_begin(int options) {
    return (options & WNOHANG) ? NULL : pt_begin(PT_EV_WAIT, -1, NULL, 0, 0);
}

static void wait_end(struct pt_record *rec, pid_t pid, int status, int call_errno, int options) {
    if (!rec && (options & WNOHANG) && pid > 0)
        rec = pt_begin(PT_EV_WAIT, -1, NULL, 0, 0);
    if (!rec)
        return;
    rec->arg = (uint64_t)(unsigned)status;
    pt_end(rec, pid < 0 ? -call_errno : pid);
}

EXPORT pid_t wait4(pid_t pid, int *wstatus, int options, struct rusage *usage) {
    pid_t (*real)(pid_t, int *, int, struct rusage *) = PT_REAL(wait4);
    if (__builtin_expect(!real, 0))
        return (pid_t)syscall(SYS_wait4, pid, wstatus, options, usage);
    int saved = errno, own = 0, *where = wstatus ? wstatus : &own;
    struct pt_record *rec = wait_begin(options);
    errno = saved;
    pid_t r = real(pid, where, options, usage);
    int call_errno = errno;
    int status = reaped_status(r, where);
    wait_end(rec, r, status, call_errno, options);
    errno = call_errno;
    return r;
}

EXPORT pid_t waitpid(pid_t pid, int *wstatus, int options) {
    pid_t (*real)(pid_t, int *, int) = PT_REAL(waitpid);
    if (__builtin_expect(!real, 0))
        return (pid_t)syscall(SYS_wait4, pid, wstatus, options, NULL);
    int saved = errno, own = 0, *where = wstatus ? wstatus : &own;
    struct pt_record *rec = wait_begin(options);
    errno = saved;
    pid_t r = real(pid, where, options);
    int call_errno = errno;
    int status = reaped_status(r, where);
    wait_end(rec, r, status, call_errno, options);
    errno = call_errno;
    return r;
}

/* dash reaps its children with wait3. */
EXPORT pid_t wait3(int *wstatus, int options, struct rusage *usage) {
    return wait4(-1, wstatus, options, usage);
}

EXPORT pid_t wait(int *wstatus) {
    pid_t (*real)(int *) = PT_REAL(wait);
    if (__builtin_expect(!real, 0))
        return (pid_t)syscall(SYS_wait4, -1, wstatus, 0, NULL);
    int saved = errno, own = 0, *where = wstatus ? wstatus : &own;
    struct pt_record *rec = wait_begin(0);
    errno = saved;
    pid_t r = real(where);
    int call_errno = errno;
    int status = reaped_status(r, where);
    wait_end(rec, r, status, call_errno, 0);
    errno = call_errno;
    return r;
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

EXPORT int waitid(idtype_t idtype, id_t id, siginfo_t *infop, int options) {
    int (*real)(idtype_t, id_t, siginfo_t *, int) = PT_REAL(waitid);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_waitid, idtype, id, infop, options, NULL);
    int saved = errno;
    struct pt_record *rec = (options & WNOWAIT) ? NULL : wait_begin(options);
    errno = saved;
    int r = real(idtype, id, infop, options);
    int call_errno = errno;
    pid_t reaped = (r == 0 && infop) ? infop->si_pid : 0;
    if (r == 0 && !(options & WNOWAIT))
        wait_end(rec, reaped, infop ? status_of(infop) : 0, call_errno, options);
    else if (rec)
        pt_end(rec, -call_errno);
    errno = call_errno;
    return r;
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

EXPORT void _exit(int status) {
    void (*real)(int) = PT_REAL(exit_now);
    record_exit(status);
    end_process(real, status);
}

EXPORT void _Exit(int status) {
    void (*real)(int) = PT_REAL(exit_now_c99);
    record_exit(status);
    end_process(real, status);
}
