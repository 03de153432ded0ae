/* Ending what `pipetrace run --timeout` started: every process below run. */
#ifndef PIPETRACE_TOOLS_RUN_KILL_H
#define PIPETRACE_TOOLS_RUN_KILL_H

#include <sys/types.h>

/* Makes run the reaper of its orphaned descendants (PR_SET_CHILD_SUBREAPER),
 * so that a process that left its parent (a daemon, a pipeline stage whose
 * parent was killed first) is still found below run.  0 or -1. */
int run_adopt_orphans(void);

/* Sends sig to every live (not zombie) descendant of this process except
 * the process spare and its own (0: none).  Any signal but SIGKILL is sent
 * to a frozen tree (every member stopped first, continued after), so that
 * all take it together.  Returns how many it found. */
int run_signal_tree(int sig, pid_t spare);

#endif /* PIPETRACE_TOOLS_RUN_KILL_H */
