/* The subcommands of the pipetrace CLI.  Each takes its own name as
 * argv[0] and returns the process exit status. */
#ifndef PIPETRACE_TOOLS_COMMANDS_H
#define PIPETRACE_TOOLS_COMMANDS_H

int cmd_run(int argc, char **argv);
int cmd_dump(int argc, char **argv);

extern const char cmd_run_usage[];
extern const char cmd_dump_usage[];

/* Where traces go and are read from when no directory is given. */
#define DEFAULT_TRACE_DIR "pipetrace.data"

#endif /* PIPETRACE_TOOLS_COMMANDS_H */
