/* Resolution of the real libc functions behind the wrappers. */
#define _GNU_SOURCE
#include "real.h"

#include <dlfcn.h>

struct pt_real_fns pt_real;

static void *next_symbol(const char *name) { return dlsym(RTLD_NEXT, name); }

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
    pt_real.close = next_symbol("close");
    pt_real.dup = next_symbol("dup");
    pt_real.dup2 = next_symbol("dup2");
    pt_real.dup3 = next_symbol("dup3");
    pt_real.fcntl = next_symbol("fcntl");
    pt_real.fcntl64 = next_symbol("fcntl64");
    if (!pt_real.fcntl64)
        pt_real.fcntl64 = pt_real.fcntl;
}
