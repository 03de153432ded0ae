/* What the library knows about the process image it runs in: its
 * configuration, itself (pt_self), and two per-thread words (state.c holds them;
 * init.c fills them in at start-up and in each fork child). */
#ifndef PIPETRACE_PRELOAD_STATE_H
#define PIPETRACE_PRELOAD_STATE_H

#include <stdint.h>

#include "src/writer/writer.h"

struct pt_config {
    char dir[PT_PATH_MAX]; /* absolute trace directory */
    uint32_t data_limit;   /* bytes captured per call; UINT32_MAX = all */
    int all_fds;           /* trace files and ttys too */
    int disabled;          /* PIPETRACE_DISABLE=1, a bad configuration, or a
                              secure-execution (set-id) process */
    int verbose;           /* PIPETRACE_VERBOSE=1: say a stop on stderr */
    int full_records;      /* PIPETRACE_FULL_RECORDS=1: never a compact record
                              (to compare a trace with and without them) */
};

/* This process image, as the library sees it from inside.  Not the
 * viewer's struct pt_image (src/analysis/model.h), which is an image of
 * the run as the trace shows it afterwards. */
struct pt_self {
    int pid;
    int ppid;
    int fork_child; /* began at fork rather than exec */
    uint64_t start_mono_ns;
    uint64_t start_real_ns;
    /* Where the kernel laid out the argument strings at exec, for when
     * /proc/self/cmdline cannot be read; the pointer array (argv) is the
     * program's to rewrite, and git does. */
    const char *args_start;
    uint32_t args_len;
    /* Set while the constructor runs: the strings are still as the kernel
     * laid them out, so a file made then copies them rather than reading
     * /proc/self/cmdline (four system calls). */
    int args_pristine;
    uint32_t stdio_coverage; /* PT_HDR_STDIO_HOOKED or _UNHOOKED */
};

extern struct pt_config pt_config;
extern struct pt_self pt_self;

/* Per thread: the cached kernel tid (0 until first needed) and a guard that
 * is set while the library itself is busy, so that anything it calls that
 * lands in a wrapper passes straight through. */
extern __thread int pt_tls_tid __attribute__((tls_model("initial-exec")));
extern __thread int pt_tls_busy __attribute__((tls_model("initial-exec")));

#endif /* PIPETRACE_PRELOAD_STATE_H */
