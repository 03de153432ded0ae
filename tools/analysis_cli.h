/* What summary, check and leaks share: options, loading a trace directory
 * into the model (with the detectors attached), and JSON pieces. */
#ifndef PIPETRACE_TOOLS_ANALYSIS_CLI_H
#define PIPETRACE_TOOLS_ANALYSIS_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "analysis/check.h"
#include "analysis/coverage.h"
#include "analysis/model.h"
#include "analysis/problems.h"
#include "trace/dir.h"

struct analysis_options {
    const char *dir;
    int json;
};

/* Parses [--json] [DIR]; 0 ok, -1 after --help (exit 0), else the exit
 * status of a usage error. */
int analysis_parse(const char *cmd, const char *usage, int argc, char **argv,
                   struct analysis_options *o);

struct analysis {
    struct pt_dir dir;
    struct pt_model model;
    struct pt_check check;
    struct pt_problems problems;
    struct pt_coverage coverage; /* what the trace could not see */
};

/* Opens the directory (one-line error, EXIT_BAD_INPUT), warns once per
 * file skipped or damaged, builds the model, runs every detector and finds
 * the gaps in coverage.  0 on success. */
int analysis_load(struct analysis *a, const char *dir);
void analysis_free(struct analysis *a);

/* Seconds since the first image began. */
double analysis_rel(const struct pt_model *m, uint64_t t);

/* JSON: {"code":N}, {"signal":"SIGPIPE"} or null. */
void analysis_json_end(FILE *out, enum pt_end_kind end, int code, int sig);
void analysis_json_exit(FILE *out, const struct pt_process *p);
/* Text: "exit 0", "SIGPIPE", "running?" (nothing says it ended). */
void analysis_text_end(enum pt_end_kind end, int code, int sig, char *buf, size_t len);
void analysis_text_exit(const struct pt_process *p, char *buf, size_t len);
/* [{"kind",...}, ...] */
void analysis_json_problems(FILE *out, const struct analysis *a);
void analysis_text_problems(FILE *out, const struct analysis *a);
/* [{"pid","kind","file","what","dropped","errno"}, ...] */
void analysis_json_gaps(FILE *out, const struct analysis *a);
void coverage_json_gaps(FILE *out, const struct pt_coverage *c);
/* ',"complete":B,"coverage_gaps":[...]' (after other members of an object). */
void coverage_json_members(FILE *out, const struct pt_coverage *c);
/* "the trace is incomplete: ...; WHAT (pipetrace summary lists the gaps)"
 * and a newline, when it is. */
void coverage_text_note(FILE *out, const struct pt_coverage *c, const char *what);
/* The origin chain as [{"step":"created",...}, ...]. */
void analysis_json_chain(FILE *out, const struct pt_model *m, const struct pt_origin *o);
/* argv joined by spaces, cut to fit width (with "..." at the end). */
void analysis_argv_text(const struct pt_image *img, char *buf, size_t width);
/* The same for what a process ran last. */
void analysis_process_argv_text(const struct pt_process *p, char *buf, size_t width);
/* ["O_NONBLOCK", ...] for open flags. */
void analysis_json_flags(FILE *out, uint64_t flags);
/* Finishes stdout and reports a write error; returns rc or 1. */
int analysis_flush(int rc);

#endif /* PIPETRACE_TOOLS_ANALYSIS_CLI_H */
