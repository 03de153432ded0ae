/* Keeping children traced when a program hands them a cleared or custom
 * environment (env -i, execve with its own envp, subprocess.run(env={})).
 *
 * At start-up we keep copies of our own variables; before an exec or spawn
 * whose environment lacks them we build a new array that has them, on the
 * stack or in a fresh mapping, never with malloc. */
#ifndef PIPETRACE_PRELOAD_ENV_H
#define PIPETRACE_PRELOAD_ENV_H

#include <stddef.h>

/* Room for a rebuilt "LD_PRELOAD=ours:theirs" entry.  Kept small, like the
 * array below, because the room lives on the stack of a fork child about
 * to exec, where every page touched is a page copied. */
#define PT_ENV_PRELOAD_BUF 2048

/* Remembers LD_PRELOAD (our library first) and PIPETRACE_* from envp.
 * NULL (a secure-execution process): keep nothing, follow no child. */
void pt_env_capture(char **envp);

/* The same, for a library loaded from `library` (NULL: unknown, and then no
 * child is kept traced). */
void pt_env_capture_as(char **envp, const char *library);

/* Whether children should be kept traced (PIPETRACE_FOLLOW is not "0"). */
int pt_env_following(void);

/* Room pt_env_fix needs for envp: pass an array of this many pointers. */
size_t pt_env_fixed_len(char *const envp[]);

/* Fills `out` (pt_env_fixed_len(envp) entries) with envp plus whatever of
 * our variables it lacks, LD_PRELOAD extended with our library first when it
 * names others.  `preload_buf` holds a rebuilt LD_PRELOAD entry.  Returns
 * envp itself when nothing was missing. */
char *const *pt_env_fix(char *const envp[], char **out, char *preload_buf, size_t preload_buf_len);

/* The room pt_env_fix needs, on the caller's stack while the environment
 * is small, in a fresh mapping when it is not (no malloc: the caller may be
 * a child that shares its parent's memory). */
#define PT_ENV_SMALL 128

struct pt_env_room {
    char *small[PT_ENV_SMALL];
    char **slots;
    size_t len;
    char preload[PT_ENV_PRELOAD_BUF];
};

/* envp, completed with our variables when it lacks them (envp itself when
 * nothing is missing or no room could be had). */
char *const *pt_env_prepare(struct pt_env_room *room, char *const envp[]);
void pt_env_release(struct pt_env_room *room);

/* Whether envp still preloads our library (after any fixing). */
int pt_env_keeps_tracing(char *const envp[]);

#endif
