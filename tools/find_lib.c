/* Where libpipetrace.so lives relative to the pipetrace executable. */
#define _GNU_SOURCE
#include "find_lib.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"

#define LIB_NAME "libpipetrace.so"

/* Resolved through symlinks so the path stays valid after the traced
 * program changes directory, and is the same in every process. */
static int use_if_readable(const char *path, char *buf, size_t len) {
    char resolved[PATH_MAX];
    if (access(path, R_OK) != 0 || realpath(path, resolved) == NULL)
        return 0;
    if (strlen(resolved) >= len)
        return 0;
    strcpy(buf, resolved);
    return 1;
}

static int from_env(const char *lib, char *buf, size_t len) {
    if (use_if_readable(lib, buf, len))
        return 0;
    cli_error("PIPETRACE_LIB=%s: %s", lib, strerror(errno ? errno : ENOENT));
    return -1;
}

int find_preload_lib(char *buf, size_t len) {
    const char *env = getenv("PIPETRACE_LIB");
    if (env != NULL && *env != '\0')
        return from_env(env, buf, len);

    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0) {
        cli_error("cannot find own executable: %s", strerror(errno));
        return -1;
    }
    exe[n] = '\0';
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(exe, '/') - exe), exe);

    /* Each layout is a path relative to the executable's directory, or
     * (runfiles) a suffix to the executable's own path. */
    const struct {
        const char *base, *rest;
    } layouts[] = {
        {dir, "/../lib/pipetrace/" LIB_NAME},               /* installed: PREFIX/bin */
        {dir, "/../src/preload/" LIB_NAME},                 /* bazel-bin/tools */
        {exe, ".runfiles/pipetrace/src/preload/" LIB_NAME}, /* bazel runfiles */
        {dir, "/" LIB_NAME},                                /* side by side */
    };
    for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++) {
        char candidate[PATH_MAX * 2];
        snprintf(candidate, sizeof candidate, "%s%s", layouts[i].base, layouts[i].rest);
        if (use_if_readable(candidate, buf, len))
            return 0;
    }
    cli_error("cannot find " LIB_NAME " near %s (set PIPETRACE_LIB to its path)", exe);
    return -1;
}
