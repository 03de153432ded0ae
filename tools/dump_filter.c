/* The filters of `pipetrace dump`: parsing their values. */
#include "dump_filter.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "trace/events.h"
#include "trace/xalloc.h"

#define BIT(type) ((uint64_t)1 << (type))

/* --- lists ---------------------------------------------------------------- */

static void append(void **v, size_t *n, size_t size, const void *item) {
    *v = pt_xreallocarray(*v, *n + 1, size);
    memcpy((char *)*v + *n * size, item, size);
    (*n)++;
}

/* Calls fn on each comma-separated word of list (empty words are errors). */
static int each_word(struct dump_filter *f, const char *list, const char *opt,
                     int (*fn)(struct dump_filter *, const char *, size_t, const char *)) {
    const char *p = list;
    for (;;) {
        size_t len = strcspn(p, ",");
        if (len == 0) {
            cli_usage_error("dump", "%s wants a comma-separated list, not '%s'", opt, list);
            return -1;
        }
        if (fn(f, p, len, opt) < 0)
            return -1;
        if (p[len] == '\0')
            return 0;
        p += len + 1;
    }
}

/* --- --pid and --tree ------------------------------------------------------ */

static int add_pid(struct dump_filter *f, const char *s, size_t len, const char *opt) {
    uint64_t v;
    if (cli_parse_u64(s, len, &v) < 0 || v == 0 || v > INT32_MAX) {
        cli_usage_error("dump", "%s wants process ids, not '%.*s'", opt, (int)len, s);
        return -1;
    }
    int32_t pid = (int32_t)v;
    if (strcmp(opt, "--tree") == 0)
        append((void **)&f->trees, &f->ntrees, sizeof pid, &pid);
    else
        append((void **)&f->pids, &f->npids, sizeof pid, &pid);
    return 0;
}

int dump_filter_add_pids(struct dump_filter *f, const char *list, int tree) {
    return each_word(f, list, tree ? "--tree" : "--pid", add_pid);
}

/* --- --pipe ---------------------------------------------------------------- */

static int add_pipe(struct dump_filter *f, const char *s, size_t len, const char *opt) {
    struct pipe_spec spec;
    if (pipe_spec_parse(s, len, &spec) == 0) {
        append((void **)&f->pipes, &f->npipes, sizeof spec, &spec);
        return 0;
    }
    if (s[0] == '#')
        cli_usage_error("dump", "%s: '%.*s' is not a pipe id", opt, (int)len, s);
    else
        cli_usage_error("dump", "%s wants an inode, pipe:[INODE], fifo:[INODE] or #ID, not '%.*s'",
                        opt, (int)len, s);
    return -1;
}

int dump_filter_add_pipes(struct dump_filter *f, const char *list) {
    return each_word(f, list, "--pipe", add_pipe);
}

int dump_filter_resolve_pipes(struct dump_filter *f, const struct pt_dir *d) {
    return pipe_spec_resolve(f->pipes, f->npipes, d, "dump");
}

/* --- -e -------------------------------------------------------------------- */

/* strace's classes, from the rows' flags ("all" is every type). */
static const struct call_class {
    const char *name;
    uint32_t flags;
} classes[] = {
    {"%read", PT_EVF_IN},         {"%write", PT_EVF_OUT}, {"%desc", PT_EVF_DESC},
    {"%process", PT_EVF_PROCESS}, {"%meta", PT_EVF_META}, {"all", 0},
};

static uint64_t types_of_class(const struct call_class *c) {
    uint64_t types = 0;
    if (c->flags == 0)
        return ~(uint64_t)0;
    for (unsigned t = 0; t <= PT_EV_MAX; t++)
        if (pt_event_info(t)->flags & c->flags)
            types |= BIT(t);
    return types;
}

/* The types dump prints under this name ("read" is read and stdio's). */
static uint64_t types_named(const char *s, size_t len) {
    uint64_t types = 0;
    for (unsigned t = 1; t <= PT_EV_MAX; t++) {
        const char *name = pt_event_name(t);
        if (name != NULL && strlen(name) == len && memcmp(name, s, len) == 0)
            types |= BIT(t);
    }
    return types;
}

static int add_call(struct dump_filter *f, const char *s, size_t len, const char *opt) {
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        if (strlen(classes[i].name) == len && memcmp(classes[i].name, s, len) == 0) {
            f->calls |= types_of_class(&classes[i]);
            if (strcmp(classes[i].name, "all") != 0)
                f->calls_named |= types_of_class(&classes[i]);
            return 0;
        }
    uint64_t types = types_named(s, len);
    if (types == 0) {
        cli_usage_error("dump", "%s: no call or class named '%.*s'", opt, (int)len, s);
        return -1;
    }
    f->calls |= types;
    f->calls_named |= types;
    return 0;
}

int dump_filter_add_calls(struct dump_filter *f, const char *list) {
    int negate = 0;
    if (strncmp(list, "trace=", 6) == 0)
        list += 6;
    if (list[0] == '!') {
        negate = 1;
        list++;
    }
    struct dump_filter words = {0};
    if (each_word(&words, list, "-e", add_call) < 0)
        return -1;
    f->calls |= negate ? ~words.calls : words.calls;
    if (!negate)
        f->calls_named |= words.calls_named;
    f->calls_given = 1;
    return 0;
}

/* --- --exe ----------------------------------------------------------------- */

int dump_filter_add_exe(struct dump_filter *f, const char *word) {
    if (*word == '\0') {
        cli_usage_error("dump", "--exe wants a program name");
        return -1;
    }
    append((void **)&f->exes, &f->nexes, sizeof word, &word);
    return 0;
}

/* --- the whole ------------------------------------------------------------- */

int dump_filter_active(const struct dump_filter *f) {
    return f->npids > 0 || f->ntrees > 0 || f->npipes > 0 || f->calls_given || f->nexes > 0;
}

void dump_filter_free(struct dump_filter *f) {
    free(f->pids);
    free(f->trees);
    free(f->pipes);
    free(f->exes);
    *f = (struct dump_filter){0};
}
