/* What `pipetrace dump` shows: the filters a strace user reaches for
 * (processes, a pipe, call names, a program), and which bookkeeping records
 * stay out of the text form. */
#ifndef PIPETRACE_TOOLS_DUMP_FILTER_H
#define PIPETRACE_TOOLS_DUMP_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "pipe_spec.h"
#include "trace/dir.h"
#include "trace/merge.h"

struct dump_filter {
    int32_t *pids; /* --pid: these processes, all their images */
    size_t npids;
    int32_t *trees; /* --tree: these processes and their descendants */
    size_t ntrees;
    struct pipe_spec *pipes; /* --pipe: calls on these pipes */
    size_t npipes;
    uint64_t calls; /* -e: bit per PT_EV_* type shown */
    int calls_given;
    uint64_t calls_named; /* types -e named one by one (shown even when
                             bookkeeping) */
    const char **exes;    /* --exe: images whose program matches */
    size_t nexes;
    int all; /* --all: bookkeeping records too */
};

/* Adds one option's value (a comma-separated list).  0, or -1 after
 * printing a usage error. */
int dump_filter_add_pids(struct dump_filter *f, const char *list, int tree);
int dump_filter_add_pipes(struct dump_filter *f, const char *list);
int dump_filter_add_calls(struct dump_filter *f, const char *list);
int dump_filter_add_exe(struct dump_filter *f, const char *word);

/* True when any filter (not --all) was given. */
int dump_filter_active(const struct dump_filter *f);

/* Turns --pipe=#ID into the pipe's key with the trace's pipe numbering
 * (the one summary prints).  0, or EXIT_BAD_INPUT after printing the
 * error. */
int dump_filter_resolve_pipes(struct dump_filter *f, const struct pt_dir *d);

void dump_filter_free(struct dump_filter *f);

/* The -e names and classes, for --help (a string literal, so that usage
 * texts can be built from it). */
#define DUMP_FILTER_CALLS_HELP                                                                     \
    "                names as dump prints them (read, write, readv, writev,\n"                     \
    "                __read_chk, send, recv, sendmsg, recvmsg, pipe, pipe2,\n"                     \
    "                socketpair, connect, accept, dup, dup2, dup3,\n"                              \
    "                fcntl, open, close, close_range, fork, vfork, execve,\n"                      \
    "                posix_spawn, exit, wait, popen, pclose, system, mkfifo,\n"                    \
    "                untraced_child, inherited_fd, callsite, module, coverage,\n"                  \
    "                scm_rights)\n"                                                                \
    "                or classes: %read, %write, %desc (calls on fds),\n"                           \
    "                %process, %meta (the recorder's notes), all; !LIST: all but\n"

/* --- deciding, event by event ------------------------------------------ */

struct dump_image_state;

/* Follows the trace in time order: which images descend from a --tree root,
 * and what each fd referred to, so that an inherited fd that is what the
 * process already had (not a change) counts as bookkeeping. */
struct dump_select {
    const struct dump_filter *filter;
    const struct pt_dir *dir;
    struct dump_image_state *images; /* one per file */
    int json;                        /* keep bookkeeping */
};

/* 0, or -1 when out of memory. */
int dump_select_init(struct dump_select *s, const struct dump_filter *f, const struct pt_dir *d,
                     int json);
/* Forgets what the events taught (for a second pass), keeps which images
 * had an event shown. */
void dump_select_rewind(struct dump_select *s);
void dump_select_free(struct dump_select *s);

/* Whether to show this event; call it for every event, in merge order. */
int dump_select_event(struct dump_select *s, const struct pt_merged *m);

/* Whether the process line of file i is shown: every image without
 * filters; with filters, the images that had an event shown in a pass over
 * the events (or, with process filters only, every image they select). */
int dump_select_image(const struct dump_select *s, size_t i);

#endif /* PIPETRACE_TOOLS_DUMP_FILTER_H */
