/* Messages and the working directory, shared by the subcommands. */
#include "cli_util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cli_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("pipetrace: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "pipetrace %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see pipetrace %s --help)\n", cmd);
    va_end(ap);
    return EXIT_BAD_INPUT;
}

int cli_is_help(const char *arg) {
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cli_enter_user_dir(void) {
    const char *dir = getenv("BUILD_WORKING_DIRECTORY");
    if (dir == NULL || *dir == '\0')
        return 0;
    if (chdir(dir) < 0) {
        cli_error("cannot enter BUILD_WORKING_DIRECTORY %s: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

/* One option of a viewer command; 1 when arg was it (and consumed), 0 when
 * it was not, or a usage error's exit status. */
static int viewer_option(const char *cmd, int argc, char **argv, int *i, int *json,
                         const char **format) {
    const char *arg = argv[*i];
    if (json != NULL && strcmp(arg, "--json") == 0) {
        *json = 1;
        return 1;
    }
    if (format != NULL && strncmp(arg, "--format=", 9) == 0) {
        *format = arg + 9;
        return 1;
    }
    if (format != NULL && strcmp(arg, "--format") == 0) {
        if (*i + 1 >= argc)
            return -cli_usage_error(cmd, "--format needs a value");
        *format = argv[++*i];
        return 1;
    }
    return 0;
}

int cli_parse_viewer_args(const char *cmd, const char *usage, int argc, char **argv,
                          const char **dir, int *json, const char **format) {
    int have_dir = 0, options_done = 0;
    if (json != NULL)
        *json = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int taken = options_done ? 0 : viewer_option(cmd, argc, argv, &i, json, format);
        if (taken < 0)
            return -taken;
        if (taken > 0)
            continue;
        if (!options_done && strcmp(arg, "--") == 0) {
            options_done = 1;
        } else if (!options_done && cli_is_help(arg)) {
            fputs(usage, stdout);
            return -1;
        } else if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            return cli_usage_error(cmd, "unknown option '%s'", arg);
        } else if (have_dir) {
            return cli_usage_error(cmd, "one trace directory at a time ('%s')", arg);
        } else {
            *dir = arg;
            have_dir = 1;
        }
    }
    return 0;
}

int cli_parse_json_dir(const char *cmd, const char *usage, int argc, char **argv, const char **dir,
                       int *json) {
    return cli_parse_viewer_args(cmd, usage, argc, argv, dir, json, NULL);
}

int cli_parse_u64(const char *s, size_t len, uint64_t *out) {
    char buf[32];
    if (len == 0 || len >= sizeof buf || strspn(s, "0123456789") < len)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    *out = strtoull(buf, NULL, 10);
    return errno == 0 ? 0 : -1;
}
