/* Can a program about to be executed be traced?  The loader ignores
 * LD_PRELOAD for static binaries and in secure mode (AT_SECURE: an exec that
 * changes the process's credentials through set-id bits or file
 * capabilities), and cannot load our library into a foreign ELF class. */
#ifndef PIPETRACE_PRELOAD_INSPECT_H
#define PIPETRACE_PRELOAD_INSPECT_H

#include <stddef.h>

/* Returns 0 when the file at path will run traced (or cannot be read: the
 * exec will fail and say so), else a PT_UNTRACED_* reason. */
int pt_inspect_exec_target(int dirfd, const char *path);

/* The PT_UNTRACED_* reason the program at path, started with envp, will
 * run without us, or 0: the target, then the environment (following can
 * be turned off, and then a cleared environment loses the preload). */
int pt_untraced_reason(int dirfd, const char *path, char *const envp[]);

/* Records an untraced child (pid, reason, path) when the program at target
 * will run without us; with `search`, target is looked up along envp's PATH
 * first, as execvp and posix_spawnp do.  A /proc/self/fd/N target (fexecve)
 * is recorded under the name of the file behind it.  Returns the record (or
 * NULL): an exec that then fails takes it back with pt_untraced_failed. */
struct pt_record *pt_note_untraced(int dirfd, const char *target, int search, char *const envp[],
                                   int pid);

/* The exec an untraced-child record was written for failed: no child ran.
 * The record's result becomes -errno, which readers take as "none". */
void pt_untraced_failed(struct pt_record *rec, int err);

/* Finds `file` along PATH (from envp) the way execvp does, into out.
 * Returns 0, or -1 when nothing executable was found. */
int pt_search_path(const char *file, char *const envp[], char *out, size_t out_len);

#endif
