/* What a trace could not see: the gaps in its coverage.  Every answer
 * built on an incomplete trace must say it is incomplete (`check` cannot
 * be sure of silence), so the gaps are found once, here, for every
 * command: trace files that could not be read or were damaged, processes
 * whose tracing stopped early (and the events they dropped), stdio that
 * was not hooked, children that ran untraced or whose trace could not
 * start. */
#ifndef PIPETRACE_ANALYSIS_COVERAGE_H
#define PIPETRACE_ANALYSIS_COVERAGE_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "trace/dir.h"

#ifdef __cplusplus
extern "C" {
#endif

enum pt_gap_kind {
    PT_GAP_FILE_NOT_READ, /* a trace file that could not be read at all */
    PT_GAP_FILE_DAMAGED,  /* read up to damage: torn or invalid records, cut */
    PT_GAP_STOPPED,       /* the recorder stopped early (full disk, ...) */
    PT_GAP_DROPPED,       /* events counted but not recorded, with no stop */
    PT_GAP_STDIO,         /* stdio's own reads and writes were not hooked */
    PT_GAP_UNTRACED,      /* a child ran a program the library cannot enter */
    PT_GAP_NOT_STARTED,   /* a child whose own trace could not start */
};

struct pt_gap {
    enum pt_gap_kind kind;
    int32_t pid;      /* the process concerned; 0 when not known */
    char file[64];    /* the trace file concerned ("4711.0.ptr"), or "" */
    int err;          /* why (stopped, not started), or 0 */
    uint64_t dropped; /* events the recorder counted and dropped */
    char text[600];   /* one line for people, without the pid */
};

struct pt_coverage {
    struct pt_gap *v;
    size_t len;
    uint64_t dropped; /* over all files */
};

/* The gaps of a built model whose files' damage is known (pt_file_scan),
 * and of the files the directory skipped. */
void pt_coverage_find(struct pt_coverage *c, const struct pt_model *m, const struct pt_dir *d);
void pt_coverage_free(struct pt_coverage *c);

/* The gaps the files alone show, for commands that build no model (flows):
 * files not read or damaged, stops, dropped events, stdio not hooked when
 * the image began (not untraced children, nor stdio unhooked later: the
 * model finds those). */
void pt_coverage_of_files(struct pt_coverage *c, const struct pt_dir *d);

/* True when nothing is missing. */
int pt_coverage_complete(const struct pt_coverage *c);

/* "file-not-read", "file-damaged", "tracing-stopped", ... (stable). */
const char *pt_gap_kind_name(enum pt_gap_kind kind);

/* What is missing, in one short phrase: "1 trace file not read, tracing
 * stopped early in 1 process (187000 events dropped)"; "" when complete. */
void pt_coverage_phrase(const struct pt_coverage *c, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_ANALYSIS_COVERAGE_H */
