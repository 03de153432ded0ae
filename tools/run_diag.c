/* `pipetrace run`'s live diagnosis (run_diag.h): the wait-for graph of
 * check, taken now (or at the cut), printed process by process, then the
 * hang problems check would report with the holders that must act. */
#define _GNU_SOURCE
#include "run_diag.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/waitfor.h"
#include "analysis_cli.h"
#include "cli_util.h"
#include "open_trace.h"
#include "trace/events.h"
#include "trace/names.h"

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The model and check's detectors over the trace, cut at cut (0: none). */
static int load(struct analysis *a, const char *dir, uint64_t cut) {
    memset(a, 0, sizeof *a);
    if (open_trace(dir, &a->dir) != 0)
        return -1;
    if (pt_model_init(&a->model, a->dir.files, a->dir.count) < 0)
        return -1;
    a->model.cut = cut;
    if (pt_check_attach(&a->check, &a->model, &a->problems) < 0 || pt_model_build(&a->model) < 0) {
        cli_error("out of memory");
        return -1;
    }
    pt_check_finish(&a->check);
    return 0;
}

static void who(FILE *out, const struct pt_waitfor *g, size_t node) {
    const struct pt_wf_node *n = &g->nodes[node];
    fprintf(out, "pid %" PRId32 " (%s)", n->pid, pt_wf_name(g, n));
}

static const char *call_name(const struct pt_wf_node *n) {
    const char *name = pt_event_name(n->rec.type);
    return name != NULL ? name : "?";
}

/* "read(fd 3, pipe:[N])", "wait()", "poll(fd 3, fd 5)". */
static void call_text(FILE *out, const struct pt_waitfor *g, const struct pt_wf_node *n) {
    switch (n->call) {
    case PT_WF_READ:
    case PT_WF_WRITE:
        fprintf(out, "%s(fd %d, %s:[%" PRIu64 "]%s)", call_name(n), n->rec.fd,
                pt_obj_kind_name(n->rec.obj_kind), n->rec.obj_ino,
                n->call == PT_WF_WRITE ? ", full" : "");
        break;
    case PT_WF_POLL:
        fprintf(out, "%s(", call_name(n));
        for (size_t i = 0; i < n->nedges; i++) {
            const struct pt_wf_edge *e = &g->edges[n->first_edge + i];
            if (i > 0 && g->edges[n->first_edge + i - 1].fd == e->fd)
                continue; /* one fd, several holders */
            fprintf(out, "%sfd %d", i ? ", " : "", e->fd);
        }
        putc(')', out);
        break;
    default:
        fprintf(out, "%s()", call_name(n));
    }
}

/* What the holder at the end of an edge is doing. */
static void target_state(FILE *out, const struct pt_waitfor *g, const struct pt_wf_edge *e) {
    const struct pt_wf_node *t = &g->nodes[e->to];
    if (e->to == e->from)
        fputs(" (itself)", out);
    else if (t->call != PT_WF_NONE)
        fputs(" (blocked too)", out);
    else if (!t->live)
        fputs(" (gone)", out);
    else
        fputs(" (running)", out);
}

/* "waits for data or EOF from the write end, held by pid M (x) fd 4". */
static void waits_for(FILE *out, const struct pt_waitfor *g, const struct pt_wf_node *n) {
    if (n->nedges == 0) {
        fputs(n->call == PT_WF_WAIT ? "; no child left to wait for in the trace"
                                    : "; nobody in the trace holds the other end",
              out);
        return;
    }
    const char *last = NULL;
    for (size_t i = 0; i < n->nedges; i++) {
        const struct pt_wf_edge *e = &g->edges[n->first_edge + i];
        const char *what = e->obj.ino == 0 ? "; waits for the end of "
                           : e->for_input  ? "; waits for data or EOF from the write end held by "
                                           : "; waits for room, from the read end held by ";
        fputs(what == last ? ", " : what, out);
        last = what;
        who(out, g, e->to);
        if (e->holder_fd >= 0)
            fprintf(out, " fd %d", e->holder_fd);
        target_state(out, g, e);
    }
}

static void print_node(FILE *out, const struct pt_waitfor *g, size_t i, uint64_t now) {
    const struct pt_wf_node *n = &g->nodes[i];
    fputs("  ", out);
    who(out, g, i);
    fputs(" blocked in ", out);
    call_text(out, g, n);
    uint64_t t = n->rec.t_start;
    fprintf(out, " for %.3fs", now > t ? (double)(now - t) / 1e9 : 0.0);
    if (n->stuck)
        fputs(", for ever", out);
    waits_for(out, g, n);
    putc('\n', out);
}

/* A hang check reports about a process that can never go on.  A reader
 * whose writer is merely slow (a sort still reading its input) is left
 * out: while the run goes on, that is no verdict yet. */
static int is_stuck_hang(const struct pt_problem *p, const struct pt_waitfor *g) {
    if (strcmp(p->kind, "blocked-read") != 0 && strcmp(p->kind, "pipe-deadlock") != 0 &&
        strcmp(p->kind, "wait-deadlock") != 0)
        return 0;
    size_t node = p->npids > 0 ? pt_waitfor_node(g, p->pids[0]) : (size_t)-1;
    return node != (size_t)-1 && g->nodes[node].stuck;
}

/* check's text for the hangs only: the rest can wait for check. */
static void print_hangs(FILE *out, struct analysis *a, const struct pt_waitfor *g) {
    struct pt_problems all = a->problems, hangs = {0};
    hangs.v = calloc(all.len ? all.len : 1, sizeof *hangs.v);
    if (hangs.v == NULL)
        return;
    for (size_t i = 0; i < all.len; i++)
        if (is_stuck_hang(&all.v[i], g))
            hangs.v[hangs.len++] = all.v[i];
    a->problems = hangs;
    analysis_text_problems(out, a);
    a->problems = all;
    free(hangs.v);
}

static size_t count_blocked(const struct pt_waitfor *g) {
    size_t n = 0;
    for (size_t i = 0; i < g->nnodes; i++)
        n += g->nodes[i].call != PT_WF_NONE;
    return n;
}

/* The diagnosis of a built graph; returns the number of blocked processes. */
static int print_diagnosis(FILE *out, struct analysis *a, const struct pt_waitfor *g,
                           const char *why, uint64_t cut, int always) {
    uint64_t now = cut ? cut : now_ns();
    size_t blocked = count_blocked(g);
    if (blocked == 0) {
        if (always)
            fprintf(out,
                    "pipetrace: %s: none of %zu running traced processes is blocked in a "
                    "call that waits\n",
                    why, g->nnodes);
        return 0;
    }
    fprintf(out, "pipetrace: %s: %zu of %zu running traced processes blocked:\n", why, blocked,
            g->nnodes);
    for (size_t i = 0; i < g->nnodes; i++)
        if (g->nodes[i].call != PT_WF_NONE)
            print_node(out, g, i, now);
    print_hangs(out, a, g);
    return (int)blocked;
}

int run_diagnose(const char *dir, const char *why, uint64_t cut, int always, FILE *out) {
    struct analysis a;
    struct pt_waitfor g = {0};
    int rc = -1;
    if (load(&a, dir, cut) == 0) {
        pt_waitfor_build(&g, &a.model);
        rc = print_diagnosis(out, &a, &g, why, cut, always);
    }
    fflush(out);
    pt_waitfor_free(&g);
    analysis_free(&a);
    return rc;
}
