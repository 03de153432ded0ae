/* kill and killpg: who signalled whom.  A reader that saw EOF right after
 * its own process killed the writer drained a pipe; one that saw it when a
 * kill from elsewhere ended the writer had hung until then.  Only the
 * trace can tell the two apart, so signals that may end a process are
 * recorded; kill(pid, 0), a probe for a pid, is not. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "call.h"
#include "wrappers.h"

/* arg = the pid asked for, as kill takes it (-PGID a group), in the low
 * 32 bits, the signal in the high 32. */
static uint64_t kill_arg(pid_t pid, int sig) {
    return (uint64_t)(uint32_t)pid | (uint64_t)(uint32_t)sig << 32;
}

static void kill_enter(struct pt_call *c, pid_t pid, int sig) {
    pt_enter(c);
    if (sig != 0 && pt_recording_on())
        c->rec = pt_begin(PT_EV_KILL, -1, NULL, kill_arg(pid, sig), 0);
}

PT_EXPORT int kill(pid_t pid, int sig) {
    __auto_type real = PT_REAL(kill);
    if (__builtin_expect(!real, 0))
        return (int)syscall(SYS_kill, pid, sig);
    struct pt_call c;
    kill_enter(&c, pid, sig);
    return PT_FINISH(&c, PT_CALL(&c, real(pid, sig)));
}

/* glibc's killpg calls its own kill, past the wrapper above. */
PT_EXPORT int killpg(pid_t pgrp, int sig) {
    __auto_type real = PT_REAL(killpg);
    if (__builtin_expect(!real, 0))
        return pgrp < 0 ? (errno = EINVAL, -1) : (int)syscall(SYS_kill, -pgrp, sig);
    struct pt_call c;
    kill_enter(&c, -pgrp, pgrp < 0 ? 0 : sig); /* a negative group signals nothing */
    return PT_FINISH(&c, PT_CALL(&c, real(pgrp, sig)));
}
