/* Problems found in a trace: a stable kind, a severity, the processes and
 * fds involved, the object, a message, the evidence and the usual fix. */
#ifndef PIPETRACE_ANALYSIS_PROBLEMS_H
#define PIPETRACE_ANALYSIS_PROBLEMS_H

#include <stddef.h>
#include <stdint.h>

#include "pipetrace/format.h"
#include "trace/objkey.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PT_PROBLEM_MAX_LIST 8

/* How bad a problem is.  `check` exits 1 on errors (and, with
 * --warnings-as-errors, on warnings); notes never change the exit status.
 *   error    the run lost data, hung, or did something undefined (a
 *            reused fd closed): a CI gate should fail
 *   warning  wasteful or fragile but the run still did its job (a busy
 *            loop, an fd leaked into a program that never used it)
 *   note     worth knowing, harmless in this run */
enum pt_severity {
    PT_SEV_ERROR = 0, /* the default: a detector that says nothing is strict */
    PT_SEV_WARNING,
    PT_SEV_NOTE,
};

/* "error", "warning", "note". */
const char *pt_severity_name(enum pt_severity s);

/* One recorded call that shows the problem. */
struct pt_evidence {
    int32_t pid;
    unsigned call; /* PT_EV_* */
    int fd;
    uint64_t t; /* t_start */
    int64_t result;
    int unfinished; /* the call had not returned */
};

struct pt_problem {
    const char *kind; /* "blocked-read", "pipe-deadlock", ... */
    enum pt_severity severity;
    int32_t pids[PT_PROBLEM_MAX_LIST];
    size_t npids;
    int fds[PT_PROBLEM_MAX_LIST];
    size_t nfds;
    uint8_t object_kind;     /* PT_OBJ_*; PT_OBJ_UNKNOWN with ino 0: none */
    struct pt_objkey object; /* which one */
    char *message;
    const char *fix; /* one sentence */
    struct pt_evidence evidence[PT_PROBLEM_MAX_LIST];
    size_t nevidence;
};

struct pt_problems {
    struct pt_problem *v;
    size_t len, cap;
};

/* A new problem, of severity error until told otherwise; never NULL (memory
 * running out ends the viewer, trace/xalloc.h). */
struct pt_problem *pt_problem_add(struct pt_problems *ps, const char *kind, const char *fix);
void pt_problem_pid(struct pt_problem *p, int32_t pid); /* once each */
void pt_problem_fd(struct pt_problem *p, int fd);
void pt_problem_evidence(struct pt_problem *p, int32_t pid, const struct pt_record *r);
void pt_problem_add_evidence(struct pt_problem *p, const struct pt_evidence *e);
/* The process, fd, object and evidence of one recorded call, at once. */
void pt_problem_about(struct pt_problem *p, int32_t pid, const struct pt_record *r);
void pt_problem_message(struct pt_problem *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void pt_problems_free(struct pt_problems *ps);
/* The problems that fail `check`: the errors, plus the warnings when
 * warnings count. */
size_t pt_problems_failing(const struct pt_problems *ps, int warnings_count);

#ifdef __cplusplus
}
#endif

#endif /* PIPETRACE_ANALYSIS_PROBLEMS_H */
