/* posix_spawn, popen and system: processes started without fork or exec
 * in the caller (glibc spawns them with clone and its internal execve). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>

#include "env.h"
#include "inspect.h"
#include "procfile.h"
#include "recorder.h"
#include "safemem.h"
#include "wrappers.h"

typedef int (*spawn_fn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
                        const posix_spawnattr_t *, char *const[], char *const[]);

/* posix_spawn given memory it cannot read (the path, argv, envp): the child
 * fails with EFAULT, and the wrapper must not fault first. */
static int spawn_readable(const char *path, char *const argv[], char *const envp[]) {
    struct pt_memo memo = {{0}, 0, 0};
    return pt_str_readable(&memo, path) && pt_strv_readable(&memo, argv) &&
           pt_strv_readable(&memo, envp);
}

/* posix_spawn reports failure by its result (an errno value), not errno. */
static int traced_spawn(spawn_fn real, int search, pid_t *pid, const char *path,
                        const posix_spawn_file_actions_t *actions, const posix_spawnattr_t *attr,
                        char *const argv[], char *const envp[]) {
    struct pt_call c;
    pt_enter(&c);
    int readable = spawn_readable(path, argv, envp);
    struct pt_env_room room;
    char *const *fixed = readable ? pt_env_prepare(&room, envp) : envp;
    c.rec = pt_begin(PT_EV_SPAWN, -1, NULL, (uint64_t)search,
                     readable ? pt_strings_room(path, argv) : 0);
    if (readable)
        pt_put_strings(c.rec, path, argv);
    /* Like posix_spawn itself, write *pid only when it succeeded. */
    pid_t own = 0, *where = pid ? pid : &own;
    int r = PT_CALL(&c, real(where, path, actions, attr, argv, fixed));
    pid_t child = r == 0 ? *where : 0;
    pt_end(c.rec, r == 0 ? child : -r);
    if (r == 0 && readable)
        pt_note_untraced(AT_FDCWD, path, search, fixed, child);
    if (readable)
        pt_env_release(&room);
    return PT_LEAVE(&c, r);
}

PT_EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *actions,
                          const posix_spawnattr_t *attr, char *const argv[], char *const envp[]) {
    spawn_fn real = PT_REAL(posix_spawn);
    if (__builtin_expect(!real, 0))
        return ENOSYS;
    return traced_spawn(real, 0, pid, path, actions, attr, argv, envp);
}

PT_EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *actions,
                           const posix_spawnattr_t *attr, char *const argv[], char *const envp[]) {
    spawn_fn real = PT_REAL(posix_spawnp);
    if (__builtin_expect(!real, 0))
        return ENOSYS;
    return traced_spawn(real, 1, pid, file, actions, attr, argv, envp);
}

/* The parent's end of a popen pipe, as the record and the cache see it. */
static void learn_stream(struct pt_record *rec, FILE *fp) {
    struct pt_fdinfo info;
    int fd = fileno(fp);
    pt_fdcache_forget(fd);
    pt_fdcache_lookup(fd, &info);
    if (rec) {
        rec->fd = fd;
        rec->obj_kind = info.kind;
        rec->fd_flags = info.flags;
        rec->obj_ino = info.ino;
        rec->obj_dev = info.dev;
        rec->arg = (info.flags & PT_FDF_CLOEXEC) ? O_CLOEXEC : 0;
    }
    pt_procfile_opened(fp);
}

/* popen's pipe is made inside glibc; we learn its end right away so that the
 * stdio traffic on it is attributed from the first byte.  glibc makes the
 * pipe with O_CLOEXEC, hands the child its end as fd 0 or 1 without it, and
 * clears it on the parent's end unless the mode has 'e': the record's arg
 * says what the parent's end was left with (O_CLOEXEC or 0). */
PT_EXPORT FILE *popen(const char *command, const char *mode) {
    __auto_type real = PT_REAL(popen);
    if (__builtin_expect(!real, 0)) {
        errno = ENOSYS;
        return NULL;
    }
    struct pt_call c;
    pt_enter(&c);
    struct pt_memo memo = {{0}, 0, 0};
    const char *shown = pt_str_readable(&memo, command) ? command : "";
    c.rec = pt_begin(PT_EV_POPEN, -1, NULL, 0, pt_strings_room(shown, NULL));
    pt_put_strings(c.rec, shown, NULL);
    FILE *fp = PT_CALL(&c, real(command, mode));
    if (fp)
        learn_stream(c.rec, fp);
    pt_end(c.rec, fp ? 0 : -c.errno_out);
    return PT_LEAVE(&c, fp);
}

/* pclose flushes the stream, closes its fd and waits for the child: it is
 * recorded as a wait (PT_EV_PCLOSE: the child's pid, its status), begun
 * before, so that a pclose stuck on a child that never ends is seen.  The
 * fd is closed inside glibc: the cache must forget it. */
PT_EXPORT int pclose(FILE *fp) {
    __auto_type real = PT_REAL(pclose);
    if (__builtin_expect(!real, 0)) {
        errno = ENOSYS;
        return -1;
    }
    struct pt_call c;
    pt_enter(&c);
    int fd = fp ? fileno(fp) : -1;
    pid_t child = fp ? pt_procfile_closing(fp) : 0;
    int traced = fd >= 0 && pt_traced(&c, fd);
    if (traced || child)
        c.rec = pt_begin(PT_EV_PCLOSE, fd, traced ? &c.fd : NULL, (uint64_t)child, 0);
    int status = PT_CALL(&c, real(fp));
    if (fd >= 0)
        pt_fdcache_forget(fd);
    return PT_FINISH(&c, status);
}

PT_EXPORT int system(const char *command) {
    __auto_type real = PT_REAL(system);
    if (__builtin_expect(!real, 0)) {
        errno = ENOSYS;
        return -1;
    }
    struct pt_call c;
    pt_enter(&c);
    struct pt_memo memo = {{0}, 0, 0};
    const char *shown = command && pt_str_readable(&memo, command) ? command : "";
    c.rec = pt_begin(PT_EV_SYSTEM, -1, NULL, 0, pt_strings_room(shown, NULL));
    pt_put_strings(c.rec, shown, NULL);
    return PT_FINISH(&c, PT_CALL(&c, real(command)));
}
