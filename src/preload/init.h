/* The library's start-up in each process image (init.c) and the exit
 * handler (wrap_wait.c): what the wrappers need of them. */
#ifndef PIPETRACE_PRELOAD_INIT_H
#define PIPETRACE_PRELOAD_INIT_H

/* Runs the constructor's work if it has not run yet. */
void pt_early_init(void);

/* The child side of every fork-like call: a new image with its own trace. */
void pt_child_reset(void);

/* Registers the handler that records the exit status (wrap_wait.c). */
void pt_watch_exit(void);

#endif /* PIPETRACE_PRELOAD_INIT_H */
