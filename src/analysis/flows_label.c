/* Short names for processes, pipes and durations. */
#include "analysis/flows_label.h"

#include "analysis/flows.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "trace/names.h"

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
}

/* Appends s to buf (used bytes *n), stopping at max characters. */
static int append(char *buf, size_t len, size_t *n, size_t max, const char *s) {
    for (; *s != '\0'; s++) {
        if (*n >= max || *n + 1 >= len)
            return -1;
        unsigned char c = (unsigned char)*s;
        buf[(*n)++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    buf[*n] = '\0';
    return 0;
}

/* A long path argument as ".../name": the name says more than the
 * directories do. */
static int append_arg(char *buf, size_t len, size_t *n, size_t max, const char *arg) {
    const char *name = base_name(arg);
    if (strlen(arg) <= 24 || name == arg)
        return append(buf, len, n, max, arg);
    if (append(buf, len, n, max, ".../") < 0)
        return -1;
    return append(buf, len, n, max, name);
}

static void cut(char *buf, size_t len, size_t n) {
    const char dots[] = "...";
    if (len < sizeof dots)
        return;
    if (n + sizeof dots > len)
        n = len - sizeof dots;
    memcpy(buf + n, dots, sizeof dots);
}

void flows_short_strings(const char *const *argv, size_t argc, const char *exe, size_t max,
                         char *buf, size_t len) {
    size_t n = 0;
    if (len == 0)
        return;
    buf[0] = '\0';
    const char *first = argc > 0 ? argv[0] : exe;
    if (append(buf, len, &n, max, base_name(first)) < 0) {
        cut(buf, len, n);
        return;
    }
    for (size_t i = 1; i < argc; i++) {
        if (append(buf, len, &n, max, " ") < 0 || append_arg(buf, len, &n, max, argv[i]) < 0) {
            cut(buf, len, n);
            return;
        }
    }
}

void flows_short_argv(const struct pt_file *f, size_t max, char *buf, size_t len) {
    flows_short_strings(f->argv, f->argc, f->exe, max, buf, len);
}

void flows_object_name(uint8_t kind, uint64_t ino, char *buf, size_t len) {
    pt_object_name(kind, ino, 0, buf, len);
}

void flows_pipe_name(const struct flows_pipe *p, char *buf, size_t len) {
    if (p->kind == PT_OBJ_SOCKET && p->peer.ino != 0)
        snprintf(buf, len, "socket:[%" PRIu64 "]->[%" PRIu64 "]", p->obj.ino, p->peer.ino);
    else
        flows_object_name(p->kind, p->obj.ino, buf, len);
}

void flows_format_ns(uint64_t ns, char *buf, size_t len) {
    if (ns < 1000)
        snprintf(buf, len, "%" PRIu64 "ns", ns);
    else if (ns < 1000000)
        snprintf(buf, len, "%.1fus", ns / 1e3);
    else if (ns < 1000000000)
        snprintf(buf, len, "%.2fms", ns / 1e6);
    else
        snprintf(buf, len, "%.2fs", ns / 1e9);
}
