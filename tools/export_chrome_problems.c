/* The diagnoses of `pipetrace check` on the Chrome timeline: one instant
 * event per problem and process involved, at the time of its first
 * evidence in that process (else its first evidence at all), so that a
 * hang or an EPIPE is visible where it happened. */
#include <inttypes.h>
#include <string.h>

#include "analysis/check.h"
#include "analysis/model.h"
#include "analysis/problems.h"
#include "escape.h"
#include "export_chrome.h"

static uint64_t problem_time(const struct pt_problem *p, int32_t pid, uint64_t fallback) {
    for (size_t i = 0; i < p->nevidence; i++)
        if (p->evidence[i].pid == pid)
            return p->evidence[i].t;
    return p->nevidence > 0 ? p->evidence[0].t : fallback;
}

static void problem_event(struct chrome *c, const struct pt_problem *p, int32_t pid) {
    chrome_begin(c, "i", pid, pid, problem_time(p, pid, c->t_last));
    fputs(",\"s\":\"p\",\"cat\":\"problem\",\"name\":", c->out);
    esc_json_str(c->out, p->kind);
    fputs(",\"args\":{\"kind\":", c->out);
    esc_json_str(c->out, p->kind);
    fprintf(c->out, ",\"severity\":\"%s\",\"message\":", pt_severity_name(p->severity));
    esc_json_str(c->out, p->message != NULL ? p->message : "");
    fputs(",\"fix\":", c->out);
    esc_json_str(c->out, p->fix != NULL ? p->fix : "");
    fputs(",\"fds\":[", c->out);
    for (size_t i = 0; i < p->nfds; i++)
        fprintf(c->out, "%s%d", i ? "," : "", p->fds[i]);
    fputs("]}}", c->out);
}

void chrome_problems(struct chrome *c) {
    struct pt_model model;
    struct pt_check check = {0};
    struct pt_problems problems = {0};
    memset(&model, 0, sizeof model);
    int ok = pt_model_init(&model, c->d->files, c->d->count) == 0 &&
             pt_check_attach(&check, &model, &problems) == 0 && pt_model_build(&model) == 0;
    if (ok) {
        pt_check_finish(&check);
        for (size_t i = 0; i < problems.len; i++)
            for (size_t j = 0; j < problems.v[i].npids; j++)
                problem_event(c, &problems.v[i], problems.v[i].pids[j]);
    }
    if (!ok)
        c->oom = 1;
    pt_check_free(&check);
    pt_problems_free(&problems);
    pt_model_free(&model);
}
