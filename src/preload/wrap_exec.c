/* The exec family.  glibc's execvp, execl and friends call its internal
 * execve, which no wrapper sees, so each is wrapped here and brought to one
 * path: fix the environment so the new image stays traced, say so when it
 * cannot be traced, record the attempt, exec.
 *
 * A fork child that has recorded nothing yet has no trace file; creating one
 * only to say "exec" would double the cost of every fork+exec, and the new
 * image's own file (same pid, its exe and argv) says it already.  So the
 * attempt is recorded up front only where a file exists, and after the fact
 * when the exec fails. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "clock.h"
#include "env.h"
#include "inspect.h"
#include "recorder.h"
#include "safemem.h"
#include "state.h"
#include "wrappers.h"

extern char **environ;

enum how { BY_PATH, BY_SEARCH, BY_FD, BY_DIRFD };

struct exec_call {
    enum how how;
    int dirfd; /* BY_FD: the fd; BY_DIRFD: the directory */
    const char *path;
    char *const *argv;
    char *const *envp;
    int flags; /* execveat */
};

/* execvp's search, for when even execvpe cannot be resolved yet (see
 * real.h): the first executable along PATH. */
static int raw_exec_search(const char *file, char *const argv[], char *const envp[]) {
    char path[PT_PATH_MAX];
    if (pt_search_path(file, envp, path, sizeof path) < 0) {
        errno = ENOENT;
        return -1;
    }
    return (int)syscall(SYS_execve, path, argv, envp);
}

/* fexecve's own checks, then the call it makes. */
static int raw_fexecve(int fd, char *const argv[], char *const envp[]) {
    if (fd < 0 || !argv || !envp) {
        errno = EINVAL;
        return -1;
    }
    return (int)syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
}

static int real_exec(const struct exec_call *c, char *const envp[]) {
    switch (c->how) {
    case BY_SEARCH: {
        __auto_type real = PT_REAL(execvpe);
        return real ? real(c->path, c->argv, envp) : raw_exec_search(c->path, c->argv, envp);
    }
    case BY_FD: {
        __auto_type real = PT_REAL(fexecve);
        return real ? real(c->dirfd, c->argv, envp) : raw_fexecve(c->dirfd, c->argv, envp);
    }
    case BY_DIRFD: {
        __auto_type real = PT_REAL(execveat);
        return real ? real(c->dirfd, c->path, c->argv, envp, c->flags)
                    : (int)syscall(SYS_execveat, c->dirfd, c->path, c->argv, envp, c->flags);
    }
    default: {
        __auto_type real = PT_REAL(execve);
        return real ? real(c->path, c->argv, envp)
                    : (int)syscall(SYS_execve, c->path, c->argv, envp);
    }
    }
}

/* fexecve runs the file behind the fd; /proc names it. */
static const char *fd_path(int fd, char *buf) {
    const char prefix[] = "/proc/self/fd/";
    char *p = buf;
    memcpy(p, prefix, sizeof prefix - 1);
    p += sizeof prefix - 1;
    char digits[12];
    int n = 0;
    for (unsigned v = (unsigned)fd; n == 0 || v; v /= 10)
        digits[n++] = (char)('0' + v % 10);
    while (n)
        *p++ = digits[--n];
    *p = '\0';
    return buf;
}

/* Says so when the new image will run without us: a target the loader will
 * not preload into, or an environment without us that we were told to
 * leave alone (PIPETRACE_FOLLOW=0). */
static struct pt_record *note_untraced(const struct exec_call *c, char *const envp[]) {
    char proc_path[32];
    const char *target = c->how == BY_FD ? fd_path(c->dirfd, proc_path) : c->path;
    if (!target)
        return NULL;
    return pt_note_untraced(c->how == BY_DIRFD ? c->dirfd : AT_FDCWD, target, c->how == BY_SEARCH,
                            envp, pt_self.pid);
}

static const char *shown_path(const struct exec_call *c) {
    return c->path ? c->path : "";
}

/* Whether all the wrapper reads of the call before making it (path, argv,
 * envp) can be read.  When something cannot, the kernel will answer EFAULT,
 * and the wrapper must not fault first. */
static int call_readable(const struct exec_call *c) {
    struct pt_memo memo = {{0}, 0, 0};
    return (c->how == BY_FD || pt_str_readable(&memo, c->path)) &&
           pt_strv_readable(&memo, c->argv) && pt_strv_readable(&memo, c->envp);
}

/* The exec record: the path, then argv. */
static struct pt_record *exec_begin(const struct exec_call *c) {
    struct pt_record *rec = pt_begin(PT_EV_EXEC, c->how == BY_FD ? c->dirfd : -1, NULL, 0,
                                     pt_strings_room(shown_path(c), c->argv));
    pt_put_strings(rec, shown_path(c), c->argv);
    return rec;
}

/* An exec given memory it cannot read: passed on untouched, and recorded
 * without its strings. */
static int blind_exec(const struct exec_call *c) {
    struct pt_call call;
    pt_enter(&call);
    int r = PT_CALL(&call, real_exec(c, c->envp));
    call.rec = pt_begin(PT_EV_EXEC, c->how == BY_FD ? c->dirfd : -1, NULL, 0, 0);
    return PT_FINISH(&call, r);
}

static int traced_exec(const struct exec_call *c) {
    if (!call_readable(c))
        return blind_exec(c);
    struct pt_call call;
    pt_enter(&call);
    struct pt_env_room room;
    char *const *envp = pt_env_prepare(&room, c->envp);
    /* Written before the exec, which leaves no chance after; taken back if
     * the exec fails (no child ran). */
    struct pt_record *untraced = note_untraced(c, envp);
    uint64_t start = pt_now_ns();
    if (pt_recording_open())
        call.rec = exec_begin(c);
    int r = PT_CALL(&call, real_exec(c, envp));
    if (!call.rec && (call.rec = exec_begin(c)))
        call.rec->t_start = start;
    pt_end(call.rec, -call.errno_out);
    pt_untraced_failed(untraced, call.errno_out);
    pt_env_release(&room);
    return PT_LEAVE(&call, r);
}

PT_EXPORT int execve(const char *path, char *const argv[], char *const envp[]) {
    struct exec_call c = {BY_PATH, AT_FDCWD, path, argv, envp, 0};
    return traced_exec(&c);
}

PT_EXPORT int execveat(int dirfd, const char *path, char *const argv[], char *const envp[],
                       int flags) {
    struct exec_call c = {BY_DIRFD, dirfd, path, argv, envp, flags};
    return traced_exec(&c);
}

PT_EXPORT int fexecve(int fd, char *const argv[], char *const envp[]) {
    struct exec_call c = {BY_FD, fd, NULL, argv, envp, 0};
    return traced_exec(&c);
}

PT_EXPORT int execv(const char *path, char *const argv[]) {
    struct exec_call c = {BY_PATH, AT_FDCWD, path, argv, environ, 0};
    return traced_exec(&c);
}

PT_EXPORT int execvp(const char *file, char *const argv[]) {
    struct exec_call c = {BY_SEARCH, AT_FDCWD, file, argv, environ, 0};
    return traced_exec(&c);
}

PT_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[]) {
    struct exec_call c = {BY_SEARCH, AT_FDCWD, file, argv, envp, 0};
    return traced_exec(&c);
}

/* The execl forms: argv is the argument list up to its NULL, and for
 * execle envp follows that NULL.  The list is read in one place, in order,
 * through the wrapper's own va_list: counted first on a copy (argv goes on
 * the stack, never malloc), then argv gathered, then envp.  No helper ever
 * consumes a list another one reads after it. */
static int exec_list(enum how how, const char *path, const char *arg, va_list *ap,
                     int envp_follows) {
    size_t n = 0;
    if (arg) {
        va_list counting;
        va_copy(counting, *ap);
        for (n = 1; va_arg(counting, const char *); n++)
            ;
        va_end(counting);
    }
    char *argv[n + 1];
    argv[0] = (char *)arg;
    for (size_t i = 1; i < n; i++)
        argv[i] = va_arg(*ap, char *);
    if (n)
        (void)va_arg(*ap, char *); /* the terminating NULL */
    argv[n] = NULL;
    char *const *envp = envp_follows ? va_arg(*ap, char *const *) : environ;
    struct exec_call c = {how, AT_FDCWD, path, argv, envp, 0};
    return traced_exec(&c);
}

PT_EXPORT int execl(const char *path, const char *arg, ...) {
    va_list ap;
    va_start(ap, arg);
    int r = exec_list(BY_PATH, path, arg, &ap, 0);
    va_end(ap);
    return r;
}

PT_EXPORT int execlp(const char *file, const char *arg, ...) {
    va_list ap;
    va_start(ap, arg);
    int r = exec_list(BY_SEARCH, file, arg, &ap, 0);
    va_end(ap);
    return r;
}

PT_EXPORT int execle(const char *path, const char *arg, ...) {
    va_list ap;
    va_start(ap, arg);
    int r = exec_list(BY_PATH, path, arg, &ap, 1);
    va_end(ap);
    return r;
}
