/* Start-up of the library in each process image, and the fork child reset.
 *
 * The constructor does only what cannot wait: note where the real
 * functions are to be found (each is looked up on first use: real.c), read
 * the configuration, note when the image began and hook stdio.  The
 * trace file itself is created by the first recorded call (recorder.c). */
#define _GNU_SOURCE
#include "init.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "callsite.h"
#include "clock.h"
#include "env.h"
#include "inherit.h"
#include "inject.h"
#include "recorder.h"
#include "src/writer/sys.h"
#include "state.h"
#include "stdio_hooks.h"
#include "wrappers.h"

#define DEFAULT_DATA_LIMIT 64
#define DEFAULT_DIR "pipetrace.data"

static int initialized;

static uint32_t parse_data_limit(const char *text) {
    if (!text || !*text)
        return DEFAULT_DATA_LIMIT;
    if (strcmp(text, "full") == 0)
        return UINT32_MAX;
    char *end;
    unsigned long n = strtoul(text, &end, 10);
    if (*end || text[0] == '-')
        return DEFAULT_DATA_LIMIT;
    return n >= UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* A relative directory is taken against the directory the image started
 * in, so that a later chdir does not scatter its trace. */
static int resolve_dir(char *out, const char *dir) {
    size_t len = strlen(dir);
    if (dir[0] == '/') {
        if (len >= PT_PATH_MAX)
            return -1;
        memcpy(out, dir, len + 1);
        return 0;
    }
    long n = PT_SYS3(SYS_getcwd, out, PT_PATH_MAX, 0);
    if (n <= 0)
        return -1;
    size_t cwd_len = strlen(out);
    if (cwd_len + 1 + len >= PT_PATH_MAX)
        return -1;
    out[cwd_len] = '/';
    memcpy(out + cwd_len + 1, dir, len + 1);
    return 0;
}

/* "DIR/" and "DIR/." name what a link at DIR points to: the directory is
 * opened without following a link at its name, so it is named plainly. */
static void strip_trailing(char *dir) {
    size_t len = strlen(dir);
    for (;;) {
        if (len > 1 && dir[len - 1] == '/')
            len--;
        else if (len > 2 && dir[len - 1] == '.' && dir[len - 2] == '/')
            len -= 2;
        else
            break;
        dir[len] = '\0';
    }
}

/* With -z initfirst our constructor runs before libc has set up environ,
 * so the variables are read from the envp the loader hands us.  The first
 * letter is compared inline: a call to strncmp per variable per name was
 * most of this function's cost in every process. */
static const char *env_lookup(char **envp, const char *name) {
    size_t len = strlen(name);
    for (char **e = envp; e && *e; e++)
        if ((*e)[0] == name[0] && strncmp(*e, name, len) == 0 && (*e)[len] == '=')
            return *e + len + 1;
    return NULL;
}

static void read_config(char **envp) {
    const char *dir = env_lookup(envp, "PIPETRACE_DIR");
    if (resolve_dir(pt_config.dir, dir && *dir ? dir : DEFAULT_DIR) < 0)
        pt_config.disabled = 1;
    strip_trailing(pt_config.dir);
    pt_config.data_limit = parse_data_limit(env_lookup(envp, "PIPETRACE_DATA"));
    const char *all = env_lookup(envp, "PIPETRACE_ALL_FDS");
    pt_config.all_fds = all && strcmp(all, "1") == 0;
    const char *off = env_lookup(envp, "PIPETRACE_DISABLE");
    if (off && strcmp(off, "1") == 0)
        pt_config.disabled = 1;
    const char *verbose = env_lookup(envp, "PIPETRACE_VERBOSE");
    pt_config.verbose = verbose && strcmp(verbose, "1") == 0;
    const char *full = env_lookup(envp, "PIPETRACE_FULL_RECORDS");
    pt_config.full_records = full && strcmp(full, "1") == 0;
    pt_inject_configure(env_lookup(envp, "PIPETRACE_INJECT"),
                        env_lookup(envp, "PIPETRACE_INJECT_SEED"));
}

/* The argument strings lie one after the other where the kernel put them;
 * only their extent is kept (no copy: most images never need it). */
static void note_args(int argc, char **argv) {
    if (argc <= 0 || !argv || !argv[0] || !argv[argc - 1])
        return;
    const char *last = argv[argc - 1];
    const char *end = last + strlen(last) + 1;
    if (end <= argv[0] || end - argv[0] > (1 << 20))
        return;
    pt_self.args_start = argv[0];
    pt_self.args_len = (uint32_t)(end - argv[0]);
}

static void begin_image(int fork_child, int parent_pid) {
    pt_self.pid = pt_sys_getpid();
    pt_self.ppid = fork_child ? parent_pid : pt_sys_getppid();
    pt_self.fork_child = fork_child;
    pt_clock_begin_image(fork_child);
    pt_self.start_mono_ns = pt_now_ns();
    pt_self.start_real_ns = pt_now_real_ns();
    pt_tls_tid = pt_self.pid;
    pt_inject_bind_process(pt_self.pid, pt_self.args_start, pt_self.args_len);
}

/* Runs in the child of every fork, including those glibc makes internally
 * (daemon), and by hand after _Fork and vfork, which skip atfork handlers. */
void pt_child_reset(void) {
    int parent = pt_self.pid;
    begin_image(1, parent);
    pt_recorder_after_fork_child();
    pt_callsite_forget_modules();
    pt_forget_inherited();
}

/* A set-id (or file-capabilities) program runs in secure-execution mode,
 * and the library may still be loaded into it (/etc/ld.so.preload).  Its
 * environment is the unprivileged caller's, so, as glibc does with LD_*
 * there, no PIPETRACE_* variable counts: nothing is recorded, nothing
 * created, nothing passed on to children, no hook installed. */
static int secure_execution(void) {
    return getauxval(AT_SECURE) != 0;
}

static void initialize(int argc, char **argv, char **envp) {
    if (__atomic_exchange_n(&initialized, 1, __ATOMIC_ACQ_REL))
        return;
    pt_tls_busy++;
    pt_prepare_real();
    pt_callsite_init();
    int secure = secure_execution();
    if (secure)
        pt_config.disabled = 1;
    else
        read_config(envp);
    note_args(argc, argv);
    begin_image(0, 0);
    pt_env_capture(secure ? NULL : envp);
    pt_recorder_on_new_file(pt_record_inherited);
    pthread_atfork(NULL, NULL, pt_child_reset);
    pt_watch_exit();
    pt_self.stdio_coverage = PT_HDR_STDIO_UNHOOKED;
    if (!secure && pt_hook_stdio() == 0)
        pt_self.stdio_coverage = PT_HDR_STDIO_HOOKED;
    if (!pt_config.disabled)
        pt_scan_inherited();
    pt_tls_busy--;
    /* A process holding a stray fd matters to the leak audit even if it
     * never makes a traced call. */
    if (pt_inherited_worth_a_file())
        pt_begin_trace();
}

/* glibc passes argc, argv and envp to ELF constructors. */
__attribute__((constructor)) static void pt_constructor(int argc, char **argv, char **envp) {
    pt_self.args_pristine = 1;
    initialize(argc, argv, envp);
    pt_self.args_pristine = 0;
    if (!pt_self.args_start) {
        note_args(argc, argv);
        pt_inject_bind_process(pt_self.pid, pt_self.args_start, pt_self.args_len);
    }
}

void pt_early_init(void) {
    /* Another library's constructor ran before ours: argv is unknown yet,
     * and the constructor fills it in when it runs. */
    initialize(0, NULL, environ);
}

void *pt_real_late(void **slot) {
    pt_early_init();
    return pt_resolve_slot(slot);
}
