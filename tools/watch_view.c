/* `pipetrace watch`'s output (watch.h): on a terminal, one screen redrawn
 * in place with ANSI codes (no curses: it must work over ssh in any
 * terminal), blocked processes in bold red and ended ones dim; else plain
 * lines, one block per refresh, that a script or a log can read. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "trace/events.h"
#include "trace/names.h"
#include "trace/xalloc.h"
#include "watch.h"

/* A call that waits and has lasted this long is shown as blocked. */
#define BLOCKED_NS 200000000ull

/* The width of the command column (the tree, indented) on a terminal. */
#define COMMAND_COLS 30

#define ANSI_HOME "\033[H"
#define ANSI_EOL "\033[K"
#define ANSI_EOS "\033[J"
#define ANSI_BLOCKED "\033[1;31m"
#define ANSI_ENDED "\033[2m"
#define ANSI_TITLE "\033[1m"
#define ANSI_RESET "\033[0m"

static double seconds(uint64_t ns) {
    return (double)ns / 1e9;
}

/* "12.3 MiB" */
static void human_bytes(char *buf, size_t len, double n) {
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    size_t u = 0;
    while (n >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
        n /= 1024;
        u++;
    }
    snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", n, units[u]);
}

/* "read(fd 0, pipe:[77])" */
static void call_text(char *buf, size_t len, const struct pt_record *r) {
    const char *name = pt_event_name(r->type);
    if (r->fd >= 0 && r->obj_ino != 0)
        snprintf(buf, len, "%s(fd %d, %s:[%" PRIu64 "])", name ? name : "?", r->fd,
                 pt_obj_kind_name(r->obj_kind), r->obj_ino);
    else if (r->fd >= 0)
        snprintf(buf, len, "%s(fd %d)", name ? name : "?", r->fd);
    else
        snprintf(buf, len, "%s()", name ? name : "?");
}

enum proc_state { P_RUNNING, P_BLOCKED, P_ENDED };

static enum proc_state state_of(const struct watch *w, const struct watch_proc *p, uint64_t now,
                                const struct watch_call **call) {
    *call = watch_current_call(w, p);
    if (p->ended)
        return P_ENDED;
    if (*call != NULL && watch_call_blocks(&(*call)->rec) && now > (*call)->rec.t_start &&
        now - (*call)->rec.t_start >= BLOCKED_NS)
        return P_BLOCKED;
    return P_RUNNING;
}

static const char *state_name(enum proc_state s) {
    return s == P_BLOCKED ? "blocked" : s == P_ENDED ? "ended" : "running";
}

/* --- the process tree ---------------------------------------------------- */

static int by_ppid_pid(const void *a, const void *b, void *ctx) {
    const struct watch *w = ctx;
    const struct watch_proc *x = &w->procs[*(const size_t *)a];
    const struct watch_proc *y = &w->procs[*(const size_t *)b];
    if (x->ppid != y->ppid)
        return x->ppid < y->ppid ? -1 : 1;
    return (x->pid > y->pid) - (x->pid < y->pid);
}

struct tree {
    size_t *order; /* process indexes, parents before children */
    int *depth;
    size_t n;
};

static void visit(const struct watch *w, const size_t *by_parent, size_t i, int depth,
                  struct tree *t) {
    t->order[t->n] = i;
    t->depth[t->n++] = depth;
    /* The children of i: a run of by_parent (sorted by ppid). */
    size_t lo = 0, hi = w->nprocs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (w->procs[by_parent[mid]].ppid < w->procs[i].pid)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t k = lo; k < w->nprocs && w->procs[by_parent[k]].ppid == w->procs[i].pid; k++)
        if (by_parent[k] != i && t->n < w->nprocs)
            visit(w, by_parent, by_parent[k], depth + 1, t);
}

static void build_tree(const struct watch *w, struct tree *t) {
    t->order = pt_xcalloc(w->nprocs + 1, sizeof *t->order);
    t->depth = pt_xcalloc(w->nprocs + 1, sizeof *t->depth);
    t->n = 0;
    size_t *by_parent = pt_xcalloc(w->nprocs + 1, sizeof *by_parent);
    for (size_t i = 0; i < w->nprocs; i++)
        by_parent[i] = i;
    qsort_r(by_parent, w->nprocs, sizeof *by_parent, by_ppid_pid, (void *)(uintptr_t)w);
    for (size_t k = 0; k < w->nprocs; k++) /* roots: parent not traced */
        if (watch_find_proc(w, w->procs[by_parent[k]].ppid) == NULL)
            visit(w, by_parent, by_parent[k], 0, t);
    free(by_parent);
}

static void free_tree(struct tree *t) {
    free(t->order);
    free(t->depth);
}

/* --- a terminal ---------------------------------------------------------- */

static int term_rows(const struct watch_view *v) {
    struct winsize ws;
    if (ioctl(fileno(v->out), TIOCGWINSZ, &ws) == 0 && ws.ws_row > 4)
        return ws.ws_row;
    return 24;
}

static int term_cols(const struct watch_view *v) {
    struct winsize ws;
    if (ioctl(fileno(v->out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
        return ws.ws_col;
    return 80;
}

/* One line, cut at the width, cleared to its end. */
static void line(const struct watch_view *v, const char *color, const char *text) {
    fprintf(v->out, "%s%.*s%s" ANSI_EOL "\n", color, v->width, text, *color ? ANSI_RESET : "");
}

static void proc_line(const struct watch *w, const struct watch_proc *p, int depth, uint64_t now,
                      char *buf, size_t len, enum proc_state *st) {
    const struct watch_call *call;
    *st = state_of(w, p, now, &call);
    char what[160] = "", in[32], out[32];
    if (call != NULL) {
        char c[128];
        call_text(c, sizeof c, &call->rec);
        snprintf(what, sizeof what, "%s %.1fs", c,
                 now > call->rec.t_start ? seconds(now - call->rec.t_start) : 0.0);
    }
    human_bytes(in, sizeof in, (double)p->bytes_in);
    human_bytes(out, sizeof out, (double)p->bytes_out);
    char tree[COMMAND_COLS + 1];
    snprintf(tree, sizeof tree, "%*s%s", 2 * (depth < 8 ? depth : 8), "",
             w->files[p->file].command);
    snprintf(buf, len, "%7" PRId32 " %-7s %9s %9s  %-*s %s", p->pid, state_name(*st), in, out,
             COMMAND_COLS, tree, what);
}

static void pipe_line(const struct watch *w, const struct watch_pipe *pp, double dt, char *buf,
                      size_t len) {
    char written[32], read[32], buffered[32], rate[32];
    human_bytes(written, sizeof written, (double)pp->written);
    human_bytes(read, sizeof read, (double)pp->read);
    human_bytes(buffered, sizeof buffered,
                pp->written > pp->read ? (double)(pp->written - pp->read) : 0);
    human_bytes(rate, sizeof rate, dt > 0 ? (double)(pp->written - pp->shown_written) / dt : 0);
    (void)w;
    snprintf(buf, len, "%s:[%" PRIu64 "] %10s %10s %10s %10s/s   %" PRId32 " -> %" PRId32,
             pt_obj_kind_name(pp->kind), pp->ino, written, read, buffered, rate, pp->writer,
             pp->reader);
}

static void draw_screen(struct watch_view *v, struct watch *w, uint64_t now, double dt) {
    v->width = term_cols(v);
    int rows = term_rows(v) - 1, used = 0;
    char buf[1024];
    struct tree t;
    build_tree(w, &t);
    fputs(ANSI_HOME, v->out);
    snprintf(buf, sizeof buf, "pipetrace watch %s   %.1fs   %zu processes, %zu running, %zu pipes",
             w->dir, w->t_first && now > w->t_first ? seconds(now - w->t_first) : 0.0, w->nprocs,
             watch_running(w), w->npipes);
    line(v, ANSI_TITLE, buf);
    snprintf(buf, sizeof buf, "%7s %-7s %9s %9s  %-*s %s", "PID", "STATE", "IN", "OUT",
             COMMAND_COLS, "COMMAND", "CALL, FOR HOW LONG");
    line(v, ANSI_TITLE, buf);
    used = 2;
    int pipe_rows = (int)(w->npipes < 8 ? w->npipes : 8) + 2;
    for (size_t k = 0; k < t.n && used < rows - pipe_rows; k++, used++) {
        enum proc_state st;
        proc_line(w, &w->procs[t.order[k]], t.depth[k], now, buf, sizeof buf, &st);
        line(v, st == P_BLOCKED ? ANSI_BLOCKED : st == P_ENDED ? ANSI_ENDED : "", buf);
    }
    line(v, "", "");
    snprintf(buf, sizeof buf, "%-16s %10s %10s %10s %12s   %s", "PIPE", "WRITTEN", "READ",
             "BUFFERED", "RATE", "WRITER -> READER");
    line(v, ANSI_TITLE, buf);
    used += 2;
    for (size_t i = 0; i < w->npipes && used < rows; i++, used++) {
        pipe_line(w, &w->pipes[i], dt, buf, sizeof buf);
        line(v, "", buf);
    }
    fputs(ANSI_EOS, v->out);
    free_tree(&t);
}

/* --- plain lines --------------------------------------------------------- */

/* Running processes, and pipes that moved bytes since the last frame. */
static void draw_lines(struct watch_view *v, struct watch *w, uint64_t now, double dt) {
    double at = w->t_first && now > w->t_first ? seconds(now - w->t_first) : 0.0;
    if (w->nprocs == 0) { /* the run has not written a trace file yet */
        if (v->last_frame_ns == 0)
            fprintf(v->out, "[0.00s] waiting for trace files in %s\n", w->dir);
        return;
    }
    fprintf(v->out, "[%.2fs] %zu processes, %zu running, %zu pipes\n", at, w->nprocs,
            watch_running(w), w->npipes);
    struct tree t;
    build_tree(w, &t);
    for (size_t k = 0; k < t.n; k++) {
        const struct watch_proc *p = &w->procs[t.order[k]];
        const struct watch_call *call;
        enum proc_state st = state_of(w, p, now, &call);
        if (st == P_ENDED)
            continue;
        fprintf(v->out, "[%.2fs] pid %" PRId32 " ppid %" PRId32 " %s: %s", at, p->pid, p->ppid,
                state_name(st), w->files[p->file].command);
        if (call != NULL) {
            char c[128];
            call_text(c, sizeof c, &call->rec);
            fprintf(v->out, ": %s for %.3fs", c,
                    now > call->rec.t_start ? seconds(now - call->rec.t_start) : 0.0);
        }
        fprintf(v->out, "; in %" PRIu64 " out %" PRIu64 "\n", p->bytes_in, p->bytes_out);
    }
    free_tree(&t);
    for (size_t i = 0; i < w->npipes; i++) {
        const struct watch_pipe *pp = &w->pipes[i];
        if (pp->written == pp->shown_written && pp->read == pp->shown_read && v->last_frame_ns != 0)
            continue;
        fprintf(v->out,
                "[%.2fs] %s:[%" PRIu64 "] %" PRId32 " -> %" PRId32 ": written %" PRIu64
                " read %" PRIu64 " buffered %" PRIu64 " rate %.0f B/s\n",
                at, pt_obj_kind_name(pp->kind), pp->ino, pp->writer, pp->reader, pp->written,
                pp->read, pp->written > pp->read ? pp->written - pp->read : 0,
                dt > 0 ? (double)(pp->written - pp->shown_written) / dt : 0.0);
    }
}

void watch_draw(struct watch_view *v, struct watch *w, uint64_t now) {
    double dt =
        v->last_frame_ns != 0 && now > v->last_frame_ns ? seconds(now - v->last_frame_ns) : 0.0;
    if (v->ansi)
        draw_screen(v, w, now, dt);
    else
        draw_lines(v, w, now, dt);
    fflush(v->out);
    for (size_t i = 0; i < w->npipes; i++) {
        w->pipes[i].shown_written = w->pipes[i].written;
        w->pipes[i].shown_read = w->pipes[i].read;
    }
    v->last_frame_ns = now;
}
