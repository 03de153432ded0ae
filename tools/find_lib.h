/* Locating libpipetrace.so for `pipetrace run`. */
#ifndef PIPETRACE_TOOLS_FIND_LIB_H
#define PIPETRACE_TOOLS_FIND_LIB_H

#include <stddef.h>

/* Stores the absolute path of the preload library in buf.  Looks at
 * $PIPETRACE_LIB, then the installed layout, the bazel-bin layout, the
 * runfiles tree and the executable's own directory.  0, or -1 after
 * printing why nothing was found. */
int find_preload_lib(char *buf, size_t len);

#endif /* PIPETRACE_TOOLS_FIND_LIB_H */
