/* The subcommands of the pipetrace CLI.  Each takes its own name as
 * argv[0] and returns the process exit status. */
#ifndef PIPETRACE_TOOLS_COMMANDS_H
#define PIPETRACE_TOOLS_COMMANDS_H

int cmd_run(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_flows(int argc, char **argv);
int cmd_follow(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_leaks(int argc, char **argv);
int cmd_watch(int argc, char **argv);

extern const char cmd_run_usage[];
extern const char cmd_dump_usage[];
extern const char cmd_flows_usage[];
extern const char cmd_follow_usage[];
extern const char cmd_export_usage[];
extern const char cmd_graph_usage[];
extern const char cmd_summary_usage[];
extern const char cmd_check_usage[];
extern const char cmd_leaks_usage[];
extern const char cmd_watch_usage[];

/* Where traces go and are read from when no directory is given. */
#define DEFAULT_TRACE_DIR "pipetrace.data"

#endif /* PIPETRACE_TOOLS_COMMANDS_H */
