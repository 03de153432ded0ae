#ifndef PIPETRACE_PRELOAD_STDIO_HOOKS_H
#define PIPETRACE_PRELOAD_STDIO_HOOKS_H

/* Routes stdio's own reads, writes and closes (which call glibc-internal
 * functions no LD_PRELOAD wrapper sees) through the recorder, by replacing
 * the matching slots of libc's FILE jump tables.  Returns 0 when hooked, -1
 * when the tables did not look as expected and nothing was changed. */
int pt_hook_stdio(void);

#endif
