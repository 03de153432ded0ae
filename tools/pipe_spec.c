/* Naming a pipe on the command line.  See pipe_spec.h. */
#include "pipe_spec.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/model.h"
#include "cli_util.h"
#include "trace/names.h"

/* "pipe", "fifo" or "socket" (the kinds that carry bytes between
 * processes), as pt_obj_kind_name spells them; -1 for anything else. */
static int kind_named(const char *s, size_t len) {
    static const unsigned kinds[] = {PT_OBJ_PIPE, PT_OBJ_FIFO, PT_OBJ_SOCKET};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const char *name = pt_obj_kind_name(kinds[i]);
        if (strlen(name) == len && memcmp(name, s, len) == 0)
            return (int)kinds[i];
    }
    return -1;
}

int pipe_spec_parse(const char *s, size_t len, struct pipe_spec *out) {
    uint64_t v;
    *out = (struct pipe_spec){.kind = -1};
    if (len > 0 && s[0] == '#') {
        if (cli_parse_u64(s + 1, len - 1, &v) < 0 || v == 0 || v > UINT32_MAX)
            return -1;
        out->number = (unsigned)v;
        return 0;
    }
    const char *open = memchr(s, '[', len);
    if (open == NULL)
        return cli_parse_u64(s, len, &out->obj.ino);
    /* KIND:[N] */
    size_t klen = (size_t)(open - s);
    if (klen < 2 || s[klen - 1] != ':' || (out->kind = kind_named(s, klen - 1)) < 0)
        return -1;
    const char *digits = open + 1;
    size_t dlen = len - klen - 1;
    if (dlen < 2 || digits[dlen - 1] != ']')
        return -1;
    return cli_parse_u64(digits, dlen - 1, &out->obj.ino);
}

int pipe_spec_matches(const struct pipe_spec *p, unsigned kind, struct pt_objkey obj) {
    return p->number == 0 && obj.ino == p->obj.ino && (p->kind < 0 || (unsigned)p->kind == kind) &&
           (!p->dev_known || obj.dev == p->obj.dev);
}

static const struct pt_pipe *numbered(const struct pt_model *m, unsigned number) {
    for (size_t j = 0; j < m->npipes; j++)
        if (m->pipes[j]->number == number) /* summary's */
            return m->pipes[j];
    return NULL;
}

int pipe_spec_resolve(struct pipe_spec *specs, size_t n, const struct pt_dir *d,
                      const char *command) {
    size_t wanted = 0;
    for (size_t i = 0; i < n; i++)
        wanted += specs[i].number != 0;
    if (wanted == 0)
        return 0;
    struct pt_model m;
    if (pt_model_init(&m, d->files, d->count) < 0 || pt_model_build(&m) < 0) {
        pt_model_free(&m);
        cli_error("out of memory");
        return EXIT_BAD_INPUT;
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (specs[i].number == 0)
            continue;
        const struct pt_pipe *found = numbered(&m, specs[i].number);
        if (found == NULL) {
            cli_error("%s: no pipe #%u in this trace (pipetrace summary lists them)", command,
                      specs[i].number);
            rc = EXIT_BAD_INPUT;
            continue;
        }
        specs[i] = (struct pipe_spec){.kind = found->kind, .obj = found->obj, .dev_known = 1};
    }
    pt_model_free(&m);
    return rc;
}
