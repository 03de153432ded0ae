/* A pipe as a user names it on the command line (`dump --pipe=`,
 * `follow`): its inode (N), its inode and kind as dump and strace print
 * them (pipe:[N], fifo:[N], socket:[N]), or the number summary gives it
 * (#N).  An inode alone may name more than one object (a pipe and a FIFO
 * on another file system can share a number); #N names exactly one. */
#ifndef PIPETRACE_TOOLS_PIPE_SPEC_H
#define PIPETRACE_TOOLS_PIPE_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "trace/dir.h"
#include "trace/objkey.h"

struct pipe_spec {
    unsigned number;      /* #N until resolved, else 0 */
    int kind;             /* PT_OBJ_* named or resolved; -1: any kind */
    struct pt_objkey obj; /* the inode; the device once resolved */
    int dev_known;
};

/* Parses s[0..len).  0, or -1 when it is none of the forms above. */
int pipe_spec_parse(const char *s, size_t len, struct pipe_spec *out);

/* Whether an object of this kind and key is the one named. */
int pipe_spec_matches(const struct pipe_spec *p, unsigned kind, struct pt_objkey obj);

/* Turns every #N of specs into its pipe's kind and key, with the numbering
 * summary prints (built from the model of d).  0, or EXIT_BAD_INPUT after
 * printing an error naming `command`. */
int pipe_spec_resolve(struct pipe_spec *specs, size_t n, const struct pt_dir *d,
                      const char *command);

#endif /* PIPETRACE_TOOLS_PIPE_SPEC_H */
