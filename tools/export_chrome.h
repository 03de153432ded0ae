/* What the parts of the Chrome Trace Event export share. */
#ifndef PIPETRACE_TOOLS_EXPORT_CHROME_H
#define PIPETRACE_TOOLS_EXPORT_CHROME_H

#include <stdint.h>
#include <stdio.h>

#include "trace/dir.h"

struct chrome_thread {
    int32_t pid, tid;
};

struct chrome {
    FILE *out;
    const struct pt_dir *d;
    uint64_t t0, t_last;
    uint64_t next_flow;
    int first;                     /* nothing written into traceEvents yet */
    struct chrome_thread *threads; /* named so far */
    size_t thread_count, thread_cap;
    int oom;
};

/* Starts an event: ",{"ph":PH,"pid":..,"tid":..,"ts":.." (no closing brace). */
void chrome_begin(struct chrome *c, const char *ph, int32_t pid, int32_t tid, uint64_t t);

/* A time or duration in microseconds with nanosecond decimals. */
void chrome_us(FILE *out, uint64_t ns);

/* export_chrome_names.c: process_name metadata for every pid, thread_name
 * metadata for a thread the first time it appears. */
void chrome_name_processes(struct chrome *c);
void chrome_name_thread(struct chrome *c, const struct pt_file *f, int32_t tid);

/* export_chrome_calls.c: the events of one record. */
void chrome_record(struct chrome *c, const struct pt_file *f, const struct pt_event *ev);

/* export_chrome_problems.c: the diagnoses of `pipetrace check` as instant
 * events ("cat":"problem") on the processes involved. */
void chrome_problems(struct chrome *c);

#endif /* PIPETRACE_TOOLS_EXPORT_CHROME_H */
