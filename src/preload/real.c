/* Resolution of the real libc functions behind the wrappers. */
#define _GNU_SOURCE
#include "real.h"

#include <dlfcn.h>

struct pt_real_fns pt_real;

static void *next_symbol(const char *name) {
    return dlsym(RTLD_NEXT, name);
}

void pt_resolve_real(void) {
    pt_real.read = next_symbol("read");
    pt_real.write = next_symbol("write");
    pt_real.readv = next_symbol("readv");
    pt_real.writev = next_symbol("writev");
    pt_real.read_chk = next_symbol("__read_chk");
    pt_real.pipe = next_symbol("pipe");
    pt_real.pipe2 = next_symbol("pipe2");
    pt_real.fork = next_symbol("fork");
    pt_real.fork_nohandlers = next_symbol("_Fork");
    pt_real.daemon = next_symbol("daemon");
    pt_real.close = next_symbol("close");
    pt_real.dup = next_symbol("dup");
    pt_real.dup2 = next_symbol("dup2");
    pt_real.dup3 = next_symbol("dup3");
    pt_real.fcntl = next_symbol("fcntl");
    pt_real.fcntl64 = next_symbol("fcntl64");
    pt_real.close_range = next_symbol("close_range");
    pt_real.closefrom = next_symbol("closefrom");
    pt_real.socketpair = next_symbol("socketpair");
    pt_real.socket = next_symbol("socket");
    pt_real.accept = next_symbol("accept");
    pt_real.accept4 = next_symbol("accept4");
    pt_real.open = next_symbol("open");
    pt_real.open64 = next_symbol("open64");
    pt_real.openat = next_symbol("openat");
    pt_real.openat64 = next_symbol("openat64");
    pt_real.mkfifo = next_symbol("mkfifo");
    pt_real.execve = next_symbol("execve");
    pt_real.execvpe = next_symbol("execvpe");
    pt_real.execveat = next_symbol("execveat");
    pt_real.fexecve = next_symbol("fexecve");
    /* The current posix_spawn ABI; the GLIBC_2.2.5 one differs only in how
     * it reports a failed exec, and programs that old are not ours to meet. */
    pt_real.posix_spawn = dlvsym(RTLD_NEXT, "posix_spawn", "GLIBC_2.15");
    if (!pt_real.posix_spawn)
        pt_real.posix_spawn = next_symbol("posix_spawn");
    pt_real.posix_spawnp = dlvsym(RTLD_NEXT, "posix_spawnp", "GLIBC_2.15");
    if (!pt_real.posix_spawnp)
        pt_real.posix_spawnp = next_symbol("posix_spawnp");
    pt_real.popen = next_symbol("popen");
    pt_real.system = next_symbol("system");
    pt_real.wait4 = next_symbol("wait4");
    pt_real.waitpid = next_symbol("waitpid");
    pt_real.wait = next_symbol("wait");
    pt_real.waitid = next_symbol("waitid");
    pt_real.pclose = next_symbol("pclose");
    pt_real.exit_now = next_symbol("_exit");
    pt_real.exit_now_c99 = next_symbol("_Exit");
    if (!pt_real.fcntl64)
        pt_real.fcntl64 = pt_real.fcntl;
}
