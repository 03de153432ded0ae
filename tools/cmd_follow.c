/* `pipetrace follow PIPE`: the exact bytes that went through one pipe, in
 * order, like Wireshark's "Follow stream". */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/flows.h"
#include "analysis/flows_label.h"
#include "cli_util.h"
#include "commands.h"
#include "follow.h"
#include "open_trace.h"
#include "pipe_spec.h"

const char cmd_follow_usage[] =
    "usage: pipetrace follow PIPE [-o FILE] [--hex] [DIR]\n"
    "\n"
    "Shows the bytes that went through PIPE (an inode number, pipe:[N] or\n"
    "fifo:[N], as dump and flows print them, or #N as summary numbers pipes)\n"
    "in the trace in DIR (default\n"
    "./" DEFAULT_TRACE_DIR "), in order: the writes in the order they completed\n"
    "(the reads, if no writer was traced), with a header line naming the\n"
    "process each run of bytes came from.  Where less was captured than moved\n"
    "(PIPETRACE_DATA smaller than a call) a marker says which bytes are missing.\n"
    "\n"
    "  -o FILE   write the captured bytes, raw, to FILE (created with mode\n"
    "            0600: they may hold secrets); a summary goes to stdout, and\n"
    "            the exit status is 1 when bytes are missing\n"
    "  --hex     a hexdump instead of escaped text\n";

struct follow_options {
    const char *dir, *pipe, *output;
    int hex;
    struct pipe_spec spec;
};

static int positional(struct follow_options *o, const char *arg) {
    if (o->pipe == NULL) {
        o->pipe = arg;
        if (pipe_spec_parse(arg, strlen(arg), &o->spec) < 0)
            return cli_usage_error("follow", "'%s' is not a pipe (use N, pipe:[N], fifo:[N] or #N)",
                                   arg);
        return 0;
    }
    if (o->dir != NULL)
        return cli_usage_error("follow", "one trace directory at a time ('%s')", arg);
    o->dir = arg;
    return 0;
}

static int parse_follow_options(int argc, char **argv, struct follow_options *o) {
    *o = (struct follow_options){0};
    int options_done = 0, rc = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        const char *arg = argv[i];
        if (!options_done && strcmp(arg, "--") == 0) {
            options_done = 1;
        } else if (!options_done && strcmp(arg, "--hex") == 0) {
            o->hex = 1;
        } else if (!options_done && strcmp(arg, "-o") == 0) {
            if (++i == argc)
                return cli_usage_error("follow", "-o needs a file name");
            o->output = argv[i];
        } else if (!options_done && cli_is_help(arg)) {
            fputs(cmd_follow_usage, stdout);
            return -1;
        } else if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            return cli_usage_error("follow", "unknown option '%s'", arg);
        } else {
            rc = positional(o, arg);
        }
    }
    if (rc == 0 && o->pipe == NULL)
        return cli_usage_error("follow", "which pipe? (pipetrace flows lists them)");
    if (o->dir == NULL)
        o->dir = DEFAULT_TRACE_DIR;
    return rc;
}

/* --- the second pass: the bytes ------------------------------------------ */

struct follow_pass {
    const struct flows_pipe *target; /* from the first pass */
    struct follow_out out;
    struct follow_carry carry; /* what a splice into the pipe brought */
};

static void on_io(void *ctx, const struct flows_pipe *p, const struct pt_merged *m, uint64_t offset,
                  int is_write) {
    struct follow_pass *fp = ctx;
    if (!pt_objkey_eq(p->obj, fp->target->obj) || is_write != fp->out.from_writes)
        return;
    const struct pt_record *r = m->ev.rec;
    const uint8_t *data = m->ev.payload;
    uint64_t len = r->data_len, carried;
    const uint8_t *c = follow_carry_take(&fp->carry, m->file_index, m->ev.offset, &carried);
    if (c != NULL && is_write && len == 0) {
        data = c;
        len = carried;
    }
    follow_call(&fp->out, m->file_index, offset, data, len, (uint64_t)r->result);
}

static void on_segment(void *ctx, const struct flows_segment *s) {
    struct follow_pass *fp = ctx;
    follow_carry_segment(&fp->carry, s);
}

static void show_bytes(const struct pt_dir *d, const struct flows_pipe *target, FILE *out,
                       enum follow_form form, struct follow_out *result) {
    struct follow_pass fp = {.target = target};
    struct flows_hooks hooks = {.ctx = &fp, .io = on_io, .segment = on_segment};
    struct flows fl;
    follow_begin(&fp.out, out, form, d->files, target->write_calls > 0);
    follow_carry_init(&fp.carry, d->files);
    flows_run(&fl, d->files, d->count, &hooks);
    flows_free(&fl);
    follow_carry_free(&fp.carry);
    follow_end(&fp.out);
    *result = fp.out;
}

/* --- the first pass: which pipe ------------------------------------------ */

/* The pipes of the trace that spec names (all of them with spec NULL). */
static size_t list_pipes(const struct flows *fl, const struct pipe_spec *spec, const char *what) {
    size_t n = 0;
    fprintf(stderr, "pipetrace follow: %s:", what);
    for (size_t i = 0; i < fl->pipe_count; i++) {
        const struct flows_pipe *p = fl->pipes[i];
        if (spec != NULL && !pipe_spec_matches(spec, p->kind, p->obj))
            continue;
        char name[48];
        flows_object_name(p->kind, p->obj.ino, name, sizeof name);
        fprintf(stderr, " %s", name);
        n++;
    }
    fputs(n ? "\n" : " none\n", stderr);
    return n;
}

/* The one pipe spec names: an inode alone may name two (a pipe and a
 * FIFO, or FIFOs on two file systems), which is an error that lists them. */
static const struct flows_pipe *find_one(const struct flows *fl, const struct pipe_spec *spec) {
    const struct flows_pipe *found = NULL;
    size_t matches = 0;
    for (size_t i = 0; i < fl->pipe_count; i++)
        if (pipe_spec_matches(spec, fl->pipes[i]->kind, fl->pipes[i]->obj)) {
            found = fl->pipes[i];
            matches++;
        }
    if (matches == 1)
        return found;
    if (matches == 0) {
        cli_error("no bytes went through a pipe with inode %" PRIu64 " in this trace",
                  spec->obj.ino);
        list_pipes(fl, NULL, "pipes in this trace");
    } else {
        cli_error("inode %" PRIu64 " names %zu objects in this trace: name one by its kind "
                  "(pipe:[N], fifo:[N]) or by summary's #N",
                  spec->obj.ino, matches);
        list_pipes(fl, spec, "they are");
    }
    return NULL;
}

static int find_target(const struct pt_dir *d, struct pipe_spec *spec, struct flows_pipe *target) {
    int rc = pipe_spec_resolve(spec, 1, d, "follow");
    if (rc != 0)
        return rc;
    struct flows fl;
    flows_run(&fl, d->files, d->count, NULL);
    const struct flows_pipe *p = find_one(&fl, spec);
    if (p != NULL)
        *target = *p; /* the totals; its pointers are not used */
    flows_free(&fl);
    return p != NULL ? 0 : EXIT_BAD_INPUT;
}

static int report_file(const struct follow_options *o, const struct flows_pipe *target,
                       const struct follow_out *r) {
    char name[48];
    flows_object_name(target->kind, target->obj.ino, name, sizeof name);
    printf("%s: %" PRIu64 " bytes %s, %" PRIu64 " captured, written to %s\n", name, r->bytes,
           r->from_writes ? "written" : "read", r->captured, o->output);
    if (r->captured == r->bytes)
        return 0;
    fprintf(stderr,
            "pipetrace follow: %" PRIu64 " bytes were not captured (%" PRIu64
            " gaps, the first at byte %" PRIu64 "); %s holds only the captured "
            "bytes (raise PIPETRACE_DATA)\n",
            r->bytes - r->captured, r->gaps, r->first_gap, o->output);
    return 1;
}

/* The captured bytes are as private as the trace they come from (which the
 * library writes 0600): a new file gets mode 0600 whatever the umask, and
 * an earlier regular file of ours loses its group and other bits.  A
 * device or someone else's file (-o /dev/stdout) is written as it is. */
static FILE *open_private_output(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
        (st.st_mode & 077) != 0 && fchmod(fd, st.st_mode & 07700) < 0) {
        int err = errno;
        close(fd);
        errno = err;
        return NULL;
    }
    FILE *f = fdopen(fd, "wb");
    if (f == NULL) {
        int err = errno;
        close(fd);
        errno = err;
    }
    return f;
}

static int follow_to_file(const struct follow_options *o, const struct pt_dir *d,
                          const struct flows_pipe *target) {
    FILE *f = open_private_output(o->output);
    if (f == NULL) {
        cli_error("cannot create %s: %s", o->output, strerror(errno));
        return EXIT_BAD_INPUT;
    }
    struct follow_out r;
    show_bytes(d, target, f, FOLLOW_RAW, &r);
    if (fclose(f) != 0) {
        cli_error("writing %s: %s", o->output, strerror(errno));
        return 1;
    }
    return report_file(o, target, &r);
}

static int follow_to_terminal(const struct follow_options *o, const struct pt_dir *d,
                              const struct flows_pipe *target) {
    char name[48];
    struct follow_out r;
    flows_object_name(target->kind, target->obj.ino, name, sizeof name);
    printf("%s: %" PRIu64 " bytes written in %" PRIu64 " call(s), %" PRIu64 " read in %" PRIu64
           " call(s); shown as %s\n",
           name, target->bytes_written, target->write_calls, target->bytes_read, target->read_calls,
           target->write_calls > 0 ? "written" : "read (no traced writer)");
    show_bytes(d, target, stdout, o->hex ? FOLLOW_HEX : FOLLOW_TEXT, &r);
    return finish_stdout();
}

int cmd_follow(int argc, char **argv) {
    struct follow_options o;
    int rc = parse_follow_options(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    struct pt_dir d;
    if ((rc = open_trace(o.dir, &d)) != 0)
        return rc;
    struct flows_pipe target;
    rc = find_target(&d, &o.spec, &target);
    if (rc == 0)
        rc = o.output != NULL ? follow_to_file(&o, &d, &target)
                              : follow_to_terminal(&o, &d, &target);
    warn_damaged_files(&d);
    pt_dir_close(&d);
    return rc;
}
