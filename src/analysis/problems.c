/* The problem list. */
#define _GNU_SOURCE
#include "problems.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/xalloc.h"

struct pt_problem *pt_problem_add(struct pt_problems *ps, const char *kind, const char *fix) {
    PT_GROW(ps->v, ps->len + 1, ps->cap);
    struct pt_problem *p = &ps->v[ps->len++];
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->fix = fix;
    return p;
}

void pt_problem_pid(struct pt_problem *p, int32_t pid) {
    for (size_t i = 0; i < p->npids; i++)
        if (p->pids[i] == pid)
            return;
    if (p->npids < PT_PROBLEM_MAX_LIST)
        p->pids[p->npids++] = pid;
}

void pt_problem_fd(struct pt_problem *p, int fd) {
    for (size_t i = 0; i < p->nfds; i++)
        if (p->fds[i] == fd)
            return;
    if (p->nfds < PT_PROBLEM_MAX_LIST)
        p->fds[p->nfds++] = fd;
}

void pt_problem_evidence(struct pt_problem *p, int32_t pid, const struct pt_record *r) {
    if (p->nevidence >= PT_PROBLEM_MAX_LIST)
        return;
    p->evidence[p->nevidence++] = (struct pt_evidence){
        .pid = pid,
        .call = r->type,
        .fd = r->fd,
        .t = r->t_start,
        .result = r->result,
        .unfinished = r->state != PT_DONE,
    };
}

void pt_problem_add_evidence(struct pt_problem *p, const struct pt_evidence *e) {
    if (p->nevidence < PT_PROBLEM_MAX_LIST)
        p->evidence[p->nevidence++] = *e;
}

void pt_problem_message(struct pt_problem *p, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    free(p->message);
    if (vasprintf(&p->message, fmt, ap) < 0)
        p->message = NULL;
    va_end(ap);
}

void pt_problems_free(struct pt_problems *ps) {
    for (size_t i = 0; i < ps->len; i++)
        free(ps->v[i].message);
    free(ps->v);
    memset(ps, 0, sizeof *ps);
}

void pt_problem_about(struct pt_problem *p, int32_t pid, const struct pt_record *r) {
    pt_problem_pid(p, pid);
    pt_problem_fd(p, r->fd);
    p->object_kind = r->obj_kind;
    p->object = pt_objkey_of(r);
    pt_problem_evidence(p, pid, r);
}

const char *pt_severity_name(enum pt_severity s) {
    switch (s) {
    case PT_SEV_WARNING:
        return "warning";
    case PT_SEV_NOTE:
        return "note";
    default:
        return "error";
    }
}

size_t pt_problems_failing(const struct pt_problems *ps, int warnings_count) {
    size_t n = 0;
    for (size_t i = 0; i < ps->len; i++)
        if (ps->v[i].severity == PT_SEV_ERROR ||
            (warnings_count && ps->v[i].severity == PT_SEV_WARNING))
            n++;
    return n;
}
