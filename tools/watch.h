/* `pipetrace watch`: what a traced run is doing while it runs, from its
 * trace files read a little more at each refresh.
 *
 *   watch_feed.c   the files: found as they appear, read from where the last
 *                  refresh stopped, calls still in progress read again
 *   watch_state.c  processes and pipes: byte counts, current calls, ends
 *   watch_view.c   the screen (ANSI) or plain lines */
#ifndef PIPETRACE_TOOLS_WATCH_H
#define PIPETRACE_TOOLS_WATCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "pipetrace/format.h"
#include "trace/reader.h"

/* A call in progress: its record as last read, and where it is. */
struct watch_call {
    struct pt_record rec;
    uint64_t offset;
};

/* One trace file (one process image). */
struct watch_file {
    char *name; /* "PID.IMAGE.ptr" */
    int fd;
    int32_t pid, ppid;
    unsigned image;
    uint64_t start_ns;
    uint8_t boot_id[16];
    char *command; /* argv joined by spaces, or the executable */
    uint64_t data_offset;
    uint64_t offset;          /* the next byte not read yet */
    struct watch_call *calls; /* begun and not seen returning (or not complete) */
    size_t ncalls, cap_calls;
    int exited;                  /* an exit record, or an exec that replaced it */
    int replaced;                /* an exec replaced it: none of its calls returns */
    int broken;                  /* unreadable or damaged: read no further */
    int compact;                 /* format 2: compact records and their channels */
    struct pt_channel *channels; /* by number, as met */
    uint32_t channels_cap;
};

struct watch_proc {
    int32_t pid, ppid;
    size_t file; /* its latest image */
    int ended;   /* exited, or gone from /proc */
    uint64_t bytes_in, bytes_out;
};

struct watch_pipe {
    uint64_t ino;
    uint32_t dev;
    uint8_t kind;
    uint64_t written, read;
    uint64_t shown_written, shown_read; /* at the previous frame */
    int32_t writer, reader;             /* the first process seen on each side */
};

struct watch {
    int dfd; /* the trace directory */
    const char *dir;
    struct watch_file *files;
    size_t nfiles, cap_files;
    size_t *name_hash; /* files by name: open addressing, index + 1 */
    size_t name_cap;
    struct watch_proc *procs;
    size_t nprocs, cap_procs;
    size_t *proc_hash; /* procs by pid: open addressing, index + 1 */
    size_t proc_cap;
    struct watch_pipe *pipes;
    size_t npipes, cap_pipes;
    size_t *pipe_hash; /* open addressing on ino: index + 1 */
    size_t hash_cap;
    int64_t dir_mtime_ns; /* the directory's mtime at the last scan */
    uint64_t bytes_read;  /* by every refresh so far */
    uint64_t t_first;     /* CLOCK_MONOTONIC of the earliest image */
    int oom;
};

/* watch_feed.c */
/* Opens dir.  0, or -1 after a one-line error. */
int watch_open(struct watch *w, const char *dir);
/* Finds new files and reads what every file gained; accounts each call
 * that completed (watch_state.c).  0, or -1 when out of memory. */
int watch_refresh(struct watch *w);
void watch_close(struct watch *w);

/* watch_state.c */
/* A file just found: its process, new or with a later image. */
void watch_add_image(struct watch *w, size_t file);
/* A record read complete, or first seen begun. */
void watch_account(struct watch *w, size_t file, const struct pt_record *r);
/* Each process's end: its exit record, or gone from /proc.  0. */
int watch_update_procs(struct watch *w);
/* The process of pid, or NULL. */
const struct watch_proc *watch_find_proc(const struct watch *w, int32_t pid);
/* How many processes have not ended. */
size_t watch_running(const struct watch *w);
/* The call a process is in now (the latest begun), or NULL. */
const struct watch_call *watch_current_call(const struct watch *w, const struct watch_proc *p);
/* Whether that call waits on something (a read or write on a pipe, a
 * wait for a child, a poll with no timeout). */
int watch_call_blocks(const struct pt_record *r);
void watch_state_free(struct watch *w);

/* watch_view.c */
struct watch_view {
    FILE *out;
    int ansi; /* a terminal: redraw in place, highlight */
    int width;
    uint64_t last_frame_ns;
};
void watch_draw(struct watch_view *v, struct watch *w, uint64_t now);

#endif /* PIPETRACE_TOOLS_WATCH_H */
