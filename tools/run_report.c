/* What `pipetrace run` says after the traced command ended: where tracing
 * stopped, and which children could not be traced at all.
 *
 * The library never writes to the program's fds (the program's stderr
 * must be what it is untraced); it marks a stop in the trace file's
 * header (PT_HDR_STOPPED, stop_errno, dropped), and a fork child whose own
 * trace could not start leaves an untraced-child record (reason
 * PT_UNTRACED_FAILED) in its parent's file.  `run` reads those back once
 * the command is over and says so on its own stderr, one line each. */
#define _GNU_SOURCE
#include "run_report.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run_dir.h"
#include "trace/names.h"
#include "trace/reader.h"

/* More than this many lines would bury the command's own output. */
#define REPORT_MAX_LINES 10

/* One thing to report: a stop (dropped >= 0) or a child that ran
 * untraced (dropped < 0). */
struct report_item {
    int32_t pid;
    unsigned image;
    int err;
    int64_t dropped;
    char exe[64]; /* file name only */
};

struct report {
    struct report_item *v;
    size_t len, cap;
};

/* --- the names that were there before ------------------------------------- */

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static DIR *open_trace_dir(const char *dir) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (d == NULL && fd >= 0)
        close(fd);
    return d;
}

int run_report_begin(struct run_report_state *s, const char *dir) {
    *s = (struct run_report_state){0};
    DIR *d = open_trace_dir(dir);
    if (d == NULL)
        return 0; /* nothing was there */
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (!run_is_trace_name(e->d_name))
            continue;
        char **grown = realloc(s->before, (s->nbefore + 1) * sizeof *grown);
        char *name = strdup(e->d_name);
        if (grown == NULL || name == NULL) {
            free(name);
            if (grown != NULL)
                s->before = grown;
            closedir(d);
            return -1;
        }
        s->before = grown;
        s->before[s->nbefore++] = name;
    }
    closedir(d);
    if (s->nbefore > 1) /* qsort of NULL, even for 0 items, is undefined */
        qsort(s->before, s->nbefore, sizeof *s->before, cmp_str);
    return 0;
}

static int was_there(const struct run_report_state *s, const char *name) {
    return s->nbefore > 0 &&
           bsearch(&name, s->before, s->nbefore, sizeof *s->before, cmp_str) != NULL;
}

void run_report_free(struct run_report_state *s) {
    for (size_t i = 0; i < s->nbefore; i++)
        free(s->before[i]);
    free(s->before);
    *s = (struct run_report_state){0};
}

/* --- reading the files of this run ------------------------------------------- */

/* A name for a one-line report: cut, never overflowing. */
static void copy_name(char *out, size_t len, const char *path) {
    const char *slash = strrchr(path, '/');
    const char *name = slash != NULL ? slash + 1 : path;
    size_t n = strlen(name);
    if (n >= len)
        n = len - 1;
    memcpy(out, name, n);
    out[n] = '\0';
}

static int add(struct report *r, const struct report_item *item) {
    if (r->len == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        struct report_item *v = realloc(r->v, cap * sizeof *v);
        if (v == NULL)
            return -1;
        r->v = v;
        r->cap = cap;
    }
    r->v[r->len++] = *item;
    return 0;
}

static void collect_untraced(struct report *r, const struct pt_file *f) {
    struct pt_cursor c;
    struct pt_event ev;
    pt_file_walk(&c, f);
    while (pt_file_next(&c, &ev)) {
        const struct pt_record *rec = ev.rec;
        if (rec->type != PT_EV_UNTRACED_CHILD || (uint32_t)rec->arg != PT_UNTRACED_FAILED)
            continue;
        struct report_item item = {
            .pid = (int32_t)rec->result, .err = (int)(rec->arg >> 32), .dropped = -1};
        char path[256];
        size_t n = rec->data_len < sizeof path - 1 ? rec->data_len : sizeof path - 1;
        memcpy(path, ev.payload, n);
        path[n] = '\0';
        copy_name(item.exe, sizeof item.exe, n > 0 ? path : f->exe);
        add(r, &item);
    }
}

static void collect_file(struct report *r, int dfd, const char *dir, const char *name) {
    struct stat st;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
        return; /* a FIFO or link planted there is not read */
    /* By path: the reader maps files again by path when it needs them
     * (and itself opens only a regular file, never through a link). */
    char *path, err[512];
    if (asprintf(&path, "%s/%s", dir, name) < 0)
        return;
    struct pt_file f;
    if (pt_file_open(&f, path, err, sizeof err) == 0) {
        const struct pt_file_header *h = f.hdr;
        if (h->flags & PT_HDR_STOPPED) {
            struct report_item item = {.pid = h->pid,
                                       .image = (unsigned)strtoul(strchr(name, '.') + 1, NULL, 10),
                                       .err = h->stop_errno,
                                       .dropped = (int64_t)h->dropped};
            copy_name(item.exe, sizeof item.exe, f.exe);
            add(r, &item);
        }
        collect_untraced(r, &f);
        pt_file_close(&f);
    }
    free(path);
}

/* --- printing ------------------------------------------------------------------ */

static int cmp_item(const void *a, const void *b) {
    const struct report_item *x = a, *y = b;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    if ((x->dropped < 0) != (y->dropped < 0))
        return x->dropped < 0 ? 1 : -1;
    return x->image < y->image ? -1 : x->image > y->image;
}

static void print_errno(FILE *out, int err) {
    const char *name = pt_errno_name(err);
    if (name != NULL)
        fprintf(out, "%s (%s)", name, pt_errno_text(err));
    else
        fprintf(out, "errno %d", err);
}

static void print_item(FILE *out, const struct report_item *item) {
    if (item->dropped >= 0) {
        fprintf(out, "pipetrace: tracing stopped in pid %" PRId32 " (%s): ", item->pid, item->exe);
        print_errno(out, item->err);
        fprintf(out, ", %" PRId64 " events dropped\n", item->dropped);
    } else {
        fprintf(out, "pipetrace: pid %" PRId32 " (%s) ran untraced: its trace could not start: ",
                item->pid, item->exe);
        print_errno(out, item->err);
        putc('\n', out);
    }
}

/* A process that stopped in several images (each exec tries again) is one
 * line: the first image's reason, every image's drops. */
static size_t merge_images(struct report *r) {
    size_t out = 0;
    for (size_t i = 0; i < r->len; i++) {
        struct report_item *prev = out > 0 ? &r->v[out - 1] : NULL;
        if (prev != NULL && prev->pid == r->v[i].pid && prev->dropped >= 0 && r->v[i].dropped >= 0)
            prev->dropped += r->v[i].dropped;
        else
            r->v[out++] = r->v[i];
    }
    return out;
}

void run_report_end(const struct run_report_state *s, const char *dir) {
    DIR *d = open_trace_dir(dir);
    if (d == NULL)
        return;
    struct report r = {0};
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (run_is_trace_name(e->d_name) && !was_there(s, e->d_name))
            collect_file(&r, dirfd(d), dir, e->d_name);
    closedir(d);
    if (r.len > 1)
        qsort(r.v, r.len, sizeof *r.v, cmp_item);
    size_t n = merge_images(&r);
    fflush(stdout);
    for (size_t i = 0; i < n && i < REPORT_MAX_LINES; i++)
        print_item(stderr, &r.v[i]);
    if (n > REPORT_MAX_LINES)
        fprintf(stderr, "pipetrace: ... and %zu more (pipetrace summary %s lists them all)\n",
                n - REPORT_MAX_LINES, dir);
    free(r.v);
}
