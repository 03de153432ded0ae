/* A model of a traced run, built in one pass over the merged event stream:
 * the process images and how each ended, every image's fd table and where
 * each fd came from, every pipe and who held, wrote and read it, and a
 * strace -c like count of calls per image.
 *
 * Memory grows with the number of images, pipes and fds (and the steps that
 * carried each fd), never with the number of events: events update counters
 * and tables and are then forgotten, except the few calls still in progress
 * when the trace ended. */
#ifndef PIPETRACE_ANALYSIS_MODEL_H
#define PIPETRACE_ANALYSIS_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/sockpeer.h"
#include "pipetrace/format.h"
#include "trace/merge.h"
#include "trace/objkey.h"
#include "trace/reader.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PT_NO_IMAGE ((size_t)-1)

/* --- where an fd came from -------------------------------------------- */

enum pt_origin_how {
    PT_ORIGIN_CREATED, /* pipe, pipe2, socketpair, open of a FIFO, popen */
    PT_ORIGIN_DUP,     /* dup, dup2, dup3, fcntl(F_DUPFD*) of prev */
    PT_ORIGIN_FORK,    /* inherited through fork (or vfork) */
    PT_ORIGIN_SPAWN,   /* inherited through posix_spawn */
    PT_ORIGIN_EXEC,    /* carried across exec */
    PT_ORIGIN_OUTSIDE, /* open when the first traced image began */
    PT_ORIGIN_UNKNOWN, /* first seen in use; how it got here is unknown */
    PT_ORIGIN_PASSED,  /* received over a socket (SCM_RIGHTS) from from_pid's
                          fd from_fd (prev: that fd's history) */
};

/* One step in the history of an fd.  Steps are shared: a fork child's fds
 * point at the parent's steps as their prev. */
struct pt_origin {
    enum pt_origin_how how;
    int32_t pid;      /* the process the step happened in */
    int32_t from_pid; /* fork/spawn: the parent */
    int32_t tid;      /* created, dup: the thread that made it (0 unknown) */
    size_t image;     /* the image it happened in */
    int fd;           /* the fd number after the step */
    unsigned call;    /* PT_EV_* of the call (created, dup) */
    uint64_t flags;   /* O_* flags passed (pipe2, dup3) */
    uint64_t t;
    uint64_t rec_offset; /* of the call's record in the image's file */
    int from_fd;         /* passed: the sender's fd number (-1 unknown) */
    uint64_t via_ino;    /* passed: the socket it came over (the sender's end,
                            or the receiver's when the sender is unknown) */
    char *site;          /* "module+0xoff (function)", or NULL */
    struct pt_origin *prev;
    struct pt_origin *all_next; /* every step, for freeing */
};

/* --- fd tables ---------------------------------------------------------- */

struct pt_fdent {
    int fd;
    uint8_t kind;  /* PT_OBJ_* */
    uint8_t flags; /* PT_FDF_RDONLY/WRONLY/NONBLOCK/CLOEXEC */
    struct pt_objkey obj;
    struct pt_origin *origin;
    int used;         /* read, written, dup'd, closed, fcntl'd in this image */
    int created_here; /* created (or dup'd) by this image */
    int inherited;    /* came into this image at its start */
    size_t holder;    /* index into the pipe's holders, or PT_NO_IMAGE; a
                         socket end's: into those of the channel it sends on */
    size_t holder_in; /* a socket end's: into the holders of the channel it
                         receives on (sockpeer.h), or PT_NO_IMAGE */
    uint64_t t_open;
};

/* Sorted by fd number. */
struct pt_fdtable {
    struct pt_fdent *v;
    size_t len, cap;
};

/* --- pipes -------------------------------------------------------------- */

/* What one image did with a pipe. */
struct pt_pipe_use {
    size_t image;
    uint64_t bytes_written, calls_written;
    uint64_t inferred_writes; /* of calls_written: never returned, yet a
                                 reader got their bytes (pt_pipe) */
    uint64_t bytes_read, calls_read;
    int eof; /* a read returned 0 */
};

/* One fd of one image that referred to an end of the pipe, for a time.
 * A socket channel's holders are the fds on its sending end (write_end)
 * and on its receiving end (read_end). */
struct pt_holder {
    size_t image;
    int fd;
    int read_end, write_end;
    uint64_t t_from, t_to; /* t_to 0 while held */
    int gone_with_process; /* t_to is when its process ended, not a close */
    int32_t ghost_pid;     /* not 0: held by this fork child of image, which
                              left no trace file and was not reaped (ghosts.c) */
    struct pt_origin *origin;
};

/* A write on the pipe that had not returned when the trace ended. */
struct pt_begun_write {
    size_t image;
    unsigned type; /* write, writev or a stdio flush */
    uint64_t t_start, asked, offset;
};

struct pt_pipe {
    unsigned id;          /* 1, 2, ... in the order first seen (internal) */
    unsigned number;      /* #1, #2, ... over the pipes worth showing (made in
                             the trace or used in it), in the order first seen;
                             0 for the others (pt_pipe_shown) */
    struct pt_objkey obj; /* what tells it from every other pipe */
    uint8_t kind;         /* PT_OBJ_PIPE, PT_OBJ_FIFO, or PT_OBJ_SOCKET for
                             one direction of a connected socket pair: obj
                             is its sending end, peer its receiving end */
    struct pt_objkey peer;
    struct pt_origin *created; /* NULL when created outside the trace */
    uint64_t bytes_written, bytes_read;
    /* A process killed right after its write returned leaves the record
     * begun; when readers got more bytes than the finished writes gave,
     * those writes moved them: counted as done (bytes_written includes
     * them) and said to be inferred. */
    uint64_t inferred_writes, inferred_bytes;
    uint64_t last_read_end; /* t_end of the last read that got bytes */
    struct pt_begun_write *begun;
    size_t nbegun, cap_begun;
    struct pt_pipe_use *uses;
    size_t nuses, cap_uses;
    size_t *use_index; /* image -> uses index + 1, once uses is long */
    size_t use_index_cap;
    struct pt_holder *holders;
    size_t nholders, cap_holders;
};

/* --- images and processes ---------------------------------------------- */

enum pt_end_kind {
    PT_END_NONE,   /* still running, or killed, when the trace ended */
    PT_END_EXIT,   /* exit code known */
    PT_END_SIGNAL, /* killed by a signal (seen by the parent's wait) */
    PT_END_EXEC,   /* replaced by the next image */
};

struct pt_stat {
    uint64_t calls, errors, bytes, ns;
    uint64_t injected; /* calls with a fault injected (PT_FDF_INJECTED) */
};

/* pt_untraced.reason of a fork child that made no traced call (so left no
 * trace file) and was never reaped: the viewer's own, not a recorder's. */
#define PT_UNTRACED_SILENT 64

/* A child the library could not follow, as the image that made it (or the
 * child itself, before an exec) recorded it. */
struct pt_untraced {
    int32_t pid;
    unsigned reason; /* PT_UNTRACED_* */
    int err;         /* PT_UNTRACED_FAILED: why its trace could not start */
    char *path;
    uint64_t t;
    int self;             /* the image itself exec'd into it: that is its process's
                             last program (pt_process.untraced), not another process */
    int traced;           /* a trace file of that pid began after all (the loader
                             preloaded it): no untraced process, and no gap */
    enum pt_end_kind end; /* how it ended, from its parent's wait */
    int exit_code, exit_signal;
};

/* A wait for a pid that had no trace file (an untraced child). */
struct pt_wait {
    int32_t pid;
    int status;
    uint64_t t;
};

/* A signal one traced process sent (kill, killpg) that may end another. */
struct pt_kill {
    int32_t from_pid;
    int32_t target; /* as kill takes it: a pid, 0 the sender's group, -1
                       every process, -PGID a group */
    int sig;
    uint64_t t;
};

struct pt_module {
    uint64_t base;
    char *path;
};

/* A call that had not returned when the trace ended (a copy: the file it
 * came from may be unmapped by then). */
struct pt_pending {
    struct pt_record rec;
    uint64_t offset;
};

struct pt_image {
    const struct pt_file *file;
    size_t index;
    int32_t pid, ppid;
    unsigned image_no;
    int fork_child;
    uint64_t start;
    uint64_t last_t;               /* the latest t_start (or t_end) seen */
    size_t prev_image, next_image; /* exec chain */
    size_t process;                /* index into pt_model.processes */
    int started;                   /* fd table set up */
    int reading_inherited;         /* within the INHERITED_FD records */
    int has_inherited;
    struct pt_fdtable fds;
    struct pt_fdtable carried; /* what the exec or fork should have passed */
    enum pt_end_kind end;
    int exit_code, exit_signal;
    int end_from_wait;          /* the status came from the parent's wait */
    int finished;               /* final is set */
    uint64_t t_end;             /* exit, exec or wait time (0 unknown) */
    struct pt_fdtable final;    /* the table when the image ended (exit, exec
                                   or the end of the trace) */
    int wait_seen, wait_status; /* what the parent's wait said */
    /* The exec that ended the image (end == PT_END_EXEC): its path and
     * argv, for when the program it started left no trace file. */
    char *exec_strings; /* one allocation */
    char **exec_argv;   /* path, then argv */
    size_t exec_nstrings;
    /* strace -c per call type, kept sparse (an image uses a few types, and
     * a trace may hold tens of thousands of images): stat_slot[type] is
     * 1 + the index into stats, 0 for a type not seen.  Read them with
     * pt_image_stat(). */
    uint8_t stat_slot[PT_EV_MAX + 1];
    struct pt_stat *stats;
    size_t nstats;
    struct pt_untraced *untraced;
    size_t nuntraced;
    struct pt_module *modules;
    size_t nmodules;
    struct pt_origin *last_created[2]; /* for the CALLSITE record after it */
    struct pt_pending *pending;
    size_t npending;
    int stdio_unhooked; /* at any time */
    uint64_t cut_at;    /* with pt_model.cut: when the signal reached it (0: not seen) */
};

/* The images one pid went through by exec, and how it ended: the one
 * answer every command gives about a process. */
struct pt_process {
    int32_t pid, ppid;
    size_t first_image, last_image;
    enum pt_end_kind end; /* PT_END_NONE, PT_END_EXIT or PT_END_SIGNAL */
    int exit_code, exit_signal;
    int end_from_wait; /* the status came from the parent's wait */
    uint64_t t_end;    /* exit, or the parent's wait (0 unknown) */
    /* The program it ran last.  When that program left no trace file (it
     * made no traced call, or the library could not enter it), these come
     * from the exec that started it and `recorded` is 0. */
    const char *exe;
    const char *const *argv;
    size_t argc;
    int recorded;
    unsigned untraced; /* PT_UNTRACED_* when it ran untraced, else 0 */
};

/* A fork or spawn whose child has not been seen yet. */
struct pt_fork {
    int32_t child_pid;
    size_t parent_image;
    int spawn;
    uint64_t t;
    struct pt_fdtable fds;
    int taken;
    size_t prev_same_pid; /* the fork before it of the same child pid */
};

/* One fd in flight over a socket (fdpass.c). */
struct pt_passing {
    struct pt_objkey obj;     /* what the fd names */
    int received;             /* 1: a receive waiting for its send */
    int32_t pid;              /* sent: the sender */
    int fd;                   /* sent: the sender's fd number */
    uint64_t via_ino;         /* sent: the sender's socket */
    struct pt_origin *origin; /* sent: the sender's fd history; received:
                                 the receiver's new step */
};

struct pt_model;

/* Called for every event before the model applies it, so a detector can
 * compare the call with the state it met. */
typedef void (*pt_model_observer)(void *ctx, struct pt_model *m, const struct pt_merged *ev,
                                  struct pt_image *img);

struct pt_model {
    const struct pt_file *files;
    size_t nfiles;
    struct pt_image *images; /* one per file, same order */
    size_t *by_pid;          /* image indexes ordered by (pid, index) */
    struct pt_process *processes;
    size_t nprocesses;
    struct pt_pipe **pipes; /* in id order */
    size_t npipes, cap_pipes;
    size_t *pipe_hash; /* open addressing on the pipe's key: index + 1 */
    size_t hash_cap;
    struct pt_pipe *last_pipe; /* pt_model_pipe's last answer (pipes.c) */
    struct pt_fork *forks;
    size_t nforks, cap_forks;
    struct pt_wait *waits; /* waits for pids with no trace file */
    size_t nwaits, cap_waits;
    struct pt_kill *kills;
    size_t nkills, cap_kills;
    size_t *fork_by_pid; /* open addressing on child pid: latest fork + 1 */
    size_t fork_hash_cap;
    struct pt_origin *origins; /* every step, for freeing */
    uint64_t t0, t_last;
    uint64_t events;
    uint64_t dropped; /* sum of the headers' dropped counts */
    pt_model_observer observer;
    void *observer_ctx;
    struct pt_sockpeers peers;  /* which socket end is connected to which */
    struct pt_passing *passing; /* fds sent and not yet received, or received
                                   before their send was seen (fdpass.c) */
    size_t npassing, cap_passing;
    int oom;
    int ending; /* closing the fds of dead processes */
    /* Not 0: the run as it stood at this CLOCK_MONOTONIC time (a Ctrl-C
     * seen by `pipetrace run`): later records are left out, calls that
     * returned after it count as still in progress (see pt_model_build). */
    uint64_t cut;
};

/* Sets up the images of files (already opened and scanned).  0 or -1 (out
 * of memory). */
int pt_model_init(struct pt_model *m, const struct pt_file *files, size_t nfiles);

/* Reads every event in time order and builds the model; then settles what
 * the end of the trace means (pt_model_finish).  0 or -1 (out of memory). */
int pt_model_build(struct pt_model *m);

void pt_model_free(struct pt_model *m);

/* --- queries ------------------------------------------------------------ */

/* The pipe or FIFO with that key, or NULL. */
static inline struct pt_pipe *pt_model_pipe(const struct pt_model *m, struct pt_objkey obj);

/* pt_model_pipe's hash probe (pipes.c); remembers what it finds. */
struct pt_pipe *pt_model_pipe_find(const struct pt_model *m, struct pt_objkey obj);

/* The model and every detector ask for the pipe of the call at hand, so
 * the last pipe found is asked for again several times per event: it is
 * kept (pipes are neither freed nor moved before the model is), and a hit
 * costs one compare, inline, instead of a call and a hash probe.  Misses
 * are not kept: a pipe made later under that key must be found. */
static inline struct pt_pipe *pt_model_pipe(const struct pt_model *m, struct pt_objkey obj) {
    struct pt_pipe *last = m->last_pipe;
    if (last != NULL && pt_objkey_eq(last->obj, obj))
        return last;
    return pt_model_pipe_find(m, obj);
}
struct pt_fdent *pt_fdtable_find(const struct pt_fdtable *t, int fd);

/* The image of pid that was current at time t (the latest that began at
 * or before t), or PT_NO_IMAGE. */
size_t pt_model_image_of(const struct pt_model *m, int32_t pid, uint64_t t);

/* The process of pid (its latest if the pid was reused), or NULL. */
const struct pt_process *pt_model_process(const struct pt_model *m, int32_t pid);

/* A pipe worth listing: made in the trace, or read or written in it. */
int pt_pipe_shown(const struct pt_pipe *p);

/* True when the image was still running (or killed unseen) at the end. */
int pt_image_alive_at_end(const struct pt_image *img);

/* The image's strace -c counts for one call type (all zero if none). */
const struct pt_stat *pt_image_stat(const struct pt_image *img, unsigned type);

/* The image's exe, "" if none. */
const char *pt_image_exe(const struct pt_image *img);

/* Whether a traced process sent pid, before or at time t, a signal that
 * may have ended it (a kill to its group or to every process counts: the
 * trace does not know process groups). */
int pt_model_signalled_before(const struct pt_model *m, int32_t pid, uint64_t t);

/* The pid holding: its image's, or the ghost's (ghosts.c). */
int32_t pt_holder_pid(const struct pt_model *m, const struct pt_holder *h);

/* Why a child ran untraced: "static", ..., "silent" (PT_UNTRACED_SILENT). */
const char *pt_untraced_why(const struct pt_untraced *u);

/* "pipe()", "pipe2(O_NONBLOCK|O_CLOEXEC)", "dup2()", ... */
void pt_origin_call_text(const struct pt_origin *o, char *buf, size_t len);

/* The step where the fd was first made (the end of the prev chain). */
const struct pt_origin *pt_origin_root(const struct pt_origin *o);

/* The whole history as one sentence, oldest first: "created by pid 5 with
 * pipe() (no O_CLOEXEC) at prog+0x1234 (main), inherited through fork by
 * pid 6, carried across exec into /usr/bin/sleep (pid 6)". */
void pt_origin_describe(const struct pt_model *m, const struct pt_origin *o, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_ANALYSIS_MODEL_H */
