/* Opening a trace for the viewer subcommands. */
#include "open_trace.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli_util.h"

void warn_damaged_files(struct pt_dir *d) {
    for (size_t i = 0; i < d->count; i++) {
        struct pt_file *f = &d->files[i];
        pt_file_scan(f);
        if (pt_damage_any(&f->damage)) {
            char line[512];
            pt_damage_describe(f, &f->damage, line, sizeof line);
            fprintf(stderr, "pipetrace: warning: %s\n", line);
        }
    }
}

static void warn_skipped_files(const struct pt_dir *d) {
    for (size_t i = 0; i < d->nskipped; i++) {
        const char *m = d->skipped[i].message;
        if (strncmp(m, "pipetrace: ", 11) == 0)
            m += 11;
        fprintf(stderr, "pipetrace: warning: %s; skipped\n", m);
    }
}

int open_trace(const char *dir, struct pt_dir *d) {
    char err[1024];
    int rc = pt_dir_open(d, dir, err, sizeof err);
    /* When nothing could be read, one file's problem is the error itself. */
    if (rc == 0 || d->nskipped > 1)
        warn_skipped_files(d);
    if (rc < 0) {
        fprintf(stderr, "%s\n", err);
        pt_dir_close(d);
        return EXIT_BAD_INPUT;
    }
    return 0;
}

uint64_t trace_t0(const struct pt_dir *d) {
    uint64_t t0 = UINT64_MAX;
    for (size_t i = 0; i < d->count; i++)
        if (d->files[i].hdr->start_mono_ns < t0)
            t0 = d->files[i].hdr->start_mono_ns;
    return t0 == UINT64_MAX ? 0 : t0;
}

static uint64_t file_t_last(const struct pt_file *f) {
    struct pt_cursor c;
    struct pt_event ev;
    uint64_t last = f->hdr->start_mono_ns;
    pt_file_walk(&c, f);
    while (pt_file_next(&c, &ev)) {
        if (ev.rec->t_start > last)
            last = ev.rec->t_start;
        if (ev.rec->state == PT_DONE && ev.rec->t_end > last)
            last = ev.rec->t_end;
    }
    return last;
}

uint64_t trace_t_last(const struct pt_dir *d) {
    uint64_t last = 0;
    for (size_t i = 0; i < d->count; i++) {
        uint64_t t = file_t_last(&d->files[i]);
        if (t > last)
            last = t;
    }
    return last;
}

int finish_stdout(void) {
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("writing the output: %s", strerror(errno));
        return 1;
    }
    return 0;
}
