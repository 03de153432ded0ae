/* The strace-like form of `pipetrace dump`. */
#include <inttypes.h>
#include <poll.h>
#include <string.h>
#include <sys/wait.h>

#include "dump.h"
#include "escape.h"
#include "trace/events.h"
#include "trace/fields.h"
#include "trace/names.h"
#include "trace/payload.h"

/* As strace -s 32: enough to recognise a message, short enough to scan. */
#define TEXT_DATA_MAX 32

/* --- the process header ------------------------------------------------- */

static void print_command_line(FILE *out, const struct pt_file *f) {
    for (uint32_t i = 0; i < f->argc; i++) {
        const char *arg = f->argv[i];
        if (i > 0)
            putc(' ', out);
        if (esc_is_plain_word(arg))
            fputs(arg, out);
        else
            esc_c_quoted(out, (const uint8_t *)arg, strlen(arg));
    }
}

static void print_data_limit(FILE *out, uint32_t limit) {
    if (limit == UINT32_MAX)
        fputs(" data=full", out);
    else
        fprintf(out, " data=%" PRIu32, limit);
}

static void print_stop(FILE *out, const struct pt_file_header *h) {
    const char *name = pt_errno_name(h->stop_errno);
    fputs("# tracing stopped in this process: ", out);
    if (name != NULL)
        fputs(name, out);
    else
        fprintf(out, "errno %" PRId32, h->stop_errno);
    fprintf(out, " (%" PRIu64 " events dropped)\n", h->dropped);
}

void dump_text_process(FILE *out, const struct pt_file *f) {
    const struct pt_file_header *h = f->hdr;
    char image[64];
    pt_file_image(f, image, sizeof image);
    fprintf(out, "# process %" PRId32 " image %s ppid %" PRId32 ": ", h->pid, image, h->ppid);
    print_command_line(out, f);
    fprintf(out, " (exe %s) stdio=%s", f->exe, pt_stdio_state_name(h->flags));
    print_data_limit(out, h->data_limit);
    if (h->flags & PT_HDR_FORK_CHILD)
        fputs(" fork-child", out);
    if (h->flags & PT_HDR_ALL_FDS)
        fputs(" all-fds", out);
    if (h->flags & PT_HDR_ARGV_TRUNCATED)
        fputs(" argv-truncated", out);
    putc('\n', out);
    if (h->flags & PT_HDR_STOPPED)
        print_stop(out, h);
}

/* --- arguments ---------------------------------------------------------- */

/* fd as strace -y shows it: 3<pipe:[88121]>, 1</dev/null>. */
static void print_fd(FILE *out, int32_t fd, unsigned kind, uint64_t ino, uint32_t dev) {
    char name[64];
    fprintf(out, "%" PRId32, fd);
    if (fd < 0 || kind == PT_OBJ_UNKNOWN)
        return;
    pt_object_name(kind, ino, dev, name, sizeof name);
    fprintf(out, "<%s>", name);
}

/* O_RDONLY|O_NONBLOCK */
static void print_fd_flags(FILE *out, unsigned fd_flags) {
    const char *names[8];
    size_t n = pt_fd_flag_names(fd_flags, names, 8);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s%s", i ? "|" : "", names[i]);
}

static void print_data(FILE *out, const struct pt_field *f) {
    size_t len = f->v.data.len;
    size_t shown = len < TEXT_DATA_MAX ? len : TEXT_DATA_MAX;
    esc_c_quoted(out, f->v.data.p, shown);
    if (shown < len || f->v.data.cut)
        fputs("...", out);
}

static void print_open_flags(FILE *out, uint64_t flags, int with_access) {
    char buf[256];
    pt_format_open_flags(flags, with_access, buf, sizeof buf);
    fputs(buf, out);
}

/* ["arg0", "arg1"] */
static void print_strings(FILE *out, const struct pt_field *f) {
    size_t pos = 0, len;
    const uint8_t *s;
    putc('[', out);
    for (int i = 0; pt_strings_next(f->v.bytes.p, f->v.bytes.len, &pos, &s, &len); i++) {
        fputs(i ? ", " : "", out);
        esc_c_quoted(out, s, len);
    }
    putc(']', out);
}

static void print_wait_status(FILE *out, int status) {
    const char *sig = pt_signal_name(WTERMSIG(status));
    if (WIFEXITED(status))
        fprintf(out, "[{WIFEXITED(s) && WEXITSTATUS(s) == %d}]", WEXITSTATUS(status));
    else if (WIFSIGNALED(status) && sig != NULL)
        fprintf(out, "[{WIFSIGNALED(s) && WTERMSIG(s) == %s}]", sig);
    else
        fprintf(out, "[%#x]", status);
}

static void print_pair(FILE *out, const struct pt_field *f) {
    putc('[', out);
    print_fd(out, f->v.pair.fds[0], f->v.pair.kind, f->v.pair.inos[0], f->v.pair.dev);
    fputs(", ", out);
    print_fd(out, f->v.pair.fds[1], f->v.pair.kind, f->v.pair.inos[1], f->v.pair.dev);
    putc(']', out);
}

/* POLLIN|POLLOUT, EPOLLIN|EPOLLET; unnamed bits in hex. */
static void print_event_bits(FILE *out, uint64_t bits, int epoll) {
    const char *names[16];
    uint64_t rest;
    size_t n = epoll ? pt_epoll_event_names(bits, names, 16, &rest)
                     : pt_poll_event_names(bits, names, 16, &rest);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s%s", i ? "|" : "", names[i]);
    if (rest != 0 || n == 0)
        fprintf(out, n ? "|%#" PRIx64 : "%#" PRIx64, rest);
}

static struct pt_wait_fd wait_fd_at(const struct pt_field *f, size_t i) {
    struct pt_wait_fd e;
    memcpy(&e, f->v.wait.p + i * sizeof e, sizeof e);
    return e;
}

static void print_epoll_event(FILE *out, const uint8_t *p) {
    struct pt_wait_epoll_event e;
    memcpy(&e, p, sizeof e);
    fputs("{events=", out);
    print_event_bits(out, e.events, 1);
    fprintf(out, ", data=%#" PRIx64 "}", e.data);
}

/* [{fd=3, events=POLLIN}], or with revents the ready ones only */
static void print_pollfds(FILE *out, const struct pt_field *f, int ready) {
    int printed = 0;
    putc('[', out);
    for (size_t i = 0; i < f->v.wait.n; i++) {
        struct pt_wait_fd e = wait_fd_at(f, i);
        if (ready && e.revents == 0)
            continue;
        fprintf(out, "%s{fd=%" PRId32 ", %s=", printed++ ? ", " : "", e.fd,
                ready ? "revents" : "events");
        print_event_bits(out, ready ? e.revents : e.events, 0);
        putc('}', out);
    }
    if (f->v.wait.n < f->v.wait.total)
        fputs(printed ? ", ..." : "...", out);
    putc(']', out);
}

/* One of select's sets: [3 4] */
static int print_fd_list(FILE *out, const struct pt_field *f, uint16_t mask, int ready) {
    int printed = 0;
    for (size_t i = 0; i < f->v.wait.n; i++) {
        struct pt_wait_fd e = wait_fd_at(f, i);
        if ((ready ? e.revents : e.events) & mask)
            fprintf(out, "%s%" PRId32, printed++ ? " " : "[", e.fd);
    }
    if (!ready && f->v.wait.n < f->v.wait.total)
        fputs(printed++ ? " ..." : "[...", out);
    if (printed || !ready)
        fputs(printed ? "]" : "[]", out);
    return printed;
}

/* what select found ready: in [3], out [4], except [5] */
static void print_select_ready(FILE *out, const struct pt_field *f) {
    static const struct {
        const char *name;
        uint16_t mask;
    } sets[] = {{"in", POLLIN}, {"out", POLLOUT}, {"except", POLLPRI}};
    int printed = 0;
    for (size_t s = 0; s < 3; s++) {
        int any = 0;
        for (size_t i = 0; i < f->v.wait.n && !any; i++)
            any = (wait_fd_at(f, i).revents & sets[s].mask) != 0;
        if (!any)
            continue;
        fprintf(out, "%s%s ", printed++ ? ", " : "", sets[s].name);
        print_fd_list(out, f, sets[s].mask, 1);
    }
}

static void print_waitset(FILE *out, const struct pt_field *f) {
    switch (f->v.wait.form) {
    case PT_WAITSET_EVENTS:
    case PT_WAITSET_REVENTS:
        print_pollfds(out, f, f->v.wait.form == PT_WAITSET_REVENTS);
        break;
    case PT_WAITSET_SELECT:
        print_fd_list(out, f, f->v.wait.mask, 0);
        break;
    case PT_WAITSET_SELECT_READY:
        print_select_ready(out, f);
        break;
    case PT_WAITSET_EPOLL:
        putc('[', out);
        for (size_t i = 0; i < f->v.wait.n; i++) {
            fputs(i ? ", " : "", out);
            print_epoll_event(out, f->v.wait.p + i * sizeof(struct pt_wait_epoll_event));
        }
        if (f->v.wait.n < f->v.wait.total)
            fputs(f->v.wait.n ? ", ..." : "...", out);
        putc(']', out);
        break;
    case PT_WAITSET_EPOLL_ONE:
        print_epoll_event(out, f->v.wait.p);
        break;
    }
}

static void print_field(FILE *out, const struct pt_field *f) {
    if (f->label != NULL)
        fputs(f->label, out);
    switch (f->kind) {
    case PT_FIELD_NULL:
        putc('?', out);
        break;
    case PT_FIELD_INT:
        fprintf(out, "%" PRId64, f->v.i);
        break;
    case PT_FIELD_UINT:
        fprintf(out, "%" PRIu64, f->v.u);
        break;
    case PT_FIELD_HEX:
        fprintf(out, "%#" PRIx64, f->v.u);
        break;
    case PT_FIELD_NAME:
        fputs(f->v.name, out);
        break;
    case PT_FIELD_FD:
        print_fd(out, f->v.fd.fd, f->v.fd.kind, f->v.fd.ino, f->v.fd.dev);
        break;
    case PT_FIELD_PAIR:
        print_pair(out, f);
        break;
    case PT_FIELD_OPEN_FLAGS:
        print_open_flags(out, f->v.flags.bits, f->v.flags.with_access);
        break;
    case PT_FIELD_FD_FLAGS:
        print_fd_flags(out, (unsigned)f->v.u);
        break;
    case PT_FIELD_STRING:
        esc_c_quoted(out, f->v.bytes.p, f->v.bytes.len);
        break;
    case PT_FIELD_STRINGS:
        print_strings(out, f);
        break;
    case PT_FIELD_DATA:
        print_data(out, f);
        break;
    case PT_FIELD_STATUS:
        print_wait_status(out, (int)f->v.i);
        break;
    case PT_FIELD_HEX_BYTES:
        for (size_t i = 0; i < f->v.bytes.len; i++)
            fprintf(out, "%02x", f->v.bytes.p[i]);
        break;
    case PT_FIELD_SYMBOL_OFFSET:
        esc_c_quoted(out, f->v.sym.p, f->v.sym.len);
        fprintf(out, "+%#" PRIx64, f->v.sym.offset);
        break;
    case PT_FIELD_BOOL:
        fputs(f->v.u ? "true" : "false", out);
        break;
    case PT_FIELD_WAITSET:
        print_waitset(out, f);
        break;
    case PT_FIELD_OBJECT: {
        char name[64];
        pt_object_name(f->v.fd.kind, f->v.fd.ino, f->v.fd.dev, name, sizeof name);
        fputs(name, out);
        break;
    }
    }
}

/* The arguments between the parentheses.  For a call that never returned
 * they stop, as strace's do, before the first one only a return fills in
 * ("read(3, <unfinished ...>"); what the trace does not have is not
 * invented. */
static void print_args(FILE *out, const struct pt_fields *fs, int unfinished) {
    int printed = 0;
    for (size_t i = 0; i < fs->n; i++) {
        const struct pt_field *f = &fs->v[i];
        if (!(f->show & PT_SHOW_TEXT) || f->trailer)
            continue;
        if (unfinished && f->at_exit) {
            fputs(printed ? ", <unfinished ...>" : "<unfinished ...>", out);
            return;
        }
        if (printed)
            fputs(f->glued ? " " : ", ", out);
        print_field(out, f);
        printed = 1;
    }
    if (unfinished)
        fputs(printed ? " <unfinished ...>" : "<unfinished ...>", out);
}

/* What a call that returned wrote back, after its result, as strace
 * shows it: " ([{fd=3, revents=POLLIN}])", " (Timeout)". */
static void print_trailers(FILE *out, const struct pt_fields *fs, int unfinished) {
    for (size_t i = 0; i < fs->n && !unfinished; i++) {
        const struct pt_field *f = &fs->v[i];
        if (!(f->show & PT_SHOW_TEXT) || !f->trailer)
            continue;
        fputs(" (", out);
        print_field(out, f);
        putc(')', out);
    }
}

/* --- results ------------------------------------------------------------ */

static void print_errno(FILE *out, int err) {
    const char *name = pt_errno_name(err);
    fprintf(out, " = -1 %s (%s)", name != NULL ? name : "E?", pt_errno_text(err));
}

/* Ends the line after the arguments: ") = result", ") = ?" for a call that
 * never returned or does not return (exit), ")" for a note. */
static void print_outcome(FILE *out, const struct pt_record *r, unsigned kind, int unfinished) {
    int64_t result = pt_event_result(r);
    if (kind == PT_RESULT_NONE) {
        putc(')', out);
    } else if (unfinished || kind == PT_RESULT_NEVER) {
        fputs(") = ?", out);
    } else if (pt_result_errno(result) != 0) { /* else a damaged record: as a number */
        putc(')', out);
        print_errno(out, pt_result_errno(result));
    } else if (kind == PT_RESULT_STATUS) {
        fputs(") = ", out);
        print_wait_status(out, (int)(uint64_t)result);
    } else {
        fprintf(out, ") = %" PRId64, result);
    }
}

void dump_text_event(FILE *out, const struct pt_merged *m, uint64_t t0) {
    const struct pt_record *r = m->ev.rec;
    const struct pt_event_info *row = pt_event_info(r->type);
    int32_t pid = m->file->hdr->pid;
    /* A note never returns, and exit does not: neither is unfinished. */
    int unfinished = pt_event_unfinished(r) &&
                     (row->result == PT_RESULT_NUMBER || row->result == PT_RESULT_STATUS);
    struct pt_fields fields;
    if (r->tid == pid || r->tid == 0)
        fprintf(out, "[%" PRId32 "] ", pid);
    else
        fprintf(out, "[%" PRId32 " %" PRId32 "] ", pid, r->tid);
    dump_rel_time(out, r->t_start, t0, 6);
    if (row->name != NULL)
        fprintf(out, " %s(", row->name);
    else
        fprintf(out, " unknown(%u)(", r->type);
    pt_event_fields(&m->ev, &fields);
    print_args(out, &fields, unfinished);
    print_outcome(out, r, row->result, unfinished);
    print_trailers(out, &fields, unfinished);
    if (row->flags & PT_EVF_STDIO)
        fputs(" [stdio]", out);
    const char *injected = pt_event_injected(r);
    if (injected)
        fprintf(out, " [injected %s]", injected);
    putc('\n', out);
}
