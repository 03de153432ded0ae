/* Helpers every pipetrace subcommand uses. */
#ifndef PIPETRACE_TOOLS_CLI_UTIL_H
#define PIPETRACE_TOOLS_CLI_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define PIPETRACE_VERSION "0.1.0"

/* Exit codes of the CLI itself (run passes the traced command's on). */
enum { EXIT_BAD_INPUT = 2 };

/* Prints "pipetrace: MESSAGE" and a newline to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "pipetrace CMD: MESSAGE (see pipetrace CMD --help)" to stderr and
 * returns EXIT_BAD_INPUT, for bad command lines. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True for "-h" and "--help". */
int cli_is_help(const char *arg);

/* The command line the viewer commands take: [--json] [--format=F] [DIR],
 * DIR left as it is when not given.  --json is known only when json is not
 * NULL, --format only when format is not NULL.  0 when parsed, -1 after
 * printing usage for --help (exit 0), else the exit status of a usage error
 * (printed). */
int cli_parse_viewer_args(const char *cmd, const char *usage, int argc, char **argv,
                          const char **dir, int *json, const char **format);

/* The same for commands that take only [--json] [DIR]. */
int cli_parse_json_dir(const char *cmd, const char *usage, int argc, char **argv, const char **dir,
                       int *json);

/* The len characters at s as a decimal number: digits only, no sign, no
 * overflow.  0, or -1 for anything else. */
int cli_parse_u64(const char *s, size_t len, uint64_t *out);

/* Under `bazel run` the tool starts in its runfiles tree; the user's own
 * directory is in BUILD_WORKING_DIRECTORY.  Moving there first makes every
 * relative path on the command line mean what the user meant, and gives a
 * traced command the cwd it would have had.  0, or -1 after an error. */
int cli_enter_user_dir(void);

#endif /* PIPETRACE_TOOLS_CLI_UTIL_H */
