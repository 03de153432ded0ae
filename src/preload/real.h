/* The functions the wrappers stand in front of, resolved with
 * dlsym(RTLD_NEXT) once, in the constructor, or on first use when a wrapper
 * runs before the constructor got to them: another library's constructor,
 * a thread racing ours, or a dlsym the program interposed that calls back
 * into a wrapper while we resolve.
 *
 * Every wrapper takes its function through PT_REAL and has a path for
 * NULL, which happens only in that last case (resolving again would recurse
 * forever): the raw system call where there is one, else a failure with
 * ENOSYS (popen, system, posix_spawn, daemon, pclose, openpty, login_tty). */
#ifndef PIPETRACE_PRELOAD_REAL_H
#define PIPETRACE_PRELOAD_REAL_H

#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>

struct pt_real_fns {
    ssize_t (*read)(int, void *, size_t);
    ssize_t (*write)(int, const void *, size_t);
    ssize_t (*readv)(int, const struct iovec *, int);
    ssize_t (*writev)(int, const struct iovec *, int);
    ssize_t (*read_chk)(int, void *, size_t, size_t);
    int (*pipe)(int[2]);
    int (*pipe2)(int[2], int);
    pid_t (*fork)(void);
    pid_t (*fork_nohandlers)(void); /* _Fork: fork without atfork handlers */
    int (*daemon)(int, int);
    int (*close)(int);
    int (*dup)(int);
    int (*dup2)(int, int);
    int (*dup3)(int, int, int);
    int (*fcntl)(int, int, ...);
    int (*fcntl64)(int, int, ...);
    int (*close_range)(unsigned, unsigned, int);
    void (*closefrom)(int);
    int (*socketpair)(int, int, int, int[2]);
    int (*socket)(int, int, int);
    int (*accept)(int, struct sockaddr *, socklen_t *);
    int (*accept4)(int, struct sockaddr *, socklen_t *, int);
    int (*open)(const char *, int, ...);
    int (*open64)(const char *, int, ...);
    int (*openat)(int, const char *, int, ...);
    int (*openat64)(int, const char *, int, ...);
    int (*mkfifo)(const char *, mode_t);
    int (*execve)(const char *, char *const[], char *const[]);
    int (*execvpe)(const char *, char *const[], char *const[]);
    int (*execveat)(int, const char *, char *const[], char *const[], int);
    int (*fexecve)(int, char *const[], char *const[]);
    int (*posix_spawn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
                       const posix_spawnattr_t *, char *const[], char *const[]);
    int (*posix_spawnp)(pid_t *, const char *, const posix_spawn_file_actions_t *,
                        const posix_spawnattr_t *, char *const[], char *const[]);
    FILE *(*popen)(const char *, const char *);
    int (*pclose)(FILE *);
    int (*system)(const char *);
    pid_t (*wait4)(pid_t, int *, int, struct rusage *);
    pid_t (*waitpid)(pid_t, int *, int);
    pid_t (*wait)(int *);
    int (*waitid)(idtype_t, id_t, siginfo_t *, int);
    void (*exit_now)(int) __attribute__((noreturn));     /* _exit */
    void (*exit_now_c99)(int) __attribute__((noreturn)); /* _Exit */
    int (*openpty)(int *, int *, char *, const void *, const void *);
    int (*login_tty)(int);
    /* Not wrapped: glibc's lock-free, async-signal-safe lookup of the module
     * holding an address (glibc 2.35 on; NULL before).  The struct is
     * dlfcn.h's struct dl_find_object. */
    int (*dl_find_object)(void *, void *);
};

extern struct pt_real_fns pt_real;

/* Fills pt_real; safe to call more than once. */
void pt_resolve_real(void);

/* Resolves one slot of pt_real now, if no resolution by this thread is
 * under way (see above); returns it, maybe NULL. */
void *pt_resolve_slot(void **slot);

#endif /* PIPETRACE_PRELOAD_REAL_H */
