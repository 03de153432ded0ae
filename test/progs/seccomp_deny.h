/* A sandbox for the test programs: system calls that fail with a chosen
 * errno, as they do in programs that confine themselves (man-db's helpers)
 * or in containers that forbid a call. */
#ifndef PIPETRACE_TEST_PROGS_SECCOMP_DENY_H
#define PIPETRACE_TEST_PROGS_SECCOMP_DENY_H

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>

#include "test/progs/progs.h"

#define SECCOMP_DENY_MAX 8

/* From here on, in this process and the children it makes, each call
 * numbered in calls[0..count) fails with err; dies when it cannot. */
static inline void seccomp_deny(const int *calls, int count, int err) {
    if (count > SECCOMP_DENY_MAX)
        die("seccomp_deny: at most %d calls", SECCOMP_DENY_MAX);
    struct sock_filter code[5 + 2 * SECCOMP_DENY_MAX];
    int n = 0;
    code[n++] =
        (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    code[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
    code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    code[n++] =
        (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
    for (int i = 0; i < count; i++) {
        code[n++] =
            (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)calls[i], 0, 1);
        code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
                                                 SECCOMP_RET_ERRNO | ((unsigned)err & 0xffff));
    }
    code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    struct sock_fprog prog = {(unsigned short)n, code};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
        die("seccomp");
}

#endif
