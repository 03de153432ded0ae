/* pipetrace: the command-line entry point, dispatching to subcommands. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"

static const char usage[] =
    "usage: pipetrace COMMAND [ARGS...]\n"
    "\n"
    "Records what programs do with pipes (LD_PRELOAD tracing), then shows it.\n"
    "\n"
    "commands:\n"
    "  run [-o DIR] [--append] [--data=N|full|0] [--all-fds]\n"
    "      [--timeout=DURATION] -- CMD [ARGS...]\n"
    "                  run CMD traced, traces into DIR (default ./" DEFAULT_TRACE_DIR ")\n"
    "  watch [--interval=SECONDS] [DIR]   (or: top)\n"
    "                  the run as it runs: processes, calls, pipes (live)\n"
    "  dump [--json] [-v] [-p PID] [--tree=PID] [--pipe=PIPE] [-e LIST]\n"
    "       [--exe=WORD] [DIR]\n"
    "                  print the traced calls in time order, strace-like\n"
    "  flows [--json] [DIR]\n"
    "                  per pipe, whose bytes each process read, and how late\n"
    "  follow PIPE [-o FILE] [--hex] [DIR]\n"
    "                  the bytes that went through one pipe, in order\n"
    "  export --format=chrome|jsonl [DIR]\n"
    "                  Perfetto / chrome://tracing JSON, or JSON lines\n"
    "  graph [--format=dot|text] [DIR]\n"
    "                  processes and the pipes between them (Graphviz, or text)\n"
    "  summary [--json] [DIR]\n"
    "                  processes, pipes, calls per process, problems, gaps\n"
    "  check [--json] [DIR]\n"
    "                  diagnose IPC bugs; exit 1 when one is found\n"
    "  leaks [--json] [DIR]\n"
    "                  fds leaked across exec, fds still open at exit\n"
    "  help [COMMAND]  this text, or a command's own\n"
    "\n"
    "  -h, --help      this text;  --version  the version\n"
    "\n"
    "example:\n"
    "  pipetrace run -- sh -c 'seq 3 | sort -r' && pipetrace dump\n";

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
};

static const struct command commands[] = {
    {"run", cmd_run, cmd_run_usage},
    {"dump", cmd_dump, cmd_dump_usage},
    {"flows", cmd_flows, cmd_flows_usage},
    {"follow", cmd_follow, cmd_follow_usage},
    {"export", cmd_export, cmd_export_usage},
    {"graph", cmd_graph, cmd_graph_usage},
    {"summary", cmd_summary, cmd_summary_usage},
    {"check", cmd_check, cmd_check_usage},
    {"leaks", cmd_leaks, cmd_leaks_usage},
    {"watch", cmd_watch, cmd_watch_usage},
    {"top", cmd_watch, cmd_watch_usage}, /* what people try first */
};

static const struct command *find_command(const char *name) {
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* Edits (insert, delete, replace, swap of neighbours) between two short
 * words, to suggest the command a typo meant. */
static size_t edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 31 || lb > 31)
        return SIZE_MAX;
    size_t d[32][32];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

static const struct command *closest_command(const char *name) {
    const struct command *best = NULL;
    size_t best_distance = 3; /* two edits at most */
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        size_t d = edit_distance(name, commands[i].name);
        if (d < best_distance) {
            best = &commands[i];
            best_distance = d;
        }
    }
    return best;
}

static int unknown_command(const char *name) {
    const struct command *near = closest_command(name);
    if (near != NULL)
        cli_error("unknown command '%s'; did you mean 'pipetrace %s'? (see pipetrace --help)", name,
                  near->name);
    else
        cli_error("unknown command '%s' (see pipetrace --help)", name);
    return EXIT_BAD_INPUT;
}

static int help(int argc, char **argv) {
    if (argc < 3) {
        fputs(usage, stdout);
        return 0;
    }
    const struct command *c = find_command(argv[2]);
    if (c == NULL)
        return unknown_command(argv[2]);
    fputs(c->usage, stdout);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_BAD_INPUT;
    }
    const char *name = argv[1];
    if (cli_is_help(name))
        return help(1, argv);
    if (strcmp(name, "help") == 0)
        return help(argc, argv);
    if (strcmp(name, "--version") == 0) {
        puts("pipetrace " PIPETRACE_VERSION);
        return 0;
    }
    const struct command *c = find_command(name);
    if (c == NULL)
        return unknown_command(name);
    if (cli_enter_user_dir() < 0)
        return EXIT_BAD_INPUT;
    return c->run(argc - 1, argv + 1);
}
