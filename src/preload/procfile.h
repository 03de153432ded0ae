/* The child behind each popen stream, for pclose's record (a wait for that
 * child).  glibc keeps it in its stream and offers no way to ask; we read
 * it once, from a stream its popen has just returned, and keep it here. */
#ifndef PIPETRACE_PRELOAD_PROCFILE_H
#define PIPETRACE_PRELOAD_PROCFILE_H

#include <stdio.h>
#include <sys/types.h>

/* Notes the child of a stream popen just returned (when it can be known). */
void pt_procfile_opened(FILE *fp);

/* The child noted for fp, forgotten now; 0 when none was. */
pid_t pt_procfile_closing(FILE *fp);

#endif
