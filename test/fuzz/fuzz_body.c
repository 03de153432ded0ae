/* Writes the input as trace files, then runs everything that reads them:
 * the reader, the model with every detector and the leak audit, flows and
 * the graph. */
#define _GNU_SOURCE
#include "fuzz_body.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "analysis/check.h"
#include "analysis/flows.h"
#include "analysis/flows_graph.h"
#include "analysis/leaks.h"
#include "analysis/model.h"
#include "trace/dir.h"

static const char *const names[] = {"100.0.ptr", "100.1.ptr", "101.0.ptr", "102.0.ptr"};
#define NFILES (sizeof names / sizeof names[0])

static void write_bytes(const char *dir, const char *name, const uint8_t *p, size_t n, int append) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
    int fd = open(path, flags, 0600);
    if (fd < 0)
        return;
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k <= 0)
            break;
        p += k;
        n -= (size_t)k;
    }
    close(fd);
}

/* Calls each(name, start, length) for every file of the input. */
static void each_file(const uint8_t *data, size_t size,
                      void (*each)(const char *name, const uint8_t *p, size_t n, void *ctx),
                      void *ctx) {
    size_t split_len = strlen(FUZZ_SPLIT);
    for (size_t i = 0; i < NFILES && (i == 0 || size > 0); i++) {
        const uint8_t *end = memmem(data, size, FUZZ_SPLIT, split_len);
        size_t n = end ? (size_t)(end - data) : size;
        each(names[i], data, n, ctx);
        if (end == NULL)
            break;
        data += n + split_len;
        size -= n + split_len;
    }
}

struct cut {
    const char *dir;
    unsigned keep;
    int rest; /* write what lies past the cut, appending */
};

static void write_cut(const char *name, const uint8_t *p, size_t n, void *ctx) {
    const struct cut *c = ctx;
    size_t kept = c->keep >= 64 ? n : n * c->keep / 64;
    if (c->rest)
        write_bytes(c->dir, name, p + kept, n - kept, 1);
    else
        write_bytes(c->dir, name, p, kept, 0);
}

void fuzz_write_files(const uint8_t *data, size_t size, const char *dir, unsigned keep) {
    for (size_t i = 0; i < NFILES; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    struct cut c = {dir, keep, 0};
    each_file(data, size, write_cut, &c);
}

void fuzz_append_rest(const uint8_t *data, size_t size, const char *dir, unsigned keep) {
    struct cut c = {dir, keep, 1};
    each_file(data, size, write_cut, &c);
}

static void analyse(struct pt_dir *d) {
    struct pt_model m;
    struct pt_check c;
    struct pt_problems problems = {0};
    struct pt_leaks leaks;
    for (size_t i = 0; i < d->count; i++) {
        char line[512];
        pt_file_scan(&d->files[i]);
        pt_damage_describe(&d->files[i], &d->files[i].damage, line, sizeof line);
    }
    if (pt_model_init(&m, d->files, d->count) == 0 && pt_check_attach(&c, &m, &problems) == 0) {
        pt_model_build(&m);
        pt_check_finish(&c);
        pt_leaks_find(&m, &leaks);
        pt_leaks_free(&leaks);
        for (size_t i = 0; i < m.nfiles; i++) {
            char text[2048];
            for (size_t j = 0; j < m.images[i].final.len; j++)
                pt_origin_describe(&m, m.images[i].final.v[j].origin, text, sizeof text);
        }
        pt_check_free(&c);
    }
    pt_problems_free(&problems);
    pt_model_free(&m);
    /* flows, follow, export and graph read through these two. */
    struct flows fl;
    flows_run(&fl, d->files, d->count, NULL);
    flows_free(&fl);
    struct graph g;
    graph_build(&g, d->files, d->count);
    graph_free(&g);
}

int fuzz_one(const uint8_t *data, size_t size, const char *dir, char *err, size_t errlen) {
    struct pt_dir d;
    fuzz_write_files(data, size, dir, 64);
    if (pt_dir_open(&d, dir, err, errlen) < 0) {
        pt_dir_close(&d);
        return -1;
    }
    analyse(&d);
    pt_dir_close(&d);
    return 0;
}
