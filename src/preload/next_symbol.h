/* What dlsym(RTLD_NEXT, name) finds, looked up without the loader.
 *
 * dlsym takes the loader's lock and runs its error machinery: about 840
 * instructions a name, and not async-signal-safe (a handler's first write
 * could wait on a lock held by a thread that waits on the interrupted one).
 * Resolving every real function in the constructor cost a process that
 * makes no traced call (/bin/true, most of what a build runs) 66,000
 * instructions.  So the objects loaded after ours are noted once, at
 * start-up, and a name is looked up in their own hash tables when a wrapper
 * first needs it: plain reads of memory the loader has finished with, no
 * lock, no allocation, from any context. */
#ifndef PIPETRACE_PRELOAD_NEXT_SYMBOL_H
#define PIPETRACE_PRELOAD_NEXT_SYMBOL_H

/* Notes the objects that follow the one holding `self` in the loader's
 * order (the order RTLD_NEXT searches).  Start-up only: it walks the
 * loader's list under its lock.  Returns 0, or -1 when `self` was not
 * found (then every lookup says NULL). */
int pt_next_symbols_note(const void *self);

/* The path the loader knows the object holding `self` by (what LD_PRELOAD
 * named), or NULL; valid once noted. */
const char *pt_next_symbols_self_path(void);

/* The default version of `name` in the first noted object that defines it,
 * as dlsym(RTLD_NEXT) would return it; NULL when none does, or when it is
 * an indirect function (left to dlsym).  Lock-free and async-signal-safe. */
void *pt_next_symbol(const char *name);

#endif /* PIPETRACE_PRELOAD_NEXT_SYMBOL_H */
