/* The wait-for graph of the end of a trace: who is stuck waiting for whom.
 *
 * A node is a process alive when the trace ended (its last image had not
 * exited, or exec'd a program that left no trace file and was not reaped),
 * or a fork child that left no trace file at all and was never reaped (a
 * background `sleep` a shell started).  A node is blocked when its last
 * image was inside a call that waits when the trace ended: a read or a
 * write on a pipe, a wait for a child (wait*, pclose, system), a poll on a
 * set of fds.  Its edges go to the nodes it waits for, taken at the end of
 * the trace, not when the call began:
 *
 *   read, poll for input   every node holding the pipe's write end
 *   write, poll for room   every node holding the pipe's read end
 *   wait, pclose, system   the child asked for (or every child)
 *
 * A blocked node is stuck when every node it waits for is stuck (the
 * largest such set): nothing can wake it.  A cycle of stuck nodes is a
 * deadlock. */
#ifndef PIPETRACE_ANALYSIS_WAITFOR_H
#define PIPETRACE_ANALYSIS_WAITFOR_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a blocked node waits in. */
enum pt_wf_call {
    PT_WF_NONE,  /* not blocked: running or idle (no traced call in progress) */
    PT_WF_READ,  /* read on a pipe: data or EOF */
    PT_WF_WRITE, /* write on a full pipe: room */
    PT_WF_WAIT,  /* wait*, pclose, system: a child's end */
    PT_WF_POLL,  /* poll, select, epoll_wait: any fd of a set */
};

struct pt_wf_node {
    int32_t pid, ppid;
    size_t image;                /* its last image, or PT_NO_IMAGE (no trace file) */
    const struct pt_fork *ghost; /* for a child with no trace file: its fork */
    const char *untraced_path;   /* what it ran, when an untraced record says */
    int drops_cloexec;           /* it exec'd since its fds were known */
    int live;                    /* still running when the viewer looked (or at the cut) */
    int killed;                  /* killed by a signal while blocked, at the end */
    enum pt_wf_call call;
    struct pt_record rec; /* the blocked call (call != PT_WF_NONE) */
    uint64_t offset;      /* of rec in its image's file */
    int other_waker;      /* a poll set with an fd that is no pipe end: something
                             the trace does not show may end the wait */
    size_t first_edge, nedges;
    int stuck;
};

struct pt_wf_edge {
    size_t from, to;             /* node indexes */
    int fd;                      /* the waiter's fd (-1 for a wait for a child) */
    struct pt_objkey obj;        /* the pipe (ino 0 for a wait for a child) */
    uint8_t kind;                /* PT_OBJ_PIPE or PT_OBJ_FIFO */
    int for_input;               /* waits for data or EOF (else room, or a child) */
    int holder_fd;               /* the target's fd on the pipe (-1: none) */
    const struct pt_origin *how; /* how the target got that fd */
};

struct pt_waitfor {
    const struct pt_model *model;
    struct pt_wf_node *nodes;
    size_t nnodes;
    struct pt_wf_edge *edges;
    size_t nedges;
    int live_trace; /* some node still runs: the trace is being written */
    int at_cut;     /* the model stops at a cut (pt_model.cut): every node
                       counts as live, as it was then */
};

/* Builds the graph of the model's end state and marks the stuck nodes. */
void pt_waitfor_build(struct pt_waitfor *g, const struct pt_model *m);
void pt_waitfor_free(struct pt_waitfor *g);

/* The node of pid, or (size_t)-1. */
size_t pt_waitfor_node(const struct pt_waitfor *g, int32_t pid);

/* "sort", "python3 worker.py"-like short name of a node, for messages. */
const char *pt_wf_name(const struct pt_waitfor *g, const struct pt_wf_node *n);

/* waitfor_live.c: whether pid is still the process that began at or
 * before began_ns (CLOCK_MONOTONIC) on the boot boot_id, and not a zombie.
 * A trace read after its processes ended (or on another machine) says no. */
int pt_wf_still_running(int32_t pid, uint64_t began_ns, const uint8_t boot_id[16]);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_ANALYSIS_WAITFOR_H */
