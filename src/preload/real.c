/* Resolution of the real libc functions behind the wrappers. */
#define _GNU_SOURCE
#include "real.h"

#include <dlfcn.h>
#include <stddef.h>

struct pt_real_fns pt_real;

/* Where each function is found: its slot, its name, and the symbol version
 * to ask for first (posix_spawn's current ABI; the GLIBC_2.2.5 one differs
 * only in how it reports a failed exec, and programs that old are not ours
 * to meet). */
struct symbol {
    size_t slot; /* offset in struct pt_real_fns */
    const char *name;
    const char *version;
};

#define SYMBOL(field, name)                                                                        \
    { offsetof(struct pt_real_fns, field), name, NULL }

static const struct symbol symbols[] = {
    SYMBOL(read, "read"),
    SYMBOL(write, "write"),
    SYMBOL(readv, "readv"),
    SYMBOL(writev, "writev"),
    SYMBOL(read_chk, "__read_chk"),
    SYMBOL(pipe, "pipe"),
    SYMBOL(pipe2, "pipe2"),
    SYMBOL(fork, "fork"),
    SYMBOL(fork_nohandlers, "_Fork"),
    SYMBOL(daemon, "daemon"),
    SYMBOL(close, "close"),
    SYMBOL(dup, "dup"),
    SYMBOL(dup2, "dup2"),
    SYMBOL(dup3, "dup3"),
    SYMBOL(fcntl, "fcntl"),
    SYMBOL(fcntl64, "fcntl64"),
    SYMBOL(close_range, "close_range"),
    SYMBOL(closefrom, "closefrom"),
    SYMBOL(socketpair, "socketpair"),
    SYMBOL(socket, "socket"),
    SYMBOL(accept, "accept"),
    SYMBOL(accept4, "accept4"),
    SYMBOL(open, "open"),
    SYMBOL(open64, "open64"),
    SYMBOL(openat, "openat"),
    SYMBOL(openat64, "openat64"),
    SYMBOL(mkfifo, "mkfifo"),
    SYMBOL(execve, "execve"),
    SYMBOL(execvpe, "execvpe"),
    SYMBOL(execveat, "execveat"),
    SYMBOL(fexecve, "fexecve"),
    {offsetof(struct pt_real_fns, posix_spawn), "posix_spawn", "GLIBC_2.15"},
    {offsetof(struct pt_real_fns, posix_spawnp), "posix_spawnp", "GLIBC_2.15"},
    SYMBOL(popen, "popen"),
    SYMBOL(pclose, "pclose"),
    SYMBOL(system, "system"),
    SYMBOL(wait4, "wait4"),
    SYMBOL(waitpid, "waitpid"),
    SYMBOL(wait, "wait"),
    SYMBOL(waitid, "waitid"),
    SYMBOL(exit_now, "_exit"),
    SYMBOL(exit_now_c99, "_Exit"),
    SYMBOL(openpty, "openpty"),
    SYMBOL(login_tty, "login_tty"),
    SYMBOL(dl_find_object, "_dl_find_object"),
};

#define SYMBOL_COUNT (sizeof symbols / sizeof symbols[0])

/* Set while this thread is inside dlsym for us: a wrapper entered from
 * there (an interposed dlsym, a malloc it calls) must not resolve again. */
static __thread int resolving __attribute__((tls_model("initial-exec")));

static void **slot_of(const struct symbol *s) {
    return (void **)((char *)&pt_real + s->slot);
}

static void *look_up(const struct symbol *s) {
    resolving++;
    void *fn = s->version ? dlvsym(RTLD_NEXT, s->name, s->version) : NULL;
    if (!fn)
        fn = dlsym(RTLD_NEXT, s->name);
    /* Before glibc 2.28 there is no fcntl64, and fcntl is the same call. */
    if (!fn && s->slot == offsetof(struct pt_real_fns, fcntl64))
        fn = dlsym(RTLD_NEXT, "fcntl");
    resolving--;
    return fn;
}

static void resolve(const struct symbol *s) {
    void **slot = slot_of(s);
    if (__atomic_load_n(slot, __ATOMIC_ACQUIRE))
        return;
    void *fn = look_up(s);
    if (fn)
        __atomic_store_n(slot, fn, __ATOMIC_RELEASE);
}

void pt_resolve_real(void) {
    for (size_t i = 0; i < SYMBOL_COUNT; i++)
        resolve(&symbols[i]);
}

void *pt_resolve_slot(void **slot) {
    void *fn = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (fn || resolving)
        return fn;
    for (size_t i = 0; i < SYMBOL_COUNT; i++)
        if (slot_of(&symbols[i]) == slot) {
            resolve(&symbols[i]);
            break;
        }
    return __atomic_load_n(slot, __ATOMIC_ACQUIRE);
}
