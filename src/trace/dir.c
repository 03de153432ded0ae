/* Listing and opening the trace files of a directory. */
#define _GNU_SOURCE
#include "dir.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int has_trace_suffix(const char *name) {
    size_t n = strlen(name);
    size_t suffix = strlen(PT_FILE_SUFFIX);
    return n > suffix && strcmp(name + n - suffix, PT_FILE_SUFFIX) == 0;
}

/* Compares runs of digits by value and everything else byte by byte. */
int pt_trace_name_cmp(const char *a, const char *b) {
    while (*a != '\0' && *b != '\0') {
        if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
            char *a_end, *b_end;
            unsigned long long x = strtoull(a, &a_end, 10);
            unsigned long long y = strtoull(b, &b_end, 10);
            if (x != y)
                return x < y ? -1 : 1;
            a = a_end;
            b = b_end;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

static int cmp_names(const void *a, const void *b) {
    return pt_trace_name_cmp(*(char *const *)a, *(char *const *)b);
}

struct name_list {
    char **names;
    size_t count, cap;
};

static void add_name(struct name_list *l, const char *name) {
    PT_GROW(l->names, l->count + 1, l->cap);
    l->names[l->count++] = pt_xstrdup(name);
}

static void free_names(struct name_list *l) {
    for (size_t i = 0; i < l->count; i++)
        free(l->names[i]);
    free(l->names);
}

static int list_traces(const char *path, struct name_list *l, char *err, size_t errlen) {
    DIR *dir = opendir(path);
    if (dir == NULL) {
        if (errno == ENOENT)
            snprintf(err, errlen, "pipetrace: %s: no such directory", path);
        else
            snprintf(err, errlen, "pipetrace: %s: %s", path, strerror(errno));
        return -1;
    }
    struct dirent *de;
    while ((de = readdir(dir)) != NULL)
        if (de->d_name[0] != '.' && has_trace_suffix(de->d_name))
            add_name(l, de->d_name);
    closedir(dir);
    if (l->count == 0) {
        snprintf(err, errlen, "pipetrace: no trace files in %s", path);
        return -1;
    }
    qsort(l->names, l->count, sizeof *l->names, cmp_names);
    return 0;
}

static void skip(struct pt_dir *d, const char *name, const char *message) {
    PT_GROW(d->skipped, d->nskipped + 1, d->cap_skipped);
    d->skipped[d->nskipped].name = pt_xstrdup(name);
    d->skipped[d->nskipped].message = pt_xstrdup(message);
    d->nskipped++;
}

static int open_traces(struct pt_dir *d, const char *path, const struct name_list *l, char *err,
                       size_t errlen) {
    d->files = pt_xcalloc(l->count, sizeof *d->files);
    const char *sep = path[0] != '\0' && path[strlen(path) - 1] == '/' ? "" : "/";
    for (size_t i = 0; i < l->count; i++) {
        size_t len = strlen(path) + strlen(sep) + strlen(l->names[i]) + 1;
        char *file = pt_xmalloc(len);
        char why[1024];
        snprintf(file, len, "%s%s%s", path, sep, l->names[i]);
        int rc = pt_file_open(&d->files[d->count], file, why, sizeof why);
        free(file);
        if (rc == 0)
            d->count++;
        else
            skip(d, l->names[i], why);
    }
    if (d->count > 0)
        return 0;
    /* Nothing to answer from.  With one file, its problem is the error. */
    if (d->nskipped == 1)
        snprintf(err, errlen, "%s", d->skipped[0].message);
    else
        snprintf(err, errlen, "pipetrace: %s: none of the %zu trace files could be read", path,
                 d->nskipped);
    return -1;
}

int pt_dir_open(struct pt_dir *d, const char *path, char *err, size_t errlen) {
    struct name_list names = {0};
    memset(d, 0, sizeof *d);
    int rc = list_traces(path, &names, err, errlen);
    if (rc == 0)
        rc = open_traces(d, path, &names, err, errlen);
    free_names(&names);
    return rc;
}

void pt_dir_close(struct pt_dir *d) {
    for (size_t i = 0; i < d->count; i++)
        pt_file_close(&d->files[i]);
    free(d->files);
    for (size_t i = 0; i < d->nskipped; i++) {
        free(d->skipped[i].name);
        free(d->skipped[i].message);
    }
    free(d->skipped);
    memset(d, 0, sizeof *d);
}
